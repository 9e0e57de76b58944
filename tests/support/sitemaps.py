"""A built site's sitemaps: the index at sitemap.xml, and the sitemaps it names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_files(site: Path, base_url: str) -> list[Path]:
    """The files the index names, in its order; each must be inside the site under base_url."""
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == NS + "sitemapindex", index.tag
    files = []
    for loc in index.iterfind(f"{NS}sitemap/{NS}loc"):
        assert loc.text and loc.text.startswith(base_url), loc.text
        files.append(site / loc.text[len(base_url):])
    assert files and all(path.is_file() for path in files), files
    return files


def sitemap_urls(site: Path, base_url: str) -> list[ET.Element]:
    """Every <url> of every sitemap, in order."""
    return [url for path in sitemap_files(site, base_url) for url in ET.parse(path).getroot().iterfind(NS + "url")]


def sitemap_locs(site: Path, base_url: str) -> list[str]:
    return [url.findtext(NS + "loc") for url in sitemap_urls(site, base_url)]
