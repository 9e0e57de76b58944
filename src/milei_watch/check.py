"""Checking without writing: content, config and templates as the build sees them, and a built site's links and feeds."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import model, output, routes, sources
from .config import FEEDS_FILE, STATE_FILE, SiteConfig
from .errors import BuildError, ConfigError, Diagnostic, Location, closest, relative

SUMMARY_LIMIT = 300
FEED_NAMES = ("feed.xml", "atom.xml")
# Attributes that make the browser fetch or navigate to another file of the site.
LINK_ATTRIBUTES = {
    "a": "href", "area": "href", "link": "href", "form": "action",
    "img": "src", "script": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
    "track": "src", "embed": "src",
}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every problem found, and what was looked at, for the summary line."""

    diagnostics: tuple[Diagnostic, ...]
    articles: int
    pages: int
    site_files: int | None = None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def summary(self) -> str:
        checked = f"checked {self.articles} article{'s' if self.articles != 1 else ''}" \
                  f" and {self.pages} page{'s' if self.pages != 1 else ''}"
        if self.site_files is not None:
            checked += f" and {self.site_files} built files"
        return (f"{checked}: {self.errors} error{'s' if self.errors != 1 else ''}, "
                f"{self.warnings} warning{'s' if self.warnings != 1 else ''}")


def check(config: SiteConfig, *, site: bool = False, now: dt.datetime | None = None) -> CheckReport:
    """Validate content and templates, and with `site` the built output folder; reads only, writes nothing."""
    problems, articles, pages = validate(config, now=now)
    files = None
    if site:
        site_problems, files = check_site(config)
        problems += site_problems
    return CheckReport(tuple(sorted(problems)), articles, pages, files)


def validate(config: SiteConfig, *, now: dt.datetime | None = None) -> tuple[list[Diagnostic], int, int]:
    """Every error the build would stop on, plus editorial warnings; with an empty cache so nothing is written."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    authors, problems, _ = model.load_authors(model.read_authors_file(config))
    try:
        docs, read_problems, _ = sources.read_all(config.root, config.content_dir, {}, 0, out_dir=config.output_dir)
    except BuildError as exc:  # a refused symlink: the build stops before reading anything, so does check
        docs, read_problems = [], list(exc.diagnostics)
    problems += read_problems
    # Drafts and scheduled articles are validated as well: they will be published one day.
    site, model_problems = model.build_site(config, docs, authors, now=now, drafts=True, future=True)
    problems += model_problems
    problems += _template_problems(config)
    problems += _editorial_warnings(config, site, docs)
    problems += _ingest_problems(config)
    return problems, len(site.all_articles), len(site.pages)


def _ingest_problems(config: SiteConfig) -> list[Diagnostic]:
    """What `ingest` would stop on in content/feeds.yaml and content/ingest-state.json, when they exist."""
    present = [path for path in (FEEDS_FILE, STATE_FILE) if (config.root / path).exists()]
    if not present:
        return []
    from . import ingest  # feedparser and nh3 are loaded only for projects that ingest

    problems: list[Diagnostic] = []
    for path in present:
        try:
            (ingest.load_feeds if path == FEEDS_FILE else ingest.load_state)(config)
        except (ConfigError, BuildError) as exc:
            problems += exc.diagnostics
    return problems


def _template_problems(config: SiteConfig) -> list[Diagnostic]:
    """Compile every template in memory: syntax errors, with their line, without rendering a page;
    and every symlink in templates/ the build would refuse."""
    import jinja2

    from .inputs import template_files
    from .render import make_environment

    problems = []
    try:
        output.static_files(config.static_dir, root=config.root, out_dir=config.output_dir)
    except BuildError as exc:  # a refused symlink in templates/static/
        problems += exc.diagnostics
    try:
        files = template_files(config)
    except BuildError as exc:
        return problems + list(exc.diagnostics)
    env = make_environment(config, {})
    for rel, _path in files:
        try:
            env.get_template(rel)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Diagnostic(Location(f"templates/{rel}", exc.lineno or 0), exc.message or str(exc),
                                       "fix the template syntax"))
        except UnicodeDecodeError:
            problems.append(Diagnostic(Location(f"templates/{rel}"), "not UTF-8 text", "save it as UTF-8"))
    return problems


def _editorial_warnings(config: SiteConfig, site: model.Site, docs: list[sources.SourceDoc]) -> list[Diagnostic]:
    """Likely mistakes that still build, in the editors' own articles (not ingest's inbox)."""
    by_rel = {doc.rel: doc for doc in docs}
    articles = [a for a in site.all_articles if by_rel[a.source].kind == "article"]
    warnings: list[Diagnostic] = []
    meta_texts: dict[str, str] = {}

    def warn(article: model.Article, path: tuple, message: str, hint: str = "") -> None:
        line = model.key_line(by_rel[article.source], config.root, path, meta_texts)
        warnings.append(Diagnostic(Location(article.source, line), message, hint, severity="warning"))

    for article in articles:
        if not article.sources:
            warn(article, (), "the article cites no sources",
                 "add a 'sources:' list, e.g. '- publisher: Reuters' with a title and url")
        if not article.summary or article.summary.upper().startswith("TODO"):
            warn(article, ("summary",), "the summary is empty" if not article.summary else
                 "the summary is still a placeholder",
                 "write one or two sentences saying what the article argues: listings, feeds and search show it")
        elif len(article.summary) > SUMMARY_LIMIT:
            warn(article, ("summary",),
                 f"the summary is {len(article.summary)} characters long; keep it under {SUMMARY_LIMIT}",
                 "listings, feeds and search results show it in full")
        start_of_day = article.date.replace(hour=0, minute=0, second=0, microsecond=0)
        if article.updated is not None and article.updated < start_of_day:
            warn(article, ("updated",),
                 f"'updated' ({article.updated.date()}) is before 'date' ({article.date.date()})",
                 "an update can only follow publication; check the year and month")

    uses = Counter(tag for article in articles for tag in article.tags)
    names = {tag: name for article in articles for tag, name in zip(article.tags, article.tag_names)}
    for article in articles:
        raw = by_rel[article.source].meta.get("tags")
        raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for index, name in enumerate(raw):
            tag = routes.slugify(str(name))
            if uses.get(tag) != 1:
                continue
            others = [names[t] for t in uses if t != tag]
            close = closest(str(name), others, cutoff=0.7)
            hint = f"did you mean '{close}'?" if close else "a tag groups articles; reuse an existing one if it fits"
            where = ("tags", index) if isinstance(by_rel[article.source].meta.get("tags"), list) else ("tags",)
            warn(article, where, f"tag '{name}' is used by no other article (a typo?)", hint)
    return warnings


class _PageScan(HTMLParser):
    """What the link checker needs from one HTML page: its ids, its links with lines, and its title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str, str]] = []     # line, tag, URL
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(key):
                self.ids.add(values[key])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.links.append((self.getpos()[0], tag, values[attribute]))
        if tag == "title":
            self._in_title = True
            self.title = self.title or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data


