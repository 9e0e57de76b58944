"""`--out`: the build writes only into a folder that is new, empty, its own, or handed over with --adopt-out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from milei_watch.config import load_config
from milei_watch.errors import UsageError
from milei_watch.outdir import MARKER
from milei_watch.serve import DevServer
from tests.conftest import FIXED_NOW, run_cli

NOW = FIXED_NOW.isoformat()


def _build(root: Path, *args: str):
    """`milei-watch build` run from inside the project, so that --out paths read as they are typed."""
    return run_cli("build", "--root", root, "--now", NOW, *args, cwd=root)


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and every folder (None) under `folder`, hidden ones included."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() and not p.is_symlink() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def _project(root: Path) -> dict[str, bytes | None]:
    """The project's tree, less the build's empty lock file, which a build may take before it looks at --out."""
    tree = _tree(root)
    for rel in (".milei_watch/lock", ".milei_watch"):
        if tree.get(rel) in (None, b""):
            tree.pop(rel, None)
    return tree


def _foreign_docs(root: Path) -> Path:
    """A docs/ folder of someone else's files, as in the report that deleted them."""
    docs = root / "docs"
    (docs / "important").mkdir(parents=True)
    (docs / "README.md").write_text("# Documentation\n\nNot generated.\n", "utf-8")
    (docs / "important" / "notes.txt").write_text("Notas importantes: ñandú.\n", "utf-8")
    return docs


def test_a_folder_of_other_files_is_refused_and_left_alone(site_root):
    docs = _foreign_docs(site_root)
    before, files = _project(site_root), _tree(docs)
    result = _build(site_root, "--out", "docs")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"docs: error: the output folder is not empty and was not made by milei-watch "
                                    f"(it has no {MARKER} file); nothing was written\n")
    assert "--adopt-out" in result.stderr and "Traceback" not in result.stderr
    assert _tree(docs) == files
    assert _project(site_root) == before  # and no site/, no cache: nothing written at all


