"""Feed ingestion: read the sources in content/feeds.yaml, keep stories about the subject, write them as drafts.

`ingest()` sequences one run and returns an `IngestReport`; `cli` prints it and picks the exit status.
The parts: `feedlist` (content/feeds.yaml), `seen` (content/ingest-state.json), `fetch` (HTTP),
`parser` (feed bytes to items, text made safe), `classify` (relevance and topics) and `drafts`."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet

from ..config import FEEDS_FILE, SiteConfig
from ..errors import relative
from . import classify, fetch
from .drafts import DraftError, check_draft, draft_text, make_draft, write_draft
from .feedlist import FeedSource, load_feeds, select_sources
from .parser import FeedItem, item_text, parse_feed
from .seen import SourceState, load_state, save_state

# ---------------------------------------------------------------------------------------------
# Values

@dataclass(frozen=True, slots=True)
class SourceResult:
    """The outcome of ingesting one source."""

    name: str
    new: int = 0
    seen: int = 0
    skipped: int = 0
    failed: int = 0
    held: int = 0                   # relevant and new, but over the source's cap: left for the next run
    error: str = ""
    not_modified: bool = False
    warnings: tuple[str, ...] = ()
    drafts: tuple[Path, ...] = ()
    titles: tuple[str, ...] = ()    # of the drafts written, or in a dry run of those it would write

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

    def lines(self, root: Path | None = None) -> list[str]:
        """One line per source, each followed by the drafts it wrote (path, shown under `root`, and
        title; in a dry run the titles it would write), then a total line."""
        if not self.sources:
            return ["no enabled sources in content/feeds.yaml"]
        lines = []
        for result in self.sources:
            lines.append(result.line())
            if self.dry_run:
                lines += [f"  would write: {title}" for title in result.titles]
            else:
                lines += [f"  {relative(path, root) if root else path}: {title}"
                          for path, title in zip(result.drafts, result.titles)]
        total = "total: " + _counts(*(sum(getattr(r, name) for r in self.sources)
                                      for name in ("new", "seen", "skipped", "failures", "held")))
        broken = sum(1 for result in self.sources if result.error)
        if broken:
            total += "; the source failed" if len(self.sources) == 1 else \
                f"; {broken} of {len(self.sources)} sources failed"
        if self.dry_run:
            total += "; dry run, nothing written"
        return lines + [total]


@dataclass(frozen=True, slots=True)
class Selection:
    """What a run does with a feed's items: the new relevant ones to draft (with their topics), and the counts
    of those seen before, not relevant, or held for the next run by the source's cap."""

    new: tuple[tuple[FeedItem, tuple[str, ...]], ...] = ()
    seen: int = 0
    skipped: int = 0
    held: int = 0


# ---------------------------------------------------------------------------------------------
# The run

def ingest(config: SiteConfig, *, source: str | None = None, dry_run: bool = False, limit: int | None = None,
           now: dt.datetime | None = None, timeout: float = fetch.DEFAULT_TIMEOUT,
           max_bytes: int = fetch.DEFAULT_MAX_BYTES) -> IngestReport:
    """Read every enabled source (or the one named), write its new relevant stories as drafts, remember them.

    `limit` replaces every source's `max_new` for this run. A dry run takes every decision a real run
    takes, in the same order, and only leaves out writing the drafts and the state."""
    now = (now or dt.datetime.now(config.tz)).astimezone(config.tz)
    feeds = select_sources(load_feeds(config), source)
    states = load_state(config)
    classifier = classify.make_classifier(config)
    results = []
    # a story carried by two sources (a publisher's section feeds overlap) becomes one draft
    seen_anywhere = set().union(*(state.seen for state in states.values()))
    for feed in feeds:
        previous = states.get(feed.name, SourceState())
        result, state = ingest_source(config, feed, previous, classifier, known=seen_anywhere, dry_run=dry_run,
                                      limit=limit, now=now, timeout=timeout, max_bytes=max_bytes)
        results.append(result)
        seen_anywhere |= state.seen
        if not dry_run and state != previous:
            # saved after every source, so an interrupted run never forgets drafts it already wrote
            states = {**states, feed.name: state}
            save_state(config, states)
    return IngestReport(tuple(results), dry_run)


