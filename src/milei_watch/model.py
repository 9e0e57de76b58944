"""The site as frozen values: articles, pages, authors, topics and tags, validated field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from . import assets, dates, routes, schema, yamlload
from .config import CONFIG_NAME, SiteConfig, Topic
from .errors import Diagnostic, Location, did_you_mean
from .schema import Day, Field, Flag, ListOf, Moment, OneOf, Record, Text
from .sources import SourceDoc, hash_bytes, parse_source
from .typography import smarten

KINDS = ("analysis", "news", "explainer", "opinion")


class SourceRef(NamedTuple):
    """A source an article cites."""

    publisher: str
    title: str = ""
    url: str = ""
    date: dt.date | None = None
    via: str = ""                   # the source through which this one was cited (Reuters, via the report)


class Event(NamedTuple):
    """A dated event an article discusses, shown on the timeline."""

    date: dt.date
    title: str
    topics: tuple[str, ...]


class Correction(NamedTuple):
    """A dated correction shown at the end of an article."""

    date: dt.datetime
    text: str


class LeadImage(NamedTuple):
    """The picture at the top of an article, on its cards and as its og:image (front matter `image:`)."""

    src: str                        # a file under content/images/
    alt: str                        # what it shows, for readers who cannot see it
    caption: str = ""
    credit: str = ""
    line: int = 1                   # line of 'src:', for diagnostics about the file


class Author(NamedTuple):
    """A byline from content/authors.yaml."""

    slug: str
    name: str
    bio: str = ""
    links: tuple[tuple[str, str], ...] = ()


class Article(NamedTuple):
    """A validated article.

    A named tuple rather than a frozen dataclass: a build reads ten thousand of them back from its
    cache, and a tuple is built five times faster (1 us against 6 us for these 26 fields)."""

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
    lang: str = ""                  # the language of its edition (site.yaml `languages`)
    translation_key: str = ""       # shared by the versions of one article in several languages
    featured: bool = False          # a candidate for the home page's lead story
    image: LeadImage | None = None  # its lead image (figures.py checks the file)
    body_assets: tuple[str, ...] = ()  # content/images/ and content/data/ files its body may show (assets.py)

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
    lang: str = ""
    translation_key: str = ""
    body_assets: tuple[str, ...] = ()  # as Article.body_assets
    slug_line: int = 1              # as Article.slug_line

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

    def in_edition(self, code: str) -> Site:
        """The part of the site in one language, with that edition's settings."""
        if len(self.config.editions) == 1:
            return self

        def keep(docs):
            return tuple(doc for doc in docs if doc.lang == code)
        return dataclasses.replace(self, config=self.config.in_edition(code), articles=keep(self.articles),
                                   unlisted=keep(self.unlisted), pages=keep(self.pages),
                                   scheduled=keep(self.scheduled))


_SOURCE = Record({
    "publisher": Field(Text(blank=False), required=True, example="Name"),
    "title": Field(Text(numbers=True), default=""),
    "url": Field(Text(), default=""),
    "date": Field(Day()),
    "via": Field(Text(), default=""),
}, noun="source", unknown="unknown key {key} in sources", missing="a source needs a {key}",
    missing_hint="add '{name}: {example}' to the source", example="- publisher: Reuters")
_EVENT = Record({
    "date": Field(Day(), required=True, example="2026-01-25"),
    "title": Field(Text(blank=False, numbers=True), required=True, example="What happened"),
    "topics": Field(ListOf(Text(blank=False), single=True),
                    hint="write topics: [economy] or leave it out to use the article's topics"),
}, noun="event", unknown="unknown key {key} in events", missing="an event needs a {key}",
    missing_hint="add '{name}: {example}' to the event", example="- {date: 2026-01-25, title: What happened}")
_CORRECTION = Record({
    "date": Field(Moment(), required=True, example="2026-02-01", hint="write it as 2026-02-01"),
    "text": Field(Text(blank=False), required=True, example="An earlier version said …",
                  missing="a correction needs a 'text' saying what was corrected"),
}, noun="correction", unknown="unknown key {key} in corrections", missing="a correction needs a {key}",
    missing_hint="add '{name}: {example}' to the correction", example="- {date: 2026-02-01, text: What was wrong}")
