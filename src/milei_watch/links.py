"""Symbolic links in content/ and templates/: followed only while they stay inside the project."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import NamedTuple

from .errors import Diagnostic, Location

# A link that leaves the project would publish whatever it points at: /etc/passwd, or in CI
# /proc/self/environ with the runner's secrets.
COPY_HINT = "replace the link with a copy of the file, or point it inside the project"


class Bounds(NamedTuple):
    """Where a followed link may land (the project) and may not (the output folder), as real paths."""

    root: str
    out: str

    @classmethod
    def of(cls, root: Path | str, out_dir: Path | str) -> "Bounds":
        return cls(os.path.realpath(root), os.path.realpath(out_dir))

    def shown(self, real: str) -> str:
        """A real path as the user knows it: relative to the project when inside it."""
        return os.path.relpath(real, self.root) if _within(real, self.root) else real


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def follow(path: str, shown: str, bounds: Bounds, chain: tuple[str, ...]) -> str | Diagnostic:
    """The real path the link at `path` leads to, or why it is refused.

    `shown` is the link's path relative to the project; `chain` is the real path of every folder
    being walked down to the link, so that a folder link back to one of them is caught as a loop.
    Only ever called for entries that are links: the real-path lookup costs a stat per component.
    """
    try:
        text = os.readlink(path)
    except OSError:
        text = "?"
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Diagnostic(Location(shown), f"symbolic link loops: following '{text}' never reaches a file",
                              "remove the link, or replace it with a copy of the file")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Diagnostic(Location(shown), f"symbolic link points to '{text}', which does not exist", COPY_HINT)
        return Diagnostic(Location(shown), f"symbolic link to '{text}' cannot be followed: {exc.strerror}",
                          COPY_HINT)
    if not _within(real, bounds.root):
        where = f"'{text}'" if text == real else f"'{text}' ({real})"
        return Diagnostic(Location(shown), f"symbolic link points outside the project, to {where}", COPY_HINT)
    if _within(real, bounds.out):
        return Diagnostic(Location(shown), f"symbolic link points into the output folder, to {bounds.shown(real)}",
                          "replace the link with a copy of the file, or point it at its source in content/ or "
                          "templates/")
    for folder in chain:
        if _within(folder, real):
            target = "the project folder" if real == bounds.root else bounds.shown(real) + "/"
            return Diagnostic(Location(shown), f"symbolic link loops: it points to {target}, a folder that contains it",
                              "remove the link, or point it at a folder that does not contain it")
    return real


def enter(root: Path | str, rel: str, bounds: Bounds) -> tuple[str, ...] | Diagnostic:
    """The real paths of the folders from the project root down to `rel` (e.g. 'templates/static'),
    judging any link on the way by the same rule; the chain a walk of `rel` starts from."""
    chain = (bounds.root,)
    path = os.fspath(root)
    parts = rel.split("/")
    for depth, part in enumerate(parts):
        path = os.path.join(path, part)
        if os.path.islink(path):
            real = follow(path, "/".join(parts[:depth + 1]), bounds, chain)
            if isinstance(real, Diagnostic):
                return real
        else:
            real = os.path.join(chain[-1], part)
        chain += (real,)
    return chain


def walk(root: Path | str, rel: str, bounds: Bounds, *, hidden: bool = True,
         skip: frozenset[str] = frozenset(), suffix: str = "") -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Every file under the project folder `rel` as (file path, path under `rel`), and every link refused.

    Folders are walked top-down, each folder's files by name before its subfolders by name (the
    order of os.walk with sorted names). Links are followed when `follow` allows; `hidden` keeps
    names starting with '.', `skip` leaves out those paths under `rel`, and `suffix` keeps only
    files whose names end with it (a link to any other file is never read, so never followed)."""
    found: list[tuple[str, str]] = []
    refused: list[Diagnostic] = []
    chain = enter(root, rel, bounds)
    if isinstance(chain, Diagnostic):
        return found, [chain]
    stack = [(os.path.join(root, rel), "", chain)]
    while stack:
        directory, under, chain = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        below = []
        for entry in entries:
            name = under + entry.name
            if (not hidden and entry.name.startswith(".")) or name in skip:
                continue
            if entry.is_symlink():
                if suffix and not name.endswith(suffix) and not entry.is_dir():
                    continue
                real = follow(entry.path, f"{rel}/{name}", bounds, chain)
                if isinstance(real, Diagnostic):
                    refused.append(real)
                elif os.path.isdir(real):
                    below.append((entry.path, name + "/", chain + (real,)))
                elif name.endswith(suffix):
                    found.append((entry.path, name))
            elif entry.is_dir():
                below.append((entry.path, name + "/", chain + (os.path.join(chain[-1], entry.name),)))
            elif name.endswith(suffix):
                found.append((entry.path, name))
        stack.extend(reversed(below))
    return found, refused