def test_adopt_out_hands_the_folder_to_the_build(site_root):
    docs = _foreign_docs(site_root)
    result = _build(site_root, "--out", "docs", "--adopt-out")
    assert result.returncode == 0, result.stderr
    assert (docs / "index.html").is_file() and (docs / MARKER).is_file()
    # Whether the build keeps, replaces or removes the folder's other files is the build's business
    # from here on (README: "may replace or delete any file in it"), so nothing is asserted about them.
    again = _build(site_root, "--out", "docs")  # marked as the build's: no --adopt-out needed any more
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("out", [".", ".."])
@pytest.mark.parametrize("adopt", [(), ("--adopt-out",)], ids=["plain", "adopt"])
def test_the_project_folder_or_one_above_it_is_refused_even_with_adopt_out(site_root, out, adopt):
    (site_root / ".git").mkdir()
    (site_root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (site_root / "src").mkdir()
    (site_root / "src" / "module.py").write_text("print('kept')\n", "utf-8")
    (site_root / "README.md").write_text("# Project\n", "utf-8")
    assert _build(site_root).returncode == 0  # with a site and a cache, so those must stay too
    before = _project(site_root)
    around = sorted(p.name for p in site_root.parent.iterdir())
    result = _build(site_root, "--out", out, *adopt)
    assert result.returncode == 2, result.stderr
    shown = "." if out == "." else site_root.parent.as_posix()
    what = "is the project folder itself" if out == "." else "contains the project folder"
    assert result.stderr.startswith(f"{shown}: error: the output folder {what}: ")
    assert "--adopt-out does not apply here" in result.stderr
    assert _project(site_root) == before
    assert sorted(p.name for p in site_root.parent.iterdir()) == around


@pytest.mark.parametrize("out, message", [
    ("content", "the output folder is content/, the site's content"),
    ("content/articles", "the output folder is inside content/, the site's content"),
    ("templates", "the output folder is templates/, the theme"),
    ("templates/static", "the output folder is inside templates/, the theme"),
    (".milei_watch", "the output folder is .milei_watch/, the build cache"),
    (".milei_watch/outputs/public", "the output folder is inside .milei_watch/, the build cache"),
])
@pytest.mark.parametrize("adopt", [(), ("--adopt-out",)], ids=["plain", "adopt"])
def test_the_project_s_own_folders_are_refused(site_root, out, message, adopt):
    assert _build(site_root).returncode == 0  # so that .milei_watch/ exists
    before = _project(site_root)
    result = _build(site_root, "--out", out, *adopt)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{out}: error: {message}: "), result.stderr
    assert _project(site_root) == before


def test_a_path_that_is_a_file_is_refused(site_root):
    (site_root / "notes.txt").write_text("Notas.\n", "utf-8")
    before = _project(site_root)
    result = _build(site_root, "--out", "notes.txt", "--adopt-out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("notes.txt: error: the output path exists and is a file, not a folder")
    assert _project(site_root) == before


def test_a_symlinked_output_folder_is_refused(site_root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site_root / "site").symlink_to(elsewhere, target_is_directory=True)
    result = _build(site_root)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"site: error: the output folder is a symbolic link (to {elsewhere})")
    assert list(elsewhere.iterdir()) == []


def test_a_folder_made_by_an_earlier_build_rebuilds_without_its_cache(site_root):
    assert _build(site_root, "--out", "public").returncode == 0
    marker = (site_root / "public" / MARKER).read_text("utf-8")
    assert "generated by milei-watch" in marker and "templates/static/" in marker
    shutil.rmtree(site_root / ".milei_watch")  # deleting the cache is always safe: the marker says whose it is
    result = _build(site_root, "--out", "public")
    assert result.returncode == 0, result.stderr
    assert (site_root / "public" / MARKER).read_text("utf-8") == marker


def test_a_second_build_into_the_default_site_writes_nothing(site_root):
    assert _build(site_root).returncode == 0
    before = _tree(site_root / "site")
    assert MARKER in before
    result = _build(site_root)
    assert result.returncode == 0, result.stderr
    assert " 0 written, " in result.stdout and " 0 removed " in result.stdout
    assert _tree(site_root / "site") == before


def test_a_full_build_keeps_the_marker_and_does_not_count_it(site_root):
    assert _build(site_root).returncode == 0
    result = _build(site_root, "--full", "--verbose")
    assert result.returncode == 0, result.stderr
    assert f"removed {MARKER}" not in result.stdout and " 0 removed " in result.stdout
    assert (site_root / "site" / MARKER).is_file()


def test_an_empty_existing_folder_is_used_and_marked(site_root):
    (site_root / "public").mkdir()
    result = _build(site_root, "--out", "public")
    assert result.returncode == 0, result.stderr
    assert (site_root / "public" / "index.html").is_file() and (site_root / "public" / MARKER).is_file()


def test_a_site_built_before_the_marker_existed_keeps_building(site_root):
    assert _build(site_root).returncode == 0
    (site_root / "site" / MARKER).unlink()  # as a build from before the marker left it, with its cache record
    (site_root / "site" / "extra.txt").write_text("not the build's\n", "utf-8")  # so that it is not empty either
    result = _build(site_root)
    assert result.returncode == 0, result.stderr  # not refused: the cache records building exactly this folder
    result = _build(site_root, "--full")
    assert result.returncode == 0, result.stderr
    assert (site_root / "site" / MARKER).is_file()


def test_a_cache_record_of_another_folder_adopts_nothing(site_root):
    assert _build(site_root).returncode == 0  # the cache now records site/
    _foreign_docs(site_root)
    before = _tree(site_root / "docs")
    assert _build(site_root, "--out", "docs").returncode == 2
    assert _tree(site_root / "docs") == before


def test_serve_refuses_a_folder_of_other_files_before_serving_it(site_root):
    docs = _foreign_docs(site_root)
    before = _tree(docs)
    server = DevServer(load_config(site_root, docs), "127.0.0.1", 0, now=FIXED_NOW)
    try:
        with pytest.raises(UsageError) as refused:
            server.start()
    finally:
        server.stop()
    [problem] = refused.value.diagnostics
    assert problem.location.path == "docs" and "not made by milei-watch" in problem.message
    assert _tree(docs) == before
    result = run_cli("serve", "--root", site_root, "--out", "docs", "--port", "0", cwd=site_root, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("docs: error: "), result.stderr
    assert _tree(docs) == before
