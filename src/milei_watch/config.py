"""Site settings from content/site.yaml: a declared schema where unknown keys are errors."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import routes, schema, yamlload
from .sources import hash_bytes
from .typography import smarten
from .errors import ConfigError, Diagnostic, Location, did_you_mean
from .schema import Field, Flag, ListOf, Text, Whole

CONFIG_NAME = "site.yaml"
FEEDS_FILE = "content/feeds.yaml"          # read by ingest, checked by check
STATE_FILE = "content/ingest-state.json"   # what ingest has seen



class Topic(NamedTuple):
    """One of the site's sections, with the words that classify ingested stories into it."""

    slug: str
    name: str
    description: str
    keywords: tuple[str, ...] = ()


class Edition(NamedTuple):
    """The site in one language: the default language at the root, any other under /<code>/."""

    code: str                       # e.g. es: <html lang>, hreflang, front matter `lang:`
    locale: str                     # e.g. es_AR: dates, og:locale
    title: str
    description: str
    topics: tuple[Topic, ...]       # the same slugs in every edition, with names in its language
    prefix: str = ""                # "" for the default language, else "es/"
    start_here: str = ""            # the home page's "start here" article: a slug or translation key


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything the build needs to know about the site and where its files live."""

    root: Path
    title: str
    description: str
    base_url: str
    language: str
    locale: str
    timezone: str
    author: str
    per_page: int
    home_latest: int
    home_per_topic: int
    feed_size: int
    search: bool
    subject_terms: tuple[str, ...]
    topics: tuple[Topic, ...]
    contact: str = ""               # how readers reach the editors (site.yaml `contact`), for templates
    start_here: str = ""            # the article the home page offers newcomers (site.yaml `start_here`)
    digest: str = ""
    output_dir: Path = field(default=Path("site"))
    # The other languages (site.yaml `languages`); the default edition comes from the settings above.
    languages: tuple[Edition, ...] = ()
    # The output folder as given, absolute but with symlinks unresolved, so that outdir.claim can
    # refuse a symlinked one (output_dir, resolved, no longer shows the link).
    output_requested: Path | None = field(default=None, compare=False, repr=False)
    # Derived from `topics` once: templates and feeds look a topic up for every card and entry.
    topic_slugs: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _topic_index: dict[str, Topic] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic_slugs", tuple(t.slug for t in self.topics))
        object.__setattr__(self, "_topic_index", {t.slug: t for t in self.topics})

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.templates_dir / "static"

    @property
    def cache_root(self) -> Path:
        """The project's build cache folder, .milei_watch/ (deleting it is always safe)."""
        return self.root / ".milei_watch"

    @property
    def cache_dir(self) -> Path:
        """The build cache of this output folder: .milei_watch/ itself for site/, and for any other
        --out folder one of its own, .milei_watch/outputs/NAME-HASH/, so that building elsewhere never
        costs site/ its cache (state.py owns what is inside, and drops the least recently used)."""
        default = self.root / "site"
        if self.output_dir == default:
            return self.cache_root
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", self.output_dir.name).strip("-")[:40] or "out"
        return self.cache_root / "outputs" / f"{name}-{hash_bytes(str(self.output_dir).encode())[:12]}"

    @property
    def config_path(self) -> Path:
        return self.content_dir / CONFIG_NAME

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/' or '/milei-watch/'."""
        rest = self.base_url.split("://", 1)[1]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"

    def topic(self, slug: str) -> Topic:
        return self._topic_index[slug]

    @property
    def default_language(self) -> str:
        return self.editions[0].code

    @property
    def editions(self) -> tuple[Edition, ...]:
        """Every edition, the default language first."""
        home = self.languages[0] if self.languages and self.languages[0].prefix == "" else None
        if home is None:
            home = Edition(self.language, self.locale, self.title, self.description, self.topics,
                           start_here=self.start_here)
            return (home,) + self.languages
        return self.languages

    @property
    def root_url(self) -> str:
        """base_url without the edition's prefix: where the shared files (static/, pagefind/) are."""
        prefix = next((e.prefix for e in self.editions if e.code == self.language), "")
        return self.base_url[: len(self.base_url) - len(prefix)]

    def in_edition(self, code: str) -> SiteConfig:
        """These settings as one edition's pages see them: its title, topics and locale, and its
        prefix in base_url, so that every link a template makes stays inside the edition."""
        edition = next(e for e in self.editions if e.code == code)
        if edition.prefix == "" and edition.code == self.language:
            return self
        editions = self.editions
        return dataclasses.replace(self, title=edition.title, description=edition.description, language=code,
                                   locale=edition.locale, topics=edition.topics, start_here=edition.start_here,
                                   base_url=self.base_url + edition.prefix, languages=editions)


