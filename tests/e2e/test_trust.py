"""A build readers can trust: the site changes in one step or not at all, whatever stops the build,
and the next build is always right."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from benchmarks.bench_build import make_corpus
from tests.conftest import FIXED_NOW, build_fixture, copy_site, reaped, snapshot
from tests.support.building import build_project


def _cli(project: Path, *extra: str, env: dict | None = None, cwd: Path | None = None,
         preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "milei_watch", "build", "--root", str(project),
                           "--now", FIXED_NOW.isoformat(), *extra], capture_output=True, text=True, timeout=300,
                          env=env, cwd=cwd, preexec_fn=preexec)


def _clean(project: Path, scratch: Path) -> dict[str, bytes]:
    """What a build of a copy of `project`, from nothing and with no cache, produces."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for folder in ("content", "templates"):
        shutil.copytree(project / folder, scratch / folder)
    build_fixture(scratch)
    return snapshot(scratch / "site")


def _pages(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A site without its search index (Pagefind's output is checked on its own)."""
    return {rel: data for rel, data in tree.items() if not rel.startswith("pagefind/")}


def _set_search(project: Path, on: bool) -> None:
    config = project / "content" / "site.yaml"
    text = config.read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("search:")]
    config.write_text("\n".join(lines + [f"search: {'true' if on else 'false'}"]) + "\n", "utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one_whole(tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_corpus(project, 120)
    build_fixture(project)
    started = time.monotonic()
    assert _cli(project, "--full").returncode == 0
    duration = time.monotonic() - started
    points = 14
    for step in range(points):
        # Each step changes every page (a template edit), so the build renders, swaps and records it all.
        _edit(project / "templates" / "base.html", "<footer", f"<footer data-step=\"{step}\"")
        old = snapshot(project / "site")
        new = _clean(project, tmp_path / "clean")
        process = subprocess.Popen(
            [sys.executable, "-m", "milei_watch", "build", "--root", str(project), "--now", FIXED_NOW.isoformat(),
             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(duration * (step + 0.5) / points)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        now = snapshot(project / "site")
        assert now == old or now == new, f"step {step}: the site is a mix of two builds"
        build_fixture(project)
        assert snapshot(project / "site") == new, f"step {step}: the build after the kill is wrong"
        _edit(project / "templates" / "base.html", f"<footer data-step=\"{step}\"", "<footer")


def test_a_failed_search_stage_keeps_the_old_site_and_the_next_build_is_right(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    _set_search(project, True)
    assert _cli(project).returncode == 0
    old = snapshot(project / "site")
    article = project / "content" / "articles" / "deuda-y-fmi.md"
    original = article.read_bytes()
    _edit(article, "Because the **board** votes.", "Because the **board** votes on every loan.")
    failing = dict(os.environ, PAGEFIND_BINARY_PATH=shutil.which("false") or "/bin/false")
    result = _cli(project, env=failing)
    assert result.returncode == 1 and "search index could not be made" in result.stderr, result.stderr
    assert snapshot(project / "site") == old
    # The editor reverts the edit: the site must be the old one, not a mix the cache believes in.
    article.write_bytes(original)
    assert _cli(project).returncode == 0
    assert _pages(snapshot(project / "site")) == _pages(_clean(project, tmp_path / "clean"))


def _small_files_only() -> None:
    """A disk that fills up: any file over 6 kB cannot be written (the write fails, as with ENOSPC)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))


def test_a_full_disk_keeps_the_old_site_and_the_next_build_is_right(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    assert _cli(project).returncode == 0
    old = snapshot(project / "site")
    article = project / "content" / "articles" / "deuda-y-fmi.md"
    original = article.read_bytes()
    _edit(article, "title: Deuda y FMI", "title: Deuda, bonos y FMI")
    result = _cli(project, preexec=_small_files_only)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "File too large" in result.stderr or "No space" in result.stderr, result.stderr
    assert snapshot(project / "site") == old
    article.write_bytes(original)
    assert _cli(project).returncode == 0
    assert snapshot(project / "site") == _clean(project, tmp_path / "clean")


def _indexed_pages(site: Path) -> int:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def test_two_builds_at_once_take_turns_and_leave_a_whole_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_corpus(project, 60)
    _set_search(project, True)
    assert _cli(project).returncode == 0
    _edit(project / "templates" / "base.html", "<footer", "<footer data-edited")
    processes = [subprocess.Popen([sys.executable, "-m", "milei_watch", "build", "--root", str(project),
                                   "--now", FIXED_NOW.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    results = [process.communicate(timeout=300) + (process.returncode,) for process in processes]
    assert all(code == 0 for _out, _err, code in results), results
    assert any("another build of this project is running" in err for _out, err, _code in results), results
    clean = _clean(project, tmp_path / "clean")
    assert _pages(snapshot(project / "site")) == _pages(clean)
    assert _indexed_pages(project / "site") == _indexed_pages(tmp_path / "clean" / "site") > 40


def test_serve_and_build_never_share_a_build(tmp_path: Path) -> None:
    """A rebuild in another thread of the same process (as serve's) waits for the build holding the lock."""
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    _edit(project / "templates" / "base.html", "<footer", "<footer data-edited")
    order: list[str] = []

    def slow_start(total: int) -> None:
        order.append("first renders")
        time.sleep(0.5)

    first = threading.Thread(target=lambda: build_fixture(project, on_total=slow_start))
    first.start()
    time.sleep(0.1)
    build_fixture(project, log=lambda line: order.append("second waits"))
    first.join()
    assert order[:2] == ["first renders", "second waits"], order
    assert snapshot(project / "site") == _clean(project, tmp_path / "clean")


@pytest.mark.parametrize("idle", ["kept", "lost"])
@pytest.mark.parametrize("aside", [False, True], ids=["here", "aside"])
@pytest.mark.parametrize("victim", ["articles/deuda-y-fmi/index.html", "static/style.css", "feed.xml"])
def test_a_file_deleted_from_the_site_is_written_again(tmp_path: Path, monkeypatch, forks, victim: str,
                                                       aside: bool, idle: str) -> None:
    from milei_watch import build, publish
    from milei_watch.config import load_config

    project = copy_site(tmp_path / "project")
    build_fixture(project)
    # A second build, of an edit, leaves the first build's site as the idle tree, on record.
    _edit(project / "content" / "articles" / "deuda-y-fmi.md", "summary: Restructuring", "summary: Long restructuring")
    build_fixture(project)
    expected = snapshot(project / "site")
    (project / "site" / victim).unlink()
    if idle == "lost":  # the build makes the idle tree again, as a copy of the site as it now is
        config = load_config(project)
        shutil.rmtree(publish.idle_path(config.output_dir, config.cache_dir))
    if aside:  # found missing by the forked child a large site's build starts while it plans
        monkeypatch.setattr(build, "ASIDE_THRESHOLD", 0)
    report = build_fixture(project, jobs=2)
    assert len(forks) == int(aside) and all(reaped(pid) for pid in forks)
    assert victim in report.written
    assert snapshot(project / "site") == expected
    # And in the build after that, which turns the other tree into the site.
    _edit(project / "content" / "articles" / "deuda-y-fmi.md", "title: Deuda y FMI", "title: Deuda y el FMI")
    build_fixture(project)
    assert snapshot(project / "site") == _clean(project, tmp_path / "clean")


@pytest.mark.parametrize("child", ["slow", "killed"])
def test_pages_rendered_while_the_aside_child_keys_the_articles_make_the_site_of_a_clean_build(
        tmp_path: Path, monkeypatch, forks, child: str) -> None:
    from milei_watch import build, plan, render

    project = copy_site(tmp_path / "project")
    build_fixture(project)
    (project / "site" / "topics" / "economy" / "index.html").unlink()  # gone: rendered again, its key unchanged
    _edit(project / "content" / "articles" / "deuda-y-fmi.md", "title: Deuda y FMI", "title: Deuda y el FMI")
    monkeypatch.setattr(build, "ASIDE_THRESHOLD", 0)
    parent, planned = os.getpid(), plan.shared_pages

    def shared_pages(site, related):
        if os.getpid() != parent:  # the child: slow, or killed before it answers
            time.sleep(1)
            if child == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
        return planned(site, related)

    monkeypatch.setattr(plan, "shared_pages", shared_pages)
    early = []
    render_while = render.render_while

    def spied(renderer, indices, busy):
        done, changed = render_while(renderer, indices, busy)
        early.extend(renderer.jobs[i].output for i in done)
        return done, changed

    monkeypatch.setattr(render, "render_while", spied)
    report = build_fixture(project, jobs=2)
    assert len(forks) == 1 and reaped(forks[0])
    # The home page and the listings show the new title: rendered while the child was at work.
    assert {"index.html", "topics/debt-imf/index.html", "archive/index.html"} <= set(early)
    assert not any(output.startswith(("articles/", "tags/imf/")) for output in early)  # the child's to key
    assert "topics/economy/index.html" not in early  # known to be gone only from the child's answer
    assert {"index.html", "tags/imf/index.html", "topics/economy/index.html"} <= set(report.written)
    assert any(output.startswith("articles/") for output in report.written)
    assert snapshot(project / "site") == _clean(project, tmp_path / "clean")


def test_a_deleted_search_index_is_made_again(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    _set_search(project, True)
    build_fixture(project)
    expected = snapshot(project / "site")
    shutil.rmtree(project / "site" / "pagefind")
    build_fixture(project)
    assert snapshot(project / "site") == expected


def test_a_save_during_the_build_is_never_cached_as_the_old_text(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_project(project, FIXED_NOW)
    article = project / "content" / "articles" / "deuda-y-fmi.md"
    original = article.read_bytes()
    # A change to the front matter sends the build down the general path, which reports its progress.
    edited = original.replace(b"summary: Restructuring talks", b"summary: Long restructuring talks")
    saved = edited.replace(b"Because the **board** votes.", b"Because the **board** votes: SAVED MID-BUILD.")
    article.write_bytes(edited)
    build_project(project, FIXED_NOW, while_rendering=lambda: article.write_bytes(saved))
    page = project / "site" / "articles" / "deuda-y-fmi" / "index.html"
    # The build rendered the text it validated, or nothing at all: never the one saved after it read.
    assert b"SAVED MID-BUILD" not in page.read_bytes()
    build_project(project, FIXED_NOW)
    assert b"SAVED MID-BUILD" in page.read_bytes()
    article.write_bytes(edited)  # the editor undoes the save
    build_project(project, FIXED_NOW)
    assert b"SAVED MID-BUILD" not in page.read_bytes()
    assert snapshot(project / "site") == _clean(project, tmp_path / "clean")


def test_a_pagefind_module_in_the_working_folder_is_never_run(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    _set_search(project, True)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    witness = tmp_path / "ran"
    (elsewhere / "pagefind.py").write_text(f"open({str(witness)!r}, 'w').write('ran')\n", "utf-8")
    # The folder is both the working folder and on PYTHONPATH: neither may reach Pagefind's import path.
    paths = [str(elsewhere)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    result = _cli(project, env=dict(os.environ, PYTHONPATH=os.pathsep.join(paths)), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert not witness.exists()
    assert (project / "site" / "pagefind" / "pagefind.js").is_file()


@pytest.mark.parametrize("full", [False, True])
def test_a_base_url_change_leaves_no_link_to_the_old_path(tmp_path: Path, full: bool) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    config = project / "content" / "site.yaml"
    text = config.read_text("utf-8")
    base = next(line for line in text.splitlines() if line.startswith("base_url:"))
    config.write_text(text.replace(base, "base_url: https://example.org/sub/"), "utf-8")
    build_fixture(project, full=full)
    built = snapshot(project / "site")
    assert not [rel for rel, data in built.items() if rel.endswith(".html") and b'href="/static/' in data]
    assert built == _clean(project, tmp_path / "clean")


def _feeds(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in tree.items() if rel.endswith(("feed.xml", "atom.xml", "feed.json"))}


def test_a_draft_never_reaches_a_feed_through_a_later_body_edit(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    article = project / "content" / "articles" / "china-russia.md"
    _edit(article, "tags: [china]", "tags: [china]\ndraft: true")
    build_fixture(project)
    _edit(article, "\n---\n", "\n---\nA DRAFT PARAGRAPH THAT MUST STAY PRIVATE.\n\n")
    build_fixture(project)
    built = snapshot(project / "site")
    assert not [rel for rel, data in built.items() if b"DRAFT PARAGRAPH" in data]
    assert _feeds(built) == _feeds(_clean(project, tmp_path / "clean"))


def test_a_moved_article_stays_out_of_its_old_topic_after_a_body_edit_and_a_touch(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    article = project / "content" / "articles" / "state-department.md"
    _edit(article, "topics: [diplomacy]", "topics: [economy]")
    build_fixture(project)
    _edit(article, "\n---\n", "\n---\nAn added opening line.\n\n")
    build_fixture(project)
    for path in (project / "content" / "articles").iterdir():
        os.utime(path)
    build_fixture(project)
    assert _feeds(snapshot(project / "site")) == _feeds(_clean(project, tmp_path / "clean"))


def test_a_template_error_in_a_render_worker_stops_the_build_with_its_message(tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_corpus(project, 160)
    _edit(project / "templates" / "article.html", "{{ a.title }}", "{{ a.no_such_field }}")
    result = _cli(project, "--jobs", "2")
    assert result.returncode == 1, result.stderr
    assert "templates/article.html" in result.stderr and "no_such_field" in result.stderr, result.stderr
    assert not (project / "site").exists()


def test_a_page_rendered_again_with_the_same_bytes_keeps_its_modification_time(tmp_path: Path) -> None:
    project = copy_site(tmp_path / "project")
    build_fixture(project)
    # The page changes in one build, so the other generation of the site holds its older bytes.
    _edit(project / "content" / "articles" / "deuda-y-fmi.md", "summary: Restructuring talks",
          "summary: Long restructuring talks")
    build_fixture(project)
    page = project / "site" / "articles" / "deuda-y-fmi" / "index.html"
    before, held = page.stat(), page.read_bytes()
    for step in range(3):  # a template edit that changes no page, then two more builds
        _edit(project / "templates" / "base.html", "<footer", f"{{# edit {step} #}}<footer")
        report = build_fixture(project)
        assert report.rendered > 0 and report.written == ()
        after = page.stat()
        # Either generation's copy, as the swaps alternate them: the same bytes and times (rsync
        # and CDNs see no change), the file written no more than its own copy in the idle tree.
        assert after.st_mtime_ns == before.st_mtime_ns, f"build {step}"
        assert page.read_bytes() == held, f"build {step}"
