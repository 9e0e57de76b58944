"""The feeds of a built site re-parse cleanly and carry exactly the published articles, newest first."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from tests.conftest import FIXED_NOW, build_fixture, copy_site

BASE = "https://fixture.example.org/"
TZ = ZoneInfo("America/Argentina/Buenos_Aires")
NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}

# The published articles of the basic fixture at FIXED_NOW, newest first: the draft, the
# scheduled piece and the expired opinion are left out.
PUBLISHED = [
    ("china-russia-and-the-region", dt.datetime(2026, 2, 10, tzinfo=TZ), ["Regional dynamics"]),
    ("meetings-at-the-state-department", dt.datetime(2026, 1, 25, 18, tzinfo=TZ), ["Diplomacy"]),
    ("deuda-y-fmi", dt.datetime(2026, 1, 20, 9, 30, tzinfo=TZ), ["Debt & IMF", "Diplomacy"]),
    ("el-ajuste-fiscal-de-milei-ano-uno", dt.datetime(2026, 1, 10, tzinfo=TZ), ["Economy"]),
]
# deuda-y-fmi was updated on 22 January and corrected on 25 January: its latest change.
MODIFIED = {"deuda-y-fmi": dt.datetime(2026, 1, 25, tzinfo=TZ)}
TOPICS = {"economy": "Economy", "debt-imf": "Debt & IMF", "diplomacy": "Diplomacy", "regional": "Regional dynamics"}
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("feeds") / "project")
    build_fixture(root)
    return root / "site"


def _rss_cases() -> list[tuple[str, list[tuple[str, dt.datetime, list[str]]]]]:
    cases = [("feed.xml", PUBLISHED)]
    for slug, name in TOPICS.items():
        cases.append((f"topics/{slug}/feed.xml", [item for item in PUBLISHED if name in item[2]]))
    return cases


@pytest.mark.parametrize("path, expected", _rss_cases(), ids=[c[0] for c in _rss_cases()])
def test_rss_feed_reparses_with_one_entry_per_published_article(site, path, expected):
    parsed = feedparser.parse((site / path).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert [e.link for e in parsed.entries] == [f"{BASE}articles/{slug}/" for slug, _d, _t in expected]
    guids = [e.id for e in parsed.entries]
    assert len(set(guids)) == len(guids) and all(g.startswith(BASE) for g in guids)
    for entry, (_slug, date, topics) in zip(parsed.entries, expected):
        assert [t.term for t in entry.tags if t.scheme == BASE + "topics/"] == topics
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [BASE + path]


@pytest.mark.parametrize("path, expected", _rss_cases(), ids=[c[0] for c in _rss_cases()])
def test_rss_dates_are_rfc822_and_last_build_date_is_the_newest_article(site, path, expected):
    channel = ET.parse(site / path).getroot().find("channel")
    dates = [item.findtext("pubDate") for item in channel.findall("item")]
    assert all(RFC822.match(d) for d in dates), dates
    assert [email.utils.parsedate_to_datetime(d) for d in dates] == [date for _s, date, _t in expected]
    # newest first
    parsed = [email.utils.parsedate_to_datetime(d) for d in dates]
    assert parsed == sorted(parsed, reverse=True)
    last_build = channel.findtext("lastBuildDate")
    assert RFC822.match(last_build)
    newest = max(MODIFIED.get(slug, date) for slug, date, _t in expected)
    assert email.utils.parsedate_to_datetime(last_build) == newest


def test_last_build_date_does_not_follow_the_clock(tmp_path):
    # Two builds a month apart with the same content give the same feed bytes.
    one = copy_site(tmp_path / "one")
    two = copy_site(tmp_path / "two")
    build_fixture(one)
    build_fixture(two, now=FIXED_NOW + dt.timedelta(days=30))
    assert (one / "site" / "feed.xml").read_bytes() == (two / "site" / "feed.xml").read_bytes()


def test_rss_links_are_absolute_and_channel_is_described(site):
    root = ET.parse(site / "feed.xml").getroot()
    channel = root.find("channel")
    assert channel.findtext("link") == BASE
    assert channel.findtext("title") == "Fixture Watch"
    assert channel.findtext("language") == "en"
    self_link = channel.find("atom:link", NS)
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "feed.xml"
    assert self_link.get("type") == "application/rss+xml"
    for item in channel.findall("item"):
        assert item.findtext("link").startswith(BASE)
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")


def test_rss_content_encoded_carries_the_body_html(site):
    items = {item.findtext("link"): item for item in ET.parse(site / "feed.xml").getroot().iter("item")}
    ajuste = items[BASE + "articles/el-ajuste-fiscal-de-milei-ano-uno/"]
    body = ajuste.findtext("content:encoded", namespaces=NS)
    assert '<h2 id="the-plan">The plan</h2>' in body
    # footnote links point into the article, not at the feed: a reader resolves them against the feed
    footnote = f'<a class="footnote-ref" href="{BASE}articles/el-ajuste-fiscal-de-milei-ano-uno/#fn:1">1</a>'
    assert "<table>" in body and footnote in body
    # the plain-text summary as HTML: a reader that decodes the XML once finds the text, not a tag
    assert ajuste.findtext("description") == "Austerity &amp; privatisation &lt;in brief&gt;."
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.link.endswith("/el-ajuste-fiscal-de-milei-ano-uno/"))
    assert "<table>" in entry.content[0].value


def test_atom_feed_reparses_with_stable_ids(site):
    parsed = feedparser.parse((site / "atom.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == [f"{BASE}articles/{slug}/" for slug, _d, _t in PUBLISHED]
    assert [e.id for e in parsed.entries] == [e.link for e in parsed.entries]
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [BASE + "atom.xml"]
    assert parsed.feed.updated == "2026-02-10T00:00:00-03:00"
    for entry, (_slug, _date, topics) in zip(parsed.entries, PUBLISHED):
        assert [t.label for t in entry.tags if t.scheme == BASE + "topics/"] == topics


def test_json_feed_lists_the_same_articles(site):
    feed = json.loads((site / "feed.json").read_text("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == BASE + "feed.json" and feed["home_page_url"] == BASE
    assert [item["id"] for item in feed["items"]] == [f"{BASE}articles/{slug}/" for slug, _d, _t in PUBLISHED]
    assert [dt.datetime.fromisoformat(item["date_published"]) for item in feed["items"]] == [
        date for _s, date, _t in PUBLISHED]
    assert all(item["content_html"].startswith("<") for item in feed["items"])


def test_feeds_carry_the_newest_twenty_articles_of_many(tmp_path):
    from benchmarks.bench_build import make_corpus

    make_corpus(tmp_path, 60)
    build_fixture(tmp_path, now=dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires")))
    site = tmp_path / "site"
    dates = []
    for path in sorted((tmp_path / "content" / "articles").glob("*.md")):
        head = path.read_text("utf-8").split("\n---", 1)[0]
        dates.append((dt.datetime.fromisoformat(re.search(r"^date: (.+)$", head, re.M)[1]), path.stem))
    newest = [stem for _date, stem in sorted(dates, reverse=True)[:20]]
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    assert rss.bozo == 0 and len(rss.entries) == 20
    published = [dt.datetime(*e.published_parsed[:6], tzinfo=dt.timezone.utc) for e in rss.entries]
    assert published == sorted(published, reverse=True)
    assert len({e.id for e in rss.entries}) == 20
    titles = {e.title for e in rss.entries}
    wanted = {re.search(r"^title: (.+)$", (tmp_path / "content" / "articles" / f"{stem}.md").read_text("utf-8"),
                        re.M)[1].strip('"') for stem in newest}
    assert titles == wanted
    assert {e.title for e in feedparser.parse((site / "atom.xml").read_bytes()).entries} == wanted
    assert len(json.loads((site / "feed.json").read_text("utf-8"))["items"]) == 20
