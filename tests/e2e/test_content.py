"""Acceptance tests of the shipped content (content/): it does not repeat itself, its dates are true of
its history, it passes `check --strict`, it says how each source was consulted, and its Spanish edition
is complete: every English article and page has exactly one Spanish version, with the same facts."""

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
ALL_ARTICLES = sorted((ROOT / "content" / "articles").rglob("*.md"))
PAGES = sorted((ROOT / "content" / "pages").rglob("*.md"))
SITE_LANGUAGE = "en"
EDITION = "es"  # the Spanish edition, under /es/

# The one report every article rests on. It names no publisher and gives no address or publication
# date; the latest date it mentions is 25 January 2026.
REPORT_PUBLISHER = "Unattributed news report"
REPORT_TITLE = "Javier Milei's US Engagement: A Focus on Economic Policy and International Relations"
# The dates the report gives, each with any words an event on that date must use (in each language) to say
# what the report says about it: Milei took office on 10 December 2023 (the date is the fact); participation
# in the meetings had been confirmed *as of* 25 January 2026 (the report does not say it was confirmed that day).
REPORT_DATES = {
    "en": {dt.date(2023, 12, 10): "", dt.date(2026, 1, 25): "as of 25 January 2026"},
    "es": {dt.date(2023, 12, 10): "", dt.date(2026, 1, 25): "al 25 de enero de 2026"},
}
# The shipped articles were written in late 2026; none may claim an earlier history.
EARLIEST = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
RUN = 12  # words in a row that two articles may not share


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _lang(path: Path) -> str:
    return _split(path)[0].get("lang", SITE_LANGUAGE)


def _slug(path: Path) -> str:
    return _split(path)[0].get("slug") or path.stem


def _key(path: Path) -> str:
    """The translation_key of an article or page: written, or its slug."""
    return _split(path)[0].get("translation_key") or _slug(path)


ARTICLES = [path for path in ALL_ARTICLES if _lang(path) == SITE_LANGUAGE]
SPANISH = [path for path in ALL_ARTICLES if _lang(path) == EDITION]
LANGUAGES = {SITE_LANGUAGE: ARTICLES, EDITION: SPANISH}
# Where each language's pages live in the built site.
PREFIX = {SITE_LANGUAGE: "", EDITION: f"{EDITION}/"}


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
    assert len(SPANISH) >= 6
    assert {_lang(path) for path in ALL_ARTICLES} == set(LANGUAGES), "every article is in a language of the site"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_two_articles_share_a_run_of_twelve_words(lang):
    """Within a language (a translation shares no run with its original's words, so compare like with like)."""
    runs = {}
    for path in LANGUAGES[lang]:
        words = _words(_split(path)[1])
        runs[path.relative_to(ROOT / "content" / "articles").as_posix()] = {
            tuple(words[i: i + RUN]) for i in range(len(words) - RUN + 1)}
    shared = []
    for (a, runs_a), (b, runs_b) in itertools.combinations(sorted(runs.items()), 2):
        for run in sorted(runs_a & runs_b)[:3]:
            shared.append(f"{a} and {b}: {' '.join(run)}")
    assert shared == [], "\n".join(shared)


def _id(path: Path) -> str:
    return path.relative_to(ROOT / "content").as_posix()


@pytest.mark.parametrize("path", ALL_ARTICLES, ids=_id)
def test_article_dates_are_true_of_the_sites_history(path):
    front, _ = _split(path)
    now = dt.datetime.now(dt.timezone.utc)
    dated = [("date", front["date"])] + ([("updated", front["updated"])] if "updated" in front else [])
    dated += [("correction", c["date"]) for c in front.get("corrections", [])]
    for key, value in dated:
        moment = _aware(value)
        assert EARLIEST <= moment <= now, f"{path.name}: {key} {value} is outside 1 November 2026 to now"


