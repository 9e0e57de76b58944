"""Feed bytes to untrusted items, and the one place their text is made safe: plain text and allow-listed HTML."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import nh3

from . import classify, fetch

SUMMARY_LIMIT = 280
ALLOWED_TAGS = frozenset({"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "br"})
# Dropped with everything inside them, not just unwrapped: their text is code or markup, not prose.
DROPPED_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "applet", "svg", "math", "template",
                          "noscript", "noembed", "noframes", "textarea", "select", "title", "frameset"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_BLOCK_START = re.compile(r"(?i)<(?=/?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|tr|td|th|dt|dd|section|article)\b)")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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



def _printable(text: str) -> str:
    """Text without control characters, lone surrogates or bidi overrides that could disguise a title."""
    return "".join(ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) not in ("Cc", "Cs")
                                                           and ch not in _BIDI_CONTROLS))

