"""Feed ingestion: read the sources in content/feeds.yaml, keep stories about the subject, write them as drafts."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Any, Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import feedparser
import nh3

from . import classify, fetch, routes, sources, yamlload
from .config import FEEDS_FILE, STATE_FILE, SiteConfig, load_config
from .errors import BuildError, ConfigError, Diagnostic, Location, did_you_mean, format_report, relative
from .output import write_atomic

STATE_FORMAT = 1
SUMMARY_LIMIT = 280
# A feed "summary" longer than this is usually the whole article; the draft then quotes our
# own short summary instead, so a draft never carries more of someone else's text than a teaser.
QUOTE_LIMIT = 1200
ALLOWED_TAGS = frozenset({"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "br"})
# Dropped with everything inside them, not just unwrapped: their text is code or markup, not prose.
DROPPED_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "applet", "svg", "math", "template",
                          "noscript", "noembed", "noframes", "textarea", "select", "title", "frameset"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_BLOCK_START = re.compile(r"(?i)<(?=/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|tr|td|th|dt|dd|section|article)\b)")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
_FEED_KEYS = ("name", "publisher", "url", "path", "topics", "enabled")
_STATE_HINT = ("restore it from version control (git checkout -- content/ingest-state.json); deleting it makes "
               "ingest forget what it has seen and write every story again")


# ---------------------------------------------------------------------------------------------
# Values

@dataclass(frozen=True, slots=True)
class FeedSource:
    """One external feed listed in content/feeds.yaml."""

    name: str
    publisher: str
    url: str = ""
    path: Path | None = None        # absolute, inside the project; set instead of url for a local file
    topics: tuple[str, ...] = ()    # applied when no topic keyword matches
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a parsed feed, still untrusted: every text field may carry hostile HTML."""

    key: str                        # identity for "seen": guid, else normalised link, else title + date
    title: str
    link: str = ""                  # absolute http(s) address, or ""
    published: dt.datetime | None = None
    summary: str = ""               # HTML as the feed gave it
    content: str = ""               # HTML as the feed gave it
    base: str = ""                  # address that relative links in the HTML are resolved against


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The items of one feed, a warning when it was malformed but usable, or why it was unusable."""

    items: tuple[FeedItem, ...] = ()
    warning: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """An ingested story ready to write: preferred file stem, front matter (without slug) and Markdown body."""

    stem: str
    meta: dict[str, Any]
    body: str


@dataclass(frozen=True, slots=True)
class SourceState:
    """What ingest remembers about one source between runs."""

    etag: str = ""
    last_modified: str = ""
    seen: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The outcome of ingesting one source."""

    name: str
    new: int = 0
    seen: int = 0
    skipped: int = 0
    failed: int = 0
    held: int = 0                   # relevant and new, but over --limit: left for the next run
    error: str = ""
    not_modified: bool = False
    warnings: tuple[str, ...] = ()
    drafts: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.error and not self.failed

    @property
    def failures(self) -> int:
        """Drafts that could not be written, or 1 for a source that could not be read at all."""
        return 1 if self.error else self.failed

    def line(self) -> str:
        text = f"{self.name}: {_counts(self.new, self.seen, self.skipped, self.failures, self.held)}"
        if self.error:
            return f"{text} ({self.error})"
        if self.not_modified:
            text += " (not modified since the last run)"
        return text + "".join(f"; warning: {warning}" for warning in self.warnings)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Every source's outcome of one run."""

    sources: tuple[SourceResult, ...]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.sources)

    @property
    def drafts(self) -> tuple[Path, ...]:
        return tuple(path for result in self.sources for path in result.drafts)

    def lines(self) -> list[str]:
        """One line per source, then a total line."""
        if not self.sources:
            return ["no enabled sources in content/feeds.yaml"]
        lines = [result.line() for result in self.sources]
        total = "total: " + _counts(*(sum(getattr(r, name) for r in self.sources)
                                      for name in ("new", "seen", "skipped", "failures", "held")))
        broken = sum(1 for result in self.sources if result.error)
        if broken:
            total += f"; {broken} of {len(self.sources)} sources failed"
        if self.dry_run:
            total += "; dry run, nothing written"
        return lines + [total]


