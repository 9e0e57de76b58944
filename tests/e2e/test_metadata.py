"""Metadata on every page: title, description, one canonical URL, one <h1>, Open Graph, Twitter card,
feed autodiscovery, and schema.org JSON-LD on articles."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support.pages import read_page, target_file
from tests.support.sites import built_site, html_files, page_name, shipped_site

BASIC_URL = "https://fixture.example.org/"
SHIPPED_URL = "https://milei-watch.example.org/"
SITE_FEEDS = {("application/rss+xml", "/feed.xml"), ("application/atom+xml", "/atom.xml"),
              ("application/feed+json", "/feed.json")}
ARTICLE_TYPES = {"AnalysisNewsArticle", "NewsArticle", "BackgroundNewsArticle", "OpinionNewsArticle"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
# A page of another edition lives under its language's prefix (the shipped site's Spanish edition: es/).
EDITION = r"(?:[a-z]{2}/)?"


def edition_prefix(name: str) -> str:
    """'es/' for a page of the Spanish edition ('es/articles/x/index.html'), '' for the site's language."""
    match = re.match(r"([a-z]{2})/", name)
    return match.group(0) if match else ""


@pytest.fixture(scope="module")
def basic():
    return built_site("basic")


@pytest.fixture(params=["shipped", "basic", "newsroom"], scope="module")
def site_and_url(request):
    if request.param == "shipped":
        return shipped_site(), SHIPPED_URL
    if request.param == "newsroom":
        return built_site("newsroom"), "https://newsroom.example.org/"
    return built_site("basic"), BASIC_URL


def article(site, slug):
    return read_page(site / "articles" / slug / "index.html")


def test_every_page_has_one_canonical_url_and_one_h1(site_and_url):
    site, base_url = site_and_url
    for path in html_files(site):
        page = read_page(path)
        name = page_name(site, path)
        canonical = page.find("link", rel="canonical")
        assert len(canonical) == 1, f"{name}: {canonical}"
        expected = base_url + (name[: -len("index.html")] if name.endswith("index.html") else name)
        assert canonical[0]["href"] == expected, name
        assert len(page.h1) == 1 and page.h1[0], f"{name}: h1 {page.h1}"


def test_every_page_has_title_description_open_graph_and_twitter_card(site_and_url):
    site, base_url = site_and_url
    for path in html_files(site):
        page = read_page(path)
        name = page_name(site, path)
        assert page.title, name
        assert page.one_meta("description").strip(), name
        assert page.one_meta("og:url") == page.find("link", rel="canonical")[0]["href"], name
        assert page.one_meta("og:title").strip() and page.one_meta("og:description").strip(), name
        assert page.one_meta("og:site_name") and re.fullmatch(r"[a-z]{2}_[A-Z]{2}|[a-z]{2}",
                                                              page.one_meta("og:locale")), name
        expected = "article" if re.fullmatch(EDITION + r"articles/[^/]+/index\.html", name) else \
            "profile" if re.fullmatch(EDITION + r"authors/[^/]+/(page/\d+/)?index\.html", name) else "website"
        assert page.one_meta("og:type") == expected, name
        if expected == "article":
            assert page.one_meta("article:published_time") and page.one_meta("article:modified_time"), name
            assert page.one_meta("article:section"), name
        assert page.one_meta("twitter:card") == "summary_large_image", name
        assert page.one_meta("twitter:title") == page.one_meta("og:title"), name
        _assert_share_image(site, base_url, page, name)


def _assert_share_image(site, base_url, page, name):
    """Every page names a picture for shared links, with its size and a text alternative, that exists."""
    image = page.one_meta("og:image")
    assert image.startswith(base_url) and page.one_meta("og:image:alt").strip(), name
    target = site / image[len(base_url):]
    assert target.is_file(), f"{name}: {image}"
    if target.suffix == ".png":   # the share card; an article's own picture is the images' business
        from PIL import Image

        with Image.open(target) as card:
            size = card.size
        assert (page.one_meta("og:image:width"), page.one_meta("og:image:height")) == tuple(map(str, size)), name


def test_every_page_offers_the_site_feeds_for_autodiscovery(site_and_url):
    site, _ = site_and_url
    for path in html_files(site):
        page = read_page(path)
        offered = {(a["type"], a["href"]) for a in page.find("link", rel="alternate") if a.get("type")}
        prefix = edition_prefix(page_name(site, path))
        assert {(kind, "/" + prefix + href[1:]) for kind, href in SITE_FEEDS} <= offered, page_name(site, path)
        for _, href in offered:
            assert target_file(site, "/", href).is_file(), f"{page_name(site, path)}: {href}"
        assert all(a.get("title") for a in page.find("link", rel="alternate") if a.get("type")), page_name(site, path)


