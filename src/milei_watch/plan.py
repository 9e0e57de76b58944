"""Pure planning: every page of the site, each with its template and a narrow context."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import os
from bisect import bisect_left
from collections import defaultdict
from itertools import islice
from typing import Any, NamedTuple

from . import dates, forked, routes, sharecard
from .config import Topic
from .model import Article, Page, Site, find_start_here

# Templates whose output is not HTML: rendered by code rather than Jinja.
JSON_FEED = "@jsonfeed"
SHARE_CARD = "@sharecard"
# Every template a page is rendered from. Each is part of the keys of its own pages only (and of
# those whose template extends, includes or imports it); every other file of the theme (the base
# layout, macros, catalogues) is part of every page's key (keys.site_keys).
TEMPLATES = frozenset({
    "404.html", "archive.html", "archive_month.html", "archive_year.html", "article.html", "atom.xml",
    "author.html", "corrections.html", "home.html", "news-sitemap.xml", "page.html", "robots.txt", "rss.xml",
    "search.html", "sitemap-index.xml", "sitemap.xml", "sources.html", "tag.html", "tags.html", "timeline.html",
    "topic.html",
})
# The templates of the pages a large site's build has another process key (`shared_pages`): the
# article pages and the tag listings, three in four of its pages.
SHARED = frozenset({"article.html", "tag.html"})
RELATED_COUNT = 3
_RELATED_WINDOW = 8
# Articles listed under each month on the archive's index; each month's own page lists them all.
ARCHIVE_PREVIEW = 5
# Events a section front previews from its topic's timeline.
TIMELINE_PREVIEW = 3


class PageJob(NamedTuple):
    """One output file: where it goes and how to render it; keys.py derives its key from these.

    A named tuple rather than a frozen dataclass: a site of ten thousand articles plans
    fifteen thousand of them on every build, and a tuple is several times cheaper to make.
    """

    output: str                         # path under site/, e.g. articles/x/index.html
    template: str
    context: dict[str, Any]
    bodies: tuple[Article | Page, ...] = ()   # documents whose rendered HTML the page embeds
    searchable: bool = False
    lang: str = ""                      # the edition that renders it; "" for the default language


class Paging(NamedTuple):
    """Where a listing page sits among its siblings."""

    number: int
    total: int
    prev_url: str | None
    next_url: str | None


# The file that serves a folder's address: a page's address is its output path without it.
_INDEX = "index.html"


class Versions(tuple):
    """The addresses of a page's versions, ((language, path under the site), ...) in the editions'
    order: a tuple, with a type of its own so that keys.py writes it into page keys once, by digest,
    rather than in full into the key of each of the pages (and sitemap entries) that share it."""

    __slots__ = ()


class FeedLink(NamedTuple):
    """A feed offered for autodiscovery."""

    url: str
    type: str
    title: str


# The three formats every feed is offered in: (file name, template, media type, label).
FEED_FORMATS = (
    ("feed.xml", "rss.xml", "application/rss+xml", "RSS"),
    ("atom.xml", "atom.xml", "application/atom+xml", "Atom"),
    ("feed.json", JSON_FEED, "application/feed+json", "JSON Feed"),
)


def _feed_links(prefix: str, title: str) -> tuple[FeedLink, ...]:
    return tuple(FeedLink(prefix + name, media, f"{title} ({label})") for name, _template, media, label in FEED_FORMATS)


def site_feeds(site: Site) -> tuple[FeedLink, ...]:
    return _feed_links("", site.config.title)


def topic_feeds(site: Site, slug: str) -> tuple[FeedLink, ...]:
    return _feed_links(routes.topic(slug), site.topic(slug).name)


# (date as a timestamp, tags, topics, listed, language) of each article: all that related_articles
# reads. The language is "" for the site's default one: articles are related only within their language.
Facts = dict[str, tuple[float, tuple[str, ...], tuple[str, ...], bool, str]]
Related = dict[str, tuple[str, ...]]
# Beyond this many changed articles, recomputing every article is as quick as finding those affected.
_RELATED_INCREMENTAL_LIMIT = 200
# From this many articles to score, a forked child scores every other one: 40 us each, a fork 10 ms.
RELATED_FORK_THRESHOLD = 2000


def related_facts(site: Site) -> Facts:
    # Plain tuples rather than sets: the build keeps the facts between builds, and tuples load fast.
    default = site.config.default_language
    facts: Facts = {}
    for shown, articles in ((True, site.articles), (False, site.unlisted)):
        for a in articles:
            facts[a.slug] = (a.date.timestamp(), a.tags, a.topics, shown, "" if a.lang == default else a.lang)
    return facts


def _terms(tags: tuple[str, ...], topics: tuple[str, ...]) -> list[str]:
    """The lists an article is a candidate in (within its language): one per tag and one per topic."""
    return [*("t:" + t for t in tags), *("p:" + p for p in topics)]


# language → term → the listed articles with that term, by date: (timestamp, slug)
_Lists = dict[str, dict[str, list[tuple[float, str]]]]


def related_articles(site: Site, facts: Facts | None = None, previous: tuple[Facts, Related] | None = None,
                     workers: int = 1) -> Related:
    """Up to three related articles per article: shared tags count most, then shared topics,
    then closeness in date, then slug. Candidates come from each tag's and topic's
    date-ordered list near the article, so the cost stays linear in the site size.

    With the facts and result of a previous build, only the articles whose candidates can have
    changed are scored again: those near a changed article in one of its tag or topic lists."""
    facts = related_facts(site) if facts is None else facts
    by_term: _Lists = defaultdict(lambda: defaultdict(list))
    # Candidates are listed articles only: an expired one keeps its page but is suggested nowhere.
    for slug, (when, tags, topics, listed, lang) in sorted(facts.items(), key=lambda item: (item[1][0], item[0])):
        if listed:
            lists = by_term[lang]
            for tag in tags:  # _terms written out: this loop runs for every article of the site
                lists["t:" + tag].append((when, slug))
            for topic in topics:
                lists["p:" + topic].append((when, slug))
    # Facts kept by an older version of the build have another shape: then every article is scored.
    if previous is not None and all(len(known) == 5 for known in islice(previous[0].values(), 1)):
        old_facts, old_result = previous
        changed = [slug for slug in facts.keys() | old_facts.keys() if facts.get(slug) != old_facts.get(slug)]
        if len(changed) <= _RELATED_INCREMENTAL_LIMIT:
            result = {slug: old_result[slug] for slug in facts if slug in old_result}
            for slug in _affected(changed, facts, old_facts, by_term) | {s for s, f in facts.items() if not f[3]}:
                if slug in facts:
                    result[slug] = _related_to(slug, facts, by_term)
            return result
    slugs = list(facts)

    def score(part: list[str]) -> list[tuple[str, ...]]:
        return [_related_to(slug, facts, by_term) for slug in part]

    if workers > 1 and len(slugs) >= RELATED_FORK_THRESHOLD and hasattr(os, "fork"):
        return dict(zip(slugs, forked.interleaved(score, slugs)))
    return dict(zip(slugs, score(slugs)))


def _affected(changed: list[str], facts: Facts, old_facts: Facts, by_term: _Lists) -> set[str]:
    """The changed articles and every article whose candidate window may hold, or have held, one."""
    affected = set(changed)
    reach = _RELATED_WINDOW + 2
    for slug in changed:
        for known in (facts.get(slug), old_facts.get(slug)):
            if known is None:
                continue
            when, tags, topics, _listed, lang = known
            lists = by_term.get(lang, {})
            for term in _terms(tags, topics):
                items = lists.get(term, ())
                at = bisect_left(items, (when, slug))
                affected.update(other for _when, other in items[max(0, at - reach): at + reach + 1])
    return affected


def _related_to(slug: str, facts: Facts, by_term: _Lists) -> tuple[str, ...]:
    when, tags, topics, _listed, lang = facts[slug]
    tag_set, topic_set = set(tags), set(topics)
    seen = {slug}
    scored = []
    lists = by_term.get(lang, {})
    for term in _terms(tags, topics):
        items = lists.get(term)
        if not items:  # a term only this (unlisted) article has
            continue
        at = bisect_left(items, (when, slug))
        for _when, other in items[max(0, at - _RELATED_WINDOW): at + _RELATED_WINDOW + 1]:
            if other in seen:
                continue
            seen.add(other)
            other_when, other_tags, other_topics, _, _ = facts[other]
            score = 3 * len(tag_set.intersection(other_tags)) + len(topic_set.intersection(other_topics))
            scored.append((-score, abs(other_when - when), other))
    return tuple(other for _score, _distance, other in heapq.nsmallest(RELATED_COUNT, scored))


def plan_pages(site: Site, related: dict[str, tuple[str, ...]], now: dt.datetime,
               theme: dict[str, str] | None = None) -> list[PageJob]:
    """Every page of the site in a fixed order: each edition's pages (the default language's at
    the root, each other's under its prefix), then the files of the whole site.

    `theme` holds the digest of each of the theme's static files by output path, for the pages
    drawn from them (the share card's fonts)."""
    jobs: list[PageJob] = []
    fonts = tuple((name, (theme or {}).get(name, "")) for name in sharecard.FONTS)
    featured = frozenset(a.translation_key or a.slug for a in site.articles if a.featured)
    versions = _document_versions(site) if len(site.config.editions) > 1 else {}
    for edition in site.config.editions:
        jobs.extend(_placed(edition, _edition_pages(site.in_edition(edition.code), related, fonts, featured,
                                                    versions)))
    if len(site.config.editions) > 1:
        _link_editions(site, jobs)
    jobs.extend(_sitemaps(jobs))
    news = _news_sitemap(site, now)
    has_news = bool(news.context["items"])
    if has_news:  # the sitemap schema requires at least one <url>
        jobs.append(news)
    jobs.append(PageJob("robots.txt", "robots.txt", {"news_sitemap": has_news}))
    return jobs


def shared_pages(site: Site, related: dict[str, tuple[str, ...]]) -> list[PageJob]:
    """Every edition's pages of the SHARED templates, as `plan_pages` plans them among the rest: for
    another process to key while this one plans the rest (build.py)."""
    versions = _document_versions(site) if len(site.config.editions) > 1 else {}
    jobs: list[PageJob] = []
    for edition in site.config.editions:
        edition_site = site.in_edition(edition.code)
        feeds = site_feeds(edition_site)
        jobs.extend(_placed(edition, _article_pages(edition_site, related, feeds, versions)
                            + _tag_pages(edition_site, feeds)))
    if len(site.config.editions) > 1:
        _link_editions(site, jobs)  # a page's versions are at its path in each edition: all are here
    return [job for job in jobs if job.template in SHARED]


def _placed(edition, pages: list[PageJob]) -> list[PageJob]:
    """An edition's pages at their place in the site: under its prefix, in its language, unless it is the default."""
    if not edition.prefix:
        return pages
    prefix, code = edition.prefix, edition.code
    return [PageJob(prefix + output, template, context, bodies, searchable, code)
            for output, template, context, bodies, searchable, _lang in pages]


def _edition_pages(site: Site, related: dict[str, tuple[str, ...]], fonts: tuple[tuple[str, str], ...] = (),
                   featured: frozenset[str] = frozenset(), versions: dict[tuple[str, str], Versions] | None = None,
                   ) -> list[PageJob]:
    """The pages of one edition, at paths inside it; `versions` gives each article's and page's
    addresses in every language it has (`_document_versions`)."""
    versions = versions or {}
    jobs: list[PageJob] = []
    config = site.config
    articles = site.articles
    feeds = site_feeds(site)
    by_topic: dict[str, list[Article]] = {topic.slug: [] for topic in config.topics}
    for article in articles:
        for slug in article.topics:
            by_topic[slug].append(article)
    timeline = _events(site)
    jobs.append(_home(site, by_topic, feeds, featured))
    jobs.extend(_article_pages(site, related, feeds, versions))
    for page in site.pages:
        context = _versioned({"doc": page, "feeds": feeds}, versions, "page.html", page)
        jobs.append(PageJob(routes.output_path(page.url), "page.html", context, (page,), True))
    for topic in config.topics:
        members = tuple(by_topic[topic.slug])
        tfeeds = topic_feeds(site, topic.slug)
        events = tuple(entry for entry in timeline if topic.slug in entry.topics)
        # The section front previews the topic's latest events, newest first, when it has any.
        preview = tuple(reversed(events[-TIMELINE_PREVIEW:]))
        jobs.extend(_listing(
            lambda n, s=topic.slug: routes.topic(s, n), members, config.per_page, "topic.html",
            {"topic": topic, "feeds": feeds + tfeeds, "title": topic.name, "description": topic.description},
            front={"timeline": preview, "event_count": len(events)},
        ))
        jobs.extend(_feed_jobs(site, routes.topic(topic.slug), members, f"{config.title}: {topic.name}",
                               topic.description, routes.topic(topic.slug)))
        jobs.append(PageJob(routes.output_path(routes.topic_timeline(topic.slug)), "timeline.html",
                            {"events": events, "topic": topic, "feeds": feeds + tfeeds}))
    jobs.extend(_tag_pages(site, feeds))
    jobs.extend(_author_pages(site, feeds))
    jobs.extend(_archive_pages(site, feeds))
    jobs.append(PageJob(routes.output_path("timeline/"), "timeline.html",
                        {"events": timeline, "topic": None, "feeds": feeds}))
    jobs.append(_sources_page(site, feeds))
    jobs.append(_corrections_page(site, feeds))
    jobs.append(PageJob("search/index.html", "search.html", {"feeds": feeds}))
    jobs.append(PageJob("404.html", "404.html", {"feeds": feeds}))
    jobs.extend(_feed_jobs(site, "", articles, config.title, config.description, ""))
    jobs.append(PageJob(sharecard.OUTPUT, SHARE_CARD, {"title": config.title, "description": config.description,
                                                       "address": config.base_url, "fonts": fonts}))
    return jobs


def _document_versions(site: Site) -> dict[tuple[str, str], Versions]:
    """The addresses of every article's and page's versions, for those that exist in several
    languages: (template, translation key) → ((language, path under the site), ...) in the editions'
    order. A document's versions share a translation_key, which is the slug of one of them unless
    written. One tuple per document, shared by its versions' pages: made once, and canonicalised
    once for all their keys."""
    prefixes = {edition.code: edition.prefix for edition in site.config.editions}  # in the editions' order
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for template, docs in (("article.html", site.articles + site.unlisted), ("page.html", site.pages)):
        for doc in docs:
            # the address of the document's page, as _article_pages and _edition_pages place it
            address = prefixes[doc.lang] + routes.output_path(doc.url)[: -len(_INDEX)]
            groups.setdefault((template, doc.translation_key or doc.slug), {}).setdefault(doc.lang, address)
    return {group: Versions((code, found[code]) for code in prefixes if code in found)
            for group, found in groups.items() if len(found) > 1}


def _versioned(context: dict[str, Any], versions: dict[tuple[str, str], Versions], template: str,
               doc: Article | Page) -> dict[str, Any]:
    """An article's or page's context, with the addresses of its versions when it has any."""
    shared = versions.get((template, doc.translation_key or doc.slug))
    if shared is not None:
        context["alternates"] = shared
    return context


def _link_editions(site: Site, jobs: list[PageJob]) -> None:
    """Give every page that exists in several languages, other than an article's or a page's
    (`_document_versions`), the addresses of its versions (`alternates`: (language, path under the
    site) in the editions' order), for hreflang links, the language switcher and the sitemap: a
    page's versions share their path inside the edition."""
    default = site.config.default_language
    cut = {edition.code: len(edition.prefix) for edition in site.config.editions}
    cut[""] = cut[default]  # a job of the default language has no code of its own
    # path inside the edition → (its versions' addresses by language, its pages' contexts)
    groups: dict[str, tuple[dict[str, str], list[dict[str, Any]]]] = {}
    # Unpacked rather than read by attribute: this loop runs over every page of every edition.
    for output, template, context, _bodies, _searchable, lang in jobs:
        if template == "article.html" or template == "page.html" or not output.endswith(_INDEX):
            continue
        group = output[cut[lang]:]
        known = groups.get(group)
        if known is None:
            groups[group] = ({lang or default: output[: -len(_INDEX)]}, [context])  # the address
        else:
            known[0].setdefault(lang or default, output[: -len(_INDEX)])
            known[1].append(context)
    # The jobs come edition by edition, so each group's versions are already in the editions' order.
    for versions, contexts in groups.values():
        if len(versions) > 1:
            shared = Versions(versions.items())
            for context in contexts:
                context["alternates"] = shared  # each job's context is its own dict, made above


class Section(NamedTuple):
    """A topic's part of the front page: the articles it shows, and how many the topic has."""

    topic: Topic
    articles: tuple[Article, ...]
    total: int


def _home(site: Site, by_topic: dict[str, list[Article]], feeds: tuple[FeedLink, ...],
          featured: frozenset[str] = frozenset()) -> PageJob:
    """The front page: a lead story (the newest featured article, else the newest), the article
    site.yaml's `start_here` names, the latest headlines, then a section per topic; no article twice.

    An article is featured when it, or a version of it in another language, says `featured: true`
    (`featured` holds their translation keys)."""
    config = site.config
    articles = site.articles
    start = find_start_here(articles, config.start_here)
    lead = next((a for a in articles if (a.translation_key or a.slug) in featured and a is not start), None) or \
        next((a for a in articles if a is not start), None)
    shown = {a.slug for a in (lead, start) if a is not None}
    latest = tuple(islice((a for a in articles if a.slug not in shown), config.home_latest))
    shown.update(a.slug for a in latest)
    # Sections take their newest articles not shown above one round at a time, the topic with the
    # fewest left to offer choosing first, so that a small site's articles spread over every section.
    picked: dict[str, list[Article]] = {topic.slug: [] for topic in config.topics}
    reach = len(config.topics) * config.home_per_topic + 1

    def left(item: tuple[int, Topic]) -> tuple[int, int]:
        """How many articles a topic still has to offer (counted only as far as can matter), then its place."""
        window = islice(by_topic[item[1].slug], len(shown) + reach)
        return sum(1 for a in window if a.slug not in shown), item[0]

    for _round in range(config.home_per_topic):
        pending = list(enumerate(config.topics))
        while pending:
            chosen = min(pending, key=left)
            pending.remove(chosen)
            topic = chosen[1]
            choice = next((a for a in by_topic[topic.slug] if a.slug not in shown), None)
            if choice is not None:
                picked[topic.slug].append(choice)
                shown.add(choice.slug)
    sections = tuple(Section(topic, tuple(picked[topic.slug]), len(by_topic[topic.slug])) for topic in config.topics)
    return PageJob("index.html", "home.html", {"lead": lead, "start_here": start, "latest": latest,
                                               "sections": sections, "feeds": feeds})


def _article_pages(site: Site, related: dict[str, tuple[str, ...]], feeds,
                   versions: dict[tuple[str, str], Versions] | None = None) -> list[PageJob]:
    articles = site.articles
    by_slug = {a.slug: a for a in articles + site.unlisted}
    listed_tags = frozenset(tag for a in articles for tag in a.tags)
    jobs = []
    for index, article in enumerate(articles + site.unlisted):
        listed = index < len(articles)
        newer = articles[index - 1] if listed and index > 0 else None
        older = articles[index + 1] if listed and index + 1 < len(articles) else None
        rel = tuple(map(by_slug.__getitem__, related.get(article.slug, ())))
        author = site.authors.get(article.author)
        # An expired article may carry a tag no listed article has, and so no tag page to link to;
        # a listed article's tags all have one.
        linked = article.tags if listed else tuple(tag for tag in article.tags if tag in listed_tags)
        context = {"article": article, "newer": newer, "older": older, "related": rel,
                   "author": author, "expired": not listed, "feeds": feeds, "tag_pages": linked}
        if versions:
            _versioned(context, versions, "article.html", article)
        jobs.append(PageJob(routes.output_path(article.url), "article.html", context, (article,), True))
    return jobs


def _listing(url_of, members: tuple[Article, ...], per_page: int, template: str,
             context: dict[str, Any], front: dict[str, Any] | None = None) -> list[PageJob]:
    """The pages of a listing; `front` is what its first page alone shows (a section front's timeline),
    kept out of the other pages' contexts so that a change to it renders the first page only."""
    total = max(1, math.ceil(len(members) / per_page))
    jobs = []
    for number in range(1, total + 1):
        shown = members[(number - 1) * per_page: number * per_page]
        paging = Paging(number, total, url_of(number - 1) if number > 1 else None,
                        url_of(number + 1) if number < total else None)
        page_context = dict(context, articles=shown, paging=paging, url=url_of(number))
        if front:
            page_context.update(front if number == 1 else dict.fromkeys(front))
        jobs.append(PageJob(routes.output_path(url_of(number)), template, page_context))
    return jobs


def _feed_jobs(site: Site, prefix: str, members: tuple[Article, ...], title: str, description: str,
               home_url: str) -> list[PageJob]:
    items = members[: site.config.feed_size]
    context = {"items": items, "title": title, "description": description, "home_url": home_url}
    return [PageJob(prefix + name, template, dict(context, self_url=prefix + name), items)
            for name, template, _media, _label in FEED_FORMATS]


def _tag_pages(site: Site, feeds) -> list[PageJob]:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in site.articles:
        for tag in article.tags:
            members[tag].append(article)
    counts = tuple((slug, site.tag_names[slug], len(members[slug])) for slug in site.tag_names if members[slug])
    jobs = [PageJob(routes.output_path(routes.tags_index()), "tags.html", {"tags": counts, "feeds": feeds})]
    for slug, name, _count in counts:
        jobs.extend(_listing(lambda n, s=slug: routes.tag(s, n), tuple(members[slug]), site.config.per_page,
                             "tag.html", {"tag": name, "tag_slug": slug, "feeds": feeds, "title": name}))
    return jobs


def _author_pages(site: Site, feeds) -> list[PageJob]:
    jobs = []
    written: dict[str, list[Article]] = defaultdict(list)
    for article in site.articles:
        written[article.author].append(article)
    for slug, author in sorted(site.authors.items()):
        members = tuple(written[slug])
        afeed = (FeedLink(routes.author_feed(slug), "application/rss+xml", f"{author.name} (RSS)"),)
        jobs.extend(_listing(lambda n, s=slug: routes.author(s, n),
                             members, site.config.per_page, "author.html",
                             {"author": author, "feeds": feeds + afeed, "title": author.name}))
        items = members[: site.config.feed_size]
        context = {"items": items, "title": f"{site.config.title}: {author.name}", "description": author.bio,
                   "home_url": routes.author(slug), "self_url": routes.author_feed(slug)}
        jobs.append(PageJob(routes.author_feed(slug), "rss.xml", context, items))
    return jobs


def _archive_pages(site: Site, feeds) -> list[PageJob]:
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in site.articles:
        months[(article.date.year, article.date.month)].append(article)
    years: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for (year, month), items in sorted(months.items(), reverse=True):
        years[year].append((month, len(items), routes.archive_month(year, month)))
    # The index lists each month's newest articles under its heading, and links the month's page.
    overview = tuple((year, tuple((month, count, href, tuple(months[(year, month)][:ARCHIVE_PREVIEW]))
                                  for month, count, href in entries))
                     for year, entries in sorted(years.items(), reverse=True))
    jobs = [PageJob(routes.output_path(routes.archive()), "archive.html",
                    {"years": overview, "feeds": feeds, "coverage": _coverage(site, months)})]
    for year in sorted(years):
        # the year's articles as a compact list under month headings, newest first
        groups = tuple((month, routes.archive_month(year, month), tuple(months[(year, month)]))
                       for month, _count, _href in years[year])
        jobs.append(PageJob(routes.output_path(routes.archive_year(year)), "archive_year.html",
                            {"year": year, "months": groups, "feeds": feeds}))
    for (year, month), items in sorted(months.items()):
        jobs.append(PageJob(routes.output_path(routes.archive_month(year, month)), "archive_month.html",
                            {"year": year, "month": month, "articles": tuple(items), "feeds": feeds}))
    return jobs


def _coverage(site: Site, months: dict[tuple[int, int], list[Article]]) -> tuple[tuple[int, int, tuple[int, ...]], ...]:
    """Articles per month per topic, for the archive's chart: (year, month, count for each topic in the
    settings' order), every month from the first article's to the last's, empty months included."""
    if not months:
        return ()
    slugs = site.config.topic_slugs
    (year, month), last = min(months), max(months)
    out = []
    while (year, month) <= last:
        items = months.get((year, month), ())
        out.append((year, month, tuple(sum(1 for a in items if slug in a.topics) for slug in slugs)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


class TimelineEntry(NamedTuple):
    """An event on the timeline with the article that discusses it."""

    date: dt.date
    title: str
    topics: tuple[str, ...]
    article: Article


def _events(site: Site) -> tuple[TimelineEntry, ...]:
    """Every event of the edition's articles, in date order; each topic's timeline is a selection."""
    entries = [
        TimelineEntry(event.date, event.title, event.topics, article)
        for article in site.articles + site.unlisted
        for event in article.events
    ]
    entries.sort(key=lambda e: (e.date, e.title, e.article.slug))
    return tuple(entries)


class CitedPublisher(NamedTuple):
    """A publisher on the sources page: the works cited from it and the sources it was only seen cited
    in (vias), each once in the order the articles show them; whether any article cites it directly;
    and the articles citing it, newest first, each with the vias of its own citations."""
    name: str
    works: tuple[str, ...]
    vias: tuple[str, ...]
    direct: bool
    articles: tuple[tuple[Article, tuple[str, ...]], ...]


def _sources_page(site: Site, feeds) -> PageJob:
    """Every publisher cited, by name: those the desk consulted directly first, then those it only saw
    cited inside another source."""
    cited: dict[str, dict[str, Article]] = defaultdict(dict)
    names: dict[str, str] = {}
    for article in site.articles:
        for ref in article.sources:
            key = ref.publisher.casefold()
            names.setdefault(key, ref.publisher)
            cited[key][article.slug] = article
    publishers = []
    for key in sorted(cited):
        works: dict[str, None] = {}
        vias: dict[str, None] = {}
        direct = False
        entries = []
        for article in cited[key].values():  # in the site's order: newest first
            own: dict[str, None] = {}
            for ref in article.sources:
                if ref.publisher.casefold() != key:
                    continue
                if ref.title:
                    works.setdefault(ref.title)
                if ref.via:
                    vias.setdefault(ref.via)
                    own.setdefault(ref.via)
                else:
                    direct = True
            entries.append((article, tuple(own)))
        publishers.append(CitedPublisher(names[key], tuple(works), tuple(vias), direct, tuple(entries)))
    ordered = tuple(p for p in publishers if p.direct) + tuple(p for p in publishers if not p.direct)
    return PageJob("sources/index.html", "sources.html", {"publishers": ordered, "feeds": feeds})


def _corrections_page(site: Site, feeds) -> PageJob:
    entries = sorted(
        ((c, a) for a in site.articles + site.unlisted for c in a.corrections),
        key=lambda pair: (-pair[0].date.timestamp(), pair[1].slug),
    )
    return PageJob("corrections/index.html", "corrections.html", {"entries": tuple(entries), "feeds": feeds})


def _sitemaps(jobs: list[PageJob]) -> list[PageJob]:
    """The sitemap index and the sitemaps it names: one of every page but articles
    (`sitemaps/pages.xml`), and one per month of the articles published in it, in every language
    (`sitemaps/YYYY-MM.xml`). An edited article changes its month's sitemap only, and no sitemap
    comes near the protocol's limit of 50,000 addresses."""
    pages: list[tuple] = []
    months: dict[str, list[tuple]] = defaultdict(list)
    newest: dict[str, dt.datetime] = {}
    for job in jobs:
        if not job.output.endswith(_INDEX) or job.template == "search.html":
            continue
        path = job.output[: -len(_INDEX)]
        alternates = job.context.get("alternates", ())
        if job.template != "article.html":
            pages.append((path, None, alternates))
            continue
        article = job.bodies[0]
        month = f"{article.date.year:04d}-{article.date.month:02d}"
        modified = article.modified
        # The date as it is printed: the context stays plain strings, quick to key at any size.
        months[month].append((path, dates.iso(modified), alternates))
        if month not in newest or modified > newest[month]:
            newest[month] = modified
    children = [PageJob(SITEMAP_PAGES, "sitemap.xml", {"urls": tuple(pages)})]
    index = [(SITEMAP_PAGES, None)]
    for month in sorted(months, reverse=True):
        output = f"sitemaps/{month}.xml"
        children.append(PageJob(output, "sitemap.xml", {"urls": tuple(months[month])}))
        index.append((output, dates.iso(newest[month])))
    return [PageJob("sitemap.xml", "sitemap-index.xml", {"sitemaps": tuple(index)}), *children]


SITEMAP_PAGES = "sitemaps/pages.xml"
NEWS_WINDOW = dt.timedelta(days=2)


def next_change(site: Site, now: dt.datetime) -> dt.datetime | None:
    """The next moment at which the clock alone changes the site: a scheduled article goes
    live, an article expires, or an article leaves the news sitemap's window."""
    moments = [a.date for a in site.scheduled[:1]]
    moments += [a.expires for a in site.articles if a.expires is not None]
    moments += [a.date + NEWS_WINDOW for a in site.articles if a.date + NEWS_WINDOW > now]
    return min(moments) if moments else None


def _news_sitemap(site: Site, now: dt.datetime) -> PageJob:
    cutoff = now - NEWS_WINDOW
    recent = tuple(a for a in site.articles if a.date >= cutoff)
    return PageJob("news-sitemap.xml", "news-sitemap.xml", {"items": recent})