class DraftError(Exception):
    """A draft that would not read back as valid front matter; a bug guard, never expected."""


# ---------------------------------------------------------------------------------------------
# The command

def run_ingest(root: Path, *, source: str | None = None, dry_run: bool = False, limit: int | None = None,
               now: dt.datetime | None = None, out: Callable[[str], Any] = print,
               err: Callable[[str], Any] | None = None) -> int:
    """The `ingest` command: one line per source and a total on `out`, diagnostics on `err` (default `out`).

    Exit status: 0 every source ok; 1 a source failed or the ingest state is corrupt;
    2 a usage or configuration problem (site.yaml, feeds.yaml, --source, --limit)."""
    err = err or out
    if limit is not None and limit < 1:
        err("error: --limit must be at least 1")
        return 2
    try:
        report = ingest(load_config(root), source=source, dry_run=dry_run, limit=limit, now=now)
    except ConfigError as exc:
        err(format_report(exc.diagnostics))
        return 2
    except BuildError as exc:
        err(format_report(exc.diagnostics))
        return 1
    for line in report.lines():
        out(line)
    return 0 if report.ok else 1


def ingest(config: SiteConfig, *, source: str | None = None, dry_run: bool = False, limit: int | None = None,
           now: dt.datetime | None = None, timeout: float = fetch.DEFAULT_TIMEOUT,
           max_bytes: int = fetch.DEFAULT_MAX_BYTES) -> IngestReport:
    """Read every enabled source (or the one named), write its new relevant stories as drafts, remember them."""
    now = (now or dt.datetime.now(config.tz)).astimezone(config.tz)
    feeds = select_sources(load_feeds(config), source)
    states = load_state(config)
    classifier = classify.make_classifier(config)
    results = []
    # a story carried by two sources (a publisher's section feeds overlap) becomes one draft
    seen_anywhere = set().union(*(state.seen for state in states.values()))
    for feed in feeds:
        previous = states.get(feed.name, SourceState())
        result, state = ingest_source(config, feed, previous, classifier, dry_run=dry_run, limit=limit,
                                      now=now, timeout=timeout, max_bytes=max_bytes, elsewhere=seen_anywhere)
        results.append(result)
        if not dry_run and state != previous:
            # saved after every source, so an interrupted run never forgets drafts it already wrote
            states = {**states, feed.name: state}
            save_state(config, states)
            seen_anywhere |= state.seen
    return IngestReport(tuple(results), dry_run)


def ingest_source(config: SiteConfig, feed: FeedSource, previous: SourceState, classifier: classify.Classifier, *,
                  dry_run: bool, limit: int | None, now: dt.datetime, timeout: float,
                  max_bytes: int, elsewhere: AbstractSet[str] = frozenset()) -> tuple[SourceResult, SourceState]:
    """Fetch, parse, filter and write one source; its failure is reported in the result, never raised.

    Items whose key is in `elsewhere` (seen through another source) count as seen."""
    try:
        answer = read_feed(config, feed, previous, timeout=timeout, max_bytes=max_bytes)
    except fetch.FetchError as exc:
        return SourceResult(feed.name, error=str(exc)), previous
    if answer.not_modified:
        return SourceResult(feed.name, not_modified=True), previous
    parsed = parse_feed(answer.data, url=answer.url, headers=answer.headers)
    if parsed.error:
        return SourceResult(feed.name, error=parsed.error), previous
    warnings = [parsed.warning] if parsed.warning else []
    if answer.moved_to:
        warnings.append(f"the feed has moved permanently to {answer.moved_to}; update its url in {FEEDS_FILE}")
    seen = set(previous.seen)
    counts = {"new": 0, "seen": 0, "skipped": 0, "failed": 0, "held": 0}
    written: list[Path] = []
    inbox = config.content_dir / "inbox"
    for item in parsed.items:
        if item.key in seen or item.key in elsewhere:
            counts["seen"] += 1
            continue
        topics = classify.classify(classifier, item_text(item), feed.topics)
        if not topics:
            # not remembered: a keyword added to site.yaml later can still pick the story up
            counts["skipped"] += 1
            continue
        if limit is not None and counts["new"] >= limit:
            counts["held"] += 1
            continue
        draft = make_draft(item, publisher=feed.publisher, topics=topics, tz=config.tz, now=now)
        try:
            if dry_run:
                check_draft(draft_text(draft, draft.stem))
            else:
                written.append(write_draft(inbox, draft))
        except (OSError, DraftError) as exc:
            counts["failed"] += 1
            warnings.append(f"could not write a draft for {draft.meta['title']!r}: {exc}")
            continue
        seen.add(item.key)
        counts["new"] += 1
    complete = not counts["failed"] and not counts["held"]
    # Validators are kept only when every item was handled; otherwise a 304 next time would hide
    # the stories held back by --limit or that failed to write.
    state = SourceState(
        etag=answer.etag if complete else previous.etag,
        last_modified=answer.last_modified if complete else previous.last_modified,
        seen=frozenset(seen),
    )
    result = SourceResult(feed.name, **counts, warnings=tuple(warnings), drafts=tuple(written))
    return result, state


