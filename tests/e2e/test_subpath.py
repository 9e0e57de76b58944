"""A base_url with a sub-path (https://fixture.example.org/milei-watch/) works everywhere: links, assets,
feeds, sitemap, canonical URLs and the search bundle. The same link check runs on sites served at the root."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from tests.support.pages import read_page, target_file
from tests.support.sitemaps import sitemap_locs
from tests.support.sites import built_site, html_files, page_name, shipped_site

BASE_URL = "https://fixture.example.org/milei-watch/"
BASE_PATH = "/milei-watch/"


@pytest.fixture(scope="module")
def site() -> Path:
    return built_site("basic", base_url=BASE_URL, search=True)


def broken_links(site: Path, base_path: str) -> list[str]:
    """Every root-relative or relative URL in every page that points outside the base path or at no file.
    (Absolute URLs, such as canonical ones, are checked on their own below.) The theme links
    root-relative; a relative link, as article bodies write links to each other, is resolved against
    the page's own address, and must stay inside the base path too."""
    problems = []
    for path in html_files(site):
        name = page_name(site, path)
        for tag, attribute, value in read_page(path).urls():
            if attribute == "action" and not value:
                continue
            parts = urlsplit(value)
            if parts.scheme in ("http", "https", "mailto") or (not parts.path and parts.fragment):
                continue
            if not value.startswith("/"):
                if tag != "a":
                    problems.append(f"{name}: <{tag} {attribute}={value!r}> is relative")
                    continue
                page_url = base_path + (name[: -len("index.html")] if name.endswith("index.html") else name)
                value = urljoin(page_url, value)
            target = target_file(site, base_path, value)
            if target is None:
                problems.append(f"{name}: <{tag} {attribute}={value!r}> is outside {base_path}")
            elif not target.is_file():
                problems.append(f"{name}: <{tag} {attribute}={value!r}> points at a missing file")
    return problems


def test_every_root_relative_link_starts_with_the_sub_path_and_resolves(site):
    assert broken_links(site, BASE_PATH) == []


@pytest.mark.parametrize("which", ["shipped", "basic"])
def test_every_internal_link_resolves_at_the_root(which):
    root = shipped_site() if which == "shipped" else built_site("basic")
    assert broken_links(root, "/") == []


def test_fragment_links_point_at_ids_on_the_page(site):
    for path in html_files(site):
        html = path.read_text("utf-8")
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for fragment in re.findall(r'href="#([^"]+)"', html):
            assert fragment in ids, f"{page_name(site, path)}: #{fragment}"


def test_canonical_and_open_graph_urls_use_the_sub_path(site):
    for path in html_files(site):
        page = read_page(path)
        name = page_name(site, path)
        expected = BASE_URL + (name[: -len("index.html")] if name.endswith("index.html") else name)
        assert page.find("link", rel="canonical")[0]["href"] == expected
        assert page.one_meta("og:url") == expected
        for link in page.find("link", rel="alternate"):
            assert link["href"].startswith(BASE_PATH), name
        for data in page.data():
            for key in ("url", "@id"):
                for value in _values(data, key):
                    assert value.startswith(BASE_URL), f"{name}: {key} {value}"


def _values(data, key):
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "citation":
                continue        # sources live on other sites
            if k == key and isinstance(v, str) and v.startswith("https://fixture.example.org"):
                yield v
            yield from _values(v, key)
    elif isinstance(data, list):
        for item in data:
            yield from _values(item, key)


def test_feeds_use_the_sub_path(site):
    for prefix in ("", "topics/economy/"):
        rss = feedparser.parse((site / prefix / "feed.xml").read_bytes())
        assert rss.bozo == 0 and rss.feed.link == BASE_URL + prefix
        assert all(e.link.startswith(BASE_URL + "articles/") and e.id == e.link for e in rss.entries)
        atom = feedparser.parse((site / prefix / "atom.xml").read_bytes())
        assert atom.bozo == 0 and atom.feed.id == BASE_URL + prefix + "atom.xml"
        assert [link.href for link in atom.feed.links if link.rel == "self"] == [BASE_URL + prefix + "atom.xml"]
        assert all(e.id.startswith(BASE_URL + "articles/") for e in atom.entries)
        feed = json.loads((site / prefix / "feed.json").read_text("utf-8"))
        assert feed["feed_url"] == BASE_URL + prefix + "feed.json"
        assert feed["home_page_url"] == BASE_URL + prefix
        assert all(item["url"].startswith(BASE_URL + "articles/") for item in feed["items"])
        assert rss.entries and feed["items"]


def test_sitemap_and_robots_use_the_sub_path(site):
    locs = sitemap_locs(site, BASE_URL)  # the index's addresses of each sitemap are checked too
    assert locs and all(loc.startswith(BASE_URL) for loc in locs)
    for loc in locs:
        assert (site / loc[len(BASE_URL):] / "index.html").is_file(), loc
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (site / "robots.txt").read_text("utf-8")


def test_search_page_loads_the_pagefind_bundle_from_the_sub_path(site):
    page = read_page(site / "search" / "index.html")
    [script] = [s for s in page.scripts if s.get("src")]
    assert script["src"] == BASE_PATH + "static/search.js"
    assert script["data-pagefind"] == BASE_PATH + "pagefind/pagefind.js"
    assert script["data-base-url"] == BASE_PATH
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert page.find("form")[0]["action"] == BASE_PATH + "search/"


def test_stylesheet_and_icon_come_from_the_sub_path(site):
    page = read_page(site / "articles" / "deuda-y-fmi" / "index.html")
    assert [a["href"] for a in page.find("link", rel="stylesheet")] == [BASE_PATH + "static/style.css"]
    assert [a["href"] for a in page.find("link", rel="icon")] == [BASE_PATH + "static/favicon.svg"]
