"""Typographic punctuation: titles, summaries and takeaways get the curly quotes, dashes and ellipses that
bodies get, and show them alike on the page, in its JSON-LD and in RSS, Atom and JSON Feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from milei_watch.typography import smarten, smarten_html
from tests.conftest import build_fixture, copy_site
from tests.support.pages import read_page

ATOM = "{http://www.w3.org/2005/Atom}"
URL = "https://fixture.example.org/articles/quotes/"
TITLE = "Milei’s “chainsaw” – the ‘ajuste’…"
SUMMARY = "He said “cut” and meant it; the IMF’s view — for now — differs."
TAKEAWAY = "“Austerity first,” the minister’s line."


def test_smarten_curls_quotes_and_sets_dashes_and_ellipses():
    assert smarten('Milei\'s "chainsaw" -- the \'ajuste\'...') == TITLE
    assert smarten("a --- b") == "a — b"
    assert smarten("nothing to do") == "nothing to do"


def test_smarten_html_leaves_tags_attributes_and_code_alone():
    html = '<p title="x\'s">It\'s <code>"raw"</code> and <em>"cooked"</em>.</p>'
    assert smarten_html(html) == '<p title="x\'s">It’s <code>"raw"</code> and <em>“cooked”</em>.</p>'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("typography") / "project")
    (root / "content" / "articles" / "quotes.md").write_text(
        "---\n"
        "title: 'Milei''s \"chainsaw\" -- the ''ajuste''...'\n"
        "slug: quotes\n"
        "date: 2026-02-24\n"
        "topics: [economy]\n"
        "summary: 'He said \"cut\" and meant it; the IMF''s view --- for now --- differs.'\n"
        "takeaways:\n"
        "  - '\"Austerity first,\" the minister''s line.'\n"
        "---\n"
        'The body\'s "quotes" curl too.\n', "utf-8")
    build_fixture(root, full=True)
    return root / "site"


def test_the_article_page_shows_typographic_title_summary_and_takeaways(site):
    page = read_page(site / "articles" / "quotes" / "index.html")
    html = (site / "articles" / "quotes" / "index.html").read_text("utf-8")
    assert page.h1 == [TITLE]
    assert page.title.startswith(TITLE + " · ")
    assert page.one_meta("og:title") == TITLE and page.one_meta("description") == SUMMARY
    assert f'<p class="standfirst">{SUMMARY}</p>' in html
    assert "<li>“Austerity first,” the minister’s line.</li>" in html
    assert "The body’s “quotes” curl too." in html
    [data] = page.data()
    assert (data["headline"], data["description"]) == (TITLE, SUMMARY)


def test_listings_show_the_typographic_title(site):
    for listing in ("index.html", "topics/economy/index.html", "archive/index.html"):
        html = (site / listing).read_text("utf-8")
        assert TITLE in html and "&#34;chainsaw" not in html and '"chainsaw' not in html, listing


def test_every_feed_format_carries_the_typographic_title_and_summary(site):
    rss = next(e for e in feedparser.parse((site / "feed.xml").read_bytes()).entries if e.id == URL)
    assert (rss.title, rss.summary) == (TITLE, SUMMARY)
    atom = next(e for e in ET.parse(site / "atom.xml").getroot().findall(ATOM + "entry")
                if e.find(ATOM + "id").text == URL)
    assert (atom.find(ATOM + "title").text, atom.find(ATOM + "summary").text) == (TITLE, SUMMARY)
    item = next(i for i in json.loads((site / "feed.json").read_text("utf-8"))["items"] if i["id"] == URL)
    assert (item["title"], item["summary"]) == (TITLE, SUMMARY)
    assert "The body’s “quotes” curl too." in item["content_html"]