_IMAGE = Record({
    "src": Field(Text(blank=False), required=True, example="a-file-in-content-images.jpg"),
    "alt": Field(Text(blank=False, numbers=True), required=True, example="What the picture shows",
                 missing="the image needs 'alt': a description of what it shows, for readers who cannot see it"),
    "caption": Field(Text(numbers=True), default=""),
    "credit": Field(Text(numbers=True), default=""),
}, noun="image", unknown="unknown key {key} in image", missing="the image needs {key}",
    missing_hint="add '{name}: {example}' under 'image:'", example="image: {src: photo.jpg, alt: What it shows}")
_ARTICLE = Record({
    "title": Field(Text(blank=False, numbers=True), required=True),
    "date": Field(Moment(), required=True),
    "topics": Field(ListOf(Text(blank=False), single=True), required=True),
    # may be empty (`new` writes one for the editor to fill; `check` warns), but not left out
    "summary": Field(Text(numbers=True), required=True),
    "updated": Field(Moment()),
    "expires": Field(Moment()),
    "slug": Field(Text(blank=False)),
    "tags": Field(ListOf(Text(blank=False, numbers=True), single=True)),
    "author": Field(Text(blank=False)),
    "draft": Field(Flag(), default=False, hint="write draft: true to keep the article unpublished, or remove the line"),
    "kind": Field(OneOf(KINDS, "kind"), default="analysis"),
    "sources": Field(ListOf(_SOURCE)),
    "takeaways": Field(ListOf(Text(blank=False), single=True)),
    "events": Field(ListOf(_EVENT)),
    "corrections": Field(ListOf(_CORRECTION)),
    "lang": Field(Text(blank=False)),
    "translation_key": Field(Text(blank=False)),
    "featured": Field(Flag(), default=False,
                      hint="write featured: true to offer the article as the home page's lead, or remove the line"),
    "image": Field(_IMAGE),
}, unknown="unknown front-matter key {key}", missing_hint="add '{name}:' to the front matter")
_PAGE = Record({
    "title": Field(Text(blank=False, numbers=True), required=True),
    "summary": Field(Text(numbers=True), default=""),
    "slug": Field(Text(blank=False)),
    "draft": Field(Flag(), default=False, hint="write draft: true to keep the page unpublished, or remove the line"),
    "lang": Field(Text(blank=False)),
    "translation_key": Field(Text(blank=False)),
}, unknown="unknown front-matter key {key} for a page", missing_hint="add '{name}:' to the front matter")
_LINK = Record({
    "title": Field(Text(blank=False)),
    "url": Field(Text(blank=False), required=True, example="https://…"),
}, noun="link", unknown="unknown link key {key}", missing="an author link needs a {key}",
    missing_hint="write links as '- {{title: Profile, url: https://…}}'", example="'- {title: Profile, url: https://…}'")
_AUTHOR = Record({
    "slug": Field(Text(blank=False), required=True),
    "name": Field(Text(blank=False, numbers=True), required=True),
    "bio": Field(Text(), default=""),
    "links": Field(ListOf(_LINK)),
}, noun="author", unknown="unknown author key {key}", missing="an author needs a {key}",
    missing_hint="write '- slug: desk' with 'name:' and 'bio:' lines below",
    example="'- slug: desk' with 'name:' and 'bio:' lines below")
_RESERVED_PAGE_SLUGS = {"articles", "topics", "tags", "authors", "archive", "search", "timeline", "sources",
                        "corrections", "static", "pagefind"}


def key_line(doc: SourceDoc, root: Path, path: tuple[Any, ...], reread: dict[str, dict]) -> int:
    """The file line of a front-matter key path (('tags', 2) is the third tag) in `doc`.

    A document restored from the build cache keeps no front matter (its article is reused whole):
    its file is parsed again, once per `reread` cache, when a line is asked of it."""
    if not path or doc.lines:
        return doc.line(path)
    lines = reread.get(doc.rel)
    if lines is None:
        try:
            fresh = parse_source((root / doc.rel).read_bytes(), doc.rel, doc.kind)
        except OSError:
            fresh = None
        lines = reread[doc.rel] = fresh.lines if isinstance(fresh, SourceDoc) else {}
    return yamlload.nearest_line(lines, path)