def ingest_source(config: SiteConfig, feed: FeedSource, previous: SourceState, classifier: classify.Classifier, *,
                  known: AbstractSet[str], dry_run: bool, limit: int | None, now: dt.datetime, timeout: float,
                  max_bytes: int) -> tuple[SourceResult, SourceState]:
    """Fetch, parse, select and write one source; its failure is reported in the result, never raised.

    Items whose key is in `known` (every source's seen keys, this one's included) count as seen. The state
    returned is the one a real run saves, also in a dry run, which writes neither drafts nor state."""
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
    selection = select_items(parsed.items, known, classifier, feed.topics, feed.max_new if limit is None else limit)
    seen = set(previous.seen)
    written: list[Path] = []
    titles: list[str] = []
    failed = 0
    inbox = config.content_dir / "inbox"
    for item, topics in selection.new:
        draft = make_draft(item, publisher=feed.publisher, topics=topics, tz=config.tz, now=now,
                           lang="" if feed.language == config.default_language else feed.language)
        try:
            if dry_run:
                check_draft(draft_text(draft, draft.stem))
            else:
                written.append(write_draft(inbox, draft))
        except (OSError, DraftError) as exc:
            failed += 1
            warnings.append(f"could not write a draft for {draft.meta['title']!r}: {exc}")
            continue
        titles.append(draft.meta["title"])
        seen.add(item.key)
    complete = not failed and not selection.held
    # Validators are kept only when every item was handled; otherwise a 304 next time would hide
    # the stories held back by the cap or that failed to write.
    state = SourceState(
        etag=answer.etag if complete else previous.etag,
        last_modified=answer.last_modified if complete else previous.last_modified,
        seen=frozenset(seen),
    )
    result = SourceResult(feed.name, new=len(selection.new) - failed, seen=selection.seen,
                          skipped=selection.skipped, failed=failed, held=selection.held,
                          warnings=tuple(warnings), drafts=tuple(written), titles=tuple(titles))
    return result, state


def select_items(items: tuple[FeedItem, ...], known: AbstractSet[str], classifier: classify.Classifier,
                 default_topics: tuple[str, ...], cap: int) -> Selection:
    """Sort a feed's items, in feed order: seen before (or earlier in this feed), not relevant, new, or over `cap`."""
    taken: set[str] = set()
    new: list[tuple[FeedItem, tuple[str, ...]]] = []
    seen = skipped = held = 0
    for item in items:
        if item.key in known or item.key in taken:
            seen += 1
            continue
        topics = classify.classify(classifier, item_text(item), default_topics)
        if not topics:
            # not remembered: a keyword added to site.yaml later can still pick the story up
            skipped += 1
            continue
        if len(new) >= cap:
            held += 1  # not remembered either: the next run drafts it
            continue
        taken.add(item.key)
        new.append((item, topics))
    return Selection(tuple(new), seen, skipped, held)


def read_feed(config: SiteConfig, feed: FeedSource, previous: SourceState, *, timeout: float,
              max_bytes: int) -> fetch.Response:
    """A source's bytes: over HTTP with the saved validators, or from its local file."""
    if feed.path is None:
        return fetch.fetch(feed.url, etag=previous.etag, last_modified=previous.last_modified,
                           timeout=timeout, max_bytes=max_bytes)
    shown = relative(feed.path, config.root)
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait, past every deadline, for a writer
        descriptor = os.open(feed.path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise fetch.FetchError(f"{shown} is not a regular file")
            with os.fdopen(os.dup(descriptor), "rb") as handle:
                data = handle.read(max_bytes + 1)
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise fetch.FetchError(f"cannot read {shown}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise fetch.FetchError(f"{shown} is larger than the {max_bytes} byte limit")
    return fetch.Response(url="", status=200, data=data)


def _counts(new: int, seen: int, skipped: int, failed: int, held: int) -> str:
    text = f"{new} new, {seen} seen, {skipped} skipped (not relevant), {failed} failed"
    return text + (f", {held} held for the next run" if held else "")
