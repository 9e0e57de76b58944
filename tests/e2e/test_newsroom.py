"""Newsroom features on the newsroom fixture: corrections, timelines, sources, bylines, labels,
scheduled publishing, expiry and the news sitemap; and the same promises checked on the shipped content."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml

from milei_watch import model, sources
from milei_watch.config import load_config
from milei_watch.errors import BuildError
from tests.conftest import FIXED_NOW, FIXTURES, build_fixture, copy_shipped, copy_site, run_cli
from tests.support.sitemaps import sitemap_urls

TZ = ZoneInfo("America/Argentina/Buenos_Aires")
BASE = "https://newsroom.example.org/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

INFLACION = "articles/inflacion-de-enero-lo-que-dijo-el-instituto-de-ejemplo/"
RESERVAS = "articles/reservas-del-banco-central/"
BONOS = "articles/bonos-fmi-y-el-calendario-de-pagos/"
CANCILLERIA = "articles/cancilleria-y-el-departamento-de-estado/"
OPINION = "articles/opinion-el-mercosur-despues-del-balotaje/"
CUMBRE = "articles/cumbre-regional-guia-practica/"      # expired on 15 February
SCHEDULED = "articles/anuncio-programado/"              # 1 December 2026, 09:00
DRAFT = "articles/borrador/"

# The published articles at FIXED_NOW, newest first, with their label and byline.
PUBLISHED = [
    (INFLACION, "news", "maria-lopez"),
    (RESERVAS, "analysis", "maria-lopez"),
    (OPINION, "opinion", "juan-perez"),
    (BONOS, "analysis", "desk"),
    (CANCILLERIA, "explainer", "juan-perez"),
]
AUTHOR_NAMES = {"desk": "Mesa de redacción", "maria-lopez": "María López", "juan-perez": "Juan Pérez",
                "ana-gomez": "Ana Gómez"}
# The newsroom fixture is a Spanish site (language: es): its interface speaks Spanish.
LABELS = {"analysis": "Análisis", "news": "Noticia", "explainer": "Explicativo", "opinion": "Opinión"}
SCHEMA_TYPES = {"analysis": "AnalysisNewsArticle", "news": "NewsArticle", "explainer": "BackgroundNewsArticle",
                "opinion": "OpinionNewsArticle"}
# Every event in the content: (date, title, article, topics).
EVENTS = [
    ("2023-12-10", "Milei asume la presidencia", OPINION, {"economy", "regional"}),
    ("2024-01-12", "El directorio del FMI aprueba la revisión", BONOS, {"debt-imf"}),
    ("2026-01-25", "Argentina confirma las reuniones ministeriales", CANCILLERIA, {"diplomacy", "economy"}),
    ("2026-02-13", "El Instituto de Ejemplo publica la inflación de enero", INFLACION, {"economy"}),
]


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Path:
    """The newsroom fixture built once at FIXED_NOW; tests that change it make their own copy."""
    root = copy_site(tmp_path_factory.mktemp("newsroom") / "project", "newsroom")
    build_fixture(root)
    return root


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "project", "newsroom")


def _read(root: Path, url: str) -> str:
    rel = url + "index.html" if url == "" or url.endswith("/") else url
    return (root / "site" / rel).read_text("utf-8")


def _main(html: str) -> str:
    return html[html.index("<main"): html.index("</main>")]


def _cards(html: str) -> list[tuple[str, str]]:
    """(article url, kind) of each card or headline in the page's main part; a card without a label is
    analysis, the site's default kind, which cards leave unlabelled."""
    found = []
    for block in re.findall(r'<article class="card[^"]*">.*?</article>|<li class="headline">.*?</li>', _main(html), re.S):
        label = re.search(r'<span class="label label-([a-z]+)">', block)
        url = re.search(r'class="card-title[^"]*"><a href="/([^"]+)"', block)[1]
        found.append((url, label[1] if label else "analysis"))
    return found


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def _build_errors(root: Path) -> list[str]:
    with pytest.raises(BuildError) as info:
        build_fixture(root)
    return [f"{d.location}: {d.message}" for d in info.value.diagnostics]


