"""Validation of articles, pages and authors into frozen values; every problem located and collected."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from milei_watch import model, sources
from milei_watch.config import load_config
from tests.conftest import FIXED_NOW, copy_site

TZ = ZoneInfo("America/Argentina/Buenos_Aires")
HEAD = "---\ntitle: {title}\ndate: {date}\ntopics: [economy]\nsummary: S\n"


def _article(title: str = "Título", date: str = "2026-01-10", extra: str = "", body: str = "Body.\n") -> str:
    return HEAD.format(title=title, date=date) + extra + "---\n" + body


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_site(tmp_path / "project")
    shutil.rmtree(root / "content" / "articles")
    (root / "content" / "articles").mkdir()
    config = root / "content" / "site.yaml"  # its start_here names an article no longer there
    config.write_text("".join(line for line in config.read_text("utf-8").splitlines(keepends=True)
                              if not line.startswith("start_here:")), "utf-8")
    return root


def _build(root: Path, files: dict[str, str], now: dt.datetime = FIXED_NOW, **options):
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    config = load_config(root)
    authors, problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, read_problems, _files = sources.read_all(root, config.content_dir, {}, 0)
    site, model_problems = model.build_site(config, docs, authors, now=now, **options)
    return site, [f"{d.location}: {d.message} | {d.hint}" for d in sorted(problems + read_problems + model_problems)]


def _only(site) -> model.Article:
    [article] = site.articles
    return article


def test_defaults_fill_in_kind_author_and_slug(project):
    site, problems = _build(project, {"articles/a.md": _article("El ajuste, año uno")})
    assert problems == []
    article = _only(site)
    assert (article.slug, article.kind, article.author, article.draft) == ("el-ajuste-ano-uno", "analysis",
                                                                           "desk", False)
    assert article.url == "articles/el-ajuste-ano-uno/"
    assert article.date == dt.datetime(2026, 1, 10, tzinfo=TZ)
    assert article.modified == article.date
    assert (article.sources, article.takeaways, article.events, article.corrections) == ((), (), (), ())


def test_tags_are_slugged_deduplicated_and_keep_their_names(project):
    site, problems = _build(project, {"articles/a.md": _article(extra="tags: [Privatización, privatizacion, FMI]\n")})
    assert problems == []
    article = _only(site)
    assert article.tags == ("privatizacion", "fmi")
    assert article.tag_names == ("Privatización", "FMI")
    assert site.tag_names == {"fmi": "FMI", "privatizacion": "Privatización"}


def test_missing_required_keys_are_all_named(project):
    _site, problems = _build(project, {"articles/a.md": "---\ndate: 2026-01-10\ntopics: [economy]\n---\nBody\n"})
    assert problems == [
        "content/articles/a.md:1: missing required key 'summary' | add 'summary:' to the front matter",
        "content/articles/a.md:1: missing required key 'title' | add 'title:' to the front matter",
    ]


def test_misspelt_key_is_one_error_with_a_suggestion(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra="").replace("summary:", "sumary:")})
    assert problems == ["content/articles/a.md:5: unknown front-matter key 'sumary' | did you mean 'summary'?"]


def test_empty_and_wrongly_typed_text(project):
    _site, problems = _build(project, {"articles/a.md": _article(title='""', extra="author: [a, b]\n")})
    assert problems == [
        "content/articles/a.md:2: 'title' must not be empty | write the title after 'title:'",
        "content/articles/a.md:6: 'author' must be text, not a list | write it as author: \"…\" on one line",
    ]


def test_unknown_topic_names_the_line_of_the_entry(project):
    text = "---\ntitle: T\ndate: 2026-01-10\ntopics:\n  - economy\n  - econom\nsummary: S\n---\n"
    _site, problems = _build(project, {"articles/a.md": text})
    assert problems == ["content/articles/a.md:6: unknown topic 'econom' | did you mean 'economy'?"]


def test_empty_topic_list_is_an_error(project):
    _site, problems = _build(project, {"articles/a.md": _article().replace("[economy]", "[]")})
    assert problems == ["content/articles/a.md:4: 'topics' must name at least one topic | "
                        "use one or more of: economy, debt-imf, diplomacy, regional"]


def test_bad_slug_suggests_a_good_one(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra="slug: Deuda y FMI\n")})
    assert problems == ["content/articles/a.md:6: slug 'Deuda y FMI' may only contain lowercase letters, digits "
                        "and hyphens | use 'deuda-y-fmi'"]


def test_duplicate_slug_from_titles_points_at_the_later_file_title(project):
    _site, problems = _build(project, {"articles/a.md": _article("Deuda y FMI"),
                                       "articles/b.md": _article("Deuda y FMI")})
    assert problems == ["content/articles/b.md:2: slug 'deuda-y-fmi' is already used by content/articles/a.md | "
                        "give one of them a different 'slug:'"]


def test_duplicate_page_slug_points_at_the_later_file_slug_or_title(project):
    # A page's slug is its file name's unless written; the error points at the later file (in path
    # order), at its 'slug:' line, or at its title when the slug came from the name.
    _site, problems = _build(project, {"pages/About.md": "---\nsummary: S\n\ntitle: About us\n---\nBody.\n",
                                       "pages/about.md": "---\ntitle: About\nsummary: S\n---\nBody.\n",
                                       "pages/b.md": "---\nsummary: S\nslug: about\ntitle: Another\n---\nBody.\n"})
    assert problems == [
        "content/pages/about.md:2: page slug 'about' is already used by content/pages/About.md | "
        "give one of them a different 'slug:'",
        "content/pages/b.md:3: page slug 'about' is already used by content/pages/About.md | "
        "give one of them a different 'slug:'"]


def test_dates_keep_their_offset_and_date_only_is_midnight_in_the_site_timezone(project):
    site, problems = _build(project, {
        "articles/a.md": _article("A", "2026-01-20T09:30:00+00:00"),
        "articles/b.md": _article("B", "2026-01-20"),
    })
    assert problems == []
    a, b = site.articles
    assert a.date == dt.datetime(2026, 1, 20, 6, 30, tzinfo=TZ) and a.date.utcoffset() == dt.timedelta(hours=-3)
    assert b.date == dt.datetime(2026, 1, 20, tzinfo=TZ)


def test_published_articles_are_newest_first_then_by_slug(project):
    site, _problems = _build(project, {
        "articles/1.md": _article("Beta", "2026-01-10"),
        "articles/2.md": _article("Alfa", "2026-01-10"),
        "articles/3.md": _article("Gamma", "2026-01-12"),
    })
    assert [a.slug for a in site.articles] == ["gamma", "alfa", "beta"]


def test_drafts_future_and_expired_articles_are_sorted_out(project):
    files = {
        "articles/draft.md": _article("Draft", extra="draft: true\n"),
        "articles/later.md": _article("Later", "2026-12-01T09:00:00-03:00"),
        "articles/sooner.md": _article("Sooner", "2026-03-01"),
        "articles/gone.md": _article("Gone", extra="expires: 2026-02-20\n"),
        "articles/live.md": _article("Live", extra="expires: 2026-03-20\n"),
        "inbox/ingested.md": _article("Ingested", extra="draft: false\n"),
    }
    site, problems = _build(project, files)
    assert problems == []
    assert [a.slug for a in site.articles] == ["live"]
    assert [a.slug for a in site.unlisted] == ["gone"]
    assert [a.slug for a in site.scheduled] == ["sooner", "later"]
    assert site.skipped_drafts == 2  # the inbox is never published, whatever it says
    with_drafts, _ = _build(project, {}, drafts=True, future=True)
    assert [a.slug for a in with_drafts.articles] == ["later", "sooner", "draft", "ingested", "live"]
    assert with_drafts.scheduled == ()


def test_expiry_is_relative_to_the_clock(project):
    site, _ = _build(project, {"articles/a.md": _article("A", extra="expires: 2026-02-20\n")},
                     now=dt.datetime(2026, 2, 19, 23, 59, tzinfo=TZ))
    assert [a.slug for a in site.articles] == ["a"] and site.unlisted == ()


def test_wrong_draft_and_kind(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra="draft: yes please\nkind: column\n")})
    assert problems == [
        "content/articles/a.md:6: 'draft' must be true or false, not text | "
        "write draft: true to keep the article unpublished, or remove the line",
        "content/articles/a.md:7: unknown kind 'column' | use one of: analysis, news, explainer, opinion",
    ]


@pytest.mark.parametrize("kind", model.KINDS)
def test_every_kind_is_accepted(project, kind):
    site, problems = _build(project, {"articles/a.md": _article(extra=f"kind: {kind}\n")})
    assert problems == [] and _only(site).kind == kind


def test_unknown_author_names_the_line_and_the_known_ones(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra="author: nadie\n")})
    assert problems == ["content/articles/a.md:6: unknown author 'nadie' | "
                        "authors are listed in content/authors.yaml; known: analyst, desk"]


def test_default_author_must_exist_too(project):
    config = project / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("author: desk", "author: editor"), "utf-8")
    _site, problems = _build(project, {"articles/a.md": _article()})
    assert problems == ["content/articles/a.md:1: unknown author 'editor' | "
                        "authors are listed in content/authors.yaml; known: analyst, desk"]


SOURCES = """sources:
  - publisher: Fixture Wire
    url: https://example.org/story
    date: 2026-01-09
  - title: No publisher
  - publisher: Placeholder Press
    url: example.org
  - publisher: Example Gazette
    publsher: typo