_TOPIC_EXAMPLE = "'- slug: economy' with 'name:' and 'description:' lines below"
_TOPIC = schema.Record({
    "slug": Field(Text(blank=False), required=True),
    "name": Field(Text(blank=False), required=True),
    "description": Field(Text(blank=False), required=True),
    "keywords": Field(ListOf(Text(blank=False)), hint="write keywords: [inflation, peso]"),
}, noun="topic", unknown="unknown topic setting {key}", missing="topic needs {name} (text)",
    missing_hint=f"write it as {_TOPIC_EXAMPLE}", example=_TOPIC_EXAMPLE)
_LANGUAGE_EXAMPLE = "'- code: es' with 'locale:', 'title:', 'description:' and 'topics:' lines below"
_LANGUAGE_TOPIC = schema.Record({
    "slug": Field(Text(blank=False), required=True),
    "name": Field(Text(blank=False), required=True),
    "description": Field(Text(blank=False), required=True),
}, noun="topic", unknown="unknown topic setting {key}", missing="topic needs {name} (text)",
    missing_hint="write each topic's slug with its name and description in this language",
    example="'- slug: economy' with 'name:' and 'description:' lines below")
_LANGUAGE = schema.Record({
    "code": Field(Text(blank=False), required=True),
    "locale": Field(Text()),
    "title": Field(Text(blank=False), required=True),
    "description": Field(Text(blank=False), required=True),
    "topics": Field(ListOf(_LANGUAGE_TOPIC), required=True),
    "start_here": Field(Text()),
}, noun="language", unknown="unknown language setting {key}", missing="language needs {name}",
    missing_hint=f"write it as {_LANGUAGE_EXAMPLE}", example=_LANGUAGE_EXAMPLE)
_SITE = schema.Record({
    "title": Field(Text(blank=False), required=True),
    "description": Field(Text(blank=False), required=True),
    "base_url": Field(Text(blank=False), required=True),
    "language": Field(Text(blank=False), default="en"),
    "locale": Field(Text()),
    "timezone": Field(Text(blank=False), default="America/Argentina/Buenos_Aires"),
    "author": Field(Text(blank=False), default="desk"),
    "per_page": Field(Whole(1), default=10),
    "home_latest": Field(Whole(1), default=10),
    "home_per_topic": Field(Whole(1), default=3),
    "feed_size": Field(Whole(1), default=20),
    "search": Field(Flag(), default=True),
    "subject_terms": Field(ListOf(Text(blank=False)), default=["Milei", "Argentina"],
                           hint="write subject_terms: [Milei, Argentina]"),
    "topics": Field(ListOf(_TOPIC), required=True),
    "contact": Field(Text(), default=""),
    "start_here": Field(Text(), default=""),
    "languages": Field(ListOf(_LANGUAGE), hint=f"write each other language as {_LANGUAGE_EXAMPLE}"),
}, unknown="unknown setting {key}", missing="missing required setting {key}",
    missing_hint=f"add '{{name}}:' to content/{CONFIG_NAME}", example="'key: value' lines")


def read_settings(path: Path, shown: str, missing: str, hint: str) -> tuple[bytes, yamlload.Document]:
    """The bytes and parsed YAML of a settings file (site.yaml, feeds.yaml); ConfigError naming the
    file (`shown`) when it is missing (with `missing` and `hint`) or not valid YAML."""
    if not path.is_file():
        raise ConfigError([Diagnostic(Location(shown), missing, hint)])
    raw = path.read_bytes()
    try:
        return raw, yamlload.read(raw)
    except yamlload.YamlProblem as exc:
        raise ConfigError([exc.diagnostic(shown)]) from None


