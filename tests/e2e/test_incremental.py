"""Incremental builds: after any edit they give the same bytes as a clean build, and a no-op writes nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from benchmarks.bench_build import make_corpus
from milei_watch import inputs, render, state
from milei_watch.errors import BuildError
from tests.conftest import FIXED_NOW, build_fixture, copy_site, reaped, run_cli, snapshot


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _article(root: Path, name: str) -> Path:
    return root / "content" / "articles" / name


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("body", lambda r: _edit(_article(r, "deuda-y-fmi.md"), "Because the **board** votes.",
                             "Because the **board** votes, and the US holds the largest share.")),
    ("title", lambda r: _edit(_article(r, "china-russia.md"), "title: China, Russia and the region",
                              "title: China, Russia and the Southern Cone\nslug: china-russia-and-the-region")),
    ("date", lambda r: _edit(_article(r, "china-russia.md"), "date: 2026-02-10", "date: 2026-01-05")),
    ("topics", lambda r: _edit(_article(r, "state-department.md"), "topics: [diplomacy]",
                               "topics: [diplomacy, economy]")),
    ("tags", lambda r: _edit(_article(r, "state-department.md"), "tags: [state-department, imf]",
                             "tags: [state-department, washington]")),
    ("summary", lambda r: _edit(_article(r, "ajuste-fiscal.md"), 'summary: "Austerity & privatisation <in brief>."',
                                'summary: "Austerity, privatisation and cuts, in brief."')),
    ("draft on", lambda r: _edit(_article(r, "china-russia.md"), "tags: [china]", "tags: [china]\ndraft: true")),
    ("draft off", lambda r: _edit(_article(r, "china-russia.md"), "tags: [china]\ndraft: true", "tags: [china]")),
    ("add", lambda r: _article(r, "mercosur.md").write_text(
        "---\ntitle: Mercosur y Argentina\ndate: 2026-02-20\ntopics: [regional, economy]\n"
        "summary: Trade bloc questions.\ntags: [china, austerity]\n---\nA new piece.\n", "utf-8")),
    ("delete", lambda r: _article(r, "venezuela-cuba.md").unlink()),
    ("rename slug", lambda r: _edit(_article(r, "deuda-y-fmi.md"), "title: Deuda y FMI",
                                    "title: Deuda y FMI\nslug: debt-and-the-imf")),
    ("correction", lambda r: _edit(_article(r, "ajuste-fiscal.md"), "kind: analysis",
                                   "kind: analysis\ncorrections:\n  - date: 2026-01-12\n    text: A figure was wrong.")),
    ("template", lambda r: _edit(r / "templates" / "_macros.html", 'class="card-summary"',
                                 'class="card-summary summary"')),
    ("config", lambda r: _edit(r / "content" / "site.yaml", "per_page: 2", "per_page: 3")),
    ("static file", lambda r: (r / "templates" / "static" / "extra.css").write_text("p { margin: 0; }\n", "utf-8")),
    ("static delete", lambda r: (r / "templates" / "static" / "extra.css").unlink()),
    ("authors", lambda r: _edit(r / "content" / "authors.yaml", "The fixture site's editorial desk.",
                                "The fixture site's editorial desk, which reviews every piece.")),
    ("page", lambda r: _edit(r / "content" / "pages" / "about.md", "for **tests**", "for **tests** only")),
    ("featured", lambda r: _edit(_article(r, "mercosur.md"), "tags: [china, austerity]",
                                 "tags: [china, austerity]\nfeatured: true")),
    # the start-here article was renamed above: the setting follows it
    ("start here", lambda r: _edit(r / "content" / "site.yaml", "start_here: deuda-y-fmi", "start_here: debt-and-the-imf")),
    ("tag names", lambda r: _edit(r / "content" / "tags.yaml", "imf: IMF", "imf: International Monetary Fund")),
    # the share card is drawn in the theme's static fonts: another font draws another card
    ("card font", lambda r: shutil.copyfile(r / "templates" / "static" / "fonts" / "source-serif-4-latin-400-normal.woff2",
                                            r / "templates" / "static" / "fonts" / "source-serif-4-latin-700-normal.woff2")),
]


def _clean_build(project: Path, scratch: Path) -> dict[str, bytes]:
    """Build a copy of `project` from nothing, with no cache."""
    fresh = scratch / "clean"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    shutil.copytree(project / "content", fresh / "content")
    shutil.copytree(project / "templates", fresh / "templates")
    build_fixture(fresh, full=True)
    return snapshot(fresh / "site")


def test_incremental_build_equals_clean_build_after_every_kind_of_edit(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    for name, edit in EDITS:
        time.sleep(0.01)
        edit(project)
        report = build_fixture(project)
        incremental = snapshot(project / "site")
        clean = _clean_build(project, tmp_path)
        assert sorted(incremental) == sorted(clean), f"after {name}: different files"
        different = [rel for rel in clean if clean[rel] != incremental[rel]]
        assert not different, f"after {name}: {different} differ from a clean build"
        assert report.written or report.removed, f"after {name}: the edit changed nothing"


def test_body_edit_rerenders_only_the_article_and_the_feeds_that_carry_it(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    EDITS[0][1](project)
    report = build_fixture(project)
    written = set(report.written)
    assert "articles/deuda-y-fmi/index.html" in written
    assert not {w for w in written if w.endswith("index.html")} - {"articles/deuda-y-fmi/index.html"}
    assert "feed.xml" in written and "topics/debt-imf/atom.xml" in written
    assert "topics/regional/feed.xml" not in written


def test_a_page_template_edit_renders_its_own_pages_and_those_drawn_from_it(tmp_path: Path) -> None:
    """A page's key holds its own template, what that extends, includes or imports (followed through),
    and every file that is no page template; a template named by an expression could be any."""
    project = copy_site(tmp_path / "project")
    # The front page draws robots.txt in by its literal name, the 404 page by an expression.
    _edit(project / "templates" / "home.html", "{% endblock %}", '<pre>{% with news_sitemap = false %}{% include "robots.txt" %}{% endwith %}</pre>{% endblock %}')
    _edit(project / "templates" / "404.html", "{% endblock %}", '<pre>{% with news_sitemap = false %}{% include ["robots" ~ ".txt"] %}{% endwith %}</pre>{% endblock %}')
    first = build_fixture(project)
    articles = sorted(p.relative_to(project / "site").as_posix()
                      for p in (project / "site" / "articles").glob("*/index.html"))
    assert len(articles) >= 4

    steps = [
        ("article.html", lambda: _append(project / "templates" / "article.html", "{# an edit #}\n"),
         set(articles) | {"404.html"}),
        ("robots.txt", lambda: _append(project / "templates" / "robots.txt", "# a robots edit\n"),
         {"robots.txt", "index.html", "404.html"}),
        ("base.html", lambda: _append(project / "templates" / "base.html", "{# an edit #}\n"), None),
    ]
    for name, edit, expected in steps:
        time.sleep(0.01)
        edit()
        report = build_fixture(project)
        if expected is None:  # the layout every template extends: every page but the share card, drawn in code
            assert report.rendered == first.rendered - 1, (name, report.rendered, first.rendered)
        else:
            assert report.rendered == len(expected), (name, report.rendered, sorted(expected))
        assert snapshot(project / "site") == _clean_build(project, tmp_path), f"after editing {name}"
    assert "# a robots edit" in (project / "site" / "404.html").read_text("utf-8")
    assert "# a robots edit" in (project / "site" / "index.html").read_text("utf-8")


def test_a_new_address_rewrites_its_months_sitemap_only(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    _edit(_article(project, "deuda-y-fmi.md"), "title: Deuda y FMI", "title: Deuda y FMI\nslug: debt-and-the-imf")
    report = build_fixture(project)
    sitemaps = sorted(w for w in report.written if "sitemap" in w)
    # The article is of January: February's sitemap stays, and so does the index, whose dates are
    # those of the newest change in each month (a new address is not a new version of the article).
    assert sitemaps == ["sitemaps/2026-01.xml"]
    assert (project / "site" / "sitemaps" / "2026-02.xml").is_file()
    assert "debt-and-the-imf" in (project / "site" / "sitemaps" / "2026-01.xml").read_text("utf-8")


def test_second_build_with_no_change_writes_nothing(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    time.sleep(0.01)
    report = build_fixture(project)
    assert report.written == () and report.removed == ()
    after = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before


def test_no_change_after_the_fast_path_window_still_writes_nothing(tmp_path: Path) -> None:
    """A rebuild that cannot take the manifest shortcut (files touched) compares keys and writes nothing."""
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    for path in (project / "content" / "articles").glob("*.md"):
        os.utime(path)
    report = build_fixture(project)
    assert report.written == () and report.removed == ()


def test_deleting_or_corrupting_the_cache_means_a_clean_correct_build(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    expected = snapshot(project / "site")
    shutil.rmtree(project / ".milei_watch")
    build_fixture(project)
    assert snapshot(project / "site") == expected
    (project / ".milei_watch" / "state.pickle").write_bytes(b"not a pickle")
    (project / ".milei_watch" / "manifest.pickle").unlink()
    messages: list[str] = []
    report = build_fixture(project, log=messages.append)
    assert messages == ["build cache is unreadable; building everything"]
    assert report.written == ()
    assert snapshot(project / "site") == expected


def _damage_html_cache(project: Path) -> int:
    entries = list((project / ".milei_watch" / "html").rglob("*.html"))
    for entry in entries:
        entry.write_bytes(entry.read_bytes().replace(b"<p>", b"<p>DAMAGED ", 1))
    return len(entries)


def test_full_renders_every_body_again_rather_than_trust_the_html_cache(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    expected = snapshot(project / "site")
    assert _damage_html_cache(project) >= 5
    (project / ".milei_watch" / "manifest.pickle").unlink()  # so the next build renders pages again
    build_fixture(project, full=True)
    assert snapshot(project / "site") == expected
    assert not any(b"DAMAGED" in entry.read_bytes() for entry in (project / ".milei_watch" / "html").rglob("*.html"))


def test_a_damaged_html_cache_entry_is_rendered_again(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    expected = snapshot(project / "site")
    _damage_html_cache(project)
    _edit(project / "templates" / "article.html", "</article>", "{# every article page again #}</article>")
    build_fixture(project)
    assert snapshot(project / "site") == expected


def test_a_cache_from_another_version_says_so_once_and_builds_cleanly(tmp_path: Path) -> None:
    import pickle

    project = copy_site(tmp_path / "project")
    assert run_cli("build", "--root", project).returncode == 0
    expected = snapshot(project / "site")
    cache = project / ".milei_watch" / "state.pickle"
    with cache.open("rb") as handle:
        header, rest = pickle.load(handle), handle.read()
    cache.write_bytes(pickle.dumps((header[0], "0.0.1-other", *header[2:])) + rest)
    (project / ".milei_watch" / "manifest.pickle").unlink()  # as an upgrade changes the manifest's key

    result = run_cli("build", "--root", project)

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["build cache is from another version or output folder; building everything"]
    assert snapshot(project / "site") == expected


def test_a_scheduled_article_appears_when_its_time_comes_without_any_edit(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    assert not (project / "site" / "articles" / "scheduled-piece").exists()
    later = FIXED_NOW.replace(year=2026, month=12, day=2)
    report = build_fixture(project, now=later)
    assert "articles/scheduled-piece/index.html" in report.written


def _corpus(root: Path, count: int) -> Path:
    make_corpus(root, count)
    return root


# Two workers share a few hundred pages as a forked pair (this process and one child), and more
# as a pool: both ways are tried on one corpus, the pool by lowering the pair's limit.
SHARED = {"pair": render.PAIR_LIMIT, "pool": 0}


@pytest.mark.parametrize("sharing", sorted(SHARED))
def test_output_is_identical_with_one_and_two_workers(tmp_path: Path, monkeypatch, sharing: str) -> None:
    one = _corpus(tmp_path / "one", 160)
    two = _corpus(tmp_path / "two", 160)
    report_one = build_fixture(one, jobs=1)
    monkeypatch.setattr(render, "PAIR_LIMIT", SHARED[sharing])
    build_fixture(two, jobs=2)
    assert report_one.rendered >= render.POOL_THRESHOLD, "too few pages to be shared"
    assert snapshot(one / "site") == snapshot(two / "site")


def test_pages_a_failed_render_child_leaves_are_rendered_here(tmp_path: Path, monkeypatch, forks) -> None:
    one = _corpus(tmp_path / "one", 160)
    two = _corpus(tmp_path / "two", 160)
    build_fixture(one, jobs=1)
    parent = os.getpid()
    share = render._render_in_worker

    def dying(indices, renderer=None):
        if os.getpid() != parent:  # the forked child dies half-way through its pages
            renderer.stage(indices[0])
            os.kill(os.getpid(), signal.SIGKILL)
        return share(indices, renderer)

    monkeypatch.setattr(render, "_render_in_worker", dying)
    report = build_fixture(two, jobs=2)
    assert render.POOL_THRESHOLD <= report.rendered <= render.PAIR_LIMIT, "not shared by a forked pair"
    assert len(forks) == 1 and reaped(forks[0])
    assert snapshot(one / "site") == snapshot(two / "site")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def test_body_edits_take_the_narrow_path_and_still_equal_a_clean_build(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    articles = project / "content" / "articles"
    # Two articles that share the site feed: the second edit must see the first one's new body.
    for name, text in [("deuda-y-fmi.md", "\nA first added paragraph.\n"),
                       ("state-department.md", "\nA second added paragraph.\n"),
                       ("deuda-y-fmi.md", "\nA third, on the first article again.\n")]:
        _append(articles / name, text)
        report = build_fixture(project)
        assert report.mode == "bodies", f"{name}: {report.mode}"
        assert "feed.xml" in report.written
        assert snapshot(project / "site") == _clean_build(project, tmp_path)
    # A front-matter edit after body edits takes the full path and sees every body edited so far.
    _edit(articles / "china-russia.md", "title: China, Russia and the region",
          "title: China, Russia and the region\nslug: china-russia-and-the-region\nupdated: 2026-02-12")
    assert build_fixture(project).mode == "full"
    assert snapshot(project / "site") == _clean_build(project, tmp_path)
    _append(articles / "state-department.md", "\nAnd a fourth.\n")
    assert build_fixture(project).mode == "bodies"
    assert snapshot(project / "site") == _clean_build(project, tmp_path)


def test_a_body_edit_with_a_damaged_article_shard_builds_everything_again(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    # The site feed embeds both articles: re-rendering it after the edit needs the other one's row.
    edited, other = "content/articles/deuda-y-fmi.md", "content/articles/state-department.md"
    assert state._shard_of(edited) != state._shard_of(other)
    (project / ".milei_watch" / "articles" / f"{state._shard_of(other):02d}.marshal").write_bytes(b"not a shard")
    _append(project / edited, "\nA paragraph added while the cache was damaged.\n")
    report = build_fixture(project)
    assert report.mode == "full" and "feed.xml" in report.written
    assert snapshot(project / "site") == _clean_build(project, tmp_path)


def test_a_body_edit_to_a_draft_or_a_page_changes_nothing_it_should_not(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    _append(project / "content" / "articles" / "draft-notes.md", "\nMore notes.\n")
    report = build_fixture(project)
    assert report.written == ()
    _append(project / "content" / "pages" / "about.md", "\nA new line about us.\n")
    report = build_fixture(project)
    assert report.mode == "full" and "about/index.html" in report.written
    assert snapshot(project / "site") == _clean_build(project, tmp_path)


def test_a_broken_file_during_body_edits_is_reported_and_leaves_the_site(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    before = snapshot(project / "site")
    path = project / "content" / "articles" / "deuda-y-fmi.md"
    path.write_bytes(path.read_bytes() + b"\n\xff not UTF-8\n")
    with pytest.raises(BuildError):
        build_fixture(project)
    assert snapshot(project / "site") == before


def test_a_body_edit_that_shows_only_dates_seen_before_never_loads_babel(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)  # renders in this process, and keeps the words Babel formatted for it
    _append(project / "content" / "articles" / "deuda-y-fmi.md", "\nA paragraph added later.\n")
    script = ("import sys\nfrom milei_watch import cli\n"
              f"code = cli.main(['build', '--root', {str(project)!r}, '--now', {FIXED_NOW.isoformat()!r}, '--quiet'])\n"
              "print(code, 'babel' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["0", "False"], result.stderr
    assert snapshot(project / "site") == _clean_build(project, tmp_path)


@pytest.mark.parametrize("sharing", sorted(SHARED))
def test_words_formatted_by_render_workers_are_kept_as_well(tmp_path: Path, monkeypatch, sharing: str) -> None:
    monkeypatch.setattr(render, "PAIR_LIMIT", SHARED[sharing])
    root = _corpus(tmp_path / "corpus", 160)
    now = "2030-01-01T12:00:00+00:00"  # after every article of the corpus
    report = build_fixture(root, jobs=2, now=dt.datetime.fromisoformat(now))  # every page rendered in workers
    assert report.rendered >= render.POOL_THRESHOLD, "too few pages to be shared"
    _append(sorted((root / "content" / "articles").glob("*.md"))[40], "\nA paragraph added later.\n")
    script = ("import sys\nfrom milei_watch import cli\n"
              f"code = cli.main(['build', '--root', {str(root)!r}, '--now', {now!r}, '--quiet'])\n"
              "print(code, 'babel' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["0", "False"], result.stderr
    assert any("A paragraph added later." in page.read_text("utf-8")  # the edit was built
               for page in (root / "site" / "articles").glob("*/index.html"))


def test_another_version_of_babel_renders_every_page_again(tmp_path: Path, monkeypatch) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    # Babel's locale data words every date: pages keyed without its version would keep the old words.
    monkeypatch.setattr(inputs, "libraries_key", lambda: "another version of babel")
    report = build_fixture(project)
    assert report.rendered > 0 and report.written == ()
    # as many pages as a template edit renders: every page drawn from a template
    _edit(project / "templates" / "base.html", "<footer", "{# edited #}<footer")
    assert build_fixture(project).rendered == report.rendered
