"""The build's inputs as they look before anything is read: digests of the settings, theme and
generator, and the stat of every content and static file."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, assets, model, sources, state, theme
from .config import SiteConfig


@dataclass(frozen=True, slots=True)
class Survey:
    """What the build's inputs look like before anything is read: digests and file stats."""

    started_ns: int
    inputs: str                     # settings, theme, bylines, generator and build options
    site_key: str                   # what every page may show: settings, bylines, generator (not templates)
    compile_key: str                # what Jinja2 may fold into compiled templates: settings, bylines, generator
    markup_key: str
    scanned: list                   # sources.scan() of content/
    statics: list                   # (output path, source path, stat) of templates/static/
    files_digest: str
    newest_ns: int
    statics_digest: str
    authors: bytes | None           # content/authors.yaml, read once for the key and the bylines
    tags: bytes | None = None       # content/tags.yaml, read once for the key and the tags' names
    assets: list = field(default_factory=list)  # assets.scan() of content/images/ and content/data/
    templates: dict = field(default_factory=dict)  # each template's name → (digest, the names it references)


def survey(config: SiteConfig, *, drafts: bool, future: bool) -> Survey:
    """Look at every input: digests of settings, theme and generator, and each file's stat."""
    started = state.now_ns()
    authors = model.read_authors_file(config)
    tags = model.read_tags_file(config)
    site_key = state.content_key(__version__, _PACKAGE_DIGEST, config.digest, config.base_url,
                                 authors or b"", markup_key(), tags or b"", libraries_key())
    templates = _templates(config)
    inputs = state.content_key(site_key, sorted(templates.items()), str(config.output_dir), drafts, future,
                               config.search)
    # Jinja2 folds filters applied to constants (`'static/x' | url`) into the compiled code, so the
    # compiled templates are kept per settings, bylines and generator; each one's own source is
    # checked by Jinja2 itself, so a template edit recompiles that template only.
    compile_key = state.content_key(__version__, _PACKAGE_DIGEST, config.digest, config.base_url, authors or b"",
                                    tags or b"", libraries_key())
    scanned = sources.scan(config.content_dir, root=config.root, out_dir=config.output_dir)
    statics = [(rel, path, state.file_stamp(path)) for rel, path in theme.static_files(config)]
    static_scan = [(str(p), rel, "static", st) for rel, p, st in statics]
    # Images and chart data count as statics for the narrow paths: a change to one takes the general path.
    asset_scan = assets.scan(config.content_dir, config.root, config.output_dir)
    files_digest, newest = state.stamps_digest(scanned + static_scan + asset_scan)
    return Survey(started, inputs, site_key, compile_key, markup_key(), scanned, statics, files_digest, newest,
                  state.stamps_digest(static_scan + asset_scan)[0], authors, tags, asset_scan, templates)


def _package_digest() -> str:
    """A hash of the generator's own source files."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_PACKAGE_DIGEST = _package_digest()


def template_files(config: SiteConfig) -> list[tuple[str, Path]]:
    """Every template as (name under the theme, file), sorted: the project's templates/ over the theme
    bundled in the package, file by file (`theme.template_files`); the static/ folder is not one.

    Raises BuildError naming every link in templates/ that `links.follow` refuses (one leading outside
    the project or into the output folder, dangling or looping)."""
    return theme.template_files(config)


@functools.cache
def markup_key() -> str:
    """Part of every cached body's key: the code that turns Markdown into HTML (markup.py, with its
    settings and allow-list, typography.py and routes.py, and the figures a body may show: assets.py,
    figures.py, images.py and svg.py), the Markdown library's version file and the sanitiser's
    installed version, found without importing either.

    Any change to how Markdown becomes HTML changes the key, so cached HTML is never reused across it."""
    code = hashlib.blake2b(digest_size=16)
    for name in ("markup.py", "typography.py", "routes.py", "assets.py", "figures.py", "images.py", "svg.py"):
        code.update(Path(__file__).with_name(name).read_bytes())
    code.update(_library_file("markdown", "__meta__.py"))
    sanitiser = importlib.util.find_spec("nh3")
    if sanitiser is not None and sanitiser.origin:
        # nh3 is compiled code with no version file: its installed metadata folder names the version
        folders = sorted(p.name for p in Path(sanitiser.origin).parent.parent.glob("nh3-*info"))
        code.update("\0".join(folders).encode())
    return code.hexdigest()


@functools.cache
def libraries_key() -> str:
    """Part of every page's key: the version of Babel, whose locale data (CLDR) words every date,
    month and language name a page shows, read from its version file without importing it. A new
    Babel renders every page again, and the words kept from earlier builds (render.WORDS, beside the
    compiled templates, which this key is part of) are formatted again."""
    return hashlib.blake2b(_library_file("babel", "__init__.py"), digest_size=16).hexdigest()


def _library_file(package: str, name: str) -> bytes:
    """The bytes of a file of an installed package (its version file), found without importing
    the package; empty when it is not installed."""
    library = importlib.util.find_spec(package)
    if library is None or not library.origin:
        return b""
    return Path(library.origin).with_name(name).read_bytes()


# A tag that names another template: {% extends %}, {% include %}, {% import %} or {% from %}.
_REFERENCE = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\s+(.*?)\s*[-+]?%\}", re.S)
# Its argument when it is one literal name, with only the words that may follow one.
_LITERAL = re.compile(r"""(["'])([^"'\\]+)\1(?:\s+(?:as\s+\w+|import\s+[\w\s,]+|ignore\s+missing|"""
                      r"""with\s+context|without\s+context))*""")


def _templates(config: SiteConfig) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    """Every template file by name: the digest of its bytes and the names of the templates it extends,
    includes or imports (`keys.site_keys` follows them), or None when it names one by an expression
    (a variable, a list, a sum), which could be any template."""
    found = {}
    for rel, path in template_files(config):
        data = path.read_bytes()
        names: list[str] | None = []
        for argument in _REFERENCE.findall(data.decode("utf-8", "replace")):
            literal = _LITERAL.fullmatch(argument)
            if literal is None:
                names = None
                break
            names.append(literal.group(2))
        found[rel] = (sources.hash_bytes(data), None if names is None else tuple(sorted(set(names))))
    return found


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
    """What every page may show, its templates aside (`keys.site_keys` adds them): settings,
    bylines, generator, and the footer's pages."""
    return state.content_key(inputs.site_key, tuple(p.meta_digest for p in pages))
