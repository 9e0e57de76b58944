"""Feed ingestion without a network: local fixture feeds, classification, drafts, state and hostile input."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import markdown
import pytest

ROOT = Path(__file__).resolve().parents[2]
from milei_watch import ingest, markup, model, sources
from milei_watch.config import SiteConfig, load_config
from milei_watch.errors import BuildError, Diagnostic
from milei_watch.ingest import classify, drafts, feedlist, parser
from milei_watch.ingest.seen import load_state

FIXTURES = ROOT / "tests" / "fixtures" / "feeds"
TZ = ZoneInfo("America/Argentina/Buenos_Aires")
NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=TZ)


# ---------------------------------------------------------------------------------------------
# helpers

def project(tmp_path: Path, *fixtures: str, extra: str = "") -> SiteConfig:
    """A project folder with the fixture site.yaml and one path source per fixture feed."""
    content = tmp_path / "content"
    (content / "fixtures").mkdir(parents=True)
    shutil.copy(FIXTURES / "site.yaml", content / "site.yaml")
    entries = []
    for name in fixtures:
        shutil.copy(FIXTURES / name, content / "fixtures" / name)
        entries.append(f"- name: {source_name(name)}\n  publisher: Fixture {name}\n  path: content/fixtures/{name}\n")
    (content / "feeds.yaml").write_text("".join(entries) + extra, encoding="utf-8")
    return load_config(tmp_path)


def source_name(fixture: str) -> str:
    return Path(fixture).stem


def run(config: SiteConfig, **options) -> ingest.IngestReport:
    return ingest.ingest(config, now=NOW, **options)


def inbox(config: SiteConfig) -> list[Path]:
    folder = config.content_dir / "inbox"
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def meta_of(path: Path) -> dict:
    doc = sources.parse_source(path.read_bytes(), path.name, "inbox")
    assert not isinstance(doc, Diagnostic), doc.format()
    return doc.meta


def drafts_by_title(config: SiteConfig) -> dict[str, dict]:
    return {meta["title"]: meta for meta in map(meta_of, inbox(config))}


def result(report: ingest.IngestReport, name: str) -> ingest.SourceResult:
    return next(r for r in report.sources if r.name == name)


def assert_drafts_validate(config: SiteConfig) -> model.Site:
    """Every draft in the inbox parses and validates as an article with no diagnostics."""
    docs = []
    for path in inbox(config):
        doc = sources.parse_source(path.read_bytes(), path.relative_to(config.root).as_posix(), "inbox")
        assert not isinstance(doc, Diagnostic), doc.format()
        docs.append(doc)
    site, problems = model.build_site(config, docs, {}, now=NOW, drafts=True)
    assert [p.format() for p in problems] == []
    assert len(site.all_articles) == len(docs)
    assert all(article.draft and article.kind == "news" for article in site.all_articles)
    return site


# ---------------------------------------------------------------------------------------------
# relevance and topics

@pytest.fixture
def classifier(tmp_path: Path) -> classify.Classifier:
    return classify.make_classifier(project(tmp_path))


def test_keywords_match_whole_words_only(classifier):
    assert classify.classify(classifier, "Milei talks about debts") == ()
    assert classify.classify(classifier, "Milei and an IMF-backed plan") == ("debt-imf",)
    assert classify.classify(classifier, "Milei meets a Washingtonian") == ()
    assert classify.classify(classifier, "Milei's debt") == ("debt-imf",)


def test_matching_ignores_case_and_accents(classifier):
    assert classify.classify(classifier, "MILEI Y LA INFLACION") == ("economy",)
    assert classify.classify(classifier, "milei: reestructuracion de la deuda") == ("debt-imf",)
    assert classify.classify(classifier, "Milei habla de la inflación y de energia") == ("economy",)


def test_multi_word_keywords_match_as_phrases(classifier):
    assert classify.classify(classifier, "Milei at the State\n   Department") == ("diplomacy",)
    assert classify.classify(classifier, "Milei on the state of the department") == ()
    assert classify.classify(classifier, "Milei y el Departamento de Estado") == ("diplomacy",)


def test_story_not_about_the_subject_is_not_relevant(classifier):
    assert classify.classify(classifier, "The IMF and Brazil discuss debt", ("economy",)) == ()


def test_every_matching_topic_is_assigned_in_site_order(classifier):
    text = "Argentina: Venezuela, the IMF, inflation and the embassy in Washington"
    assert classify.classify(classifier, text) == ("economy", "debt-imf", "diplomacy", "regional")


def test_default_topics_apply_only_when_no_keyword_matches(classifier):
    assert classify.classify(classifier, "Milei gives a speech", ("diplomacy",)) == ("diplomacy",)
    assert classify.classify(classifier, "Milei gives a speech on the IMF", ("diplomacy",)) == ("debt-imf",)
    assert classify.classify(classifier, "Milei gives a speech") == ()


# ---------------------------------------------------------------------------------------------
# text helpers

def test_summary_is_trimmed_on_a_word_boundary_to_280_characters():
    words = " ".join(f"word{n}" for n in range(200))
    trimmed = parser.trim_words(words)
    assert len(trimmed) <= 280
    assert trimmed.endswith("…")
    assert words.startswith(trimmed[:-1]) and words[len(trimmed) - 1] == " "
    assert parser.trim_words("short text") == "short text"


def test_plain_text_strips_markup_and_decodes_entities_until_nothing_is_left():
    text = "<p>Econom&iacute;a</p><p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;deuda &nbsp; y <b>FMI</b></p>"
    assert parser.plain_text(text) == "Economía deuda y FMI"
    assert parser.plain_text("inflation < 5% & rising") == "inflation < 5% & rising"


def test_links_compare_without_case_fragment_or_utm_parameters():
    a = parser.normalise_link("HTTPS://Example.ORG/a/B?id=7&utm_source=rss#top")
    b = parser.normalise_link("https://example.org/a/B?utm_medium=x&id=7")
    assert a == b == "https://example.org/a/B?id=7"


# ---------------------------------------------------------------------------------------------
# content/feeds.yaml

def test_shipped_feed_list_is_valid_and_only_the_offline_sample_is_enabled(tmp_path):
    config = project(tmp_path)
    shutil.copy(ROOT / "content" / "feeds.yaml", config.content_dir / "feeds.yaml")
    feeds = feedlist.load_feeds(config)
    assert [f.name for f in feeds if f.enabled] == ["sample"]
    assert all(f.url.startswith("https://") for f in feeds if not f.enabled)


def test_unknown_source_setting_names_the_line_and_suggests_the_key(tmp_path):
    config = project(tmp_path, extra="- name: wire\n  url: https://example.org/feed.xml\n  topcis: [economy]\n")
    with pytest.raises(BuildError) as caught:
        feedlist.load_feeds(config)
    [problem] = caught.value.diagnostics
    assert str(problem.location) == "content/feeds.yaml:3"
    assert "unknown source setting 'topcis'" in problem.message
    assert problem.hint == "did you mean 'topics'?"


def test_every_feed_list_problem_is_reported_with_its_line(tmp_path):
    config = project(tmp_path, extra=(
        "- name: no-scheme\n  url: example.org/feed\n"           # 1-2
        "- name: both\n  url: https://a.example/\n  path: x.xml\n"  # 3-5
        "- name: topics\n  url: https://b.example/\n  topics: [economy, diplomcy]\n"  # 6-8
        "- name: Bad Name\n  url: https://c.example/\n"          # 9-10
        "- name: flag\n  url: https://d.example/\n  enabled: maybe\n"  # 11-13
        "- name: flag\n  url: https://e.example/\n"              # 14-15
        "- name: outside\n  path: ../elsewhere.xml\n"            # 16-17
    ))
    with pytest.raises(BuildError) as caught:
        feedlist.load_feeds(config)
    found = {(d.location.line, d.message) for d in caught.value.diagnostics}
    assert found == {
        (2, "url 'example.org/feed' is not an http(s) address"),
        (3, "source 'both' needs either a 'url' or a 'path', not both"),
        (8, "unknown topic 'diplomcy'"),
        (9, "source name 'Bad Name' may only contain lowercase letters, digits and hyphens"),
        (13, "source enabled must be true or false, not text"),
        (14, "source 'flag' is listed twice"),
        (17, "path '../elsewhere.xml' leaves the project folder"),
    }
    assert all(str(d.location).startswith("content/feeds.yaml:") for d in caught.value.diagnostics)


def test_disabled_sources_are_skipped_unless_named(tmp_path):
    later = "- name: later\n  path: content/fixtures/rss20.xml\n  enabled: false\n"
    config = project(tmp_path, "rss20.xml", extra=later)
    assert [r.name for r in run(config, dry_run=True).sources] == ["rss20"]
    assert [r.name for r in run(config, dry_run=True, source="later").sources] == ["later"]
    (config.content_dir / "feeds.yaml").write_text("- name: wire\n  url: https://example.org/f\n  enabled: false\n")
    assert run(config).lines() == ["no enabled sources in content/feeds.yaml"]


def test_a_name_yaml_reads_as_true_or_false_asks_for_quotes(tmp_path):
    config = project(tmp_path, extra="- name: off\n  url: https://example.org/f\n")
    with pytest.raises(BuildError) as caught:
        feedlist.load_feeds(config)
    [problem] = caught.value.diagnostics
    assert (problem.location.line, problem.message) == (1, "source name must be text, not true/false")
    assert problem.hint.endswith('put the text in quotes, e.g. name: "off"')


def test_unknown_source_name_lists_the_known_ones(tmp_path):
    config = project(tmp_path, "rss20.xml", "atom10.xml")
    with pytest.raises(BuildError) as caught:
        run(config, source="rss2")
    [problem] = caught.value.diagnostics
    assert problem.message == "no source named 'rss2'"
    assert problem.hint == "did you mean 'rss20'? known sources: atom10, rss20"


# ---------------------------------------------------------------------------------------------
# feed formats

@pytest.mark.parametrize("fixture, title, link, topics", [
    ("rss091.xml", "Milei asks the IMF for patience on debt", "https://example.org/rss091/imf-patience",
     ["debt-imf"]),
    ("rss10.rdf", "Argentina's embassy in Washington prepares a ministerial visit",
     "https://example.org/rss10/embassy", ["diplomacy"]),
    ("rss20.xml", "Milei meets creditors over bond restructuring", "https://example.org/rss20/bonds",
     ["debt-imf"]),
    ("atom10.xml", "Milei criticises Venezuela and Cuba", "https://example.net/blog/posts/venezuela-cuba",
     ["regional"]),
])
def test_each_feed_format_becomes_drafts(tmp_path, fixture, title, link, topics):
    config = project(tmp_path, fixture)
    report = run(config)
    assert report.ok
    meta = drafts_by_title(config)[title]
    assert meta["topics"] == topics
    assert meta["sources"][0]["url"] == link
    assert meta["sources"][0]["publisher"] == f"Fixture {fixture}"
    assert meta["draft"] is True and meta["kind"] == "news"


def test_rss20_assigns_every_matching_topic_and_skips_off_topic_items(tmp_path):
    config = project(tmp_path, "rss20.xml")
    report = run(config)
    assert result(report, "rss20").line() == "rss20: 2 new, 0 seen, 1 skipped (not relevant), 0 failed"
    # "Washington" in the summary, "State Department" only in content:encoded
    assert drafts_by_title(config)["Argentina courts US investment in energy"]["topics"] == ["economy", "diplomacy"]


def test_atom_relative_links_resolve_against_xml_base(tmp_path):
    config = project(tmp_path, "atom10.xml")
    run(config)
    [path] = inbox(config)
    assert 'href="https://example.net/blog/notes/1"' in path.read_text(encoding="utf-8")


def test_entities_and_cdata_are_decoded(tmp_path):
    config = project(tmp_path, "entities-cdata.xml")
    run(config)
    drafts = drafts_by_title(config)
    first = drafts["Milei & the IMF: \"a deal\" ‘close’ — sources"]
    assert first["summary"] == "Economía & deuda: el FMI y la Argentina — fixture text."
    second = drafts["Inflación en la Argentina: Milei & el peso"]
    assert second["topics"] == ["economy"]
    assert second["summary"] == "Texto de prueba con caracteres escapados y & doble."


def test_wrongly_declared_encoding_is_read_with_a_warning(tmp_path):
    config = project(tmp_path, "wrong-encoding.xml")
    report = run(config)
    outcome = result(report, "wrong-encoding")
    assert outcome.ok and outcome.new == 1
    assert "declares the wrong encoding" in outcome.line()
    assert list(drafts_by_title(config)) == ["Economía: Milei y la inflación"]


def test_truncated_feed_uses_the_entries_it_yields_with_a_warning(tmp_path):
    config = project(tmp_path, "truncated.xml")
    report = run(config)
    outcome = result(report, "truncated")
    assert outcome.ok and outcome.new == 2
    assert "warning: malformed feed (no element found at line 16); used the 2 entries it yields" in outcome.line()
    assert "Milei and the IMF agree a review date" in drafts_by_title(config)


def test_feed_with_no_entries_is_fine_and_writes_nothing(tmp_path):
    config = project(tmp_path, "empty.xml")
    report = run(config)
    assert report.ok
    assert result(report, "empty").line() == "empty: 0 new, 0 seen, 0 skipped (not relevant), 0 failed"
    assert inbox(config) == []


def test_malformed_feed_without_entries_fails_and_the_next_source_still_runs(tmp_path):
    config = project(tmp_path, "not-a-feed.xml", "rss20.xml")
    report = run(config)
    assert not report.ok
    assert result(report, "not-a-feed").line().startswith(
        "not-a-feed: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (malformed feed (")
    assert result(report, "rss20").new == 2
    assert report.lines()[-1] == ("total: 2 new, 0 seen, 1 skipped (not relevant), 1 failed; "
                                  "1 of 2 sources failed")


def test_a_run_of_one_source_that_fails_says_the_source_failed(tmp_path):
    config = project(tmp_path, "not-a-feed.xml")
    assert run(config).lines()[-1] == "total: 0 new, 0 seen, 0 skipped (not relevant), 1 failed; the source failed"


def test_each_draft_is_listed_under_its_source_and_a_dry_run_lists_the_titles(tmp_path):
    config = project(tmp_path, "rss20.xml", "empty.xml")
    dry = run(config, dry_run=True)
    titles = result(dry, "rss20").titles
    assert len(titles) == 2
    assert dry.lines(config.root)[:3] == [result(dry, "rss20").line()] + [f"  would write: {t}" for t in titles]
    assert dry.lines(config.root)[3] == result(dry, "empty").line()

    real = run(config)
    listed = real.lines(config.root)[1:3]
    assert [line.split(": ", 1)[1] for line in listed] == list(titles)
    for line in listed:
        path = config.root / line.strip().split(": ", 1)[0]
        assert path.parent == config.content_dir / "inbox" and meta_of(path)["title"] == line.split(": ", 1)[1]


def test_duplicate_items_give_one_draft_each(tmp_path):
    config = project(tmp_path, "duplicates.xml")
    report = run(config)
    assert result(report, "duplicates").line() == "duplicates: 2 new, 2 seen, 0 skipped (not relevant), 0 failed"
    assert sorted(drafts_by_title(config)) == ["Milei and the IMF: first copy", "Milei at the State Department"]


def test_a_story_carried_by_two_sources_becomes_one_draft(tmp_path):
    config = project(tmp_path, "rss20.xml")
    copy = config.content_dir / "fixtures" / "rss20-copy.xml"
    shutil.copy(FIXTURES / "rss20.xml", copy)
    with (config.content_dir / "feeds.yaml").open("a", encoding="utf-8") as feeds:
        feeds.write("- name: section-feed\n  publisher: Fixture copy\n  path: content/fixtures/rss20-copy.xml\n")
    report = run(config)
    assert [r.line() for r in report.sources] == [
        "rss20: 2 new, 0 seen, 1 skipped (not relevant), 0 failed",
        "section-feed: 0 new, 2 seen, 1 skipped (not relevant), 0 failed",
    ]
    assert len(inbox(config)) == 2
    assert result(run(config), "section-feed").new == 0
    assert len(inbox(config)) == 2


def test_items_without_guid_or_link_are_known_by_title_and_date(tmp_path):
    config = project(tmp_path, "no-guid-no-link.xml")
    assert result(run(config), "no-guid-no-link").new == 3
    names = [p.name for p in inbox(config)]
    assert names == ["2026-01-28-milei-names-a-new-ambassador-in-washington.md",
                     "2026-01-29-milei-names-a-new-ambassador-in-washington.md",
                     "2026-02-01-milei-and-the-imf-undated.md"]
    for path in inbox(config):
        meta = meta_of(path)
        assert "url" not in meta["sources"][0]
        assert "The feed gave no web address for this story" in path.read_text(encoding="utf-8")
    again = result(run(config), "no-guid-no-link")
    assert (again.new, again.seen) == (0, 3)


def test_relative_links_in_a_local_feed_resolve_against_its_channel_link(tmp_path):
    config = project(tmp_path, "relative-links.xml")
    run(config)
    [path] = inbox(config)
    text = path.read_text(encoding="utf-8")
    assert meta_of(path)["sources"][0]["url"] == "https://example.org/stories/imf-relative"
    assert 'href="https://example.org/relative/notes/background.html"' in text
    assert 'href="https://example.org/about"' in text


@pytest.mark.parametrize("title, date", [
    ("Milei IMF date rfc822 utc", "2026-01-25T11:00:00-03:00"),
    ("Milei IMF date rfc822 named zone", "2026-01-26T00:30:00-03:00"),     # EST is -05:00
    ("Milei IMF date rfc822 plus one", "2026-01-24T22:00:00-03:00"),       # crosses back a day
    ("Milei IMF date iso8601 in pubDate", "2026-01-25T20:30:00-03:00"),
    ("Milei IMF date dc w3cdtf", "2026-01-25T01:30:00-03:00"),
    ("Milei IMF date missing", "2026-02-01T12:00:00-03:00"),               # falls back to now
    ("Milei IMF date unparseable", "2026-02-01T12:00:00-03:00"),
])
def test_dates_are_converted_to_the_site_timezone(tmp_path, title, date):
    config = project(tmp_path, "dates.xml")
    run(config)
    path = next(p for p in inbox(config) if meta_of(p)["title"] == title)
    assert f"\ndate: {date}\n" in path.read_text(encoding="utf-8")
    assert path.name.startswith(date[:10] + "-")
    source = meta_of(path)["sources"][0]
    if "missing" in title or "unparseable" in title:
        assert "date" not in source  # the original's date is unknown; only the draft needs one
    else:
        assert source["date"] == dt.date.fromisoformat(date[:10])


def test_feedparser_only_ever_gets_bytes(tmp_path, monkeypatch):
    seen = []
    original = parser.feedparser.parse

    def spy(data, **options):
        seen.append(type(data))
        return original(data, **options)

    monkeypatch.setattr(parser.feedparser, "parse", spy)
    run(project(tmp_path, "rss20.xml", "atom10.xml"))
    assert seen == [bytes, bytes]


# ---------------------------------------------------------------------------------------------
# drafts, dedupe and state

def test_draft_has_the_documented_front_matter_and_body(tmp_path):
    config = project(tmp_path, "rss20.xml")
    run(config)
    path = config.content_dir / "inbox" / "2026-01-25-milei-meets-creditors-over-bond-restructuring.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ndraft: true\ntitle: Milei meets creditors over bond restructuring\n"
                           "slug: 2026-01-25-milei-meets-creditors-over-bond-restructuring\n"
                           "date: 2026-01-25T11:00:00-03:00\n")
    meta = meta_of(path)
    assert meta["summary"] == "Fixture: Argentina's bond creditors meet Milei's team."
    assert meta["sources"] == [{"publisher": "Fixture rss20.xml",
                                "title": "Milei meets creditors over bond restructuring",
                                "url": "https://example.org/rss20/bonds", "date": dt.date(2026, 1, 25)}]
    body = sources.read_body(path).strip().split("\n\n")
    assert body[0].startswith("*Ingested from Fixture rss20.xml by `milei-watch ingest`. This is a draft")
    assert body[1] == ("<blockquote><p>Fixture: Argentina's <em>bond</em> creditors meet Milei's team.</p>"
                       "</blockquote>")
    assert body[2] == ("Original: [Milei meets creditors over bond restructuring]"
                       "(https://example.org/rss20/bonds)")


def test_name_clash_gets_a_suffix_and_never_overwrites(tmp_path):
    config = project(tmp_path, "rss20.xml")
    taken = config.content_dir / "inbox" / "2026-01-25-milei-meets-creditors-over-bond-restructuring.md"
    taken.parent.mkdir(parents=True)
    taken.write_text("an editor's own file\n", encoding="utf-8")
    report = run(config)
    assert result(report, "rss20").new == 2
    assert taken.read_text(encoding="utf-8") == "an editor's own file\n"
    clash = taken.with_name(taken.stem + "-2.md")
    assert meta_of(clash)["slug"] == clash.stem


def test_write_draft_counts_up_past_every_taken_name(tmp_path):
    item = parser.FeedItem("id:x", "Milei and the IMF", "https://example.org/x", None, "<p>Milei IMF</p>")
    draft = drafts.make_draft(item, publisher="Desk", topics=("debt-imf",), tz=TZ, now=NOW)
    paths = [drafts.write_draft(tmp_path, draft) for _ in range(3)]
    assert [p.name for p in paths] == ["2026-02-01-milei-and-the-imf.md", "2026-02-01-milei-and-the-imf-2.md",
                                       "2026-02-01-milei-and-the-imf-3.md"]


def test_second_run_adds_nothing(tmp_path):
    config = project(tmp_path, "rss091.xml", "rss10.rdf", "rss20.xml", "atom10.xml", "duplicates.xml")
    first = run(config)
    files = {p: p.read_bytes() for p in inbox(config)}
    second = run(config)
    assert sum(r.new for r in first.sources) == len(files) == 7
    assert sum(r.new for r in second.sources) == 0
    assert {p: p.read_bytes() for p in inbox(config)} == files
    assert second.lines()[-1] == "total: 0 new, 9 seen, 2 skipped (not relevant), 0 failed"


def test_an_edited_draft_is_never_touched(tmp_path):
    config = project(tmp_path, "rss20.xml")
    run(config)
    path = inbox(config)[0]
    edited = path.read_text(encoding="utf-8").replace("draft: true", "draft: true\ntags: [edited]") + "\nMy notes.\n"
    path.write_text(edited, encoding="utf-8")
    # the feed later carries a different story whose name clashes with the edited draft
    feed = config.content_dir / "fixtures" / "rss20.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace("rss20-bonds", "rss20-bonds-follow-up"),
                    encoding="utf-8")
    report = run(config)
    assert path.read_text(encoding="utf-8") == edited
    assert result(report, "rss20").new == 1
    assert path.with_name(path.stem + "-2.md").exists()


def test_a_deleted_draft_does_not_come_back(tmp_path):
    config = project(tmp_path, "rss20.xml")
    run(config)
    deleted = inbox(config)[0]
    deleted.unlink()
    report = run(config)
    assert not deleted.exists()
    assert result(report, "rss20").line() == "rss20: 0 new, 2 seen, 1 skipped (not relevant), 0 failed"


def test_a_draft_an_editor_published_does_not_come_back(tmp_path):
    config = project(tmp_path, "rss20.xml")
    run(config)
    draft = inbox(config)[0]
    published = config.content_dir / "articles" / "rewritten.md"
    published.parent.mkdir(parents=True, exist_ok=True)
    published.write_text(draft.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    draft.unlink()  # moved out of the inbox, as an editor publishing it does
    report = run(config)
    assert result(report, "rss20").new == 0 and not draft.exists()
    assert len(inbox(config)) == 1


def test_a_host_that_does_not_exist_fails_that_source_only(tmp_path, monkeypatch):
    import socket

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    config = project(tmp_path, "rss20.xml", extra="- name: gone\n  url: https://feeds.example.invalid/rss\n")
    report = run(config, timeout=2)
    assert result(report, "gone").line() == ("gone: 0 new, 0 seen, 0 skipped (not relevant), 1 failed "
                                             "(cannot find the host (Name or service not known))")
    assert result(report, "rss20").new == 2 and not report.ok


def test_dry_run_writes_neither_drafts_nor_state(tmp_path):
    config = project(tmp_path, "rss20.xml", "atom10.xml")
    state = config.content_dir / "ingest-state.json"
    state.write_text('{\n  "format": 1,\n  "sources": {}\n}\n', encoding="utf-8")
    before = state.read_bytes()
    report = run(config, dry_run=True)
    assert [r.new for r in report.sources] == [2, 1]
    assert report.lines()[-1].endswith("; dry run, nothing written")
    assert inbox(config) == [] and not (config.content_dir / "inbox").exists()
    assert state.read_bytes() == before


def test_limit_caps_new_drafts_per_source_and_leaves_the_rest_for_later(tmp_path):
    config = project(tmp_path, "rss20.xml", "duplicates.xml")
    report = run(config, limit=1)
    assert [r.new for r in report.sources] == [1, 1]
    assert result(report, "rss20").line() == ("rss20: 1 new, 0 seen, 1 skipped (not relevant), 0 failed, "
                                              "1 held for the next run")
    later = run(config)
    assert [r.new for r in later.sources] == [1, 1]
    assert len(inbox(config)) == 4


def rss(*items: str) -> str:
    """An RSS 2.0 feed of the given <item> bodies."""
    inner = "".join(f"<item>{item}</item>\n" for item in items)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Test</title>'
            f"<link>https://example.org/</link><description>Test feed</description>\n{inner}</channel></rss>\n")


def story(number: int, title: str = "", *, guid: str | None = None, link: str | None = None,
          date: str = "Sun, 25 Jan 2026 14:00:00 GMT", text: str = "Argentina and the IMF") -> str:
    guid = f"story-{number}" if guid is None else guid
    link = f"https://example.org/{number}" if link is None else link
    return (f"<title>{title or f'Milei and the IMF, story {number}'}</title><description>{text}</description>"
            + (f"<guid isPermaLink=\"false\">{guid}</guid>" if guid else "")
            + (f"<link>{link}</link>" if link else "") + (f"<pubDate>{date}</pubDate>" if date else ""))


def feed_project(tmp_path: Path, feeds: dict[str, str], settings: dict[str, str] | None = None) -> SiteConfig:
    """A project whose feeds.yaml lists one local source per feed text, with optional extra settings."""
    config = project(tmp_path)
    entries = []
    for name, text in feeds.items():
        (config.content_dir / "fixtures" / f"{name}.xml").write_text(text, encoding="utf-8")
        extra = (settings or {}).get(name, "")
        entries.append(f"- name: {name}\n  path: content/fixtures/{name}.xml\n{extra}")
    (config.content_dir / "feeds.yaml").write_text("".join(entries), encoding="utf-8")
    return load_config(tmp_path)


def test_dry_run_reports_exactly_what_a_real_run_writes(tmp_path):
    wire = rss(
        story(1),
        story(1, "Milei and the IMF, story 1 retitled"),                        # same guid: seen
        story(2, guid="", link="https://example.org/2?utm_source=rss"),
        story(2, "Story 2 again", guid="", link="HTTPS://EXAMPLE.ORG/2#top"),   # same link once normalised
        story(3, "Milei names an ambassador in Washington", guid="", link=""),
        story(4, "Milei names an ambassador in Washington", guid="", link="",   # same title, another day
              date="Mon, 26 Jan 2026 14:00:00 GMT"),
        story(5, "Brazil and the weather", text="Nothing about the subject"),  # not relevant
        story(6, "Milei and the IMF, story 1"),                                  # same title, own guid: new
        *(story(number) for number in range(7, 12)),                           # over the limit: held
    )
    section = rss(story(1), story(2, guid="", link="https://example.org/2"), story(12), story(12))
    feeds = {"wire": wire, "section": section}

    dry_config = feed_project(tmp_path / "dry", feeds)
    dry = run(dry_config, dry_run=True, limit=7)
    real_config = feed_project(tmp_path / "real", feeds)
    real = run(real_config, limit=7)

    assert [r.line() for r in dry.sources] == [r.line() for r in real.sources]
    assert dry.lines()[-1] == real.lines()[-1] + "; dry run, nothing written"
    assert [r.titles for r in dry.sources] == [r.titles for r in real.sources]  # what it would write, it writes
    assert [(r.new, r.seen, r.skipped, r.held) for r in real.sources] == [(7, 2, 1, 3), (1, 3, 0, 0)]
    assert sum(r.new for r in dry.sources) == len(inbox(real_config)) == 8
    assert inbox(dry_config) == []
    # after the real run, a dry run and a real run agree again: only the held stories are new
    again = run(real_config, dry_run=True)
    after = run(real_config)
    assert [(r.line(), r.titles) for r in again.sources] == [(r.line(), r.titles) for r in after.sources]
    assert [r.new for r in again.sources] == [3, 0]


@pytest.mark.timeout(30)  # reading a FIFO with no writer would otherwise wait for ever
def test_a_fifo_as_a_feed_path_fails_that_source_at_once(tmp_path):
    config = project(tmp_path, "rss20.xml", extra="- name: pipe\n  path: content/feed.fifo\n"
                                                  "- name: folder\n  path: content/fixtures\n")
    os.mkfifo(config.content_dir / "feed.fifo")
    started = time.monotonic()
    report = run(config)
    assert time.monotonic() - started < 5
    assert result(report, "pipe").line() == \
        "pipe: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (content/feed.fifo is not a regular file)"
    assert result(report, "folder").line().endswith("1 failed (content/fixtures is not a regular file)")
    assert result(report, "rss20").new == 2 and not report.ok


def test_a_source_writes_at_most_50_drafts_a_run_and_the_next_run_takes_the_next_50(tmp_path):
    config = feed_project(tmp_path, {"archive": rss(*(story(number) for number in range(1, 10_001)))})
    first = result(run(config), "archive")
    assert (first.new, first.held, first.ok) == (50, 9_950, True)
    assert first.line() == "archive: 50 new, 0 seen, 0 skipped (not relevant), 0 failed, 9950 held for the next run"
    assert len(inbox(config)) == 50
    state = json.loads((config.content_dir / "ingest-state.json").read_text(encoding="utf-8"))
    assert sorted(state["sources"]["archive"]["seen"]) == sorted(f"id:story-{n}" for n in range(1, 51))

    second = result(run(config), "archive")
    assert (second.new, second.seen, second.held) == (50, 50, 9_900)
    assert sorted(meta_of(path)["title"] for path in second.drafts) == \
        sorted(f"Milei and the IMF, story {n}" for n in range(51, 101))
    assert len(inbox(config)) == 100


def test_max_new_in_the_feed_list_caps_a_source_and_limit_replaces_it_for_one_run(tmp_path):
    config = feed_project(tmp_path, {"wire": rss(*(story(n) for n in range(1, 11))),
                                     "desk": rss(*(story(n) for n in range(11, 21)))},
                          {"wire": "  max_new: 3\n"})
    assert [f.max_new for f in feedlist.load_feeds(config)] == [3, 50]
    assert [(r.new, r.held) for r in run(config).sources] == [(3, 7), (10, 0)]
    assert [(r.new, r.held) for r in run(config, limit=5).sources] == [(5, 2), (0, 0)]
    assert [(r.new, r.held) for r in run(config, limit=20).sources] == [(2, 0), (0, 0)]


@pytest.mark.parametrize("value", ["0", "-1", "many", "true", "2.5"])
def test_max_new_must_be_a_positive_whole_number(tmp_path, value):
    config = project(tmp_path, extra=f"- name: wire\n  url: https://example.org/feed.xml\n  max_new: {value}\n")
    with pytest.raises(BuildError) as caught:
        feedlist.load_feeds(config)
    [problem] = caught.value.diagnostics
    assert problem.location.line == 3
    assert problem.message in ("source max_new must be at least 1", "source max_new must be a whole number, not text",
                               "source max_new must be a whole number, not true/false",
                               "source max_new must be a whole number, not a number")


def test_state_is_sorted_indented_and_ends_with_a_newline(tmp_path):
    config = project(tmp_path, "rss20.xml", "atom10.xml")
    run(config)
    text = (config.content_dir / "ingest-state.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["sources"]["rss20"]["seen"] == ["id:rss20-bonds", "id:rss20-energy"]
    assert data["sources"]["atom10"]["seen"] == ["id:tag:example.net,2026:venezuela"]
    assert not list(config.content_dir.glob(".ingest-state.json*"))  # no temp file left behind


def test_shipped_state_is_valid_and_empty(tmp_path):
    config = project(tmp_path)
    shutil.copy(ROOT / "content" / "ingest-state.json", config.content_dir / "ingest-state.json")
    assert load_state(config) == {}


@pytest.mark.parametrize("text, line, message", [
    ('{\n  "format": 1,\n  "sources": {\n    "rss20": {"seen": ["a",]}\n  }\n}\n', 4,
     "the ingest state is not valid JSON: Expecting value"),
    ('{\n  "format": 1,\n  "sources": {\n    "rss20": {"seen": "a"}\n  }\n}\n', 4,
     "the state of source 'rss20' has a value of the wrong type"),
    ("[]\n", 1, "the ingest state must be a JSON object with 'format' and 'sources'"),
])
def test_corrupt_state_is_an_error_naming_the_file(tmp_path, text, line, message):
    config = project(tmp_path, "rss20.xml")
    (config.content_dir / "ingest-state.json").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        run(config)
    [problem] = caught.value.diagnostics
    assert problem.location.path == "content/ingest-state.json"
    assert (problem.location.line, problem.message) == (line, message)
    assert "git checkout" in problem.hint
    assert inbox(config) == []


# ---------------------------------------------------------------------------------------------
# hostile input

ALLOWED_RENDERED = {"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "br", "code"}
EXECUTABLE = re.compile(
    r"(?i)<\s*/?\s*(script|iframe|svg|object|embed|style|img|form|input|meta|base|link|math|animate|frame)\b"
    r"|\bon[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text/html")


class _TagAudit(HTMLParser):
    """Collects every tag and attribute of rendered HTML that is not on the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_RENDERED:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if tag != "a" or name not in ("href", "rel"):
                self.bad.append(f"{tag}[{name}]")
            elif name == "href" and urlsplit(value or "").scheme not in ("http", "https", "mailto"):
                self.bad.append(f"href={value!r}")


