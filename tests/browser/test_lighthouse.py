"""Lighthouse with its mobile defaults (a throttled mid-range phone) against the shipped site, served offline on
127.0.0.1 and gzipped as a static host (GitHub Pages) sends it: 100 in performance, accessibility, best practices
and SEO on the home, a section front and an article, and at most 150 KB of fonts in a first view.

Lighthouse's simulated timings vary from run to run (whether a font request starts before the first paint it
observed, for one), so each page is scored on the median of several runs (tests/support/lighthouse.py)."""

from __future__ import annotations

import pytest

from tests.support.lighthouse import assert_scores_100
from tests.support.server import serve_directory
from tests.support.sites import shipped_site

PAGES = {"home": "", "topic": "topics/economy/", "article": "articles/ajuste-and-privatizacion/"}
FONT_BUDGET = 150 * 1024


@pytest.fixture(scope="module")
def compressed_url():
    with serve_directory(shipped_site(), compress=True) as url:
        yield url


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores_100_in_every_category_with_a_light_font_load(compressed_url, tmp_path, name):
    passed = assert_scores_100(compressed_url + PAGES[name], tmp_path, name)
    requests = passed[0]["audits"]["network-requests"]["details"]["items"]
    fonts = sum(item.get("transferSize", 0) for item in requests if item.get("resourceType") == "Font")
    assert 0 < fonts <= FONT_BUDGET, f"{fonts} bytes of fonts"
