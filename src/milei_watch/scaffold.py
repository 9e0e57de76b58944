"""Starter files, never overwriting one: a new article for `milei-watch new`, a new site for `milei-watch init`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from . import routes, sources, yamlload
from .config import SiteConfig
from .errors import Diagnostic

BODY_PLACEHOLDER = "Write the article here, in Markdown.\n"


class UnknownTopic(Exception):
    """A topic asked for on the command line that the site does not define."""

    def __init__(self, name: str, known: tuple[str, ...]):
        super().__init__(f"unknown topic '{name}'; valid topics: {', '.join(known)}")


class EmptySlug(Exception):
    """A title with no letters or digits to make a file name from."""


class UnknownLanguage(Exception):
    """A language asked for on the command line that the site does not publish."""

    def __init__(self, code: str, known: list[str]):
        super().__init__(f"unknown language '{code}'; this site's languages: {', '.join(known)} "
                         "(site.yaml 'language' and 'languages')")


class CannotTranslate(Exception):
    """The article to translate cannot be read, or is already in the language asked for."""


def article_text(config: SiteConfig, title: str, topics: Sequence[str], tags: Sequence[str], draft: bool,
                 date: dt.date, lang: str = "") -> str:
    """The new file's contents: YAML front matter dumped safely (quotes and colons in titles survive), then a body."""
    meta: dict[str, object] = {"title": title, "date": date, "topics": list(topics)}
    if lang and lang != config.default_language:
        meta = {"lang": lang, **meta}
    if tags:
        meta["tags"] = list(tags)
    meta["summary"] = ""  # to fill in: the build accepts it empty and `check` warns until it is written
    meta["author"] = config.author
    if draft:
        meta["draft"] = True
    return yamlload.dump_front_matter(meta, flow_lists=True) + BODY_PLACEHOLDER


def new_article(config: SiteConfig, title: str, topics: Sequence[str], *, tags: Sequence[str] = (), draft: bool = False,
                slug: str | None = None, now: dt.datetime | None = None, lang: str = "") -> Path:
    """Write content/articles/<slug>.md and return its path; raise FileExistsError rather than overwrite."""
    for name in topics:
        if name not in config.topic_slugs:
            raise UnknownTopic(name, config.topic_slugs)
    _check_language(config, lang)
    slug = _slug(title, slug)
    text = article_text(config, title.strip(), tuple(dict.fromkeys(topics)), tuple(dict.fromkeys(tags)), draft,
                        moment(config, now), lang)
    return _write(config, slug, text)


def translate_article(config: SiteConfig, source: Path, lang: str, *, title: str | None = None,
                      slug: str | None = None, now: dt.datetime | None = None) -> Path:
    """Start the `lang` version of an article: a draft with the same topics, tags, kind, sources and
    translation_key (the original's, or its slug) and the original's text to translate in place.
    The original is only read."""
    _check_language(config, lang)
    path = source if source.is_absolute() else config.root / source
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CannotTranslate(f"cannot read {source}: {exc.strerror or exc}") from None
    bodies: dict[str, str] = {}
    doc = sources.parse_source(raw, str(source), "article", bodies)
    if isinstance(doc, Diagnostic):
        raise CannotTranslate(doc.format())
    meta = doc.meta
    if (meta.get("lang") or config.default_language) == lang:
        raise CannotTranslate(f"{source} is already in '{lang}'; name another language with --lang")
    original = meta.get("slug") or routes.slugify(str(meta.get("title", "")))
    title = title or str(meta.get("title", ""))
    slug = _slug(title, slug if slug else (None if title != meta.get("title") else f"{original}-{lang}"))
    copied: dict[str, object] = {"lang": lang, "translation_key": meta.get("translation_key") or original,
                                 "title": title, "date": moment(config, now)}
    for key in ("topics", "summary", "tags", "kind", "author", "sources", "takeaways"):
        if meta.get(key) not in (None, "", []):
            copied[key] = meta[key]
    copied["draft"] = True  # published when the translation is done and this line removed
    front = yamlload.dump_front_matter(copied, flow_lists=False)
    return _write(config, slug, front + bodies[str(source)])