"""


def test_sources_are_checked_entry_by_entry(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra=SOURCES)})
    assert problems == [
        "content/articles/a.md:10: a source needs a 'publisher' | add 'publisher: Name' to the source",
        "content/articles/a.md:12: source url 'example.org' is not an http(s) address | "
        "write the full address, starting with https://",
        "content/articles/a.md:14: unknown key 'publsher' in sources | did you mean 'publisher'?",
    ]


def test_sources_keep_their_order_and_fields(project):
    site, problems = _build(project, {"articles/a.md": _article(extra=SOURCES.split("  - title")[0])})
    assert problems == []
    assert _only(site).sources == (model.SourceRef("Fixture Wire", "", "https://example.org/story", dt.date(2026, 1, 9)),)


def test_events_default_to_the_article_topics(project):
    extra = ("events:\n  - date: 2023-12-10\n    title: Takes office\n"
             "  - {date: 2026-01-25, title: Meeting, topics: [diplomacy]}\n")
    site, problems = _build(project, {"articles/a.md": _article(extra=extra)})
    assert problems == []
    assert _only(site).events == (model.Event(dt.date(2023, 12, 10), "Takes office", ("economy",)),
                                  model.Event(dt.date(2026, 1, 25), "Meeting", ("diplomacy",)))


def test_event_problems_name_their_lines(project):
    extra = ("events:\n  - date: soon\n    title: X\n  - date: 2026-01-01\n"
             "  - {date: 2026-01-02, title: Y, topics: [nope]}\n")
    _site, problems = _build(project, {"articles/a.md": _article(extra=extra)})
    assert problems == [
        "content/articles/a.md:7: event date is not a date: 'soon' | write it as 2026-01-25",
        "content/articles/a.md:9: an event needs a 'title' | add 'title: What happened' to the event",
        "content/articles/a.md:10: unknown topic 'nope' in event | "
        "use one of: economy, debt-imf, diplomacy, regional",
    ]


def test_corrections_are_sorted_and_move_modified(project):
    extra = ("updated: 2026-01-12\ncorrections:\n  - date: 2026-02-03\n    text: Second.\n"
             "  - date: 2026-01-10T18:00:00-03:00\n    text: Same day.\n")
    site, problems = _build(project, {"articles/a.md": _article(extra=extra)})
    assert problems == []
    article = _only(site)
    assert [c.text for c in article.corrections] == ["Same day.", "Second."]
    assert article.modified == dt.datetime(2026, 2, 3, tzinfo=TZ)


def test_updated_moves_modified_when_later_than_corrections(project):
    extra = "updated: 2026-02-05\ncorrections:\n  - {date: 2026-02-03, text: Fixed.}\n"
    site, _ = _build(project, {"articles/a.md": _article(extra=extra)})
    assert _only(site).modified == dt.datetime(2026, 2, 5, tzinfo=TZ)


def test_correction_problems_name_their_lines(project):
    extra = ("corrections:\n  - date: 2025-01-10\n    text: Too early.\n  - date: 2026-02-01\n"
             "  - date: later\n    text: X\n")
    _site, problems = _build(project, {"articles/a.md": _article(extra=extra)})
    assert problems == [
        "content/articles/a.md:7: correction dated 2025-01-10 is before the article's date 2026-01-10 | "
        "a correction can only follow publication; check the year",
        "content/articles/a.md:9: a correction needs a 'text' saying what was corrected | "
        "add 'text: An earlier version said …' to the correction",
        "content/articles/a.md:10: correction date is not a date: 'later' | write it as 2026-02-01",
    ]


def test_pages_validate_and_reserved_slugs_are_refused(project):
    site, problems = _build(project, {
        "pages/timeline.md": "---\ntitle: Clash\n---\nx\n",
        "pages/sobre-nosotros.md": "---\ntitle: Sobre nosotros\nsumary: typo\n---\nx\n",
    })
    assert problems == [
        "content/pages/sobre-nosotros.md:3: unknown front-matter key 'sumary' for a page | "
        "did you mean 'summary'?",
        "content/pages/timeline.md:1: page slug 'timeline' is reserved for the site's own pages | rename the page",
    ]
    assert [p.slug for p in site.pages] == ["about"]


def test_every_problem_of_every_file_is_collected(project):
    _site, problems = _build(project, {
        "articles/a.md": _article(extra="kind: x\nauthor: y\n"),
        "articles/b.md": "",
        "articles/c.md": _article(date="never"),
    })
    assert [p.split(": ")[0] for p in problems] == [
        "content/articles/a.md:6", "content/articles/a.md:7", "content/articles/b.md:1", "content/articles/c.md:3"]


@pytest.mark.parametrize("text, message", [
    ("slug: desk\n", "authors.yaml must be a list of authors"),
    ("- slug: desk\n  name: A\n- slug: desk\n  name: B\n", "author 'desk' is listed twice"),
    ("- slug: desk\n  name: A\n  nmae: x\n", "unknown author key 'nmae'"),
    ("- slug: Desk Two\n  name: A\n", "an author needs a 'slug' (a-z, 0-9, -) and a 'name'"),
    ("- slug: desk\n  name: A\n  links: [{title: X, url: ftp://x}]\n", "author links must be {title, url}"),
])
def test_authors_file_problems(project, text, message):
    (project / "content" / "authors.yaml").write_text(text, "utf-8")
    authors, problems, digest = model.load_authors(model.read_authors_file(load_config(project)))
    assert digest and problems and problems[0].message.startswith(message)
    assert problems[0].location.path == "content/authors.yaml"


def test_authors_are_read_with_links(project):
    authors, problems, _digest = model.load_authors(model.read_authors_file(load_config(project)))
    assert problems == []
    assert authors["analyst"] == model.Author("analyst", "Fixture analyst", "A second byline used by the fixture.",
                                              (("Profile", "https://fixture.example.org/profile"),))


def test_expires_must_follow_the_date(project):
    text = _article(date="2026-01-10T09:00:00-03:00", extra="expires: 2026-01-10\n")
    _site, problems = _build(project, {"articles/a.md": text})
    assert problems == [
        "content/articles/a.md:6: 'expires' (2026-01-10) is not after the article's date (2026-01-10) | "
        "an article can only expire after it is published; check the year",
    ]


def test_updated_before_the_date_never_moves_modified_back(project):
    site, problems = _build(project, {"articles/a.md": _article(extra="updated: 2025-01-11\n")})
    assert problems == []  # only suspicious: 'check' warns about it
    assert _only(site).modified == _only(site).date


def test_updated_on_the_day_of_publication_never_predates_it(project):
    site, problems = _build(project, {"articles/a.md": _article(date="2026-01-10T09:00:00-03:00",
                                                               extra="updated: 2026-01-10\n")})
    assert problems == []
    article = _only(site)
    assert article.modified == article.date == dt.datetime(2026, 1, 10, 9, 0, tzinfo=TZ)


def test_related_articles_rank_shared_tags_then_topics_then_closeness_then_slug(project):
    from milei_watch.plan import related_articles

    def piece(slug: str, date: str, tags: str, topics: str, extra: str = "") -> str:
        return (f"---\ntitle: {slug}\nslug: {slug}\ndate: {date}\ntopics: [{topics}]\ntags: [{tags}]\n"
                f"summary: S\n{extra}---\nBody.\n")

    site, problems = _build(project, {
        "articles/base.md": piece("base", "2026-01-10", "imf, bonds", "debt-imf"),
        "articles/a.md": piece("two-tags", "2025-06-01", "imf, bonds", "economy"),          # 3 + 3 = 6
        "articles/b.md": piece("tag-and-topic-b", "2026-01-09", "imf", "debt-imf"),         # 3 + 1 = 4
        "articles/d.md": piece("tag-and-topic-d", "2026-01-11", "imf", "debt-imf"),         # 4, as close
        "articles/c.md": piece("topic-only", "2026-01-10", "other", "debt-imf"),            # 1
        "articles/f.md": piece("tag-and-topic-far", "2025-01-01", "imf", "debt-imf"),      # 4, further away
        "articles/e.md": piece("expired-twin", "2026-01-10", "imf, bonds", "debt-imf",
                               "expires: 2026-02-01\n"),                                    # out of listings
    })
    assert problems == []
    related = related_articles(site)
    assert related["base"] == ("two-tags", "tag-and-topic-b", "tag-and-topic-d")
    assert "expired-twin" not in {slug for picks in related.values() for slug in picks}
    assert len(related["expired-twin"]) == 3  # its own page still suggests current articles
    assert related == related_articles(site)  # the same every time


def test_related_articles_stay_within_their_language_and_survive_facts_of_an_older_shape():
    from milei_watch.plan import related_articles

    facts = {"a": (1.0, ("imf",), ("debt-imf",), True, ""), "b": (2.0, ("imf",), ("debt-imf",), True, ""),
             "c": (1.5, ("imf",), ("debt-imf",), True, "es"), "d": (3.0, ("imf",), ("debt-imf",), True, "es")}
    fresh = related_articles(None, facts)
    assert fresh == {"a": ("b",), "b": ("a",), "c": ("d",), "d": ("c",)}  # the same tags, other language: no
    assert related_articles(None, facts, (facts, fresh)) == fresh
    # A cache written by an older build kept four facts per article: it is not trusted, nothing breaks.
    older = {slug: known[:4] for slug, known in facts.items()}
    assert related_articles(None, facts, (older, {slug: ("stale",) for slug in facts})) == fresh


def test_related_articles_scored_half_in_a_forked_child_are_those_of_one_process(forks, monkeypatch):
    import random

    from milei_watch import plan
    rng = random.Random(7)
    facts = {f"s{n:03d}": (float(rng.randrange(1000)), tuple(rng.sample("abcdefgh", 2)), (rng.choice("xyz"),),
                           rng.random() > 0.1, rng.choice(["", "es"])) for n in range(300)}
    alone = plan.related_articles(None, facts)
    assert plan.related_articles(None, facts, workers=2) == alone and not forks  # below the threshold
    monkeypatch.setattr(plan, "RELATED_FORK_THRESHOLD", 2)
    shared = plan.related_articles(None, facts, workers=2)
    assert len(forks) == 1
    assert shared == alone and list(shared) == list(alone)


def test_summary_may_be_empty_but_not_left_out(project):
    site, problems = _build(project, {
        "articles/a.md": "---\ntitle: A\ndate: 2026-01-10\ntopics: [economy]\nsummary: ''\n---\nBody.\n",
        "articles/b.md": "---\ntitle: B\ndate: 2026-01-11\ntopics: [economy]\nsummary:\n---\nBody.\n",
        "articles/c.md": "---\ntitle: C\ndate: 2026-01-12\ntopics: [economy]\n---\nBody.\n",
    })
    assert problems == ["content/articles/c.md:1: missing required key 'summary' | add 'summary:' to the front matter"]
    assert sorted(a.summary for a in site.articles) == ["", ""]


def test_a_source_cited_through_another_keeps_its_via(project):
    extra = "sources:\n  - publisher: Fixture Wire\n    via: Example Gazette\n  - publisher: Example Gazette\n"
    site, problems = _build(project, {"articles/a.md": _article(extra=extra)})
    assert problems == []
    assert _only(site).sources == (model.SourceRef("Fixture Wire", via="Example Gazette"),
                                   model.SourceRef("Example Gazette"))


def test_a_duplicate_front_matter_key_names_both_lines(project):
    _site, problems = _build(project, {"articles/a.md": _article(extra="title: Otra\n")})
    assert problems == ["content/articles/a.md:6: duplicate key 'title': first on line 2, again on line 6 | "
                        "keep one of the two"]


def test_authors_file_refuses_aliases_and_names_its_lines(project):
    (project / "content" / "authors.yaml").write_text("- slug: desk\n  name: &n Desk\n- slug: other\n  name: *n\n",
                                                      "utf-8")
    _authors, problems, _digest = model.load_authors(model.read_authors_file(load_config(project)))
    assert [f"{d.location}: {d.message}" for d in problems] == [
        "content/authors.yaml:2: anchors and aliases (&x, *x) are not allowed"]


def test_featured_is_a_flag_that_defaults_to_false(project):
    site, problems = _build(project, {"articles/a.md": _article("A", extra="featured: true\n"),
                                      "articles/b.md": _article("B", date="2026-01-11")})
    assert problems == []
    assert {a.slug: a.featured for a in site.articles} == {"a": True, "b": False}
    _site, problems = _build(project, {"articles/a.md": _article("A", extra="featured: often\n")})
    assert [p.split(" | ")[0] for p in problems] == ["content/articles/a.md:6: 'featured' must be true or false, not text"]


def test_titles_summaries_and_takeaways_get_typographic_punctuation(project):
    extra = "takeaways:\n  - \"It's 'done' -- mostly...\"\n"
    text = _article("'Milei''s \"chainsaw\"'", extra=extra).replace("summary: S", "summary: 'The IMF''s view'")
    site, problems = _build(project, {"articles/a.md": text})
    assert problems == []
    article = _only(site)
    assert (article.title, article.summary, article.takeaways) == (
        "Milei’s “chainsaw”", "The IMF’s view", ("It’s ‘done’ – mostly…",))
    assert article.slug == "mileis-chainsaw"   # from the title as written, as before


def test_a_start_here_that_names_no_article_is_a_check_warning_with_a_hint(project):
    config = project / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8") + "start_here: strat-here\n", "utf-8")
    site, problems = _build(project, {"articles/a.md": _article("Start here"), "articles/b.md": _article("B")})
    assert problems == []   # the build shows no such slot; `check`, which sees every article, warns
    assert [f"{d.location}: {d.message} | {d.hint}" for d in model.start_here_warnings(site.all_articles, site.config)] \
        == ["content/site.yaml: start_here names no article: 'strat-here' | did you mean 'start-here'?"]
    assert model.find_start_here(site.articles, "start-here").slug == "start-here"
    assert model.find_start_here(site.articles, "") is None


def test_tag_names_come_from_tags_yaml_else_as_written_else_the_readable_slug(project):
    (project / "content" / "tags.yaml").write_text("imf: IMF\nstate-department: \"Dept. of State's\"\n", "utf-8")
    names, problems, digest = model.load_tags(model.read_tags_file(load_config(project)))
    assert problems == [] and digest
    assert names == {"imf": "IMF", "state-department": "Dept. of State’s"}
    assert model.tag_label("imf", "imf", names) == "IMF"
    assert model.tag_label("privatizacion", "Privatización", names) == "Privatización"
    assert model.tag_label("china-russia", "china-russia", names) == "China Russia"
    assert model.load_tags(None) == ({}, [], "")


def test_tags_yaml_mistakes_name_their_lines(project):
    (project / "content" / "tags.yaml").write_text("imf: IMF\nNot A Slug: x\nempty: ''\n", "utf-8")
    _names, problems, _digest = model.load_tags(model.read_tags_file(load_config(project)))
    assert [f"{d.location}: {d.message}" for d in problems] == [
        "content/tags.yaml:2: 'Not A Slug' is not a tag slug", "content/tags.yaml:3: tag 'empty' needs a name (text)"]
    (project / "content" / "tags.yaml").write_text("- imf\n", "utf-8")
    _names, problems, _digest = model.load_tags(model.read_tags_file(load_config(project)))
    assert [f"{d.location}: {d.message}" for d in problems] == ["content/tags.yaml:1: tags.yaml must map tag slugs to names"]
