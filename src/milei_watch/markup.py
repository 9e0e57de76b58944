"""Markdown to HTML: one configured Python-Markdown instance, heading ids and cheap typographic quotes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .routes import slugify

# Bump when the rendering below changes, so cached HTML from older settings is not reused.
MARKUP_VERSION = "1"

_EXTENSIONS = ["footnotes", "tables", "attr_list", "fenced_code", "sane_lists"]


class _HeadingIds(Treeprocessor):
    """Give every heading a unique id (attr_list's {#id} wins); cheaper than the toc extension."""

    def run(self, root: etree.Element) -> None:
        used: set[str] = set()
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                existing = element.get("id")
                if existing:
                    used.add(existing)
                    continue
                text = "".join(element.itertext())
                base = slugify(text) or "section"
                candidate, number = base, 1
                while candidate in used:
                    number += 1
                    candidate = f"{base}-{number}"
                used.add(candidate)
                element.set("id", candidate)


class _HeadingIdExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown API
        # after attr_list (priority 8) so explicit ids are kept
        md.treeprocessors.register(_HeadingIds(md), "milei_heading_ids", 4)


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_SKIP_TAGS = re.compile(r"<(/?)(code|pre|kbd|script|style)\b", re.IGNORECASE)
_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{\u2014\u2013-])"')
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{\u2014\u2013-])'")


def smarten(text: str) -> str:
    """Typographic quotes, dashes and ellipses in one text run (what smarty does, at a tenth of its cost)."""
    if not any(c in text for c in "\"'-."):
        return text
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = _OPEN_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    text = _OPEN_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
    return text


def smarten_html(html: str) -> str:
    """Apply `smarten` to text outside tags, leaving code, pre and attribute values alone."""
    parts = _TAG_OR_TEXT.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:
            match = _SKIP_TAGS.match(part)
            if match:
                depth += -1 if match.group(1) else 1
            continue
        if part and depth <= 0:
            parts[index] = smarten(part)
    return "".join(parts)


class Renderer:
    """One configured Markdown instance, reset between documents."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=[*_EXTENSIONS, _HeadingIdExtension()],
            extension_configs={"footnotes": {"BACKLINK_TITLE": "Back to reference %d"}},
            output_format="html",
        )

    def render(self, text: str) -> str:
        """Markdown source to an HTML fragment."""
        self._md.reset()
        return smarten_html(self._md.convert(text))


def markup_key() -> str:
    """Part of every cached HTML key: the renderer's settings and the library version."""
    return f"{MARKUP_VERSION}:{markdown.__version__}:{','.join(_EXTENSIONS)}"
