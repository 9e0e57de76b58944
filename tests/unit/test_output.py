"""Writing output: whole folders swapped in without leaving half of one, on one file system or across two."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from milei_watch import output


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    return root


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def test_replace_tree_puts_the_new_folder_in_place_of_the_old(tmp_path):
    new = _tree(tmp_path / "cache" / "index-new", {"a.js": "new", "f/1": "one"})
    target = _tree(tmp_path / "site" / "index", {"a.js": "old", "stale/2": "gone"})
    output.replace_tree(new, target)
    assert _files(target) == {"a.js": "new", "f/1": "one"}
    assert not new.exists() and list((tmp_path / "cache").iterdir()) == []


def test_replace_tree_creates_the_folder_when_there_was_none(tmp_path):
    new = _tree(tmp_path / "cache" / "index-new", {"a.js": "new"})
    output.replace_tree(new, tmp_path / "site" / "index")
    assert _files(tmp_path / "site" / "index") == {"a.js": "new"}


def test_replace_tree_copies_across_file_systems(tmp_path, monkeypatch):
    new = _tree(tmp_path / "cache" / "index-new", {"a.js": "new"})
    target = _tree(tmp_path / "site" / "index", {"a.js": "old", "stale": "gone"})

    def cross_device(source, destination):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", cross_device)
    output.replace_tree(new, target)
    assert _files(target) == {"a.js": "new"} and not new.exists()


def test_replace_tree_keeps_the_old_folder_when_the_new_one_cannot_go_in(tmp_path, monkeypatch):
    new = _tree(tmp_path / "cache" / "index-new", {"a.js": "new"})
    target = _tree(tmp_path / "site" / "index", {"a.js": "old"})
    real_rename = os.rename

    def refuse_the_new_one(source, destination):
        if Path(source) == new:
            raise OSError(errno.EACCES, "Permission denied")
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", refuse_the_new_one)
    with pytest.raises(OSError):
        output.replace_tree(new, target)
    assert _files(target) == {"a.js": "old"}


def test_write_new_makes_its_folder_and_replaces_what_was_there(tmp_path):
    path = tmp_path / "a" / "b" / "index.html"
    output.write_new(path, b"first")
    output.write_new(str(path), b"second")
    assert path.read_bytes() == b"second"


def test_present_names_the_files_that_exist_in_order_and_none_of_a_missing_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x")
    (tmp_path / "feed.xml").write_text("x")
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere.html")
    wanted = ["feed.xml", "gone/index.html", "a/index.html", "dangling.html", "a/other.html"]
    assert output.present(tmp_path, wanted) == ["feed.xml", "a/index.html"]
    assert output.present(tmp_path / "missing", wanted) == []


def test_put_writes_an_idle_file_of_its_own_in_place_and_never_one_shared_with_the_site(tmp_path):
    from milei_watch import publish

    site, idle = tmp_path / "site", tmp_path / "idle"
    (site / "a").mkdir(parents=True)
    (idle / "a").mkdir(parents=True)
    (site / "a" / "shared.html").write_bytes(b"the live page")
    os.link(site / "a" / "shared.html", idle / "a" / "shared.html")
    (idle / "a" / "own.html").write_bytes(b"an older page, longer than the new one")
    with open(idle / "a" / "own.html", "rb") as before:
        publish.put(idle, "a/own.html", b"new page")
        assert before.read() == b"new page"  # the same file, written over and cut to its new length
    publish.put(idle, "a/shared.html", b"new shared page")
    assert (site / "a" / "shared.html").read_bytes() == b"the live page"  # the site's file is untouched
    assert (idle / "a" / "shared.html").read_bytes() == b"new shared page"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not the site's")
    (idle / "a" / "link.html").symlink_to(outside)
    publish.put(idle, "a/link.html", b"page")  # a symbolic link is replaced, never written through
    assert outside.read_bytes() == b"not the site's" and not (idle / "a" / "link.html").is_symlink()
    assert (idle / "a" / "link.html").read_bytes() == b"page"
    publish.put(idle, "b/new.html", b"fresh")  # neither the file nor its folder there yet
    assert (idle / "b" / "new.html").read_bytes() == b"fresh"