def assert_nothing_executable(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not EXECUTABLE.search(text), EXECUTABLE.search(text)
    assert not EXECUTABLE.search(html.unescape(text))
    meta = meta_of(path)
    for key in ("title", "summary"):
        assert not re.search(r"<[a-zA-Z/!]", meta[key]), meta[key]
    body = sources.read_body(path)
    for rendered in (markdown.markdown(body), markup.Renderer().render(body)):  # plain and the site's own
        audit = _TagAudit()
        audit.feed(rendered)
        assert audit.bad == [], rendered


def test_hostile_feed_gives_drafts_with_nothing_executable(tmp_path):
    config = project(tmp_path, "hostile.xml")
    report = run(config)
    assert result(report, "hostile").new == 3
    for path in inbox(config):
        assert_nothing_executable(path)
    drafts = drafts_by_title(config)
    injected = drafts['Milei: "IMF" --- deal --- title: injected draft: false']
    assert injected["draft"] is True and "url" not in injected["sources"][0]
    assert "Milei FMI and the debt {{ config }} {% raw %}" in drafts  # bidi override removed
    odd = next(p for p in inbox(config) if "config" in p.name).read_text(encoding="utf-8")
    assert "(https://example.org/hostile/3?q=a%29b%22c)" in odd
    assert 'href="https://example.org/relative/path"' in odd
    assert 'href="https://evil.example/protocol-relative"' in odd and 'href="mailto:desk@example.org"' in odd
    assert_drafts_validate(config)


def test_make_draft_sanitises_raw_html_that_feedparser_never_saw(tmp_path):
    # Built by hand, bypassing feedparser's own sanitiser: nh3 alone must make it safe.
    item = parser.FeedItem(
        key="id:raw",
        title='<script>alert(1)</script>Milei <img src=x onerror=alert(2)> IMF &lt;script&gt;alert(3)&lt;/script&gt;',
        link="javascript:alert(4)",
        summary=('<p onclick="x()">Milei IMF <a href="java&#x73;cript:alert(5)">a</a>'
                 '<a href="  JAVASCRIPT:alert(6)">b</a><a href="java\tscript:alert(7)">t</a>'
                 '<svg onload="alert(8)"><script>alert(9)</script></svg>'
                 '<iframe srcdoc="<script>alert(10)</script>"></iframe>'
                 '<a href="data:text/html,<script>alert(11)</script>">c</a>'
                 '<a href="/ok" onmouseover="alert(12)">ok</a><STYLE>*{}</STYLE></p>'),
        content="<script>alert(13)</script><p>Content</p>",
        base="https://example.org/news/",
    )
    draft = drafts.make_draft(item, publisher="Wire <b>[desk]</b>", topics=("debt-imf",), tz=TZ, now=NOW)
    path = drafts.write_draft(tmp_path / "content" / "inbox", draft)
    assert_nothing_executable(path)
    meta = meta_of(path)
    assert meta["title"] == "Milei IMF"
    assert meta["sources"] == [{"publisher": "Wire <b>[desk]</b>", "title": "Milei IMF"}]
    assert 'href="https://example.org/ok"' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("title", [
    'Milei IMF {: onclick="alert(1)" }',            # attr_list on the link
    'Milei `x`{: onclick="alert(2)"} IMF',           # attr_list on inline code
    "Milei *IMF*{: onclick=alert(3)} _debt_",        # attr_list on emphasis
    "Milei ![x](https://evil.example/x.png) IMF",    # an image
    "Milei [IMF](https://evil.example/) [^1]",       # a link and a footnote
    "Milei <https://evil.example/> IMF",             # an autolink
])
def test_markdown_syntax_in_feed_text_stays_text(tmp_path, title):
    item = parser.FeedItem("id:md", title, "https://example.org/a", None, "<p>Milei IMF</p>")
    draft = drafts.make_draft(item, publisher="Wire *{: onclick=alert(4)}*", topics=("debt-imf",), tz=TZ, now=NOW)
    path = drafts.write_draft(tmp_path, draft)
    rendered = markup.Renderer().render(sources.read_body(path))
    audit = _TagAudit()
    audit.feed(rendered)
    assert audit.bad == []
    assert re.findall(r'href="([^"]*)"', rendered) == ["https://example.org/a"]


def test_titles_that_look_like_yaml_or_front_matter_round_trip(tmp_path):
    titles = ['Milei: "IMF" deal', "---", "...", "- [a, b]: {c}", "Milei #1 & 'co' @ 100%", "yes", "2026-01-25",
              "Title\u2028with line separator", "Milei\x00\x07 control"]
    for number, title in enumerate(titles):
        item = parser.FeedItem(f"id:{number}", title, "", None, "Argentina")
        draft = drafts.make_draft(item, publisher="Desk", topics=("economy",), tz=TZ, now=NOW)
        path = drafts.write_draft(tmp_path, draft)
        expected = " ".join(title.replace("\x00", "").replace("\x07", "").split())
        assert meta_of(path)["title"] == expected


# ---------------------------------------------------------------------------------------------
# the shipped sample and whole-run validation

def test_sample_feed_demonstrates_classification(tmp_path):
    config = project(tmp_path)
    for name in ("site.yaml", "feeds.yaml", "sample-feed.xml"):  # the shipped keywords decide, as for editors
        shutil.copy(ROOT / "content" / name, config.content_dir / name)
    config = load_config(tmp_path)
    report = run(config)
    assert report.lines(config.root) == [
        "sample: 4 new, 0 seen, 1 skipped (not relevant), 0 failed",
        "  content/inbox/2026-01-12-sample-milei-seeks-us-support-to-restructure-argentinas-debt.md: "
        "Sample: Milei seeks US support to restructure Argentina's debt",
        "  content/inbox/2026-01-25-sample-argentina-had-confirmed-ministerial-meetings-at-the.md: "
        "Sample: Argentina had confirmed ministerial meetings at the State Department as of 25 January",
        "  content/inbox/2026-01-16-sample-venezuela-and-cuba-as-possible-points-of-friction.md: "
        "Sample: Venezuela and Cuba as possible points of friction for Milei",
        "  content/inbox/2026-01-20-sample-milei-propone-austeridad-privatizaciones-y-menos.md: "
        "Sample: Milei propone austeridad, privatizaciones y menos gasto",
        "total: 4 new, 0 seen, 1 skipped (not relevant), 0 failed"]
    topics = {title: meta["topics"] for title, meta in drafts_by_title(config).items()}
    assert topics == {
        "Sample: Milei seeks US support to restructure Argentina's debt": ["debt-imf"],
        "Sample: Argentina had confirmed ministerial meetings at the State Department as of 25 January": ["diplomacy"],
        "Sample: Venezuela and Cuba as possible points of friction for Milei": ["regional"],
        "Sample: Milei propone austeridad, privatizaciones y menos gasto": ["economy"],
    }
    for meta in drafts_by_title(config).values():
        assert meta["sources"][0]["url"].startswith("https://example.org/sample/")
    assert_drafts_validate(config)


def test_every_draft_ingest_writes_validates(tmp_path):
    fixtures = ["rss091.xml", "rss10.rdf", "rss20.xml", "atom10.xml", "entities-cdata.xml", "wrong-encoding.xml",
                "truncated.xml", "duplicates.xml", "no-guid-no-link.xml", "relative-links.xml", "dates.xml",
                "hostile.xml"]
    config = project(tmp_path, *fixtures)
    report = run(config)
    assert report.ok
    assert sum(r.new for r in report.sources) == len(inbox(config)) == 26
    site = assert_drafts_validate(config)
    assert len({article.slug for article in site.all_articles}) == 26


def _with_spanish(tmp_path: Path) -> None:
    """Give the project's site a Spanish edition (every topic named in Spanish)."""
    config = load_config(tmp_path)
    topics = "".join(f"      - slug: {t.slug}\n        name: Tema {t.slug}\n        description: Descripción.\n"
                     for t in config.topics)
    with (tmp_path / "content" / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("languages:\n  - code: es\n    locale: es_AR\n    title: Prueba\n    description: Un sitio.\n"
                       f"    topics:\n{topics}")


def test_a_source_in_another_language_writes_drafts_in_that_edition(tmp_path):
    feed_project(tmp_path, {"wire": rss(story(1)), "cable": rss(story(2))}, {"cable": "  language: es\n"})
    _with_spanish(tmp_path)
    config = load_config(tmp_path)
    assert [f.language for f in feedlist.load_feeds(config)] == ["en", "es"]
    run(config)
    langs = {path.name: re.search(r"(?m)^lang: (\w+)$", path.read_text("utf-8")) for path in inbox(config)}
    assert sorted(m.group(1) if m else "" for m in langs.values()) == ["", "es"]


def test_a_source_language_the_site_does_not_publish_is_an_error_with_its_line(tmp_path):
    config = feed_project(tmp_path, {"wire": rss(story(1))}, {"wire": "  language: fr\n"})
    with pytest.raises(BuildError) as caught:
        feedlist.load_feeds(config)
    [problem] = caught.value.diagnostics
    assert (problem.location.line, problem.message) == (3, "unknown language 'fr'")
