"""The output folder's two generations: the idle one is brought up to date and swapped in atomically.

`site/` is always an ordinary folder of files. Beside it, out of readers' sight, the build keeps
the previous generation of the site (the idle tree). A build brings the idle tree up to date with
only the files that differ from what it holds, indexes it for search, records what it now holds,
and exchanges it with `site/` in one `renameat2(RENAME_EXCHANGE)`: readers see the old site or the
new one, never a mix. The old site becomes the idle tree for the next build.

While the idle tree is being changed it carries a flag file; a build that finds the flag (one
that was killed or failed half-way) does not trust the idle tree and makes it again from the site.
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import hashlib
import os
import shutil
import stat
from pathlib import Path

from . import outdir, output, search, state
from .config import SiteConfig

FLAG = ".milei-watch-building"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)

TreeId = tuple[int, int]


def tree_id(path: Path) -> TreeId | None:
    """A folder's identity (device, inode), which follows it through renames; None when missing."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def idle_path(out_dir: Path, cache_dir: Path) -> Path:
    """Where the idle generation lives: in the build cache when it shares a file system with the
    output folder (so that the two can be exchanged), else beside the output folder."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    if os.stat(cache_dir).st_dev == os.stat(parent).st_dev:
        name = hashlib.blake2b(str(out_dir).encode(), digest_size=6).hexdigest()
        (cache_dir / "trees").mkdir(exist_ok=True)
        return cache_dir / "trees" / name
    return parent / f".{out_dir.name}.milei-watch-idle"


def prepare_idle(out_dir: Path, idle: Path, trusted: bool) -> None:
    """Make sure an idle tree exists and may be changed: unless it is `trusted` (its contents are
    on record), it is made again as a copy of the site by hard links (or as an empty folder when
    there is no site yet). Then it is flagged as being changed."""
    if not trusted or not idle.is_dir() or (idle / FLAG).exists():
        if idle.exists():
            shutil.rmtree(idle)
        if out_dir.is_dir():
            _clone(out_dir, idle)
        else:
            idle.mkdir(parents=True)
    (idle / FLAG).touch()


def clean(idle: Path) -> bool:
    """True when the idle tree was left whole by the build that last changed it."""
    return idle.is_dir() and not (idle / FLAG).exists()


def _clone(source: Path, target: Path) -> None:
    """Copy a folder tree by hard links (by bytes where the file system has none)."""
    for dirpath, _dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        folder = target if rel == "." else target / rel
        folder.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            _link(os.path.join(dirpath, name), folder / name)


def _link(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(source, target)


def _vacate(idle: Path, rel: str) -> str:
    """The path of one file of the idle tree, with any old file there removed and its folder made.

    The old one may be a hard link into the site: only a file with one link is written in place
    (`_open_own`)."""
    path = output.target(os.fspath(idle), rel)
    try:
        os.unlink(path)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def put(idle: Path, rel: str, data: bytes) -> None:
    """Write one file of the idle tree.

    A file that is the idle tree's alone (one link: not shared with the site) is written over in
    place, which neither frees its blocks nor allocates an inode: on a file system mounted with
    `discard`, unlinking a file whose blocks are on disk costs a hundred times more than the write.
    A file shared with the site, or anything but a plain file, is unlinked and written anew."""
    path = output.target(os.fspath(idle), rel)
    if not _write_over(path, data):
        output.write_new(_vacate(idle, rel), data)


def _open_own(path: str) -> int | None:
    """The plain file at `path` opened for writing over, if it has a single link (the idle tree's
    alone, checked on the open file); None for anything else: none there, a file linked into the
    site, a symbolic link, a folder."""
    try:
        fd = os.open(path, output.REWRITE_FLAGS)
    except OSError:
        return None
    facts = os.fstat(fd)
    if facts.st_nlink == 1 and stat.S_ISREG(facts.st_mode):
        return fd
    os.close(fd)
    return None


def _write_over(path: str, data: bytes) -> bool:
    """Write over a plain file with a single link, in place; False (nothing written) for anything else."""
    fd = _open_own(path)
    if fd is None:
        return False
    try:
        output.write_over(fd, data)
    finally:
        os.close(fd)
    return True


def link_from(site: Path, idle: Path, rel: str, data: bytes | None = None) -> None:
    """Give the idle tree the site's copy of one file, with its modification time (rsync and CDNs
    see no change): a hard link to it, or, where the idle tree holds an older copy of its own (one
    link), the site's bytes and times written over that copy, which would otherwise be unlinked
    and its blocks freed (see `put`). `data` is the site's file's bytes when the caller has just
    compared them, so that they are not read again."""
    source = output.target(os.fspath(site), rel)
    if not _copy_over(source, output.target(os.fspath(idle), rel), data):
        _link(source, _vacate(idle, rel))


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _copy_over(source: str, path: str, data: bytes | None = None) -> bool:
    """Write the bytes (`data`, when known) and times of `source` over the plain file at `path` if
    it has a single link; False (nothing written) for anything else."""
    fd = _open_own(path)
    if fd is None:
        return False
    try:
        try:
            reader = os.open(source, _READ_FLAGS)
        except OSError:  # the site's file is not a plain one: linked as it is
            return False
        try:
            times = os.fstat(reader)
            if data is None:
                chunks = []
                while chunk := os.read(reader, max(times.st_size, 65536)):
                    chunks.append(chunk)
                data = b"".join(chunks)
        finally:
            os.close(reader)
        output.write_over(fd, data)
        os.utime(fd, ns=(times.st_atime_ns, times.st_mtime_ns))
        return True
    finally:
        os.close(fd)


def link_tree_from(site: Path, idle: Path, rel: str) -> None:
    """Give the idle tree the site's copy of a whole folder (the search index)."""
    target = idle / rel
    if target.exists():
        shutil.rmtree(target)
    _clone(site / rel, target)


