"""Browser fixtures: a headless system Chromium driven by Playwright."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.server import serve_directory  # noqa: E402
from tests.support.sites import shipped_site  # noqa: E402
from tests.support.tools import require_chromium, require_module  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Session-wide headless Chromium (system binary, never a Playwright download)."""
    executable = require_chromium()
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page for one test."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Directory for screenshots taken by browser tests (git-ignored)."""
    path = Path(__file__).resolve().parent / "screenshots"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def base_url():
    """The shipped site, built once per session, served over HTTP on 127.0.0.1."""
    with serve_directory(shipped_site()) as url:
        yield url
