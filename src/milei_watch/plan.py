"""Pure planning: every page of the site, each with its template, a narrow context and what it depends on."""

from __future__ import annotations

import datetime as dt
import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Iterable, NamedTuple

from . import dates, routes
from .model import Article, Page, Site

# Templates whose output is not HTML: rendered by code rather than Jinja.
JSON_FEED = "@jsonfeed"
RELATED_COUNT = 3
_RELATED_WINDOW = 8


class PageJob(NamedTuple):
    """One output file: where it goes, how to render it, and the values its bytes depend on.

    A named tuple rather than a frozen dataclass: a site of ten thousand articles plans
    fifteen thousand of them on every build, and a tuple is several times cheaper to make.
    """

    output: str                         # path under site/, e.g. articles/x/index.html
    template: str
    context: dict[str, Any]
    deps: tuple[Any, ...]               # changes whenever what the page shows changes
    bodies: tuple[Article | Page, ...] = ()   # documents whose rendered HTML the page embeds
    searchable: bool = False


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a listing page sits among its siblings."""

    number: int
    total: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed offered for autodiscovery."""

    url: str
    type: str
    title: str


def _stub(article: Article | None) -> Any:
    return article.meta_digest if article is not None else None


_META_DIGEST = attrgetter("meta_digest")
_DIGEST = attrgetter("digest")


def _stubs(articles: Iterable[Article]) -> tuple[str, ...]:
    return tuple(map(_META_DIGEST, articles))


def _full(articles: Iterable[Article]) -> tuple[str, ...]:
    return tuple(map(_DIGEST, articles))


def site_feeds(site: Site) -> tuple[FeedLink, ...]:
    title = site.config.title
    return (
        FeedLink("feed.xml", "application/rss+xml", f"{title} (RSS)"),
        FeedLink("atom.xml", "application/atom+xml", f"{title} (Atom)"),
        FeedLink("feed.json", "application/feed+json", f"{title} (JSON Feed)"),
    )


def topic_feeds(site: Site, slug: str) -> tuple[FeedLink, ...]:
    name = site.topic(slug).name
    return (
        FeedLink(routes.topic_feed(slug, "feed.xml"), "application/rss+xml", f"{name} (RSS)"),
        FeedLink(routes.topic_feed(slug, "atom.xml"), "application/atom+xml", f"{name} (Atom)"),
        FeedLink(routes.topic_feed(slug, "feed.json"), "application/feed+json", f"{name} (JSON Feed)"),
    )


def related_articles(site: Site) -> dict[str, tuple[str, ...]]:
    """Up to three related articles per article: shared tags count most, then shared topics,
    then closeness in date, then slug. Candidates come from each tag's and topic's
    date-ordered list near the article, so the cost stays linear in the site size."""
    facts = {a.slug: (a.date.timestamp(), frozenset(a.tags), frozenset(a.topics))
             for a in site.articles + site.unlisted}
    by_term: dict[str, list[tuple[float, str]]] = defaultdict(list)
    # Candidates are listed articles only: an expired one keeps its page but is suggested nowhere.
    for article in sorted(site.articles, key=lambda a: (facts[a.slug][0], a.slug)):
        when = facts[article.slug][0]
        for tag in article.tags:
            by_term["t:" + tag].append((when, article.slug))
        for topic in article.topics:
            by_term["p:" + topic].append((when, article.slug))
    result: dict[str, tuple[str, ...]] = {}
    for article in site.articles + site.unlisted:
        slug = article.slug
        when, tags, topics = facts[slug]
        seen = {slug}
        scored = []
        for term in [*("t:" + t for t in article.tags), *("p:" + p for p in article.topics)]:
            items = by_term.get(term)
            if not items:  # a term only this (unlisted) article has
                continue
            at = bisect_left(items, (when, slug))
            for _when, other in items[max(0, at - _RELATED_WINDOW): at + _RELATED_WINDOW + 1]:
                if other in seen:
                    continue
                seen.add(other)
                other_when, other_tags, other_topics = facts[other]
                score = 3 * len(tags & other_tags) + len(topics & other_topics)
                scored.append((-score, abs(other_when - when), other))
        result[slug] = tuple(other for _score, _distance, other in heapq.nsmallest(RELATED_COUNT, scored))
    return result


