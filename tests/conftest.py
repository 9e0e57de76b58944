"""Shared test helpers: fixture sites copied with the real theme, a fixed clock, CLI runs and tree snapshots."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
FIXED_NOW = dt.datetime(2026, 2, 25, 12, 0, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))


def copy_site(destination: Path, name: str = "basic") -> Path:
    """A project folder at `destination` with a fixture site's content and the repository's templates."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "sites" / name / "content", destination / "content")
    shutil.copytree(REPO / "templates", destination / "templates")
    return destination


def copy_shipped(destination: Path) -> Path:
    """A project folder with the shipped content and templates."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", destination / "content")
    shutil.copytree(REPO / "templates", destination / "templates")
    return destination


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_cli(*args: str | Path, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `python -m milei_watch` as an editor would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "milei_watch", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def build_fixture(root: Path, **options):
    """Build a project folder in-process with the fixed clock."""
    from milei_watch.build import build
    from milei_watch.config import load_config

    out = options.pop("out", None)
    return build(load_config(root, out), now=options.pop("now", FIXED_NOW), **options)


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A fresh copy of the basic fixture site."""
    return copy_site(tmp_path / "project")


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The children forked during a test (their process ids), for the pure steps shared with a
    forked child (milei_watch.forked)."""
    import os

    children: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return children


def reaped(pid: int) -> bool:
    """True when the child is gone and waited for: nothing is left of it."""
    import os

    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
