"""Declared shapes of the YAML documents: keys, types, required keys and allowed values, checked with lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import dates
from .errors import Diagnostic, Location, closest, did_you_mean
from .yamlload import Document, quote, type_name

KeyPath = tuple[Any, ...]  # keys and list indexes from the document's top
Entries = tuple[tuple[int, Any], ...]  # a checked list: each entry kept with its index


class _Invalid:
    """What a value that failed its check becomes: its field's default, or left out of its list."""


INVALID = _Invalid()


class Text(NamedTuple):
    """Text, stripped; with `numbers`, a bare number stands for its digits (a title such as 1984)."""

    blank: bool = True       # an empty value, written or left blank, is the empty text
    numbers: bool = False
    name = "text"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if value is None:
            value = ""
        if self.numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, bool) and not hint:  # YAML reads a bare on, off, yes or no as true/false
            hint = f'YAML reads a bare yes, no, on or off as true/false: put the text in quotes, e.g. {path[-1]}: "off"'
        if not isinstance(value, str):
            return run.wrong(path, label, self, value, hint)
        value = value.strip()
        if not value and not self.blank:
            return run.error(path, f"{label} must not be empty", hint or f"write the {path[-1]} after '{path[-1]}:'")
        return value

    def hint(self, key: str) -> str:
        return f'write it as {key}: "…" on one line'


class Whole(NamedTuple):
    """A whole number (not true/false), at least `minimum` when given."""

    minimum: int | None = None
    name = "a whole number"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return run.wrong(path, label, self, value, hint)
        if self.minimum is not None and value < self.minimum:
            return run.error(path, f"{label} must be at least {self.minimum}", hint or self.hint(path[-1]))
        return value

    def hint(self, key: str) -> str:
        return f"write it like {key}: 10"


class Flag(NamedTuple):
    """true or false."""

    name = "true or false"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        return value if isinstance(value, bool) else run.wrong(path, label, self, value, hint)

    def hint(self, key: str) -> str:
        return f"write it like {key}: true"


class Moment(NamedTuple):
    """A date or date and time: as YAML reads one, or text in ISO form; the model gives it a timezone."""

    name = "a date"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str):
            return run.wrong(path, label, self, value, hint)
        if dates.to_datetime(value, dt.timezone.utc) is None:
            return run.error(path, f"{label} is not a date: {quote(value)}", hint or self.hint(path[-1]))
        return value

    def hint(self, key: str) -> str:
        return "write a date as 2026-01-25 or 2026-01-25T09:00:00-03:00"


class Day(NamedTuple):
    """A calendar day as YAML reads one (2026-01-25); a date and time gives its day."""

    name = "a date"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return run.error(path, f"{label} is not a date: {quote(value)}", hint or self.hint(path[-1]))
        return run.wrong(path, label, self, value, hint)

    def hint(self, key: str) -> str:
        return "write it as 2026-01-25"


class OneOf(NamedTuple):
    """One of a fixed set of words, named by `noun` when it is none of them."""

    choices: tuple[str, ...]
    noun: str
    name = "text"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if not isinstance(value, str):
            return run.wrong(path, label, self, value, hint)
        if value not in self.choices:
            close = closest(value, self.choices)
            return run.error(path, f"unknown {self.noun} {quote(value)}",
                             f"did you mean '{close}'?" if close else hint or self.hint(""))
        return value

    def hint(self, key: str) -> str:
        return "use one of: " + ", ".join(self.choices)


class ListOf(NamedTuple):
    """A list of `item`s, as a tuple of (index, value) pairs without the entries that failed; with
    `single`, a lone value stands for a list of one (topics: economy)."""

    item: Any
    single: bool = False
    name = "a list"

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if value is None:
            return ()
        if not isinstance(value, list):
            if not self.single or isinstance(value, dict):
                return run.wrong(path, label, self, value, hint)
            value = [value]
        item = self.item
        each = f"each {item.noun}" if isinstance(item, Record) and item.noun else f"each entry of {label}"
        hint = self.entry_hint(path[-1] if path else "")
        entries = []
        for index, entry in enumerate(value):
            taken = item.take(entry, path + (index,), each, run, hint)
            if taken is not INVALID:
                entries.append((index, taken))
        return tuple(entries)

    def entry_hint(self, key: str) -> str:
        if isinstance(self.item, Record):
            return self.item.hint(key)
        return f"write {key}: [first, second]; quote entries that look like numbers or dates"

    def hint(self, key: str) -> str:
        if isinstance(self.item, Record):
            return self.item.hint(key)
        return f"write {key}: [first, second]"


