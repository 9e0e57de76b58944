"""The package as people install it: the built wheel carries the theme, and in an empty folder
`milei-watch init demo && cd demo && milei-watch build` makes a valid site."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, snapshot
from tests.support.sites import html_files
from tests.support.tools import missing
from tests.support.vnu import validate_html

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
# What pip prints when it cannot reach a package index for the wheel's dependencies.
OFFLINE = ("No matching distribution found", "Could not find a version", "Failed to establish a new connection",
           "Network is unreachable", "Temporary failure in name resolution")
MARK = "# the project's own robots.txt\n"


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of what the repository tracks for the package, as a release would."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", symlinks=True, ignore=ignore)  # src/milei_watch/theme stays a link
    shutil.copytree(REPO / "templates", source / "templates", ignore=ignore)
    assert (source / "src" / "milei_watch" / "theme").is_symlink()
    dist = tmp_path / "dist"
    if importlib.util.find_spec("build") is not None:
        command = [sys.executable, "-m", "build", "--wheel", "--outdir", dist, source]
    else:  # pip alone: an isolated build with the build-system requirements of pyproject.toml
        command = [sys.executable, "-m", "pip", "wheel", source, "-w", dist, "--no-deps"]
    result = _run(*command, cwd=tmp_path)
    if result.returncode != 0 and any(text in result.stdout + result.stderr for text in OFFLINE):
        missing("a package index to build the wheel from (setuptools)", "network access to PyPI")
    _ok(result)
    wheels = list(dist.glob("milei_watch-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_installed_wheel_starts_a_site_that_builds_valid_and_takes_overrides(tmp_path):
    wheel = _wheel(tmp_path)

    # The theme is inside the wheel, file for file the repository's templates/, as files (not a link).
    with zipfile.ZipFile(wheel) as archive:
        packaged = {name.removeprefix("milei_watch/theme/"): archive.read(name)
                    for name in archive.namelist() if name.startswith("milei_watch/theme/")}
    templates = {p.relative_to(REPO / "templates").as_posix(): p.read_bytes()
                 for p in (REPO / "templates").rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert packaged == templates

    # A fresh virtual environment, away from this checkout, with the wheel and its dependencies from the index.
    env_dir = tmp_path / "env"
    _ok(_run(sys.executable, "-m", "venv", env_dir, cwd=tmp_path))
    bin_dir = env_dir / "bin"
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    environment["PATH"] = f"{bin_dir}{os.pathsep}{environment.get('PATH', '')}"
    installed = _run(bin_dir / "python", "-m", "pip", "install", wheel, cwd=tmp_path, env=environment)
    if installed.returncode != 0 and any(text in installed.stdout + installed.stderr for text in OFFLINE):
        missing("a package index for the wheel's dependencies", "network access to PyPI")
    _ok(installed)
    where = _ok(_run(bin_dir / "python", "-c", "import milei_watch; print(milei_watch.__file__)", cwd=tmp_path,
                     env=environment)).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where

    empty = tmp_path / "empty"
    empty.mkdir()
    _ok(_run(bin_dir / "milei-watch", "init", "demo", cwd=empty, env=environment))
    demo = empty / "demo"
    built = _ok(_run(bin_dir / "milei-watch", "build", cwd=demo, env=environment))
    assert built.stdout.splitlines()[-1] == "the site is in site/"
    assert not (demo / "templates").exists()
    site = demo / "site"
    pages = html_files(site)
    assert len(pages) >= 10 and (site / "static" / "style.css").is_file() and (site / "pagefind").is_dir()
    assert validate_html(pages) == []
    _ok(_run(bin_dir / "milei-watch", "check", "--site", cwd=demo, env=environment))

    # One template of the project's own replaces that bundled template and no other.
    before = snapshot(site)
    _ok(_run(bin_dir / "milei-watch", "theme", "copy", "robots.txt", cwd=demo, env=environment))
    with (demo / "templates" / "robots.txt").open("a", encoding="utf-8") as robots:
        robots.write(MARK)
    _ok(_run(bin_dir / "milei-watch", "build", cwd=demo, env=environment))
    after = snapshot(site)
    assert {rel for rel in after.keys() | before.keys() if after.get(rel) != before.get(rel)} == {"robots.txt"}
    assert after["robots.txt"].decode().endswith(MARK)
