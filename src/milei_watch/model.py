"""The site as frozen values: articles, pages, authors, topics and tags, validated field by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import dates, routes, yamlload
from .config import SiteConfig, Topic
from .errors import Diagnostic, Location, closest, did_you_mean
from .sources import SourceDoc, hash_bytes, meta_text_of

KINDS = ("analysis", "news", "explainer", "opinion")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source an article cites."""

    publisher: str
    title: str = ""
    url: str = ""
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event an article discusses, shown on the timeline."""

    date: dt.date
    title: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated correction shown at the end of an article."""

    date: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class Author:
    """A byline from content/authors.yaml."""

    slug: str
    name: str
    bio: str = ""
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A validated article."""

    source: str
    slug: str
    title: str
    date: dt.datetime
    updated: dt.datetime | None
    topics: tuple[str, ...]
    summary: str
    tags: tuple[str, ...]           # tag slugs
    tag_names: tuple[str, ...]      # as written, same order as tags
    author: str
    draft: bool
    kind: str
    sources: tuple[SourceRef, ...]
    takeaways: tuple[str, ...]
    events: tuple[Event, ...]
    corrections: tuple[Correction, ...]
    expires: dt.datetime | None
    digest: str
    meta_digest: str
    body_digest: str                # the body reaches pages only through what they embed (render.Body)
    slug_line: int = 1              # line of 'slug:' (or of 'title:', which gives the slug), for diagnostics

    @property
    def url(self) -> str:
        return routes.article(self.slug)

    @property
    def modified(self) -> dt.datetime:
        """When the article last changed for readers: updated, or the latest correction (never before its date)."""
        latest = self.date if self.updated is None or self.updated < self.date else self.updated
        for correction in self.corrections:
            if correction.date > latest:
                latest = correction.date
        return latest


@dataclass(frozen=True, slots=True)
class Page:
    """A standalone page such as About."""

    source: str
    slug: str
    title: str
    summary: str
    digest: str
    meta_digest: str
    body_digest: str

    @property
    def url(self) -> str:
        return routes.page(self.slug)


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the planner needs; `articles` are the published ones, newest first."""

    config: SiteConfig
    articles: tuple[Article, ...]
    unlisted: tuple[Article, ...]       # expired: own page with a notice, out of listings and feeds
    pages: tuple[Page, ...]
    authors: dict[str, Author]
    tag_names: dict[str, str]
    scheduled: tuple[Article, ...]      # future-dated, left out, soonest first
    skipped_drafts: int = 0
    all_articles: tuple[Article, ...] = field(default=())

    def topic(self, slug: str) -> Topic:
        return self.config.topic(slug)


_ARTICLE_KEYS = {
    "title", "date", "topics", "summary", "updated", "slug", "tags", "author", "draft",
    "sources", "takeaways", "kind", "events", "corrections", "expires",
}
_REQUIRED = ("title", "date", "topics", "summary")
_PAGE_KEYS = {"title", "summary", "slug", "draft"}
_RESERVED_PAGE_SLUGS = {"articles", "topics", "tags", "authors", "archive", "search", "timeline", "sources",
                        "corrections", "static", "pagefind"}


def key_line(doc: SourceDoc, root: Path, path: tuple[Any, ...], meta_texts: dict[str, str]) -> int:
    """The line of a front-matter key path (('tags', 2) is the third tag) in `doc`'s file.

    Top-level keys come from the parse; deeper paths need the front matter's text, read from the
    file once per `meta_texts` cache."""
    if not path:
        return 1
    if len(path) == 1 and path[0] in doc.key_lines:
        return doc.key_lines[path[0]]
    text = meta_texts.get(doc.rel)
    if text is None:
        text = meta_texts[doc.rel] = meta_text_of(root / doc.rel)
    return yamlload.line_of(text, path) + doc.meta_first_line - 1