class Field(NamedTuple):
    """One key of a record: what its value must be, whether it must be there, and its default."""

    kind: Kind
    required: bool = False
    default: Any = None
    hint: str = ""       # how to write it when it is wrong, instead of the kind's own
    example: str = ""    # a value for the hint when a required key is missing
    missing: str = ""    # the message when it is missing, instead of the record's


@dataclass(frozen=True, slots=True)
class Record:
    """A mapping with declared keys. `noun` names its values ('topic keywords') and, in a list, its
    entries ('each topic'); a top-level record has none and names a value by its key ('per_page').

    The templates fill in {key} (quoted and shortened), {name} (the key as written in the file) and
    {example} (the field's example)."""

    fields: Mapping[str, Field]
    noun: str = ""
    unknown: str = "unknown key {key}"
    missing: str = "missing required key {key}"
    missing_hint: str = "add '{name}:'"
    example: str = ""    # the record as written, for the hint when it is not a mapping
    # What an absent key (or one whose value is wrong) becomes, a list's default as (index, value) pairs.
    defaults: dict[str, Any] = field(init=False, repr=False, compare=False)
    required: tuple[str, ...] = field(init=False, repr=False, compare=False)
    name = "a mapping"

    def __post_init__(self) -> None:
        defaults = {key: tuple(enumerate(spec.default or ())) if isinstance(spec.kind, ListOf) else spec.default
                    for key, spec in self.fields.items()}
        object.__setattr__(self, "defaults", defaults)
        object.__setattr__(self, "required", tuple(key for key, spec in self.fields.items() if spec.required))

    def take(self, value: Any, path: KeyPath, label: str, run: _Run, hint: str = "") -> Any:
        if not isinstance(value, dict):
            return run.wrong(path, label, self, value, hint)
        fields = self.fields
        noun = self.noun
        out: dict[str, Any] = {}
        whole = True
        unknown = []
        for key, given in value.items():
            spec = fields.get(key)
            if spec is None:
                unknown.append(key)
                continue
            if given is None and not (isinstance(spec.kind, Text) and spec.kind.blank):
                continue  # as if left out
            taken = spec.kind.take(given, path + (key,), f"{noun} {key}" if noun else f"'{key}'", run, spec.hint)
            if taken is not INVALID:
                out[key] = taken
            elif spec.required:
                whole = False
        meant: set[str] = set()
        for key in unknown:
            run.error(path + (key,), self.unknown.format(key=quote(str(key))), did_you_mean(str(key), fields))
            close = closest(str(key), fields)
            if close is not None and close not in value:
                meant.add(close)  # a misspelt required key is one mistake, reported once
        for key in self.required:
            if key not in out and value.get(key) is None:
                whole = False
                if key not in meant:
                    spec = fields[key]
                    run.error(path, (spec.missing or self.missing).format(key=f"'{key}'", name=key),
                              self.missing_hint.format(name=key, example=spec.example))
        # An entry of a list that lacks what identifies it is left out; the document itself is kept,
        # so that every other problem in it is still found.
        return {**self.defaults, **out} if whole or not path else INVALID

    def hint(self, key: str) -> str:
        return f"write it as {self.example}"


Kind = Text | Whole | Flag | Moment | Day | OneOf | ListOf | Record


class _Run:
    """The diagnostics of one check, located through the document's lines."""

    def __init__(self, document: Document, rel: str):
        self.document = document
        self.rel = rel
        self.problems: list[Diagnostic] = []

    def error(self, path: KeyPath, message: str, hint: str = "") -> _Invalid:
        self.problems.append(Diagnostic(Location(self.rel, self.document.line(path)), message, hint))
        return INVALID

    def wrong(self, path: KeyPath, label: str, kind: Any, value: Any, hint: str = "") -> _Invalid:
        key = str(path[-1]) if path else ""
        return self.error(path, f"{label} must be {kind.name}, not {type_name(value)}", hint or kind.hint(key))


def check(document: Document, shape: Record | ListOf, rel: str) -> tuple[Any, list[Diagnostic]]:
    """The document's value as `shape` declares it, with a diagnostic (in file `rel`) for every mistake.

    A record comes back with every declared key, its default where the value was missing or wrong;
    a list as a tuple of (index, value) pairs, so that a later check can still name an entry's line."""
    run = _Run(document, rel)
    taken = shape.take(document.value, (), "the document", run)
    return taken, run.problems