def _add_broken(root: Path, name: str) -> None:
    shutil.copyfile(FIXTURES / "broken" / name, root / "content" / "articles" / name)


# Corrections ---------------------------------------------------------------------------------------------

def test_corrections_box_ends_the_article_oldest_first(newsroom):
    html = _read(newsroom, BONOS)
    box = re.search(r'<section class="corrections" id="corrections".*?</section>', html, re.S)
    assert box and html.index('<div class="body">') < box.start()
    assert re.findall(r'<li><time datetime="([^"]+)">[^<]+</time>: ([^<]+)</li>', box.group(0)) == [
        ("2026-02-05T00:00:00-03:00", "Una versión anterior daba un vencimiento equivocado."),
        ("2026-02-20T00:00:00-03:00", "El monto estaba en dólares, no en pesos."),
    ]


def test_corrected_article_says_corrected_on_the_latest_date(newsroom):
    html = _read(newsroom, BONOS)
    assert re.search(r'Corregido el <time datetime="2026-02-20T00:00:00-03:00">20 de febrero de 2026</time>\. '
                     r'<a href="#corrections">Ver las correcciones</a>', html)
    assert "Corregido el" not in _read(newsroom, RESERVAS)


def test_byline_shows_the_latest_change_as_updated(newsroom):
    def updated(path: str) -> list[str]:
        byline = re.search(r'<p class="byline".*?</p>', _read(newsroom, path), re.S).group(0)
        return re.findall(r'<span>Actualizado <time datetime="([^"]+)">', byline)

    assert updated(BONOS) == ["2026-02-20T00:00:00-03:00"]        # a correction later than any update
    assert updated(CANCILLERIA) == ["2026-01-28T00:00:00-03:00"]  # its `updated:` date
    assert updated(RESERVAS) == []                                 # never changed since publication


def test_modified_moves_to_the_latest_correction(newsroom):
    html = _read(newsroom, BONOS)
    data = _json_ld(html)
    assert data["datePublished"] == "2026-02-02T00:00:00-03:00"
    assert data["dateModified"] == "2026-02-20T00:00:00-03:00"
    assert [c["text"] for c in data["correction"]] == ["Una versión anterior daba un vencimiento equivocado.",
                                                       "El monto estaba en dólares, no en pesos."]
    assert '<meta property="article:modified_time" content="2026-02-20T00:00:00-03:00">' in html
    lastmod = {u.findtext(f"{{{SITEMAP_NS}}}loc"): u.findtext(f"{{{SITEMAP_NS}}}lastmod")
               for u in sitemap_urls(newsroom / "site", BASE)}
    assert lastmod[BASE + BONOS] == "2026-02-20T00:00:00-03:00"
    assert lastmod[BASE + CANCILLERIA] == "2026-01-28T00:00:00-03:00"


def test_corrections_page_lists_newest_first_linking_to_the_articles(newsroom):
    entries = re.findall(r'<li><time datetime="([^"]+)">[^<]+</time>: <a href="/([^"#]+)#corrections">',
                         _main(_read(newsroom, "corrections/")))
    assert entries == [("2026-02-20T00:00:00-03:00", BONOS), ("2026-02-05T00:00:00-03:00", BONOS),
                       ("2026-01-28T00:00:00-03:00", CANCILLERIA)]
    for _date, url in entries:
        assert 'id="corrections"' in _read(newsroom, url)


def test_correction_before_the_article_date_is_an_error_with_file_and_line(fresh):
    _add_broken(fresh, "correction-before-date.md")
    assert _build_errors(fresh) == ["content/articles/correction-before-date.md:7: "
                                    "correction dated 2025-02-03 is before the article's date 2026-02-01"]