def related_signature(site: Site) -> tuple[Any, ...]:
    """Everything related_articles reads; equal signatures give equal results."""
    # The front matter digest covers slug, date, tags and topics; it is cheap to collect.
    return (_stubs(site.articles), _stubs(site.unlisted))


def plan_pages(site: Site, related: dict[str, tuple[str, ...]], now: dt.datetime) -> list[PageJob]:
    """Every page of the site in a fixed order."""
    jobs: list[PageJob] = []
    config = site.config
    articles = site.articles
    feeds = site_feeds(site)
    by_topic: dict[str, list[Article]] = {topic.slug: [] for topic in config.topics}
    for article in articles:
        for slug in article.topics:
            by_topic[slug].append(article)
    jobs.append(_home(site, by_topic, feeds))
    jobs.extend(_article_pages(site, related, feeds))
    for page in site.pages:
        jobs.append(PageJob(routes.output_path(page.url), "page.html",
                            {"doc": page, "feeds": feeds}, ("page", page.digest), (page,), True))
    for topic in config.topics:
        members = tuple(by_topic[topic.slug])
        tfeeds = topic_feeds(site, topic.slug)
        jobs.extend(_listing(
            lambda n, s=topic.slug: routes.topic(s, n), members, config.per_page, "topic.html",
            {"topic": topic, "feeds": feeds + tfeeds, "title": topic.name, "description": topic.description},
            ("topic", topic.slug),
        ))
        jobs.extend(_feed_jobs(site, routes.topic(topic.slug), members, f"{config.title}: {topic.name}",
                               topic.description, routes.topic(topic.slug)))
        events = _events(site, topic.slug)
        jobs.append(PageJob(routes.output_path(routes.topic_timeline(topic.slug)), "timeline.html",
                            {"events": events, "topic": topic, "feeds": feeds + tfeeds},
                            ("timeline", topic.slug, _event_deps(events))))
    jobs.extend(_tag_pages(site, feeds))
    jobs.extend(_author_pages(site, feeds))
    jobs.extend(_archive_pages(site, feeds))
    events = _events(site, None)
    jobs.append(PageJob(routes.output_path("timeline/"), "timeline.html",
                        {"events": events, "topic": None, "feeds": feeds}, ("timeline", _event_deps(events))))
    jobs.append(_sources_page(site, feeds))
    jobs.append(_corrections_page(site, feeds))
    jobs.append(PageJob("search/index.html", "search.html", {"feeds": feeds}, ("search",)))
    jobs.append(PageJob("404.html", "404.html", {"feeds": feeds}, ("404",)))
    jobs.extend(_feed_jobs(site, "", articles, config.title, config.description, ""))
    jobs.append(_sitemap(site, jobs))
    news = _news_sitemap(site, now)
    has_news = bool(news.context["items"])
    if has_news:  # the sitemap schema requires at least one <url>
        jobs.append(news)
    jobs.append(PageJob("robots.txt", "robots.txt", {"news_sitemap": has_news}, ("robots", has_news)))
    return jobs


def _home(site: Site, by_topic: dict[str, list[Article]], feeds: tuple[FeedLink, ...]) -> PageJob:
    config = site.config
    latest = site.articles[: config.home_latest]
    sections = [(topic, tuple(by_topic[topic.slug][: config.home_per_topic])) for topic in config.topics]
    deps = ("home", _stubs(latest), tuple((t.slug, _stubs(m)) for t, m in sections))
    return PageJob("index.html", "home.html", {"latest": latest, "sections": sections, "feeds": feeds}, deps,
                   searchable=False)


