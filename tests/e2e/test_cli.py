"""The command line as people meet it: help, version, exit codes and the build's one summary line."""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from milei_watch import __version__
from milei_watch.progress import MIN_PAGES, Progress
from tests.conftest import FIXED_NOW, run_cli

COMMANDS = ("build", "check", "serve", "new", "publish", "ingest", "init", "theme")
SUMMARY = re.compile(r"^built \d+ pages: \d+ written, \d+ unchanged, \d+ removed in \d+\.\d\d s$")
NOW = FIXED_NOW.isoformat()


def test_version_names_the_package():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"milei-watch {__version__}"


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: milei-watch {command}")
    assert ("--root" in result.stdout) == (command != "init")  # init makes the project folder it is given


def test_ingest_without_a_feed_list_is_a_usage_error(site_root):
    result = run_cli("ingest", "--root", site_root)
    assert result.returncode == 2
    assert result.stderr.startswith("content/feeds.yaml: error: no feed list to ingest")
    assert not (site_root / "content" / "inbox").exists()


def test_no_command_prints_help_and_is_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert "usage: milei-watch" in result.stdout


@pytest.mark.parametrize("args", [("publish",), ("build", "--no-such-option"), ("new",), ("new", "Title"),
                                  ("serve", "--port", "eighty")])
def test_bad_command_lines_exit_2(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert "usage: milei-watch" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_prints_one_summary_line_when_not_a_terminal(site_root):
    result = run_cli("build", "--root", site_root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert SUMMARY.match(lines[0]), lines
    assert lines[1:] == ["next scheduled: 2026-12-01 09:00 -03:00 content/articles/scheduled.md",
                         f"the site is in {site_root / 'site'}/"]
    assert result.stderr == ""  # no progress bar, no chatter


def test_build_ends_with_where_the_site_is_relative_to_the_current_folder(site_root, tmp_path):
    result = run_cli("build", "--now", NOW, cwd=site_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "the site is in site/"
    elsewhere = run_cli("build", "--now", NOW, "--out", tmp_path / "public", cwd=site_root)
    assert elsewhere.stdout.splitlines()[-1] == f"the site is in {tmp_path / 'public'}/"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_build_on_a_terminal_says_how_to_preview_the_site(site_root):
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "milei_watch", "build", "--now", NOW, "--drafts"],
                                   cwd=site_root, stdout=terminal, stderr=subprocess.DEVNULL)
        os.close(terminal)
        seen = _read_all(controller)
        process.wait(timeout=60)
    finally:
        os.close(controller)
    lines = seen.decode().splitlines()
    assert process.returncode == 0
    assert lines[-2:] == [
        "the site is in site/",
        "preview it with: milei-watch serve --drafts  (opened from disk, site/index.html shows no styles: "
        "its links start at the site's root)"], lines


def _read_all(controller: int) -> bytes:
    """Everything written to a pseudo-terminal until its other end closes."""
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            return seen
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the process exits
            return seen
        if not chunk:
            return seen
        seen += chunk


def test_second_build_writes_nothing(site_root):
    run_cli("build", "--root", site_root, "--now", NOW)
    result = run_cli("build", "--root", site_root, "--now", NOW)
    assert re.match(r"built (\d+) pages: 0 written, \1 unchanged, 0 removed in ", result.stdout)


def test_a_build_ending_its_process_leaves_its_objects_unfreed_and_out_of_the_collectors_reach(site_root):
    import gc

    from milei_watch import cli
    from milei_watch.build import build, collector_paused
    from milei_watch.config import load_config
    from milei_watch.model import Site

    kept: list = []
    assert gc.isenabled()
    try:
        with collector_paused(exiting=True):
            assert not gc.isenabled()
            build(load_config(site_root), now=FIXED_NOW, keep=kept)
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert any(isinstance(item, Site) for part in kept if isinstance(part, tuple) for item in part)
    # Called in-process (as here and by serve), the command keeps nothing: its objects are freed.
    assert cli.main(["build", "--root", str(site_root), "--now", NOW, "--quiet"]) == 0
    assert cli._EXITING == []


def test_quiet_build_prints_nothing(site_root):
    result = run_cli("build", "--root", site_root, "--now", NOW, "--quiet")
    assert result.returncode == 0
    assert (result.stdout, result.stderr) == ("", "")
    assert (site_root / "site" / "index.html").is_file()


def test_verbose_build_lists_written_and_removed_files(site_root):
    first = run_cli("build", "--root", site_root, "--now", NOW, "--verbose")
    assert "wrote articles/deuda-y-fmi/index.html" in first.stdout.splitlines()
    assert "wrote index.html" in first.stdout.splitlines()
    (site_root / "content" / "articles" / "china-russia.md").unlink()

    second = run_cli("build", "--root", site_root, "--now", NOW, "--verbose")

    lines = second.stdout.splitlines()
    assert "removed articles/china-russia-and-the-region/index.html" in lines
    assert "removed tags/china/index.html" in lines
    assert "wrote index.html" in lines
    assert "wrote articles/deuda-y-fmi/index.html" not in lines
    assert any(SUMMARY.match(line) for line in lines)


def test_quiet_and_verbose_together_is_a_usage_error(site_root):
    assert run_cli("build", "--root", site_root, "--quiet", "--verbose").returncode == 2


def test_content_error_exits_1_and_config_error_exits_2(site_root):
    article = site_root / "content" / "articles" / "china-russia.md"
    article.write_text(article.read_text("utf-8").replace("topics: [regional]", "topics: [regionl]"), "utf-8")
    content = run_cli("build", "--root", site_root)
    assert content.returncode == 1
    assert "content/articles/china-russia.md:4: error: unknown topic 'regionl'" in content.stderr

    config = site_root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("per_page:", "perpage:"), "utf-8")
    setup = run_cli("build", "--root", site_root)
    assert setup.returncode == 2
    assert "content/site.yaml:7: error: unknown setting 'perpage'" in setup.stderr


