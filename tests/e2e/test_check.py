"""`milei-watch check`: every problem as path:line, warnings that do not fail, a built site's links and feeds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, build_fixture, copy_shipped, copy_site, run_cli, snapshot

BROKEN = FIXTURES / "broken"


def _diagnostics(stderr: str, severity: str) -> list[str]:
    return [line for line in stderr.splitlines() if f": {severity}: " in line]


def test_clean_site_passes_with_its_warnings_and_writes_nothing(site_root):
    before = snapshot(site_root)

    result = run_cli("check", "--root", site_root)

    assert result.returncode == 0, result.stderr
    assert _diagnostics(result.stderr, "error") == []
    assert "content/articles/china-russia.md:1: warning: the article cites no sources" in result.stderr
    assert "content/articles/china-russia.md:6: warning: tag 'china' is used by no other article (a typo?)" \
        in result.stderr
    assert result.stdout.strip() == "checked 7 articles and 1 page: 0 errors, 6 warnings"
    assert snapshot(site_root) == before
    assert not (site_root / "site").exists() and not (site_root / ".milei_watch").exists()


def test_strict_makes_warnings_fail(site_root):
    result = run_cli("check", "--strict", "--root", site_root)
    assert result.returncode == 1
    assert result.stdout.strip().endswith("0 errors, 6 warnings")


def test_messages_come_first_then_one_summary_line_in_a_pipe(site_root):
    (site_root / "content" / "articles" / "roto.md").write_text(
        "---\ntitle: Roto\ndate: 2026-02-01\ntopics: [regionl]\nsummary: Roto.\n---\nBody.\n", "utf-8")
    # stdout and stderr into one pipe, as `milei-watch check 2>&1 | less` shows them
    result = subprocess.run([sys.executable, "-m", "milei_watch", "check", "--root", str(site_root)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    summaries = [line for line in lines if line.startswith("checked ")]
    assert summaries == [lines[-1]], lines
    assert lines[-1] == "checked 8 articles (1 with errors) and 1 page: 1 error, 6 warnings"
    assert not any(re.fullmatch(r"\d+ (error|warning)s?(, .*)?", line) for line in lines), lines  # no second count
    assert re.match(r"content/articles/[\w.-]+:\d+: (error|warning): ", lines[0]), lines


def test_an_article_with_errors_is_counted_and_its_tags_still_count(site_root):
    articles = site_root / "content" / "articles"
    # china-russia.md is the only article tagged 'china' until this one, which has a mistake
    (articles / "roto.md").write_text(
        "---\ntitle: Roto\ndate: 2026-02-01\ntopics: [regionl]\nsummary: Roto.\ntags: [china]\n---\nBody.\n",
        "utf-8")
    (articles / "unreadable.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")

    result = run_cli("check", "--root", site_root)

    assert result.returncode == 1
    assert "content/articles/roto.md:4: error: unknown topic 'regionl'" in result.stderr
    assert "tag 'china' is used by no other article" not in result.stderr
    assert result.stdout == "checked 9 articles (2 with errors) and 1 page: 2 errors, 5 warnings\n"


def test_broken_content_reports_what_build_reports(site_root):
    articles = site_root / "content" / "articles"
    for path in sorted(BROKEN.iterdir()):
        shutil.copyfile(path, articles / path.name)
    before = snapshot(site_root)

    checked = run_cli("check", "--root", site_root)
    built = run_cli("build", "--root", site_root)

    assert checked.returncode == 1 and built.returncode == 1
    errors = _diagnostics(checked.stderr, "error")
    assert errors == _diagnostics(built.stderr, "error")
    assert len(errors) >= len(list(BROKEN.iterdir()))
    assert "content/articles/unknown-topic.md:6: error: unknown topic 'inflation'" in errors
    assert all(re.match(r"^content/articles/[\w.-]+\.md:\d+(:\d+)?: error: ", line) for line in errors)
    assert "Traceback" not in checked.stderr
    # Nothing the editor wrote or reads changed; the build may only have taken its lock in the cache.
    assert {rel: data for rel, data in snapshot(site_root).items() if not rel.startswith(".milei_watch/")} == before


def test_config_mistake_is_an_error_like_any_other(site_root):
    config = site_root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("timezone:", "time_zone:"), "utf-8")
    result = run_cli("check", "--root", site_root)
    assert result.returncode == 1
    assert "content/site.yaml:5: error: unknown setting 'time_zone'" in result.stderr


def test_a_folder_that_is_no_project_is_a_usage_error(tmp_path):
    result = run_cli("check", "--root", tmp_path)
    assert result.returncode == 2
    assert "no site configuration" in result.stderr


def test_feed_list_and_ingest_state_are_checked(site_root):
    content = site_root / "content"
    (content / "feeds.yaml").write_text(
        "- name: wire\n  url: ftp://feeds.example.org/rss\n- name: other\n  path: content/x.xml\n  topic: [economy]\n",
        encoding="utf-8")
    (content / "ingest-state.json").write_text('{"format": 1, "sources": {', encoding="utf-8")
    before = snapshot(site_root)

    result = run_cli("check", "--root", site_root)

    assert result.returncode == 1
    errors = _diagnostics(result.stderr, "error")
    assert any(line.startswith("content/feeds.yaml:2: error: ") and "ftp://" in line for line in errors), errors
    assert any(line.startswith("content/feeds.yaml:5: error: unknown source setting 'topic'") for line in errors), errors
    assert any(line.startswith("content/ingest-state.json:1:") and "not valid JSON" in line for line in errors), errors
    assert snapshot(site_root) == before


def test_shipped_feed_list_and_state_pass(tmp_path):
    result = run_cli("check", "--root", copy_shipped(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "content/feeds.yaml" not in result.stderr and "ingest-state" not in result.stderr


def test_template_syntax_error_names_the_template_line(site_root):
    template = site_root / "templates" / "page.html"
    lines = template.read_text("utf-8").splitlines()
    lines.insert(2, "{% if doc.title %}never closed")
    template.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli("check", "--root", site_root)
    assert result.returncode == 1
    assert re.search(r"^templates/page\.html:\d+: error: .*endif", result.stderr, re.MULTILINE), result.stderr


def test_editorial_warnings_name_their_lines(site_root):
    articles = site_root / "content" / "articles"
    (articles / "long.md").write_text(
        "---\ntitle: Un resumen largo\ndate: 2026-02-10\nupdated: 2025-02-11\ntopics: [economy]\n"
        f"summary: {'Palabra ' * 40}\ntags: [austerity, austerty]\nsources:\n  - publisher: Fixture Wire\n---\nBody.\n",
        "utf-8")

    result = run_cli("check", "--root", site_root)

    assert result.returncode == 0, result.stderr
    warnings = [line for line in _diagnostics(result.stderr, "warning") if "long.md" in line]
    assert warnings == [
        "content/articles/long.md:4: warning: 'updated' (2025-02-11) is before 'date' (2026-02-10)",
        "content/articles/long.md:6: warning: the summary is 319 characters long; keep it under 300",
        "content/articles/long.md:7: warning: tag 'austerty' is used by no other article (a typo?)",
    ]
    assert "    hint: did you mean 'austerity'?" in result.stderr


def test_empty_summary_from_new_is_a_warning(site_root):
    assert run_cli("new", "Borrador", "--topic", "economy", "--root", site_root).returncode == 0
    result = run_cli("check", "--root", site_root)
    assert result.returncode == 0
    assert "content/articles/borrador.md:5: warning: the summary is empty" in result.stderr
    article = site_root / "content" / "articles" / "borrador.md"
    article.write_text(article.read_text("utf-8").replace("summary: ''", "summary: TODO later"), "utf-8")
    assert "content/articles/borrador.md:5: warning: the summary is still a placeholder" in \
        run_cli("check", "--root", site_root).stderr


# --- a built site --------------------------------------------------------------------------------


def _built(root: Path) -> Path:
    build_fixture(root)
    return root / "site"


def test_built_site_passes(site_root):
    site = _built(site_root)
    before = snapshot(site)
    result = run_cli("check", "--site", "--root", site_root)
    assert result.returncode == 0, result.stderr
    assert _diagnostics(result.stderr, "error") == []
    assert re.search(r"and \d+ built files: 0 errors", result.stdout)
    assert snapshot(site) == before


def test_built_site_under_a_sub_path_passes(tmp_path):
    root = copy_site(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("https://fixture.example.org/",
                                                        "https://example.org/milei-watch/"), "utf-8")
    _built(root)
    result = run_cli("check", "--site", "--root", root)
    assert _diagnostics(result.stderr, "error") == [], result.stderr


def test_broken_link_and_anchor_are_reported_with_the_page(site_root):
    site = _built(site_root)
    page = site / "articles" / "deuda-y-fmi" / "index.html"
    html = page.read_text("utf-8")
    html = html.replace('<a href="#corrections">', '<a href="#correction">', 1)
    html = html.replace('<a href="/authors/analyst/">', '<a href="/authors/analist/">', 1)
    html = html.replace('href="/articles/meetings-at-the-state-department/"',
                        'href="/articles/meetings-at-the-state-department/#nowhere"', 1)
    page.write_text(html, "utf-8")
    anchor, page_link, remote = (html[:html.index(needle)].count("\n") + 1
                                 for needle in ('"#correction"', '"/authors/analist/"', '#nowhere"'))
    other = site / "tags" / "imf" / "index.html"
    other.write_text(re.sub(r"<title>.*?</title>", "", other.read_text("utf-8")), "utf-8")

    result = run_cli("check", "--site", "--root", site_root)

    assert result.returncode == 1
    errors = _diagnostics(result.stderr, "error")
    shown = "site/articles/deuda-y-fmi/index.html"
    assert len(errors) == 4 and set(errors) == {
        f"{shown}:{anchor}: error: broken link '#correction': "
        "no element with id 'correction' on this page",
        f"{shown}:{page_link}: error: broken link '/authors/analist/': "
        "no such page in the site",
        f"{shown}:{remote}: error: broken link '/articles/meetings-at-the-state-department/#nowhere': "
        "no element with id 'nowhere' on articles/meetings-at-the-state-department/index.html",
        "site/tags/imf/index.html:1: error: the page has no <title>",
    }


def test_relative_links_resolve_against_the_page(site_root):
    site = _built(site_root)
    page = site / "about" / "index.html"
    html = page.read_text("utf-8").replace(
        "</main>", '<a href="../articles/deuda-y-fmi/#why">ok</a><a href="../static/missing.css">bad</a></main>', 1)
    page.write_text(html, "utf-8")
    result = run_cli("check", "--site", "--root", site_root)
    errors = _diagnostics(result.stderr, "error")
    assert len(errors) == 1 and "broken link '../static/missing.css': no such file in the site" in errors[0]
    assert errors[0].startswith("site/about/index.html:")


def test_absolute_canonical_links_into_the_site_are_checked(site_root):
    site = _built(site_root)
    page = site / "about" / "index.html"
    html = page.read_text("utf-8")
    assert '<link rel="canonical" href="https://fixture.example.org/about/">' in html
    page.write_text(html.replace('href="https://fixture.example.org/about/"', 'href="https://fixture.example.org/abut/"'),
                    "utf-8")
    errors = _diagnostics(run_cli("check", "--site", "--root", site_root).stderr, "error")
    assert len(errors) == 1
    assert errors[0].startswith("site/about/index.html:")
    assert errors[0].endswith("error: broken link 'https://fixture.example.org/abut/': no such page in the site")


def test_feeds_that_do_not_parse_are_reported(site_root):
    site = _built(site_root)
    rss = site / "topics" / "economy" / "feed.xml"
    rss.write_bytes(rss.read_bytes().replace(b"</channel>", b"", 1))
    atom = site / "atom.xml"
    atom.write_bytes(atom.read_bytes().replace(b"<feed", b"<feed><title>&nbsp;</title", 1))
    (site / "feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [', "utf-8")

    result = run_cli("check", "--site", "--root", site_root)

    assert result.returncode == 1
    errors = _diagnostics(result.stderr, "error")
    assert [e.split(":", 1)[0] for e in errors] == ["site/atom.xml", "site/feed.json", "site/topics/economy/feed.xml"]
    assert "not valid JSON" in errors[1]
    assert "not well-formed XML" in errors[2]


def test_out_option_checks_another_folder(site_root, tmp_path):
    build_fixture(site_root, out=tmp_path / "public")
    assert run_cli("check", "--site", "--root", site_root).returncode == 1  # site/ was never built
    result = run_cli("check", "--site", "--out", tmp_path / "public", "--root", site_root)
    assert result.returncode == 0, result.stderr


def test_missing_site_is_an_error(site_root):
    result = run_cli("check", "--site", "--root", site_root)
    assert result.returncode == 1
    assert "site/: error: no built site at site/" in result.stderr
    assert "milei-watch build" in result.stderr