def _article_pages(site: Site, related: dict[str, tuple[str, ...]], feeds) -> list[PageJob]:
    articles = site.articles
    by_slug = {a.slug: a for a in articles + site.unlisted}
    listed_tags = frozenset(tag for a in articles for tag in a.tags)
    jobs = []
    for index, article in enumerate(articles + site.unlisted):
        listed = index < len(articles)
        newer = articles[index - 1] if listed and index > 0 else None
        older = articles[index + 1] if listed and index + 1 < len(articles) else None
        rel = tuple(by_slug[s] for s in related.get(article.slug, ()))
        author = site.authors.get(article.author)
        # An expired article may carry a tag no listed article has, and so no tag page to link to.
        linked = listed_tags.intersection(article.tags)
        context = {"article": article, "newer": newer, "older": older, "related": rel,
                   "author": author, "expired": not listed, "feeds": feeds, "tag_pages": linked}
        deps = ("article", article.digest, _stub(newer), _stub(older), _stubs(rel), listed,
                None if listed else tuple(sorted(linked)))
        jobs.append(PageJob(routes.output_path(article.url), "article.html", context, deps, (article,), True))
    return jobs


def _listing(url_of, members: tuple[Article, ...], per_page: int, template: str,
             context: dict[str, Any], deps: tuple[Any, ...]) -> list[PageJob]:
    total = max(1, math.ceil(len(members) / per_page))
    jobs = []
    for number in range(1, total + 1):
        shown = members[(number - 1) * per_page: number * per_page]
        paging = Paging(number, total, url_of(number - 1) if number > 1 else None,
                        url_of(number + 1) if number < total else None)
        page_context = dict(context, articles=shown, paging=paging, url=url_of(number))
        jobs.append(PageJob(routes.output_path(url_of(number)), template, page_context,
                            deps + (number, total, _stubs(shown))))
    return jobs


def _feed_jobs(site: Site, prefix: str, members: tuple[Article, ...], title: str, description: str,
               home_url: str) -> list[PageJob]:
    items = members[: site.config.feed_size]
    context = {"items": items, "title": title, "description": description, "home_url": home_url}
    deps = ("feed", prefix, title, description, _full(items),
            tuple(a.author for a in items))
    return [
        PageJob(prefix + "feed.xml", "rss.xml", dict(context, self_url=prefix + "feed.xml"), deps, items),
        PageJob(prefix + "atom.xml", "atom.xml", dict(context, self_url=prefix + "atom.xml"), deps, items),
        PageJob(prefix + "feed.json", JSON_FEED, dict(context, self_url=prefix + "feed.json"), deps, items),
    ]


def _tag_pages(site: Site, feeds) -> list[PageJob]:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in site.articles:
        for tag in article.tags:
            members[tag].append(article)
    counts = tuple((slug, site.tag_names[slug], len(members[slug])) for slug in site.tag_names if members[slug])
    jobs = [PageJob(routes.output_path(routes.tags_index()), "tags.html", {"tags": counts, "feeds": feeds},
                    ("tags", counts))]
    for slug, name, _count in counts:
        jobs.extend(_listing(lambda n, s=slug: routes.tag(s, n), tuple(members[slug]), site.config.per_page,
                             "tag.html", {"tag": name, "tag_slug": slug, "feeds": feeds, "title": name},
                             ("tag", slug, name)))
    return jobs


def _author_pages(site: Site, feeds) -> list[PageJob]:
    jobs = []
    for slug, author in sorted(site.authors.items()):
        members = tuple(a for a in site.articles if a.author == slug)
        afeed = (FeedLink(routes.author_feed(slug), "application/rss+xml", f"{author.name} (RSS)"),)
        jobs.extend(_listing(lambda n, s=slug: routes.author(s, n),
                             members, site.config.per_page, "author.html",
                             {"author": author, "feeds": feeds + afeed, "title": author.name},
                             ("author", slug)))
        items = members[: site.config.feed_size]
        context = {"items": items, "title": f"{site.config.title}: {author.name}", "description": author.bio,
                   "home_url": routes.author(slug), "self_url": routes.author_feed(slug)}
        jobs.append(PageJob(routes.author_feed(slug), "rss.xml", context,
                            ("author-feed", slug, _full(items)), items))
    return jobs


