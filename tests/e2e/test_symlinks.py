"""Symbolic links in content/ and templates/: followed inside the project, refused with a diagnostic otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import build_fixture, run_cli, snapshot

COPY_HINT = "    hint: replace the link with a copy of the file, or point it inside the project"

ARTICLE = """---
title: "Enlace de afuera: la reunión secreta"
date: 2026-02-12
topics: [diplomacy]
summary: Un artículo que vive fuera del proyecto.
---
Texto que no debe publicarse.
"""


@pytest.fixture
def built_root(site_root: Path) -> Path:
    """The basic fixture, built once successfully, so a refused link has a site to leave alone."""
    build_fixture(site_root)
    return site_root


def _assert_refused(root: Path, before: dict[str, bytes], error: str) -> str:
    """Build and check through the CLI: both exit 1 with a line starting with `error`; the site is unchanged."""
    built = run_cli("build", "--root", root)
    checked = run_cli("check", "--root", root)

    for result in (built, checked):
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        assert any(line.startswith(error) for line in result.stderr.splitlines()), result.stderr
    assert built.stderr.startswith(error), built.stderr
    assert built.stdout == ""
    assert snapshot(root / "site") == before
    return built.stderr


@pytest.mark.parametrize("case", ["outside", "dangling", "output", "proc"])
def test_static_link_leaving_the_sources_is_refused_and_site_left_alone(built_root, tmp_path, case):
    secret = tmp_path / "secret.txt"  # beside the project folder, not in it
    secret.write_text("MILEI_WATCH_TOKEN=s3cr3t\n", "utf-8")
    target, message = {
        "outside": (secret, f"symbolic link points outside the project, to '{secret}'"),
        "dangling": (Path("missing.css"), "symbolic link points to 'missing.css', which does not exist"),
        "output": (Path("../../site/index.html"), "symbolic link points into the output folder, to site/index.html"),
        "proc": (Path("/proc/self/environ"), "symbolic link points outside the project, to '/proc/self/environ'"),
    }[case]
    if case == "proc" and not target.exists():
        pytest.skip("no /proc on this system")
    before = snapshot(built_root / "site")
    os.symlink(target, built_root / "templates" / "static" / "x")

    stderr = _assert_refused(built_root, before, f"templates/static/x: error: {message}")

    assert not (built_root / "site" / "static" / "x").exists()
    assert stderr.splitlines()[1].startswith("    hint: replace the link with a copy of the file")


def test_article_link_to_an_outside_file_is_not_published(built_root, tmp_path):
    outside = tmp_path / "fuera.md"
    outside.write_text(ARTICLE, "utf-8")
    before = snapshot(built_root / "site")
    os.symlink(outside, built_root / "content" / "articles" / "fuera.md")

    stderr = _assert_refused(built_root, before, "content/articles/fuera.md: error: "
                             f"symbolic link points outside the project, to '{outside}'")

    assert stderr.splitlines()[1] == COPY_HINT
    assert not any(b"reuni\xc3\xb3n secreta" in data for data in snapshot(built_root / "site").values())


def test_template_link_to_an_outside_file_is_refused(built_root, tmp_path):
    outside = tmp_path / "shared-theme.html"
    outside.write_text("{{ 'plantilla ajena' }}\n", "utf-8")
    before = snapshot(built_root / "site")
    os.symlink(outside, built_root / "templates" / "extra.html")

    stderr = _assert_refused(built_root, before, "templates/extra.html: error: "
                             f"symbolic link points outside the project, to '{outside}'")

    assert stderr.splitlines()[1] == COPY_HINT


def test_looping_directory_link_in_articles_is_a_clear_error(built_root):
    before = snapshot(built_root / "site")
    os.symlink("..", built_root / "content" / "articles" / "loop")

    stderr = _assert_refused(built_root, before,
                             "content/articles/loop: error: symbolic link loops: it points to content/, "
                             "a folder that contains it")

    assert stderr.splitlines()[1] == "    hint: remove the link, or point it at a folder that does not contain it"
    assert stderr.splitlines()[-1] == "1 error"


def test_links_to_files_and_folders_inside_the_project_are_followed(site_root):
    shared = site_root / "shared"
    (shared / "brand").mkdir(parents=True)
    (shared / "brand" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n", "utf-8")
    (shared / "compartido.md").write_text(ARTICLE.replace("Enlace de afuera", "Enlace de adentro"), "utf-8")
    os.symlink("../../shared/brand", site_root / "templates" / "static" / "brand")
    os.symlink("style.css", site_root / "templates" / "static" / "copia.css")
    os.symlink("../../shared/compartido.md", site_root / "content" / "articles" / "compartido.md")

    build_fixture(site_root)

    site = site_root / "site"
    assert (site / "static" / "brand" / "logo.svg").read_bytes() == (shared / "brand" / "logo.svg").read_bytes()
    style = (site_root / "templates" / "static" / "style.css").read_bytes()
    assert (site / "static" / "copia.css").read_bytes() == style
    article = site / "articles" / "enlace-de-adentro-la-reunion-secreta" / "index.html"
    assert "Enlace de adentro" in article.read_text("utf-8")
    assert run_cli("check", "--root", site_root).returncode == 0