class _Checker:
    """Collects diagnostics for one document, locating keys by line."""

    def __init__(self, doc: SourceDoc, problems: list[Diagnostic]):
        self.doc = doc
        self.problems = problems
        self.failed = False

    def shape(self, record: Record) -> dict[str, Any]:
        """The front matter as `record` declares it, its mistakes reported."""
        values, found = schema.check(yamlload.Document(self.doc.meta, self.doc.lines), record, self.doc.rel)
        if found:
            self.failed = True
            self.problems.extend(found)
        return values

    def error(self, path: tuple[Any, ...], message: str, hint: str = "") -> None:
        self.failed = True
        self.problems.append(Diagnostic(Location(self.doc.rel, self.doc.line(path)), message, hint))


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
        check = _Checker(doc, problems)
        if doc.kind == "page":
            page = _page(doc, config, check)
            if page is not None:
                pages.append(page)
            continue
        article = _article(doc, config, authors, check)
        if article is not None:
            articles.append(article)
    _check_unique_slugs(articles, pages, problems)
    if len(config.editions) > 1:
        _check_translations(articles, pages, docs, config, problems)

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
    meta = check.shape(_ARTICLE)
    tz = config.tz
    title = meta["title"] or ""
    date = dates.to_datetime(meta["date"], tz)
    updated = dates.to_datetime(meta["updated"], tz)
    expires = dates.to_datetime(meta["expires"], tz)
    # An 'updated' before the date is only suspicious ('check' warns); an article that expires before it
    # is published would silently never be listed.
    if date is not None and expires is not None and expires <= date:
        check.error(("expires",), f"'expires' ({expires.date()}) is not after the article's date ({date.date()})",
                    "an article can only expire after it is published; check the year")

    topics: list[str] = []
    if doc.meta.get("topics") == []:
        check.error(("topics",), "'topics' must name at least one topic",
                    "use one or more of: " + ", ".join(config.topic_slugs))
    for index, name in meta["topics"]:
        if name not in config.topic_slugs:
            check.error(("topics", index), f"unknown topic {yamlload.quote(name)}",
                        did_you_mean(name, config.topic_slugs, "topics"))
        elif name not in topics:
            topics.append(name)

    slug = meta["slug"]
    if slug is not None:
        if not routes.is_slug(slug):
            check.error(("slug",), f"slug {yamlload.quote(slug)} may only contain lowercase letters, digits and "
                        "hyphens", f"use '{routes.slugify(slug) or 'a-plain-slug'}'")
    else:
        slug = routes.slugify(title) if title else ""
        if title and not slug:
            check.error(("title",), "the title gives an empty slug", "add a 'slug:' key")

    tags: list[str] = []
    names: list[str] = []
    for index, name in meta["tags"]:
        tag_slug = routes.slugify(name)
        if not tag_slug:
            check.error(("tags", index), f"tag {yamlload.quote(name)} gives an empty slug",
                        "use letters or digits in tags")
        elif tag_slug not in tags:
            tags.append(tag_slug)
            names.append(name)

    author = meta["author"] or config.author
    if authors and author not in authors:
        check.error(("author",) if "author" in doc.meta else (), f"unknown author {yamlload.quote(author)}",
                    "authors are listed in content/authors.yaml; known: " + ", ".join(sorted(authors)))

    lang = _language(meta["lang"], config, check)
    sources = _sources(meta["sources"], check)
    events = _events(meta["events"], doc.meta.get("events"), config, topics, check)
    corrections = _corrections(meta["corrections"], date, tz, check)
    image = _lead_image(meta["image"], check)
    if check.failed or date is None:
        return None
    # Titles, summaries and takeaways get the body's typographic punctuation here, once, so that the
    # page, its JSON-LD and every feed show the same text; the slug comes from the title as written.
    return Article(
        source=doc.rel, slug=slug, title=smarten(title), date=date, updated=updated, topics=tuple(topics),
        summary=smarten(meta["summary"]), tags=tuple(tags), tag_names=tuple(names), author=author,
        draft=doc.kind == "inbox" or meta["draft"],  # ingested stories are never published from the inbox
        kind=meta["kind"], sources=sources, takeaways=tuple(smarten(text) for _index, text in meta["takeaways"]),
        events=events, corrections=corrections, expires=expires,
        digest=doc.digest, meta_digest=doc.meta_digest, body_digest=doc.body_digest,
        slug_line=_slug_line(doc),
        lang=lang, translation_key=meta["translation_key"] or "", featured=meta["featured"],
        image=image, body_assets=doc.body_assets,
    )


