"""Acceptance tests of the shipped content (content/): it does not repeat itself, its dates are true of
its history, it passes `check --strict`, and it says how each source was consulted."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import build_fixture, copy_shipped, run_cli
from tests.support.sites import SHIPPED_NOW, shipped_site

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = sorted((ROOT / "content" / "articles").glob("*.md"))

# The one report every article rests on. It names no publisher and gives no address or publication
# date; the latest date it mentions is 25 January 2026.
REPORT_PUBLISHER = "Unattributed news report"
REPORT_TITLE = "Javier Milei's US Engagement: A Focus on Economic Policy and International Relations"
# The dates the report gives, each with any words an event on that date must use to say what the report
# says about it: Milei took office on 10 December 2023 (the date is the fact); participation in the
# meetings had been confirmed *as of* 25 January 2026 (the report does not say it was confirmed that day).
REPORT_DATES = {dt.date(2023, 12, 10): "", dt.date(2026, 1, 25): "as of 25 January 2026"}
# The shipped articles were written in late 2026; none may claim an earlier history.
EARLIEST = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
RUN = 12  # words in a row that two articles may not share


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    """A front-matter date as an aware datetime (a bare date or naive time in the site's zone, -03:00)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=SHIPPED_NOW.tzinfo)


def _words(body: str) -> list[str]:
    """The prose of a Markdown body as lower-case words: link targets, heading ids and markup removed."""
    body = re.sub(r"\]\([^)]*\)", "]", body)          # [text](target) -> text
    body = re.sub(r"\{#[^}]*\}", "", body)             # ## Heading {#id}
    body = body.lower().replace("’", "").replace("'", "")
    return re.findall(r"[0-9a-záéíóúüñ]+", body)


def test_there_are_shipped_articles_to_check():
    assert len(ARTICLES) >= 6


def test_no_two_articles_share_a_run_of_twelve_words():
    runs = {}
    for path in ARTICLES:
        words = _words(_split(path)[1])
        runs[path.name] = {tuple(words[i: i + RUN]) for i in range(len(words) - RUN + 1)}
    shared = []
    for (a, runs_a), (b, runs_b) in itertools.combinations(sorted(runs.items()), 2):
        for run in sorted(runs_a & runs_b)[:3]:
            shared.append(f"{a} and {b}: {' '.join(run)}")
    assert shared == [], "\n".join(shared)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_article_dates_are_true_of_the_sites_history(path):
    front, _ = _split(path)
    now = dt.datetime.now(dt.timezone.utc)
    dated = [("date", front["date"])] + ([("updated", front["updated"])] if "updated" in front else [])
    dated += [("correction", c["date"]) for c in front.get("corrections", [])]
    for key, value in dated:
        moment = _aware(value)
        assert EARLIEST <= moment <= now, f"{path.name}: {key} {value} is outside 1 November 2026 to now"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_timeline_events_say_what_the_report_says_about_their_date(path):
    front, _ = _split(path)
    for event in front.get("events", []):
        day = event["date"]
        assert day in REPORT_DATES, f"{path.name}: {day} is not a date the report gives"
        assert REPORT_DATES[day] in event["title"], f"{path.name}: {event['title']!r} must say {REPORT_DATES[day]!r}"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_sources_list_the_report_first_and_reuters_only_as_cited_by_it(path):
    sources = _split(path)[0]["sources"]
    assert sources[0] == {"publisher": REPORT_PUBLISHER, "title": REPORT_TITLE}, \
        f"{path.name}: the report comes first, with no address or date it does not have"
    for source in sources[1:]:
        assert source["publisher"] != REPORT_PUBLISHER, f"{path.name}: the report is listed once"
        if source["publisher"].casefold() == "reuters":
            assert source.get("via") == REPORT_TITLE, f"{path.name}: Reuters was only seen cited by the report"
            assert set(source) == {"publisher", "via"}, f"{path.name}: nothing about Reuters beyond the report"


def test_check_strict_passes_on_the_shipped_content():
    result = run_cli("check", "--strict", "--root", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _sources_sections(site: Path) -> list[tuple[str, str]]:
    page = (site / "sources" / "index.html").read_text("utf-8")
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return [(html.unescape(name), body)
            for name, body in re.findall(r'<h2 id="publisher-\d+">([^<]+)</h2>(.*?)</section>', main, re.S)]


def test_sources_page_lists_the_report_once_and_reuters_as_cited_by_it():
    sections = _sources_sections(shipped_site())
    names = [name for name, _ in sections]
    assert names.count(REPORT_PUBLISHER) == 1 and names.count("Reuters") == 1, names
    assert names.index(REPORT_PUBLISHER) < names.index("Reuters"), "sources read directly come first"
    report = dict(sections)[REPORT_PUBLISHER]
    assert html.unescape(report).count(REPORT_TITLE) == 1
    reuters = html.unescape(re.sub(r"<[^>]+>", "", dict(sections)["Reuters"]))
    assert f"cited in {REPORT_TITLE}" in " ".join(reuters.split())
    assert "not consulted directly" in reuters.lower()


def test_article_pages_and_json_ld_show_reuters_as_cited_by_the_report():
    site = shipped_site()
    for path in ARTICLES:
        sources = _split(path)[0]["sources"]
        if not any(s["publisher"] == "Reuters" for s in sources):
            continue
        slug = _split(path)[0]["slug"]
        page = (site / "articles" / slug / "index.html").read_text("utf-8")
        box = page.split('<section class="sources"', 1)[1].split("</section>", 1)[0]
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", box)).split())
        assert f"Reuters, cited in {REPORT_TITLE}" in text, slug
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        [reuters] = [c for c in data["citation"] if c["publisher"]["name"] == "Reuters"]
        assert REPORT_TITLE in reuters["description"] and "url" not in reuters, slug


def test_about_page_shows_a_contact_only_when_one_is_set(tmp_path):
    about = (shipped_site() / "about" / "index.html").read_text("utf-8")
    assert 'class="contact"' not in about
    assert 'href="../corrections/"' in about
    root = copy_shipped(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(re.sub(r"(?m)^contact:.*\n", "", config.read_text("utf-8"))
                      + "contact: desk@example.org\n", "utf-8")
    build_fixture(root, now=SHIPPED_NOW)
    about = (root / "site" / "about" / "index.html").read_text("utf-8")
    assert '<a href="mailto:desk@example.org">desk@example.org</a>' in about