def read_feed(config: SiteConfig, feed: FeedSource, previous: SourceState, *, timeout: float,
              max_bytes: int) -> fetch.Response:
    """A source's bytes: over HTTP with the saved validators, or from its local file."""
    if feed.path is None:
        return fetch.fetch(feed.url, etag=previous.etag, last_modified=previous.last_modified,
                           timeout=timeout, max_bytes=max_bytes)
    shown = relative(feed.path, config.root)
    try:
        with feed.path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise fetch.FetchError(f"cannot read {shown}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise fetch.FetchError(f"{shown} is larger than the {max_bytes} byte limit")
    return fetch.Response(url="", status=200, data=data)


# ---------------------------------------------------------------------------------------------
# content/feeds.yaml

def load_feeds(config: SiteConfig) -> tuple[FeedSource, ...]:
    """Read and validate content/feeds.yaml; raise ConfigError naming every problem, as for site.yaml."""
    path = config.root / FEEDS_FILE
    if not path.is_file():
        raise ConfigError([Diagnostic(Location(FEEDS_FILE), "no feed list to ingest",
                                     f"create {FEEDS_FILE} listing the feeds to read; see 'Ingesting feeds' in README.md")])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([Diagnostic(Location(FEEDS_FILE), f"not UTF-8 text (invalid byte at offset {exc.start})",
                                     "save the file as UTF-8")]) from None
    try:
        data = yamlload.parse(text)
    except yamlload.YamlProblem as exc:
        raise ConfigError([Diagnostic(Location(FEEDS_FILE, exc.line), exc.describe(), "fix the YAML syntax")]) from None
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError([Diagnostic(Location(FEEDS_FILE, 1), "the feed list must be a list of sources",
                                     "start each source with '- name: my-feed' and give it a url or path")])
    problems: list[Diagnostic] = []

    def report(keypath: tuple[Any, ...], message: str, hint: str = "") -> None:
        problems.append(Diagnostic(Location(FEEDS_FILE, yamlload.line_of(text, keypath)), message, hint))

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
    if not ok:
        return None
    return FeedSource(name, publisher.strip(), url, file, tuple(topics), enabled)


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


# ---------------------------------------------------------------------------------------------
# content/ingest-state.json

def load_state(config: SiteConfig) -> dict[str, SourceState]:
    """What earlier runs saw, per source; a missing file is a first run, a corrupt one an error."""
    path = config.root / STATE_FILE
    if not path.exists():
        return {}

    def fail(message: str, line: int = 1, column: int = 0) -> BuildError:
        return BuildError([Diagnostic(Location(STATE_FILE, line, column), message, _STATE_HINT)])

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise fail("the ingest state is not UTF-8 text") from None
    except OSError as exc:
        raise fail(f"cannot read the ingest state: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"the ingest state is not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict) or set(data) - {"format", "sources"}:
        raise fail("the ingest state must be a JSON object with 'format' and 'sources'")
    if data.get("format", STATE_FORMAT) != STATE_FORMAT:
        raise fail(f"unknown ingest state format {data.get('format')!r}", _line_of(text, '"format"'))
    entries = data.get("sources", {})
    if not isinstance(entries, dict):
        raise fail("'sources' in the ingest state must be an object", _line_of(text, '"sources"'))
    states: dict[str, SourceState] = {}
    for name, entry in entries.items():
        line = _line_of(text, json.dumps(name))
        if not isinstance(entry, dict) or set(entry) - {"etag", "last_modified", "seen"}:
            raise fail(f"the state of source '{name}' must be an object with etag, last_modified and seen", line)
        seen = entry.get("seen", [])
        etag, modified = entry.get("etag", ""), entry.get("last_modified", "")
        if not isinstance(seen, list) or not all(isinstance(key, str) for key in seen) \
                or not isinstance(etag, str) or not isinstance(modified, str):
            raise fail(f"the state of source '{name}' has a value of the wrong type", line)
        states[name] = SourceState(etag, modified, frozenset(seen))
    return states


def save_state(config: SiteConfig, states: Mapping[str, SourceState]) -> None:
    """Write the state atomically, in a stable order that diffs well in version control."""
    path = config.root / STATE_FILE
    data = {"format": STATE_FORMAT, "sources": {}}
    for name, state in states.items():
        entry: dict[str, Any] = {"seen": sorted(state.seen)}
        if state.etag:
            entry["etag"] = state.etag
        if state.last_modified:
            entry["last_modified"] = state.last_modified
        data["sources"][name] = entry
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise BuildError([Diagnostic(Location(STATE_FILE), f"cannot write the ingest state: {exc.strerror}",
                                     "check that the content folder is writable")]) from None


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


# ---------------------------------------------------------------------------------------------
# Parsing: bytes in, untrusted items out

def parse_feed(data: bytes, *, url: str = "", headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """The items of a feed's bytes; `url` is its final address, the base for relative links ("" for a file)."""
    response_headers = fetch.lower_headers(headers or {})
    if url:
        # feedparser resolves relative links against content-location; it must be where we got the bytes
        response_headers["content-location"] = url
    try:
        # bytes, never a URL or path: feedparser must not fetch or open anything itself
        parsed = feedparser.parse(bytes(data), response_headers=response_headers)
    except Exception as exc:  # noqa: BLE001 - a parser crash on hostile input is one broken source
        return ParsedFeed(error=f"the feed could not be parsed ({type(exc).__name__}: {exc})")
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.NonXMLContentType) and entries:
        problem = None  # servers often label good feeds text/html or send no type; not worth a warning
    if not entries:
        page = "html" in response_headers.get("content-type", "") or data.lstrip()[:15].lower().startswith(
            (b"<!doctype html", b"<html"))
        if page and not parsed.get("version"):
            return ParsedFeed(error="not a feed: the address returned a web page")
        if problem is not None:
            return ParsedFeed(error=f"{_describe_problem(problem)}, and no entries could be read")
        if not parsed.get("version"):
            return ParsedFeed(error="not a feed (empty or unrecognised)")
        return ParsedFeed()
    channel_link = str(parsed.get("feed", {}).get("link") or "")
    base = url or (channel_link if fetch.is_web_address(channel_link) else "")
    items = tuple(_item(entry, base) for entry in entries)
    warning = ""
    if problem is not None:
        count = f"{len(items)} entr{'y' if len(items) == 1 else 'ies'}"
        warning = f"{_describe_problem(problem)}; used the {count} it yields"
    return ParsedFeed(items, warning)


def _item(entry: Mapping[str, Any], base: str) -> FeedItem:
    """One feedparser entry as a FeedItem, its links made absolute against `base` where possible."""
    raw_link = str(entry.get("link") or "").strip()
    link = _join(base, raw_link)
    link = strip_tracking(link) if fetch.is_web_address(link) else ""
    summary = str(entry.get("summary") or "")
    content = " ".join(str(part.get("value") or "") for part in entry.get("content") or [])
    summary_base = str((entry.get("summary_detail") or {}).get("base") or "")
    # dict.get, not entry.get: feedparser's own lookup maps a missing published to updated with a
    # DeprecationWarning; the fallback order here is explicit instead
    moment = next((dict.get(entry, key) for key in ("published_parsed", "updated_parsed", "created_parsed")
                   if dict.get(entry, key)), None)
    published = None
    if moment is not None:
        try:  # feedparser gives UTC struct_time, whatever zone the feed wrote
            published = dt.datetime(*moment[:6], tzinfo=dt.timezone.utc)
        except (TypeError, ValueError):
            published = None
    title = str(entry.get("title") or "")
    key = item_key(str(entry.get("id") or ""), link or raw_link, plain_text(title), published,
                   summary or content)
    page_base = _join(base, summary_base)
    return FeedItem(key, title, link, published, summary, content,
                    page_base if fetch.is_web_address(page_base) else base)


def item_key(guid: str, link: str, title: str, published: dt.datetime | None, text: str = "") -> str:
    """An item's identity: its guid, else its normalised link, else its title and date."""
    if guid.strip():
        return "id:" + guid.strip()
    if link.strip():
        return "link:" + normalise_link(link)
    if title.strip() or published is not None:
        return f"title:{classify.fold(title)}|{published.isoformat() if published else ''}"
    return "text:" + hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _join(base: str, link: str) -> str:
    """`link` resolved against `base`; "" when a hostile value cannot even be parsed."""
    try:
        return urljoin(base, link) if base and link else link
    except ValueError:
        return ""


def strip_tracking(url: str) -> str:
    """`url` without utm_* query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "utm_" not in parts.query.lower():
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def normalise_link(url: str) -> str:
    """A link as compared for "seen": scheme and host lowercased, fragment and utm_* parameters removed."""
    try:
        parts = urlsplit(strip_tracking(url.strip()))
    except ValueError:
        return url.strip()
    path = parts.path or ("/" if parts.netloc else "")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def item_text(item: FeedItem) -> str:
    """Title, summary and content as one plain text, for classification."""
    return " ".join((plain_text(item.title), plain_text(item.summary), plain_text(item.content)))


def _describe_problem(problem: BaseException) -> str:
    """What feedparser's bozo exception means, for the report."""
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        return f"the feed declares the wrong encoding ({problem})"
    line = getattr(problem, "getLineNumber", None)
    message = getattr(problem, "getMessage", None)
    if callable(line) and callable(message):
        return f"malformed feed ({message()} at line {line()})"
    return f"malformed feed ({problem or type(problem).__name__})"


# ---------------------------------------------------------------------------------------------
# Drafts: the one place untrusted text is made safe

@functools.lru_cache(maxsize=256)  # an item's title and summary are reduced in several places
def plain_text(markup: str) -> str:
    """Text without markup: tags dropped (script and style with their content), entities decoded, one line."""
    text = _BLOCK_START.sub(" <", markup)
    # "&lt;script&gt;" decodes to a tag, so strip again until nothing changes
    for _ in range(8):
        stripped = html.unescape(nh3.clean(text, tags=set(), clean_content_tags=set(DROPPED_TAGS)))
        if stripped == text:
            break
        text = stripped
    else:
        text = text.replace("<", "").replace(">", "")
    return _printable(" ".join(text.split()))


def sanitise(markup: str, base: str = "") -> str:
    """HTML reduced to the allow-list: p, a[href], em, strong, lists, blockquote, br; http(s)/mailto links only."""
    relative_links: Any = ("rewrite_with_base", base) if fetch.is_web_address(base) else "deny"

    def clean(text: str) -> str:
        return nh3.clean(
            text,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(DROPPED_TAGS),
            attributes={"a": {"href"}},
            url_schemes=set(URL_SCHEMES),
            url_relative=relative_links,
            link_rel="nofollow noopener noreferrer",
            strip_comments=True,
            attribute_filter=_drop_empty_link,
        )

    result = clean(markup)
    # Escaped markup ("&lt;script&gt;") is harmless text here, but a later step that decodes it
    # once would make it live; sanitise the decoded form too, until decoding changes nothing.
    for _ in range(8):
        again = clean(html.unescape(result))
        if again == result:
            break
        result = again
    else:
        result = html.escape(plain_text(markup))
    return _printable(" ".join(result.split()))


def _drop_empty_link(tag: str, attribute: str, value: str) -> str | None:
    """Drop an empty href, which the base rewrite would otherwise turn into a link to the feed's page."""
    return None if attribute == "href" and not value.strip() else value


def trim_words(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit)
    cut = text[:space] if space > 0 else text[:limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def make_draft(item: FeedItem, *, publisher: str, topics: tuple[str, ...], tz: ZoneInfo,
               now: dt.datetime) -> Draft:
    """The draft for one item: plain-text front matter and a body quoting only the sanitised summary."""
    title = trim_words(plain_text(item.title), 200) or f"Untitled story from {publisher}"
    summary_text = plain_text(item.summary)
    content_text = plain_text(item.content)
    summary = trim_words(summary_text or content_text, SUMMARY_LIMIT) or title
    date = (item.published or now).astimezone(tz).replace(microsecond=0)
    link = item.link if fetch.is_web_address(item.link) else ""
    source: dict[str, Any] = {"publisher": publisher, "title": title}
    if link:
        source["url"] = link
    if item.published is not None:
        source["date"] = date.date()
    meta = {"draft": True, "title": title, "date": date, "kind": "news", "topics": list(topics),
            "summary": summary, "sources": [source]}
    lines = [f"*Ingested from {_markdown_text(publisher)} by `milei-watch ingest`. This is a draft: rewrite it "
             "in our own words, check every claim against the original and cite it before publishing.*", ""]
    quote = _quote(item, summary_text, content_text)
    if quote:
        lines += [quote, ""]
    if link:
        lines.append(f"Original: [{_markdown_text(title)}]({_markdown_url(link)})")
    else:
        lines.append("The feed gave no web address for this story; find the original before publishing.")
    stem = f"{date:%Y-%m-%d}-{routes.slugify(title, max_length=60) or 'story'}"
    return Draft(stem, meta, "\n".join(lines) + "\n")


def _quote(item: FeedItem, summary_text: str, content_text: str) -> str:
    """The feed's own summary, sanitised, as one raw-HTML blockquote line; at most a teaser's length."""
    if summary_text and len(summary_text) <= QUOTE_LIMIT:
        clean = sanitise(item.summary, item.base)
        if plain_text(clean):
            return f"<blockquote>{clean}</blockquote>"
    teaser = trim_words(summary_text or content_text, SUMMARY_LIMIT)
    return f"<blockquote><p>{html.escape(teaser)}</p></blockquote>" if teaser else ""


def draft_text(draft: Draft, slug: str) -> str:
    """The file text of a draft whose slug is `slug` (its file stem, unique in the inbox)."""
    meta = dict(draft.meta)
    # An explicit slug: two feeds often carry one headline, and title-derived slugs would clash.
    ordered = {"draft": meta.pop("draft"), "title": meta.pop("title"), "slug": slug, **meta}
    return f"{yamlload.dump_front_matter(ordered, flow_lists=False)}\n{draft.body}"


def check_draft(text: str, rel: str = "content/inbox/draft.md") -> None:
    """Raise DraftError unless `text` splits and parses as front matter plus body."""
    parsed = sources.parse_source(text.encode("utf-8"), rel, "inbox")
    if isinstance(parsed, Diagnostic):
        raise DraftError(parsed.format())


def write_draft(inbox: Path, draft: Draft) -> Path:
    """Write a draft under a new name (stem, stem-2, stem-3, …), never replacing a file; return its path."""
    inbox.mkdir(parents=True, exist_ok=True)
    number = 1
    while True:
        stem = draft.stem if number == 1 else f"{draft.stem}-{number}"
        path = inbox / f"{stem}.md"
        number += 1
        if path.exists():
            continue
        text = draft_text(draft, stem)
        check_draft(text, f"content/inbox/{path.name}")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # created since the exists() check: another name, never an overwrite
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return path


def _printable(text: str) -> str:
    """Text without control characters, lone surrogates or bidi overrides that could disguise a title."""
    return "".join(ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) not in ("Cc", "Cs")
                                                           and ch not in _BIDI_CONTROLS))


def _markdown_text(text: str) -> str:
    """Plain text safe inside Markdown link text: HTML escaped, emphasis and brackets backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _markdown_url(url: str) -> str:
    """A URL safe inside Markdown's (…): characters that end or confuse it percent-encoded."""
    return "".join(f"%{ord(ch):02X}" if ch in ' ()<>"\\\'`' or ch.isspace() else ch for ch in url)


def _counts(new: int, seen: int, skipped: int, failed: int, held: int) -> str:
    text = f"{new} new, {seen} seen, {skipped} skipped (not relevant), {failed} failed"
    return text + (f", {held} held back by --limit" if held else "")
