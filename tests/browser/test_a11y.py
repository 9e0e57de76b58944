"""Accessibility and layout in Chromium: axe-core at phone and desktop widths in both colour schemes, no
horizontal scrolling from 360 to 1440 px, a readable measure, visible focus, print and no-JavaScript reading."""

from __future__ import annotations

import pytest

from tests.support.axe import audit_pages, describe, run_axe

# The Spanish edition (es/) is checked too: its words are longer and its pages carry the language switcher.
AXE_PAGES = ["", "topics/economy/", "articles/state-department-meetings-explainer/", "archive/", "search/",
             "es/", "es/articles/reuniones-departamento-de-estado/",
             # and every other kind of page: a second article, the timelines, tags, the archive's year and
             # month, sources, corrections, a standalone page, a byline and the 404 page
             "articles/ajuste-and-privatizacion/", "timeline/", "topics/economy/timeline/", "tags/", "tags/imf/",
             "archive/2026/", "archive/2026/12/", "sources/", "corrections/", "about/", "authors/desk/", "404.html"]
LAYOUT_PAGES = AXE_PAGES + ["articles/ajuste-and-privatizacion/", "tags/", "timeline/", "sources/",
                            "corrections/", "about/", "authors/desk/", "archive/2026/12/", "404.html",
                            "es/articles/riesgos-para-la-relacion/", "es/tags/", "es/timeline/", "es/sources/",
                            "es/acerca/", "es/search/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_axe_violations(page, base_url, width, scheme):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    found = []
    for path in AXE_PAGES:
        page.goto(base_url + path)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        violations = run_axe(page)
        if violations:
            found.append(f"/{path} at {width}px, {scheme}:\n{describe(violations)}")
    assert found == [], "\n".join(found)


# The newsroom features on the newsroom fixture: a corrected article (box and note), an expired one
# (notice), the opinion and news labels, timelines, sources, corrections, bylines, tags and the archive.
NEWSROOM_PAGES = ["", "articles/bonos-fmi-y-el-calendario-de-pagos/", "articles/cumbre-regional-guia-practica/",
                  "articles/opinion-el-mercosur-despues-del-balotaje/",
                  "articles/inflacion-de-enero-lo-que-dijo-el-instituto-de-ejemplo/", "timeline/", "topics/economy/timeline/",
                  "sources/", "corrections/", "authors/maria-lopez/", "tags/", "archive/"]


@pytest.fixture(scope="module")
def newsroom_url():
    from tests.support.server import serve_directory
    from tests.support.sites import built_site

    with serve_directory(built_site("newsroom")) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
def test_newsroom_pages_have_no_serious_axe_violations_or_overflow(page, newsroom_url, width):
    def rendered(path: str) -> None:
        assert page.locator("h1").count() == 1, path  # the page exists and rendered

    found = audit_pages(page, newsroom_url, NEWSROOM_PAGES, width, rendered)
    assert found == [], "\n".join(found)


def test_no_serious_axe_violations_with_search_results(page, base_url):
    page.goto(base_url + "search/?q=privatisation")
    page.locator("#search-results li").first.wait_for()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert run_axe(page) == [], scheme


@pytest.mark.parametrize("width", [360, 390, 768, 1024, 1440])
def test_no_horizontal_scrolling(page, base_url, width):
    page.set_viewport_size({"width": width, "height": 800})
    wide = []
    for path in LAYOUT_PAGES:
        page.goto(base_url + path)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll > inner:
            wide.append(f"/{path}: {scroll}px wide in a {inner}px window")
    assert wide == []


def test_article_text_has_a_readable_measure(page, base_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(base_url + "articles/ajuste-and-privatizacion/")
    # Measured in the page's own text face, once it has loaded (font-display: swap shows a fallback
    # first, whose letters are of another width).
    per_line = page.evaluate("""async () => {
        const p = document.querySelector('.article .body p');
        const style = getComputedStyle(p);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        await document.fonts.load(ctx.font, p.textContent);
        await document.fonts.ready;
        const average = ctx.measureText(p.textContent).width / p.textContent.length;
        return p.getBoundingClientRect().width / average;
    }""")
    assert 65 <= per_line <= 75, f"{per_line:.0f} characters per line"


def test_skip_link_appears_on_focus_and_leads_to_main(page, base_url):
    page.goto(base_url + "articles/ajuste-and-privatizacion/")
    skip = page.locator(".skip-link")
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0   # hidden until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_visible(page, base_url, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url)
    for _ in range(3):
        page.keyboard.press("Tab")
        outline = page.evaluate("""() => {
            const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle, parseFloat(s.outlineWidth)];
        }""")
        assert outline[0] != "none" and outline[1] >= 2, outline


def test_print_hides_navigation_and_keeps_the_article(page, base_url):
    page.goto(base_url + "articles/ajuste-and-privatizacion/")
    page.emulate_media(media="print")
    navs = page.locator(".site-header nav")                    # the topics and, with an edition, the languages
    assert navs.count() >= 1 and not any(nav.is_visible() for nav in navs.all())
    assert not page.locator(".related").is_visible()
    assert page.locator(".article .body").is_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"


def test_everything_reads_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "articles/ajuste-and-privatizacion/")
        assert "Three remedies" in page.locator("main").inner_text()
        page.goto(base_url)
        assert page.locator(".card").count() >= 6
        page.goto(base_url + "search/")
        assert "archive" in page.locator("main").inner_text()     # the <noscript> alternative
    finally:
        context.close()
