"""Search really works from static files served over HTTP: Pagefind finds articles and the page shows each
result's title, date and excerpt, at the site root and under a sub-path."""

from __future__ import annotations

import re

from tests.support.server import serve_directory
from tests.support.sites import built_site

SUBPATH_URL = "https://fixture.example.org/milei-watch/"


def results(page):
    """Wait for the first result, then return every result as (title, href, date, excerpt HTML).

    The wait is long because Pagefind loads its index and WebAssembly on the first search, which on
    a loaded CI machine (right after a suite's builds) has taken more than ten seconds."""
    page.locator("#search-results li").first.wait_for(timeout=30_000)
    return [tuple(row) for row in page.evaluate("""() => [...document.querySelectorAll('#search-results li')]
        .map((li) => [li.querySelector('h2 a').textContent, li.querySelector('h2 a').getAttribute('href'),
                      li.querySelector('.search-result-date')?.textContent ?? '',
                      li.querySelector('.search-result-excerpt').innerHTML])""")]


def test_typing_a_query_shows_matching_articles_with_title_date_and_excerpt(page, base_url):
    page.goto(base_url + "search/")
    page.get_by_label("Search articles").fill("privatisation")
    found = results(page)
    titles = [title for title, *_ in found]
    assert "Milei’s economic programme and his pitch to American investors" in titles
    title, href, date, excerpt = found[titles.index(
        "Milei’s economic programme and his pitch to American investors")]
    assert href == "/articles/ajuste-and-privatizacion/"
    assert date == "1 December 2026"
    assert "<mark>" in excerpt.lower() and len(re.sub("<[^>]+>", "", excerpt)) > 40
    assert re.match(r"\d+ results? for “privatisation”", page.locator("#search-status").inner_text())
    assert page.evaluate("location.search") == "?q=privatisation"     # the address can be shared
    assert not any(href.startswith("/es/") for _, href, _, _ in found), "the English search finds English pages"


def test_the_spanish_search_page_finds_the_spanish_edition_only(page, base_url):
    page.goto(base_url + "es/search/")
    page.get_by_label("Buscar artículos").fill("privatizacion")         # accents are optional
    found = results(page)
    titles = [title for title, *_ in found]
    title = "El programa económico de Milei y su oferta a los inversores estadounidenses"
    assert title in titles
    _, href, date, excerpt = found[titles.index(title)]
    assert href == "/es/articles/ajuste-y-privatizacion/"
    assert date == "1 de diciembre de 2026"
    assert "<mark>" in excerpt.lower()
    assert all(href.startswith("/es/") for _, href, _, _ in found)
    assert re.match(r"\d+ resultados? para «privatizacion»", page.locator("#search-status").inner_text())


def test_a_result_leads_to_its_article(page, base_url):
    page.goto(base_url + "search/")
    page.get_by_label("Search articles").fill("Venezuela")
    results(page)
    page.locator("#search-results li h2 a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(base_url + "articles/")
    assert "Venezuela" in page.locator("main").inner_text()


def test_query_in_the_address_runs_on_load(page, base_url):
    page.goto(base_url + "search/?q=IMF")
    assert any("/articles/" in href for _, href, _, _ in results(page))
    assert page.get_by_label("Search articles").input_value() == "IMF"


def test_a_query_with_no_match_says_so(page, base_url):
    page.goto(base_url + "search/")
    page.get_by_label("Search articles").fill("zzzqqqxxx")
    status = page.locator("#search-status")
    status.filter(has_text="No results").wait_for(timeout=30_000)
    assert page.locator("#search-results li").count() == 0


def test_pressing_enter_searches_without_leaving_the_page(page, base_url):
    page.goto(base_url + "search/")
    box = page.get_by_label("Search articles")
    box.fill("Washington")
    box.press("Enter")
    assert results(page)
    assert page.url.startswith(base_url + "search/")


def _count_pagefind_starts(page) -> None:
    """Serve Pagefind's module with its `init` export counting its calls in `window.pagefindStarts`."""
    def counted(route):
        response = route.fetch()
        text = response.text()
        exports = "export{createInstance,debouncedSearch,destroy,filters,init,"
        assert exports in text, "Pagefind's module exports changed: update this test"
        text = text.replace(exports, "const countedInit=(...args)=>{window.pagefindStarts=(window.pagefindStarts||0)+1;"
                                     "return init(...args);};export{createInstance,debouncedSearch,destroy,filters,"
                                     "countedInit as init,")
        route.fulfill(response=response, body=text)

    page.route("**/pagefind/pagefind.js", counted)


def test_a_query_typed_and_submitted_before_pagefind_has_loaded_shows_its_results(page, base_url):
    # Typing searches (the input event) and so does the form's submit: here both start in one task,
    # before Pagefind's module has loaded, as they do when Enter follows the typing quickly. Pagefind
    # is started once: started twice at once, it hung the search on a loaded machine (its worker's
    # start timed out for one start and was torn down under the other).
    _count_pagefind_starts(page)
    page.goto(base_url + "search/")
    page.evaluate("""() => {
        const input = document.getElementById('search-input');
        input.value = 'Washington';
        input.dispatchEvent(new Event('input', {bubbles: true}));
        document.querySelector('.search-form').requestSubmit();
    }""")
    assert results(page)
    assert re.match(r"\d+ results? for “Washington”", page.locator("#search-status").inner_text())
    assert page.evaluate("window.pagefindStarts") == 1


def test_search_works_under_a_sub_path(page, tmp_path):
    site = built_site("basic", base_url=SUBPATH_URL, search=True)
    (tmp_path / "milei-watch").symlink_to(site, target_is_directory=True)
    with serve_directory(tmp_path) as root_url:
        page.goto(root_url + "milei-watch/search/")
        page.get_by_label("Search articles").fill("ajuste")
        found = results(page)
        assert found[0][0] == "El ajuste fiscal de Milei: año uno"
        assert found[0][1] == "/milei-watch/articles/el-ajuste-fiscal-de-milei-ano-uno/"
        assert found[0][2] == "10 January 2026"
        page.locator("#search-results li h2 a").first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "El ajuste fiscal de Milei: año uno"
        # the stylesheet (and its fonts) load under the sub-path too
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Source Serif 4"')
