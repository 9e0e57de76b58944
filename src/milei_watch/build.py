"""The build: load → validate → model → plan → render → write. The only orchestrator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import __version__, markup, model, output, plan, sources, state
from .config import SiteConfig
from .errors import BuildError, Diagnostic, Location
from .plan import PageJob
from .sources import FileStamp

# Below this many dirty pages a process pool costs more than it saves.
POOL_THRESHOLD = 200
# What a staged page is when it went straight into a new site's staging tree.
TREE = "tree"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did, for the one summary line and for tests."""

    pages: int
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    rendered: int
    seconds: float
    articles: int
    drafts_skipped: int
    next_scheduled: tuple[dt.datetime, str] | None
    warnings: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()
    mode: str = "full"          # "unchanged": nothing to do; "bodies": only edited bodies re-rendered

    def summary(self) -> str:
        return (f"built {self.pages} pages: {len(self.written)} written, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed in {self.seconds:.2f} s")


@dataclass
class _Renderer:
    """What a render worker needs; inherited by forked workers rather than pickled."""

    config: SiteConfig
    authors: dict
    jobs: list[PageJob]
    out_dir: Path
    cache_dir: Path
    markup_key: str
    pages: tuple = ()
    staging: Path | None = None   # where changed pages wait for the commit
    tree: Path | None = None      # a whole new site is staged as a tree and renamed into place
    in_worker: bool = False
    fresh: bool = False           # render every body rather than look in the HTML cache (--full, or none yet)
    env: object = None
    md: object = None
    last_bodies: tuple = ((), {})  # the documents of the last page rendered, and their HTML

    def html_for(self, doc) -> str:
        """The body's HTML: from the cache when an intact entry exists (and the build is not --full)."""
        key = sources.hash_bytes(f"{self.markup_key}:{doc.body_digest}".encode())
        path = state.html_path(self.cache_dir, key)
        if not self.fresh:
            html = state.read_html(path)
            if html is not None:
                return html
        if self.md is None:
            self.md = markup.Renderer()
        html = self.md.render(sources.read_body(self.config.root / doc.source))
        state.write_html(path, html)
        return html

    def stage(self, index: int) -> bytes | str | None:
        """Render a page and set it aside for the commit: None when the site already has these
        bytes; written into the staging tree when the site is new; otherwise the bytes, or in a
        worker the path of a staged file (cheaper to hand back than the bytes)."""
        data = self.render(index)
        rel = self.jobs[index].output
        if self.tree is not None:
            output.write_new(self.tree / rel, data)
            return TREE
        if output.same_bytes(self.out_dir / rel, data):
            return None
        if not self.in_worker:
            return data
        staged = self.staging / str(index)
        staged.write_bytes(data)
        return str(staged)

    def render(self, index: int) -> bytes:
        from .render import make_environment, render_job

        if self.env is None:
            bytecode = self.cache_dir / "jinja"
            bytecode.mkdir(parents=True, exist_ok=True)
            self.env = make_environment(self.config, self.authors, self.pages, bytecode)
        job = self.jobs[index]
        # A feed's RSS, Atom and JSON jobs share one tuple of articles: read their bodies once.
        if job.bodies is not self.last_bodies[0]:
            self.last_bodies = (job.bodies, {doc.body_digest: self.html_for(doc) for doc in job.bodies})
        return render_job(self.env, self.config, job, self.last_bodies[1])


_WORKER: _Renderer | None = None


def _init_worker(renderer: _Renderer) -> None:
    global _WORKER  # the fork start method hands each worker its own copy
    _WORKER = renderer
    renderer.in_worker = True
    gc.freeze()  # the inherited site is long-lived: never traverse it (nor copy its pages to do so)
    gc.enable()  # rendering makes short-lived cycles (Markdown's and Jinja's trees) worth collecting


def _render_in_worker(indices: list[int]) -> list[tuple[int, bytes | str | None]]:
    """Render a chunk of pages in a worker process."""
    renderer = _WORKER
    assert renderer is not None
    return [(index, renderer.stage(index)) for index in indices]


