"""Site settings from content/site.yaml: a declared schema where unknown keys are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import routes, yamlload
from .sources import hash_bytes
from .errors import ConfigError, Diagnostic, Location, closest, did_you_mean

CONFIG_NAME = "site.yaml"
FEEDS_FILE = "content/feeds.yaml"          # read by ingest, checked by check
STATE_FILE = "content/ingest-state.json"   # what ingest has seen



@dataclass(frozen=True, slots=True)
class Topic:
    """One of the site's sections, with the words that classify ingested stories into it."""

    slug: str
    name: str
    description: str
    keywords: tuple[str, ...] = ()


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
    digest: str = ""
    output_dir: Path = field(default=Path("site"))
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
    def cache_dir(self) -> Path:
        return self.root / ".milei_watch"

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


# key: (type, required, default)
_SCHEMA: dict[str, tuple[type | tuple[type, ...], bool, Any]] = {
    "title": (str, True, None),
    "description": (str, True, None),
    "base_url": (str, True, None),
    "language": (str, False, "en"),
    "locale": (str, False, None),
    "timezone": (str, False, "America/Argentina/Buenos_Aires"),
    "author": (str, False, "desk"),
    "per_page": (int, False, 10),
    "home_latest": (int, False, 10),
    "home_per_topic": (int, False, 3),
    "feed_size": (int, False, 20),
    "search": (bool, False, True),
    "subject_terms": (list, False, ["Milei", "Argentina"]),
    "topics": (list, True, None),
}
_TOPIC_KEYS = {"slug": True, "name": True, "description": True, "keywords": False}


def load_config(root: Path, output_dir: Path | None = None) -> SiteConfig:
    """Read and validate content/site.yaml under `root`; raise ConfigError on any problem."""
    root = root.resolve()
    path = root / "content" / CONFIG_NAME
    shown = f"content/{CONFIG_NAME}"
    if not path.is_file():
        raise ConfigError([Diagnostic(Location(shown), f"no site configuration at {path}",
                                      "run milei-watch from the project folder or pass --root DIR")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Diagnostic(Location(shown, line), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                      "cannot start a character here)", "save the file as UTF-8")]) from None
    try:
        data = yamlload.parse(text)
    except yamlload.YamlProblem as exc:
        raise ConfigError([Diagnostic(Location(shown, exc.line), exc.describe(), "fix the YAML syntax")]) from None
    problems: list[Diagnostic] = []

    def report(keypath: tuple[Any, ...], message: str, hint: str = "") -> None:
        problems.append(Diagnostic(Location(shown, yamlload.line_of(text, keypath)), message, hint))

    if not isinstance(data, dict):
        raise ConfigError([Diagnostic(Location(shown, 1), "the configuration must be a mapping of settings",
                                      "write it as 'key: value' lines")])
    values: dict[str, Any] = {}
    misspelt: set[str] = set()
    for key in data:
        if key not in _SCHEMA:
            report((key,), f"unknown setting '{key}'", did_you_mean(str(key), _SCHEMA))
            misspelt.add(closest(str(key), _SCHEMA) or "")
    for key, (kind, required, default) in _SCHEMA.items():
        if key not in data or data[key] is None:
            if required and key not in misspelt:
                problems.append(Diagnostic(Location(shown, 1), f"missing required setting '{key}'",
                                           f"add '{key}:' to {shown}"))
            values[key] = default
            continue
        value = data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            report((key,), f"'{key}' must be {_kind_name(kind)}, not {yamlload.type_name(value)}",
                   f"write it like {key}: {_EXAMPLES[kind]}")
            values[key] = default
            continue
        values[key] = value
    if isinstance(values["base_url"], str):
        base = values["base_url"]
        if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", base):
            report(("base_url",), f"base_url '{base}' is not an absolute http(s) address",
                   "write it like https://example.org/ or https://example.org/milei-watch/")
        values["base_url"] = base if base.endswith("/") else base + "/"
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        report(("timezone",), f"unknown timezone '{values['timezone']}'",
               "use an IANA name such as America/Argentina/Buenos_Aires")
        values["timezone"] = "UTC"
    for key in ("per_page", "home_latest", "home_per_topic", "feed_size"):
        if isinstance(values[key], int) and values[key] < 1:
            report((key,), f"'{key}' must be at least 1", f"write it like {key}: 10")
    terms = values["subject_terms"] or []
    if not all(isinstance(t, str) and t.strip() for t in terms):
        report(("subject_terms",), "'subject_terms' must be a list of words", "write subject_terms: [Milei, Argentina]")
        terms = []
    topics = _load_topics(values["topics"] or [], report)
    if problems:
        raise ConfigError(problems)
    language = values["language"]
    return SiteConfig(
        root=root,
        title=values["title"],
        description=values["description"],
        base_url=values["base_url"],
        language=language,
        locale=values["locale"] or language.replace("-", "_"),
        timezone=values["timezone"],
        author=values["author"],
        per_page=values["per_page"],
        home_latest=values["home_latest"],
        home_per_topic=values["home_per_topic"],
        feed_size=values["feed_size"],
        search=values["search"],
        subject_terms=tuple(terms),
        topics=topics,
        digest=hash_bytes(raw),
        output_dir=(output_dir or root / "site").resolve(),
        output_requested=(output_dir or root / "site").absolute(),
    )


def _load_topics(items: list[Any], report) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    seen: set[str] = set()
    if not items:
        report(("topics",), "the site needs at least one topic", "list topics with slug, name and description")
    for index, item in enumerate(items):
        where = ("topics", index)
        if not isinstance(item, dict):
            report(where, "each topic must be a mapping with slug, name and description", _TOPIC_EXAMPLE)
            continue
        for key in item:
            if key not in _TOPIC_KEYS:
                report(where + (key,), f"unknown topic setting '{key}'", did_you_mean(str(key), _TOPIC_KEYS))
        missing = [k for k, req in _TOPIC_KEYS.items() if req and not isinstance(item.get(k), str)]
        if missing:
            report(where, f"topic needs {', '.join(missing)} (text)", _TOPIC_EXAMPLE)
            continue
        slug = item["slug"]
        if not routes.is_slug(slug):
            report(where + ("slug",), f"topic slug '{slug}' must be lowercase letters, digits and hyphens",
                   f"use '{routes.slugify(slug) or 'economy'}'")
            continue
        if slug in seen:
            report(where + ("slug",), f"topic '{slug}' is defined twice", "give each topic its own slug")
            continue
        seen.add(slug)
        keywords = item.get("keywords") or []
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            report(where + ("keywords",), "topic keywords must be a list of words",
                   "write keywords: [inflation, peso]")
            keywords = []
        topics.append(Topic(slug, item["name"], item["description"].strip(), tuple(keywords)))
    return tuple(topics)


_EXAMPLES = {str: "some text", int: "10", bool: "true", list: "[first, second]"}
_TOPIC_EXAMPLE = "write it as '- slug: economy' with 'name:' and 'description:' lines below"


def _kind_name(kind: Any) -> str:
    return {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a mapping"}.get(
        kind, str(kind))
