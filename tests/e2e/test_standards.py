"""Web standards of the built theme: valid HTML and CSS, landmarks, no JavaScript needed, page weight, contrast."""

from __future__ import annotations

import re

import pytest

from tests.support.pages import read_page
from tests.support.sites import built_site, html_files, page_name, shipped_site
from tests.support.vnu import validate_css, validate_html

SITES = {"shipped": shipped_site, "basic": lambda: built_site("basic"), "newsroom": lambda: built_site("newsroom"),
         "pictures": lambda: built_site("pictures")}
HOME_BUDGET = 60 * 1024


@pytest.fixture(params=sorted(SITES), scope="module")
def site(request):
    return SITES[request.param]()


def test_every_page_is_valid_html(site):
    pages = html_files(site)
    assert len(pages) > 10
    errors = validate_html(pages)
    assert errors == [], "\n".join(errors)


def test_stylesheet_is_valid_css():
    errors = validate_css([shipped_site() / "static" / "style.css"])
    assert errors == [], "\n".join(errors)


def test_home_page_html_and_css_stay_under_60_kb():
    site = shipped_site()
    page = read_page(site / "index.html")
    styles = [a["href"] for a in page.find("link", rel="stylesheet")]
    assert styles == ["/static/style.css"]
    weight = (site / "index.html").stat().st_size + (site / "static" / "style.css").stat().st_size
    assert weight < HOME_BUDGET, f"home page HTML + CSS is {weight} bytes"


def test_every_page_has_lang_landmarks_and_a_skip_link(site):
    for path in html_files(site):
        page = read_page(path)
        name = page_name(site, path)
        html = page.find("html")
        assert len(html) == 1 and html[0].get("lang"), name
        tags = [t for t, _ in page.tags]
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in tags, f"{name} has no <{landmark}>"
        assert tags.count("main") == 1, name
        assert page.find("main")[0].get("id") == "main", name
        first_link = next(a for t, a in page.tags if t == "a")
        assert first_link.get("href") == "#main" and "skip-link" in first_link.get("class", ""), name
        labels = [a.get("aria-label") for a in page.find("nav")]
        assert len(labels) == len(set(labels)) and all(labels), f"{name}: every nav needs its own label"


def test_pages_are_readable_without_javascript(site):
    """Only the search page runs a script; everything else is plain HTML and CSS."""
    for path in html_files(site):
        page = read_page(path)
        name = page_name(site, path)
        executable = [s for s in page.scripts if s.get("type") != "application/ld+json"]
        search = re.fullmatch(r"(?:[a-z]{2}/)?search/index\.html", name)   # each edition has its search page
        if search and page.find("form"):
            assert [s.get("src") for s in executable] == ["/static/search.js"], name
        else:
            assert executable == [], f"{name} runs {executable}"
        assert not page.find("noscript") or search, name


def test_article_text_is_in_the_html():
    site = shipped_site()
    html = (site / "articles" / "ajuste-and-privatizacion" / "index.html").read_text("utf-8")
    assert "Three remedies" in html and "Analysis: how the pieces fit" in html


def test_stylesheet_has_schemes_print_focus_and_reduced_motion():
    css = (shipped_site() / "static" / "style.css").read_text("utf-8")
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert ":focus-visible" in css
    assert "@media (prefers-reduced-motion: no-preference)" in css   # smooth scrolling only for those who want it
    assert re.search(r"--measure:\s*\d+(rem|ch|em);", css)


def test_fonts_are_self_hosted_woff2_latin_subsets_that_swap_with_their_licences():
    site = shipped_site()
    css = (site / "static" / "style.css").read_text("utf-8")
    faces = re.findall(r"@font-face \{(.*?)\}", css, re.S)
    assert len(faces) >= 4
    latin = 0
    for face in faces:
        assert "font-display: swap;" in face and "unicode-range: U+" in face, face
        [source] = re.findall(r"src: url\((fonts/[\w.-]+\.woff2)\) format\(\"woff2\"\);", face)
        assert (site / "static" / source).is_file(), source
        assert re.search(r"-latin(-ext)?-", source), source      # Latin and Latin Extended only
        if "-latin-ext-" not in source:
            latin += (site / "static" / source).stat().st_size
    assert latin <= 150 * 1024, f"the Latin faces weigh {latin} bytes"   # all a first view can load
    assert {"LICENSE-source-serif-4.txt", "LICENSE-inter.txt"} <= {p.name for p in (site / "static" / "fonts").iterdir()}
    for licence in (site / "static" / "fonts").glob("LICENSE-*.txt"):
        assert "SIL Open Font License" in licence.read_text("utf-8"), licence.name
    # each family falls back to what the reader's system has while it loads
    assert re.search(r"--serif:[^;]*Georgia[^;]*serif;", css) and re.search(r"--sans:[^;]*system-ui[^;]*sans-serif;", css)


# --- WCAG 2.2 AA contrast of the theme's colour pairs, in both schemes ----------------------------------

TEXT_PAIRS = [("fg", "bg"), ("muted", "bg"), ("accent", "bg"), ("accent-visited", "bg"), ("fg", "panel"),
              ("muted", "panel"), ("accent", "panel"), ("label-fg", "label-bg"), ("bg", "accent"),
              ("fg", "mark-bg")]
NON_TEXT_PAIRS = [("focus", "bg"), ("focus", "panel"), ("muted", "bg")]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes(css: str) -> dict[str, dict[str, str]]:
    start = css.index(":root {")
    light = _variables(css[start: css.index("}", start)])
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark = dict(light, **_variables(css[dark_start: css.index("}", css.index(":root", dark_start))]))
    return {"light": light, "dark": dark}


def _luminance(colour: str) -> float:
    channels = [int(colour[i: i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_colours_meet_wcag_aa_contrast(scheme):
    colours = _schemes((shipped_site() / "static" / "style.css").read_text("utf-8"))[scheme]
    low = [(fg, bg, round(contrast(colours[fg], colours[bg]), 2)) for fg, bg in TEXT_PAIRS
           if contrast(colours[fg], colours[bg]) < 4.5]
    low += [(fg, bg, round(contrast(colours[fg], colours[bg]), 2)) for fg, bg in NON_TEXT_PAIRS
            if contrast(colours[fg], colours[bg]) < 3]
    assert low == []


def test_contrast_helper_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_wide_tables_scroll_in_their_own_labelled_keyboard_region():
    from milei_watch.render import scrollable_tables

    body = "<p>x</p><table>\n<thead><tr><th>Measure</th><th>Status &amp; <em>date</em></th></tr></thead>" \
           "<tbody><tr><td>Cuts</td><td>Announced</td></tr></tbody></table>"
    wrapped = str(scrollable_tables(body))
    assert wrapped.startswith('<p>x</p><div class="table-scroll" role="region" tabindex="0" '
                              'aria-label="Table: Measure, Status &amp; date"><table>')
    assert wrapped.endswith("</table></div>")
    assert str(scrollable_tables("<p>No tables.</p>")) == "<p>No tables.</p>"
    html = (built_site("basic") / "articles" / "el-ajuste-fiscal-de-milei-ano-uno" / "index.html").read_text("utf-8")
    assert 'aria-label="Table: Measure, Status"><table>' in html
