"""Every link and asset of a built site resolves, and every topic lists exactly its published articles."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.conftest import FIXED_NOW, build_fixture, copy_shipped, copy_site

# Late enough that every shipped article is published, so the check covers all of them.
SHIPPED_NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))


class _Page(HTMLParser):
    """The href/src references (with their tag), element ids and article-card links of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.cards: list[str] = []
        self._in_card_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.refs.append((tag, values[name]))
        if values.get("id"):
            self.ids.add(values["id"])
        if tag in ("h2", "h3") and "card-title" in (values.get("class") or "").split():
            self._in_card_title = True
        elif tag == "a" and self._in_card_title:
            self.cards.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self._in_card_title = False


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _main_cards(path: Path) -> list[str]:
    """Card links inside <main> only: the listing itself, not a related-articles box elsewhere."""
    text = path.read_text("utf-8")
    page = _Page()
    page.feed(text[text.index("<main"): text.index("</main>")])
    return page.cards


def _resolve(site: Path, base_url: str, page_rel: str, tag: str, ref: str) -> tuple[Path, str] | None:
    """The file and fragment an internal reference points at; None for references to elsewhere.

    Absolute addresses are the theme's own only in <link> (canonical, feeds); in the body
    they are citations, which may point anywhere, even at the site's own host. The theme links
    root-relative; article bodies link to each other relatively (`../other-article/`), which works
    under any base path, and are resolved against the page's own address."""
    parts = urlsplit(ref)
    base = urlsplit(base_url)
    if parts.scheme or parts.netloc:
        if tag != "link" or not ref.startswith(base_url):
            return None
        path = parts.path
    elif parts.path.startswith("/"):
        path = parts.path
    elif not parts.path:
        return site / page_rel, parts.fragment  # a fragment on the same page
    else:
        page_url = base.path + (page_rel[: -len("index.html")] if page_rel.endswith("index.html") else page_rel)
        path = urljoin(page_url, parts.path)
    assert path.startswith(base.path), f"site/{page_rel}: {ref!r} is outside the base path {base.path}"
    rel = unquote(path[len(base.path):])
    target = site / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target, parts.fragment


def _check_links(site: Path, base_url: str) -> int:
    """Assert that every internal reference of every page resolves; returns how many were checked."""
    pages = {p.relative_to(site).as_posix(): p for p in site.rglob("*.html") if "pagefind" not in p.parts}
    parsed = {rel: _parse(path) for rel, path in pages.items()}
    broken = []
    checked = 0
    for rel, page in sorted(parsed.items()):
        for tag, ref in page.refs:
            resolved = _resolve(site, base_url, rel, tag, ref)
            if resolved is None:
                continue
            target, fragment = resolved
            checked += 1
            if not target.is_file():
                broken.append(f"site/{rel}: {ref} → missing {target.relative_to(site)}")
                continue
            if fragment and target.suffix == ".html":
                target_rel = target.relative_to(site).as_posix()
                if unquote(fragment) not in parsed[target_rel].ids:
                    broken.append(f"site/{rel}: {ref} → no id '{fragment}' in {target_rel}")
    assert not broken, "broken internal references:\n" + "\n".join(broken)
    return checked


