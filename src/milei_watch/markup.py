"""Markdown to HTML: one configured Python-Markdown instance, heading ids, typographic quotes
(typography.py), the HTML allow-list every body is reduced to, and the link addresses an editor may write."""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as etree
from typing import Iterator, NamedTuple

import markdown
import nh3
from markdown import util as markdown_util
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from . import assets
from .errors import Diagnostic, Location
from .routes import slugify
from .typography import smarten_html

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


# What every match of each of Python-Markdown's inline patterns contains (any one of the texts), by the
# pattern's registered name and class: a text that holds none of them cannot match it.
_INLINE_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "backtick": ("BacktickInlineProcessor", ("`",)),
    "escape": ("EscapeInlineProcessor", ("\\",)),
    "footnote": ("FootnoteInlineProcessor", ("[^",)),
    "reference": ("ReferenceInlineProcessor", ("[",)),
    "link": ("LinkInlineProcessor", ("[",)),
    "image_link": ("ImageInlineProcessor", ("![",)),
    "image_reference": ("ImageReferenceInlineProcessor", ("![",)),
    "short_reference": ("ShortReferenceInlineProcessor", ("[",)),
    "short_image_ref": ("ShortImageReferenceInlineProcessor", ("![",)),
    "autolink": ("AutolinkInlineProcessor", ("<",)),
    "automail": ("AutomailInlineProcessor", ("<",)),
    "linebreak": ("SubstituteTagInlineProcessor", ("  \n",)),
    "html": ("HtmlInlineProcessor", ("<",)),
    "entity": ("HtmlInlineProcessor", ("&",)),
    "em_strong": ("DelimiterProcessor", ("*", "_")),
}
_NEEDS = {texts: re.compile("|".join(map(re.escape, texts))) for _kind, texts in _INLINE_NEEDS.values()}


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline pass, which tries every inline pattern (fifteen of them) on every piece
    of text, here skipping a pattern when the text left to search holds nothing every match of it
    contains (`_INLINE_NEEDS`): the library would search and find nothing, and then go on exactly as
    this does, to the next pattern from the start of the text. A pattern the table does not know is
    always tried. The output is the library's, byte for byte (tests/unit/test_markup.py compares
    them); the inline pass is most of the time Markdown takes, and most tries find nothing."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        patterns = self.inlinePatterns
        self._needs: list[re.Pattern | None] = [None] * len(patterns)
        for name, (kind, texts) in _INLINE_NEEDS.items():
            if name in patterns and type(patterns[name]).__name__ == kind:
                self._needs[patterns.get_index_for_name(name)] = _NEEDS[texts]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if not isinstance(data, markdown_util.AtomicString):
            start = 0
            patterns, needs = self.inlinePatterns, self._needs
            apply = self._InlineProcessor__applyPattern
            count = len(patterns)
            while patternIndex < count:
                need = needs[patternIndex]
                if need is not None and need.search(data, start) is None:
                    patternIndex += 1
                    start = 0
                    continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
        return data


# Python-Markdown's inline pass is overridden only where its private methods are as expected.
_QUICK_INLINE = all(hasattr(InlineProcessor, name)
                    for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern"))


class _QuickInlineExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown API
        if _QUICK_INLINE:  # in the library's own inline pass's place (name and priority)
            md.treeprocessors.register(_QuickInline(md), "inline", 20)


# The policy README.md states ("Markdown and HTML policy"). A link or image may point to these
# schemes or be relative; any other address an editor writes is an error, and the sanitiser drops
# it besides.
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Raw HTML in a body is kept only as these tags and attributes; the rest of a tag is dropped and its
# text kept, except in DROPPED_TAGS, whose content is code or markup rather than prose.
ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details div dl dt em figcaption figure"
    " h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary sup table"
    " tbody td tfoot th thead time tr u ul".split())
ALLOWED_ATTRIBUTES = {
    "*": frozenset({"id", "class", "title", "lang", "dir"}),  # ids and classes: heading anchors, footnotes, code
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    # no cite on blockquote, q, del or ins: browsers never show it, and nh3 checks the scheme of href and src only
    "del": frozenset({"datetime"}), "ins": frozenset({"datetime"}), "time": frozenset({"datetime"}),
    "ol": frozenset({"start", "reversed"}), "li": frozenset({"value"}),
    "th": frozenset({"colspan", "rowspan", "scope", "style"}), "td": frozenset({"colspan", "rowspan", "style"}),
    "col": frozenset({"span"}), "colgroup": frozenset({"span"}),
}
STYLE_PROPERTIES = frozenset({"text-align"})  # the alignment of a Markdown table's columns
DROPPED_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "applet", "svg", "math", "template",
                          "noscript", "noembed", "noframes", "textarea", "select", "title", "frameset", "xmp",
                          "plaintext", "form", "button", "input", "link", "meta", "base"})
