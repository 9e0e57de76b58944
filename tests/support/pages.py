"""Read built HTML pages the way crawlers do: head metadata, JSON-LD, headings, landmarks and links."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from milei_watch import routes

URL_ATTRIBUTES = {"href", "src", "action", "data-pagefind", "data-base-url"}


@dataclass
class Page:
    """What a page declares: every start tag with its attributes, JSON-LD blocks and heading texts."""

    path: Path
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    json_ld: list[str] = field(default_factory=list)
    scripts: list[dict[str, str]] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    title: str = ""

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Attributes of every `tag` whose attributes include `attrs` (use rel_ for rel)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]

    def meta(self, key: str) -> list[str]:
        """Content of every <meta name=key> or <meta property=key>."""
        return [a.get("content", "") for t, a in self.tags
                if t == "meta" and key in (a.get("name"), a.get("property"))]

    def one_meta(self, key: str) -> str:
        values = self.meta(key)
        assert len(values) == 1, f"{self.path}: expected one {key}, found {values}"
        return values[0]

    def data(self) -> list[dict]:
        """Every JSON-LD block, parsed."""
        return [json.loads(text) for text in self.json_ld]

    def urls(self) -> list[tuple[str, str, str]]:
        """(tag, attribute, value) of every URL-bearing attribute."""
        return [(t, k, v) for t, a in self.tags for k, v in a.items() if k in URL_ATTRIBUTES and v is not None]


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.capture: str | None = None
        self.buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v if v is not None else "") for k, v in attrs}
        self.page.tags.append((tag, values))
        if tag == "script":
            self.page.scripts.append(values)
            if values.get("type") == "application/ld+json":
                self.capture, self.buffer = "ld", []
        elif tag in ("h1", "title"):
            self.capture, self.buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        if self.capture == "ld" and tag == "script":
            self.page.json_ld.append("".join(self.buffer))
        elif self.capture == "h1" and tag == "h1":
            self.page.h1.append(" ".join("".join(self.buffer).split()))
        elif self.capture == "title" and tag == "title":
            self.page.title = "".join(self.buffer).strip()
        else:
            return
        self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.buffer.append(data)


def read_page(path: Path) -> Page:
    """Parse one built HTML file."""
    page = Page(path)
    reader = _Reader(page)
    reader.feed(path.read_text("utf-8"))
    reader.close()
    return page


def target_file(site: Path, base_path: str, url: str) -> Path | None:
    """The file under `site` that a root-relative URL inside the site's base path serves, or None when the
    URL does not start with the base path."""
    rest = routes.inside(urlsplit(url).path, base_path)
    return None if rest is None else site / routes.output_path(rest)