def test_feeds_republish_a_corrected_article_under_the_same_id(fresh):
    build_fixture(fresh)
    before = _feed_entries(fresh)
    article = fresh / "content" / "articles" / "inflacion-enero.md"
    article.write_text(article.read_text("utf-8").replace(
        "kind: news\n", "kind: news\ncorrections:\n  - date: 2026-02-25T09:00:00-03:00\n"
                        "    text: El dato era mensual, no anual.\n"), "utf-8")
    build_fixture(fresh)
    after = _feed_entries(fresh)

    link = BASE + INFLACION
    assert after["rss"][link] == before["rss"][link]                      # guid and pubDate stay
    assert after["atom"][link][0] == before["atom"][link][0] == link        # id stays
    assert after["atom"][link][1] == before["atom"][link][1]                # published stays
    assert (before["atom"][link][2], after["atom"][link][2]) == ("2026-02-24T10:00:00-03:00",
                                                                 "2026-02-25T09:00:00-03:00")
    assert after["json"][link]["id"] == before["json"][link]["id"] == link
    assert after["json"][link]["date_published"] == before["json"][link]["date_published"]
    assert (before["json"][link]["date_modified"], after["json"][link]["date_modified"]) == (
        "2026-02-24T10:00:00-03:00", "2026-02-25T09:00:00-03:00")
    # the other entries are untouched
    for kind in ("rss", "atom", "json"):
        assert {k: v for k, v in after[kind].items() if k != link} == {
            k: v for k, v in before[kind].items() if k != link}


def _feed_entries(root: Path) -> dict[str, dict]:
    site = root / "site"
    rss = {item.findtext("link"): (item.findtext("guid"), item.findtext("pubDate"))
           for item in ET.parse(site / "feed.xml").getroot().iter("item")}
    atom_ns = "{http://www.w3.org/2005/Atom}"
    atom = {}
    for entry in ET.parse(site / "atom.xml").getroot().iter(f"{atom_ns}entry"):
        href = entry.find(f"{atom_ns}link").get("href")
        atom[href] = (entry.findtext(f"{atom_ns}id"), entry.findtext(f"{atom_ns}published"),
                      entry.findtext(f"{atom_ns}updated"))
    items = json.loads((site / "feed.json").read_text("utf-8"))["items"]
    return {"rss": rss, "atom": atom, "json": {item["url"]: item for item in items}}


# Timelines -----------------------------------------------------------------------------------------------

def _timeline(html: str) -> list[tuple[int, str, str, str]]:
    """(year heading, date, event title, article url) in page order."""
    rows = []
    for year, body in re.findall(r'<h2 id="year-(\d{4})">\d{4}</h2>(.*?)</section>', _main(html), re.S):
        for date, title, url in re.findall(r'<time datetime="([^"]+)">[^<]+</time> <span class="event-title">'
                                           r'([^<]+)</span> <a href="/([^"]+)">', body):
            rows.append((int(year), date, unescape(title), url))
    return rows


def test_timeline_lists_exactly_the_events_in_date_order_grouped_by_year(newsroom):
    rows = _timeline(_read(newsroom, "timeline/"))
    assert rows == [(int(date[:4]), date, title, url) for date, title, url, _topics in EVENTS]
    for _year, _date, _title, url in rows:
        assert (newsroom / "site" / url / "index.html").is_file()


@pytest.mark.parametrize("topic", ["economy", "debt-imf", "diplomacy", "regional"])
def test_topic_timeline_lists_the_events_of_that_topic(newsroom, topic):
    rows = _timeline(_read(newsroom, f"topics/{topic}/timeline/"))
    assert [(date, url) for _y, date, _t, url in rows] == [
        (date, url) for date, _title, url, topics in EVENTS if topic in topics]
    assert f'href="/topics/{topic}/timeline/">' in _read(newsroom, f"topics/{topic}/")


# Sources -------------------------------------------------------------------------------------------------

