"""The build: load → validate → model → plan → render → search → commit. The only orchestrator."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import assets, forked, images, inputs, model, outdir, output, publish, search, sources, state
from .config import SiteConfig
from .errors import BuildError, Diagnostic


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
    images: int = 0             # image files drawn (images.render): those of new or edited images only

    def summary(self) -> str:
        drawn = f", {self.images} image files drawn" if self.images else ""
        return (f"built {self.pages} pages: {len(self.written)} written, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed{drawn} in {self.seconds:.2f} s")


@contextlib.contextmanager
def collector_paused(exiting: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for a build run as its own process (the CLI).

    A build makes hundreds of thousands of long-lived objects and almost no reference cycles: the
    collector's repeated passes over them cost a fifth of a rebuild, for nothing. `serve` does not
    use this, so its threads keep their collector. When the process ends right after (`exiting`,
    with what the build made kept alive: `build(keep=...)`), every object left is frozen out of the
    collector's reach first: its first pass would otherwise go over all of them."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if exiting:
            gc.freeze()
        if collecting:
            gc.enable()


def build(config: SiteConfig, *, drafts: bool = False, future: bool = False, full: bool = False,
          now: dt.datetime | None = None, jobs: int | None = None,
          progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None,
          log: Callable[[str], None] | None = None, adopt_out: bool = False,
          keep: list | None = None) -> BuildReport:
    """Build the site into config.output_dir, which changes in one step once everything has validated,
    rendered and been indexed, or not at all.

    `keep` is for a caller whose process ends right after the build (the CLI): the build appends
    what it read and planned to it rather than free it. Freeing a large site's objects, scattered
    over hundreds of megabytes, costs a twentieth of a small rebuild, for a process about to exit."""
    started = time.perf_counter()
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    outdir.claim(config, adopt=adopt_out)  # before anything is written, even the lock
    with state.locked(config.cache_dir, log):
        found = inputs.survey(config, drafts=drafts, future=future)
        manifest = None if full else state.load_manifest(config.cache_dir)
        if keep is not None:
            keep.append(found)
        if manifest is not None and _unchanged(config, found, manifest, now):
            return BuildReport(pages=len(manifest.outputs), written=(), unchanged=len(manifest.outputs), removed=(),
                               rendered=0, seconds=time.perf_counter() - started, articles=manifest.articles,
                               drafts_skipped=manifest.drafts_skipped, next_scheduled=manifest.next_scheduled,
                               mode="unchanged")
        state.drop_manifest(config.cache_dir)  # from here on, the last build's summary no longer holds
        index = None if full else state.load_index(config.cache_dir)
        if keep is not None:
            keep.append((manifest, index))
        if manifest is not None and index is not None:
            report = _rebuild_bodies(config, found, manifest, index, now, drafts=drafts, future=future)
            if report is not None:
                return dataclasses.replace(report, seconds=time.perf_counter() - started)
        report = _build_all(config, found, index, now, drafts=drafts, future=future, full=full,
                            jobs=jobs or os.cpu_count() or 1, progress=progress, on_total=on_total, log=log,
                            keep=keep)
        return dataclasses.replace(report, seconds=time.perf_counter() - started)


def _build_all(config: SiteConfig, found: inputs.Survey, index: state.Index | None, now: dt.datetime, *,
               drafts: bool, future: bool, full: bool, jobs: int, progress, on_total, log,
               keep: list | None = None) -> BuildReport:
    """The general path: read and validate every source, plan every page, render those whose key changed."""
    from . import figures, keys, plan  # not needed when nothing changed, or only bodies did
    cache_dir = config.cache_dir
    previous, reason = (None, "") if full else state.load(cache_dir, config.output_dir, config.tz)
    if index is not None and previous is None:
        index = None  # the index's keys describe sources the state no longer vouches for
    if reason and log:
        log(reason)

    # 1. Read and validate every source (reusing what the cache knows); any error stops the build.
    authors, problems, authors_digest = model.load_authors(found.authors)
    tags, tag_problems, _tags_digest = model.load_tags(found.tags)
    problems += tag_problems
    validation_key = state.content_key(config.digest, authors_digest)
    reuse = previous is not None and previous.validation_key == validation_key
    texts: dict[str, str] = {}  # the bodies read now, so that none is read twice
    docs, read_problems, files = sources.read_all(
        config.root, config.content_dir, previous.files if reuse else {},
        previous.racy_before_ns if reuse else 0, found.scanned, bodies=texts, workers=jobs)
    site, model_problems = model.build_site(config, docs, authors, now=now, drafts=drafts, future=future,
                                            known=previous.articles if reuse else None)
    problems += read_problems + model_problems
    # Pictures and chart data: digests and image sizes, reading only the files whose stat changed.
    registry, registry_changed = assets.refresh(found.assets, None if full else assets.load(cache_dir),
                                                found.started_ns, state.RACY_MARGIN_NS)
    problems += figures.lead_problems(site.articles + site.unlisted, registry)
    if any(p.is_error for p in problems):
        raise BuildError(problems)

    # 2. Plan every page and derive its key from what shapes its bytes.
    facts = plan.related_facts(site)
    related = plan.related_articles(site, facts, previous.related if previous and previous.related else None,
                                    workers=jobs)
    statics, static_keys = inputs.static_keys(found, previous)
    # Two things need nothing the plan makes: keeping what was read and validated for the next build
    # (unless the last one kept exactly this), and finding the site's files deleted since it was
    # built. On a large site a forked child does both while this process plans and keys the pages.
    kept = None if reuse and _same_sources(previous, files, statics, facts) else state.BuildState(
        scan_started_ns=found.started_ns, files=files, validation_key=validation_key,
        articles={a.source: a for a in site.all_articles}, rows=previous.rows if reuse else {},
        shards=previous.shards if reuse else {}, static=statics, related=(facts, related))

    # The child also keys the article pages and the tag listings, three in four of a large site's,
    # planning them for itself from the same site: this process plans every page and keys the rest.
    site_keys = keys.site_keys(inputs.site_key(found, site.pages), found.templates)
    digests = registry.digests()
    shared = jobs > 1 and len(files) >= ASIDE_THRESHOLD

    def aside() -> tuple[str | None, tuple, dict]:
        return (None if kept is None else state.save(cache_dir, config.output_dir, kept),
                publish.missing(config, index),
                keys.keyed(plan.shared_pages(site, related), site_keys, digests) if shared else {})

    from . import render  # Jinja2 and Markdown load only when there are pages to render

    with forked.Aside(aside, shared) as meanwhile:
        page_jobs = plan.plan_pages(site, related, now, static_keys)  # the share card is drawn from static fonts
        # Each size of every image shown: keyed by its bytes and the encoder, never by the theme or settings.
        page_jobs += [plan.PageJob(output, images.JOB, context) for output, context
                      in figures.image_outputs(site.articles + site.unlisted + site.pages, registry)]
        contexts, page_keys = keys.key_jobs(page_jobs, site_keys, digests, jobs,
                                            elsewhere=plan.SHARED if shared else frozenset())

        # 3. Render the pages whose key differs from what the site holds, into the idle tree: while
        # the child still keys its share, those of the other pages known to be dirty.
        tree = publish.Trees(config, index, later=True)
        tree.prepare()
        renderer = render.Renderer(
            config, authors, page_jobs, site.pages, found.markup_key,
            None if full else _bytecode_dir(cache_dir, found.compile_key), tree.site, tree.idle,
            tree.current, tree.held, texts, fresh=full or not state.has_html(cache_dir), tags=tags, assets=registry)
        early, changed = render.render_while(renderer, [
            i for i, key in enumerate(page_keys) if key is not None and tree.current.get(page_jobs[i].output) != key
        ], meanwhile.busy) if shared else ([], [])
    saved, gone, keyed = meanwhile.result()
    keys.take(page_jobs, contexts, page_keys, keyed, site_keys, digests)
    token = previous.token if saved is None else saved  # None: a template or settings edit
    tree.forget(gone)
    dirty = [i for i, job in enumerate(page_jobs) if tree.current.get(job.output) != page_keys[i]]
    if on_total:
        on_total(len(dirty))
        if progress and early:
            progress(len(early))
    done = set(early)  # dirty still: what is gone from the site only adds to them
    changed = sorted(changed + render.render_pages(renderer, [i for i in dirty if i not in done], jobs, progress))
    drawn = sum(1 for i in dirty if page_jobs[i].template == images.JOB)

    # 4. Bring the rest of the idle tree up to date, index it, record it, and swap it in.
    new_keys = {job.output: page_keys[i] for i, job in enumerate(page_jobs)}
    written = [page_jobs[i].output for i in changed]
    tree.confirm({page_jobs[i].output: page_keys[i] for i in sorted(set(dirty) - set(changed))})
    written += tree.copy_statics(statics, static_keys)
    new_keys.update(static_keys)
    search_key = state.content_key(tuple(k for k, job in zip(page_keys, page_jobs) if job.searchable))
    rendered = {page_jobs[i].output for i in dirty}
    removed = tree.settle(new_keys, rendered, search_key if config.search else None)
    fresh_jobs = index is None or not index.contexts
    old_contexts = {} if fresh_jobs else index.contexts
    state.save_jobs(cache_dir, [(job, contexts[i]) for i, job in enumerate(page_jobs)
                                if old_contexts.get(job.output) != contexts[i]],
                    sorted(old_contexts.keys() - new_keys.keys()), fresh=fresh_jobs)
    if registry_changed:
        assets.save(cache_dir, registry)
    record = state.Index(token, {rel: (stamp, doc.meta_digest, doc.kind) for rel, (stamp, doc) in files.items()},
                         found.statics_digest, site.pages,
                         contexts={job.output: contexts[i] for i, job in enumerate(page_jobs)})
    if keep is not None:
        keep.append((previous, docs, texts, site, registry, page_jobs, contexts, page_keys,
                     renderer, tree, new_keys, record))
    next_up = (site.scheduled[0].date, site.scheduled[0].source) if site.scheduled else None
    valid_until = plan.next_change(site, now)
    tree.commit(record, state.Manifest(
        inputs=found.inputs, files=found.files_digest, racy_before_ns=found.started_ns - state.RACY_MARGIN_NS,
        valid_until=valid_until.timestamp() if valid_until else None, tree=None, outputs=tuple(sorted(new_keys)),
        search=config.search, pages=len(new_keys), articles=len(site.articles),
        drafts_skipped=site.skipped_drafts, next_scheduled=next_up))
    return BuildReport(pages=len(new_keys), written=tuple(written), unchanged=len(new_keys) - len(written),
                       removed=tuple(removed), rendered=len(dirty), seconds=0.0, articles=len(site.articles),
                       drafts_skipped=site.skipped_drafts, next_scheduled=next_up,
                       warnings=tuple(p for p in problems if not p.is_error), notes=(reason,) if reason else (),
                       images=drawn)


# From this many sources, a forked child keeps the state and checks the site while the build plans.
ASIDE_THRESHOLD = 4000
# Beyond this many edited files, the general path is as quick and far simpler to trust.
NARROW_LIMIT = 20


def _rebuild_bodies(config: SiteConfig, found: inputs.Survey, manifest: state.Manifest, index: state.Index,
                    now: dt.datetime, *, drafts: bool, future: bool) -> BuildReport | None:
    """Re-render only the pages that embed edited bodies, when nothing but article bodies changed
    since the last build; None when anything else changed and the general path must run.

    An article's body reaches only the pages that embed it (keys.py), so their stored jobs, planned
    by the last general build under the context keys the index holds, render exactly as a general
    build would."""
    from . import figures, keys
    if manifest.inputs != found.inputs or (manifest.valid_until is not None
                                            and now.timestamp() >= manifest.valid_until):
        return None
    if len(found.scanned) != len(index.files) or index.statics != found.statics_digest:
        return None
    edited: list[tuple[str, str, sources.FileStamp]] = []
    for path, shown, _kind, stamp in found.scanned:
        known = index.files.get("content/" + shown)
        if known is None or isinstance(stamp, OSError):
            return None
        if known[0] != stamp or stamp.mtime_ns >= manifest.racy_before_ns:
            edited.append((path, "content/" + shown, stamp))
    if not edited or len(edited) > NARROW_LIMIT:
        return None
    docs, texts = [], {}
    for path, rel, _stamp in edited:
        try:
            raw = Path(path).read_bytes()
        except OSError:
            return None  # gone since the scan: the general path reports it
        doc = sources.parse_source(raw, rel, index.files[rel][2], texts)
        if isinstance(doc, Diagnostic) or doc.kind != "article" or doc.meta_digest != index.files[rel][1]:
            return None  # a mistake to report, or more than a body changed
        docs.append(doc)
    authors, problems, _digest = model.load_authors(found.authors)
    tags, tag_problems, _tags_digest = model.load_tags(found.tags)
    problems += tag_problems
    site, more = model.build_site(config, docs, authors, now=now, drafts=drafts, future=future)
    rows = state.load_article_rows(config.cache_dir, index.token)
    if any(p.is_error for p in problems + more) or rows is None:
        return None
    fresh = {article.source: article for article in site.all_articles}

    def resolve(source: str) -> model.Article:
        return fresh.get(source) or index.edited.get(source) or state.decode_article(rows[source], config.tz)

    try:
        stored = state.jobs_embedding(config.cache_dir, sorted(fresh), resolve)
    except (KeyError, ValueError):
        return None  # an article the saved state does not hold, or a damaged shard: read everything again
    if any(index.contexts.get(job.output) != context for job, context in stored):
        return None  # a stored job from another plan: never trusted
    registry = assets.load(config.cache_dir) or assets.Registry()
    if not assets.matches(registry, found.assets, manifest.racy_before_ns):
        return None  # an image or data file the last build did not read as it is now
    tree = publish.Trees(config, index)
    if not tree.whole:
        return None  # a file is missing from the site: the general path writes it again
    if any(tree.current.get(output) != images.output_key(output)
           for output, _context in figures.image_outputs(tuple(fresh.values()), registry)):
        return None  # a body now shows an image the site has no files of: the general path draws them
    tree.prepare()
    page_jobs = [job for job, _context in stored]
    site_keys = keys.site_keys(inputs.site_key(found, index.pages), found.templates)
    digests = registry.digests()
    page_keys = [keys.job_key(job, site_keys, context, digests) for job, context in stored]
    from . import render

    renderer = render.Renderer(config, authors, page_jobs, index.pages, found.markup_key,
                               _bytecode_dir(config.cache_dir, found.compile_key), tree.site, tree.idle,
                               tree.current, tree.held, texts, tags=tags, assets=registry)
    changed = render.render_pages(renderer, list(range(len(page_jobs))), 1, None)
    tree.confirm({job.output: key for i, (job, key) in enumerate(zip(page_jobs, page_keys)) if i not in changed})
    new_keys = dict(tree.current)
    new_keys.update((job.output, key) for job, key in zip(page_jobs, page_keys))
    search_key = tree.searched.get(tree.current_id) if config.search else None
    if config.search and any(job.searchable for job in page_jobs):
        search_key = state.content_key(search_key, tuple(page_keys))
    tree.settle(new_keys, {job.output for job in page_jobs}, search_key)
    record = dataclasses.replace(index, edited=dict(index.edited, **fresh), files=dict(index.files))
    for _path, rel, stamp in edited:
        record.files[rel] = (stamp,) + index.files[rel][1:]
    tree.commit(record, dataclasses.replace(
        manifest, files=found.files_digest, racy_before_ns=found.started_ns - state.RACY_MARGIN_NS))
    written = tuple(page_jobs[i].output for i in changed)
    return BuildReport(pages=manifest.pages, written=written, unchanged=manifest.pages - len(written),
                       removed=(), rendered=len(page_jobs), seconds=0.0, articles=manifest.articles,
                       drafts_skipped=manifest.drafts_skipped, next_scheduled=manifest.next_scheduled, mode="bodies")


def _same_sources(previous: state.BuildState, files: dict, statics: dict, facts: dict) -> bool:
    """True when this build read and validated exactly what the saved state holds."""
    return (previous.files.keys() == files.keys() and all(files[rel] is previous.files[rel] for rel in files)
            and statics == previous.static
            and previous.related is not None and previous.related[0] == facts)


def _unchanged(config: SiteConfig, found: inputs.Survey, manifest: state.Manifest, now: dt.datetime) -> bool:
    """True when the last build saw exactly these inputs, the clock changes nothing, and the site it
    made is in place, whole."""
    if not (manifest.inputs == found.inputs and manifest.files == found.files_digest
            and found.newest_ns < manifest.racy_before_ns
            and (manifest.valid_until is None or now.timestamp() < manifest.valid_until)):
        return False
    wanted = manifest.outputs + (outdir.MARKER,)
    return (publish.tree_id(config.output_dir) == manifest.tree
            and len(output.present(config.output_dir, wanted)) == len(wanted)
            and (not manifest.search or search.present(config.output_dir)))


def _bytecode_dir(cache_dir: Path, compile_key: str) -> Path:
    """The Jinja2 bytecode cache for templates compiled against these settings (inputs.Survey.compile_key)."""
    return cache_dir / "jinja" / compile_key