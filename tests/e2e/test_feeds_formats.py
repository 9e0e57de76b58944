"""Every feed format re-parsed or validated: RSS 2.0 and Atom 1.0 with feedparser and RFC 4287's required
elements, JSON Feed 1.1's required keys, stable ids, and the sitemaps against the sitemaps.org schema."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests.conftest import FIXTURES, build_fixture, copy_site
from tests.support.sitemaps import NS as SITEMAP, sitemap_files, sitemap_locs
from tests.support.sites import built_site, shipped_site
from tests.support.tools import require_module

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMAS = FIXTURES / "schemas"
BASIC_URL = "https://fixture.example.org/"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TOPICS = ("economy", "debt-imf", "diplomacy", "regional")


@pytest.fixture(params=["shipped", "basic", "newsroom"], scope="module")
def site(request):
    return shipped_site() if request.param == "shipped" else built_site(request.param)


def feed_prefixes(site: Path) -> list[str]:
    return ["", *(f"topics/{t}/" for t in TOPICS if (site / "topics" / t).is_dir())]


def base_url_of(site: Path) -> str:
    return json.loads((site / "feed.json").read_text("utf-8"))["home_page_url"]


def listed_articles(site: Path) -> int:
    """Articles in listings: the archive's month counts add up to them."""
    html = (site / "archive" / "index.html").read_text("utf-8")
    return sum(int(n) for n in re.findall(r'class="count">\((\d+) (?:articles?|artículos?)\)', html))


# --- RSS 2.0 and Atom 1.0 ------------------------------------------------------------------------------

def test_rss_and_atom_feeds_reparse_cleanly(site):
    for prefix in feed_prefixes(site):
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((site / prefix / name).read_bytes())
            assert parsed.bozo == 0, f"{prefix}{name}: {parsed.get('bozo_exception')}"
            assert parsed.version == version, f"{prefix}{name}"
            for entry in parsed.entries:
                assert entry.title and entry.link and entry.id, f"{prefix}{name}"
                assert entry.content[0].value.strip(), f"{prefix}{name}: no full content"


def test_author_feeds_reparse_cleanly(site):
    for path in sorted((site / "authors").glob("*/feed.xml")):
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0 and parsed.version == "rss20", path


def test_site_feeds_carry_every_listed_article(site):
    expected = min(listed_articles(site), 20)
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == expected
    assert len(feedparser.parse((site / "atom.xml").read_bytes()).entries) == expected
    assert len(json.loads((site / "feed.json").read_text("utf-8"))["items"]) == expected


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(ATOM + tag)
    assert found is not None, f"missing atom:{tag}"
    return (found.text or "").strip()


def _links(element: ET.Element, rel: str) -> list[str]:
    return [link.get("href", "") for link in element.findall(ATOM + "link") if link.get("rel", "alternate") == rel]


def test_atom_feeds_have_the_elements_rfc_4287_requires(site):
    base_url = base_url_of(site)
    for prefix in feed_prefixes(site):
        feed = ET.parse(site / prefix / "atom.xml").getroot()
        where = f"{prefix}atom.xml"
        assert feed.tag == ATOM + "feed", where
        assert _text(feed, "id").startswith(base_url) and _text(feed, "title"), where
        updated = _text(feed, "updated")
        assert RFC3339.match(updated), where
        assert _links(feed, "self") == [base_url + prefix + "atom.xml"], where
        assert all(href.startswith(base_url) for href in _links(feed, "alternate")), where
        feed_has_author = feed.find(ATOM + "author") is not None
        entries = feed.findall(ATOM + "entry")
        ids = [_text(e, "id") for e in entries]
        assert len(ids) == len(set(ids)), f"{where}: duplicate entry ids"
        for entry in entries:
            assert entry.find(ATOM + "title") is not None and _text(entry, "title"), where
            assert _text(entry, "id").startswith(base_url), where
            assert RFC3339.match(_text(entry, "updated")) and RFC3339.match(_text(entry, "published")), where
            assert _text(entry, "updated") >= _text(entry, "published")[:10], where
            alternates = _links(entry, "alternate")
            assert len(alternates) == 1 and alternates[0].startswith(base_url), where
            assert feed_has_author or entry.find(ATOM + "author") is not None, where
            author = entry.find(ATOM + "author")
            assert author is None or _text(author, "name"), where
            content = entry.find(ATOM + "content")
            assert content is not None and content.get("type") == "html" and (content.text or "").strip(), where
            for category in entry.findall(ATOM + "category"):
                assert category.get("term"), where
        if entries:
            newest = max(dt.datetime.fromisoformat(_text(e, "updated")) for e in entries)
            assert dt.datetime.fromisoformat(updated) == newest, where