def load_config(root: Path, output_dir: Path | None = None) -> SiteConfig:
    """Read and validate content/site.yaml under `root`; raise ConfigError on any problem."""
    root = root.resolve()
    path = root / "content" / CONFIG_NAME
    shown = f"content/{CONFIG_NAME}"
    raw, document = read_settings(path, shown, f"no site configuration at {path}",
                                  "run milei-watch from the project folder or pass --root DIR")
    if not isinstance(document.value, dict):
        raise ConfigError([Diagnostic(Location(shown, 1), "the configuration must be a mapping of settings",
                                      "write it as 'key: value' lines")])
    values, problems = schema.check(document, _SITE, shown)

    def report(keypath: tuple[Any, ...], message: str, hint: str = "") -> None:
        problems.append(Diagnostic(Location(shown, document.line(keypath)), message, hint))

    if values["base_url"] is not None:
        base = values["base_url"]
        if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", base):
            report(("base_url",), f"base_url {yamlload.quote(base)} is not an absolute http(s) address",
                   "write it like https://example.org/ or https://example.org/milei-watch/")
        values["base_url"] = base if base.endswith("/") else base + "/"
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        report(("timezone",), f"unknown timezone {yamlload.quote(values['timezone'])}",
               "use an IANA name such as America/Argentina/Buenos_Aires")
        values["timezone"] = "UTC"
    if document.value.get("topics") == []:
        report(("topics",), "the site needs at least one topic", "list topics with slug, name and description")
    topics = _topics(values["topics"], report)
    language = values["language"]
    locale = values["locale"] or language.replace("-", "_")
    languages = _editions(values["languages"], language, locale, values, topics, report)
    if problems:
        raise ConfigError(problems)
    return SiteConfig(
        root=root,
        title=smarten(values["title"]),
        description=smarten(values["description"]),
        base_url=values["base_url"],
        language=language,
        locale=locale,
        timezone=values["timezone"],
        author=values["author"],
        per_page=values["per_page"],
        home_latest=values["home_latest"],
        home_per_topic=values["home_per_topic"],
        feed_size=values["feed_size"],
        search=values["search"],
        subject_terms=tuple(term for _index, term in values["subject_terms"]),
        topics=topics,
        contact=values["contact"],
        start_here=values["start_here"],
        languages=languages,
        digest=hash_bytes(raw),
        output_dir=(output_dir or root / "site").resolve(),
        output_requested=(output_dir or root / "site").absolute(),
    )


def _topics(entries: schema.Entries, report) -> tuple[Topic, ...]:
    """The topics whose slugs are well formed and not taken by an earlier topic."""
    topics: list[Topic] = []
    seen: set[str] = set()
    for index, item in entries:
        slug = item["slug"]
        where = ("topics", index, "slug")
        if not routes.is_slug(slug):
            report(where, f"topic slug {yamlload.quote(slug)} must be lowercase letters, digits and hyphens",
                   f"use '{routes.slugify(slug) or 'economy'}'")
            continue
        if slug in seen:
            report(where, f"topic '{slug}' is defined twice", "give each topic its own slug")
            continue
        seen.add(slug)
        keywords = tuple(word for _position, word in item["keywords"])
        topics.append(Topic(slug, smarten(item["name"]), smarten(item["description"]), keywords))
    return tuple(topics)


def _editions(entries: schema.Entries, language: str, locale: str, values: dict[str, Any],
              topics: tuple[Topic, ...], report) -> tuple[Edition, ...]:
    """Every edition, the default language's first, when `languages` names others; else none."""
    if not entries:
        return ()
    editions = [Edition(language, locale, smarten(values["title"]), smarten(values["description"]), topics,
                        start_here=values["start_here"])]
    seen = {language}
    for index, item in entries:
        code = item["code"]
        where = ("languages", index)
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
            report(where + ("code",), f"language code {yamlload.quote(code)} is not a language tag",
                   "write a code such as es or pt-BR")
            continue
        if code in seen:
            report(where + ("code",), f"language '{code}' is listed twice",
                   "list each language once; the default language is the 'language:' setting")
            continue
        seen.add(code)
        named = {}
        for position, topic in item["topics"]:
            if topic["slug"] not in {t.slug for t in topics}:
                report(where + ("topics", position, "slug"), f"unknown topic '{topic['slug']}'",
                       did_you_mean(topic["slug"], [t.slug for t in topics]) or "use a slug from 'topics:'")
            named[topic["slug"]] = topic
        missing = [t.slug for t in topics if t.slug not in named]
        if missing:
            report(where + ("topics",), f"language '{code}' does not name topic {', '.join(missing)}",
                   "give every topic a name and description in each language")
            continue
        localised = tuple(Topic(t.slug, smarten(named[t.slug]["name"]), smarten(named[t.slug]["description"]),
                                t.keywords) for t in topics)
        # An edition that names no start_here offers the translation of the default language's.
        start_here = values["start_here"] if item["start_here"] is None else item["start_here"]
        editions.append(Edition(code, item["locale"] or code.replace("-", "_"), smarten(item["title"]),
                                smarten(item["description"]), localised, prefix=f"{code}/", start_here=start_here))
    return tuple(editions)