def check_site(config: SiteConfig, out_dir: Path | None = None) -> tuple[list[Diagnostic], int]:
    """Broken internal links and anchors, pages without a title, and feeds that do not parse; with a file count."""
    out_dir = (out_dir or config.output_dir).resolve()
    shown_dir = relative(out_dir, config.root)
    if not out_dir.is_dir():
        return [Diagnostic(Location(shown_dir + "/"), f"no built site at {shown_dir}/",
                           "run 'milei-watch build' first, or pass --out DIR")], 0
    files = sorted(output.existing_files(out_dir))  # the site's own files, not Pagefind's bundle
    file_set = set(files)
    problems: list[Diagnostic] = []

    def shown(rel: str) -> str:
        return f"{shown_dir}/{rel}"

    scans: dict[str, _PageScan] = {}
    for rel in files:
        if rel.endswith(".html"):
            scan = _PageScan()
            scan.feed((out_dir / rel).read_text("utf-8", errors="replace"))
            scan.close()
            scans[rel] = scan

    base_path = config.base_path
    for rel, scan in scans.items():
        if not (scan.title or "").strip():
            problems.append(Diagnostic(Location(shown(rel), 1), "the page has no <title>",
                                       "every page needs a title for tabs, bookmarks and screen readers"))
        for line, tag, value in scan.links:
            url = value.strip()
            if tag == "link" and url.startswith(config.base_url):  # canonical and alternate links are absolute
                url = base_path + url[len(config.base_url):]
            reason = _link_problem(rel, url, base_path, file_set, scans)
            if reason:
                problems.append(Diagnostic(Location(shown(rel), line), f"broken link '{value}': {reason}"))

    for rel in files:
        name = rel.rsplit("/", 1)[-1]
        if rel.endswith(".xml"):
            problem = _xml_problem(out_dir / rel, feed=name in FEED_NAMES)
        elif name == "feed.json":
            problem = _json_feed_problem(out_dir / rel)
        else:
            continue
        if problem:
            problems.append(Diagnostic(Location(shown(rel), problem[0]), problem[1]))
    return problems, len(files)


def _link_problem(page: str, url: str, base_path: str, files: set[str], scans: dict[str, _PageScan]) -> str:
    """Why an href/src on `page` does not resolve inside the site, or '' when it does or is external."""
    parts = urlsplit(url)
    if not url or parts.scheme or parts.netloc:
        return ""
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if not path:
        target = page
    else:
        if path.startswith("/"):
            if not (path + "/").startswith(base_path):
                return f"outside the site's base path {base_path}"
            joined = path[len(base_path):] if len(path) >= len(base_path) else ""
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        directory = joined.endswith("/") or joined == ""
        normal = posixpath.normpath(joined) if joined else ""
        if normal in (".", ""):
            normal = ""
        if normal.startswith(".."):
            return "points above the site's root"
        if directory or normal == "":
            target = f"{normal}/index.html".lstrip("/")
        elif normal in files:
            target = normal
        elif f"{normal}/index.html" in files:
            target = f"{normal}/index.html"  # a folder without its slash: servers redirect
        else:
            return "no such file in the site"
        if target not in files:
            return "no such page in the site"
    if fragment and target in scans and fragment not in scans[target].ids:
        where = "on this page" if target == page else f"on {target}"
        return f"no element with id '{fragment}' {where}"
    return ""


def _xml_problem(path: Path, *, feed: bool) -> tuple[int, str] | None:
    """(line, message) when an XML file is not well-formed, or a feed does not parse cleanly."""
    data = path.read_bytes()
    try:
        ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return exc.position[0], f"not well-formed XML: {exc}"
    if feed:
        import feedparser

        parsed = feedparser.parse(data)
        if parsed.bozo:
            error = parsed.bozo_exception
            line = error.getLineNumber() if hasattr(error, "getLineNumber") else 0
            return line, f"the feed does not parse cleanly: {error}"
        if not parsed.version:
            return 1, "not a feed feedparser recognises (RSS or Atom)"
    return None


def _json_feed_problem(path: Path) -> tuple[int, str] | None:
    """(line, message) when a JSON Feed is not JSON or lacks what readers require."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        return getattr(exc, "lineno", 0), f"not valid JSON: {exc}"
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return 1, "not a JSON Feed: 'version' must be a https://jsonfeed.org/version/ URL"
    if not isinstance(data.get("items"), list) or not data.get("title"):
        return 1, "a JSON Feed needs a 'title' and an 'items' list"
    return None
