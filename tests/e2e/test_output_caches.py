"""Builds into other folders (--out), or with --drafts or --future, never cost site/ its build cache."""

from __future__ import annotations

import re
import time

from milei_watch import state
from tests.conftest import build_fixture, run_cli, snapshot

NOW = "2026-02-25T12:00:00-03:00"


def test_builds_elsewhere_leave_the_main_build_with_nothing_to_do(site_root, tmp_path):
    first = build_fixture(site_root)
    site = snapshot(site_root / "site")

    build_fixture(site_root, out=tmp_path / "public")
    build_fixture(site_root, out=tmp_path / "preview", drafts=True)
    build_fixture(site_root, out=tmp_path / "later", future=True)
    again = build_fixture(site_root)

    assert (again.mode, again.rendered, again.written, again.notes) == ("unchanged", 0, (), ())
    assert again.pages == first.pages
    assert snapshot(site_root / "site") == site
    # and each other folder kept its own cache: building there again has nothing to do either
    assert build_fixture(site_root, out=tmp_path / "preview", drafts=True).mode == "unchanged"
    assert (tmp_path / "preview" / "articles" / "draft-notes" / "index.html").is_file()


def test_the_command_line_says_nothing_of_a_cache_from_another_folder(site_root, tmp_path):
    assert run_cli("build", "--root", site_root, "--now", NOW).returncode == 0
    other = run_cli("build", "--root", site_root, "--now", NOW, "--drafts", "--out", tmp_path / "preview")
    assert other.returncode == 0 and other.stderr == ""
    plain = run_cli("build", "--root", site_root, "--now", NOW)
    assert plain.stderr == ""  # no "build cache is from another version or output folder; building everything"
    assert re.match(r"built (\d+) pages: 0 written, \1 unchanged, 0 removed in ", plain.stdout), plain.stdout


def test_drafts_into_site_and_back_render_only_the_pages_that_differ(site_root):
    first = build_fixture(site_root)
    with_drafts = build_fixture(site_root, drafts=True)
    assert (site_root / "site" / "articles" / "draft-notes" / "index.html").is_file()
    back = build_fixture(site_root)

    # one cache for one folder: it knows what both generations of site/ hold, so neither switch starts over
    assert with_drafts.notes == () and back.notes == ()
    assert 0 < back.rendered < first.rendered
    assert not (site_root / "site" / "articles" / "draft-notes").exists()
    assert back.pages == first.pages


def test_other_folders_caches_are_bounded_least_recently_used_first(site_root, tmp_path):
    build_fixture(site_root)
    outs = [tmp_path / f"out-{number}" for number in range(state.OUTPUT_CACHES + 2)]
    for out in outs[:state.OUTPUT_CACHES]:
        build_fixture(site_root, out=out)
        time.sleep(0.01)  # distinct times of use, whatever the file system's resolution
    build_fixture(site_root, out=outs[0])  # the oldest folder is used again
    for out in outs[state.OUTPUT_CACHES:]:
        time.sleep(0.01)
        build_fixture(site_root, out=out)

    kept = sorted(path.name for path in (site_root / ".milei_watch" / "outputs").iterdir())
    assert len(kept) == state.OUTPUT_CACHES
    assert _cache(site_root, outs[0]).name in kept and _cache(site_root, outs[-1]).name in kept
    assert _cache(site_root, outs[1]).name not in kept and _cache(site_root, outs[2]).name not in kept
    assert build_fixture(site_root).mode == "unchanged"  # site/'s own cache is never dropped
    assert build_fixture(site_root, out=outs[1]).notes == ()  # a dropped cache is simply made again
    assert build_fixture(site_root, out=outs[1]).mode == "unchanged"


def _cache(root, out):
    from milei_watch.config import load_config

    return load_config(root, out).cache_dir
