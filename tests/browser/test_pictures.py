"""Pictures, charts and the timeline drawing in Chromium (issue 16, acceptance 3): no serious axe-core
violation at phone and desktop widths in both colour schemes, no sideways scrolling, drawings whose
text stays readable on a 390 px phone, and pictures that take their place before they load."""

from __future__ import annotations

import pytest

from tests.support.axe import audit_pages

PAGES = ["", "articles/prices-reserves-and-pictures/", "articles/a-small-picture-never-enlarged/",
         "timeline/", "topics/debt-imf/timeline/", "archive/"]


@pytest.fixture(scope="module")
def pictures_url():
    from tests.support.server import serve_directory
    from tests.support.sites import built_site

    with serve_directory(built_site("pictures")) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
def test_pictures_and_drawings_have_no_serious_axe_violations_or_overflow(page, pictures_url, width):
    found = audit_pages(page, pictures_url, PAGES, width)
    assert found == [], "\n".join(found)


def test_drawings_read_at_a_phone_width(page, pictures_url):
    page.set_viewport_size({"width": 390, "height": 900})
    for path in ("timeline/", "articles/prices-reserves-and-pictures/", "archive/"):
        page.goto(pictures_url + path)
        smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('.graphic svg text')]
            .map(t => t.getBoundingClientRect().height).filter(h => h > 0))""")
        assert smallest >= 10.5, f"/{path}: text drawn {smallest:.1f} px tall"
        wide = page.evaluate("Math.max(...[...document.querySelectorAll('.graphic svg')]"
                             ".map(s => s.getBoundingClientRect().right))")
        assert wide <= 390, f"/{path}: a drawing reaches {wide} px"


def test_pictures_hold_their_place_before_they_load(page, pictures_url):
    """Width and height on every <img>: the page lays out at the right size with no image loaded."""
    held = []
    page.route("**/images/**", lambda route: held.append(route))  # every image left waiting: none loads
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(pictures_url + "articles/prices-reserves-and-pictures/", wait_until="domcontentloaded")
    boxes = page.evaluate("""() => [...document.querySelectorAll('picture img')].map(i => {
        const r = i.getBoundingClientRect(); return [r.width, r.height, i.width / i.height,
        Number(i.getAttribute('width')) / Number(i.getAttribute('height'))]; })""")
    assert len(boxes) == 2
    for width, height, _shown, ratio in boxes:
        assert width > 300 and abs(width / height - ratio) < 0.02
    assert held, "the images were requested"
    for route in held:
        route.abort()


def test_timeline_dots_are_links_a_keyboard_reaches(page, pictures_url):
    page.goto(pictures_url + "timeline/")
    links = page.locator(".timeline-svg a")
    assert links.count() == 5
    links.first.focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href.startswith("/articles/")


# --- Lighthouse: 100 in every category on an article with a lead image and on the timeline --------------

LIGHTHOUSE_PAGES = {"article": "articles/prices-reserves-and-pictures/", "timeline": "timeline/"}


@pytest.fixture(scope="module")
def compressed_pictures_url():
    from tests.support.server import serve_directory
    from tests.support.sites import built_site

    with serve_directory(built_site("pictures"), compress=True) as url:
        yield url


@pytest.mark.parametrize("name", LIGHTHOUSE_PAGES)
def test_lighthouse_scores_100_with_pictures_and_drawings(compressed_pictures_url, tmp_path, name):
    """Lighthouse's mobile defaults, scored as tests/browser/test_lighthouse.py scores the shipped site."""
    from tests.support.lighthouse import assert_scores_100

    assert_scores_100(compressed_pictures_url + LIGHTHOUSE_PAGES[name], tmp_path, name)
