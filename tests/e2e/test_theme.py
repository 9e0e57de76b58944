"""The theme bundled in the package: a site needs no templates/, and its own files override it file by file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from milei_watch import theme
from tests.conftest import FIXTURES, REPO, build_fixture, copy_site, run_cli, snapshot

MARK = "# the project's own robots.txt\n"


def _content_only(destination: Path, name: str = "basic") -> Path:
    """A project with a fixture site's content and no templates/ at all."""
    shutil.copytree(FIXTURES / "sites" / name / "content", destination / "content")
    return destination


def _pages(site: Path) -> dict[str, bytes]:
    """A built site's files but Pagefind's, whose index lists its languages in no fixed order."""
    return {rel: data for rel, data in snapshot(site).items() if not rel.startswith("pagefind/")}


def _override(root: Path, name: str, text: str) -> Path:
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_the_bundled_theme_is_the_repository_s_templates():
    bundled = theme.bundled_files()
    assert set(bundled) == {p.relative_to(REPO / "templates").as_posix()
                            for p in (REPO / "templates").rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert all(path.read_bytes() == (REPO / "templates" / name).read_bytes() for name, path in bundled.items())


def test_a_site_without_templates_builds_exactly_as_with_a_copy_of_the_theme(tmp_path):
    bare = _content_only(tmp_path / "bare")
    copied = copy_site(tmp_path / "copied")
    build_fixture(bare)
    build_fixture(copied)
    assert snapshot(bare / "site") == snapshot(copied / "site")
    assert {"static/style.css", "static/search.js", "static/favicon.svg"} <= set(snapshot(bare / "site"))
    assert run_cli("check", "--root", bare).returncode == 0


def test_the_interface_language_falls_back_to_the_bundled_catalogue(tmp_path):
    bare = _content_only(tmp_path / "bare", "bilingual")
    copied = tmp_path / "copied"
    shutil.copytree(bare, copied)
    shutil.copytree(REPO / "templates", copied / "templates")
    build_fixture(bare)
    build_fixture(copied)
    assert _pages(bare / "site") == _pages(copied / "site")
    assert 'lang="es"' in (bare / "site" / "es" / "index.html").read_text("utf-8")


def test_a_project_template_replaces_that_template_only(tmp_path):
    bare = _content_only(tmp_path / "bare")
    build_fixture(bare)
    before = snapshot(bare / "site")
    _override(bare, "robots.txt", (theme.BUNDLED / "robots.txt").read_text("utf-8") + MARK)

    report = build_fixture(bare)

    after = snapshot(bare / "site")
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert changed == {"robots.txt"}, changed
    assert after["robots.txt"].decode().endswith(MARK)
    assert report.written == ("robots.txt",)


def test_a_static_file_and_a_catalogue_override_file_by_file(tmp_path):
    root = _content_only(tmp_path / "project", "bilingual")
    _override(root, "static/style.css", "body { color: black }\n")
    catalogue = (theme.BUNDLED / "locale/es/LC_MESSAGES/messages.po").read_text("utf-8")
    assert 'msgstr "Buscar"' in catalogue
    _override(root, "locale/es/LC_MESSAGES/messages.po", catalogue.replace('msgstr "Buscar"', 'msgstr "Búsqueda"'))

    build_fixture(root)

    site = root / "site"
    assert (site / "static" / "style.css").read_text("utf-8") == "body { color: black }\n"
    assert (site / "static" / "search.js").read_bytes() == (theme.BUNDLED / "static" / "search.js").read_bytes()
    spanish = (site / "es" / "index.html").read_text("utf-8")
    assert "Búsqueda" in spanish and ">Buscar<" not in spanish


def test_an_edited_catalogue_shows_on_the_next_incremental_build(tmp_path):
    """Compiled templates hold their edition's words (i18n.CompiledStrings): a catalogue edit must not
    leave the compiled code of the previous words in use."""
    root = _content_only(tmp_path / "project", "bilingual")
    catalogue = (theme.BUNDLED / "locale/es/LC_MESSAGES/messages.po").read_text("utf-8")
    path = _override(root, "locale/es/LC_MESSAGES/messages.po", catalogue)
    build_fixture(root)
    assert ">Buscar<" in (root / "site" / "es" / "index.html").read_text("utf-8")

    path.write_text(catalogue.replace('msgstr "Buscar"', 'msgstr "Búsqueda"'), "utf-8")
    build_fixture(root)
    spanish = (root / "site" / "es" / "index.html").read_text("utf-8")
    assert "Búsqueda" in spanish and ">Buscar<" not in spanish
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    shutil.copytree(root / "templates", clean / "templates")
    build_fixture(clean)
    assert _pages(root / "site") == _pages(clean / "site")

    path.write_text(catalogue, "utf-8")  # and back: the first words' compiled code is still good
    build_fixture(root)
    assert ">Buscar<" in (root / "site" / "es" / "index.html").read_text("utf-8")


def test_a_change_to_the_bundled_theme_renders_again(tmp_path, monkeypatch):
    """A new version of the package's theme changes the pages' keys: no stale page survives an upgrade."""
    bundled = tmp_path / "package-theme"
    shutil.copytree(theme.BUNDLED, bundled)
    monkeypatch.setattr(theme, "BUNDLED", bundled)
    root = _content_only(tmp_path / "project")
    build_fixture(root)
    assert build_fixture(root).mode == "unchanged"

    robots = bundled / "robots.txt"
    robots.write_text(robots.read_text("utf-8") + MARK, "utf-8")
    (bundled / "static" / "search.js").write_text("// a new search script\n", "utf-8")
    report = build_fixture(root)

    assert report.mode == "full" and set(report.written) == {"robots.txt", "static/search.js"}
    assert (root / "site" / "robots.txt").read_text("utf-8").endswith(MARK)
    assert (root / "site" / "static" / "search.js").read_text("utf-8") == "// a new search script\n"


def test_a_mistake_in_a_project_template_names_the_project_file(tmp_path):
    root = _content_only(tmp_path / "project")
    _override(root, "page.html", "{% if doc.title %}never closed\n")
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    assert re.search(r"^templates/page\.html:1: error: .*endif", result.stderr, re.MULTILINE), result.stderr


# --- milei-watch theme ----------------------------------------------------------------------------------


def test_theme_list_names_every_file_and_what_the_project_overrides(tmp_path):
    root = _content_only(tmp_path / "project")
    _override(root, "page.html", "{{ doc.title }}\n")
    _override(root, "extra.html", "extra\n")
    result = run_cli("theme", "list", "--root", root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "base.html" in lines and "static/style.css" in lines and "locale/es/LC_MESSAGES/messages.po" in lines
    assert "page.html  (overridden by templates/page.html)" in lines
    assert lines[-1] == "templates/extra.html  (the project's own)"


def test_theme_copy_copies_a_file_out_and_never_overwrites(tmp_path):
    root = _content_only(tmp_path / "project")
    result = run_cli("theme", "copy", "page.html", "static/style.css", "--root", root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["copied templates/page.html", "copied templates/static/style.css"]
    for name in ("page.html", "static/style.css"):
        assert (root / "templates" / name).read_bytes() == (theme.BUNDLED / name).read_bytes()

    (root / "templates" / "page.html").write_text("mine\n", "utf-8")
    again = run_cli("theme", "copy", "page.html", "--root", root)
    assert again.returncode == 1
    assert again.stderr.startswith("templates/page.html: error: already in templates/")
    assert (root / "templates" / "page.html").read_text("utf-8") == "mine\n"

    unknown = run_cli("theme", "copy", "pages.html", "--root", root)
    assert unknown.returncode == 2
    assert "no file 'pages.html'; did you mean 'page.html'?" in unknown.stderr

    rest = run_cli("theme", "copy", "--root", root)
    assert rest.returncode == 0, rest.stderr
    assert "copied templates/page.html" not in rest.stdout and "copied templates/base.html" in rest.stdout
    assert sorted(theme.own_files(root / "templates")) == sorted(theme.bundled_files())
    assert (root / "templates" / "page.html").read_text("utf-8") == "mine\n"


@pytest.mark.parametrize("args", [("theme", "copy", "page.html"), ("theme", "list")])
def test_theme_copy_needs_a_project_but_list_does_not(tmp_path, args):
    result = run_cli(*args, "--root", tmp_path)
    if args[1] == "copy":
        assert result.returncode == 2 and "no site configuration" in result.stderr
        assert not (tmp_path / "templates").exists()
    else:
        assert result.returncode == 0 and "base.html" in result.stdout.splitlines()
