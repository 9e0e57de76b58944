"""Lighthouse with its mobile defaults (a throttled mid-range phone) against the shipped site, served offline on
127.0.0.1 and gzipped as a static host (GitHub Pages) sends it: 100 in performance, accessibility, best practices
and SEO on the home, a section front and an article, and at most 150 KB of fonts in a first view.

Lighthouse's simulated timings vary from run to run (whether a font request starts before the first paint it
observed, for one), so each page is scored as Lighthouse CI does: the median of three runs, stopping once two agree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.server import serve_directory
from tests.support.sites import shipped_site
from tests.support.tools import require_chromium, require_lighthouse

PAGES = {"home": "", "topic": "topics/economy/", "article": "articles/ajuste-and-privatizacion/"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FONT_BUDGET = 150 * 1024


@pytest.fixture(scope="module")
def compressed_url():
    with serve_directory(shipped_site(), compress=True) as url:
        yield url


def _lighthouse(url: str, out: Path) -> dict:
    command = require_lighthouse() + [
        url, "--output=json", f"--output-path={out}", "--quiet", "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
        "--disable-background-networking --disable-component-update --no-first-run"]
    run = subprocess.run(command, env=dict(os.environ, CHROME_PATH=require_chromium()), capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, f"lighthouse exited {run.returncode}: {run.stderr[-2000:]}"
    return json.loads(out.read_text("utf-8"))


def _scores(report: dict) -> dict[str, float]:
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def _shortfalls(report: dict) -> list[str]:
    """The audits that cost points, for the failure message."""
    return [f"{key}: {audit.get('displayValue') or audit['score']}" for key, audit in sorted(report["audits"].items())
            if audit.get("score") is not None and audit["score"] < 1
            and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            and key in {ref["id"] for category in report["categories"].values() for ref in category["auditRefs"]
                        if ref.get("weight")}]


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores_100_in_every_category_with_a_light_font_load(compressed_url, tmp_path, name):
    passed, failed = [], []
    for run in range(3):
        report = _lighthouse(compressed_url + PAGES[name], tmp_path / f"{name}-{run}.json")
        (passed if set(_scores(report).values()) == {1} else failed).append(report)
        if len(passed) == 2 or len(failed) == 2:
            break
    assert len(passed) == 2, "\n".join(f"run scores {_scores(r)}: {_shortfalls(r)}" for r in failed)
    requests = passed[0]["audits"]["network-requests"]["details"]["items"]
    fonts = sum(item.get("transferSize", 0) for item in requests if item.get("resourceType") == "Font")
    assert 0 < fonts <= FONT_BUDGET, f"{fonts} bytes of fonts"
