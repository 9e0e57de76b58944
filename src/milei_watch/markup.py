"""Markdown to HTML: one configured Python-Markdown instance, heading ids and cheap typographic quotes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from .routes import slugify

_EXTENSIONS = ["footnotes", "tables", "attr_list", "fenced_code", "sane_lists"]


class _HeadingIds(Treeprocessor):
    """Give every heading a unique id (attr_list's {#id} wins); cheaper than the toc extension."""

    def run(self, root: etree.Element) -> None:
        headings = [e for e in root.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
        # Explicit ids are taken first, so a later {#why} keeps its id and an earlier "Why" moves aside.
        used: set[str] = {e.get("id") for e in headings if e.get("id")}
        for element in headings:
            if not element.get("id"):
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
_OPENS_QUOTE = re.compile(r"^$|[\s(\[{\u2014\u2013-]$")
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
# Tags that sit inside a line of text: a quote right after one continues the text before it.
_INLINE = frozenset("a abbr b bdi cite code del dfn em i ins kbd mark q s samp small span strong sub sup time u"
                    " var".split())


def smarten(text: str, before: str = "") -> str:
    """Typographic quotes, dashes and ellipses in one text run (what smarty does, at a tenth of its cost).

    `before` is the character just before the run in the same paragraph (e.g. the last letter
    of an <em>), which decides whether a quote at the very start opens or closes."""
    if '"' not in text and "'" not in text and "--" not in text and "..." not in text:
        return text
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = (" " if _OPENS_QUOTE.search(before) else "x") + text
    text = _OPEN_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    text = _OPEN_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
    return text[1:]


def smarten_html(html: str) -> str:
    """Apply `smarten` to text outside tags, leaving code, pre and attribute values alone."""
    parts = _TAG_OR_TEXT.split(html)
    depth = 0
    before = ""
    for index, part in enumerate(parts):
        if index % 2:
            match = _SKIP_TAGS.match(part)
            if match:
                depth += -1 if match.group(1) else 1
            name = _TAG_NAME.match(part)
            if name is None or name.group(1).lower() not in _INLINE:
                before = ""  # a new block: a quote at its start opens
            continue
        if not part:
            continue
        if depth <= 0:
            parts[index] = smarten(part, before)
        before = parts[index][-1]
    return "".join(parts)


class Renderer:
    """One configured Markdown instance, reset between documents."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            # Instances rather than names: naming an extension makes Python-Markdown search
            # every installed package's entry points, which costs more than rendering an article.
            extensions=[
                FootnoteExtension(BACKLINK_TITLE="Back to reference %d"),
                TableExtension(),
                AttrListExtension(),
                FencedCodeExtension(),
                SaneListExtension(),
                _HeadingIdExtension(),
            ],
            output_format="html",
        )

    def render(self, text: str) -> str:
        """Markdown source to an HTML fragment."""
        self._md.reset()
        return smarten_html(self._md.convert(text))
