"""The strict YAML reader: values with their lines, and every kind of hostile or mistaken document refused."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from milei_watch import yamlload

TEXT = """title: Deuda
topics:
  - economy
  - debt-imf
sources:
  - publisher: Fixture Wire
    url: https://example.org/
events: [{date: 2026-01-25, title: Meeting}]
"""


def test_parse_gives_dates_as_dates():
    data = yamlload.load("a: 2026-01-25\nb: 2026-01-25T09:00:00-03:00\nc: '2026-01-25'\n").value
    assert data["a"] == dt.date(2026, 1, 25)
    assert data["b"].utcoffset() == dt.timedelta(hours=-3)
    assert data["c"] == "2026-01-25"


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30", "2026-01-10T25:00:00"])
def test_impossible_date_stays_text_instead_of_crashing(text):
    assert yamlload.load(f"date: {text}\n").value == {"date": text}


def test_syntax_error_has_the_line_in_the_file():
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.load("title: T\nsummary: Milei said: no\n", first_line=2)
    assert info.value.line == 3
    assert info.value.message == "invalid YAML: mapping values are not allowed in this context"
    assert info.value.describe() == info.value.message


def test_unclosed_construct_names_where_it_opened():
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.load("title: T\ntopics: [economy\nsummary: S\n")
    assert info.value.line == 3
    assert info.value.describe() == ("invalid YAML: did not find expected ',' or ']' "
                                     "(a flow sequence opened on line 2)")
    with pytest.raises(yamlload.YamlProblem) as shifted:
        yamlload.load("title: T\ntopics: [economy\nsummary: S\n", first_line=2)
    assert shifted.value.line == 4 and shifted.value.describe().endswith("opened on line 3)")


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
def test_lines_find_nested_keys_and_fall_back_to_the_parent(path, line):
    assert yamlload.load(TEXT).line(path) == line


def test_lines_count_from_the_first_line_given():
    assert yamlload.load(TEXT, first_line=2).line(("sources", 0, "url")) == 8


@pytest.mark.parametrize("value, name", [
    (None, "nothing"), (True, "true/false"), (3, "a number"), (2.5, "a number"), ("x", "text"),
    ([1], "a list"), ({"a": 1}, "a mapping"), (dt.date(2026, 1, 1), "a date"),
])
def test_type_names_speak_to_editors(value, name):
    assert yamlload.type_name(value) == name


# --- what the reader refuses ----------------------------------------------------------------------

def _problem(text: str, **options) -> yamlload.YamlProblem:
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.load(text, **options)
    return info.value


def bomb(levels: int = 9) -> str:
    """A billion-laughs value in flow style: each anchor repeats the one before nine times."""
    parts = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    parts += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


def test_duplicate_key_names_both_lines():
    problem = _problem("title: A\nsummary: S\ntitle: B\n", first_line=2)
    assert (problem.line, problem.message) == (4, "duplicate key 'title': first on line 2, again on line 4")
    assert problem.hint == "keep one of the two"


def test_duplicate_key_inside_a_list_entry_is_found_too():
    problem = _problem("sources:\n  - publisher: A\n    url: x\n    publisher: B\n")
    assert (problem.line, problem.message) == (4, "duplicate key 'publisher': first on line 2, again on line 4")


@pytest.mark.parametrize("text, line", [("a: &x 1\nb: 2\n", 1), ("a: 1\nb: *x\n", 2), ("a: &x\n  - 1\n", 1)])
def test_anchors_and_aliases_are_refused(text, line):
    problem = _problem(text)
    assert (problem.line, problem.message) == (line, "anchors and aliases (&x, *x) are not allowed")
    assert "write the value out in full" in problem.hint


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    started = time.perf_counter()
    problem = _problem(f"title: T\ntags: {bomb()}\n")
    assert time.perf_counter() - started < 0.5
    assert (problem.line, problem.message) == (2, "anchors and aliases (&x, *x) are not allowed")


@pytest.mark.parametrize("text", [
    "tags: " + "[" * 300 + "]" * 300,
    "tags:\n  " + "- " * 300 + "x\n",
    "tags:\n  " + "- " * 5000 + "x\n",
    "tags: " + "[" * 20000,
    "tags: " + "{a: " * 300 + "1" + "}" * 300,
], ids=["flow-300", "block-300", "block-5000", "brackets-20000", "mappings-300"])
def test_deep_nesting_is_refused_quickly_with_a_line(text):
    started = time.perf_counter()
    problem = _problem(text)
    assert time.perf_counter() - started < 2
    assert problem.message == f"lists and mappings nest more than {yamlload.MAX_DEPTH} levels deep"
    assert problem.line in (1, 2)


def test_nesting_up_to_the_limit_is_read():
    depth = yamlload.MAX_DEPTH
    assert yamlload.load("[" * depth + "]" * depth).value is not None


def test_too_many_values_are_refused():
    problem = _problem("[" + "1, " * yamlload.MAX_VALUES + "1]")
    assert problem.message == f"the YAML holds more than {yamlload.MAX_VALUES:,} values"


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    raw = b"a: '" + b"x" * yamlload.MAX_BYTES + b"'\n"
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.read(raw)
    assert info.value.line == 1 and info.value.message.startswith(f"the YAML is {len(raw):,} bytes long")
    with pytest.raises(yamlload.YamlProblem):  # the same limit for text, such as front matter
        yamlload.load("a: '" + "é" * (yamlload.MAX_BYTES // 2) + "'\n")


@pytest.mark.parametrize("text, message", [
    ("a: !!python/object:os.system ls\n", "the tag '!!python/object:os.system' is not allowed"),
    ("a: !!binary aGk=\n", "the tag '!!binary' is not allowed"),
    ("a: !custom x\n", "the tag '!custom' is not allowed"),
    ("a: !!set {x}\n", "the tag '!!set' is not allowed"),
    ("? [a, b]\n: c\n", "a key must be plain text, not a list or mapping"),
    ("a: 1\n---\nb: 2\n", "invalid YAML: a second document starts here"),
])
def test_other_constructs_are_refused(text, message):
    assert _problem(text).message == message


def test_plain_tags_and_merge_keys_read_as_yaml_would():
    value = yamlload.load("a: !!str 2026-01-25\nb: !!int '7'\nc: <<\nd: 0x1f\ne: .inf\nf: ~\ng: off\n").value
    assert value == {"a": "2026-01-25", "b": 7, "c": "<<", "d": 31, "e": float("inf"), "f": None, "g": False}


def test_text_that_fails_as_a_number_or_flag_stays_text():
    digits = "9" * 5000
    assert yamlload.load(f"n: {digits}\n").value == {"n": digits}
    assert yamlload.load("a: !!bool maybe\nb: !!float x\n").value == {"a": "maybe", "b": "x"}


def test_decode_names_line_and_column_of_a_bad_byte_and_drops_the_bom():
    assert yamlload.decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    with pytest.raises(yamlload.YamlProblem) as info:
        yamlload.decode("a: 1\nb: año\n".encode("latin-1"))
    assert (info.value.line, info.value.column) == (2, 5)
    assert info.value.message == "not UTF-8 text (byte 0xf1 cannot start a character here)"
    assert info.value.diagnostic("content/site.yaml").format().startswith(
        "content/site.yaml:2:5: error: not UTF-8 text")


@pytest.mark.parametrize("value, shown", [
    ("short", "'short'"),
    ("x" * 100, "'" + "x" * 40 + "…'"),
    ("first line\nsecond", "'first line…'"),
    (7, "7"), (True, "true"), (dt.date(2026, 1, 2), "2026-01-02"), ([1, 2], "a list"), ({"a": 1}, "a mapping"),
    (10 ** 200, "1" + "0" * 39 + "…"),
])
def test_quoted_values_are_short(value, shown):
    assert yamlload.quote(value) == shown


def test_dumped_front_matter_reads_back_even_when_a_list_is_shared():
    topics = ["economy"]
    meta = {"title": "Año: uno", "date": dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.timezone.utc), "topics": topics,
            "events": [{"date": dt.date(2026, 1, 1), "title": "X", "topics": topics}]}
    text = yamlload.dump_front_matter(meta, flow_lists=False)
    assert "&" not in text and "*" not in text
    assert yamlload.load(text.strip("-\n")).value == meta


def test_a_control_character_names_its_line():
    problem = _problem("título: sí\nsummary: a\x07b\n", first_line=2)
    assert (problem.line, problem.message) == (3, "invalid YAML: the control character #x0007 is not allowed")