@pytest.mark.parametrize("path", ALL_ARTICLES, ids=_id)
def test_timeline_events_say_what_the_report_says_about_their_date(path):
    front, _ = _split(path)
    dates = REPORT_DATES[_lang(path)]
    for event in front.get("events", []):
        day = event["date"]
        assert day in dates, f"{path.name}: {day} is not a date the report gives"
        assert dates[day] in event["title"], f"{path.name}: {event['title']!r} must say {dates[day]!r}"


@pytest.mark.parametrize("path", ALL_ARTICLES, ids=_id)
def test_sources_list_the_report_first_and_reuters_only_as_cited_by_it(path):
    sources = _split(path)[0]["sources"]
    assert sources[0] == {"publisher": REPORT_PUBLISHER, "title": REPORT_TITLE}, \
        f"{path.name}: the report comes first, with no address or date it does not have"
    for source in sources[1:]:
        assert source["publisher"] != REPORT_PUBLISHER, f"{path.name}: the report is listed once"
        if source["publisher"].casefold() == "reuters":
            assert source.get("via") == REPORT_TITLE, f"{path.name}: Reuters was only seen cited by the report"
            assert set(source) == {"publisher", "via"}, f"{path.name}: nothing about Reuters beyond the report"


def _versions(paths: list[Path]) -> dict[str, dict[str, list[Path]]]:
    """translation_key -> language -> the versions written in it."""
    groups: dict[str, dict[str, list[Path]]] = {}
    for path in paths:
        groups.setdefault(_key(path), {}).setdefault(_lang(path), []).append(path)
    return groups


@pytest.mark.parametrize("kind", ["articles", "pages"])
def test_every_english_original_has_exactly_one_spanish_version_and_vice_versa(kind):
    paths = ALL_ARTICLES if kind == "articles" else PAGES
    originals = [p for p in paths if _lang(p) == SITE_LANGUAGE]
    for path in originals:
        assert "translation_key" not in _split(path)[0], f"{_id(path)}: an original's key is its slug"
    for key, versions in sorted(_versions(paths).items()):
        counts = {lang: len(versions.get(lang, [])) for lang in LANGUAGES}
        assert counts == {SITE_LANGUAGE: 1, EDITION: 1}, f"{kind} '{key}': versions per language {counts}"
    assert {_slug(p) for p in originals} == {_key(p) for p in paths if _lang(p) == EDITION}


def _pairs() -> list[tuple[Path, Path]]:
    return [(versions[SITE_LANGUAGE][0], versions[EDITION][0])
            for _key_, versions in sorted(_versions(ALL_ARTICLES).items())
            if len(versions.get(SITE_LANGUAGE, [])) == 1 and len(versions.get(EDITION, [])) == 1]


@pytest.mark.parametrize("pair", _pairs(), ids=lambda pair: _id(pair[1]))
def test_a_spanish_version_keeps_the_facts_of_its_original(pair):
    """Same topics, kind, sources, event dates and number of takeaways; written after its original."""
    english, spanish = (_split(path)[0] for path in pair)
    for key in ("topics", "kind", "sources", "author"):
        assert spanish.get(key) == english.get(key), f"{_id(pair[1])}: {key} differs from {_id(pair[0])}"
    assert [(e["date"], e.get("topics")) for e in spanish.get("events", [])] == \
           [(e["date"], e.get("topics")) for e in english.get("events", [])]
    assert len(spanish.get("takeaways", [])) == len(english.get("takeaways", []))
    assert len(spanish.get("tags", [])) == len(english.get("tags", []))
    assert _aware(spanish["date"]) > _aware(english["date"]), "a translation follows its original"


def test_spanish_articles_link_to_spanish_versions():
    english_slugs = {_slug(p) for p in ARTICLES}
    spanish_slugs = {_slug(p) for p in SPANISH}
    for path in SPANISH:
        for target in re.findall(r"\]\(\.\./([a-z0-9-]+)/", _split(path)[1]):
            assert target not in english_slugs, f"{_id(path)}: links to the English article {target}"
            assert target in spanish_slugs, f"{_id(path)}: links to no Spanish article: {target}"