# Attributes whose value a browser follows or fetches as an address.
_URL_ATTRIBUTE_NAMES = ("href", "src", "srcset", "cite", "action", "formaction", "poster", "background", "data",
                        "xlink:href", "lowsrc", "dynsrc", "longdesc", "usemap", "ping", "codebase", "manifest",
                        "icon", "profile", "classid", "archive")
_URL_ATTRIBUTE = re.compile(r"""(?<![\w:-])(%s)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""" % "|".join(_URL_ATTRIBUTE_NAMES),
                            re.IGNORECASE)
# The quick test every body passes first, on the lower-cased HTML read backwards so that the pattern
# starts at the rare '=': an address attribute whose quoted value opens with a letter (other than
# http://, https:// or mailto:), a space, a control character, '&' or a backslash: how a scheme
# can begin. Relative addresses ('#fn:1', '/about/', '../other/') and Markdown's own links pass; a
# suspect, which may also be an attribute written in plain text, gets the full look.
_SUSPECT_BACKWARDS = re.compile(
    "=(?<![^a-z\x00-\x20\x7f&\\\\][\"']=)"
    + "".join(f"(?<!{re.escape(opening[::-1] + quote)}=)" for opening in ("http://", "https://", "mailto:")
              for quote in "\"'")
    + r"\s*(?:%s)(?![\w:-])" % "|".join(re.escape(name[::-1]) for name in _URL_ATTRIBUTE_NAMES))
