"""The idle tree is brought up to date without writing through a link into the site."""

from __future__ import annotations

import os
from pathlib import Path

from milei_watch import publish


def _trees(tmp_path: Path) -> tuple[Path, Path]:
    site, idle = tmp_path / "site", tmp_path / "idle"
    (site / "a").mkdir(parents=True)
    (idle / "a").mkdir(parents=True)
    (site / "a" / "page.html").write_bytes(b"<p>the site's bytes</p>")
    os.utime(site / "a" / "page.html", ns=(1_700_000_000_000_000_001, 1_700_000_000_000_000_002))
    return site, idle


def test_an_idle_copy_of_its_own_is_written_over_with_the_sites_bytes_and_times(tmp_path: Path) -> None:
    site, idle = _trees(tmp_path)
    own = idle / "a" / "page.html"
    own.write_bytes(b"<p>an older and longer version of the page</p>")
    inode = own.stat().st_ino
    publish.link_from(site, idle, "a/page.html")
    after = own.stat()
    assert own.read_bytes() == b"<p>the site's bytes</p>"
    assert after.st_mtime_ns == (site / "a" / "page.html").stat().st_mtime_ns
    assert after.st_ino == inode, "written over in place: not unlinked, its blocks not freed"
    assert (site / "a" / "page.html").read_bytes() == b"<p>the site's bytes</p>"


def test_bytes_the_caller_already_read_are_written_with_the_sites_times(tmp_path: Path) -> None:
    site, idle = _trees(tmp_path)
    own = idle / "a" / "page.html"
    own.write_bytes(b"<p>older</p>")
    publish.link_from(site, idle, "a/page.html", b"<p>the site's bytes</p>")
    assert own.read_bytes() == b"<p>the site's bytes</p>"
    assert own.stat().st_mtime_ns == (site / "a" / "page.html").stat().st_mtime_ns


def test_an_idle_file_shared_with_another_is_never_written_through(tmp_path: Path) -> None:
    site, idle = _trees(tmp_path)
    other = tmp_path / "elsewhere.html"
    other.write_bytes(b"<p>another generation's bytes</p>")
    os.link(other, idle / "a" / "page.html")  # two links: writing over it would change `other`
    publish.link_from(site, idle, "a/page.html")
    assert other.read_bytes() == b"<p>another generation's bytes</p>"
    assert (idle / "a" / "page.html").stat().st_ino == (site / "a" / "page.html").stat().st_ino


def test_a_symbolic_link_in_the_idle_tree_is_replaced_not_followed(tmp_path: Path) -> None:
    site, idle = _trees(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not the build's")
    (idle / "a" / "page.html").symlink_to(outside)
    publish.link_from(site, idle, "a/page.html")
    assert outside.read_bytes() == b"not the build's"
    assert not (idle / "a" / "page.html").is_symlink()
    assert (idle / "a" / "page.html").read_bytes() == b"<p>the site's bytes</p>"


def test_a_missing_idle_file_becomes_a_link_to_the_sites(tmp_path: Path) -> None:
    site, idle = _trees(tmp_path)
    publish.link_from(site, idle, "a/page.html")
    assert (idle / "a" / "page.html").stat().st_ino == (site / "a" / "page.html").stat().st_ino