def test_article_numbers_its_sources(newsroom):
    html = _read(newsroom, INFLACION)
    box = re.search(r'<section class="sources" id="sources".*?<ol class="source-list">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r'<li id="source-(\d+)"><span class="publisher">([^<]+)</span>', box) == [
        ("1", "Fixture Wire"), ("2", "Instituto de Ejemplo")]
    assert '<a href="https://example.com/fixture-wire/inflation">Argentina January inflation</a>' in box
    assert '<time datetime="2026-02-13">13 de febrero de 2026</time>' in box
    assert "<cite>Índice de precios al consumidor</cite>" in box
    citations = _json_ld(html)["citation"]
    assert [c["publisher"]["name"] for c in citations] == ["Fixture Wire", "Instituto de Ejemplo"]


def test_sources_page_lists_each_publisher_with_its_citing_articles(newsroom):
    main = _main(_read(newsroom, "sources/"))
    listed = {publisher: re.findall(r'<li><a href="/([^"]+)">', body)
              for publisher, body in re.findall(r'<h2 id="publisher-\d+">([^<]+)</h2>(.*?)</section>', main, re.S)}
    # the expired summit guide, the scheduled piece and the draft cite Fixture Wire too, but are not listed
    assert listed == {
        "Example Gazette": [RESERVAS, BONOS],
        "Fixture Wire": [INFLACION, BONOS],
        "Instituto de Ejemplo": [INFLACION],
        "Placeholder Press": [OPINION],
        "Unattributed news report": [CANCILLERIA],
    }


# Bylines -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", sorted(AUTHOR_NAMES))
def test_author_page_lists_their_articles_and_offers_a_feed(newsroom, slug):
    html = _read(newsroom, f"authors/{slug}/")
    expected = [url for url, _kind, author in PUBLISHED if author == slug]
    assert [url for url, _kind in _cards(html)] == expected
    assert f"<h1>{AUTHOR_NAMES[slug]}</h1>" in html
    assert f'<link rel="alternate" type="application/rss+xml" title="{AUTHOR_NAMES[slug]} (RSS)" ' \
           f'href="/authors/{slug}/feed.xml">' in html
    feed = feedparser.parse((newsroom / "site" / "authors" / slug / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.link for e in feed.entries] == [BASE + url for url in expected]
    assert all(e.author == AUTHOR_NAMES[slug] for e in feed.entries)
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"{BASE}authors/{slug}/feed.xml"]


def test_author_links_are_shown(newsroom):
    assert '<a href="https://newsroom.example.org/perfil/maria" rel="me">Perfil</a>' in _read(
        newsroom, "authors/maria-lopez/")


@pytest.mark.parametrize("url, kind, author", PUBLISHED)
def test_article_byline_and_json_ld_name_the_author(newsroom, url, kind, author):
    html = _read(newsroom, url)
    assert f'Por <a href="/authors/{author}/">{AUTHOR_NAMES[author]}</a>' in html
    data = _json_ld(html)
    assert data["author"]["name"] == AUTHOR_NAMES[author]
    assert data["author"]["url"] == f"{BASE}authors/{author}/"


def test_unknown_author_is_an_error_with_file_and_line(fresh):
    _add_broken(fresh, "unknown-author.md")
    assert _build_errors(fresh) == ["content/articles/unknown-author.md:6: unknown author 'ghost-writer'"]


# Labels --------------------------------------------------------------------------------------------------

def test_kind_labels_on_cards_only_where_they_tell_the_reader_something(newsroom):
    assert _cards(_read(newsroom, ""))[:len(PUBLISHED)] == [(url, kind) for url, kind, _a in PUBLISHED]
    assert _cards(_read(newsroom, "topics/economy/")) == [(INFLACION, "news"), (RESERVAS, "analysis")]
    home = _main(_read(newsroom, ""))
    for kind, label in LABELS.items():  # news, opinion and explainers say so; analysis, the default, does not
        assert (f'<span class="label label-{kind}">{label}</span>' in home) == (kind != "analysis"), kind


@pytest.mark.parametrize("url, kind, author", PUBLISHED)
def test_kind_label_on_the_page_and_json_ld_type(newsroom, url, kind, author):
    html = _read(newsroom, url)
    assert re.search(f'<p class="kicker"[^>]*><span class="label label-{kind}">{LABELS[kind]}</span>', html)
    assert _json_ld(html)["@type"] == SCHEMA_TYPES[kind]