_HTML_TAG = re.compile(r"""<[a-zA-Z](?:[^<>"']|"[^"]*"|'[^']*')*>""")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^\s<>]*)>")
# Where a Markdown source writes an address: [text](url), ![alt](<url>), [ref]: url, <scheme:...>, and
# the attributes of raw HTML and of attribute lists ({: href="..."}).
_SOURCE_ADDRESSES = (
    re.compile(r"\]\(\s*<([^>\n]*)>"),
    re.compile(r"\]\(\s*((?:[^\s()]|\([^\s()]*\))+)"),
    re.compile(r"(?m)^[ ]{0,3}\[[^\[\]\n]+\]:[ \t]*\n?[ \t]*<?([^\s>]+)"),
    _AUTOLINK,
    _URL_ATTRIBUTE,
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers drop tabs and newlines anywhere in an address and spaces and control characters around it;
# dropping all of them (and backslashes) here errs towards seeing a scheme, never away from it.
_IGNORED_IN_ADDRESS = re.compile(r"[\x00-\x20\x7f\\]+")


class UnsafeAddress(NamedTuple):
    """A link or image address with a scheme outside URL_SCHEMES, as the editor wrote it."""

    line: int       # in the body, from 1
    column: int     # from 1; 0 when not known
    address: str
    scheme: str


def _normal_address(value: str) -> str:
    """An address as a browser reads it: entities decoded, ignored characters dropped, lower case."""
    return _IGNORED_IN_ADDRESS.sub("", html.unescape(value)).lower()


def url_scheme(value: str) -> str:
    """The scheme a browser would see in an address written in HTML or Markdown, lower case; '' when relative."""
    match = _SCHEME.match(_normal_address(value))
    return match[1] if match else ""


def is_safe_url(value: str) -> bool:
    """True for a relative address or one whose scheme is in URL_SCHEMES."""
    scheme = url_scheme(value)
    return not scheme or scheme in URL_SCHEMES


def _attribute_value(raw: str) -> str:
    return raw[1:-1] if raw[:1] in ("'", '"') else raw


def _addresses_in_attribute(name: str, value: str) -> list[str]:
    """The addresses one attribute holds: srcset and ping list several."""
    if name.lower() == "srcset":
        return [item.split()[0] for item in html.unescape(value).split(",") if item.split()]
    if name.lower() == "ping":
        return html.unescape(value).split()
    return [value]


def _unsafe_in_html(fragment: str) -> dict[str, str]:
    """Unsafe addresses in rendered HTML (normal form → scheme): in tags' attributes, and autolinks
    of other schemes, which Python-Markdown passes through as tags."""
    found: dict[str, str] = {}
    if not _AUTOLINK.search(fragment) and not _SUSPECT_BACKWARDS.search(fragment.lower()[::-1]):
        return found
    fragment = _HTML_COMMENT.sub("", fragment)
    for match in _AUTOLINK.finditer(fragment):
        if not is_safe_url(match[1]):
            found[_normal_address(match[1])] = url_scheme(match[1])
    for tag in _HTML_TAG.finditer(fragment):
        for attribute in _URL_ATTRIBUTE.finditer(tag[0]):
            for address in _addresses_in_attribute(attribute[1], _attribute_value(attribute[2])):
                if not is_safe_url(address):
                    found[_normal_address(address)] = url_scheme(address)
    return found


def _source_addresses(text: str) -> Iterator[tuple[int, str]]:
    """Every address a Markdown source writes, with its offset in the text."""
    for pattern in _SOURCE_ADDRESSES:
        for match in pattern.finditer(text):
            if pattern is _URL_ATTRIBUTE:
                value = _attribute_value(match[2])
                start = match.start(2) + (1 if value != match[2] else 0)  # after an opening quote
                for address in _addresses_in_attribute(match[1], value):
                    yield start + max(0, value.find(address)), address
            else:
                yield match.start(1), match[1]


def unsafe_addresses(text: str, rendered: str) -> list[UnsafeAddress]:
    """Each address of a Markdown body that reaches its HTML with a scheme outside URL_SCHEMES, at the
    line it is written on. Addresses in code, which never become links, are not reported."""
    unsafe = _unsafe_in_html(rendered)
    if not unsafe:
        return []
    found: dict[tuple[int, str], UnsafeAddress] = {}
    located: set[str] = set()
    for offset, address in _source_addresses(text):
        normal = _normal_address(address)
        if normal in unsafe:
            line = text.count("\n", 0, offset) + 1
            found[(line, address)] = UnsafeAddress(line, offset - text.rfind("\n", 0, offset), address, unsafe[normal])
            located.add(normal)
    # An address written in a way the patterns above do not know: the first line naming its scheme.
    lines = [_normal_address(line) for line in text.split("\n")]
    for normal, scheme in unsafe.items():
        if normal not in located:
            line = next((n for n, seen in enumerate(lines, 1) if scheme + ":" in seen), 1)
            found[(line, normal)] = UnsafeAddress(line, 0, normal, scheme)
    return sorted(found.values(), key=lambda item: (item.line, item.column, item.address))


def unsafe_diagnostics(source: str, body_line: int, unsafe: list[UnsafeAddress]) -> list[Diagnostic]:
    """Each unsafe address of a body as an error at its line and column in the file (`source`), whose
    body starts at `body_line`: what `build` stops on and `check` reports."""
    return [Diagnostic(Location(source, body_line + item.line - 1, item.column),
                       f"a link or image may not point to a '{item.scheme}:' address: '{shown_address(item.address)}'",
                       "use an http, https or mailto address, or a relative one (README.md, 'Markdown and HTML policy')")
            for item in unsafe]


def shown_address(address: str, limit: int = 60) -> str:
    """An address on one line of a report: control characters written as escapes, a long one cut."""
    text = "".join(c if c >= " " and c != "\x7f" else f"\\x{ord(c):02x}" for c in address)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def sanitise(fragment: str) -> str:
    """An HTML fragment reduced to the allow-list: no scripts, styles, embeds, forms or event handlers,
    and links and images only to URL_SCHEMES or relative addresses."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,
        strip_comments=True,
    )


class _FigureSlots:
    """Where a body's figures go while it is converted: placeholders that pass through Markdown and the
    sanitiser untouched, replaced by the figures' own markup (a `<picture>`, an SVG chart, which the
    allow-list would strip) once the body is safe. Each placeholder holds a random nonce, so that no
    text an editor writes can stand for one."""

    def __init__(self) -> None:
        self.figures = None   # figures.BodyFigures while a body with figures is converted
        self.text = ""
        self.nonce = ""
        self.markup: list[str] = []

    def start(self, text: str, figures) -> None:
        """Begin a body: a fresh nonce for its placeholders (none is needed without figures)."""
        self.figures, self.text, self.markup = figures, text, []
        while figures is not None and (not self.nonce or self.nonce in text):
            self.nonce = os.urandom(6).hex()

    def token(self, markup: str | None) -> str:
        self.markup.append(markup or "")
        return f"MWFIGURE{self.nonce}N{len(self.markup) - 1}"

    def line_of(self, address: str) -> int:
        """The body line where an address is first written (1 when it cannot be found)."""
        at = self.text.find(address)
        return self.text.count("\n", 0, at) + 1 if at >= 0 else 1

    def place(self, fragment: str) -> str:
        """The sanitised fragment with each placeholder replaced by its figure; an <img> into
        content/images/ written as raw HTML (which no placeholder stands for) is reported."""
        figures = self.figures
        if figures is None:
            return fragment
        for tag in _IMG_TAG.finditer(fragment):
            source = _IMG_SRC.search(tag[0])
            address = html.unescape(source[1]) if source else ""
            if address and not address.startswith("#MWFIGURE" + self.nonce) and figures.local(address):
                written = re.search(r"""src\s*=\s*["']?""" + re.escape(address), self.text)
                line = self.text.count("\n", 0, written.start()) + 1 if written else self.line_of(address)
                figures.raw_image(address, line)
        if not self.markup:
            return fragment
        slot = re.compile(rf'<p>MWFIGURE{self.nonce}N(\d+)</p>|<img\b[^>]*?\ssrc="#MWFIGURE{self.nonce}N(\d+)"[^>]*>'
                          rf"|MWFIGURE{self.nonce}N(\d+)")
        return slot.sub(lambda m: self.markup[int(m[1] or m[2] or m[3])], fragment)


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_IMG_SRC = re.compile(r"""\ssrc\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


class _ChartBlocks(Preprocessor):
    """Each ```chart block (assets.CHART_FENCE) becomes a placeholder for the chart drawn from its lines."""

    def __init__(self, md: markdown.Markdown, slots: _FigureSlots) -> None:
        super().__init__(md)
        self.slots = slots

    def run(self, lines: list[str]) -> list[str]:
        figures = self.slots.figures
        blocks = assets.chart_blocks(lines) if figures is not None and "chart" in self.slots.text else []
        if not blocks:
            return lines
        out: list[str] = []
        last = 0
        for start, end in blocks:  # lines[i] is body line i + 1: the whitespace step before keeps lines
            out += lines[last:start]
            if end >= len(lines):
                figures.unclosed_chart(start + 1)
                markup = None
            else:
                markup = figures.chart("\n".join(lines[start + 1:end]), start + 2)
            out += ["", self.slots.token(markup), ""]
            last = end + 1
        return out + lines[last:]


class _LocalImages(Treeprocessor):
    """Each Markdown image whose address names a file in content/images/ becomes a placeholder for
    its `<picture>`; every other image is left as written."""

    def __init__(self, md: markdown.Markdown, slots: _FigureSlots) -> None:
        super().__init__(md)
        self.slots = slots

    def run(self, root: etree.Element) -> None:
        figures = self.slots.figures
        if figures is None:
            return
        for element in root.iter("img"):
            address = element.get("src") or ""
            if figures.local(address) is not None:
                markup = figures.picture(address, element.get("alt") or "", element.get("title") or "",
                                         self.slots.line_of(address))
                element.set("src", "#" + self.slots.token(markup))


class _FigureExtension(Extension):
    def __init__(self, slots: _FigureSlots) -> None:
        super().__init__()
        self.slots = slots

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown API
        # after whitespace is normalised (30), before fenced code (25) would take the block as code
        md.preprocessors.register(_ChartBlocks(md, self.slots), "milei_charts", 28)
        # last of all: after attribute lists (8) and unescaping (0), when an image's address is final
        md.treeprocessors.register(_LocalImages(md, self.slots), "milei_local_images", -10)


class Renderer:
    """One configured Markdown instance, reset between documents."""

    def __init__(self) -> None:
        self._slots = _FigureSlots()
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
                _QuickInlineExtension(),
                _FigureExtension(self._slots),
            ],
            output_format="html",
        )

    def render(self, text: str) -> str:
        """Markdown source to a sanitised HTML fragment."""
        return self.convert(text)[0]

    def convert(self, text: str, figures=None) -> tuple[str, list[UnsafeAddress]]:
        """Markdown source to a sanitised HTML fragment, and the addresses the editor must change:
        the fragment never holds them, but a body that has any is an error.

        With `figures` (a figures.BodyFigures), local images become pictures and ```chart blocks charts,
        inserted after sanitising; their mistakes are collected on `figures`."""
        self._md.reset()
        self._slots.start(text, figures)
        try:
            rendered = self._md.convert(text)
            return self._slots.place(sanitise(smarten_html(rendered))), unsafe_addresses(text, rendered)
        finally:
            self._slots.start("", None)