# --- the progress bar ---------------------------------------------------------------------------


def test_progress_bar_shows_for_long_builds_only():
    stream = io.StringIO()
    with Progress(enabled=True, stream=stream) as bar:
        bar.start(MIN_PAGES)
        bar.advance(MIN_PAGES)
    assert "rendering" in stream.getvalue() and f"/{MIN_PAGES} [" in stream.getvalue()

    for enabled, total in ((True, MIN_PAGES - 1), (False, MIN_PAGES * 5)):
        quiet = io.StringIO()
        with Progress(enabled=enabled, stream=quiet) as bar:
            bar.start(total)
            bar.advance(total)
        assert quiet.getvalue() == ""


def _many_articles(root: Path, count: int) -> None:
    folder = root / "content" / "articles"
    topics = ("economy", "debt-imf", "diplomacy", "regional")
    for number in range(count):
        (folder / f"bulk-{number:03d}.md").write_text(
            f"---\ntitle: Artículo {number}\ndate: 2026-01-{number % 28 + 1:02d}\ntopics: [{topics[number % 4]}]\n"
            f"summary: Bulk article {number}.\ntags: [bulk-{number % 7}]\n---\nBody {number}.\n", "utf-8")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_build_on_a_terminal_shows_a_progress_bar(site_root):
    import fcntl
    import struct
    import termios

    _many_articles(site_root, 120)  # per_page is 2 in the fixture: well over MIN_PAGES pages
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    try:
        process = subprocess.Popen([sys.executable, "-m", "milei_watch", "build", "--root", str(site_root),
                                    "--now", NOW], stdout=subprocess.PIPE, stderr=terminal, text=True)
        os.close(terminal)
        seen = b""
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closes when the build exits
                break
            if not chunk:
                break
            seen += chunk
        stdout, _ = process.communicate(timeout=60)
    finally:
        os.close(controller)
    assert process.returncode == 0
    assert b"rendering:" in seen and b"page" in seen, seen[-500:]
    assert SUMMARY.match(stdout.splitlines()[0])
