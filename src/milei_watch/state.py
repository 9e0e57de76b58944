"""The disposable build cache in .milei_watch/: what was read, rendered and written last time.

Deleting the folder is always safe: the next build renders everything. Every file is written
atomically (or checked on reading), and every file that belongs with another names the same token.

| file | format | what it holds | valid while |
| --- | --- | --- | --- |
| `lock` | empty | held (flock) by the one build running into this output folder; its time is when the cache was last used | - |
| `manifest.pickle` | pickle | a summary of the last build: inputs' digest, the site tree's id, every output | inputs and tree id unchanged |
| `state.pickle` + `articles/NN.marshal` | pickle, marshal | each source's stat and parsed front matter, the validated articles (in 32 shards by path, each rewritten only when one of its articles changed), related-article facts, static files' stats | (format, version, output folder); the header names the token of every shard |
| `index.marshal` | marshal (documents pickled inside) | per source: stat, front-matter digest, kind; per page: context key; per site tree (device, inode): output → page key, and its search key | (format, version); token ties it to `state.pickle` |
| `jobs.sqlite` | SQLite | the planned job of every page that embeds a body, with the context key it was planned under | a row is used only when its context key is the index's |
| `html/xx/KEY.html` | checksum, word count, HTML | a body's HTML; KEY = markup code and settings + the body's digest | checksum matches |
| `jinja/KEY/[EDITION/]STRINGS/` | Jinja2 bytecode | compiled templates; KEY = settings, bylines, generator and Babel's version (what Jinja2 may fold into the code), STRINGS = the edition's catalogue (`i18n.load`) | KEY, STRINGS, and each template's source checksum (Jinja2) |
| `jinja/KEY/[EDITION/]messages-DIGEST.mo` | gettext `.mo` | the edition's catalogue as Babel compiled it (`i18n.load`), so that a build whose catalogue is unchanged never loads Babel | KEY, DIGEST = the catalogue's bytes |
| `jinja/KEY/words.marshal` | marshal | the days, months, times and language names Babel worded for pages (`i18n.FORMATTED`), so that a build showing none new never loads Babel | KEY |
| `trees/ID/` | a site folder | the idle generation of the output folder (publish.py) | its record in `index.marshal`, no flag file |
| `assets.pickle` | pickle | each file of content/images/ and content/data/: stat, content digest, and an image's size or why it is unusable (assets.py) | (format, version); an entry while its file's stat is unchanged |
| `outputs/NAME-HASH/` | a cache folder like this one | the cache of a build into another folder than site/ (`--out`), with every file above; the least recently used past 4 are dropped | its output folder |
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import io
import marshal
import os
import pickle
import shutil
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__, model
from .output import write_atomic, write_in_place
from .sources import FileStamp, SourceDoc, hash_bytes

FORMAT = 15  # 10: Article.image, body_assets; 11: articles in shards; 12, 13: named tuples; 14: Page.slug_line;
# 15: related-article facts in marshal
# A file modified this close to the previous scan may have changed again within the same
# timestamp tick, so its stat is not trusted (git's "racy clean" rule).
RACY_MARGIN_NS = 2_000_000_000


@dataclass
class BuildState:
    """What the previous build knew; every field can be rebuilt from the sources."""

    scan_started_ns: int = 0
    files: dict[str, tuple[FileStamp, SourceDoc]] = field(default_factory=dict)
    static: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)  # output → (stat, content digest)
    related: tuple[dict, dict] | None = None                      # facts and result of plan.related_articles
    validation_key: str = ""                                      # config and authors the articles were checked with
    articles: dict[str, Any] = field(default_factory=dict)        # source → validated Article
    rows: dict[str, tuple[Any, Any, tuple]] = field(default_factory=dict)  # as loaded: doc, article, encoded row
    token: str = ""                                               # as loaded: ties the saved files together
    shards: dict[int, tuple[str, list]] = field(default_factory=dict)  # as loaded: each shard's token and rows

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
    tree: Any                   # the id of the site folder it describes
    outputs: tuple[str, ...]    # every file of that site (pages and static files)
    search: bool                # whether the site has a search index
    pages: int
    articles: int
    drafts_skipped: int
    next_scheduled: Any


@contextlib.contextmanager
def locked(cache_dir: Path, log: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of one output folder's cache: one build (or serve's rebuild) into a folder
    at a time; others wait. The cache of another output than site/ is then marked as used, and the
    least recently used of those past OUTPUT_CACHES are dropped (`drop_unused_outputs`)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / "lock"
    while True:
        handle = open(path, "a+b")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if log:
                    log("another build of this project is running, into this output folder; waiting for it to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
            if _same_file(handle, path):
                break
        except BaseException:
            handle.close()
            raise
        # The cache was dropped while this build waited for it: lock the one made afresh instead.
        handle.close()
        cache_dir.mkdir(parents=True, exist_ok=True)
    with handle:
        try:
            if cache_dir.parent.name == OUTPUTS and cache_dir.parent.parent.name == ".milei_watch":
                os.utime(path)  # the lock's time is when the cache was last used
                drop_unused_outputs(cache_dir.parent, keep=cache_dir)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _same_file(handle: Any, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


# Builds into other folders than site/ (--out) keep a cache each under .milei_watch/outputs/; at most
# this many are kept, the least recently used dropped first. site/'s own cache is never dropped.
OUTPUTS = "outputs"
OUTPUT_CACHES = 4


def drop_unused_outputs(folder: Path, keep: Path) -> list[Path]:
    """Drop the least recently used output caches in `folder` past OUTPUT_CACHES, never `keep` and
    never one a build holds; return those dropped. Each goes out of the way by a rename while its lock
    is held, so a build waiting for it finds its cache gone and starts a new one (see `locked`)."""
    caches = []
    for entry in folder.iterdir():
        if entry.name.startswith(".dropped-"):  # left by a drop that was interrupted
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_dir() and not entry.name.startswith(".") and entry != keep:
            try:
                caches.append((os.stat(entry / "lock").st_mtime_ns, entry))
            except FileNotFoundError:
                caches.append((0, entry))
    dropped = []
    for _used, cache in sorted(caches, reverse=True)[OUTPUT_CACHES - 1:]:
        try:
            handle = open(cache / "lock", "a+b")
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a build is using it
            aside = folder / f".dropped-{cache.name}-{os.getpid()}"
            try:
                os.rename(cache, aside)
            except OSError:
                continue
        shutil.rmtree(aside, ignore_errors=True)
        dropped.append(cache)
    return dropped


def _manifest_path(cache_dir: Path) -> Path:
    return cache_dir / "manifest.pickle"


def _load_versioned(path: Path, kind: type) -> Any:
    """A small pickled value written by this version, or None when missing, damaged or foreign."""
    try:
        with path.open("rb") as handle:
            header, value = pickle.load(handle)
    except Exception:  # missing or damaged: the full path decides
        return None
    return value if header == (FORMAT, __version__) and isinstance(value, kind) else None


def _save_versioned(path: Path, value: Any) -> None:
    write_atomic(path, pickle.dumps(((FORMAT, __version__), value), pickle.HIGHEST_PROTOCOL))


def load_manifest(cache_dir: Path) -> Manifest | None:
    return _load_versioned(_manifest_path(cache_dir), Manifest)


def save_manifest(cache_dir: Path, manifest: Manifest) -> None:
    _save_versioned(_manifest_path(cache_dir), manifest)


def drop_manifest(cache_dir: Path) -> None:
    """Forget the last build's summary before changing anything, so a killed build is never trusted."""
    try:
        _manifest_path(cache_dir).unlink()
    except FileNotFoundError:
        pass


