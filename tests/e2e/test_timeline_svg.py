"""The timeline's drawing (issue 16, acceptance 2): /timeline/ and each topic's timeline open with an
SVG drawn at build time, events on a time axis coloured by topic, each linked to its article, with
<title> and <desc> and the list of events beneath as its text alternative; no JavaScript."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from milei_watch import svg as drawing
from tests.conftest import build_fixture, copy_site, snapshot

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("timeline") / "project", "pictures")
    build_fixture(root)
    return root / "site"


def _drawing(page: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.search(r'<svg class="timeline-svg".*?</svg>', page, re.S)[0])


class _ListLinks(HTMLParser):
    """The article links of the timeline's list of events (outside the drawing)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.in_list = 0

    def handle_starttag(self, tag, attrs):
        if tag == "ol" and ("class", "timeline") in attrs:
            self.in_list += 1
        elif tag == "a" and self.in_list:
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "ol" and self.in_list:
            self.in_list -= 1


def _list_links(page: str) -> list[str]:
    reader = _ListLinks()
    reader.feed(page)
    return reader.links


def test_the_timeline_opens_with_a_drawing_that_links_every_event(built):
    page = (built / "timeline" / "index.html").read_text("utf-8")
    assert page.index("timeline-svg") < page.index('<ol class="timeline">'), "the drawing comes first"
    svg = _drawing(page)
    links = [a.get("href") for a in svg.iter(SVG + "a")]
    listed = _list_links(page)
    assert len(listed) == 4
    assert set(links) == set(listed), "every event's article is linked from the drawing"
    # one dot per event and topic: the fixture's four events have five topics between them
    assert len(links) == 5
    for link in svg.iter(SVG + "a"):
        label = link.find(SVG + "title").text
        assert re.match(r"\d{1,2} \w+ \d{4}: .+ \(.+\)$", label), label
        assert (built / link.get("href").lstrip("/") / "index.html").is_file()


def test_the_drawing_has_a_title_a_description_and_no_script(built):
    page = (built / "timeline" / "index.html").read_text("utf-8")
    svg = _drawing(page)
    title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
    assert svg.get("aria-labelledby") == title.get("id") and svg.get("aria-describedby") == desc.get("id")
    assert title.text == "Events by date and topic"
    assert desc.text.startswith("4 events, each a dot in the row of its topic. From 15 May 2024 to 10 February 2026.")
    assert svg.find(f".//{SVG}script") is None and "<script" not in page.split("<body", 1)[1].replace(
        'type="application/ld+json"', "")


def test_events_are_coloured_by_topic_in_a_row_per_topic(built):
    svg = _drawing((built / "timeline" / "index.html").read_text("utf-8"))
    lanes = [t.text for t in svg.iter(SVG + "text") if t.get("font-weight") == "600"]
    assert lanes == ["Economy", "Debt & IMF", "Diplomacy"]
    colours = [g.get("class").split()[0] for g in svg.iter(SVG + "g") if "marks" in g.get("class")]
    assert colours == ["s0", "s1", "s2"], "each topic has its own colour, the one the stylesheet gives it"
    years = [t.text for t in svg.iter(SVG + "text") if (t.get("class") or "") == "muted"]
    assert years and all(re.fullmatch(r"\w{3} \d{4}|\d{4}", label) for label in years), years


def test_a_topic_timeline_draws_its_own_events_only(built):
    page = (built / "topics" / "debt-imf" / "timeline" / "index.html").read_text("utf-8")
    svg = _drawing(page)
    assert svg.find(SVG + "title").text == "Debt & IMF: events by date"
    assert {a.get("href") for a in svg.iter(SVG + "a")} == set(_list_links(page))
    assert len([g for g in svg.iter(SVG + "g") if "marks" in g.get("class")]) == 1


def test_the_drawing_reads_at_a_phone_width():
    """Laid out 400 units wide, which the stylesheet fits to the column: on a 390 px phone (a 358 px
    column) the smallest text is drawn at 11 px or more."""
    column = 390 - 32
    assert drawing.WIDTH <= 400 and min(drawing.FONT, drawing.SMALL) * column / drawing.WIDTH >= 10.7
    assert drawing.DOT * 2 * column / drawing.WIDTH >= 10, "a dot stays visible"


def test_nearby_events_do_not_overlap():
    marks = tuple(drawing.Mark(0.5 + i * 0.001, 0, f"/articles/a{i}/", f"event {i}") for i in range(5))
    svg = ElementTree.fromstring(drawing.timeline((drawing.Lane("Economy", 0),), marks, ((0.5, "2026"),),
                                                  title="t", description="d", ident="t"))
    dots = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(SVG + "circle") if c.get("class") != "hit"]
    for i, (x, y) in enumerate(dots):
        for x2, y2 in dots[i + 1:]:
            assert (x - x2) ** 2 + (y - y2) ** 2 >= (2 * drawing.DOT) ** 2


def test_a_site_without_events_draws_nothing(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    for path in (root / "content" / "articles").glob("*.md"):
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"events:\n(  .*\n)+", "", text), "utf-8")
    build_fixture(root)
    page = (root / "site" / "timeline" / "index.html").read_text("utf-8")
    assert "<svg" not in page.split("<main", 1)[1] and "No dated events yet." in page


def test_an_edited_event_redraws_the_timeline_as_a_clean_build_does(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    build_fixture(root)
    source = root / "content" / "articles" / "small-picture.md"
    source.write_text(source.read_text("utf-8").replace("date: 2026-01-19", "date: 2025-12-24"), "utf-8")
    report = build_fixture(root)
    assert "timeline/index.html" in report.written
    clean = copy_site(tmp_path / "clean", "pictures")
    (clean / "content" / "articles" / "small-picture.md").write_text(source.read_text("utf-8"), "utf-8")
    build_fixture(clean, full=True)
    assert snapshot(root / "site") == snapshot(clean / "site")
