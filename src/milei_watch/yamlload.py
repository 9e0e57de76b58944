"""YAML read strictly from libyaml's events: every value with its line, no aliases, bounded size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Diagnostic, Location

try:  # libyaml is ten times faster; fall back to the pure-Python parser
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

# Far beyond any settings file or front matter; reached only by a mistake or a hostile file, which
# must fail fast, naming the file, rather than exhaust memory or the interpreter's recursion.
MAX_BYTES = 1 << 20
MAX_VALUES = 100_000
MAX_DEPTH = 20

SHOWN = 40  # characters of a value quoted in a message

SYNTAX_HINT = "fix the YAML syntax; quote values that contain ':' or start with a special character"
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset({_STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}


class YamlProblem(Exception):
    """A document that cannot be read, with the 1-based line (and column, when known) in its file."""

    def __init__(self, message: str, line: int, context: str = "", context_line: int = 0, *,
                 hint: str = SYNTAX_HINT, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint
        self.context = context            # e.g. "while parsing a flow sequence"
        self.context_line = context_line  # line where that construct opened, when not `line`

    def describe(self) -> str:
        """The message, naming the line where an unclosed construct opened."""
        if not self.context_line:
            return self.message
        what = self.context.removeprefix("while parsing ").removeprefix("while scanning ")
        return f"{self.message} ({what} opened on line {self.context_line})"

    def diagnostic(self, rel: str) -> Diagnostic:
        return Diagnostic(Location(rel, self.line, self.column), self.describe(), self.hint)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed document: its value and the file line of every key and list entry in it."""

    value: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (key or index, ...) -> line

    def line(self, path: tuple[Any, ...]) -> int:
        """The line of the value at `path`, or of its nearest parent; 1 for the document itself."""
        return nearest_line(self.lines, path)


def nearest_line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int:
    """The line of `path` in a document's `lines`, or of its nearest parent; 1 for the document itself."""
    while path:
        line = lines.get(path)
        if line is not None:
            return line
        path = path[:-1]
    return 1


