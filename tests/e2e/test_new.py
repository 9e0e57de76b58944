"""`milei-watch new`: a ready-to-edit article that builds, with a clean slug, that never overwrites."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import yaml

from tests.conftest import run_cli

TZ = ZoneInfo("America/Argentina/Buenos_Aires")  # the fixture site's timezone


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_new_article_has_front_matter_and_builds(site_root):
    before = dt.datetime.now(TZ).replace(second=0, microsecond=0)
    result = run_cli("new", "Año de ajuste: ¿qué sigue?", "--topic", "economy", "--topic", "diplomacy",
                     "--tag", "imf", "--tag", "Presupuesto 2027", "--root", site_root)
    after = dt.datetime.now(TZ)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "content/articles/ano-de-ajuste-que-sigue.md"
    path = site_root / "content" / "articles" / "ano-de-ajuste-que-sigue.md"
    meta = _front_matter(path.read_text("utf-8"))
    assert meta["title"] == "Año de ajuste: ¿qué sigue?"
    assert isinstance(meta["date"], dt.datetime) and before <= meta["date"] <= after  # the date and the time
    assert meta["topics"] == ["economy", "diplomacy"]
    assert meta["tags"] == ["imf", "Presupuesto 2027"]
    assert meta["summary"] == ""  # for the editor to fill in
    assert meta["author"] == "desk"
    assert "draft" not in meta

    built = run_cli("build", "--root", site_root)
    assert built.returncode == 0, built.stderr
    page = site_root / "site" / "articles" / "ano-de-ajuste-que-sigue" / "index.html"
    html = page.read_text("utf-8")
    assert "Año de ajuste: ¿qué sigue?" in html
    # no empty standfirst or description: the page falls back to the site's description
    assert 'class="standfirst"' not in html and '<meta name="description" content="">' not in html
    assert (site_root / "site" / "tags" / "presupuesto-2027" / "index.html").is_file()


def test_new_draft_builds_but_is_left_out(site_root):
    result = run_cli("new", "Notas sobre el FMI", "--topic", "debt-imf", "--draft", "--root", site_root)
    assert result.returncode == 0, result.stderr
    path = site_root / "content" / "articles" / "notas-sobre-el-fmi.md"
    assert _front_matter(path.read_text("utf-8"))["draft"] is True

    assert run_cli("build", "--root", site_root).returncode == 0
    assert not (site_root / "site" / "articles" / "notas-sobre-el-fmi").exists()
    assert run_cli("build", "--root", site_root, "--drafts").returncode == 0
    assert (site_root / "site" / "articles" / "notas-sobre-el-fmi" / "index.html").is_file()


def test_titles_with_quotes_and_colons_stay_valid_yaml(site_root):
    title = 'Milei: "motosierra" y #déficit — ¿fin?'
    result = run_cli("new", title, "--topic", "economy", "--root", site_root)
    assert result.returncode == 0, result.stderr
    path = site_root / result.stdout.splitlines()[0]
    assert path.name == "milei-motosierra-y-deficit-fin.md"
    assert _front_matter(path.read_text("utf-8"))["title"] == title
    assert run_cli("check", "--root", site_root).returncode == 0


def test_new_refuses_to_overwrite(site_root):
    path = site_root / "content" / "articles" / "deuda-y-fmi.md"
    original = path.read_bytes()

    result = run_cli("new", "Deuda y FMI", "--topic", "debt-imf", "--root", site_root)

    assert result.returncode == 1
    assert "content/articles/deuda-y-fmi.md" in result.stderr
    assert "already exists" in result.stderr
    assert result.stdout == ""
    assert path.read_bytes() == original


def test_slug_option_names_the_file(site_root):
    result = run_cli("new", "Deuda y FMI", "--topic", "debt-imf", "--slug", "deuda-y-fmi-2", "--root", site_root)
    assert result.returncode == 0, result.stderr
    assert (site_root / "content" / "articles" / "deuda-y-fmi-2.md").is_file()


def test_unknown_topic_lists_the_valid_ones(site_root):
    result = run_cli("new", "Algo", "--topic", "economia", "--root", site_root)
    assert result.returncode == 2
    assert "unknown topic 'economia'" in result.stderr
    assert "economy, debt-imf, diplomacy, regional" in result.stderr
    assert not (site_root / "content" / "articles" / "algo.md").exists()


def test_title_without_letters_asks_for_a_slug(site_root):
    result = run_cli("new", "¿?", "--topic", "economy", "--root", site_root)
    assert result.returncode == 2
    assert "--slug" in result.stderr


def test_new_prints_the_file_its_date_and_time_and_the_next_step(site_root):
    result = run_cli("new", "Deuda y bonos", "--topic", "debt-imf", cwd=site_root)
    assert result.returncode == 0, result.stderr
    path, dated, step = result.stdout.splitlines()
    assert path == "content/articles/deuda-y-bonos.md"
    written = _front_matter((site_root / path).read_text("utf-8"))["date"]
    # the time as written, with the site's offset (Buenos Aires is -03:00 all year)
    assert written.utcoffset() == dt.timedelta(hours=-3)
    assert dated == f"dated {written:%Y-%m-%d %H:%M} -03:00 (now, in the site's timezone, {TZ.key})"
    assert (site_root / path).read_text("utf-8").count(f"date: {written:%Y-%m-%dT%H:%M}:00-03:00\n") == 1
    assert step == ("next: write the summary and the article in content/articles/deuda-y-bonos.md, then preview "
                    "it with: milei-watch serve")


def test_a_draft_and_a_translation_are_told_how_to_preview_and_publish(site_root, tmp_path):
    draft = run_cli("new", "Borrador", "--topic", "economy", "--draft", "--root", site_root)
    assert draft.returncode == 0, draft.stderr
    assert draft.stdout.splitlines()[-1] == (
        f"next: write the summary and the article in content/articles/borrador.md, preview it with: "
        f"milei-watch serve --drafts --root {site_root}, then delete its 'draft: true' line to publish it")

    from tests.e2e.test_editions import copy_bilingual

    root = copy_bilingual(tmp_path / "bilingual")
    translated = run_cli("new", "--translate", "content/articles/china-russia.md", "--lang", "es", cwd=root)
    assert translated.returncode == 0, translated.stderr
    path, dated, step = translated.stdout.splitlines()
    assert path == "content/articles/china-russia-and-the-region-es.md" and dated.startswith("dated ")
    assert step.startswith("next: translate the title, summary and text in content/articles/china-russia-and-the-"
                           "region-es.md, preview it with: milei-watch serve --drafts, then delete")
    assert isinstance(_front_matter((root / path).read_text("utf-8"))["date"], dt.datetime)