def test_topic_pages_offer_the_topics_own_feeds(basic):
    for topic in ("economy", "debt-imf", "diplomacy", "regional"):
        page = read_page(basic / "topics" / topic / "index.html")
        offered = {(a["type"], a["href"]) for a in page.find("link", rel="alternate")}
        assert {("application/rss+xml", f"/topics/{topic}/feed.xml"),
                ("application/atom+xml", f"/topics/{topic}/atom.xml"),
                ("application/feed+json", f"/topics/{topic}/feed.json")} <= offered
        hrefs = {a["href"] for a in page.find("a")}
        assert {f"/topics/{topic}/feed.xml", f"/topics/{topic}/atom.xml", f"/topics/{topic}/feed.json"} <= hrefs


def test_article_summary_is_the_meta_description(basic):
    page = article(basic, "el-ajuste-fiscal-de-milei-ano-uno")
    assert page.one_meta("description") == "Austerity & privatisation <in brief>."
    assert page.one_meta("og:description") == "Austerity & privatisation <in brief>."
    assert page.one_meta("og:title") == "El ajuste fiscal de Milei: año uno"
    assert page.title == "El ajuste fiscal de Milei: año uno · Fixture Watch"


def test_article_open_graph_tags(basic):
    page = article(basic, "deuda-y-fmi")
    assert page.one_meta("og:type") == "article"
    assert page.one_meta("article:published_time") == "2026-01-20T09:30:00-03:00"
    # modified: the latest correction (25 Jan) is newer than `updated` (22 Jan)
    assert page.one_meta("article:modified_time") == "2026-01-25T00:00:00-03:00"
    assert page.one_meta("article:section") == "Debt & IMF"
    assert page.meta("article:tag") == ["IMF", "Austerity"]   # tags.yaml names imf; austerity made readable
    assert page.one_meta("article:author") == BASIC_URL + "authors/analyst/"


def test_listing_pages_are_websites(basic):
    for name in ("index.html", "topics/economy/index.html", "archive/index.html", "tags/index.html"):
        assert read_page(basic / name).one_meta("og:type") == "website", name


@pytest.mark.parametrize("slug, kind", [
    ("el-ajuste-fiscal-de-milei-ano-uno", "AnalysisNewsArticle"),
    ("meetings-at-the-state-department", "NewsArticle"),
    ("deuda-y-fmi", "BackgroundNewsArticle"),
    ("venezuela-cuba-and-buenos-aires", "OpinionNewsArticle"),
])
def test_json_ld_type_follows_the_article_kind(basic, slug, kind):
    [data] = article(basic, slug).data()
    assert data["@type"] == kind


def test_article_json_ld_has_the_news_article_fields(basic):
    [data] = article(basic, "deuda-y-fmi").data()
    url = BASIC_URL + "articles/deuda-y-fmi/"
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Deuda y FMI"
    assert data["description"] == "Restructuring talks with creditors including the IMF."
    assert data["datePublished"] == "2026-01-20T09:30:00-03:00"
    assert data["dateModified"] == "2026-01-25T00:00:00-03:00"
    assert data["author"] == {"@type": "Person", "name": "Fixture analyst", "url": BASIC_URL + "authors/analyst/"}
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "Fixture Watch"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["articleSection"] == ["Debt & IMF", "Diplomacy"]
    assert data["keywords"] == ["IMF", "Austerity"]
    assert data["citation"] == [{"@type": "CreativeWork", "name": "Argentina seeks support",
                                 "url": "https://fixture.example.org/wire-story", "datePublished": "2026-01-19",
                                 "publisher": {"@type": "Organization", "name": "Fixture Wire"}}]
    assert data["correction"] == [{"@type": "CorrectionComment", "text": "An earlier version misnamed the lender.",
                                   "datePublished": "2026-01-25T00:00:00-03:00"}]


def test_uncorrected_article_has_no_correction_and_desk_is_an_organisation(basic):
    [data] = article(basic, "el-ajuste-fiscal-de-milei-ano-uno").data()
    assert "correction" not in data
    assert data["author"]["@type"] == "Organization"
    assert data["citation"] == [{"@type": "CreativeWork", "publisher": {"@type": "Organization",
                                                                        "name": "Fixture Wire"}}]


def test_json_ld_escapes_markup_and_round_trips(basic):
    page = article(basic, "el-ajuste-fiscal-de-milei-ano-uno")
    [raw] = page.json_ld
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert page.data()[0]["description"] == "Austerity & privatisation <in brief>."


