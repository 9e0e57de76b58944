"""The disposable build cache in .milei_watch/: what was read, rendered and written last time."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .output import write_atomic
from .sources import FileStamp, SourceDoc

FORMAT = 3
# A file modified this close to the previous scan may have changed again within the same
# timestamp tick, so its stat is not trusted (git's "racy clean" rule).
RACY_MARGIN_NS = 2_000_000_000


@dataclass
class BuildState:
    """What the previous build knew; every field can be rebuilt from the sources."""

    scan_started_ns: int = 0
    files: dict[str, tuple[FileStamp, SourceDoc]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)          # output → page key
    outputs: set[str] = field(default_factory=set)                # every file written last time
    static: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)
    related: tuple[str, dict[str, tuple[str, ...]]] = ("", {})
    search_key: str = ""

    @property
    def racy_before_ns(self) -> int:
        return self.scan_started_ns - RACY_MARGIN_NS


@dataclass(frozen=True, slots=True)
class Manifest:
    """A small summary of the last complete build: if the inputs still match it, there is nothing to do."""

    inputs: str                 # package, config, templates, authors, static files and build options
    files: str                  # digest of every content file's path and stat
    racy_before_ns: int
    valid_until: float | None   # when the clock alone changes the site (schedule, expiry, news window)
    pages: int
    articles: int
    drafts_skipped: int
    next_scheduled: Any


def _manifest_path(cache_dir: Path) -> Path:
    return cache_dir / "manifest.pickle"


def load_manifest(cache_dir: Path) -> Manifest | None:
    try:
        with _manifest_path(cache_dir).open("rb") as handle:
            header, manifest = pickle.load(handle)
    except Exception:  # missing or damaged: the full path decides
        return None
    if header != (FORMAT, __version__) or not isinstance(manifest, Manifest):
        return None
    return manifest


def save_manifest(cache_dir: Path, manifest: Manifest) -> None:
    write_atomic(_manifest_path(cache_dir), pickle.dumps(((FORMAT, __version__), manifest)))


def drop_manifest(cache_dir: Path) -> None:
    """Forget the last build's summary before changing anything, so a killed build is never trusted."""
    try:
        _manifest_path(cache_dir).unlink()
    except FileNotFoundError:
        pass


def scan_stamps(folders: list[tuple[Path, str]]) -> tuple[str, int]:
    """Digest of every Markdown file's path and stat under the given folders, and the newest mtime."""
    digest = hashlib.blake2b(digest_size=16)
    newest = 0
    for base, prefix in folders:
        stack = [(str(base), prefix)]
        while stack:
            folder, shown = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except FileNotFoundError:
                continue
            subfolders = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=True):
                    subfolders.append((entry.path, f"{shown}/{entry.name}"))
                elif entry.name.endswith(".md") or prefix == "static":
                    st = entry.stat()
                    newest = max(newest, st.st_mtime_ns)
                    digest.update(f"{shown}/{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0"
                                  f"{st.st_ino}\n".encode())
            stack.extend(reversed(subfolders))
    return digest.hexdigest(), newest


def _path(cache_dir: Path) -> Path:
    return cache_dir / "state.pickle"


def load(cache_dir: Path, out_dir: Path) -> tuple[BuildState | None, str]:
    """The previous state, or None with the reason a clean build is needed."""
    path = _path(cache_dir)
    if not path.exists():
        return None, ""
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
            if header != (FORMAT, __version__, str(out_dir)):
                return None, "build cache is from another version or output folder; building everything"
            state = pickle.load(handle)
        if not isinstance(state, BuildState):
            raise TypeError("not a build state")
        return state, ""
    except Exception:  # any damage to a disposable cache means a clean build
        return None, "build cache is unreadable; building everything"


def save(cache_dir: Path, out_dir: Path, state: BuildState) -> None:
    """Write the state atomically so a killed build never leaves half a cache."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps((FORMAT, __version__, str(out_dir)), protocol=pickle.HIGHEST_PROTOCOL) + \
        pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(_path(cache_dir), data)


def discard(cache_dir: Path) -> None:
    try:
        _path(cache_dir).unlink()
    except FileNotFoundError:
        pass


def html_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "html" / key[:2] / f"{key}.html"


def content_key(*parts: Any) -> str:
    """A short stable hash of the parts' representations."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def now_ns() -> int:
    return time.time_ns()


def file_stamp(path: Path) -> FileStamp:
    return FileStamp.of(os.stat(path))