def stamps_digest(scanned: list[tuple[str, str, str, Any]]) -> tuple[str, int]:
    """Digest of every scanned file's path and stat, and the newest modification time."""
    lines = []
    newest = 0
    for _path, shown, _kind, stamp in scanned:
        if isinstance(stamp, FileStamp):
            newest = max(newest, stamp.mtime_ns)
            lines.append(f"{shown}\0{stamp.size} {stamp.mtime_ns} {stamp.ctime_ns} {stamp.ino}")
        else:
            lines.append(f"{shown}\0{stamp!r}")
    return hash_bytes("\n".join(lines).encode()), newest


# Validated articles are stored apart from the rest of the state, as plain tuples in marshal
# format: loading ten thousand of them that way takes a third of the time pickle needs.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
_MOMENTS = {"date", "updated", "expires"}
_ARTICLE_FIELDS = model.Article._fields
_DOC_FIELDS = SourceDoc._fields


def _moment(value: dt.datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // _MICROSECOND


def _encode_article(article: model.Article) -> tuple:
    row = []
    for name in _ARTICLE_FIELDS:
        value = getattr(article, name)
        if name in _MOMENTS:
            value = _moment(value)
        elif name == "sources":
            value = tuple((s.publisher, s.title, s.url, s.date.toordinal() if s.date else None, s.via) for s in value)
        elif name == "events":
            value = tuple((e.date.toordinal(), e.title, e.topics) for e in value)
        elif name == "corrections":
            value = tuple((_moment(c.date), c.text) for c in value)
        elif name == "image" and value is not None:
            value = (value.src, value.alt, value.caption, value.credit, value.line)
        row.append(value)
    return tuple(row)


_MOMENT_AT = tuple(_ARTICLE_FIELDS.index(name) for name in sorted(_MOMENTS))
_SOURCES_AT = _ARTICLE_FIELDS.index("sources")
_EVENTS_AT = _ARTICLE_FIELDS.index("events")
_CORRECTIONS_AT = _ARTICLE_FIELDS.index("corrections")
_IMAGE_AT = _ARTICLE_FIELDS.index("image")


def _from_moment(value: int | None, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    seconds, micro = divmod(value, 1_000_000)
    moment = dt.datetime.fromtimestamp(seconds, tz)
    return moment.replace(microsecond=micro) if micro else moment


def decode_article(row: tuple, tz: dt.tzinfo) -> model.Article:
    values = list(row)
    for index in _MOMENT_AT:
        values[index] = _from_moment(values[index], tz)
    if values[_SOURCES_AT]:
        values[_SOURCES_AT] = tuple(model.SourceRef(p, t, u, dt.date.fromordinal(d) if d else None, v)
                                    for p, t, u, d, v in values[_SOURCES_AT])
    if values[_EVENTS_AT]:
        values[_EVENTS_AT] = tuple(model.Event(dt.date.fromordinal(d), t, tuple(tp))
                                   for d, t, tp in values[_EVENTS_AT])
    if values[_CORRECTIONS_AT]:
        values[_CORRECTIONS_AT] = tuple(model.Correction(_from_moment(d, tz), t)
                                        for d, t in values[_CORRECTIONS_AT])
    if values[_IMAGE_AT] is not None:
        values[_IMAGE_AT] = model.LeadImage(*values[_IMAGE_AT])
    return model.Article(*values)


def _path(cache_dir: Path) -> Path:
    return cache_dir / "state.pickle"


# The validated articles are kept in shards by path, so that a build that changed one article writes
# one thirty-second of them again, not all: 15 MB at 2 x 10,000 articles.
SHARDS = 32


def _shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8")) % SHARDS


def _articles_path(cache_dir: Path, shard: int) -> Path:
    return cache_dir / "articles" / f"{shard:02d}.marshal"


def _shard_tokens(header: tuple) -> tuple[str, ...]:
    """The token of every shard, as a state's header names them; ValueError when it names none."""
    tokens = header[4] if len(header) > 4 else None
    if not isinstance(tokens, tuple) or len(tokens) != SHARDS:
        raise ValueError("the state names no shards")
    return tokens


def _read_shard(cache_dir: Path, shard: int, expected: str) -> list:
    """One shard's rows, checked against the token the state's header names for it; ValueError
    (or OSError) when it is missing, damaged or from another build."""
    token, rows = marshal.loads(_articles_path(cache_dir, shard).read_bytes())
    if token != expected:
        raise ValueError("a shard and the state come from different builds")
    return rows


def _load_shards(cache_dir: Path, tokens: tuple[str, ...]) -> dict[int, tuple[str, list]]:
    """Every shard, with its token."""
    return {shard: (expected, _read_shard(cache_dir, shard, expected)) for shard, expected in enumerate(tokens)}


def load(cache_dir: Path, out_dir: Path, tz: dt.tzinfo) -> tuple[BuildState | None, str]:
    """The previous state, or None with the reason a clean build is needed."""
    path = _path(cache_dir)
    if not path.exists():
        return None, ""
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
            if header[:3] != (FORMAT, __version__, str(out_dir)):
                return None, "build cache is from another version or output folder; building everything"
            state = pickle.load(handle)
            if not isinstance(state, BuildState):
                raise TypeError("not a build state")
            state.related = marshal.loads(handle.read())
        state.token = header[3]
        state.shards = _load_shards(cache_dir, _shard_tokens(header))
        for _token, rows in state.shards.values():
            for row in rows:
                rel, stamp, doc, article = row
                loaded_doc = SourceDoc(*doc)
                state.files[rel] = (FileStamp(*stamp), loaded_doc)
                state.articles[rel] = loaded_article = decode_article(article, tz)
                state.rows[rel] = (loaded_doc, loaded_article, row)
        return state, ""
    except Exception:  # any damage to a disposable cache means a clean build
        return None, "build cache is unreadable; building everything"


def save(cache_dir: Path, out_dir: Path, state: BuildState) -> str:
    """Write the state atomically: the shards whose articles changed first, each under a new
    token, then state.pickle, whose header names every shard's token, so a build killed between
    the writes is detected and the next build starts clean."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    token = os.urandom(8).hex()
    rows = []
    rest = {}
    for rel, (stamp, doc) in state.files.items():
        article = state.articles.get(rel)
        if article is None:
            rest[rel] = (stamp, doc)
            continue
        loaded = state.rows.get(rel)
        if loaded is not None and loaded[0] is doc and loaded[1] is article:
            rows.append(loaded[2])  # unchanged since it was loaded: no need to encode it again
            continue
        # A validated article needs no front matter kept: it is reused whole while its file is unchanged.
        doc_row = tuple({} if name in ("meta", "lines") else getattr(doc, name) for name in _DOC_FIELDS)
        rows.append((rel, tuple(stamp), doc_row, _encode_article(article)))
    # The related-article facts are plain values, twenty thousand of them on a large site: marshal
    # writes and reads them three to four times faster than pickle.
    light = dataclasses.replace(state, files=rest, articles={}, rows={}, shards={}, related=None)
    grouped: list[list[tuple]] = [[] for _ in range(SHARDS)]
    for row in sorted(rows, key=lambda row: row[0]):
        grouped[_shard_of(row[0])].append(row)
    tokens = []
    for shard, shard_rows in enumerate(grouped):
        token_before, rows_before = state.shards.get(shard, ("", None))
        if rows_before is not None and len(rows_before) == len(shard_rows) and \
                all(new is old for new, old in zip(shard_rows, rows_before)):
            tokens.append(token_before)  # every row is the one loaded: the file on disk holds them already
            continue
        tokens.append(os.urandom(8).hex())
        write_atomic(_articles_path(cache_dir, shard), marshal.dumps((tokens[-1], shard_rows)))
    with contextlib.suppress(OSError):
        (cache_dir / "articles.marshal").unlink()  # the one file the articles were kept in before shards
    data = pickle.dumps((FORMAT, __version__, str(out_dir), token, tuple(tokens)),
                        protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(light, protocol=pickle.HIGHEST_PROTOCOL) \
        + marshal.dumps(state.related)
    write_atomic(_path(cache_dir), data)
    return token


def _html_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "html" / key[:2] / f"{key}.html"


def has_html(cache_dir: Path) -> bool:
    """False before any body's HTML was cached: looking each one up would only fail."""
    return (cache_dir / "html").is_dir()


def read_html(cache_dir: Path, key: str) -> tuple[str, int] | None:
    """A cached body's HTML and word count, or None when there is none or the entry fails its checksum."""
    try:
        data = _html_path(cache_dir, key).read_bytes()
    except OSError:
        return None
    check, _, rest = data.partition(b"\n")
    if hash_bytes(rest).encode() != check:
        return None  # damaged or foreign: rendered again and rewritten
    words, _, html = rest.partition(b"\n")
    return html.decode("utf-8"), int(words)


def write_html(cache_dir: Path, key: str, html: str, words: int) -> None:
    """Store a body's HTML behind its checksum; the cache is an optimisation, so a failed write is ignored.

    Written in place (output.write_in_place) rather than through a renamed temporary file: an entry
    cut short by a killed build, or read while another worker writes it, fails its checksum and is
    rendered again. Two documents with one body (an untranslated version) share an entry."""
    data = b"%d\n" % words + html.encode("utf-8")
    try:
        write_in_place(_html_path(cache_dir, key), hash_bytes(data).encode() + b"\n" + data)
    except OSError:
        pass


def content_key(*parts: Any) -> str:
    """A short stable hash of the parts' representations."""
    return hash_bytes(repr(parts).encode("utf-8"))


def now_ns() -> int:
    return time.time_ns()


def file_stamp(path: Path) -> FileStamp:
    return FileStamp.of(os.stat(path))


# An edit to article bodies alone changes only the pages that embed those bodies (the article's
# own page and the feeds that carry it). To re-render just those, the index keeps each content
# file's stat and front-matter digest and each page's context key, and jobs.sqlite the planned job
# of each page that embeds a body, with its articles stored by reference.

@dataclass
class Index:
    """What the last build left: its sources, its pages' context keys, and what each site tree holds."""

    token: str                                    # ties it to state.pickle and its shards of articles
    files: dict[str, tuple[tuple, str, str]]  # source → (stat as a plain tuple equal to its FileStamp, front-matter digest, kind)
    statics: str = ""                             # digest of the theme's static files' stats
    pages: tuple[Any, ...] = ()                   # the standalone pages, which every footer links
    edited: dict[str, Any] = field(default_factory=dict)   # source → Article validated since the full build
    contexts: dict[str, str] = field(default_factory=dict)  # output → context key (keys.context_key)
    trees: dict[Any, dict[str, str]] = field(default_factory=dict)  # tree id → output → page key
    search: dict[Any, str] = field(default_factory=dict)            # tree id → search index key


def _index_path(cache_dir: Path) -> Path:
    return cache_dir / "index.marshal"


def _jobs_path(cache_dir: Path) -> Path:
    return cache_dir / "jobs.sqlite"


class _ArticleRefs(pickle.Pickler):
    """Pickles a page job with its articles as references to their source files."""

    def persistent_id(self, obj: Any) -> str | None:
        return obj.source if type(obj) is model.Article else None


class _ResolveRefs(pickle.Unpickler):
    def __init__(self, data: bytes, resolve) -> None:
        super().__init__(io.BytesIO(data))
        self._resolve = resolve

    def persistent_load(self, pid: str) -> Any:
        return self._resolve(pid)


def save_jobs(cache_dir: Path, jobs: list[tuple[Any, str]], gone: list[str], fresh: bool) -> None:
    """Store the (job, context key) of pages planned afresh: a row for each that embeds a body, and
    no row for one that does not (any older row of the same output is removed); forget `gone`."""
    path = _jobs_path(cache_dir)
    if fresh and path.exists():
        path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS job (output TEXT PRIMARY KEY, context TEXT, spec BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS embeds (source TEXT, output TEXT)")
        db.execute("CREATE INDEX IF NOT EXISTS by_source ON embeds (source)")
        db.execute("CREATE INDEX IF NOT EXISTS by_output ON embeds (output)")
        if not fresh:
            outputs = [(job.output,) for job, _key in jobs] + [(output,) for output in gone]
            db.executemany("DELETE FROM job WHERE output = ?", outputs)
            db.executemany("DELETE FROM embeds WHERE output = ?", outputs)
        rows, links = [], []
        for job, key in jobs:
            if not job.bodies:
                continue
            buffer = io.BytesIO()
            _ArticleRefs(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(job)
            rows.append((job.output, key, buffer.getvalue()))
            links.extend((doc.source, job.output) for doc in job.bodies)
        db.executemany("INSERT INTO job VALUES (?, ?, ?)", rows)
        db.executemany("INSERT INTO embeds VALUES (?, ?)", links)
    db.close()


def jobs_embedding(cache_dir: Path, sources: list[str], resolve) -> list[tuple[Any, str]]:
    """The stored (job, context key) of every page that embeds one of `sources`, articles resolved by `resolve`."""
    with sqlite3.connect(_jobs_path(cache_dir)) as db:
        marks = ",".join("?" * len(sources))
        rows = db.execute(f"SELECT output, context, spec FROM job WHERE output IN "
                          f"(SELECT output FROM embeds WHERE source IN ({marks})) ORDER BY output",
                          sources).fetchall()
    db.close()
    return [(_ResolveRefs(spec, resolve).load(), key) for _output, key, spec in rows]


def save_index(cache_dir: Path, index: Index) -> None:
    """Write the index: its large plain parts in marshal format (a third of pickle's time for tens of
    thousands of keys and stats), the few documents it holds pickled inside."""
    files = {rel: (tuple(stamp), digest, kind) for rel, (stamp, digest, kind) in index.files.items()}
    documents = pickle.dumps((index.pages, index.edited), pickle.HIGHEST_PROTOCOL)
    write_atomic(_index_path(cache_dir), marshal.dumps(
        (FORMAT, __version__, index.token, files, index.statics, documents, index.contexts, index.trees,
         index.search)))


def load_index(cache_dir: Path) -> Index | None:
    """The index, or None when it is missing, damaged or from another version."""
    try:
        header, version, token, files, statics, documents, contexts, trees, searched = marshal.loads(
            _index_path(cache_dir).read_bytes())
        if (header, version) != (FORMAT, __version__):
            return None
        pages, edited = pickle.loads(documents)
    except Exception:  # missing or damaged: the general path decides
        return None
    # Each stat stays the plain tuple marshal made: equal to the FileStamp a scan makes, with no
    # object to build for each of ten thousand files.
    return Index(token, files, statics, pages, edited, contexts, trees, searched)


def load_article_rows(cache_dir: Path, token: str) -> "ArticleRows | None":
    """The encoded articles of the last full build, if they belong with `token`; each shard is read
    when one of its articles is first asked for (a body edit needs a few of them, not all)."""
    try:
        with _path(cache_dir).open("rb") as handle:
            header = pickle.load(handle)
        if header[:2] != (FORMAT, __version__) or header[3] != token:
            return None
        return ArticleRows(cache_dir, _shard_tokens(header))
    except Exception:
        return None


class ArticleRows:
    """The encoded articles of a saved state, by source, read shard by shard as they are needed."""

    def __init__(self, cache_dir: Path, tokens: tuple[str, ...]) -> None:
        self._cache_dir = cache_dir
        self._tokens = tokens
        self._rows: dict[int, dict[str, tuple]] = {}

    def __getitem__(self, source: str) -> tuple:
        """The article's row; KeyError when the state holds no such article, ValueError when its
        shard is missing, damaged or from another build."""
        shard = _shard_of(source)
        rows = self._rows.get(shard)
        if rows is None:
            try:
                loaded = _read_shard(self._cache_dir, shard, self._tokens[shard])
            except (OSError, EOFError, TypeError) as exc:  # a stale shard raises ValueError itself
                raise ValueError(f"article shard {shard} is unreadable") from exc
            rows = self._rows[shard] = {row[0]: row[3] for row in loaded}
        return rows[source]