def moment(config: SiteConfig, now: dt.datetime | None = None) -> dt.datetime:
    """The date and time a new file is dated with: now in the site's timezone, to the minute (never in
    the future, so the build publishes it at once)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz).replace(second=0, microsecond=0)


def _check_language(config: SiteConfig, lang: str) -> None:
    codes = [edition.code for edition in config.editions]
    if lang and lang not in codes:
        raise UnknownLanguage(lang, codes)


def _slug(title: str, slug: str | None) -> str:
    slug = slug or routes.slugify(title)
    if not routes.is_slug(slug):
        raise EmptySlug(f"cannot make a file name from {slug or title!r}; pass --slug with letters, digits and hyphens")
    return slug


def _write(config: SiteConfig, slug: str, text: str) -> Path:
    path = config.content_dir / "articles" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": fail, never clobber
        handle.write(text)
    return path


# --- a new site: `milei-watch init DIR` -----------------------------------------------------------

SITE_YAML = """\
# Site settings for milei-watch. Unknown keys are errors: `milei-watch check` names the line and the
# setting you probably meant. Replace every placeholder below with your own.

# The site's name and a one-sentence description: the home page, feeds and search engines show both.
title: My news site
description: Independent reporting and analysis on one subject. Replace this sentence with your own.
# The address the site will be published at; feeds, sitemaps and canonical links start with it.
base_url: https://example.org/
# The site's language (the interface speaks it: en or es) and the locale its dates follow.
language: en
locale: en_US
# Dates written without a timezone are in this one: an IANA name such as Europe/Madrid.
timezone: UTC
# The default byline: a slug from content/authors.yaml.
author: desk
# Articles per topic, tag and author page, and how many the home page shows, overall and per topic.
per_page: 10
home_latest: 10
home_per_topic: 3
# Entries per feed (RSS, Atom and JSON Feed).
feed_size: 20
# A search page (Pagefind, built with the site).
search: true
# How readers reach the editors, an email or web address shown at the end of the about page; empty
# shows none. Never put an address here that nobody reads.
contact: ""
# `milei-watch ingest` keeps a story from the feeds in content/feeds.yaml only when it mentions one
# of these words (whole words, any case or accents).
subject_terms: [example]

# The site's sections: every article names one or more of them by slug (lowercase letters, digits
# and hyphens). `keywords` sort ingested stories into them. Rename these two and add your own.
topics:
  - slug: topic-one
    name: Topic one
    description: What the first section covers, in one sentence.
    keywords: [first example]
  - slug: topic-two
    name: Topic two
    description: What the second section covers, in one sentence.
    keywords: [second example]
"""

AUTHORS_YAML = """\
# Bylines: an article's `author:` (or site.yaml's `author:`) names one of these by its slug.
- slug: desk
  name: The editors
  bio: "Replace this with who writes for the site."
"""

ABOUT_MD = """\
---
title: About this site
summary: "Who publishes this site, what it covers and how to reach the editors."
---

Replace this page with who publishes the site, what it covers, the standards its articles follow and
how corrections are made. It is `content/pages/about.md`, and every page links to it.
"""

GITIGNORE = """\
# Made by milei-watch build: the site and its disposable cache.
/site/
/.milei_watch/
"""

# What `init` writes, under the new project folder; an existing .gitignore is left as it is.
STARTER_FILES = (("content/site.yaml", SITE_YAML), ("content/authors.yaml", AUTHORS_YAML),
                 ("content/pages/about.md", ABOUT_MD))
OPTIONAL_FILES = ((".gitignore", GITIGNORE),)


class SiteExists(Exception):
    """Starter files `init` would write that are already there: it writes nothing then."""

    def __init__(self, paths: list[Path]):
        super().__init__(", ".join(map(str, paths)))
        self.paths = paths


def init_site(folder: Path) -> list[str]:
    """Start a site in `folder` (made if needed): starter settings, bylines, an about page and an empty
    content/articles/; the theme is the package's own. Return what was created, relative to `folder`.

    Raises SiteExists naming every starter file already there, having written nothing."""
    taken = [rel for rel, _text in STARTER_FILES if (folder / rel).exists() or (folder / rel).is_symlink()]
    if taken:
        raise SiteExists([folder / rel for rel in taken])
    created = []
    for rel, text in STARTER_FILES:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        created.append(rel)
    articles = folder / "content" / "articles"
    if not articles.exists():
        articles.mkdir()
        created.append("content/articles/")
    for rel, text in OPTIONAL_FILES:
        try:
            with (folder / rel).open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        created.append(rel)
    return created
