"""Reading content files: discovery order, strict UTF-8, front matter with line numbers, digests."""

from __future__ import annotations

import pytest

from milei_watch.errors import Diagnostic
from milei_watch.sources import discover, parse_source, read_all, read_body

ARTICLE = """---
title: "Año uno"
date: 2026-01-10
topics: [economy]
summary: S
---
## Cuerpo

Texto del artículo.
"""


def _parse(text: str | bytes, rel: str = "content/articles/x.md"):
    return parse_source(text.encode("utf-8") if isinstance(text, str) else text, rel, "article")


def test_front_matter_is_split_with_key_lines():
    doc = _parse(ARTICLE)
    assert doc.meta["title"] == "Año uno"
    assert doc.lines == {("title",): 2, ("date",): 3, ("topics",): 4, ("topics", 0): 4, ("summary",): 5}
    assert doc.meta_first_line == 2
    assert doc.body_line == 7
    assert doc.words == 5


def test_byte_order_mark_and_windows_line_endings_are_accepted():
    doc = _parse(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    assert doc.meta["summary"] == "S" and doc.line(("summary",)) == 5


def test_dots_also_close_front_matter():
    doc = _parse(ARTICLE.replace("\n---\n## Cuerpo", "\n...\n## Cuerpo"))
    assert doc.meta["topics"] == ["economy"] and doc.body_line == 7


def test_empty_front_matter_is_an_empty_mapping():
    assert _parse("---\n---\nBody\n").meta == {}


def test_digests_separate_what_listings_show_from_the_body():
    doc = _parse(ARTICLE)
    retitled = _parse(ARTICLE.replace("Año uno", "Año dos"))
    edited = _parse(ARTICLE.replace("Texto", "Otro texto"))
    assert retitled.meta_digest != doc.meta_digest and retitled.body_digest == doc.body_digest
    assert edited.meta_digest == doc.meta_digest and edited.body_digest != doc.body_digest
    assert len({doc.digest, retitled.digest, edited.digest}) == 3
    moved = _parse(ARTICLE, "content/articles/y.md")
    assert moved.meta_digest != doc.meta_digest  # a listing links to the path's article


@pytest.mark.parametrize("raw, line, column, message", [
    (b"", 1, 0, "the file is empty"),
    (b"  \n\n", 1, 0, "the file is empty"),
    (b"title: x\n", 1, 0, "missing front matter: the file must start with a '---' line"),
    (b"---\ntitle: x\n", 1, 0, "front matter is not closed"),
    (b"---\ntitle: a: b\n---\n", 2, 0, "invalid YAML: mapping values are not allowed in this context"),
    (b"---\n- a\n---\n", 2, 0, "front matter must be a mapping of keys, not a list"),
    (b"---\njust text\n---\n", 2, 0, "front matter must be a mapping of keys, not text"),
    (b"---\ntitle: x\n---\nA\xf1o\n", 4, 2, "not UTF-8 text (byte 0xf1 cannot start a character here)"),
])
def test_unreadable_files_come_back_as_diagnostics(raw, line, column, message):
    result = _parse(raw)
    assert isinstance(result, Diagnostic)
    assert (result.location.path, result.location.line, result.location.column) == ("content/articles/x.md",
                                                                                    line, column)
    assert result.message == message
    assert result.hint


def test_discover_is_sorted_and_skips_hidden_and_other_files(tmp_path):
    content = tmp_path / "content"
    for rel in ["articles/b.md", "articles/a.md", "articles/sub/c.md", "articles/.hidden.md", "articles/notes.txt",
                "articles/.git/x.md", "inbox/z.md", "pages/about.md", "other/ignored.md"]:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(ARTICLE, "utf-8")
    found = [(shown, kind) for _path, shown, kind in discover(content)]
    assert found == [("articles/a.md", "article"), ("articles/b.md", "article"), ("articles/sub/c.md", "article"),
                     ("inbox/z.md", "inbox"), ("pages/about.md", "page")]


def test_read_all_collects_every_problem_and_reuses_unchanged_files(tmp_path):
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    (articles / "good.md").write_text(ARTICLE, "utf-8")
    (articles / "empty.md").write_text("", "utf-8")
    (articles / "open.md").write_text("---\ntitle: x\n", "utf-8")
    docs, problems, files = read_all(tmp_path, tmp_path / "content", {}, 0)
    assert [d.rel for d in docs] == ["content/articles/good.md"]
    assert [p.location.path for p in problems] == ["content/articles/empty.md", "content/articles/open.md"]
    # an entry whose stat matches and predates the racy window is reused as is
    again, _problems, _files = read_all(tmp_path, tmp_path / "content", files, 2**62)
    assert again[0] is docs[0]
    # inside the racy window the file is read again
    fresh, _problems, _files = read_all(tmp_path, tmp_path / "content", files, 0)
    assert fresh[0] is not docs[0] and fresh[0] == docs[0]


def test_read_body_returns_what_follows_the_front_matter(tmp_path):
    path = tmp_path / "x.md"
    path.write_text(ARTICLE, "utf-8")
    assert read_body(path) == "## Cuerpo\n\nTexto del artículo.\n"


def _split_by_lines(text: str):
    """The front matter split as it was made before sources._split: the whole text cut into lines."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    end = next((index for index in range(1, len(lines)) if lines[index].rstrip() in ("---", "...")), None)
    if end is None:
        return "", "", None
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1:]), end


def test_the_front_matter_split_is_the_one_whole_lines_give():
    import random

    from milei_watch.sources import _split
    rng = random.Random(20261202)
    pieces = ["---", "...", "--- ", "---\r", " ---", "a: 1", "", "x", "\u2028", "\x85", "-- -", "....", "\t"]
    for _ in range(5000):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if rng.random() < 0.5:
            text = "---" + rng.choice(["", " ", "\r", "x"]) + ("\n" + text if rng.random() < 0.9 else "")
        assert _split(text) == _split_by_lines(text), repr(text)


def test_files_parsed_half_in_a_forked_child_read_as_in_one_process(tmp_path, forks, monkeypatch):
    from milei_watch import sources
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for n in range(9):
        (articles / f"a{n}.md").write_text(ARTICLE.replace("Año uno", f"Año {n}"), "utf-8")
    (articles / "empty.md").write_text("", "utf-8")
    (articles / "open.md").write_text("---\ntitle: x\n", "utf-8")
    (articles / "bad.md").write_bytes(b"---\ntitle: \xff\n---\nbody\n")
    alone_bodies: dict[str, str] = {}
    alone = read_all(tmp_path, tmp_path / "content", {}, 0, bodies=alone_bodies)
    monkeypatch.setattr(sources, "PARSE_FORK_THRESHOLD", 2)
    shared_bodies: dict[str, str] = {}
    shared = read_all(tmp_path, tmp_path / "content", {}, 0, bodies=shared_bodies, workers=2)
    assert len(forks) == 1
    assert shared == alone and list(shared_bodies.items()) == list(alone_bodies.items())
    assert [p.location.path for p in shared[1]] == ["content/articles/bad.md", "content/articles/empty.md",
                                                    "content/articles/open.md"]