def _lead_image(value: dict[str, Any] | None, check: _Checker) -> LeadImage | None:
    """The front matter's `image:`; its file is checked later, against content/images/ (figures.py)."""
    if value is None:
        return None
    if assets.lead_image(value["src"]) is None:
        check.error(("image", "src"), f"image src {yamlload.quote(value['src'])} is not a file under content/images/",
                    "write the file's name, e.g. src: milei-in-washington.jpg, for content/images/milei-in-washington.jpg")
        return None
    return LeadImage(value["src"], value["alt"], smarten(value["caption"]), value["credit"],
                     check.doc.line(("image", "src")))


def _language(lang: str | None, config: SiteConfig, check: _Checker) -> str:
    """The document's edition: its `lang:`, or the site's default language."""
    codes = [edition.code for edition in config.editions]
    if lang is None:
        return codes[0]
    if lang not in codes:
        check.error(("lang",), f"unknown language {yamlload.quote(lang)}",
                    did_you_mean(lang, codes) or "the site's languages are " + ", ".join(codes)
                    + " (site.yaml 'language' and 'languages')")
    return lang


def _sources(entries: schema.Entries, check: _Checker) -> tuple[SourceRef, ...]:
    out = []
    for index, item in entries:
        url = item["url"]
        if url and not url.startswith(("http://", "https://")):
            check.error(("sources", index, "url"), f"source url {yamlload.quote(url)} is not an http(s) address",
                        "write the full address, starting with https://")
            url = ""
        out.append(SourceRef(item["publisher"], item["title"], url, item["date"], item["via"]))
    return tuple(out)


def _events(entries: schema.Entries, written: Any, config: SiteConfig, article_topics: list[str],
            check: _Checker) -> tuple[Event, ...]:
    out = []
    for index, item in entries:
        topics = [name for _position, name in item["topics"]]
        if written[index].get("topics") is None:  # left out: the event is about what the article is about
            topics = article_topics
        for position, name in item["topics"]:
            if name not in config.topic_slugs:
                check.error(("events", index, "topics", position), f"unknown topic {yamlload.quote(name)} in event",
                            "use one of: " + ", ".join(config.topic_slugs))
        out.append(Event(item["date"], smarten(item["title"]), tuple(t for t in topics if t in config.topic_slugs)))
    return tuple(out)


def _corrections(entries: schema.Entries, date: dt.datetime | None, tz, check: _Checker,
                 ) -> tuple[Correction, ...]:
    out = []
    for index, item in entries:
        moment = dates.to_datetime(item["date"], tz)
        if date is not None and moment < date.replace(hour=0, minute=0, second=0, microsecond=0):
            check.error(("corrections", index, "date"),
                        f"correction dated {moment.date()} is before the article's date {date.date()}",
                        "a correction can only follow publication; check the year")
            continue
        out.append(Correction(moment, smarten(item["text"])))
    out.sort(key=lambda c: c.date)
    return tuple(out)


def _slug_line(doc: SourceDoc) -> int:
    """The line a document's slug comes from: its 'slug:', or else its 'title:'."""
    return doc.line(("slug",) if "slug" in doc.meta else ("title",))


def _page(doc: SourceDoc, config: SiteConfig, check: _Checker) -> Page | None:
    meta = check.shape(_PAGE)
    slug = meta["slug"] or routes.slugify(Path(doc.rel).stem)
    if not routes.is_slug(slug):
        check.error(("slug",), f"slug {yamlload.quote(slug)} may only contain lowercase letters, digits and hyphens",
                    f"use '{routes.slugify(slug) or 'a-plain-slug'}'")
    elif slug in _RESERVED_PAGE_SLUGS or slug in {edition.code for edition in config.editions}:
        check.error(("slug",) if "slug" in doc.meta else (), f"page slug '{slug}' is reserved for the site's own pages",
                    "rename the page")
    lang = _language(meta["lang"], config, check)
    if check.failed or meta["draft"]:
        return None
    return Page(doc.rel, slug, smarten(meta["title"]), smarten(meta["summary"]), doc.digest, doc.meta_digest,
                doc.body_digest, lang, meta["translation_key"] or "", body_assets=doc.body_assets,
                slug_line=_slug_line(doc))


