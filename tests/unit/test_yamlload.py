"""YAML parsing with line numbers for diagnostics."""

from __future__ import annotations

import datetime as dt

import pytest

from milei_watch import yamlload

TEXT = """title: Deuda
topics:
  - economy
  - debt-imf
sources:
  - publisher: Reuters
    url: https://example.org/
events: [{date: 2026-01-25, title: Meeting}]
"""


def test_parse_gives_dates_as_dates():
    data = yamlload.parse("a: 2026-01-25\nb: 2026-01-25T09:00:00-03:00\nc: '2026-01-25'\n")
    assert data["a"] == dt.date(2026, 1, 25)
    assert data["b"].utcoffset() == dt.timedelta(hours=-3)
    assert data["c"] == "2026-01-25"


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30", "2026-01-10T25:00:00"])
def test_impossible_date_stays_text_instead_of_crashing(text):
    assert yamlload.parse(f"date: {text}\n") == {"date": text}


def test_syntax_error_has_the_line_inside_the_text():
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.parse("title: T\nsummary: Milei said: no\n")
    assert info.value.line == 2
    assert info.value.message == "invalid YAML: mapping values are not allowed in this context"
    assert info.value.describe(offset=1) == info.value.message


def test_unclosed_construct_names_where_it_opened():
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.parse("title: T\ntopics: [economy\nsummary: S\n")
    assert info.value.line == 3
    assert info.value.describe() == ("invalid YAML: did not find expected ',' or ']' "
                                     "(a flow sequence opened on line 2)")
    assert info.value.describe(offset=1).endswith("opened on line 3)")


@pytest.mark.parametrize("path, line", [
    (("title",), 1),
    (("topics",), 2),
    (("topics", 1), 4),
    (("sources", 0), 6),
    (("sources", 0, "url"), 7),
    (("events", 0, "title"), 8),
    (("missing",), 1),
    (("sources", 5), 5),          # no such entry: the nearest parent
    (("sources", 0, "nope"), 6),
    ((), 1),
])
def test_line_of_finds_nested_keys_and_falls_back_to_the_parent(path, line):
    assert yamlload.line_of(TEXT, path) == line


def test_line_of_broken_yaml_is_line_one():
    assert yamlload.line_of("a: [1\n", ("a",)) == 1


@pytest.mark.parametrize("value, name", [
    (None, "nothing"), (True, "true/false"), (3, "a number"), (2.5, "a number"), ("x", "text"),
    ([1], "a list"), ({"a": 1}, "a mapping"), (dt.date(2026, 1, 1), "a date"),
])
def test_type_names_speak_to_editors(value, name):
    assert yamlload.type_name(value) == name