def test_every_article_of_the_shipped_site_has_complete_json_ld():
    site = shipped_site()
    required = {"headline", "description", "datePublished", "dateModified", "author", "publisher",
                "mainEntityOfPage", "articleSection", "keywords", "citation"}
    pages = sorted((site / "articles").glob("*/index.html"))
    assert len(pages) >= 6
    spanish = sorted((site / "es" / "articles").glob("*/index.html"))
    assert len(spanish) == len(pages)
    pages += spanish
    for path in pages:
        page = read_page(path)
        [data] = page.data()
        name = page_name(site, path)
        assert data["@type"] in ARTICLE_TYPES, name
        assert required <= data.keys(), f"{name} lacks {required - data.keys()}"
        assert ISO.match(data["datePublished"]) and ISO.match(data["dateModified"]), name
        assert data["dateModified"] >= data["datePublished"], name
        assert data["headline"] == page.h1[0], name
        assert data["mainEntityOfPage"]["@id"] == page.find("link", rel="canonical")[0]["href"], name
        assert data["citation"] and all(c["publisher"]["name"] for c in data["citation"]), name


def test_home_page_describes_the_website_and_its_search():
    [data] = read_page(shipped_site() / "index.html").data()
    assert data["@type"] == "WebSite" and data["url"] == SHIPPED_URL
    assert data["potentialAction"]["target"] == SHIPPED_URL + "search/?q={search_term_string}"


@pytest.mark.parametrize("prefix, reading", [("", r"\b\d+ min read\b"), ("es/", r"\b\d+ min de lectura\b")])
def test_articles_show_reading_time_and_three_related_articles(prefix, reading):
    site = shipped_site()
    paths = sorted((site / prefix / "articles").glob("*/index.html"))
    assert len(paths) >= 6
    for path in paths:
        html = path.read_text("utf-8")
        assert re.search(reading, html), path
        related = html.split('<section class="related"', 1)[1].split("</section>", 1)[0]
        links = re.findall(r'<h3 class="card-title"><a href="([^"]+)"', related)
        own = "/" + path.parent.relative_to(site).as_posix() + "/"
        assert len(links) == 3 and own not in links and len(set(links)) == 3, f"{path}: {links}"


def test_tag_index_lists_every_tag_with_its_count(basic):
    html = (basic / "tags" / "index.html").read_text("utf-8")
    listed = re.findall(r'<a href="/tags/([^/]+)/">[^<]+</a> <span class="count">\((\d+)\)</span>', html)
    pages = sorted(p.parent.name for p in (basic / "tags").glob("*/index.html"))
    assert sorted(slug for slug, _ in listed) == pages
    for slug, count in listed:
        tag_page = (basic / "tags" / slug / "index.html").read_text("utf-8")
        shown = len(re.findall(r'class="card"', tag_page))
        assert shown == min(int(count), 2), slug     # the fixture shows two articles per page


def test_archive_lists_months_by_name_with_counts(basic):
    page = read_page(basic / "archive" / "index.html")
    html = (basic / "archive" / "index.html").read_text("utf-8")
    # February's opinion piece has expired, so it is left out of listings
    assert re.search(r'<a href="/archive/2026/02/">February 2026</a> <span class="count">\(1 article\)', html)
    assert re.search(r'<a href="/archive/2026/01/">January 2026</a> <span class="count">\(3 articles\)', html)
    for tag, attr, href in page.urls():
        if href.startswith("/archive/20"):
            assert target_file(basic, "/", href).is_file(), href


def test_archive_has_a_page_per_year_listing_its_articles_by_month(basic):
    index = (basic / "archive" / "index.html").read_text("utf-8")
    assert '<h2 id="year-2026"><a href="/archive/2026/">2026</a></h2>' in index
    year = (basic / "archive" / "2026" / "index.html").read_text("utf-8")
    sections = re.findall(r'<h2 id="month-(\d+)"><a href="/archive/2026/(\d\d)/">(\w+) 2026</a>'
                          r' <span class="count">\((\d+) articles?\)</span></h2>(.*?)</section>', year, re.S)
    assert [(number, name, count) for number, _, name, count, _ in sections] == [
        ("2", "February", "1"), ("1", "January", "3")]
    for number, folder, _name, count, body in sections:
        listed = re.findall(r'<li><time datetime="([^"]+)">[^<]+</time> <a href="/(articles/[^"]+)">', body)
        assert len(listed) == int(count)
        assert all(stamp.startswith(f"2026-{folder}-") for stamp, _ in listed)
        assert [stamp for stamp, _ in listed] == sorted((stamp for stamp, _ in listed), reverse=True)
        month = (basic / "archive" / "2026" / folder / "index.html").read_text("utf-8")
        assert sorted(href for _, href in listed) == sorted(set(re.findall(r'class="card-title"><a href="/([^"]+)"',
                                                                           month)))
        assert '<a href="/archive/2026/">All of 2026</a>' in month


def test_published_dates_are_machine_readable(basic):
    html = (basic / "articles" / "deuda-y-fmi" / "index.html").read_text("utf-8")
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps
    for stamp in stamps:
        (dt.datetime if "T" in stamp else dt.date).fromisoformat(stamp)
