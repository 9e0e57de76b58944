"""The front page, the header and the article's side rail as laid out in Chromium at a phone's width (390 px)
and a desktop's (1280 px): one lead, no article twice, one line of navigation, the rail only where it fits, the
menu without JavaScript, and nothing wider than the window."""

from __future__ import annotations

import pytest

WIDTHS = [390, 1280]
ARTICLE = "articles/ajuste-and-privatizacion/"
PAGES = ["", "topics/economy/", ARTICLE, "timeline/", "archive/", "search/?q=IMF", "es/", "es/topics/economy/"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_home_page_has_one_lead_and_links_no_article_twice(page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    for home in ("", "es/"):
        page.goto(base_url + home)
        assert page.locator("main .card-lead").count() == 1
        assert page.locator("main .card-lead .card-title").is_visible()
        links = page.eval_on_selector_all(
            "main a[href*='/articles/']", "links => links.map(a => new URL(a.href).pathname)")
        assert len(links) >= 7 and len(links) == len(set(links)), links


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sections_bar_is_one_line(page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("", ARTICLE, "es/"):
        page.goto(base_url + path)
        boxes = page.eval_on_selector_all(".sections-list > li, .more-menu > summary",
                                          "items => items.map(i => i.getBoundingClientRect().top)")
        assert len(boxes) == 7 and max(boxes) - min(boxes) < 2, (path, boxes)   # 4 topics, Timeline, Search, More
        height = page.locator(".sections").bounding_box()["height"]
        assert height < 56, f"/{path}: the sections bar is {height}px tall"
        more = page.locator(".more-menu summary").bounding_box()
        assert more["x"] + more["width"] <= width, "the menu button stays in view"


def test_the_more_menu_opens_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(base_url)
        archive = page.locator(".more-menu a[href='/archive/']")
        assert not archive.is_visible()
        page.locator(".more-menu summary").click()
        for href in ("/archive/", "/sources/", "/corrections/", "/about/"):
            assert page.locator(f".more-menu a[href='{href}']").is_visible(), href
        archive.click()
        assert page.evaluate("location.pathname") == "/archive/"
    finally:
        context.close()


def test_the_side_rail_shows_at_desktop_width_only(page, base_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base_url + ARTICLE)
    rail = page.locator(".rail")
    assert rail.is_visible()
    assert page.locator(".rail .toc a").count() >= 3 and page.locator(".rail .rail-related a").count() == 3
    article, aside = page.locator(".article").bounding_box(), rail.bounding_box()
    assert aside["x"] >= article["x"] + article["width"], "the rail sits beside the text"
    assert not page.locator("section.related").is_visible()   # the rail lists them
    page.mouse.wheel(0, 1500)
    assert page.locator(".rail .toc").bounding_box()["y"] >= 0, "the contents stay in view while reading"
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(base_url + ARTICLE)
    assert not rail.is_visible()
    assert page.locator("section.related").is_visible()       # below the article instead


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_window(page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    wide = []
    for path in PAGES:
        page.goto(base_url + path)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll > inner:
            wide.append(f"/{path}: {scroll}px wide in a {inner}px window")
    assert wide == []


def test_headlines_are_in_the_text_colour_and_say_when_they_are_pointed_at(page, base_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base_url)
    headline = page.locator("main .card-lead .card-title a")
    style = "el => [getComputedStyle(el).color, getComputedStyle(el).textDecorationLine]"
    body = page.evaluate("getComputedStyle(document.body).color")
    colour, line = headline.evaluate(style)
    assert colour == body and line == "none"
    headline.hover()
    assert headline.evaluate(style)[1] == "underline"


def test_the_theme_fonts_load_and_stay_within_the_budget(page, base_url):
    sizes = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.url.endswith(".woff2") else None)
    page.goto(base_url + ARTICLE)
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)")
    assert {"Source Serif 4 400", "Source Serif 4 700", "Inter 500"} <= set(loaded), loaded
    assert 0 < sum(sizes.values()) <= 150 * 1024, sizes
    assert page.evaluate("getComputedStyle(document.querySelector('.article .body p')).fontFamily").startswith(
        '"Source Serif 4"')
