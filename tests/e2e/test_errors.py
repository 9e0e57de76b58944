"""Content mistakes through the CLI: exit code, file:line: error: message plus a hint, no traceback, site/ untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from milei_watch.errors import BuildError
from tests.conftest import FIXTURES, build_fixture, run_cli, snapshot

BROKEN = FIXTURES / "broken"

# One broken article per error class: (file, line, column or None, message fragment, hint fragment).
CASES = [
    ("malformed-yaml.md", 5, None, "invalid YAML: mapping values are not allowed", "quote values that contain ':'"),
    ("unclosed-front-matter.md", 1, None, "front matter is not closed", "add a '---' line"),
    ("not-a-mapping.md", 2, None, "front matter must be a mapping of keys, not a list", "'key: value' lines"),
    ("missing-key.md", 1, None, "missing required key 'summary'", "add 'summary:' to the front matter"),
    ("unknown-key.md", 4, None, "unknown front-matter key 'topic'", "did you mean 'topics'?"),
    ("wrong-type.md", 6, None, "'draft' must be true or false, not text", "draft: true"),
    ("unknown-topic.md", 6, None, "unknown topic 'inflation'", "known topics: debt-imf, diplomacy, economy"),
    ("bad-date.md", 3, None, "'date' is not a date: '2026-13-45'", "write a date as 2026-01-25"),
    ("duplicate-slug.md", 3, None, "slug 'deuda-y-fmi' is already used by content/articles/deuda-y-fmi.md",
     "give one of them a different 'slug:'"),
    ("bad-slug.md", 3, None, "slug '../etc' may only contain lowercase letters, digits and hyphens", "use 'etc'"),
    ("not-utf8.md", 2, 18, "not UTF-8 text (byte 0xf3", "save the file with UTF-8 encoding"),
    ("empty.md", 1, None, "the file is empty", "start it with front matter"),
    ("correction-before-date.md", 7, None, "correction dated 2025-02-03 is before the article's date 2026-02-01",
     "check the year"),
    ("unknown-author.md", 6, None, "unknown author 'ghost-writer'", "known: analyst, desk"),
    ("unknown-kind.md", 6, None, "unknown kind 'editorial'", "use one of: analysis, news, explainer, opinion"),
]


@pytest.fixture
def built_root(site_root: Path) -> Path:
    """The basic fixture, built once successfully, so a failing build has something to leave alone."""
    build_fixture(site_root)
    return site_root


def _error_line(name: str, line: int, column: int | None) -> str:
    where = f"{line}:{column}" if column else f"{line}"
    return f"content/articles/{name}:{where}: error: "


def test_every_broken_fixture_has_a_case():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(case[0] for case in CASES)


@pytest.mark.parametrize("name, line, column, message, hint", CASES, ids=[c[0][:-3] for c in CASES])
def test_broken_article_names_file_line_and_leaves_site_alone(built_root, name, line, column, message, hint):
    before = snapshot(built_root / "site")
    shutil.copyfile(BROKEN / name, built_root / "content" / "articles" / name)

    result = run_cli("build", "--root", built_root)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(_error_line(name, line, column)), result.stderr
    assert message in lines[0], result.stderr
    assert lines[1].startswith("    hint: ") and hint in lines[1], result.stderr
    assert lines[-1] == "1 error"
    assert result.stdout == ""
    assert snapshot(built_root / "site") == before


def test_unclosed_list_names_where_it_opened(built_root):
    # The YAML parser counts from the line after '---'; both lines shown are the file's.
    article = built_root / "content" / "articles" / "offset.md"
    article.write_text("---\ntitle: T\ndate: 2026-01-15\ntopics: [economy\nsummary: S\n---\nBody.\n", "utf-8")
    result = run_cli("build", "--root", built_root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/articles/offset.md:5: error: invalid YAML: did not find expected ',' or ']' "
        "(a flow sequence opened on line 4)")


def test_several_errors_are_all_reported_sorted_with_a_count(built_root):
    before = snapshot(built_root / "site")
    articles = built_root / "content" / "articles"
    for name in ("unknown-topic.md", "bad-date.md", "missing-key.md"):
        shutil.copyfile(BROKEN / name, articles / name)
    # two mistakes in one file: reported in line order
    (articles / "two-mistakes.md").write_text(
        "---\ntitle: Dos errores\ndate: 2026-01-15\ntopics: [economy]\nsummary: S\nkind: column\n"
        "author: nobody\n---\nBody.\n", "utf-8")

    result = run_cli("build", "--root", built_root)

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "content/articles/bad-date.md:3: error: 'date' is not a date: '2026-13-45'",
        "content/articles/missing-key.md:1: error: missing required key 'summary'",
        "content/articles/two-mistakes.md:6: error: unknown kind 'column'",
        "content/articles/two-mistakes.md:7: error: unknown author 'nobody'",
        "content/articles/unknown-topic.md:6: error: unknown topic 'inflation'",
    ]
    assert result.stderr.count("    hint: ") == 5
    assert result.stderr.rstrip().endswith("\n5 errors")
    assert snapshot(built_root / "site") == before


def test_unknown_setting_in_site_yaml_suggests_the_right_one(built_root):
    before = snapshot(built_root / "site")
    config = built_root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("per_page: 2", "per_pages: 2"), "utf-8")

    result = run_cli("build", "--root", built_root)

    # site.yaml is set-up, not content: exit 2, like a usage error (ARCHITECTURE.md)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[:2] == [
        "content/site.yaml:7: error: unknown setting 'per_pages'",
        "    hint: did you mean 'per_page'?",
    ]
    assert result.stderr.rstrip().endswith("1 error")
    assert "Traceback" not in result.stderr
    assert snapshot(built_root / "site") == before


def test_misspelt_required_setting_is_one_error_not_two(built_root):
    config = built_root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("base_url:", "baseurl:"), "utf-8")
    result = run_cli("build", "--root", built_root)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "content/site.yaml:3: error: unknown setting 'baseurl'",
        "    hint: did you mean 'base_url'?",
        "1 error",
    ]


def test_invalid_site_yaml_names_its_line(built_root):
    config = built_root / "content" / "site.yaml"
    text = config.read_text("utf-8")
    config.write_text(text.replace("base_url: https://fixture.example.org/", "base_url: fixture.example.org")
                      .replace("timezone: America/Argentina/Buenos_Aires", "timezone: Buenos Aires"), "utf-8")
    result = run_cli("build", "--root", built_root)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "content/site.yaml:3: error: base_url 'fixture.example.org' is not an absolute http(s) address",
        "content/site.yaml:5: error: unknown timezone 'Buenos Aires'",
    ]


def test_missing_site_yaml_is_a_usage_error(tmp_path):
    result = run_cli("build", "--root", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("content/site.yaml: error: no site configuration at ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("template, named", [
    ("article.html", r"site/articles/[a-z0-9-]+/index\.html from content/articles/[a-z0-9-]+\.md$"),
    ("atom.xml", None),  # a feed embeds many articles: none of them is to blame
])
def test_a_template_error_names_the_article_only_when_the_page_shows_one(site_root, template, named):
    path = site_root / "templates" / template
    # In a feed, only where it carries several articles.
    broken = "{{ 1 / 0 }}" if named else "{% if items | length > 1 %}{{ 1 / 0 }}{% endif %}"
    path.write_text(path.read_text("utf-8").replace("</", broken + "</", 1), "utf-8")
    with pytest.raises(BuildError) as caught:
        build_fixture(site_root, jobs=1)
    hints = [d.hint for d in caught.value.diagnostics if d.location.path == f"templates/{template}"]
    assert hints, caught.value.diagnostics
    if named is None:
        assert all(re.fullmatch(r"while rendering site/[a-z/-]*atom\.xml", hint) for hint in hints), hints
    else:
        assert all(re.search(named, hint) for hint in hints), hints