def build(config: SiteConfig, *, drafts: bool = False, future: bool = False, full: bool = False,
          now: dt.datetime | None = None, jobs: int | None = None,
          progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None,
          log: Callable[[str], None] | None = None) -> BuildReport:
    """Build the site into config.output_dir; nothing there changes unless everything validated and rendered."""
    # A build makes hundreds of thousands of long-lived objects and almost no reference cycles:
    # the cyclic collector's repeated passes over them cost a fifth of a rebuild, for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(config, drafts=drafts, future=future, full=full, now=now, jobs=jobs, progress=progress,
                      on_total=on_total, log=log)
    finally:
        if collecting:
            gc.enable()


def _build(config: SiteConfig, *, drafts: bool, future: bool, full: bool, now: dt.datetime | None,
           jobs: int | None, progress: Callable[[int], None] | None, on_total: Callable[[int], None] | None,
           log: Callable[[str], None] | None) -> BuildReport:
    started = time.perf_counter()
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    out_dir, cache_dir = config.output_dir, config.cache_dir

    # 1. Look at the inputs; if nothing changed since the last complete build, stop here.
    survey = _survey(config, drafts=drafts, future=future)
    manifest = None if full else state.load_manifest(cache_dir)
    if manifest is not None and survey.matches(manifest, now) and out_dir.is_dir():
        return BuildReport(pages=manifest.pages, written=(), unchanged=manifest.pages, removed=(), rendered=0,
                           seconds=time.perf_counter() - started, articles=manifest.articles,
                           drafts_skipped=manifest.drafts_skipped, next_scheduled=manifest.next_scheduled,
                           mode="unchanged")
    body_index = None if full else state.load_body_index(cache_dir)
    if manifest is not None and body_index is not None and out_dir.is_dir():
        narrow = _rebuild_bodies(config, survey, manifest, body_index, now, started, drafts=drafts, future=future)
        if narrow is not None:
            return narrow
    state.drop_manifest(cache_dir)
    existed = out_dir.is_dir()
    previous, reason = (None, "") if full else state.load(cache_dir, out_dir, config.tz)
    all_body_jobs = body_index is None or previous is None  # store every body job, not only re-rendered ones
    notes = [reason] if reason else []
    if reason and log:
        log(reason)

    # 2. Read and validate every source (reusing what the cache knows); any error stops the build.
    authors, problems, authors_digest = model.load_authors(survey.authors)
    validation_key = state.content_key(config.digest, authors_digest)
    reuse = previous is not None and previous.validation_key == validation_key
    docs, read_problems, files = sources.read_all(
        config.root, config.content_dir, previous.files if reuse else {},
        previous.racy_before_ns if reuse else 0, survey.scanned)
    site, model_problems = model.build_site(config, docs, authors, now=now, drafts=drafts, future=future,
                                            known=previous.articles if reuse else None)
    problems += read_problems + model_problems
    if any(p.is_error for p in problems):
        raise BuildError(problems)

    # 3. Plan every page and find those whose inputs changed.
    signature = state.content_key(plan.related_signature(site))
    related = previous.related[1] if previous and previous.related[0] == signature else plan.related_articles(site)
    page_jobs = plan.plan_pages(site, related, now)
    # Everything every page may show: settings, theme, bylines, the footer's pages, and the
    # generator's own code (so that a developer's change to a filter is never served stale).
    global_key = state.content_key(__version__, _PACKAGE_DIGEST, config.digest, config.base_url,
                                   survey.templates_digest, authors_digest, survey.markup_key,
                                   tuple(p.meta_digest for p in site.pages))
    keys = [state.content_key(global_key, job.template, job.deps) for job in page_jobs]
    old_keys = previous.pages if previous else {}
    out_prefix = str(out_dir) + os.sep
    dirty = [i for i, job in enumerate(page_jobs)
             if old_keys.get(job.output) != keys[i] or not os.path.isfile(out_prefix + job.output)]

    # 4. Render them all, then, and only then, change the output folder.
    if on_total:
        on_total(len(dirty))
    # With no HTML cache at all (a first build), looking up each body in it would only fail.
    no_html = full or not state.html_path(cache_dir, "00").parent.parent.is_dir()
    renderer = _Renderer(config, authors, page_jobs, out_dir, cache_dir, survey.markup_key, site.pages, fresh=no_html)
    written = _render_and_commit(renderer, dirty, jobs or os.cpu_count() or 1, progress, new_site=not existed)
    static_state, static_written = _copy_static(config, survey, previous)
    written += static_written
    produced = {job.output for job in page_jobs} | set(static_state)
    if previous is not None:
        stale = previous.outputs - produced
    elif existed:
        stale = output.existing_files(out_dir) - produced  # no record of what is ours: look
    else:
        stale = set()
    removed = sorted(stale)
    output.prune(out_dir, removed)
    search_key = state.content_key(tuple(keys[i] for i, job in enumerate(page_jobs) if job.searchable))
    _update_search(config, search_key, previous)

    # 5. Remember what was built, for the next build.
    dirty_set = set(dirty)
    state.save_body_jobs(cache_dir, [job for i, job in enumerate(page_jobs) if job.bodies
                                     and (all_body_jobs or i in dirty_set)],
                         removed, fresh=all_body_jobs)
    token = state.save(cache_dir, out_dir, state.BuildState(
        scan_started_ns=survey.started_ns, files=files, validation_key=validation_key,
        articles={a.source: a for a in site.all_articles}, rows=previous.rows if reuse else {},
        pages={job.output: keys[i] for i, job in enumerate(page_jobs)}, outputs=produced, static=static_state,
        related=(signature, related), search_key=search_key if config.search else ""))
    state.save_body_index(cache_dir, state.BodyIndex(
        token, {rel: (stamp, doc.meta_digest, doc.kind) for rel, (stamp, doc) in files.items()},
        survey.statics_digest, site.pages))
    next_up = (site.scheduled[0].date, site.scheduled[0].source) if site.scheduled else None
    valid_until = plan.next_change(site, now)
    state.save_manifest(cache_dir, state.Manifest(
        inputs=survey.inputs, files=survey.files_digest, racy_before_ns=survey.started_ns - state.RACY_MARGIN_NS,
        valid_until=valid_until.timestamp() if valid_until else None, pages=len(produced),
        articles=len(site.articles), drafts_skipped=site.skipped_drafts, next_scheduled=next_up))
    return BuildReport(
        pages=len(produced),
        written=tuple(written),
        unchanged=len(produced) - len(written),
        removed=tuple(removed),
        rendered=len(dirty),
        seconds=time.perf_counter() - started,
        articles=len(site.articles),
        drafts_skipped=site.skipped_drafts,
        next_scheduled=next_up,
        warnings=tuple(p for p in problems if not p.is_error),
        notes=tuple(notes),
    )


