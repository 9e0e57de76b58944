"""Drafts: an ingested story as a Markdown file in content/inbox/ with front matter, never overwriting one."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import routes, sources, yamlload
from ..errors import Diagnostic
from . import fetch
from .parser import SUMMARY_LIMIT, FeedItem, plain_text, sanitise, trim_words

# A feed "summary" longer than this is usually the whole article; the draft then quotes our
# own short summary instead, so a draft never carries more of someone else's text than a teaser.
QUOTE_LIMIT = 1200
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


@dataclass(frozen=True, slots=True)
class Draft:
    """An ingested story ready to write: preferred file stem, front matter (without slug) and Markdown body."""

    stem: str
    meta: dict[str, Any]
    body: str


class DraftError(Exception):
    """A draft that would not read back as valid front matter; a bug guard, never expected."""



def make_draft(item: FeedItem, *, publisher: str, topics: tuple[str, ...], tz: ZoneInfo,
               now: dt.datetime, lang: str = "") -> Draft:
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
    if lang:  # a source in another of the site's languages: its drafts belong to that edition
        meta["lang"] = lang
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



def _markdown_text(text: str) -> str:
    """Plain text safe inside Markdown link text: HTML escaped, emphasis and brackets backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _markdown_url(url: str) -> str:
    """A URL safe inside Markdown's (…): characters that end or confuse it percent-encoded."""
    return "".join(f"%{ord(ch):02X}" if ch in ' ()<>"\\\'`' or ch.isspace() else ch for ch in url)


