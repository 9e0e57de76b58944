"""Full-page screenshots of the shipped site for review by eye (tests/browser/screenshots/, git-ignored).
Nothing is compared pixel by pixel; the test only proves the pages render at both widths and schemes."""

from __future__ import annotations

import pytest


PAGES = {"home": "", "topic": "topics/economy/", "article": "articles/state-department-meetings-explainer/",
         "timeline": "timeline/", "archive": "archive/", "search": "search/?q=IMF"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_main_pages(page, base_url, screenshots_dir, width, scheme):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    for name, path in PAGES.items():
        page.goto(base_url + path)
        if name == "search":
            page.locator("#search-results li").first.wait_for(timeout=30_000)
        target = screenshots_dir / f"{name}-{width}-{scheme}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, target
