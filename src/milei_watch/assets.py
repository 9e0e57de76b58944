"""Content files that are not Markdown: pictures in content/images/ and chart data in content/data/.

Which addresses name them, which of them a body may show (found when the body is read, so that a
page's key can cover them before anything is rendered), and the registry of their digests and image
facts, kept in the build cache as `assets.pickle`, so that an unchanged file costs one stat.
"""

from __future__ import annotations

import os
import pickle
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from typing import NamedTuple

from . import __version__, images, links
from .errors import BuildError
from .output import write_atomic
from .sources import FileStamp, hash_bytes

IMAGES = "content/images/"
DATA = "content/data/"
FOLDERS = ("images", "data")
DATA_TYPES = (".csv", ".yaml", ".yml")
DATA_MAX_BYTES = 5 * 1024 * 1024  # a chart draws at most 1,000 rows: a table this size is a mistake
CACHE_FILE = "assets.pickle"
_FORMAT = 2  # 2: stats as named tuples

# A fenced block an editor writes as ```chart (or ~~~chart); markup.py draws it, and reads its lines
# by the same pattern, so that a block found here is the block drawn there.
CHART_FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*chart[ \t]*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_DATA_LINE = re.compile(r"^\s*data\s*:\s*(.*?)\s*$")
# Anything that may be an address into an images folder: a superset of what Markdown makes an image
# of, in any of the ways an address can be written (inline, <angle brackets>, reference definitions,
# raw HTML, attribute lists). A candidate that names no file costs nothing.
_IMAGE_CANDIDATES = (re.compile(r"<([^<>\n]*images/[^<>\n]*)>"),
                     re.compile(r"""[^\s"'<>()\[\]=]*images/[^\s"'<>()\[\]]*"""))


def local_image(doc_rel: str, address: str) -> str | None:
    """The file under content/images/ that an address written in the file `doc_rel` names
    ('../images/x.jpg' from content/articles/y.md), or None for any other address."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(doc_rel), unquote(parts.path)))
    return rel if rel.startswith(IMAGES) else None


def lead_image(src: str) -> str | None:
    """The file a front matter `image: src:` names (a path under content/images/), or None when it
    is not such a path (an address, an absolute path, one that climbs out with '..')."""
    if not src or "://" in src or src.startswith(("/", "\\")) or ":" in src.split("/")[0]:
        return None
    rel = posixpath.normpath(IMAGES + src)
    return rel if rel.startswith(IMAGES) and rel != IMAGES.rstrip("/") else None


def data_file(name: str) -> str | None:
    """The file under content/data/ a chart's `data:` names, or None when it is not such a path."""
    if not name or "://" in name or name.startswith(("/", "\\")):
        return None
    rel = posixpath.normpath(DATA + name)
    return rel if rel.startswith(DATA) and rel.endswith(DATA_TYPES) else None


def chart_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """The ```chart blocks of a body's lines as (index of the opening fence, index of the closing one,
    or len(lines) when it is not closed). Fences of other code blocks are skipped whole."""
    blocks = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening[1]
        end = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip() == fence), len(lines))
        if CHART_FENCE.match(lines[index]):
            blocks.append((index, end))
        index = end + 1
    return blocks


def references(doc_rel: str, body: str) -> tuple[str, ...]:
    """Every file under content/images/ and content/data/ a body may show, sorted: possibly more than
    it does (an address in a code block, a chart that fails), never fewer. markup.py refuses to draw
    a local image or chart data that is not among these (never the case for a plainly written address)."""
    found: set[str] = set()
    if "images/" in body:
        for pattern in _IMAGE_CANDIDATES:
            for match in pattern.finditer(body):
                candidate = match[1] if pattern.groups else match[0]
                for variant in (candidate, candidate.rstrip(".,;:!?*_")):  # prose after an address
                    rel = local_image(doc_rel, variant)
                    if rel is not None:
                        found.add(rel)
    if "chart" in body:
        lines = body.split("\n")
        for start, end in chart_blocks(lines):
            for line in lines[start + 1:end]:
                match = _DATA_LINE.match(line)
                if match:
                    rel = data_file(_plain_value(match[1]))
                    if rel is not None:
                        found.add(rel)
    return tuple(sorted(found))


def _plain_value(text: str) -> str:
    """A one-line YAML scalar as written: quotes and a trailing comment removed."""
    text = text.strip()
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        if end > 0:
            return text[1:end]
    return text.split(" #", 1)[0].strip()


# --- the registry --------------------------------------------------------------------------------------

class Asset(NamedTuple):
    """One file of content/images/ or content/data/ as the build last read it."""

    stamp: FileStamp
    digest: str
    facts: images.Facts | None = None   # an image the build can use
    problem: str = ""                   # why an image cannot be used ("is not an image …")