# Beyond this many edited files, the full path is as quick and far simpler to trust.
NARROW_LIMIT = 20


def _rebuild_bodies(config: SiteConfig, survey: "_Survey", manifest: state.Manifest, index: state.BodyIndex,
                    now: dt.datetime, started: float, *, drafts: bool, future: bool) -> BuildReport | None:
    """Re-render only the pages that embed edited bodies, when nothing but article bodies changed
    since the last complete build; None when anything else changed and the full path must run.

    The pages are rendered from the jobs the full build planned, with the edited articles
    validated afresh, so they come out byte for byte as a full build would make them.
    """
    cache_dir = config.cache_dir
    if manifest.inputs != survey.inputs or (manifest.valid_until is not None
                                            and now.timestamp() >= manifest.valid_until):
        return None
    if len(survey.scanned) != len(index.files) or index.statics != survey.statics_digest:
        return None
    prefix = "content/"
    edited: list[tuple[str, str, str, FileStamp]] = []
    for path, shown, kind, stamp in survey.scanned:
        known = index.files.get(prefix + shown)
        if known is None or isinstance(stamp, OSError):
            return None
        if known[0] != stamp or stamp.mtime_ns >= manifest.racy_before_ns:
            edited.append((path, prefix + shown, kind, stamp))
    if not edited or len(edited) > NARROW_LIMIT:
        return None
    docs = []
    for path, rel, kind, _stamp in edited:
        try:
            raw = Path(path).read_bytes()
        except OSError:
            return None  # gone since the scan: the full path reports it
        doc = sources.parse_source(raw, rel, kind)
        if isinstance(doc, Diagnostic) or kind != "article" or doc.meta_digest != index.files[rel][1]:
            return None  # a mistake to report, or more than a body changed
        docs.append(doc)
    authors, problems, _digest = model.load_authors(survey.authors)
    site, more = model.build_site(config, docs, authors, now=now, drafts=drafts, future=future)
    if any(p.is_error for p in problems + more):
        return None
    rows = state.load_article_rows(cache_dir, index.token)
    if rows is None:
        return None
    fresh = {article.source: article for article in site.all_articles}
    resolved: dict[str, model.Article] = {}

    def resolve(source: str) -> model.Article:
        if source not in resolved:
            article = fresh.get(source) or index.edited.get(source)
            resolved[source] = article or state.decode_article(rows[source], config.tz)
        return resolved[source]

    jobs = state.body_jobs(cache_dir, sorted(fresh), resolve)
    state.drop_manifest(cache_dir)
    renderer = _Renderer(config, authors, jobs, config.output_dir, cache_dir, survey.markup_key, index.pages)
    written = _render_and_commit(renderer, list(range(len(jobs))), 1, None, new_site=False)
    if config.search and any(job.searchable for job in jobs if job.output in written):
        index_search(config.output_dir, cache_dir)  # on failure the dropped manifest sends the next build the full way
    index.edited.update(fresh)
    for _path, rel, _kind, stamp in edited:
        index.files[rel] = (stamp, index.files[rel][1], index.files[rel][2])
    state.save_body_index(cache_dir, index)
    state.save_manifest(cache_dir, dataclasses.replace(
        manifest, files=survey.files_digest, racy_before_ns=survey.started_ns - state.RACY_MARGIN_NS))
    return BuildReport(pages=manifest.pages, written=tuple(written), unchanged=manifest.pages - len(written),
                       removed=(), rendered=len(jobs), seconds=time.perf_counter() - started,
                       articles=manifest.articles, drafts_skipped=manifest.drafts_skipped,
                       next_scheduled=manifest.next_scheduled, mode="bodies")