def swap(idle: Path, out_dir: Path) -> None:
    """Put the finished idle tree in place of the site in one step; the old site becomes the idle tree."""
    os.unlink(idle / FLAG)
    if not out_dir.exists():
        os.rename(idle, out_dir)
        return
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(idle), _AT_FDCWD, os.fsencode(out_dir), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
            raise OSError(code, os.strerror(code), str(out_dir))
    # No atomic exchange on this file system: two renames, with the site missing for an instant.
    aside = idle.with_name(idle.name + ".old")
    shutil.rmtree(aside, ignore_errors=True)
    os.rename(out_dir, aside)
    os.rename(idle, out_dir)
    os.rename(aside, idle)


def missing(config: SiteConfig, index: state.Index | None) -> tuple[TreeId | None, list[str]]:
    """The site's identity, and the files its record says it holds that are gone from it (someone
    deleted them): those are rendered again."""
    site = tree_id(config.output_dir)
    recorded = index.trees.get(site, {}) if index is not None else {}
    held = output.present(config.output_dir, recorded)
    return site, ([] if len(held) == len(recorded) else sorted(recorded.keys() - set(held)))


class Trees:
    """The site and its idle generation during one build: what each holds, and the swap."""

    def __init__(self, config: SiteConfig, index: state.Index | None,
                 gone: tuple[TreeId | None, list[str]] | None = None, *, later: bool = False) -> None:
        self.config = config
        self.index = index
        self.out_dir = config.output_dir
        self.idle = idle_path(self.out_dir, config.cache_dir)
        self.known = index.trees if index is not None else {}
        self.searched = dict(index.search) if index is not None else {}
        self.current_id = tree_id(self.out_dir)
        self.site = self.out_dir if self.current_id is not None else None
        self.current = dict(self.known.get(self.current_id, {}))
        if self.site is not None and not search.present(self.out_dir):
            self.searched.pop(self.current_id, None)
        self.whole = False
        self.copied = False  # whether `prepare` made the idle tree a copy of the site
        if not later:  # else the caller tells `forget` what is gone once it knows
            self.forget(gone)

    def forget(self, gone: tuple[TreeId | None, list[str]] | None) -> None:
        """Take out of what the site holds the files someone deleted from it (`missing`, unless the
        caller found them already: `gone`): those are rendered again."""
        if gone is None or gone[0] != self.current_id:
            gone = missing(self.config, self.index)
        for rel in gone[1]:
            self.current.pop(rel, None)
            if self.copied:  # the idle tree was made a copy of the site as it is: without them either
                self.held.pop(rel, None)
        # True when the site holds every file and search index its record says it holds.
        self.whole = not gone[1] and (not self.config.search or self.searched.get(self.current_id) is not None)

    def prepare(self) -> None:
        """Make the idle tree ready to change, and learn what it holds."""
        trusted = clean(self.idle) and tree_id(self.idle) in self.known
        prepare_idle(self.out_dir, self.idle, trusted)
        self.idle_id = tree_id(self.idle)
        if trusted:
            self.held = dict(self.known[self.idle_id])
        else:  # a copy of the site, or empty
            self.held = dict(self.current)
            self.copied = True
            self.searched[self.idle_id] = self.searched.get(self.current_id, "")
            if self.site is not None and not search.present(self.idle):
                self.searched.pop(self.idle_id, None)

    def confirm(self, same: dict[str, str]) -> None:
        """Record that the site already holds these pages' new bytes (they rendered as before), so
        that neither tree is rewritten for them in the next build."""
        self.current.update(same)

    def copy_statics(self, statics: dict, static_keys: dict[str, str]) -> list[str]:
        """Give the idle tree the theme's static files whose bytes it lacks; returns those readers will see change."""
        written = []
        for rel, key in static_keys.items():
            if self.held.get(rel) == key:
                if self.current.get(rel) != key:  # the idle tree has them, the site has not (or older ones)
                    written.append(rel)
                continue
            data = None if self.current.get(rel) == key else statics[rel][2].read_bytes()
            if data is None or (self.site is not None and output.same_bytes(self.out_dir / rel, data)):
                link_from(self.out_dir, self.idle, rel)
                self.current[rel] = key
            else:
                put(self.idle, rel, data)
                written.append(rel)
            self.held[rel] = key
        return written

    def settle(self, new_keys: dict[str, str], rendered: set[str], search_key: str | None) -> list[str]:
        """Finish the idle tree: the site's copy of every page it lacks that was not rendered, no page that is
        no longer produced, the search index; returns the outputs removed for readers."""
        for rel, key in new_keys.items():
            if rel not in rendered and self.held.get(rel) != key:
                link_from(self.out_dir, self.idle, rel)
        gone = sorted(self.held.keys() - new_keys.keys())
        output.prune(self.idle, gone)
        if search_key is None:
            shutil.rmtree(self.idle / "pagefind", ignore_errors=True)
        elif self.searched.get(self.idle_id) != search_key:
            if self.searched.get(self.current_id) == search_key:
                link_tree_from(self.out_dir, self.idle, "pagefind")
            else:
                search.index_site(self.idle, self.config.cache_dir)
        self.new_keys, self.search_key = new_keys, search_key
        return sorted(self.current.keys() - new_keys.keys())

    def commit(self, record: state.Index, manifest: state.Manifest) -> None:
        """Record what both trees hold, then swap them: the idle tree becomes the site."""
        outdir.mark(self.idle)
        record.trees = {self.idle_id: self.new_keys}
        record.search = {self.idle_id: self.search_key or ""}
        if self.current_id is not None:
            record.trees[self.current_id] = self.current
            record.search[self.current_id] = self.searched.get(self.current_id, "")
        state.save_index(self.config.cache_dir, record)
        swap(self.idle, self.out_dir)
        state.save_manifest(self.config.cache_dir, dataclasses.replace(manifest, tree=self.idle_id))
