"""New article files for `milei-watch new`: front matter an editor fills in, never overwriting."""

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
                 today: dt.date, lang: str = "") -> str:
    """The new file's contents: YAML front matter dumped safely (quotes and colons in titles survive), then a body."""
    meta: dict[str, object] = {"title": title, "date": today, "topics": list(topics)}
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
    today = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz).date()
    text = article_text(config, title.strip(), tuple(dict.fromkeys(topics)), tuple(dict.fromkeys(tags)), draft,
                        today, lang)
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
    today = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz).date()
    copied: dict[str, object] = {"lang": lang, "translation_key": meta.get("translation_key") or original,
                                 "title": title, "date": today}
    for key in ("topics", "summary", "tags", "kind", "author", "sources", "takeaways"):
        if meta.get(key) not in (None, "", []):
            copied[key] = meta[key]
    copied["draft"] = True  # published when the translation is done and this line removed
    front = yamlload.dump_front_matter(copied, flow_lists=False)
    return _write(config, slug, front + bodies[str(source)])


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
