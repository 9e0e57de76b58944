"""Diagnostics (errors.py): GCC-style lines, sorted, counted, with hints."""

from __future__ import annotations

from pathlib import Path

from milei_watch.errors import BuildError, ConfigError, Diagnostic, Location, did_you_mean, format_report, relative


def test_location_prints_path_line_and_column():
    assert str(Location("content/articles/x.md")) == "content/articles/x.md"
    assert str(Location("content/articles/x.md", 4)) == "content/articles/x.md:4"
    assert str(Location("content/articles/x.md", 4, 7)) == "content/articles/x.md:4:7"


def test_diagnostic_format_has_severity_and_indented_hint():
    d = Diagnostic(Location("a.md", 3), "unknown topic 'x'", "did you mean 'y'?")
    assert d.format() == "a.md:3: error: unknown topic 'x'\n    hint: did you mean 'y'?"
    assert Diagnostic(Location("a.md", 3), "m", severity="warning").format() == "a.md:3: warning: m"


def test_report_is_sorted_by_file_then_line_and_counted():
    report = format_report([
        Diagnostic(Location("b.md", 2), "two"),
        Diagnostic(Location("a.md", 10), "three"),
        Diagnostic(Location("a.md", 9), "one"),
        Diagnostic(Location("c.md", 1), "careful", severity="warning"),
    ])
    assert report.splitlines() == [
        "a.md:9: error: one", "a.md:10: error: three", "b.md:2: error: two", "c.md:1: warning: careful",
        "3 errors, 1 warning",
    ]
    assert format_report([Diagnostic(Location("a.md", 1), "x")]).endswith("\n1 error")
    assert format_report([]) == ""


def test_build_error_carries_sorted_diagnostics():
    error = BuildError([Diagnostic(Location("b.md", 1), "b"), Diagnostic(Location("a.md", 1), "a")])
    assert [d.location.path for d in error.diagnostics] == ["a.md", "b.md"]
    assert str(error) == "a.md:1: error: a\nb.md:1: error: b\n2 errors"
    assert issubclass(ConfigError, BuildError)


def test_did_you_mean_names_the_closest_word_or_lists_them_all():
    assert did_you_mean("topic", ["title", "topics", "tags"]) == "did you mean 'topics'?"
    assert did_you_mean("zzz", ["b", "a"]) == "known keys: a, b"


def test_relative_paths_are_shown_from_the_project_root(tmp_path):
    assert relative(tmp_path / "content" / "x.md", tmp_path) == "content/x.md"
    assert relative(Path("/elsewhere/x.md"), tmp_path) == "/elsewhere/x.md"
