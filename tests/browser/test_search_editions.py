"""Search in each language: the Spanish search page finds Spanish words (stemmed, accents optional) in
Spanish articles, and the English page never returns Spanish pages."""

from __future__ import annotations

import pytest

from tests.browser.test_search import results
from tests.support.server import serve_directory
from tests.support.sites import built_site


@pytest.fixture(scope="module")
def bilingual_url():
    with serve_directory(built_site("bilingual")) as url:
        yield url


def test_searching_deuda_on_the_spanish_page_finds_the_spanish_article(page, bilingual_url):
    page.goto(bilingual_url + "es/search/")
    page.get_by_label("Buscar artículos").fill("deuda")
    hrefs = [href for _title, href, _date, _excerpt in results(page)]
    assert "/es/articles/la-deuda-y-el-fmi/" in hrefs
    assert all(href.startswith("/es/") for href in hrefs)
    assert "resultado" in page.locator("#search-status").inner_text()


def test_spanish_search_ignores_missing_accents(page, bilingual_url):
    page.goto(bilingual_url + "es/search/?q=inflacion")
    hrefs = [href for _title, href, _date, _excerpt in results(page)]
    assert hrefs == ["/es/articles/la-deuda-y-el-fmi/"]


def test_the_english_search_page_returns_no_spanish_pages(page, bilingual_url):
    page.goto(bilingual_url + "search/?q=FMI")
    hrefs = [href for _title, href, _date, _excerpt in results(page)]
    assert hrefs and not any(href.startswith("/es/") for href in hrefs)
    for query in ("deuda", "acreedores"):  # words of the Spanish article
        page.goto(bilingual_url + "search/?q=" + query)
        page.locator("#search-status").filter(has_text="for “").wait_for(timeout=30_000)
        found = page.locator("#search-results li h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert not any(href.startswith("/es/") for href in found), found