def test_unknown_kind_is_an_error_with_line(fresh):
    _add_broken(fresh, "unknown-kind.md")
    assert _build_errors(fresh) == ["content/articles/unknown-kind.md:6: unknown kind 'editorial'"]


# Scheduled publishing ------------------------------------------------------------------------------------

def test_scheduled_article_stays_out_until_its_time(fresh):
    just_before = dt.datetime(2026, 12, 1, 8, 59, 59, tzinfo=TZ)
    report = build_fixture(fresh, now=just_before)
    assert not (fresh / "site" / SCHEDULED).exists()
    assert BASE + SCHEDULED not in _feed_entries(fresh)["rss"]
    assert report.next_scheduled == (dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), "content/articles/scheduled.md")

    report = build_fixture(fresh, now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc))  # 09:00 local
    assert (fresh / "site" / SCHEDULED / "index.html").is_file()
    assert list(_feed_entries(fresh)["rss"])[0] == BASE + SCHEDULED
    assert _cards(_read(fresh, ""))[0] == (SCHEDULED, "news")
    assert report.next_scheduled is None


def test_build_prints_the_next_scheduled_article(fresh):
    result = run_cli("build", "--root", fresh, "--now", "2026-02-25T12:00:00-03:00")
    assert result.returncode == 0, result.stderr
    assert "next scheduled: 2026-12-01 09:00 -03:00 content/articles/scheduled.md" in result.stdout.splitlines()
    later = run_cli("build", "--root", fresh, "--now", "2026-12-02T00:00:00-03:00")
    assert later.returncode == 0 and "next scheduled" not in later.stdout


# Expiry --------------------------------------------------------------------------------------------------

def test_expired_article_leaves_listings_and_feeds_but_keeps_its_page(newsroom):
    html = _read(newsroom, CUMBRE)
    assert re.search(r'<p class="notice" role="note"[^>]*>Este artículo ya no está vigente: venció el '
                     r'<time datetime="2026-02-15T00:00:00-03:00">15 de febrero de 2026</time>', html)
    mentions = sorted(p.relative_to(newsroom / "site").as_posix()
                      for p in (newsroom / "site").rglob("*") if p.is_file() and CUMBRE.encode() in p.read_bytes())
    # reachable (its page, the sitemap) but in no listing, feed or related box, nor in search
    assert mentions == [CUMBRE + "index.html", "sitemaps/2026-01.xml"]  # the sitemap of its month
    assert "data-pagefind-body" not in html and "data-pagefind-body" in _read(newsroom, RESERVAS)


def test_article_is_listed_until_it_expires(fresh):
    build_fixture(fresh, now=dt.datetime(2026, 2, 14, 23, 59, tzinfo=TZ))
    assert (CUMBRE, "news") in _cards(_read(fresh, "topics/regional/"))
    assert BASE + CUMBRE in _feed_entries(fresh)["rss"]
    assert 'class="notice"' not in _read(fresh, CUMBRE)
    assert CUMBRE in _read(fresh, OPINION)  # suggested as related while it is current

    # the clock passes the expiry date: the next (incremental) build takes it out everywhere
    build_fixture(fresh)
    assert (CUMBRE, "news") not in _cards(_read(fresh, "topics/regional/"))
    assert BASE + CUMBRE not in _feed_entries(fresh)["rss"]
    assert CUMBRE not in _read(fresh, OPINION)
    assert 'class="notice"' in _read(fresh, CUMBRE)


# News sitemap --------------------------------------------------------------------------------------------