def test_check_strict_passes_on_the_shipped_content():
    result = run_cli("check", "--strict", "--root", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": note:" not in result.stdout + result.stderr, "every translation_key has all its versions"


def _sources_sections(site: Path, prefix: str = "") -> list[tuple[str, str]]:
    page = (site / prefix / "sources" / "index.html").read_text("utf-8")
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return [(html.unescape(name), body)
            for name, body in re.findall(r'<h2 id="publisher-\d+">([^<]+)</h2>(.*?)</section>', main, re.S)]


# How each edition's interface says that Reuters was only seen cited by the report (the Spanish wording
# is templates/locale/es/LC_MESSAGES/messages.po's).
CITED = {
    "en": {"sources": "cited in {via}", "not": "not consulted directly", "article": "Reuters, cited in {via}"},
    "es": {"sources": "citada en {via}", "not": "no consultada directamente por la redacción",
           "article": "Reuters, citado en {via} (no consultado directamente)"},
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sources_page_lists_the_report_once_and_reuters_as_cited_by_it(lang):
    sections = _sources_sections(shipped_site(), PREFIX[lang])
    names = [name for name, _ in sections]
    assert names.count(REPORT_PUBLISHER) == 1 and names.count("Reuters") == 1, names
    assert names.index(REPORT_PUBLISHER) < names.index("Reuters"), "sources read directly come first"
    report = dict(sections)[REPORT_PUBLISHER]
    assert html.unescape(report).count(REPORT_TITLE) == 1
    reuters = " ".join(html.unescape(re.sub(r"<[^>]+>", "", dict(sections)["Reuters"])).split())
    assert CITED[lang]["sources"].format(via=REPORT_TITLE) in reuters
    assert CITED[lang]["not"] in reuters.lower()
    # each edition's sources page lists the articles of that edition, and every one of them
    listed = set(re.findall(r'href="/((?:es/)?articles/[a-z0-9-]+/)"', dict(sections)[REPORT_PUBLISHER]))
    assert listed == {f"{PREFIX[lang]}articles/{_slug(p)}/" for p in LANGUAGES[lang]}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_article_pages_and_json_ld_show_reuters_as_cited_by_the_report(lang):
    site = shipped_site()
    checked = 0
    for path in LANGUAGES[lang]:
        sources = _split(path)[0]["sources"]
        if not any(s["publisher"] == "Reuters" for s in sources):
            continue
        slug = _slug(path)
        page = (site / PREFIX[lang] / "articles" / slug / "index.html").read_text("utf-8")
        box = page.split('<section class="sources"', 1)[1].split("</section>", 1)[0]
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", box)).split())
        assert CITED[lang]["article"].format(via=REPORT_TITLE) in text.replace(" ,", ","), slug
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        [reuters] = [c for c in data["citation"] if c["publisher"]["name"] == "Reuters"]
        assert REPORT_TITLE in reuters["description"] and "url" not in reuters, slug
        assert CITED[lang]["not"].removesuffix(" por la redacción") in reuters["description"].lower(), slug
        checked += 1
    assert checked >= 2


def test_about_page_shows_a_contact_only_when_one_is_set(tmp_path):
    about = (shipped_site() / "about" / "index.html").read_text("utf-8")
    assert 'class="contact"' not in about
    assert 'href="../corrections/"' in about
    acerca = (shipped_site() / "es" / "acerca" / "index.html").read_text("utf-8")
    assert 'class="contact"' not in acerca
    assert 'href="../corrections/"' in acerca
    root = copy_shipped(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(re.sub(r"(?m)^contact:.*\n", "", config.read_text("utf-8"))
                      + "contact: desk@example.org\n", "utf-8")
    build_fixture(root, now=SHIPPED_NOW)
    for page in ("about", "es/acerca"):
        about = (root / "site" / page / "index.html").read_text("utf-8")
        assert '<a href="mailto:desk@example.org">desk@example.org</a>' in about, page