def _published(root: Path, now: dt.datetime,
               folder: str = "content/articles") -> list[tuple[dt.datetime, str, tuple[str, ...]]]:
    """(date, slug, topics) of the published articles in `folder` (the Spanish edition's are in
    content/articles/es/), read straight from the front matter, newest first."""
    tz = ZoneInfo(yaml.safe_load((root / "content/site.yaml").read_text("utf-8")).get(
        "timezone", "America/Argentina/Buenos_Aires"))

    def moment(value) -> dt.datetime:
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        return value if value.tzinfo else value.replace(tzinfo=tz)

    found = []
    for path in sorted((root / folder).glob("*.md")):
        meta = yaml.safe_load(path.read_text("utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
        date = moment(meta["date"])
        if meta.get("draft") or date > now or (meta.get("expires") and moment(meta["expires"]) <= now):
            continue
        slug = meta.get("slug") or re.sub(r"[^a-z0-9]+", "-", _fold(meta["title"]).lower()).strip("-")
        found.append((date, slug, tuple(meta["topics"])))
    found.sort(key=lambda item: (-item[0].timestamp(), item[1]))
    return found


def _fold(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _topic_listing(site: Path, base_path: str, topic: str) -> list[str]:
    """Article URLs the topic's pages list, page after page, following the pager."""
    urls = []
    folder = site / "topics" / topic
    number = 1
    page = folder / "index.html"
    while page.is_file():
        urls.extend(_main_cards(page))
        number += 1
        page = folder / "page" / str(number) / "index.html"
    return [u.removeprefix(base_path) for u in urls]


@pytest.fixture(scope="module")
def basic_site(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("links") / "project")
    build_fixture(root)
    return root


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory) -> Path:
    root = copy_shipped(tmp_path_factory.mktemp("shipped") / "project")
    build_fixture(root, now=SHIPPED_NOW)
    return root


def test_every_internal_link_of_the_basic_fixture_resolves(basic_site):
    assert _check_links(basic_site / "site", "https://fixture.example.org/") > 200


def test_every_internal_link_of_the_shipped_content_resolves(shipped_site):
    assert _check_links(shipped_site / "site", "https://milei-watch.example.org/") > 500


def test_every_internal_link_of_the_newsroom_fixture_resolves(tmp_path):
    root = copy_site(tmp_path / "project", "newsroom")
    build_fixture(root)
    assert _check_links(root / "site", "https://newsroom.example.org/") > 200


def test_expired_article_with_a_tag_of_its_own_links_no_missing_page(tmp_path):
    root = copy_site(tmp_path / "project", "newsroom")
    article = root / "content" / "articles" / "cumbre-expirada.md"
    article.write_text(article.read_text("utf-8").replace("kind: news\n", "kind: news\ntags: [cumbre-unica]\n"),
                       "utf-8")
    build_fixture(root)
    _check_links(root / "site", "https://newsroom.example.org/")


def test_links_stay_under_a_base_path(tmp_path):
    root = copy_site(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace(
        "base_url: https://fixture.example.org/", "base_url: https://fixture.example.org/watch/"), "utf-8")
    build_fixture(root)
    site = root / "site"
    assert _check_links(site, "https://fixture.example.org/watch/") > 200
    home = (site / "index.html").read_text("utf-8")
    assert 'href="/watch/static/style.css"' in home
    assert not re.search(r'(?:href|src)="/(?!watch/)', home)


@pytest.mark.parametrize("which", ["basic", "shipped", "shipped-es"])
def test_each_topic_lists_exactly_its_published_articles(which, basic_site, shipped_site):
    root, now = (basic_site, FIXED_NOW) if which == "basic" else (shipped_site, SHIPPED_NOW)
    # the Spanish edition's topic pages (es/topics/<slug>/) list exactly its own articles
    folder, edition = ("content/articles/es", "es/") if which == "shipped-es" else ("content/articles", "")
    published = _published(root, now, folder)
    topics = [t["slug"] for t in yaml.safe_load((root / "content/site.yaml").read_text("utf-8"))["topics"]]
    for topic in topics:
        expected = [f"articles/{slug}/" for _date, slug, tags in published if topic in tags]
        assert _topic_listing(root / "site" / edition, "/" + edition, topic) == expected, topic
    assert sum(1 for _ in published) >= 4


def test_topic_pages_split_at_per_page(tmp_path):
    root = copy_site(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("per_page: 2", "per_page: 1"), "utf-8")
    build_fixture(root)
    # diplomacy has two published articles: one per page, and the pager links them both ways
    site = root / "site" / "topics" / "diplomacy"
    first, second = site / "index.html", site / "page" / "2" / "index.html"
    assert _main_cards(first) == ["/articles/meetings-at-the-state-department/"]
    assert _main_cards(second) == ["/articles/deuda-y-fmi/"]
    assert not (site / "page" / "3").exists()
    assert 'rel="next" href="/topics/diplomacy/page/2/"' in first.read_text("utf-8")
    assert 'rel="prev" href="/topics/diplomacy/"' in second.read_text("utf-8")
    assert _check_links(root / "site", "https://fixture.example.org/") > 200
