"""Ingested drafts end to end: a hostile feed, built with --drafts, yields pages with nothing executable,
and every draft ingest writes passes `milei-watch check`."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from milei_watch import ingest
from tests.conftest import FIXED_NOW, REPO, run_cli
from tests.unit.test_ingest import project

# What the theme itself puts in a page; anything else executable must have come from a feed.
THEME_DRAWINGS = {"brand-mark"}
THEME_SCRIPTS = {("application/ld+json", None), ("module", "search.js")}


class _PageAudit(HTMLParser):
    """Every executable construct in a built page that the theme did not put there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            src = (values.get("src") or "").rsplit("/", 1)[-1] or None
            if (values.get("type"), src) not in THEME_SCRIPTS:
                self.bad.append(f"<script {values}>")
        if tag == "svg" and values.get("class") in THEME_DRAWINGS:
            pass  # the theme's own wordmark, written by the templates, not by a feed
        elif tag in ("iframe", "object", "embed", "svg", "math", "frame", "base", "form", "img"):
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in ("http", "https", "mailto"):
                    self.bad.append(f"{tag}[{name}={value!r}]")


def _ingested_project(tmp_path: Path, *feeds: str) -> Path:
    config = project(tmp_path, *feeds)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    report = ingest.ingest(config, now=FIXED_NOW)
    assert report.drafts
    return tmp_path


def test_hostile_feed_built_with_drafts_gives_pages_with_nothing_executable(tmp_path: Path) -> None:
    root = _ingested_project(tmp_path, "hostile.xml")
    result = run_cli("build", "--root", root, "--drafts", "--now", FIXED_NOW.isoformat())
    assert result.returncode == 0, result.stderr
    pages = sorted((root / "site" / "articles").glob("*/index.html"))
    assert len(pages) == 3
    for page in pages + [root / "site" / "index.html"]:
        audit = _PageAudit()
        audit.feed(page.read_text("utf-8"))
        assert audit.bad == [], f"{page}: {audit.bad}"
    for feed in ("feed.xml", "atom.xml", "feed.json"):
        text = (root / "site" / feed).read_text("utf-8")
        assert "<script" not in text and "javascript:" not in text.lower() and "onload" not in text.lower()


def test_every_draft_ingest_writes_passes_check(tmp_path: Path) -> None:
    feeds = ("rss20.xml", "atom10.xml", "rss10.rdf", "rss091.xml", "entities-cdata.xml", "hostile.xml",
             "dates.xml", "relative-links.xml", "no-guid-no-link.xml", "duplicates.xml", "wrong-encoding.xml",
             "truncated.xml")
    present = [name for name in feeds if (REPO / "tests" / "fixtures" / "feeds" / name).exists()]
    assert len(present) >= 6, "the fixture feeds were renamed"
    root = _ingested_project(tmp_path, *present)
    drafts = sorted((root / "content" / "inbox").glob("*.md"))
    assert len(drafts) >= len(present)
    result = run_cli("check", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr
