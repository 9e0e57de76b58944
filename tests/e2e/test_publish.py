"""`milei-watch publish`: a draft from the inbox becomes an article in one step, or nothing changes at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.conftest import FIXED_NOW, build_fixture, run_cli, snapshot

NOW = "2026-02-25T12:07:45-03:00"
TZ = ZoneInfo("America/Argentina/Buenos_Aires")
DRAFT = "content/inbox/2026-02-20-milei-y-los-bonos.md"
# As an editor leaves an ingested draft after rewriting it: ingest's front matter, with comments and
# quoting of the editor's own that publishing must keep.
DRAFT_TEXT = """\
---
draft: true
title: 'Milei y los bonos: ¿qué sigue?'
slug: 2026-02-20-milei-y-los-bonos
date: 2026-02-20T08:15:00-03:00
kind: news
topics:
- debt-imf   # checked against the wire
summary: "Bond talks with creditors, rewritten by the desk."
# the wire's original, read on 20 February
sources:
- publisher: Fixture Wire
  title: 'Argentina and its bonds'
  url: https://example.org/bonds
---

The desk's own account of the bond talks.
"""


def _write_draft(root: Path, text: str = DRAFT_TEXT, rel: str = DRAFT) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _publish(root: Path, *args: str | Path):
    return run_cli("publish", *args, "--now", NOW, cwd=root)


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---\n", 2)[1])


def test_a_draft_becomes_a_published_article_that_builds(site_root):
    draft = _write_draft(site_root)

    result = _publish(site_root, DRAFT)

    assert result.returncode == 0, result.stderr
    article = site_root / "content" / "articles" / "milei-y-los-bonos-que-sigue.md"
    assert result.stdout.splitlines() == [
        f"published {DRAFT} as content/articles/milei-y-los-bonos-que-sigue.md, dated 2026-02-25 12:07 -03:00",
        "address: https://fixture.example.org/articles/milei-y-los-bonos-que-sigue/",
        "next: milei-watch build (or milei-watch serve to preview it)",
    ]
    assert not draft.exists()
    # only the draft line went and the slug and date lines changed: every other line is the editor's
    expected = DRAFT_TEXT.replace("draft: true\n", "") \
        .replace("slug: 2026-02-20-milei-y-los-bonos", "slug: milei-y-los-bonos-que-sigue") \
        .replace("date: 2026-02-20T08:15:00-03:00", "date: 2026-02-25T12:07:00-03:00")
    assert article.read_text("utf-8") == expected

    report = build_fixture(site_root, now=dt.datetime(2026, 2, 25, 12, 8, tzinfo=TZ))
    page = site_root / "site" / "articles" / "milei-y-los-bonos-que-sigue" / "index.html"
    assert "Milei y los bonos" in page.read_text("utf-8")
    assert report.drafts_skipped == 1  # the fixture's own draft; this one is published
    assert run_cli("check", "--root", site_root).returncode == 0


def test_slug_and_date_options_and_a_slug_the_editor_chose(site_root):
    _write_draft(site_root)
    result = _publish(site_root, DRAFT, "--slug", "bonos-2026", "--date", "keep")
    assert result.returncode == 0, result.stderr
    meta = _front_matter(site_root / "content" / "articles" / "bonos-2026.md")
    assert meta["slug"] == "bonos-2026" and "draft" not in meta
    assert meta["date"] == dt.datetime(2026, 2, 20, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=-3)))

    chosen = DRAFT_TEXT.replace("slug: 2026-02-20-milei-y-los-bonos", "slug: los-bonos")
    _write_draft(site_root, chosen, "content/inbox/otro.md")
    result = _publish(site_root, site_root / "content" / "inbox" / "otro.md")  # an absolute path works too
    assert result.returncode == 0, result.stderr
    assert (site_root / "content" / "articles" / "los-bonos.md").is_file()


def test_a_draft_whose_own_slug_is_taken_publishes_under_the_slug_given(site_root):
    _write_draft(site_root, DRAFT_TEXT.replace("slug: 2026-02-20-milei-y-los-bonos", "slug: deuda-y-fmi"))
    refused = _publish(site_root, DRAFT)
    assert refused.returncode == 1 and "content/articles/deuda-y-fmi.md: error: the file already exists" in refused.stderr
    result = _publish(site_root, DRAFT, "--slug", "deuda-y-bonos")
    assert result.returncode == 0, result.stderr
    assert _front_matter(site_root / "content" / "articles" / "deuda-y-bonos.md")["slug"] == "deuda-y-bonos"


def test_a_draft_without_slug_or_draft_lines_gets_a_slug_after_its_title(site_root):
    text = "---\ntitle: Reservas en alza\ndate: 2026-02-24\ntopics: [economy]\nsummary: Reservas.\n---\nTexto.\n"
    _write_draft(site_root, text, "content/inbox/reservas.md")
    result = _publish(site_root, "content/inbox/reservas.md")
    assert result.returncode == 0, result.stderr
    assert (site_root / "content" / "articles" / "reservas-en-alza.md").read_text("utf-8") == (
        "---\ntitle: Reservas en alza\nslug: reservas-en-alza\ndate: 2026-02-25T12:07:00-03:00\ntopics: [economy]\n"
        "summary: Reservas.\n---\nTexto.\n")


def test_a_spanish_draft_is_published_in_its_edition(tmp_path):
    from tests.e2e.test_editions import copy_bilingual

    root = copy_bilingual(tmp_path / "project")
    _write_draft(root, DRAFT_TEXT.replace("draft: true\n", "draft: true\nlang: es\n"))
    result = _publish(root, DRAFT)
    assert result.returncode == 0, result.stderr
    assert "address: https://fixture.example.org/es/articles/milei-y-los-bonos-que-sigue/" in result.stdout


@pytest.mark.parametrize("case", ["file-taken", "slug-taken", "invalid", "ingest-note", "articles", "elsewhere",
                                  "missing", "bad-slug"])
def test_every_error_changes_nothing(site_root, case):
    draft, args, code = DRAFT, [], 1
    if case == "file-taken":
        args, message = ["--slug", "deuda-y-fmi"], "content/articles/deuda-y-fmi.md: error: the file already exists"
    elif case == "slug-taken":
        # no file of that name, but china-russia.md publishes under this slug
        args = ["--slug", "china-russia-and-the-region"]
        message = f"{DRAFT}: error: slug 'china-russia-and-the-region' is already used by content/articles/china-russia.md"
    elif case == "invalid":
        _write_draft(site_root, DRAFT_TEXT.replace("- debt-imf", "- debt-fmi"))
        message = f"{DRAFT}:8: error: unknown topic 'debt-fmi'"
    elif case == "ingest-note":
        _write_draft(site_root, DRAFT_TEXT.replace(
            "The desk's own account", "*Ingested from Wire by `milei-watch ingest`. This is a draft: rewrite it.*\n\nThe"))
        message = f"{DRAFT}:17: error: the draft still carries ingest's note"
    elif case == "articles":
        draft, code = "content/articles/draft-notes.md", 2
        message = "content/articles/draft-notes.md: error: not a draft in the inbox"
    elif case == "elsewhere":
        draft, code = "notes/2026-02-20-milei-y-los-bonos.md", 2
        _write_draft(site_root, rel=draft)
        message = "notes/2026-02-20-milei-y-los-bonos.md: error: not a draft in the inbox"
    elif case == "missing":
        draft, code = "content/inbox/2026-02-20-milei-y-los-bono.md", 2
        message = "content/inbox/2026-02-20-milei-y-los-bono.md: error: no such draft"
    else:
        args, code = ["--slug", "Los Bonos"], 2
        message = "--slug: error: slug 'Los Bonos' may only contain lowercase letters, digits and hyphens"
    if not (site_root / DRAFT).exists():
        _write_draft(site_root)
    before = snapshot(site_root)

    result = _publish(site_root, draft, *args)

    assert result.returncode == code, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(site_root) == before


def test_a_draft_ingest_just_wrote_is_refused_until_rewritten(site_root):
    from milei_watch.ingest import drafts, parser

    item = parser.FeedItem("id:1", "Milei and the IMF", "https://example.org/imf", FIXED_NOW, "Argentina and the IMF.")
    path = drafts.write_draft(site_root / "content" / "inbox",
                              drafts.make_draft(item, publisher="Wire", topics=("debt-imf",), tz=TZ, now=FIXED_NOW))
    result = _publish(site_root, path)
    assert result.returncode == 1
    assert "error: the draft still carries ingest's note" in result.stderr
    assert path.is_file()