def _check_unique_slugs(articles: list[Article], pages: list[Page], problems: list[Diagnostic]) -> None:
    """A slug names one output folder; the later file (in path order) is the one reported."""
    for docs, noun in ((articles, "slug"), (pages, "page slug")):
        first: dict[str, Article | Page] = {}
        for doc in sorted(docs, key=lambda d: d.source):
            other = first.setdefault(doc.slug, doc)
            if other is not doc:
                problems.append(Diagnostic(Location(doc.source, doc.slug_line),
                                           f"{noun} '{doc.slug}' is already used by {other.source}",
                                           "give one of them a different 'slug:'"))


def _check_translations(articles: list[Article], pages: list[Page], docs: list[SourceDoc], config: SiteConfig,
                        problems: list[Diagnostic]) -> None:
    """The versions of one article (or page) share a translation_key, one per language, which is
    the slug of one of them unless written: a second version in one language is an error; a written
    key with one version only is a note (not translated yet)."""
    codes = [edition.code for edition in config.editions]
    groups: dict[tuple[str, str], list[Article | Page]] = {}
    for kind, found in (("article", articles), ("page", pages)):
        for doc in found:
            groups.setdefault((kind, doc.translation_key or doc.slug), []).append(doc)
    # Most groups hold one version per language, or one version under its own slug: nothing to say.
    # The others are reported in the order of their files, each group's versions in that order too.
    flagged = sorted(((min(doc.source for doc in versions), group, sorted(versions, key=lambda d: d.source))
                      for group, versions in groups.items()
                      if len({doc.lang for doc in versions}) < len(versions)
                      or (len(versions) == 1 and versions[0].translation_key)), key=lambda item: item[0])
    if not flagged:
        return
    by_rel = {doc.rel: doc for doc in docs}
    reread: dict[str, dict] = {}

    def where(doc: Article | Page) -> Location:
        return Location(doc.source, key_line(by_rel[doc.source], config.root, ("translation_key",), reread))

    for _first, (kind, key), versions in flagged:
        first: dict[str, Article | Page] = {}
        for doc in versions:
            other = first.setdefault(doc.lang, doc)
            if other is not doc:
                problems.append(Diagnostic(where(doc), f"translation_key '{key}' is already used by {other.source}, "
                                           f"also in language '{doc.lang}'",
                                           "give each language one version; use another key for another article"))
        missing = [code for code in codes if code not in first]
        if len(first) == 1 and missing and versions[0].translation_key:
            problems.append(Diagnostic(where(versions[0]), f"translation_key '{key}' has no version in "
                                       + ", ".join(missing) + " yet",
                                       f"translate it with: milei-watch new --translate {versions[0].source} "
                                       f"--lang {missing[0]}", severity="note"))


def start_here_warnings(articles: tuple[Article, ...], config: SiteConfig) -> list[Diagnostic]:
    """A `start_here` that names none of `articles` (all of the site's) is a warning: the home page then
    shows no such slot."""
    problems: list[Diagnostic] = []
    for edition in config.editions:
        wanted = edition.start_here
        if not wanted:
            continue
        own = [a for a in articles if a.lang == edition.code]
        if any(wanted in (a.slug, a.translation_key) for a in own):
            continue
        where = "" if edition.code == config.editions[0].code else f" (language '{edition.code}')"
        problems.append(Diagnostic(Location(f"content/{CONFIG_NAME}"), f"start_here{where} names no article: "
                                   f"{yamlload.quote(wanted)}",
                                   did_you_mean(wanted, sorted(a.slug for a in own), "articles")
                                   or "write the slug of an article, or remove the setting", severity="warning"))
    return problems


def find_start_here(articles: tuple[Article, ...], wanted: str) -> Article | None:
    """The article an edition's `start_here` names, by its slug or else by its translation key."""
    if not wanted:
        return None
    return next((a for a in articles if a.slug == wanted), None) or \
        next((a for a in articles if a.translation_key == wanted), None)


TAGS_FILE = "content/tags.yaml"