@dataclass(frozen=True, slots=True)
class _Survey:
    """What the build's inputs look like before anything is read: digests and file stats."""

    started_ns: int
    inputs: str                     # settings, theme, bylines, generator and build options
    templates_digest: str
    markup_key: str
    scanned: list                   # sources.scan() of content/
    statics: list                   # (output path, source path, stat) of templates/static/
    files_digest: str
    newest_ns: int
    statics_digest: str
    authors: bytes | None           # content/authors.yaml, read once for the key and the bylines

    def matches(self, manifest: state.Manifest, now: dt.datetime) -> bool:
        """True when the last complete build saw exactly these inputs and the clock changes nothing."""
        return (manifest.inputs == self.inputs and manifest.files == self.files_digest
                and self.newest_ns < manifest.racy_before_ns
                and (manifest.valid_until is None or now.timestamp() < manifest.valid_until))


def _survey(config: SiteConfig, *, drafts: bool, future: bool) -> _Survey:
    started = state.now_ns()
    templates_digest = _templates_digest(config)
    markup_key = markup.markup_key()
    authors = model.read_authors_file(config)
    inputs = state.content_key(__version__, _PACKAGE_DIGEST, config.digest, config.base_url, str(config.output_dir),
                               templates_digest, authors or b"", markup_key, drafts, future, config.search)
    scanned = sources.scan(config.content_dir)
    statics = [(rel, path, state.file_stamp(path)) for rel, path in output.static_files(config.static_dir)]
    static_scan = [(str(p), rel, "static", st) for rel, p, st in statics]
    files_digest, newest = state.stamps_digest(scanned + static_scan)
    return _Survey(started, inputs, templates_digest, markup_key, scanned, statics, files_digest, newest,
                   state.stamps_digest(static_scan)[0], authors)


def _render_and_commit(renderer: _Renderer, dirty: list[int], workers: int,
                       progress: Callable[[int], None] | None, *, new_site: bool) -> list[str]:
    """Render every dirty page; once all have rendered, put the changed ones in the output folder."""
    out_dir, jobs = renderer.out_dir, renderer.jobs
    renderer.cache_dir.mkdir(parents=True, exist_ok=True)
    for leftover in renderer.cache_dir.glob("staging-*"):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    renderer.staging = Path(tempfile.mkdtemp(prefix="staging-", dir=renderer.cache_dir))
    try:
        # A site built from nothing is staged as a whole tree, its folders and files made by the
        # workers in parallel, and renamed into place in one step.
        renderer.tree = renderer.staging / "site" if new_site else None
        changed = _render_all(renderer, dirty, workers, progress)
        written: list[str] = []
        if renderer.tree is not None and renderer.tree.is_dir():
            output.move_tree(renderer.tree, out_dir)
            written = [jobs[index].output for index in sorted(changed)]
        out_dir.mkdir(parents=True, exist_ok=True)
        for index, payload in sorted(changed.items()):
            if payload == TREE:
                continue
            path = output.target(out_dir, jobs[index].output)
            if isinstance(payload, bytes):
                output.write_atomic(path, payload)
            else:
                output.move_into(Path(payload), path)
            written.append(jobs[index].output)
        return written
    finally:
        shutil.rmtree(renderer.staging, ignore_errors=True)