@dataclass
class Registry:
    """Every asset by its path from the project root (content/images/x.jpg), from files' stats and
    bytes; `scanned_ns` is when the stats were taken."""

    files: dict[str, Asset] = field(default_factory=dict)
    scanned_ns: int = 0

    def digests(self) -> dict[str, str]:
        """Each asset's content digest by path: what page keys and body keys cover."""
        return {rel: asset.digest for rel, asset in self.files.items()}


def scan(content_dir: Path, root: Path, out_dir: Path) -> list[tuple[str, str, str, FileStamp | OSError]]:
    """Every file under content/images/ and content/data/ as (file path, path under content/, 'asset',
    stat or the error stat raised), in sorted order. Symbolic links are followed as elsewhere in
    content/ (`links.walk`); raises BuildError naming every one refused."""
    content = Path(content_dir)
    if not content.is_relative_to(root):
        root = content.parent
    prefix = content.relative_to(root).as_posix()
    bounds = links.Bounds.of(root, out_dir)
    found: list[tuple[str, str, str, FileStamp | OSError]] = []
    refused = []
    for folder in FOLDERS:
        if not os.path.lexists(os.path.join(content, folder)):
            continue
        files, problems = links.walk(root, f"{prefix}/{folder}", bounds, hidden=False)
        refused += problems
        for path, name in files:
            try:
                found.append((path, f"{folder}/{name}", "asset", FileStamp.of(os.stat(path))))
            except OSError as exc:
                found.append((path, f"{folder}/{name}", "asset", exc))
    if refused:
        raise BuildError(refused)
    return found


def refresh(scanned: list, previous: Registry | None, started_ns: int, margin_ns: int) -> tuple[Registry, bool]:
    """The registry of the files `scan` found (at `started_ns`): an entry of `previous` whose stat is
    unchanged, and was not racily new when it was taken (within `margin_ns` of that scan), is kept;
    any other file is read, digested and, for an image, checked. Also whether it differs from
    `previous` at all. A file that cannot be read is left out, and so reported missing where it is used."""
    known = previous.files if previous is not None else {}
    racy_before = previous.scanned_ns - margin_ns if previous is not None else 0
    files: dict[str, Asset] = {}
    read = 0
    for path, shown, _kind, stamp in scanned:
        if isinstance(stamp, OSError):
            continue
        rel = "content/" + shown
        old = known.get(rel)
        if old is not None and old.stamp == stamp and stamp.mtime_ns < racy_before:
            files[rel] = old
            continue
        limit = images.MAX_BYTES if rel.startswith(IMAGES) else DATA_MAX_BYTES
        if stamp.size > limit:  # never read into memory: known by its stat, refused where it is used
            what = "an image; save it smaller (2,000 pixels wide is plenty)" if rel.startswith(IMAGES) else "chart data"
            files[rel] = Asset(stamp, hash_bytes(repr(stamp).encode()), None,
                               f"is {stamp.size / 1048576:.1f} MB, over the limit of {limit // 1048576} MB for {what}")
            read += 1
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        read += 1
        digest = hash_bytes(data)
        if rel.startswith(IMAGES):
            checked = images.check(data, digest)
            files[rel] = Asset(stamp, digest, checked if isinstance(checked, images.Facts) else None,
                               checked if isinstance(checked, str) else "")
        else:
            files[rel] = Asset(stamp, digest)
    changed = previous is None or read > 0 or files.keys() != known.keys()
    return Registry(files, started_ns), changed


def load(cache_dir: Path) -> Registry | None:
    """The registry the last build saved, or None when there is none (or it is damaged or foreign)."""
    try:
        with open(cache_dir / CACHE_FILE, "rb") as handle:
            header, registry = pickle.load(handle)
    except Exception:  # a disposable cache: anything wrong means reading the files again
        return None
    return registry if header == (_FORMAT, __version__) and isinstance(registry, Registry) else None


def save(cache_dir: Path, registry: Registry) -> None:
    write_atomic(cache_dir / CACHE_FILE, pickle.dumps(((_FORMAT, __version__), registry), pickle.HIGHEST_PROTOCOL))


def matches(registry: Registry | None, scanned: list, racy_before_ns: int) -> bool:
    """True when `registry` describes exactly the files `scan` found, none of them racily new."""
    if registry is None:
        return not scanned
    seen = set()
    for _path, shown, _kind, stamp in scanned:
        asset = registry.files.get("content/" + shown)
        if isinstance(stamp, OSError) or asset is None or asset.stamp != stamp or stamp.mtime_ns >= racy_before_ns:
            return False
        seen.add("content/" + shown)
    return seen == registry.files.keys()
