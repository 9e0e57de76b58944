"""Whole builds: deterministic bytes, and drafts and future articles only on request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import build_fixture, copy_site, run_cli, snapshot

DRAFT = "articles/draft-notes/index.html"
SCHEDULED = "articles/scheduled-piece/index.html"


def _feed_ids(site: Path) -> list[str]:
    return [item["id"] for item in json.loads((site / "feed.json").read_text("utf-8"))["items"]]


def test_two_full_builds_in_different_folders_are_byte_identical(tmp_path):
    # Different project paths and output folders: nothing of the build machine leaks into the bytes.
    one = copy_site(tmp_path / "first" / "project")
    two = copy_site(tmp_path / "second" / "elsewhere")
    build_fixture(one, out=tmp_path / "out-a", full=True)
    build_fixture(two, out=tmp_path / "out-b", full=True)
    first, second = snapshot(tmp_path / "out-a"), snapshot(tmp_path / "out-b")
    assert len(first) > 40
    assert first.keys() == second.keys()
    assert [rel for rel in first if first[rel] != second[rel]] == []
    for rel, data in first.items():
        assert str(tmp_path).encode() not in data, rel


def test_drafts_and_future_articles_are_left_out_by_default(site_root):
    report = build_fixture(site_root)
    site = site_root / "site"
    assert not (site / DRAFT).exists()
    assert not (site / SCHEDULED).exists()
    assert report.drafts_skipped == 1
    assert report.articles == 4
    ids = _feed_ids(site)
    assert not any("draft-notes" in i or "scheduled-piece" in i for i in ids)
    assert not any("draft-notes" in path.read_text("utf-8") for path in (site / "sitemaps").iterdir())


def test_drafts_option_includes_drafts_only(site_root):
    build_fixture(site_root, drafts=True)
    site = site_root / "site"
    assert (site / DRAFT).is_file()
    assert not (site / SCHEDULED).exists()
    assert "https://fixture.example.org/articles/draft-notes/" in _feed_ids(site)


def test_future_option_includes_scheduled_articles_only(site_root):
    report = build_fixture(site_root, future=True)
    site = site_root / "site"
    assert (site / SCHEDULED).is_file()
    assert not (site / DRAFT).exists()
    assert _feed_ids(site)[0] == "https://fixture.example.org/articles/scheduled-piece/"
    assert report.next_scheduled is None


def test_leaving_drafts_out_again_removes_their_pages(site_root):
    build_fixture(site_root, drafts=True)
    report = build_fixture(site_root)
    assert DRAFT in report.removed
    assert not (site_root / "site" / "articles" / "draft-notes").exists()


def test_cli_build_reports_summary_and_next_scheduled(site_root):
    result = run_cli("build", "--root", site_root, "--now", "2026-02-25T12:00:00-03:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("built ") and " pages: " in lines[0]
    assert lines[1] == "next scheduled: 2026-12-01 09:00 -03:00 content/articles/scheduled.md"


def test_second_build_writes_nothing(site_root):
    build_fixture(site_root)
    before = snapshot(site_root / "site")
    report = build_fixture(site_root)
    assert report.written == () and report.removed == ()
    assert snapshot(site_root / "site") == before


def test_a_search_index_that_cannot_be_made_fails_the_build_and_keeps_the_old_index(site_root, monkeypatch):
    import sys

    import pytest

    from milei_watch.errors import BuildError

    config = site_root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("search: false", "search: true"), "utf-8")
    build_fixture(site_root)
    article = site_root / "content" / "articles" / "deuda-y-fmi.md"
    article.write_text(article.read_text("utf-8") + "\nA closing line.\n", "utf-8")
    assert build_fixture(site_root).mode == "bodies"  # so the failure below happens on that path too
    index = site_root / "site" / "pagefind"
    assert (index / "pagefind.js").is_file()
    before = snapshot(index)

    broken = site_root / "broken-python"
    broken.write_text("#!/bin/sh\necho 'Error: pagefind could not read the site' >&2\nexit 3\n", "utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(broken))
    article.write_text(article.read_text("utf-8") + "\nA new closing line.\n", "utf-8")
    with pytest.raises(BuildError) as failure:
        build_fixture(site_root)
    [problem] = failure.value.diagnostics
    assert problem.format().startswith(
        "site/pagefind: error: the search index could not be made: Error: pagefind could not read the site")
    assert snapshot(index) == before  # readers keep the previous, whole index

    monkeypatch.undo()
    build_fixture(site_root)  # the next build tries again, and the index covers the new line
    assert snapshot(index) != before and (index / "pagefind.js").is_file()
    assert not list((site_root / ".milei_watch").glob("pagefind-new*"))
