"""Feed payloads built in code: JSON Feed 1.1 (RSS and Atom are templates, autoescaped as XML), and
how plain text and article bodies are written into feeds."""

from __future__ import annotations

import html
import json
import re
from typing import Any, Callable
from urllib.parse import urljoin

from markupsafe import Markup

from . import dates
from .config import SiteConfig


def json_feed(config: SiteConfig, context: dict[str, Any], bodies: dict[str, str],
              author_name: Callable[[str], str], tag_name: Callable[[str, str], str] | None = None) -> bytes:
    """A JSON Feed 1.1 document with full content and stable ids; tags by their display names."""
    items = []
    for article in context["items"]:
        link = config.base_url + article.url
        item: dict[str, Any] = {
            "id": link,
            "url": link,
            "title": article.title,
            "summary": article.summary,
            "content_html": absolute_links(bodies[article.body_digest], link),
            "date_published": dates.iso(article.date),
            "date_modified": dates.iso(article.modified),
            "authors": [{"name": author_name(article.author)}],
            "tags": [config.topic(t).name for t in article.topics]
            + [tag_name(slug, name) if tag_name else name for slug, name in zip(article.tags, article.tag_names)],
            "language": config.language,
        }
        if not article.summary:
            del item["summary"]  # optional in JSON Feed; an empty one says nothing
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": context["title"],
        "home_page_url": config.base_url + context["home_url"],
        "feed_url": config.base_url + context["self_url"],
        "description": context["description"],
        "language": config.language,
        "authors": [{"name": config.title, "url": config.base_url}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def text_as_html(text: str) -> str:
    """Plain text as HTML, for an element feed readers take as HTML (an RSS description). The template
    escapes it again for XML, so a reader that decodes the XML once finds text, never a tag."""
    return html.escape(str(text), quote=False)


def rss_text(text: str) -> Markup:
    """Plain text for an RSS element some readers take as text and some as HTML (titles, categories,
    bylines): '&', '<' and '>' as hexadecimal references, as the RSS Best Practices Profile advises."""
    return Markup(str(text).replace("&", "&#x26;").replace("<", "&#x3C;").replace(">", "&#x3E;"))


_START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolute_links(body: str, page_url: str) -> str:
    """An article body with every link and image address (a picture's srcset too) resolved against the
    article's address.

    A feed reader shows the body away from the article, and resolves a relative `#fn:1` or
    `../other/` against the feed's address instead; absolute addresses work everywhere."""
    def resolve(match: re.Match) -> str:
        value = html.unescape(match[2])
        return match[1] + html.escape(urljoin(page_url, value), quote=True) + match[3] if value else match[0]

    def resolve_set(match: re.Match) -> str:  # a picture's sizes: "address 480w, address 800w"
        sizes = [item.split(None, 1) for item in html.unescape(match[2]).split(",") if item.strip()]
        listed = ", ".join(" ".join([urljoin(page_url, parts[0])] + parts[1:]) for parts in sizes)
        return match[1] + html.escape(listed, quote=True) + match[3]

    return _START_TAG.sub(lambda tag: _SRCSET.sub(resolve_set, _LINK_ATTRIBUTE.sub(resolve, tag[0])), body)