def _archive_pages(site: Site, feeds) -> list[PageJob]:
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in site.articles:
        months[(article.date.year, article.date.month)].append(article)
    years: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for (year, month), items in sorted(months.items(), reverse=True):
        years[year].append((month, len(items), routes.archive_month(year, month)))
    overview = tuple((year, tuple(entries)) for year, entries in sorted(years.items(), reverse=True))
    jobs = [PageJob(routes.output_path(routes.archive()), "archive.html",
                    {"years": overview, "feeds": feeds}, ("archive", overview))]
    for year in sorted(years):
        # the year's articles as a compact list under month headings, newest first
        groups = tuple((month, routes.archive_month(year, month), tuple(months[(year, month)]))
                       for month, _count, _href in years[year])
        jobs.append(PageJob(routes.output_path(routes.archive_year(year)), "archive_year.html",
                            {"year": year, "months": groups, "feeds": feeds},
                            ("year", year, tuple((month, _stubs(items)) for month, _href, items in groups))))
    for (year, month), items in sorted(months.items()):
        label = f"{dates.month_name(month)} {year}"
        jobs.append(PageJob(routes.output_path(routes.archive_month(year, month)), "archive_month.html",
                            {"label": label, "year": year, "articles": tuple(items), "feeds": feeds},
                            ("month", label, _stubs(items))))
    return jobs


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An event on the timeline with the article that discusses it."""

    date: dt.date
    title: str
    topics: tuple[str, ...]
    article: Article


def _events(site: Site, topic: str | None) -> tuple[TimelineEntry, ...]:
    entries = [
        TimelineEntry(event.date, event.title, event.topics, article)
        for article in site.articles + site.unlisted
        for event in article.events
        if topic is None or topic in event.topics
    ]
    entries.sort(key=lambda e: (e.date, e.title, e.article.slug))
    return tuple(entries)


def _event_deps(entries: tuple[TimelineEntry, ...]) -> tuple[Any, ...]:
    return tuple((e.date, e.title, e.topics, e.article.slug, e.article.title) for e in entries)


def _sources_page(site: Site, feeds) -> PageJob:
    cited: dict[str, dict[str, Article]] = defaultdict(dict)
    names: dict[str, str] = {}
    for article in site.articles:
        for ref in article.sources:
            key = ref.publisher.casefold()
            names.setdefault(key, ref.publisher)
            cited[key][article.slug] = article
    publishers = tuple(
        (names[key], tuple(sorted(cited[key].values(), key=lambda a: (-a.date.timestamp(), a.slug))))
        for key in sorted(cited)
    )
    deps = ("sources", tuple((name, _stubs(items)) for name, items in publishers))
    return PageJob("sources/index.html", "sources.html", {"publishers": publishers, "feeds": feeds}, deps)


def _corrections_page(site: Site, feeds) -> PageJob:
    entries = sorted(
        ((c, a) for a in site.articles + site.unlisted for c in a.corrections),
        key=lambda pair: (-pair[0].date.timestamp(), pair[1].slug),
    )
    deps = ("corrections", tuple((c.date, c.text, a.slug, a.title) for c, a in entries))
    return PageJob("corrections/index.html", "corrections.html", {"entries": tuple(entries), "feeds": feeds}, deps)


class _SitemapUrls:
    """The sitemap's (path, last modified) pairs, computed only when the sitemap is rendered."""

    def __init__(self, site: Site, outputs: tuple[str, ...]) -> None:
        self._site = site
        self._outputs = outputs

    def __iter__(self):
        lastmod = {routes.output_path(a.url): a.modified for a in self._site.articles + self._site.unlisted}
        return iter([(out[: -len("index.html")], lastmod.get(out)) for out in self._outputs])


def _sitemap(site: Site, jobs: list[PageJob]) -> PageJob:
    outputs = tuple(job.output for job in jobs
                    if job.output.endswith("index.html") and job.output != "search/index.html")
    # Last-modified dates come from front matter, which the articles' front matter digests cover.
    deps = ("sitemap", outputs, _stubs(site.articles), _stubs(site.unlisted))
    return PageJob("sitemap.xml", "sitemap.xml", {"urls": _SitemapUrls(site, outputs)}, deps)


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
    return PageJob("news-sitemap.xml", "news-sitemap.xml", {"items": recent},
                   ("news-sitemap", tuple((a.slug, a.title, a.date) for a in recent)))
