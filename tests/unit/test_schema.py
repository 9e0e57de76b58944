"""Declared document shapes: every mistake located, named in the editor's terms, values quoted short."""

from __future__ import annotations

import datetime as dt

from milei_watch import schema, yamlload
from milei_watch.schema import Day, Field, Flag, ListOf, Moment, OneOf, Record, Text, Whole

ENTRY = Record({
    "name": Field(Text(blank=False), required=True, example="Name"),
    "day": Field(Day()),
}, noun="entry", unknown="unknown entry key {key}", missing="an entry needs a {key}",
    missing_hint="add '{name}: {example}' to the entry", example="- name: Name")
SHAPE = Record({
    "title": Field(Text(blank=False, numbers=True), required=True),
    "summary": Field(Text(), required=True),
    "count": Field(Whole(1), default=10),
    "flag": Field(Flag(), default=False, hint="write flag: true, or remove the line"),
    "when": Field(Moment()),
    "kind": Field(OneOf(("analysis", "news"), "kind"), default="analysis"),
    "tags": Field(ListOf(Text(blank=False), single=True)),
    "terms": Field(ListOf(Text()), default=["a", "b"]),
    "entries": Field(ListOf(ENTRY)),
}, unknown="unknown key {key}", missing="missing required key {key}", missing_hint="add '{name}:'")


def _check(text: str):
    values, problems = schema.check(yamlload.load(text), SHAPE, "doc.yaml")
    return values, [f"{d.location}: {d.message} | {d.hint}" for d in sorted(problems)]


def test_a_valid_document_gets_defaults_and_lists_as_index_value_pairs():
    values, problems = _check("title: 1984\nsummary:\ntags: solo\nentries:\n  - {name: A, day: 2026-01-02}\n")
    assert problems == []
    assert values == {"title": "1984", "summary": "", "count": 10, "flag": False, "when": None, "kind": "analysis",
                      "tags": ((0, "solo"),), "terms": ((0, "a"), (1, "b")),
                      "entries": ((0, {"name": "A", "day": dt.date(2026, 1, 2)}),)}


def test_unknown_keys_suggest_the_close_one_and_a_misspelt_required_key_is_one_mistake():
    _values, problems = _check("titel: T\nsummary: S\ncolour: red\n")
    assert problems == [
        "doc.yaml:1: unknown key 'titel' | did you mean 'title'?",
        "doc.yaml:3: unknown key 'colour' | known keys: count, entries, flag, kind, summary, tags, terms, title,"
        " when",
    ]


def test_missing_required_keys_point_at_the_record():
    _values, problems = _check("count: 3\nentries:\n  - day: 2026-01-02\n")
    assert problems == [
        "doc.yaml:1: missing required key 'summary' | add 'summary:'",
        "doc.yaml:1: missing required key 'title' | add 'title:'",
        "doc.yaml:3: an entry needs a 'name' | add 'name: Name' to the entry",
    ]


def test_wrong_types_name_the_value_and_its_line_with_a_hint():
    _values, problems = _check("title: [a]\nsummary: S\ncount: 0\nflag: yes please\nwhen: soon\nkind: analisis\n"
                               "tags: [ok, 3, '']\nentries: [x, {name: B, day: '2026'}]\n")
    assert problems == [
        "doc.yaml:1: 'title' must be text, not a list | write it as title: \"…\" on one line",
        "doc.yaml:3: 'count' must be at least 1 | write it like count: 10",
        "doc.yaml:4: 'flag' must be true or false, not text | write flag: true, or remove the line",
        "doc.yaml:5: 'when' is not a date: 'soon' | write a date as 2026-01-25 or 2026-01-25T09:00:00-03:00",
        "doc.yaml:6: unknown kind 'analisis' | did you mean 'analysis'?",
        "doc.yaml:7: each entry of 'tags' must be text, not a number | "
        "write tags: [first, second]; quote entries that look like numbers or dates",
        "doc.yaml:7: each entry of 'tags' must not be empty | "
        "write tags: [first, second]; quote entries that look like numbers or dates",
        "doc.yaml:8: each entry must be a mapping, not text | write it as - name: Name",
        "doc.yaml:8: entry day is not a date: '2026' | write it as 2026-01-25",
    ]


def test_list_entries_keep_their_index_when_others_fail():
    values, _problems = _check("title: T\nsummary: S\ntags:\n  - 1\n  - kept\nentries:\n  - {day: 2026-01-01}\n"
                               "  - {name: B}\n")
    assert values["tags"] == ((1, "kept"),)
    assert values["entries"] == ((1, {"name": "B", "day": None}),)


def test_long_values_are_quoted_short():
    long = "x" * 300
    _values, problems = _check(f"title: T\nsummary: S\nwhen: {long}\nkind: {long}\n{long}: 1\n")
    assert problems == [
        f"doc.yaml:3: 'when' is not a date: '{'x' * 40}…' | write a date as 2026-01-25 or 2026-01-25T09:00:00-03:00",
        f"doc.yaml:4: unknown kind '{'x' * 40}…' | use one of: analysis, news",
        f"doc.yaml:5: unknown key '{'x' * 40}…' | known keys: count, entries, flag, kind, summary, tags, terms,"
        " title, when",
    ]
