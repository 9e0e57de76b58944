"""`milei-watch init DIR`: a new site for any subject, valid from the first build, never overwriting a file."""

from __future__ import annotations

import re

from tests.conftest import run_cli, snapshot
from tests.support.sites import html_files
from tests.support.vnu import validate_html

STARTERS = ["content/site.yaml", "content/authors.yaml", "content/pages/about.md", "content/articles/", ".gitignore"]


def test_init_starts_a_site_that_builds_and_checks_clean(tmp_path):
    result = run_cli("init", "demo", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"created demo/{rel}" for rel in STARTERS] + [
        "next: set the title, base_url and topics in demo/content/site.yaml, then:",
        "    cd demo",
        '    milei-watch new "A first article" --topic topic-one',
        "    milei-watch serve",
    ]
    demo = tmp_path / "demo"
    assert sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*")) == [
        ".gitignore", "content", "content/articles", "content/authors.yaml", "content/pages",
        "content/pages/about.md", "content/site.yaml"]
    site_yaml = (demo / "content" / "site.yaml").read_text("utf-8")
    assert "Milei" not in site_yaml and "Argentin" not in site_yaml  # a neutral start, for any subject
    assert site_yaml.count("\n#") >= 10  # every setting says what it is for

    built = run_cli("build", cwd=demo)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[-1] == "the site is in site/"
    checked = run_cli("check", "--site", cwd=demo)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert re.fullmatch(r"checked 0 articles and 1 page and \d+ built files: 0 errors, 0 warnings\n", checked.stdout)
    assert (demo / "site" / "about" / "index.html").is_file() and (demo / "site" / "static" / "style.css").is_file()
    assert not (demo / "templates").exists()  # the theme is the package's own


def test_the_new_site_is_valid_html(tmp_path):
    assert run_cli("init", tmp_path / "demo").returncode == 0
    assert run_cli("build", "--root", tmp_path / "demo").returncode == 0
    pages = html_files(tmp_path / "demo" / "site")
    assert len(pages) >= 10
    assert validate_html(pages) == []


def test_a_first_article_and_a_first_draft_go_through_new_and_publish(tmp_path):
    demo = tmp_path / "demo"
    assert run_cli("init", demo).returncode == 0
    assert run_cli("new", "Un primer artículo", "--topic", "topic-one", cwd=demo).returncode == 0
    draft = demo / "content" / "inbox" / "borrador.md"
    draft.parent.mkdir()
    draft.write_text("---\ndraft: true\ntitle: Un borrador\ndate: 2026-01-01\ntopics: [topic-two]\n"
                     "summary: Listo.\n---\nTexto.\n", "utf-8")
    published = run_cli("publish", "content/inbox/borrador.md", cwd=demo)
    assert published.returncode == 0, published.stderr
    assert "address: https://example.org/articles/un-borrador/" in published.stdout
    assert run_cli("build", cwd=demo).returncode == 0
    assert (demo / "site" / "articles" / "un-primer-articulo" / "index.html").is_file()
    assert (demo / "site" / "articles" / "un-borrador" / "index.html").is_file()


def test_init_in_the_current_folder_keeps_an_existing_gitignore(tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\n", "utf-8")
    (tmp_path / "README.md").write_text("My site.\n", "utf-8")
    result = run_cli("init", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:4] == [f"created {rel}" for rel in STARTERS[:4]]
    assert "cd " not in result.stdout
    assert (tmp_path / ".gitignore").read_text("utf-8") == "*.log\n"
    assert (tmp_path / "README.md").read_text("utf-8") == "My site.\n"


def test_init_never_overwrites_and_writes_nothing_when_a_site_is_there(tmp_path):
    demo = tmp_path / "demo"
    (demo / "content" / "pages").mkdir(parents=True)
    (demo / "content" / "pages" / "about.md").write_text("---\ntitle: Mine\n---\nMine.\n", "utf-8")
    before = snapshot(demo)

    result = run_cli("init", demo)

    assert result.returncode == 1
    assert result.stderr.startswith(f"{demo}/content/pages/about.md: error: the file already exists: init starts a "
                                    "site only where there is none, and wrote nothing")
    assert snapshot(demo) == before and not (demo / "content" / "site.yaml").exists()

    (tmp_path / "file").write_text("x", "utf-8")
    assert run_cli("init", tmp_path / "file").returncode == 2
