"""Writing the site: atomic write-if-changed confined to the output folder, static copy, pruning."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Iterable

# Folders under site/ that other tools own and rebuild on their own.
FOREIGN = ("pagefind",)


class OutputEscape(ValueError):
    """An output path that would land outside the output folder."""


def target(out_dir: Path | str, rel: str) -> Path | str:
    """The file for `rel` under `out_dir`, refusing anything that escapes it; a plain string for a
    string folder (the render loop's form: a Path costs more to make than the write it names)."""
    if rel.startswith(("/", "\\")) or ".." in rel.split("/") or "\\" in rel or "\0" in rel:
        raise OutputEscape(rel)
    return out_dir + os.sep + rel if isinstance(out_dir, str) else out_dir / rel


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
# Opening a file to write it over in place: never through a symbolic link.
REWRITE_FLAGS = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over the target.

    The temporary name is derived from the process id rather than tempfile's random
    names: as cheap as a plain open, and unique because one process writes one file at a time.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, _FLAGS, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _FLAGS, 0o644)
    except FileExistsError:  # left by a killed build of a process with the same id
        os.unlink(tmp)
        fd = os.open(tmp, _FLAGS, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def same_bytes(path: Path | str, data: bytes) -> bool:
    """True when the file already holds exactly `data`."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def write_new(path: Path | str, data: bytes) -> None:
    """Write a file that nothing else can see yet (a staging tree), making its folder if needed.

    Plain os calls: a clean build writes tens of thousands of these, and a buffered file object
    costs three more system calls each (fstat, ioctl, lseek) for one write."""
    fd = _open_in_folder(path, _NEW_FLAGS)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def write_in_place(path: Path | str, data: bytes) -> None:
    """Write a file that may already exist with the same or other bytes (a cache entry), in place.

    It is opened without truncation and cut to length once written: on ext4, truncating a file
    that holds data when it is opened makes its close wait until the new data has blocks on disk
    (the file system's guard against a replacement lost in a crash), which costs a hundred times
    more than the write. A reader can see a mix of old and new bytes, so only files whose contents
    carry their own checksum are written this way."""
    fd = _open_in_folder(path, REWRITE_FLAGS | os.O_CREAT)
    try:
        write_over(fd, data)
    finally:
        os.close(fd)


def write_over(fd: int, data: bytes) -> None:
    """Write every byte over a file just opened without truncation, and cut it to their length."""
    write_all(fd, data)
    os.ftruncate(fd, len(data))


def _open_in_folder(path: Path | str, flags: int) -> int:
    """Open a file for writing, making its folder first when it is missing."""
    try:
        return os.open(path, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return os.open(path, flags, 0o644)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to an open file (os.write may write fewer than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def replace_tree(tree: Path, target: Path) -> None:
    """Put a finished folder in place of `target` (which may exist), leaving nothing of the old one.

    On one file system the old folder is renamed aside first, so `target` is missing for an
    instant at most; across file systems it is copied."""
    aside = tree.with_name(tree.name + ".old")
    shutil.rmtree(aside, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if target.exists():
            os.rename(target, aside)
        try:
            os.rename(tree, target)
        except OSError:
            if aside.exists() and not target.exists():
                os.rename(aside, target)  # the old folder goes back rather than be lost
            raise
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(tree, target)
        shutil.rmtree(tree, ignore_errors=True)
    shutil.rmtree(aside, ignore_errors=True)


def static_files(static_dir: Path, *, root: Path | None = None, out_dir: Path | None = None,
                 ) -> list[tuple[str, Path]]:
    """Every file of the theme's static folder as (output path, source path), sorted.

    Links are followed only where `links.follow` allows (inside `root`, by default the folder
    holding templates/, and outside `out_dir`, by default its site/): everything here is
    published as it is. Raises BuildError naming every other link."""
    from . import links  # kept local: nothing else in this module needs the package
    from .errors import BuildError

    root = static_dir.parent.parent if root is None else root
    bounds = links.Bounds.of(root, root / "site" if out_dir is None else out_dir)
    files, refused = links.walk(root, static_dir.relative_to(root).as_posix(), bounds, hidden=False)
    if refused:
        raise BuildError(refused)
    return [("static/" + name, Path(path)) for path, name in files]


def present(folder: Path, rels: Iterable[str]) -> list[str]:
    """Those of `rels` that exist under `folder` (all of them, in order, when none is missing).

    Looked up relative to the folder's descriptor: twice as quick as `os.path.isfile` on full
    paths, which matters when a build checks every one of the site's 15,000 files."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return []
    try:
        return [rel for rel in rels if os.access(rel, os.F_OK, dir_fd=fd)]
    finally:
        os.close(fd)


def existing_files(out_dir: Path) -> set[str]:
    """Every file under the output folder except those of foreign tools and the ownership marker."""
    from .outdir import MARKER  # kept local: outdir writes through this module

    found = set()
    if not out_dir.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(out_dir):
        rel_dir = Path(dirpath).relative_to(out_dir).as_posix()
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in FOREIGN]
            filenames = [name for name in filenames if name != MARKER]  # never pruned: it says the folder is ours
            prefix = ""
        else:
            prefix = rel_dir + "/"
        for name in filenames:
            found.add(prefix + name)
    return found


def prune(out_dir: Path, stale: Iterable[str]) -> int:
    """Remove outputs no longer produced, and folders they leave empty."""
    removed = 0
    folders = set()
    for rel in sorted(stale):
        path = target(out_dir, rel)
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        folders.update(path.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder == out_dir or out_dir not in folder.parents:
            continue
        try:
            folder.rmdir()
        except OSError:
            pass
    return removed