def read_tags_file(config: SiteConfig) -> bytes | None:
    """The bytes of content/tags.yaml (tag slug → display name), or None when there is none."""
    path = config.root / TAGS_FILE
    return path.read_bytes() if path.is_file() else None


def _optional_document(raw: bytes | None, rel: str) -> tuple[yamlload.Document | None, list[Diagnostic], str]:
    """An optional YAML file of content/ read from its bytes: the document (None when the file is
    missing or cannot be read), the problem reading it, and the digest of its bytes."""
    if raw is None:
        return None, [], ""
    digest = hash_bytes(raw)
    try:
        return yamlload.read(raw), [], digest
    except yamlload.YamlProblem as exc:
        return None, [exc.diagnostic(rel)], digest


def load_tags(raw: bytes | None) -> tuple[dict[str, str], list[Diagnostic], str]:
    """Display names of tags from content/tags.yaml's bytes: names, problems and digest."""
    document, problems, digest = _optional_document(raw, TAGS_FILE)
    if document is None or document.value is None:
        return {}, problems, digest
    if not isinstance(document.value, dict):
        return {}, [Diagnostic(Location(TAGS_FILE, 1), "tags.yaml must map tag slugs to names",
                               "write 'imf: IMF' lines, one per tag")], digest
    names: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for slug, name in document.value.items():
        line = document.line((slug,))
        if not isinstance(slug, str) or not routes.is_slug(slug):
            problems.append(Diagnostic(Location(TAGS_FILE, line), f"{yamlload.quote(str(slug))} is not a tag slug",
                                       f"write the tag as its address shows it, e.g. "
                                       f"'{routes.slugify(str(slug)) or 'imf'}'"))
        elif not isinstance(name, str) or not name.strip():
            problems.append(Diagnostic(Location(TAGS_FILE, line), f"tag '{slug}' needs a name (text)",
                                       f'write it as {slug}: "…"'))
        else:
            names[slug] = smarten(name.strip())
    return names, problems, digest


def tag_label(slug: str, written: str, names: dict[str, str]) -> str:
    """How a tag is shown: its name in tags.yaml, else as an article wrote it when that is more than
    its slug ("Privatización"), else its slug made readable ("state-department" → "State Department")."""
    if slug in names:
        return names[slug]
    if written and written != slug:
        return written
    return " ".join(word[:1].upper() + word[1:] for word in slug.split("-"))


def read_authors_file(config: SiteConfig) -> bytes | None:
    """The bytes of content/authors.yaml, or None when there is none."""
    path = config.content_dir / "authors.yaml"
    return path.read_bytes() if path.is_file() else None


def load_authors(raw: bytes | None) -> tuple[dict[str, Author], list[Diagnostic], str]:
    """Validate content/authors.yaml from its bytes (see read_authors_file); authors, problems and digest."""
    rel = "content/authors.yaml"
    document, problems, digest = _optional_document(raw, rel)
    if document is None:
        return {}, problems, digest
    if not isinstance(document.value, list):
        return {}, [Diagnostic(Location(rel, 1), "authors.yaml must be a list of authors",
                               "write '- slug: desk' entries with name and bio")], digest
    entries, problems = schema.check(document, ListOf(_AUTHOR), rel)
    authors: dict[str, Author] = {}
    for index, item in entries:
        slug = item["slug"]
        if not routes.is_slug(slug):
            problems.append(Diagnostic(Location(rel, document.line((index, "slug"))),
                                       "an author needs a 'slug' (a-z, 0-9, -) and a 'name'",
                                       f"use a slug such as '{routes.slugify(slug) or 'desk'}'"))
            continue
        if slug in authors:
            problems.append(Diagnostic(Location(rel, document.line((index,))), f"author '{slug}' is listed twice",
                                       "keep one entry per author"))
            continue
        links = []
        for position, link in item["links"]:
            if link["url"].startswith(("http://", "https://")):
                links.append((link["title"] or link["url"], link["url"]))
            else:
                problems.append(Diagnostic(Location(rel, document.line((index, "links", position, "url"))),
                                           "author links must be {title, url} with an http(s) url",
                                           "write links as '- {title: Profile, url: https://…}'"))
        authors[slug] = Author(slug, item["name"], item["bio"], tuple(links))
    return authors, problems, digest
