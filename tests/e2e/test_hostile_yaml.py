"""Hostile or broken YAML in any of the four documents fails fast through the CLI, naming the file and line."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

ALIASES = "anchors and aliases (&x, *x) are not allowed"
TOO_DEEP = "lists and mappings nest more than 20 levels deep"


def bomb() -> str:
    """A billion-laughs value (9^9 strings once expanded) in flow style, for any field."""
    parts = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    parts += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return " [" + ", ".join(parts) + "]"


def plant(root: Path, document: str, value: str) -> tuple[str, tuple[str, ...], int]:
    """Write `value` (text that follows 'key:') into a field of one document; the file shown, the command
    that reads it and its exit code."""
    content = root / "content"
    if document == "site.yaml":
        with (content / "site.yaml").open("a", encoding="utf-8") as handle:
            handle.write(f"subject_terms:{value}\n")
        return "content/site.yaml", ("build",), 2
    if document == "authors.yaml":
        with (content / "authors.yaml").open("a", encoding="utf-8") as handle:
            handle.write(f"- slug: columnist\n  name: Columnista\n  bio:{value}\n")
        return "content/authors.yaml", ("build",), 1
    if document == "front matter":
        (content / "articles" / "hostil.md").write_text(
            f"---\ntitle: Hostil\ndate: 2026-01-15\ntopics: [economy]\nsummary: S\ntags:{value}\n---\nCuerpo.\n",
            "utf-8")
        return "content/articles/hostil.md", ("build",), 1
    (content / "feeds.yaml").write_text(f"- name: wire\n  url: https://example.org/feed.xml\n  topics:{value}\n",
                                        "utf-8")
    return "content/feeds.yaml", ("check",), 1


DOCUMENTS = ["site.yaml", "authors.yaml", "front matter", "feeds.yaml"]


def _fails_fast(root: Path, document: str, value: str, message: str, limit: float) -> str:
    shown, command, code = plant(root, document, value)
    before = snapshot(root / "site") if (root / "site").exists() else None
    started = time.perf_counter()
    result = run_cli(*command, "--root", root, timeout=limit + 30)
    elapsed = time.perf_counter() - started
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    first = next(line for line in result.stderr.splitlines() if ": error: " in line)  # check also warns
    assert re.match(rf"{re.escape(shown)}:\d+: error: ", first), result.stderr
    assert message in first, result.stderr
    assert elapsed < limit, f"{elapsed:.1f} s"
    if before is not None:
        assert snapshot(root / "site") == before
    return first


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_alias_bomb_fails_in_under_two_seconds_naming_the_file(site_root, document):
    first = _fails_fast(site_root, document, bomb(), ALIASES, 2)
    assert len(first) < 200  # the bomb is not echoed


def _nested(depth: int, indent: str) -> str:
    return f"\n{indent}" + "- " * depth + "x"


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("value", [
    lambda indent: _nested(300, indent),
    lambda indent: _nested(5000, indent),
    lambda indent: " " + "[" * 20000,
], ids=["300-levels", "5000-levels", "20000-brackets"])
def test_deep_nesting_fails_in_under_ten_seconds_naming_the_file(site_root, document, value):
    indent = "    " if document in ("authors.yaml", "feeds.yaml") else "  "
    _fails_fast(site_root, document, value(indent), TOO_DEEP, 10)


@pytest.mark.parametrize("document, text, line, first", [
    ("site.yaml", "per_page: 3\n", None, 7),   # appended: the line after the file's last
    ("front matter", "title: Otra vez\n", 6, 2),
])
def test_a_duplicate_key_names_both_lines(site_root, document, text, line, first):
    if document == "site.yaml":
        line = len((site_root / "content" / "site.yaml").read_text("utf-8").splitlines()) + 1
        with (site_root / "content" / "site.yaml").open("a", encoding="utf-8") as handle:
            handle.write(text)
        shown, code = "content/site.yaml", 2
    else:
        (site_root / "content" / "articles" / "doble.md").write_text(
            f"---\ntitle: Doble\ndate: 2026-01-15\ntopics: [economy]\nsummary: S\n{text}---\nCuerpo.\n", "utf-8")
        shown, code = "content/articles/doble.md", 1
    result = run_cli("build", "--root", site_root)
    key = text.split(":")[0]
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines()[:2] == [
        f"{shown}:{line}: error: duplicate key '{key}': first on line {first}, again on line {line}",
        "    hint: keep one of the two",
    ]


def test_values_in_messages_are_shortened(site_root):
    long = "mañana " * 40
    (site_root / "content" / "articles" / "largo.md").write_text(
        f"---\ntitle: Largo\ndate: {long}\ntopics: [economy]\nsummary: S\nkind: {long}\n---\nCuerpo.\n", "utf-8")
    result = run_cli("build", "--root", site_root)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    shown = f"'{long[:40]}…'"
    assert errors == [
        f"content/articles/largo.md:3: error: 'date' is not a date: {shown}",
        f"content/articles/largo.md:6: error: unknown kind {shown}",
    ]