def _news_urls(root: Path) -> list[str]:
    tree = ET.parse(root / "site" / "news-sitemap.xml").getroot()
    assert tree.tag == f"{{{SITEMAP_NS}}}urlset"
    urls = []
    for url in tree:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        loc = url.findtext(f"{{{SITEMAP_NS}}}loc")
        assert loc.startswith(BASE)
        news = url.find(f"{{{NEWS_NS}}}news")
        publication = news.find(f"{{{NEWS_NS}}}publication")
        assert publication.findtext(f"{{{NEWS_NS}}}name") == "Newsroom Fixture"
        assert publication.findtext(f"{{{NEWS_NS}}}language") == "es"
        assert W3C_DATETIME.match(news.findtext(f"{{{NEWS_NS}}}publication_date"))
        assert news.findtext(f"{{{NEWS_NS}}}title")
        urls.append(loc.removeprefix(BASE))
    return urls


def test_news_sitemap_holds_the_articles_of_the_last_two_days(newsroom):
    # reservas was published at 11:59 two days before the clock's 12:00: one minute too old
    assert _news_urls(newsroom) == [INFLACION]
    tree = ET.parse(newsroom / "site" / "news-sitemap.xml").getroot()
    news = tree.find(f"{{{SITEMAP_NS}}}url/{{{NEWS_NS}}}news")
    assert news.findtext(f"{{{NEWS_NS}}}title") == "Inflación de enero: lo que dijo el Instituto de Ejemplo"
    assert news.findtext(f"{{{NEWS_NS}}}publication_date") == "2026-02-24T10:00:00-03:00"
    text = (newsroom / "site" / "news-sitemap.xml").read_text("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'xmlns:news="{NEWS_NS}"' in text


def test_news_sitemap_follows_the_build_clock(fresh):
    build_fixture(fresh, now=dt.datetime(2026, 2, 25, 11, 0, tzinfo=TZ))
    assert _news_urls(fresh) == [INFLACION, RESERVAS]
    build_fixture(fresh, now=dt.datetime(2026, 3, 10, tzinfo=TZ))
    # With nothing recent there is no news sitemap at all: the schema requires at least one <url>.
    assert not (fresh / "site" / "news-sitemap.xml").exists()


# Shipped content -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> tuple[Path, model.Site]:
    root = copy_shipped(tmp_path_factory.mktemp("shipped") / "project")
    config = load_config(root)
    authors, problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, read_problems, _files = sources.read_all(root, config.content_dir, {}, 0)
    site, model_problems = model.build_site(config, docs, authors, now=FIXED_NOW, future=True)
    assert not problems + read_problems + model_problems
    return root, site


def test_every_shipped_article_cites_sources(shipped):
    _root, site = shipped
    assert site.all_articles
    assert [a.source for a in site.all_articles if not a.sources] == []


def test_every_shipped_byline_is_in_authors_yaml(shipped):
    root, site = shipped
    listed = {a["slug"] for a in yaml.safe_load((root / "content" / "authors.yaml").read_text("utf-8"))}
    assert {a.author for a in site.all_articles} <= listed


def test_shipped_timeline_holds_exactly_the_two_events(shipped):
    root, _site = shipped
    build_fixture(root, now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=TZ))   # after every shipped article
    rows = _timeline(_read(root, "timeline/"))
    assert [(year, date, title) for year, date, title, _url in rows] == [
        (2023, "2023-12-10", "Javier Milei assumes the presidency of Argentina"),
        (2026, "2026-01-25", "Argentina’s participation in ministerial meetings at the State Department confirmed "
                             "as of 25 January 2026, per the report"),
    ]
    for _year, _date, _title, url in rows:
        assert (root / "site" / url / "index.html").is_file()


def test_shipped_spanish_timeline_holds_the_same_two_events_in_spanish(shipped):
    root, _site = shipped
    build_fixture(root, now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=TZ))   # after every shipped article
    rows = _timeline(_read(root, "es/timeline/"))
    assert [(year, date, title) for year, date, title, _url in rows] == [
        (2023, "2023-12-10", "Javier Milei asume la presidencia de la Argentina"),
        (2026, "2026-01-25", ("Participación de la Argentina en reuniones ministeriales en el Departamento de "
                              "Estado, confirmada al 25 de enero de 2026, según el informe")),
    ]
    for _year, _date, _title, url in rows:
        assert url.startswith("es/articles/") and (root / "site" / url / "index.html").is_file()
