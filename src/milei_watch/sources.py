"""Content files: sorted discovery, strict UTF-8 reading, front matter split and parsed with lines, hashing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from . import forked, links, yamlload
from .errors import BuildError, Diagnostic, Location


class SourceDoc(NamedTuple):
    """One Markdown file split into front matter and body, without its body text kept in memory.

    A named tuple, like model.Article: a build reads one back from its cache for every source."""

    rel: str                      # path shown to editors, relative to the project root
    kind: str                     # "article", "inbox" or "page"
    meta: dict[str, Any]
    lines: dict[tuple[Any, ...], int]  # front-matter key path ('sources', 0, 'url') → 1-based file line
    meta_first_line: int          # file line of the first front-matter line
    body_line: int                # file line where the body starts
    digest: str                   # whole file
    meta_digest: str              # front matter only: what listings show
    body_digest: str              # body only: what the Markdown renderer sees
    words: int
    body_assets: tuple[str, ...] = ()  # files of content/images/ and content/data/ the body may show

    def line(self, path: tuple[Any, ...]) -> int:
        """The file line of a front-matter key path, or of its nearest parent; 1 (the '---') for ()."""
        return yamlload.nearest_line(self.lines, path)


class FileStamp(NamedTuple):
    """What a file's stat says; equal stamps mean unchanged bytes unless the file is racily new.

    A named tuple: every build makes one for each of the site's sources, and the index keeps them
    as the plain (size, mtime_ns, ctime_ns, ino) tuples they are equal to."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int

    @classmethod
    def of(cls, st: os.stat_result) -> "FileStamp":
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


FOLDERS = (("articles", "article"), ("inbox", "inbox"), ("pages", "page"))


def discover(content_dir: Path, *, root: Path | None = None, out_dir: Path | None = None,
             ) -> list[tuple[str, str, str]]:
    """Every Markdown source in sorted order as (file path, path under content/, kind).

    Links are followed only where `links.follow` allows (inside `root`, by default the folder
    holding content/, and outside `out_dir`, by default its site/); raises BuildError naming
    every other link. Plain strings and os.scandir rather than pathlib: at ten thousand files the
    Path objects alone cost more than the stat calls, and only entries that are links (which
    scandir tells for free) pay for a real-path lookup.
    """
    root = Path(content_dir).parent if root is None else root
    bounds = links.Bounds.of(root, Path(root) / "site" if out_dir is None else out_dir)
    content = Path(content_dir)
    if not content.is_relative_to(root):  # content/ kept elsewhere: walk it from its own parent
        root = content.parent
    prefix = content.relative_to(root).as_posix()
    found: list[tuple[str, str, str]] = []
    refused: list[Diagnostic] = []
    for folder, kind in FOLDERS:
        if not os.path.lexists(os.path.join(content_dir, folder)):
            continue
        files, problems = links.walk(root, f"{prefix}/{folder}", bounds, hidden=False, suffix=".md")
        refused += problems
        found.extend((path, f"{folder}/{name}", kind) for path, name in files)
    if refused:
        raise BuildError(refused)
    found.sort(key=lambda item: item[1])
    return found


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _split(text: str) -> tuple[str, str, int | None] | None:
    """The front matter and the body of a text whose first line opens front matter ('---'), and the
    index of the line that closes it (None when none does); None when the first line opens none.

    The closing line is found by looking for line ends up to it only: the body is never cut into lines."""
    start = text.find("\n") + 1  # where line 1 starts; 0 when there is none
    if (text[:start - 1] if start else text).rstrip() != "---":
        return None
    if not start:
        return "", "", None
    first, index = start, 1
    while True:
        stop = text.find("\n", start)
        line = text[start:] if stop < 0 else text[start:stop]
        if line.rstrip() in ("---", "..."):
            return text[first:start - 1] if index > 1 else "", "" if stop < 0 else text[stop + 1:], index
        if stop < 0:
            return "", "", None
        start, index = stop + 1, index + 1


def parse_source(raw: bytes, rel: str, kind: str, bodies: dict[str, str] | None = None) -> SourceDoc | Diagnostic:
    """Split and parse one file's bytes; a problem comes back as a Diagnostic. The body text is
    put in `bodies` (by rel) when given, so that a build reads each body once."""
    if not raw.strip():
        return Diagnostic(Location(rel, 1), "the file is empty",
                          "start it with front matter between '---' lines, then the article body")
    try:
        text = yamlload.decode(raw)
    except yamlload.YamlProblem as exc:
        return exc.diagnostic(rel)
    split = _split(text)
    if split is None:
        return Diagnostic(Location(rel, 1), "missing front matter: the file must start with a '---' line",
                          "add front matter with title, date, topics and summary between '---' lines")
    meta_text, body, end = split
    if end is None:
        return Diagnostic(Location(rel, 1), "front matter is not closed",
                          "add a '---' line after the last front-matter line")
    try:
        document = yamlload.load(meta_text, first_line=2)
    except yamlload.YamlProblem as exc:
        return exc.diagnostic(rel)
    meta = {} if document.value is None else document.value
    if not isinstance(meta, dict):
        return Diagnostic(Location(rel, 2), f"front matter must be a mapping of keys, not {yamlload.type_name(meta)}",
                          "write front matter as 'key: value' lines")
    meta_bytes = meta_text.encode("utf-8")
    body_bytes = body.encode("utf-8")
    if bodies is not None:
        bodies[rel] = body
    return SourceDoc(
        rel=rel,
        kind=kind,
        meta=meta,
        lines=document.lines,
        meta_first_line=2,
        body_line=end + 2,
        digest=hash_bytes(raw),
        meta_digest=hash_bytes(rel.encode() + b"\0" + meta_bytes),
        body_digest=hash_bytes(body_bytes),
        words=len(body.split()),
        body_assets=_references(rel, body),
    )