def decode(raw: bytes) -> str:
    """UTF-8 text without its byte-order mark; a bad byte is a YamlProblem naming its line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot start a character here)", line,
                          column=column, hint="save the file with UTF-8 encoding; Latin-1 or Windows-1252 "
                                              "editors write accents this way") from None
    return text.removeprefix("\ufeff")


def read(raw: bytes) -> Document:
    """A whole YAML file from its bytes: size checked before anything is decoded."""
    _check_size(len(raw))
    return load(decode(raw))


def load(text: str, *, first_line: int = 1) -> Document:
    """Parse one YAML document; `first_line` is the file line of the text's first line (2 for front matter).

    Values are built from libyaml's event stream, so each value's line is known without composing
    a node tree. Anchors and aliases are refused when met, before anything could be expanded;
    duplicate keys, keys that are lists or mappings, and tags other than YAML's plain types are
    refused too. An impossible date (2026-13-45) stays text, for validation to name.
    """
    if len(text) > MAX_BYTES // 4:  # only then can the text be over the limit in bytes
        _check_size(len(text.encode("utf-8")))
    builder = _Builder(first_line)
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            builder.take(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else first_line
        if exc.problem == "exceeded maximum nesting depth":  # libyaml's own limit, met while scanning ahead
            raise _too_deep(line) from None
        problem = exc.problem or exc.context or "invalid YAML"
        context_line = 0
        if exc.problem and exc.context and exc.context_mark is not None \
                and exc.context_mark.line + first_line != line:
            context_line = exc.context_mark.line + first_line
        raise YamlProblem(f"invalid YAML: {problem}", line, exc.context or "", context_line) from None
    except yaml.reader.ReaderError as exc:  # libyaml counts the position in UTF-8 bytes
        line = text.encode("utf-8")[:exc.position].count(b"\n") + first_line
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlProblem(f"invalid YAML: the control character #x{code:04x} is not allowed", line,
                          hint="delete it; editors often show it as a box, or not at all") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    return Document(builder.root, builder.lines)


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise YamlProblem(f"the YAML is {size:,} bytes long; the limit is {MAX_BYTES:,}", 1,
                          hint="settings and front matter are short; move long text into the body or split the file")


class _Open:
    """A mapping or list being filled: its path, and for a mapping the key waiting for its value."""

    __slots__ = ("is_map", "key", "path", "value")

    def __init__(self, value: dict | list, path: tuple[Any, ...]):
        self.value = value
        self.path = path
        self.is_map = isinstance(value, dict)
        self.key: Any = _NO_KEY


_NO_KEY = object()


class _Builder:
    """Turns events into plain values (dict, list, str, int, float, bool, None, date, datetime) and lines."""

    def __init__(self, first_line: int):
        self.offset = first_line
        self.root: Any = None
        self.lines: dict[tuple[Any, ...], int] = {}
        self.open: list[_Open] = []
        self.count = 0
        self.documents = 0

    def take(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            line = event.start_mark.line + self.offset
            if event.anchor is not None:
                raise YamlProblem("anchors and aliases (&x, *x) are not allowed", line,
                                  hint=f"write the value out in full instead of '&{_cut(event.anchor)}'")
            self.count += 1
            if self.count > MAX_VALUES:
                raise YamlProblem(f"the YAML holds more than {MAX_VALUES:,} values", line,
                                  hint="settings and front matter are short; check what was pasted in")
            self.begin(event, kind, line)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.open.pop()
        elif kind is yaml.AliasEvent:
            raise YamlProblem("anchors and aliases (&x, *x) are not allowed", event.start_mark.line + self.offset,
                              hint=f"write the value out in full instead of '*{_cut(event.anchor)}'")
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise YamlProblem("invalid YAML: a second document starts here", event.start_mark.line + self.offset,
                                  hint="a file holds one YAML document; remove the '---' line")

    def begin(self, event: yaml.Event, kind: type, line: int) -> None:
        open_ = self.open
        parent = open_[-1] if open_ else None
        if parent is not None and parent.is_map and parent.key is _NO_KEY:
            if kind is not yaml.ScalarEvent:
                raise YamlProblem("a key must be plain text, not a list or mapping", line,
                                  hint="write keys as 'name: value'")
            key = _scalar(event, line)
            path = parent.path + (key,)
            if key in parent.value:
                first = self.lines[path]
                raise YamlProblem(f"duplicate key '{_cut(str(key))}': first on line {first}, again on line {line}",
                                  line, hint="keep one of the two")
            parent.key = key
            self.lines[path] = line
            return
        if parent is None:
            path: tuple[Any, ...] = ()
        elif parent.is_map:
            path = parent.path + (parent.key,)
        else:
            path = parent.path + (len(parent.value),)
            self.lines[path] = line
        if kind is yaml.ScalarEvent:
            value = _scalar(event, line)
        else:
            if len(open_) >= MAX_DEPTH:
                raise _too_deep(line)
            if event.tag is not None and event.tag not in _COLLECTION_TAGS:
                raise _tag_problem(event.tag, line)
            value = {} if kind is yaml.MappingStartEvent else []
            open_.append(_Open(value, path))
        if parent is None:
            self.root = value
        elif parent.is_map:
            parent.value[parent.key] = value
            parent.key = _NO_KEY
        else:
            parent.value.append(value)


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    """A scalar's value as PyYAML's safe loader gives it, except that text that fails as a date or
    number (2026-13-45, an integer of more digits than Python converts) stays text."""
    tag, value = event.tag, event.value
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    elif tag not in _SCALAR_TAGS:
        raise _tag_problem(tag, line)
    construct = _CONSTRUCT.get(tag)
    if construct is None:  # text, and the tags of merge keys and '=', which are text here
        return value
    try:
        return construct(yaml.ScalarNode(tag, value))
    except (ValueError, KeyError):  # KeyError: '!!bool maybe'
        return value


def _too_deep(line: int) -> YamlProblem:
    return YamlProblem(f"lists and mappings nest more than {MAX_DEPTH} levels deep", line,
                       hint="check the brackets and the indentation")


def _tag_problem(tag: str, line: int) -> YamlProblem:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return YamlProblem(f"the tag '{_cut(shown)}' is not allowed", line,
                       hint="write plain values; quote text that would otherwise read as a number or date")


def _cut(text: str) -> str:
    """Text for a message: its first line, at most SHOWN characters, '…' where it was cut."""
    first = text.split("\n", 1)[0]
    if len(first) > SHOWN:
        return first[:SHOWN] + "…"
    return first if first == text else first + "…"


def quote(value: Any) -> str:
    """A value as a message shows it: text quoted and shortened, other values by their YAML form or kind."""
    if isinstance(value, str):
        return f"'{_cut(value)}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _cut(format(value, "g") if isinstance(value, float) else str(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return type_name(value)


def type_name(value: Any) -> str:
    """How a YAML value's type is named to an editor."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    return type(value).__name__


class _FrontMatterDumper(yaml.SafeDumper):
    """yaml.SafeDumper that writes datetimes as ISO 8601 with a 'T' and offset, as editors write them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a list used twice is written out twice: the reader refuses aliases


_FrontMatterDumper.add_representer(
    dt.datetime, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp",
                                                               value.isoformat(timespec="seconds")))


def dump_front_matter(meta: dict[str, Any], *, flow_lists: bool) -> str:
    """Front matter that `parse` reads back as `meta`, keys in the given order, between '---' lines.

    Safe for any text (quotes, colons, '#' in titles); lists inline (`topics: [economy]`) with
    `flow_lists`, one item a line otherwise."""
    front = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=None if flow_lists else False, width=4096)
    return f"---\n{front}---\n"
