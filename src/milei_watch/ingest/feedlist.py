"""The feed list, content/feeds.yaml: the sources ingest reads, validated like site.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import routes, schema, yamlload
from ..config import FEEDS_FILE, SiteConfig, read_settings
from ..errors import ConfigError, Diagnostic, Location, did_you_mean
from . import fetch

# New drafts per source and run when feeds.yaml sets no max_new; the rest wait for the next run.
DEFAULT_MAX_NEW = 50


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One external feed listed in content/feeds.yaml."""

    name: str
    publisher: str
    url: str = ""
    path: Path | None = None        # absolute, inside the project; set instead of url for a local file
    topics: tuple[str, ...] = ()    # applied when no topic keyword matches
    enabled: bool = True
    max_new: int = DEFAULT_MAX_NEW  # drafts per run at most; the rest wait for the next run
    language: str = ""              # the drafts' `lang:`, one of the site's languages (default: the site's)


def load_feeds(config: SiteConfig) -> tuple[FeedSource, ...]:
    """Read and validate content/feeds.yaml; raise ConfigError naming every problem, as for site.yaml."""
    _raw, document = read_settings(config.root / FEEDS_FILE, FEEDS_FILE, "no feed list to ingest",
                                   f"create {FEEDS_FILE} listing the feeds to read; see 'Ingesting feeds' in README.md")
    data = document.value
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError([Diagnostic(Location(FEEDS_FILE, 1), "the feed list must be a list of sources",
                                     "start each source with '- name: my-feed' and give it a url or path")])
    feeds, problems = _feed_sources(config, document)
    if problems:
        raise ConfigError(problems)
    return tuple(feeds)


_SOURCE_EXAMPLE = "'- name: my-feed' with a 'url:' or 'path:' line below"
_SOURCE = schema.Record({
    "name": schema.Field(schema.Text(blank=False), required=True),
    "publisher": schema.Field(schema.Text(blank=False)),
    "url": schema.Field(schema.Text(blank=False)),
    "path": schema.Field(schema.Text(blank=False)),
    "topics": schema.Field(schema.ListOf(schema.Text(blank=False), single=True),
                           hint="write it like topics: [diplomacy]"),
    "enabled": schema.Field(schema.Flag(), default=True),
    "max_new": schema.Field(schema.Whole(1), default=DEFAULT_MAX_NEW,
                            hint=f"the most new drafts one run writes from this source (default {DEFAULT_MAX_NEW})"),
    "language": schema.Field(schema.Text(blank=False)),
}, noun="source", unknown="unknown source setting {key}", missing="a source needs a '{name}'",
    missing_hint="add 'name: my-feed' (lowercase letters, digits and hyphens)", example=_SOURCE_EXAMPLE)


def _feed_sources(config: SiteConfig, document: yamlload.Document) -> tuple[list[FeedSource], list[Diagnostic]]:
    """The sources as the schema declares them, then what needs the site: names, addresses, topics."""
    entries, problems = schema.check(document, schema.ListOf(_SOURCE), FEEDS_FILE)

    def report(keypath: tuple[Any, ...], message: str, hint: str = "") -> None:
        problems.append(Diagnostic(Location(FEEDS_FILE, document.line(keypath)), message, hint))

    feeds: list[FeedSource] = []
    names: set[str] = set()
    languages = [edition.code for edition in config.editions]
    for index, item in entries:
        where: tuple[Any, ...] = (index,)
        name = item["name"]
        if not routes.is_slug(name):
            report(where + ("name",), f"source name {yamlload.quote(name)} may only contain lowercase letters, "
                   "digits and hyphens", f"use '{routes.slugify(name) or 'my-feed'}'")
            continue
        if name in names:
            report(where + ("name",), f"source '{name}' is listed twice", "give each source its own name")
            continue
        names.add(name)
        ok = True
        url, file = "", None
        given = document.value[index]
        if ("url" in given) == ("path" in given):
            report(where, f"source '{name}' needs either a 'url' or a 'path', not {'both' if 'url' in given else 'neither'}",
                   "use url for a feed on the web, path for a file in the project")
            ok = False
        elif item["url"] is not None:
            url = item["url"]
            if not fetch.is_web_address(url):
                report(where + ("url",), f"url {yamlload.quote(url)} is not an http(s) address",
                       "write it like https://example.org/feed.xml")
                ok = False
        elif item["path"] is not None:
            raw = item["path"]
            file = (config.root / raw).resolve()
            if Path(raw).is_absolute():
                report(where + ("path",), f"path {yamlload.quote(raw)} must be a file path relative to the project "
                       "folder", "write it like content/sample-feed.xml")
                ok = False
            elif not file.is_relative_to(config.root):
                report(where + ("path",), f"path {yamlload.quote(raw)} leaves the project folder",
                       "keep local feeds inside the project")
                ok = False
        topics: list[str] = []
        for position, slug in item["topics"]:
            if slug in config.topic_slugs:
                topics.append(slug)
                continue
            keypath = where + ("topics", position) if isinstance(given.get("topics"), list) else where + ("topics",)
            report(keypath, f"unknown topic {yamlload.quote(slug)}", did_you_mean(slug, config.topic_slugs, "topics"))
            ok = False
        language = item["language"] or languages[0]
        if language not in languages:
            report(where + ("language",), f"unknown language {yamlload.quote(language)}",
                   did_you_mean(language, languages, "languages"))
            ok = False
        if ok:
            feeds.append(FeedSource(name, item["publisher"] or name, url, file, tuple(topics), item["enabled"],
                                    item["max_new"], language))
    return feeds, problems


def select_sources(feeds: tuple[FeedSource, ...], name: str | None) -> tuple[FeedSource, ...]:
    """The enabled sources, or the one named (even if disabled, so a new feed can be tried first)."""
    if name is None:
        return tuple(feed for feed in feeds if feed.enabled)
    for feed in feeds:
        if feed.name == name:
            return (feed,)
    known = sorted(feed.name for feed in feeds)
    hint = "known sources: " + (", ".join(known) or "none")
    close = did_you_mean(name, known) if known else ""
    if close.startswith("did you mean"):
        hint = f"{close} {hint}"
    # a usage mistake on the command line, reported like a configuration problem (exit 2)
    raise ConfigError([Diagnostic(Location(FEEDS_FILE), f"no source named '{name}'", hint)])