class _Checker:
    """Collects diagnostics for one document, locating keys by line."""

    def __init__(self, doc: SourceDoc, root: Path, problems: list[Diagnostic]):
        self.doc = doc
        self.root = root
        self.problems = problems
        self.failed = False
        self._meta_texts: dict[str, str] = {}

    def line(self, path: tuple[Any, ...]) -> int:
        return key_line(self.doc, self.root, path, self._meta_texts)

    def error(self, path: tuple[Any, ...], message: str, hint: str = "") -> None:
        self.failed = True
        line = self.line(path) if path else 1
        self.problems.append(Diagnostic(Location(self.doc.rel, line), message, hint))

    def text(self, key: str, value: Any, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error((key,), f"'{key}' must not be empty", f"write the {key} after '{key}:'")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error((key,), f"'{key}' must be text, not {yamlload.type_name(value)}",
                       f"write it as {key}: \"…\" on one line")
            return ""
        return value.strip()

    def moment(self, path: tuple[Any, ...], value: Any, tz) -> dt.datetime | None:
        moment = dates.to_datetime(value, tz)
        if moment is None:
            self.error(path, f"'{path[-1] if isinstance(path[-1], str) else path[0]}' is not a date: {value!r}",
                       "write a date as 2026-01-25 or 2026-01-25T09:00:00-03:00")
        return moment

    def string_list(self, key: str, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error((key,), f"'{key}' must be a list, not {yamlload.type_name(value)}",
                       f"write {key}: [first, second]")
            return []
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error((key, index), f"each entry of '{key}' must be text, not {yamlload.type_name(item)}",
                           f"write {key}: [first, second]; quote entries that look like numbers or dates")
                continue
            out.append(item.strip())
        return out


def build_site(config: SiteConfig, docs: list[SourceDoc], authors: dict[str, Author], *,
               now: dt.datetime, drafts: bool = False, future: bool = False,
               known: dict[str, Article] | None = None) -> tuple[Site, list[Diagnostic]]:
    """Validate every document into frozen values; all problems are returned, none raised.

    `known` holds articles validated by an earlier build under the same configuration and
    authors; one whose file digest is unchanged is reused rather than validated again.
    """
    problems: list[Diagnostic] = []
    articles: list[Article] = []
    pages: list[Page] = []
    known = known or {}
    for doc in docs:
        reused = known.get(doc.rel)
        if reused is not None and reused.digest == doc.digest and doc.kind != "page":
            articles.append(reused)
            continue
        check = _Checker(doc, config.root, problems)
        if doc.kind == "page":
            page = _page(doc, check)
            if page is not None:
                pages.append(page)
            continue
        article = _article(doc, config, authors, check)
        if article is not None:
            articles.append(article)
    _check_unique_slugs(articles, pages, docs, problems)

    published: list[Article] = []
    unlisted: list[Article] = []
    scheduled: list[Article] = []
    skipped = 0
    for article in articles:
        if article.draft and not drafts:
            skipped += 1
            continue
        if article.date > now and not future:
            scheduled.append(article)
            continue
        if article.expires is not None and article.expires <= now:
            unlisted.append(article)
            continue
        published.append(article)
    published.sort(key=lambda a: (-a.date.timestamp(), a.slug))
    unlisted.sort(key=lambda a: a.slug)
    scheduled.sort(key=lambda a: (a.date.timestamp(), a.slug))
    tag_names: dict[str, str] = {}
    for article in sorted(published + unlisted, key=lambda a: a.source):
        for slug, name in zip(article.tags, article.tag_names):
            tag_names.setdefault(slug, name)
    site = Site(
        config=config,
        articles=tuple(published),
        unlisted=tuple(unlisted),
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        authors=authors,
        tag_names=dict(sorted(tag_names.items())),
        scheduled=tuple(scheduled),
        skipped_drafts=skipped,
        all_articles=tuple(articles),
    )
    return site, problems


def _article(doc: SourceDoc, config: SiteConfig, authors: dict[str, Author], check: _Checker) -> Article | None:
    meta = doc.meta
    tz = config.tz
    misspelt = _unknown_top_keys(meta, _ARTICLE_KEYS, check)
    for key in _REQUIRED:
        # an empty summary is allowed (`new` writes one for the editor to fill; `check` warns)
        absent = key not in meta if key == "summary" else meta.get(key) is None
        if absent and key not in misspelt:
            check.error((), f"missing required key '{key}'", f"add '{key}:' to the front matter")
    title = check.text("title", meta.get("title")) if "title" in meta else ""
    summary = check.text("summary", meta.get("summary"), required=False) if "summary" in meta else ""
    date = check.moment(("date",), meta["date"], tz) if meta.get("date") is not None else None
    updated = check.moment(("updated",), meta["updated"], tz) if meta.get("updated") is not None else None
    expires = check.moment(("expires",), meta["expires"], tz) if meta.get("expires") is not None else None
    # An 'updated' before the date is only suspicious ('check' warns); an article that expires before it
    # is published would silently never be listed.
    if date is not None and expires is not None and expires <= date:
        check.error(("expires",), f"'expires' ({expires.date()}) is not after the article's date ({date.date()})",
                    "an article can only expire after it is published; check the year")

    topics: list[str] = []
    if meta.get("topics") is not None:
        raw_topics = check.string_list("topics", meta["topics"])
        if not raw_topics and isinstance(meta["topics"], list):
            check.error(("topics",), "'topics' must name at least one topic",
                        "use one or more of: " + ", ".join(config.topic_slugs))
        for index, name in enumerate(raw_topics):
            if name not in config.topic_slugs:
                check.error(("topics", index) if isinstance(meta["topics"], list) else ("topics",),
                            f"unknown topic '{name}'",
                            did_you_mean(name, config.topic_slugs).replace("known keys", "known topics"))
            elif name not in topics:
                topics.append(name)

    slug_value = meta.get("slug")
    if slug_value is not None:
        slug = check.text("slug", slug_value)
        if slug and not routes.is_slug(slug):
            check.error(("slug",), f"slug '{slug}' may only contain lowercase letters, digits and hyphens",
                        f"use '{routes.slugify(slug) or 'a-plain-slug'}'")
    else:
        slug = routes.slugify(title) if title else ""
        if title and not slug:
            check.error(("title",), "the title gives an empty slug", "add a 'slug:' key")

    tag_names = check.string_list("tags", meta.get("tags"))
    tags: list[str] = []
    names: list[str] = []
    for index, name in enumerate(tag_names):
        tag_slug = routes.slugify(name)
        if not tag_slug:
            check.error(("tags", index), f"tag '{name}' gives an empty slug", "use letters or digits in tags")
        elif tag_slug not in tags:
            tags.append(tag_slug)
            names.append(name)

    author = config.author
    if meta.get("author") is not None:
        author = check.text("author", meta["author"])
    if authors and author and author not in authors:
        where = ("author",) if "author" in meta else ()
        check.error(where, f"unknown author '{author}'",
                    "authors are listed in content/authors.yaml; known: " + ", ".join(sorted(authors)))

    draft = meta.get("draft", False)
    if doc.kind == "inbox":
        draft = True if draft is None else draft
    if not isinstance(draft, bool):
        check.error(("draft",), f"'draft' must be true or false, not {yamlload.type_name(draft)}",
                    "write draft: true to keep the article unpublished, or remove the line")
        draft = True
    if doc.kind == "inbox":
        draft = True  # ingested stories are never published from the inbox

    kind = meta.get("kind")
    if kind is None:
        kind = "analysis"
    elif not isinstance(kind, str) or kind not in KINDS:
        check.error(("kind",), f"unknown kind '{kind}'", "use one of: " + ", ".join(KINDS))

    sources = _sources(meta.get("sources"), check)
    takeaways = tuple(check.string_list("takeaways", meta.get("takeaways")))
    events = _events(meta.get("events"), config, topics, check)
    corrections = _corrections(meta.get("corrections"), date, tz, check)
    if check.failed or date is None:
        return None
    return Article(
        source=doc.rel, slug=slug, title=title, date=date, updated=updated, topics=tuple(topics),
        summary=summary, tags=tuple(tags), tag_names=tuple(names), author=author, draft=draft, kind=kind,
        sources=sources, takeaways=takeaways, events=events, corrections=corrections, expires=expires,
        digest=doc.digest, meta_digest=doc.meta_digest, body_digest=doc.body_digest,
        slug_line=doc.key_lines.get("slug") or doc.key_lines.get("title") or 1,
    )


def _unknown_top_keys(meta: dict[str, Any], allowed: set[str], check: _Checker, where: str = "") -> set[str]:
    """Report keys that are not allowed; return the allowed keys they look like misspellings of."""
    meant: set[str] = set()
    for key in meta:
        if key in allowed:
            continue
        hint = did_you_mean(str(key), allowed)
        check.error((key,), f"unknown front-matter key '{key}'{where}", hint)
        close = closest(str(key), allowed)
        if close and close not in meta:
            meant.add(close)
    return meant


def _mapping_list(key: str, value: Any, check: _Checker, example: str) -> list[tuple[int, dict]]:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error((key,), f"'{key}' must be a list, not {yamlload.type_name(value)}", f"write it as {example}")
        return []
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            check.error((key, index), f"each entry of '{key}' must be a mapping", f"write it as {example}")
            continue
        out.append((index, item))
    return out


def _unknown_keys(key: str, index: int, item: dict, allowed: set[str], check: _Checker) -> None:
    for name in item:
        if name not in allowed:
            check.error((key, index, name), f"unknown key '{name}' in {key}", did_you_mean(str(name), allowed))


def _sources(value: Any, check: _Checker) -> tuple[SourceRef, ...]:
    allowed = {"publisher", "title", "url", "date"}
    out = []
    for index, item in _mapping_list("sources", value, check, "- publisher: Reuters"):
        _unknown_keys("sources", index, item, allowed, check)
        publisher = item.get("publisher")
        if not isinstance(publisher, str) or not publisher.strip():
            check.error(("sources", index), "a source needs a 'publisher'", "add 'publisher: Name' to the source")
            continue
        title = item.get("title") or ""
        url = item.get("url") or ""
        if not isinstance(title, str):
            check.error(("sources", index, "title"), "a source title must be text", "quote the title")
            title = ""
        if url and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            check.error(("sources", index, "url"), f"source url {url!r} is not an http(s) address",
                        "write the full address, starting with https://")
            url = ""
        day = item.get("date")
        if day is not None and not isinstance(day, dt.date):
            check.error(("sources", index, "date"), f"source date {day!r} is not a date", "write it as 2026-01-25")
            day = None
        if isinstance(day, dt.datetime):
            day = day.date()
        out.append(SourceRef(publisher.strip(), title.strip(), url.strip(), day))
    return tuple(out)


def _events(value: Any, config: SiteConfig, article_topics: list[str], check: _Checker) -> tuple[Event, ...]:
    allowed = {"date", "title", "topics"}
    out = []
    for index, item in _mapping_list("events", value, check, "- {date: 2026-01-25, title: What happened}"):
        _unknown_keys("events", index, item, allowed, check)
        day = item.get("date")
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            check.error(("events", index, "date"), f"event date {day!r} is not a date", "write it as 2026-01-25")
            continue
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            check.error(("events", index), "an event needs a 'title'", "add 'title: What happened' to the event")
            continue
        topics = item.get("topics", article_topics)
        if isinstance(topics, str):
            topics = [topics]
        if not isinstance(topics, list):
            check.error(("events", index, "topics"), "event topics must be a list",
                        "write topics: [economy] or leave it out to use the article's topics")
            continue
        for name in topics:
            if name not in config.topic_slugs:
                check.error(("events", index, "topics"), f"unknown topic '{name}' in event",
                            "use one of: " + ", ".join(config.topic_slugs))
        out.append(Event(day, title.strip(), tuple(t for t in topics if t in config.topic_slugs)))
    return tuple(out)


def _corrections(value: Any, date: dt.datetime | None, tz, check: _Checker) -> tuple[Correction, ...]:
    allowed = {"date", "text"}
    out = []
    for index, item in _mapping_list("corrections", value, check, "- {date: 2026-02-01, text: What was wrong}"):
        _unknown_keys("corrections", index, item, allowed, check)
        moment = dates.to_datetime(item.get("date"), tz)
        if moment is None:
            check.error(("corrections", index, "date"), f"correction date {item.get('date')!r} is not a date",
                        "write it as 2026-02-01")
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            check.error(("corrections", index), "a correction needs a 'text' saying what was corrected",
                        "add 'text: An earlier version said …' to the correction")
            continue
        if date is not None and moment < date.replace(hour=0, minute=0, second=0, microsecond=0):
            check.error(("corrections", index, "date"),
                        f"correction dated {moment.date()} is before the article's date {date.date()}",
                        "a correction can only follow publication; check the year")
            continue
        out.append(Correction(moment, text.strip()))
    out.sort(key=lambda c: c.date)
    return tuple(out)


def _page(doc: SourceDoc, check: _Checker) -> Page | None:
    meta = doc.meta
    misspelt = _unknown_top_keys(meta, _PAGE_KEYS, check, " for a page")
    if meta.get("title") is None and "title" not in misspelt:
        check.error((), "missing required key 'title'", "add 'title:' to the front matter")
    title = check.text("title", meta.get("title")) if "title" in meta else ""
    summary = check.text("summary", meta.get("summary"), required=False)
    stem = Path(doc.rel).stem
    slug = meta.get("slug") or routes.slugify(stem)
    if not isinstance(slug, str) or not routes.is_slug(slug):
        check.error(("slug",), f"slug {slug!r} may only contain lowercase letters, digits and hyphens",
                    f"use '{routes.slugify(str(slug)) or 'a-plain-slug'}'")
    elif slug in _RESERVED_PAGE_SLUGS:
        check.error(("slug",) if "slug" in meta else (), f"page slug '{slug}' is reserved for the site's own pages",
                    "rename the page")
    if check.failed or meta.get("draft") is True:
        return None
    return Page(doc.rel, slug, title, summary, doc.digest, doc.meta_digest, doc.body_digest)


def _check_unique_slugs(articles: list[Article], pages: list[Page], docs: list[SourceDoc],
                        problems: list[Diagnostic]) -> None:
    """A slug names one output folder; the later file (in path order) is the one reported."""
    first: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.source):
        other = first.setdefault(article.slug, article)
        if other is not article:
            problems.append(Diagnostic(Location(article.source, article.slug_line),
                                       f"slug '{article.slug}' is already used by {other.source}",
                                       "give one of them a different 'slug:'"))
    lines = {doc.rel: doc.key_lines for doc in docs if doc.kind == "page"}
    seen: dict[str, Page] = {}
    for page in sorted(pages, key=lambda p: p.source):
        other_page = seen.setdefault(page.slug, page)
        if other_page is not page:
            keys = lines.get(page.source, {})
            problems.append(Diagnostic(Location(page.source, keys.get("slug") or keys.get("title") or 1),
                                       f"page slug '{page.slug}' is already used by {other_page.source}",
                                       "give one of them a different 'slug:'"))


def read_authors_file(config: SiteConfig) -> bytes | None:
    """The bytes of content/authors.yaml, or None when there is none."""
    path = config.content_dir / "authors.yaml"
    return path.read_bytes() if path.is_file() else None


def load_authors(raw: bytes | None) -> tuple[dict[str, Author], list[Diagnostic], str]:
    """Validate content/authors.yaml from its bytes (see read_authors_file); authors, problems and digest."""
    rel = "content/authors.yaml"
    if raw is None:
        return {}, [], ""
    digest = hash_bytes(raw)
    problems: list[Diagnostic] = []
    try:
        text = raw.decode("utf-8")
        data = yamlload.parse(text)
    except UnicodeDecodeError:
        return {}, [Diagnostic(Location(rel, 1), "not UTF-8 text", "save the file as UTF-8")], digest
    except yamlload.YamlProblem as exc:
        return {}, [Diagnostic(Location(rel, exc.line), exc.describe(), "fix the YAML syntax")], digest
    if not isinstance(data, list):
        return {}, [Diagnostic(Location(rel, 1), "authors.yaml must be a list of authors",
                               "write '- slug: desk' entries with name and bio")], digest
    authors: dict[str, Author] = {}
    allowed = {"slug", "name", "bio", "links"}
    for index, item in enumerate(data):
        line = yamlload.line_of(text, (index,))
        if not isinstance(item, dict):
            problems.append(Diagnostic(Location(rel, line), "each author must be a mapping with slug and name",
                                       "write '- slug: desk' with 'name:' and 'bio:' lines below"))
            continue
        for key in item:
            if key not in allowed:
                problems.append(Diagnostic(Location(rel, yamlload.line_of(text, (index, key))),
                                           f"unknown author key '{key}'", did_you_mean(str(key), allowed)))
        slug, name = item.get("slug"), item.get("name")
        if not isinstance(slug, str) or not routes.is_slug(slug) or not isinstance(name, str):
            problems.append(Diagnostic(Location(rel, line), "an author needs a 'slug' (a-z, 0-9, -) and a 'name'",
                                       f"use a slug such as '{routes.slugify(str(name or slug or '')) or 'desk'}'"))
            continue
        if slug in authors:
            problems.append(Diagnostic(Location(rel, line), f"author '{slug}' is listed twice",
                                       "keep one entry per author"))
            continue
        links = []
        for link in item.get("links") or []:
            if isinstance(link, dict) and isinstance(link.get("url"), str) and link["url"].startswith("http"):
                links.append((str(link.get("title") or link["url"]), link["url"]))
            else:
                problems.append(Diagnostic(Location(rel, line), "author links must be {title, url} with an http(s) url",
                                           "write links as '- {title: Profile, url: https://…}'"))
        authors[slug] = Author(slug, name.strip(), str(item.get("bio") or "").strip(), tuple(links))
    return authors, problems, digest
