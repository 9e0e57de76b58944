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