def _references(rel: str, body: str) -> tuple[str, ...]:
    """The images and chart data a body may show (assets.references), found as it is read so that
    page keys can cover them before anything is rendered."""
    from .assets import references  # at call time: assets imports this module

    return references(rel, body)


def read_body(path: Path) -> str:
    """The Markdown body of a file (everything after the closing front-matter line)."""
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    split = _split(text)
    return split[1] if split is not None and split[2] is not None else ""


def scan(content_dir: Path, *, root: Path | None = None, out_dir: Path | None = None,
         ) -> list[tuple[str, str, str, FileStamp | OSError]]:
    """Every source as (file path, path under content/, kind, stat or the error stat raised).

    Raises BuildError for links `discover` refuses."""
    found: list[tuple[str, str, str, FileStamp | OSError]] = []
    for path, shown, kind in discover(content_dir, root=root, out_dir=out_dir):
        try:
            st = os.stat(path)
        except OSError as exc:
            found.append((path, shown, kind, exc))
            continue
        found.append((path, shown, kind, FileStamp.of(st)))
    return found


# From this many files to parse, a forked child parses every other one (forked.interleaved): a
# front matter takes about 0.2 ms, a fork and the results' way back a few milliseconds per thousand.
PARSE_FORK_THRESHOLD = 1000


def read_all(root: Path, content_dir: Path, known: dict[str, tuple[FileStamp, SourceDoc]],
             racy_before_ns: int, scanned: list[tuple[str, str, str, FileStamp | OSError]] | None = None,
             *, out_dir: Path | None = None, bodies: dict[str, str] | None = None, workers: int = 1,
             ) -> tuple[list[SourceDoc], list[Diagnostic], dict[str, tuple[FileStamp, SourceDoc]]]:
    """Read every source, reusing `known` entries whose stat is unchanged and not racily new.

    `scanned` is the result of `scan` when the caller has already looked at the files; otherwise
    they are scanned here, and a refused link raises BuildError. With more than one worker and many
    files to parse (a first build), a forked child parses every other one.
    """
    content = Path(content_dir)
    prefix = content.relative_to(root).as_posix() + "/" if content.is_relative_to(root) else content.as_posix() + "/"
    # Each source's outcome in scan order: a stat's error, a known entry, or a file to parse.
    outcomes: list[tuple[str, Any, Any]] = []
    todo: list[tuple[str, str, str]] = []
    for path, shown, kind, stamp in (scan(content, root=root, out_dir=out_dir) if scanned is None else scanned):
        rel = prefix + shown
        if isinstance(stamp, OSError):
            outcomes.append((rel, stamp, None))
            continue
        cached = known.get(rel)
        if cached is not None and cached[0] == stamp and stamp.mtime_ns < racy_before_ns \
                and cached[1].kind == kind:
            outcomes.append((rel, stamp, cached))
            continue
        outcomes.append((rel, stamp, len(todo)))
        todo.append((path, rel, kind))
    if workers > 1 and len(todo) >= PARSE_FORK_THRESHOLD and hasattr(os, "fork"):
        parsed = forked.interleaved(_parse_files, todo, pickled=True)
    else:
        parsed = _parse_files(todo)
    docs: list[SourceDoc] = []
    problems: list[Diagnostic] = []
    seen: dict[str, tuple[FileStamp, SourceDoc]] = {}
    for rel, stamp, outcome in outcomes:
        if isinstance(stamp, OSError):
            problems.append(Diagnostic(Location(rel), f"cannot read the file: {stamp.strerror}"))
        elif isinstance(outcome, tuple):
            docs.append(outcome[1])
            seen[rel] = outcome
        else:
            result, body = parsed[outcome]
            if isinstance(result, Diagnostic):
                problems.append(result)
                continue
            if bodies is not None:
                bodies[rel] = body
            docs.append(result)
            seen[rel] = (stamp, result)
    return docs, problems, seen


def _parse_files(files: Sequence[tuple[str, str, str]]) -> list[tuple[SourceDoc | Diagnostic, str | None]]:
    """Each file (path, path shown, kind) read and parsed: the document or what is wrong, and its body."""
    results: list[tuple[SourceDoc | Diagnostic, str | None]] = []
    for path, rel, kind in files:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            results.append((Diagnostic(Location(rel), f"cannot read the file: {exc.strerror}"), None))
            continue
        text: dict[str, str] = {}
        results.append((parse_source(raw, rel, kind, text), text.get(rel)))
    return results