# --- JSON Feed 1.1 -------------------------------------------------------------------------------------

def test_json_feeds_have_the_keys_json_feed_1_1_requires(site):
    base_url = base_url_of(site)
    for prefix in feed_prefixes(site):
        where = f"{prefix}feed.json"
        feed = json.loads((site / where).read_text("utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1", where
        assert isinstance(feed["title"], str) and feed["title"], where
        assert isinstance(feed["items"], list), where
        assert feed["feed_url"] == base_url + where and feed["home_page_url"].startswith(base_url), where
        ids = [item["id"] for item in feed["items"]]
        assert len(ids) == len(set(ids)), where
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"], where
            assert item.get("content_html") or item.get("content_text"), where
            assert item["url"].startswith(base_url), where
            for key in ("date_published", "date_modified"):
                assert RFC3339.match(item[key]), f"{where}: {key}"
            assert item["date_modified"] >= item["date_published"][:10], where
            assert all(author.get("name") for author in item["authors"]), where
            assert all(isinstance(tag, str) for tag in item["tags"]), where


def test_feed_formats_agree_on_ids_and_dates(site):
    for prefix in feed_prefixes(site):
        rss = feedparser.parse((site / prefix / "feed.xml").read_bytes())
        atom = ET.parse(site / prefix / "atom.xml").getroot().findall(ATOM + "entry")
        items = json.loads((site / prefix / "feed.json").read_text("utf-8"))["items"]
        assert [e.id for e in rss.entries] == [_text(e, "id") for e in atom] == [i["id"] for i in items], prefix
        assert [_text(e, "updated") for e in atom] == [i["date_modified"] for i in items], prefix
        assert [_text(e, "published") for e in atom] == [i["date_published"] for i in items], prefix


def test_modified_date_follows_updated_and_the_latest_correction():
    site = built_site("basic")
    items = {i["id"]: i for i in json.loads((site / "feed.json").read_text("utf-8"))["items"]}
    corrected = items[BASIC_URL + "articles/deuda-y-fmi/"]
    assert corrected["date_published"] == "2026-01-20T09:30:00-03:00"
    assert corrected["date_modified"] == "2026-01-25T00:00:00-03:00"   # correction (25th) beats updated (22nd)
    plain = items[BASIC_URL + "articles/china-russia-and-the-region/"]
    assert plain["date_modified"] == plain["date_published"]
    atom = ET.parse(site / "atom.xml").getroot()
    entry = next(e for e in atom.findall(ATOM + "entry") if _text(e, "id") == corrected["id"])
    assert _text(entry, "updated") == "2026-01-25T00:00:00-03:00"
    assert _text(entry, "published") == "2026-01-20T09:30:00-03:00"


def test_feeds_carry_the_full_article_body():
    site = built_site("basic")
    items = {i["id"]: i for i in json.loads((site / "feed.json").read_text("utf-8"))["items"]}
    body = items[BASIC_URL + "articles/deuda-y-fmi/"]["content_html"]
    assert "The US is a major IMF shareholder." in body and "<strong>board</strong>" in body
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    entry = next(e for e in rss.entries if e.id.endswith("/deuda-y-fmi/"))
    assert "<strong>board</strong>" in entry.content[0].value


_LINK_IN_CONTENT = re.compile(r'\s(?:href|src)="([^"]*)"')


def _contents(site: Path) -> dict[str, list[str]]:
    """Every feed file's article bodies, as HTML."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("feed.xml")) + sorted(site.rglob("atom.xml")):
        parsed = feedparser.parse(path.read_bytes())
        found[str(path.relative_to(site))] = [e.content[0].value for e in parsed.entries if "content" in e]
    for path in sorted(site.rglob("feed.json")):
        items = json.loads(path.read_text("utf-8"))["items"]
        found[str(path.relative_to(site))] = [item["content_html"] for item in items]
    return found


def test_links_in_feed_content_are_absolute(site):
    contents = _contents(site)
    links = [link for bodies in contents.values() for body in bodies for link in _LINK_IN_CONTENT.findall(body)]
    relative = sorted({link for link in links if not re.match(r"^(https?:|mailto:)", link)})
    assert relative == []


def test_footnotes_in_feeds_point_into_their_article():
    site = built_site("basic")
    [body] = [i["content_html"] for i in json.loads((site / "feed.json").read_text("utf-8"))["items"]
              if i["id"].endswith("/el-ajuste-fiscal-de-milei-ano-uno/")]
    assert f'href="{BASIC_URL}articles/el-ajuste-fiscal-de-milei-ano-uno/#fn:1"' in body
    # the article page itself keeps its short in-page links
    page = (site / "articles" / "el-ajuste-fiscal-de-milei-ano-uno" / "index.html").read_text("utf-8")
    assert 'href="#fn:1"' in page


def test_escaping_survives_every_format():
    site = built_site("basic")
    summary = "Austerity & privatisation <in brief>."
    url = BASIC_URL + "articles/el-ajuste-fiscal-de-milei-ano-uno/"
    rss = next(e for e in feedparser.parse((site / "feed.xml").read_bytes()).entries if e.id == url)
    atom = ET.parse(site / "atom.xml").getroot()
    entry = next(e for e in atom.findall(ATOM + "entry") if _text(e, "id") == url)
    item = next(i for i in json.loads((site / "feed.json").read_text("utf-8"))["items"] if i["id"] == url)
    assert _text(entry, "summary") == item["summary"] == summary
    assert rss.title == _text(entry, "title") == item["title"] == "El ajuste fiscal de Milei: año uno"


def _ids(out: Path) -> dict[str, list[str]]:
    ids = {p: [i["id"] for i in json.loads((out / p).read_text("utf-8"))["items"]]
           for p in ("feed.json", "topics/debt-imf/feed.json")}
    ids["atom.xml"] = [e.id for e in feedparser.parse((out / "atom.xml").read_bytes()).entries]
    ids["feed.xml"] = [e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries]
    return ids


def test_feed_ids_survive_edits_to_an_article(tmp_path):
    """Ids are the permalinks: a new title (with the slug pinned, as editors do once an article is out),
    summary, body or correction leaves them alone, so readers do not see the article twice."""
    root = copy_site(tmp_path / "project")
    build_fixture(root)
    before = _ids(root / "site")
    article = root / "content" / "articles" / "deuda-y-fmi.md"
    text = article.read_text("utf-8")
    text = text.replace("title: Deuda y FMI", "title: La deuda y el FMI\nslug: deuda-y-fmi")
    text = text.replace("summary: Restructuring talks", "summary: Talks")
    text = text.replace("    text: An earlier version misnamed the lender.",
                        "    text: An earlier version misnamed the lender.\n  - date: 2026-01-27\n    text: Fixed a date.")
    article.write_text(text + "\nA new closing paragraph.\n", "utf-8")
    build_fixture(root)
    assert _ids(root / "site") == before
    item = next(i for i in json.loads((root / "site" / "feed.json").read_text("utf-8"))["items"]
                if i["id"] == BASIC_URL + "articles/deuda-y-fmi/")
    assert item["title"] == "La deuda y el FMI" and item["date_modified"] == "2026-01-27T00:00:00-03:00"
    assert "A new closing paragraph." in item["content_html"]


# --- Sitemaps ------------------------------------------------------------------------------------------

def _schema(name: str):
    require_module("xmlschema")
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / name))


def test_sitemap_index_and_sitemaps_validate_against_the_sitemaps_org_schemas(site):
    _schema("siteindex.xsd").validate(str(site / "sitemap.xml"))
    sitemap = _schema("sitemap.xsd")
    files = sitemap_files(site, base_url_of(site))
    for path in files:
        sitemap.validate(str(path))
    # one sitemap of the pages that are not articles, then one per month of articles, newest first
    names = [path.relative_to(site).as_posix() for path in files]
    months = [name.removeprefix("sitemaps/").removesuffix(".xml") for name in names[1:]]
    assert names[0] == "sitemaps/pages.xml" and months == sorted(months, reverse=True)
    assert months and all(re.fullmatch(r"\d{4}-\d{2}", month) for month in months)


def test_each_month_sitemap_holds_that_months_articles_and_the_index_its_newest_change(site):
    base_url = base_url_of(site)
    index = ET.parse(site / "sitemap.xml").getroot()
    for entry in index.iterfind(f"{SITEMAP}sitemap"):
        path = site / entry.findtext(f"{SITEMAP}loc")[len(base_url):]
        urls = ET.parse(path).getroot().findall(f"{SITEMAP}url")
        if path.name == "pages.xml":
            assert entry.find(f"{SITEMAP}lastmod") is None
            assert urls and not any("/articles/" in u.findtext(f"{SITEMAP}loc") for u in urls)
            continue
        assert urls and all("/articles/" in u.findtext(f"{SITEMAP}loc") for u in urls)
        for url in urls:  # the month the article was published in, as its page says
            page = site / url.findtext(f"{SITEMAP}loc")[len(base_url):] / "index.html"
            published = re.search(r'<meta property="article:published_time" content="([^"]+)"',
                                  page.read_text("utf-8"))[1]
            assert published.startswith(path.stem + "-"), (path.name, published)
        assert entry.findtext(f"{SITEMAP}lastmod") == max(
            (u.findtext(f"{SITEMAP}lastmod") for u in urls), key=dt.datetime.fromisoformat)


def test_sitemap_lists_every_page_and_only_existing_ones(site):
    base_url = base_url_of(site)
    locs = sitemap_locs(site, base_url)
    assert len(locs) == len(set(locs))
    for loc in locs:
        assert loc.startswith(base_url), loc
        assert (site / loc[len(base_url):] / "index.html").is_file(), loc
    pages = {p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")
             if "pagefind" not in p.parts}
    # every page but the search pages (the site's and each other edition's, e.g. es/search/)
    expected = {base_url + ("" if page == "./" else page) for page in pages
                if not re.fullmatch(r"(?:[a-z]{2}/)?search/", page)}
    assert set(locs) == expected


def test_sitemap_schema_rejects_what_it_should():
    schema = _schema("sitemap.xsd")
    head = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    assert schema.is_valid(head + "<url><loc>https://example.org/a/</loc><lastmod>2026-01-02</lastmod></url></urlset>")
    assert not schema.is_valid(head + "<url><loc>/a/</loc></url></urlset>")
    assert not schema.is_valid(head + "<url><lastmod>2026-01-02</lastmod></url></urlset>")
    assert not schema.is_valid(head + "<url><loc>https://example.org/a/</loc><lastmod>yesterday</lastmod>"
                                      "</url></urlset>")


def test_news_sitemap_validates_with_recent_articles(tmp_path):
    root = copy_site(tmp_path / "project")
    now = dt.datetime(2026, 2, 11, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    build_fixture(root, now=now)
    path = root / "site" / "news-sitemap.xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    tree = ET.parse(path).getroot()
    assert [loc.text for loc in tree.iterfind("s:url/s:loc", ns)] == [BASIC_URL + "articles/china-russia-and-the-region/"]
    assert tree.find("s:url/n:news/n:title", ns).text == "China, Russia and the region"
    _schema("sitemap-news.xsd").validate(str(path))
    robots = (root / "site" / "robots.txt").read_text("utf-8").splitlines()
    assert f"Sitemap: {BASIC_URL}news-sitemap.xml" in robots
    # two days later the news sitemap has nothing to list: it goes, and robots.txt stops naming it
    build_fixture(root, now=now + dt.timedelta(days=3))
    assert not path.exists()
    assert "news-sitemap.xml" not in (root / "site" / "robots.txt").read_text("utf-8")


def test_robots_txt_points_at_the_sitemap(site):
    assert f"Sitemap: {base_url_of(site)}sitemap.xml" in (site / "robots.txt").read_text("utf-8").splitlines()


def test_an_article_without_a_summary_keeps_every_feed_valid(tmp_path):
    project = copy_site(tmp_path / "project")
    article = project / "content" / "articles" / "deuda-y-fmi.md"
    text = article.read_text("utf-8")
    article.write_text(re.sub(r"(?m)^summary: .*$", "summary: ''", text, count=1), "utf-8")
    build_fixture(project)
    site = project / "site"
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert parsed.bozo == 0, name
    [item] = [i for i in json.loads((site / "feed.json").read_text("utf-8"))["items"]
              if i["id"].endswith("/deuda-y-fmi/")]
    assert "summary" not in item and item["content_html"]
    atom = ET.parse(site / "atom.xml").getroot()
    [entry] = [e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith("/deuda-y-fmi/")]
    assert entry.find(f"{ATOM}summary") is None and entry.find(f"{ATOM}content") is not None
