"""Page keys: equal for contexts that render alike, different for any that may not."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from milei_watch import keys, model, sources
from milei_watch.assets import lead_image
from milei_watch.config import load_config
from tests.conftest import FIXED_NOW, copy_site, reaped


def _fresh(text: str) -> str:
    """An equal string that is a different object."""
    return "".join(list(text))


def test_a_digest_depends_on_values_never_on_which_objects_hold_them() -> None:
    shared = _fresh("a value long enough to be its own object")
    assert shared is not _fresh(shared)
    # One object referred to twice, and two equal objects: a serialiser that refers back to objects
    # it has seen (marshal from version 3, pickle) writes these differently.
    assert keys.digest((shared, shared), [shared]) == keys.digest((shared, _fresh(shared)), [_fresh(shared)])


@pytest.mark.parametrize("left, right", [
    (1, True), (0, False), (1, 1.0), (None, "None"), ("1", 1), ((), []), (("a", "b"), ("a", ("b",))),
    ("é", "e"), (2 ** 70, 2 ** 70 + 1),
])
def test_values_that_print_or_compare_alike_have_different_digests(left, right) -> None:
    assert keys.digest(left) != keys.digest(right)


def _site(tmp_path: Path, name: str = "newsroom") -> model.Site:
    root = copy_site(tmp_path / "project", name)
    config = load_config(root)
    authors, _problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, _read, _files = sources.read_all(root, config.content_dir, {}, 0)
    site, _more = model.build_site(config, docs, authors, now=FIXED_NOW, drafts=True, future=True)
    return site


def test_an_article_stands_in_a_context_by_its_front_matter_and_lead_image_bytes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    first, second = site.articles[0], site.articles[1]
    same = first._replace()  # an equal article, another object (as a reloaded cache gives)

    def key(context: dict, assets: dict[str, str] | None = None) -> str:
        return keys.context_key("article.html", "", context, keys.Canonicaliser(assets))

    assert key({"article": first, "related": (second,)}) == key({"article": same, "related": (second,)})
    assert key({"article": first}) != key({"article": second})
    assert key({"article": first, "related": (second,)}) != key({"related": (second,), "article": first})
    assert key({"article": first}) != key({"article": (first,)})
    retitled = first._replace(meta_digest="another front matter")
    assert key({"article": first}) != key({"article": retitled})
    pictured = first._replace(image=model.LeadImage("x.jpg", "alt", None, None, 1))
    stored = lead_image("x.jpg")
    assert key({"article": pictured}, {stored: "one"}) != key({"article": pictured}, {stored: "two"})
    # The same context in another edition renders other strings, dates and addresses.
    assert key({"article": first}) != keys.context_key("article.html", "es", {"article": first}, keys.Canonicaliser())


def test_records_moments_and_markup_have_canonical_forms_and_anything_else_is_refused() -> None:
    canonical = keys.Canonicaliser()
    moment = dt.datetime(2026, 1, 25, 10, 0, tzinfo=dt.timezone.utc)
    assert canonical(moment) != canonical(moment.astimezone(dt.timezone(dt.timedelta(hours=-3))))
    assert canonical({"when": moment}) == keys.Canonicaliser()({"when": moment.replace()})
    with pytest.raises(TypeError, match="no canonical form for object"):
        canonical({"thing": object()})


def test_a_record_stands_in_a_key_by_its_kind_and_every_field() -> None:
    from milei_watch.config import Topic
    from milei_watch.plan import FeedLink, Paging

    def key(value) -> str:
        return keys.context_key("topic.html", "", {"value": value}, keys.Canonicaliser())

    topic = Topic("economy", "Economy", "Milei's programme", ("peso",))
    assert key(topic) == key(Topic(_fresh("economy"), "Economy", "Milei's programme", ("peso",)))
    for changed in (topic._replace(name="La economía"), topic._replace(keywords=("peso", "deuda")),
                    topic._replace(description="")):
        assert key(changed) != key(topic)
    # Records of two kinds with equal fields, or a record and a plain tuple of its fields, differ.
    assert key(FeedLink("a", "b", "c")) != key(tuple(FeedLink("a", "b", "c")))
    assert key(Paging(1, 2, None, "x")) != key(Paging(1, 2, "x", None))
    assert key(FeedLink("feed.xml", "application/rss+xml", "RSS")) != key(
        Topic("feed.xml", "application/rss+xml", "RSS", ()))
    assert key(Paging(1, 2, None, None)) != key(Topic(1, 2, None, None))
    # A record shared by many pages is written out once per build.
    canonical = keys.Canonicaliser()
    assert canonical(topic) is canonical(topic)



def _planned(tmp_path: Path) -> list:
    from milei_watch import plan
    site = _site(tmp_path)
    return plan.plan_pages(site, plan.related_articles(site), FIXED_NOW)


@pytest.fixture
def key_forks(forks, monkeypatch) -> list[int]:
    """The children key_jobs forks, with forking allowed for a site of any size."""
    monkeypatch.setattr(keys, "FORK_THRESHOLD", 2)
    return forks


def test_a_pages_versions_stand_in_its_key_by_every_address() -> None:
    from milei_watch.plan import Versions

    def key(value) -> str:
        return keys.context_key("article.html", "", {"alternates": value}, keys.Canonicaliser())

    versions = Versions((("en", "articles/a/"), ("es", "es/articulos/a/")))
    assert key(versions) == key(Versions(((_fresh("en"), "articles/a/"), ("es", _fresh("es/articulos/a/")))))
    for changed in ((("en", "articles/a/"), ("es", "es/articulos/b/")), (("en", "articles/a/"),),
                    (("es", "es/articulos/a/"), ("en", "articles/a/")), (("en", "articles/a/"), ("fr", "es/articulos/a/"))):
        assert key(Versions(changed)) != key(versions), changed
    assert key(versions) != key(tuple(versions))  # a page's versions are not any tuple of pairs
    canonical = keys.Canonicaliser()
    assert canonical(versions) is canonical(versions)  # written out once for all the pages sharing it


def test_jobs_keyed_half_in_a_forked_child_get_the_keys_of_one_process(tmp_path: Path, key_forks) -> None:
    jobs = _planned(tmp_path)
    alone = keys.key_jobs(jobs, {"": "site"}, {}, workers=1)
    assert not key_forks
    assert keys.key_jobs(jobs, {"": "site"}, {}, workers=2) == alone
    assert len(key_forks) == 1  # the child keyed its half, and was reaped
    assert reaped(key_forks[0])
    assert len(alone[0]) == len(jobs) and len(set(alone[1])) == len(jobs)  # one key per page, each its own


def test_a_context_the_forked_child_cannot_key_is_reported_here_and_no_child_is_left(
        tmp_path: Path, key_forks) -> None:
    jobs = _planned(tmp_path)
    broken = jobs[1]  # an odd place: the child's half
    jobs[1] = broken._replace(context=dict(broken.context, thing=object()))
    with pytest.raises(TypeError, match="no canonical form for object"):
        keys.key_jobs(jobs, {"": "site"}, {}, workers=2)
    assert len(key_forks) == 1
    assert reaped(key_forks[0])


def test_jobs_are_keyed_here_when_no_process_can_be_forked(tmp_path: Path, key_forks, monkeypatch) -> None:
    jobs = _planned(tmp_path)
    alone = keys.key_jobs(jobs, {"": "site"}, {}, workers=1)
    opened = len(os.listdir("/proc/self/fd"))

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(keys.os, "fork", refused)
    assert keys.key_jobs(jobs, {"": "site"}, {}, workers=2) == alone
    assert len(os.listdir("/proc/self/fd")) == opened  # the pipe made for the child is closed


@pytest.mark.parametrize("name", ["newsroom", "bilingual"])
def test_the_folded_loop_gives_the_keys_of_context_key_and_job_key(tmp_path: Path, name: str) -> None:
    from milei_watch import images, plan
    site = _site(tmp_path, name)
    jobs = plan.plan_pages(site, plan.related_articles(site), FIXED_NOW)
    shown = next(job for job in jobs if job.template == "article.html")
    jobs.append(shown._replace(output="shows/index.html", bodies=(shown.bodies[0]._replace(body_assets=("images/a.png",)),)))
    jobs.append(plan.PageJob("images/a-320.webp", images.JOB, {"source": "images/a.png"}))
    assert {job.template for job in jobs} >= {"article.html", "rss.xml", plan.SHARE_CARD, images.JOB}
    assert any(len(job.bodies) > 1 for job in jobs) and any(not job.bodies for job in jobs)
    site_keys, assets = {"": "site", "article.html": "articles"}, {"images/a.png": "png-digest"}
    canonical = keys.Canonicaliser(assets)
    contexts = [keys.context_key(job.template, job.lang, job.context, canonical) for job in jobs]
    assert keys._key_range(jobs, site_keys, assets) == (
        contexts, [keys.job_key(job, site_keys, context, assets) for job, context in zip(jobs, contexts)])


@pytest.mark.parametrize("name", ["basic", "bilingual"])
def test_pages_keyed_by_another_process_are_taken_and_any_it_lacks_keyed_here(tmp_path: Path, name) -> None:
    from milei_watch import plan
    site = _site(tmp_path, name)
    related = plan.related_articles(site)
    jobs = plan.plan_pages(site, related, FIXED_NOW)
    articles = plan.shared_pages(site, related)  # planned again, as the other process does
    assert articles == [job for job in jobs if job.template in plan.SHARED]
    assert {job.template for job in articles} == plan.SHARED and len(articles) > 4
    alone = keys.key_jobs(jobs, {"": "site"}, {})
    theirs = keys.keyed(articles, {"": "site"}, {})
    contexts, page_keys = keys.key_jobs(jobs, {"": "site"}, {}, workers=2, elsewhere=plan.SHARED)
    assert [i for i, key in enumerate(page_keys) if key is None] == [
        i for i, job in enumerate(jobs) if job.template in plan.SHARED]  # left for the other process
    keys.take(jobs, contexts, page_keys, theirs, {"": "site"}, {})
    assert (contexts, page_keys) == alone
    contexts, page_keys = keys.key_jobs(jobs, {"": "site"}, {}, elsewhere=plan.SHARED)
    del theirs[articles[1].output]
    keys.take(jobs, contexts, page_keys, theirs, {"": "site"}, {})
    assert (contexts, page_keys) == alone


def _theme(tmp_path: Path, files: dict[str, str]):
    project = copy_site(tmp_path / "project")
    for name, text in files.items():
        (project / "templates" / name).write_text(text, "utf-8")
    from milei_watch import inputs
    return inputs._templates(load_config(project))


def test_the_templates_a_template_names_are_read_from_its_tags(tmp_path: Path) -> None:
    found = _theme(tmp_path, {
        "home.html": '{%- extends "base.html" -%}{% import "_macros.html" as m %}'
                     "{% from 'robots.txt' import a, b with context %}{% include \"404.html\" ignore missing %}",
        "tag.html": "{% include name %}",
        "tags.html": '{% include ["404.html", "robots.txt"] %}',
        "topic.html": '{% extends "ba" ~ "se.html" %}',
        "author.html": "{# no tag #}plain",
    })
    assert found["home.html"][1] == ("404.html", "_macros.html", "base.html", "robots.txt")
    assert found["author.html"][1] == ()
    # a name made by an expression could be any template
    assert found["tag.html"][1] is None and found["tags.html"][1] is None and found["topic.html"][1] is None


def test_a_page_template_is_in_the_keys_of_the_pages_that_reach_it_only() -> None:
    theme = {"base.html": ("b", ("_macros.html",)), "_macros.html": ("m", ()), "article.html": ("a", ("base.html",)),
             "home.html": ("h", ("base.html", "robots.txt")), "robots.txt": ("r", ()), "tag.html": ("t", None),
             "locale/es/LC_MESSAGES/messages.po": ("po", ())}
    before = keys.site_keys("site", theme)

    def after(name: str, digest: str) -> dict[str, str]:
        return keys.site_keys("site", dict(theme, **{name: (digest, theme[name][1])}))

    changed = {name for name, key in after("article.html", "a2").items() if key != before[name]}
    assert changed == {"article.html", "tag.html", ""}  # tag.html names a template by an expression
    changed = {name for name, key in after("robots.txt", "r2").items() if key != before[name]}
    assert changed == {"robots.txt", "home.html", "tag.html", ""}
    for shared in ("base.html", "_macros.html", "locale/es/LC_MESSAGES/messages.po"):
        assert all(key != before[name] for name, key in after(shared, "x").items()), shared
    assert keys.site_keys("another site", theme)["article.html"] != before["article.html"]
