"""Built sites shared by the standards, feed, metadata and browser tests: each built once per test run."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import re
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "fixtures" / "sites"
# A fixed clock after every shipped article (the last English one is dated 1 December 2026, 10:30, the
# last Spanish one 11:57), so that the shipped site builds the same on any day.
SHIPPED_NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))


@functools.cache
def _workspace() -> Path:
    """One temporary folder for every site built in this process, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="milei-watch-sites-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _set_setting(config: Path, key: str, value: str) -> None:
    """Replace (or add) one top-level `key: value` line of site.yaml."""
    text = config.read_text("utf-8")
    line = f"{key}: {value}"
    text, count = re.subn(rf"(?m)^{key}:.*$", line, text)
    config.write_text(text if count else f"{line}\n{text}", "utf-8")


@functools.cache
def built_site(name: str = "basic", base_url: str | None = None, search: bool | None = None) -> Path:
    """The output folder of fixture site `name` ('shipped' for the repository's content) built with the
    repository's templates, optionally with another base_url or search setting, with a fixed clock."""
    from milei_watch.build import build
    from milei_watch.config import load_config

    from tests.conftest import FIXED_NOW

    variant = [name]
    if base_url is not None:
        variant.append(re.sub(r"\W+", "_", base_url))
    if search is not None:
        variant.append("search" if search else "nosearch")
    project = _workspace() / "-".join(variant)
    content = ROOT / "content" if name == "shipped" else SITES / name / "content"
    shutil.copytree(content, project / "content")
    shutil.copytree(ROOT / "templates", project / "templates")
    config_path = project / "content" / "site.yaml"
    if base_url is not None:
        _set_setting(config_path, "base_url", base_url)
    if search is not None:
        _set_setting(config_path, "search", "true" if search else "false")
    config = load_config(project)
    build(config, now=SHIPPED_NOW if name == "shipped" else FIXED_NOW)
    return config.output_dir


def shipped_site() -> Path:
    """The shipped content built as `milei-watch build` would (search index included)."""
    return built_site("shipped")


def html_files(site: Path) -> list[Path]:
    """Every HTML page of a built site, without Pagefind's own assets."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def page_name(site: Path, path: Path) -> str:
    """A page's path under site/, for messages."""
    return path.relative_to(site).as_posix()