def _copy_static(config: SiteConfig, survey: _Survey,
                 previous: state.BuildState | None) -> tuple[dict[str, tuple[FileStamp, str]], list[str]]:
    """Copy the theme's static files whose bytes changed; returns their stats and what was written."""
    static_state: dict[str, tuple[FileStamp, str]] = {}
    written = []
    for rel, source, stamp in survey.statics:
        cached = previous.static.get(rel) if previous else None
        path = output.target(config.output_dir, rel)
        if cached and cached[0] == stamp and stamp.mtime_ns < previous.racy_before_ns and path.is_file():
            static_state[rel] = cached
            continue
        data = source.read_bytes()
        static_state[rel] = (stamp, sources.hash_bytes(data))
        if not output.same_bytes(path, data):
            output.write_atomic(path, data)
            written.append(rel)
    return static_state, written


def _update_search(config: SiteConfig, search_key: str, previous: state.BuildState | None) -> None:
    """Rebuild the Pagefind index when a searchable page changed, or drop it when search is off."""
    index = config.output_dir / "pagefind"
    if config.search and (previous is None or previous.search_key != search_key or not index.is_dir()):
        index_search(config.output_dir, config.cache_dir)
    elif not config.search and index.is_dir():
        shutil.rmtree(index)


def _render_all(renderer: _Renderer, dirty: list[int], workers: int,
                progress: Callable[[int], None] | None) -> dict[int, bytes | str]:
    """Render dirty pages, in a forked pool when there are many; returns only pages whose bytes changed."""
    changed: dict[int, bytes | str] = {}
    if workers > 1 and len(dirty) >= POOL_THRESHOLD and "fork" in multiprocessing.get_all_start_methods():
        chunk = max(8, min(64, len(dirty) // (workers * 8) or 1))
        chunks = [dirty[i:i + chunk] for i in range(0, len(dirty), chunk)]
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=(renderer,)) as pool:
            for results in pool.imap_unordered(_render_in_worker, chunks):
                for index, staged in results:
                    if staged is not None:
                        changed[index] = staged
                if progress:
                    progress(len(results))
        return changed
    for index in dirty:
        staged = renderer.stage(index)
        if staged is not None:
            changed[index] = staged
        if progress:
            progress(1)
    return changed


def _package_digest() -> str:
    """A hash of the generator's own source files."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_PACKAGE_DIGEST = _package_digest()


def _templates_digest(config: SiteConfig) -> str:
    """A hash of every template file (static assets are copied and compared separately)."""
    from .render import template_files

    digest = hashlib.blake2b(digest_size=16)
    for rel, path in template_files(config):
        digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def index_search(out_dir: Path, cache_dir: Path) -> None:
    """Build the Pagefind index over the written site; failure is a build error that keeps the old index.

    The index is made beside the site and swapped in whole, so readers never get half of one."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fresh = cache_dir / "pagefind-new"
    shutil.rmtree(fresh, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(out_dir), "--output-path", str(fresh), "--silent"]
    hint = "install pagefind with its binary: pip install 'pagefind[bin]' (or set search: false in content/site.yaml)"
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise BuildError([Diagnostic(Location("site/pagefind"), f"the search index could not be made: {exc}",
                                     hint)]) from None
    if result.returncode != 0 or not (fresh / "pagefind.js").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:] or [f"exit status {result.returncode}"]
        raise BuildError([Diagnostic(Location("site/pagefind"),
                                     "the search index could not be made: " + " / ".join(detail), hint)])
    output.replace_tree(fresh, out_dir / "pagefind")
