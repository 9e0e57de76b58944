"""The feed list, content/feeds.yaml: the sources ingest reads, validated like site.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import routes, yamlload
from ..config import FEEDS_FILE, SiteConfig
from ..errors import ConfigError, Diagnostic, Location, did_you_mean
from . import fetch

# New drafts per source and run when feeds.yaml sets no max_new; the rest wait for the next run.
DEFAULT_MAX_NEW = 50
_FEED_KEYS = ("name", "publisher", "url", "path", "topics", "enabled", "max_new")


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


def load_feeds(config: SiteConfig) -> tuple[FeedSource, ...]:
    """Read and validate content/feeds.yaml; raise ConfigError naming every problem, as for site.yaml."""
    path = config.root / FEEDS_FILE
    if not path.is_file():
        raise ConfigError([Diagnostic(Location(FEEDS_FILE), "no feed list to ingest",
                                     f"create {FEEDS_FILE} listing the feeds to read; see 'Ingesting feeds' in README.md")])
    try:
        document = yamlload.read(path.read_bytes())
    except yamlload.YamlProblem as exc:
        raise ConfigError([exc.diagnostic(FEEDS_FILE)]) from None
    data = document.value
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError([Diagnostic(Location(FEEDS_FILE, 1), "the feed list must be a list of sources",
                                     "start each source with '- name: my-feed' and give it a url or path")])
    problems: list[Diagnostic] = []

    def report(keypath: tuple[Any, ...], message: str, hint: str = "") -> None:
        problems.append(Diagnostic(Location(FEEDS_FILE, document.line(keypath)), message, hint))

    feeds: list[FeedSource] = []
    names: set[str] = set()
    for index, item in enumerate(data):
        feed = _feed_source(config, index, item, names, report)
        if feed is not None:
            feeds.append(feed)
    if problems:
        raise ConfigError(problems)
    return tuple(feeds)


def _feed_source(config: SiteConfig, index: int, item: Any, names: set[str],
                 report: Callable[..., None]) -> FeedSource | None:
    where: tuple[Any, ...] = (index,)
    if not isinstance(item, dict):
        report(where, "each source must be a mapping with a name and a url or path")
        return None
    ok = True
    for key in item:
        if key not in _FEED_KEYS:
            report(where + (key,), f"unknown source setting '{key}'", did_you_mean(str(key), _FEED_KEYS))
            ok = False
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        # YAML reads a bare on, off, yes or no as true/false
        report(where + ("name",), f"a source name must be text, not {yamlload.type_name(name)}",
               "put the name in quotes, e.g. name: \"off\"" if isinstance(name, bool) else "")
        return None
    if not isinstance(name, str) or not name.strip():
        report(where, "a source needs a 'name'", "add 'name: my-feed' (lowercase letters, digits and hyphens)")
        return None
    if not routes.is_slug(name):
        report(where + ("name",), f"source name '{name}' may only contain lowercase letters, digits and hyphens",
               f"use '{routes.slugify(name) or 'my-feed'}'")
        return None
    if name in names:
        report(where + ("name",), f"source '{name}' is listed twice", "give each source its own name")
        return None
    names.add(name)
    url, file = "", None
    if ("url" in item) == ("path" in item):
        report(where, f"source '{name}' needs either a 'url' or a 'path', not {'both' if 'url' in item else 'neither'}",
               "use url for a feed on the web, path for a file in the project")
        ok = False
    elif "url" in item:
        url = item["url"].strip() if isinstance(item["url"], str) else ""
        if not fetch.is_web_address(url):
            report(where + ("url",), f"url {item['url']!r} is not an http(s) address",
                   "write it like https://example.org/feed.xml")
            ok = False
    else:
        raw = item["path"]
        if not isinstance(raw, str) or not raw.strip() or Path(raw.strip()).is_absolute():
            report(where + ("path",), f"path {raw!r} must be a file path relative to the project folder",
                   "write it like content/sample-feed.xml")
            ok = False
        else:
            file = (config.root / raw.strip()).resolve()
            if not file.is_relative_to(config.root):
                report(where + ("path",), f"path '{raw}' leaves the project folder",
                       "keep local feeds inside the project")
                ok = False
    topics: list[str] = []
    value = item.get("topics")
    if value is not None:
        listed = [value] if isinstance(value, str) else value
        if not isinstance(listed, list):
            report(where + ("topics",), "'topics' must be a list of topic slugs",
                   "write it like topics: [diplomacy]")
            ok = False
            listed = []
        for position, slug in enumerate(listed):
            if isinstance(slug, str) and slug in config.topic_slugs:
                topics.append(slug)
                continue
            keypath = where + ("topics", position) if isinstance(value, list) else where + ("topics",)
            report(keypath, f"unknown topic {slug!r}",
                   did_you_mean(str(slug), config.topic_slugs).replace("known keys", "known topics"))
            ok = False
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        report(where + ("enabled",), "'enabled' must be true or false")
        ok = False
    publisher = item.get("publisher", name)
    if not isinstance(publisher, str) or not publisher.strip():
        report(where + ("publisher",), "'publisher' must be text", "write the name readers know, e.g. MercoPress")
        ok = False
    max_new = item.get("max_new", DEFAULT_MAX_NEW)
    if isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 1:
        report(where + ("max_new",), f"'max_new' must be a whole number of at least 1, not {max_new!r}",
               f"the most new drafts one run writes from this source (default {DEFAULT_MAX_NEW})")
        ok = False
    if not ok:
        return None
    return FeedSource(name, publisher.strip(), url, file, tuple(topics), enabled, max_new)


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


