"""The built-site checker: a finished output folder's internal links and anchors, page titles and feeds."""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import output, routes
from .config import SiteConfig
from .errors import Diagnostic, Location, relative

FEED_NAMES = ("feed.xml", "atom.xml")
# Attributes that make the browser fetch or navigate to another file of the site.
LINK_ATTRIBUTES = {
    "a": "href", "area": "href", "link": "href", "form": "action",
    "img": "src", "script": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
    "track": "src", "embed": "src",
}


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
            joined = routes.inside(path, base_path)
            if joined is None:
                return f"outside the site's base path {base_path}"
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
