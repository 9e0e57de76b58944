"""The build's inputs as they look before anything is read: digests of the settings, theme and
generator, and the stat of every content and static file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import __version__, model, output, render, sources, state
from .config import SiteConfig


@dataclass(frozen=True, slots=True)
class Survey:
    """What the build's inputs look like before anything is read: digests and file stats."""

    started_ns: int
    inputs: str                     # settings, theme, bylines, generator and build options
    site_key: str                   # what every page may show: settings, theme, bylines, generator
    markup_key: str
    scanned: list                   # sources.scan() of content/
    statics: list                   # (output path, source path, stat) of templates/static/
    files_digest: str
    newest_ns: int
    statics_digest: str
    authors: bytes | None           # content/authors.yaml, read once for the key and the bylines


def survey(config: SiteConfig, *, drafts: bool, future: bool) -> Survey:
    """Look at every input: digests of settings, theme and generator, and each file's stat."""
    from .markup import markup_key

    started = state.now_ns()
    authors = model.read_authors_file(config)
    site_key = state.content_key(__version__, _PACKAGE_DIGEST, config.digest, config.base_url,
                                 _templates_digest(config), authors or b"", markup_key())
    inputs = state.content_key(site_key, str(config.output_dir), drafts, future, config.search)
    scanned = sources.scan(config.content_dir, root=config.root, out_dir=config.output_dir)
    statics = [(rel, path, state.file_stamp(path)) for rel, path in output.static_files(config.static_dir, root=config.root, out_dir=config.output_dir)]
    static_scan = [(str(p), rel, "static", st) for rel, p, st in statics]
    files_digest, newest = state.stamps_digest(scanned + static_scan)
    return Survey(started, inputs, site_key, markup_key(), scanned, statics, files_digest, newest,
                  state.stamps_digest(static_scan)[0], authors)


def _package_digest() -> str:
    """A hash of the generator's own source files."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_PACKAGE_DIGEST = _package_digest()


def _templates_digest(config: SiteConfig) -> str:
    """A hash of every template file (static assets are copied and compared separately)."""
    digest = hashlib.blake2b(digest_size=16)
    for rel, path in render.template_files(config):
        digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def static_keys(inputs: Survey, previous: state.BuildState | None) -> tuple[dict, dict[str, str]]:
    """Each static file's (stat, content digest, source), reading only files whose stat changed."""
    statics, static_keys = {}, {}
    for rel, source, stamp in inputs.statics:
        cached = previous.static.get(rel) if previous else None
        if cached and cached[0] == stamp and stamp.mtime_ns < previous.racy_before_ns:
            digest = cached[1]
        else:
            digest = sources.hash_bytes(source.read_bytes())
        statics[rel] = (stamp, digest, source)
        static_keys[rel] = "static:" + digest
    return statics, static_keys


def site_key(inputs: Survey, pages: tuple) -> str:
    """What every page may show: settings, theme, bylines, generator, and the footer's pages."""
    return state.content_key(inputs.site_key, tuple(p.meta_digest for p in pages))
