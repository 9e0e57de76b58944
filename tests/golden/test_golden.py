"""The basic fixture built with the fixed clock, compared file by file with the pinned output."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.conftest import build_fixture, copy_site

GOLDEN = Path(__file__).resolve().parent / "basic"

# A representative page of each kind: home, an article with a footnote, a table, takeaways and
# sources, a topic listing, and every feed and sitemap format.
FILES = [
    "index.html",
    "articles/el-ajuste-fiscal-de-milei-ano-uno/index.html",
    "topics/economy/index.html",
    "feed.xml",
    "atom.xml",
    "feed.json",
    "sitemap.xml",
    "sitemaps/pages.xml",
    "sitemaps/2026-02.xml",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("golden") / "project")
    build_fixture(root, full=True)
    return root / "site"


@pytest.mark.parametrize("rel", FILES)
def test_output_matches_golden_file(built, rel, update_golden):
    actual = (built / rel).read_bytes()
    golden = GOLDEN / rel
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        return
    assert golden.is_file(), f"no golden file {golden}; run pytest tests/golden --update-golden and review the diff"
    expected = golden.read_bytes()
    if actual != expected:
        diff = difflib.unified_diff(expected.decode("utf-8").splitlines(keepends=True),
                                    actual.decode("utf-8").splitlines(keepends=True),
                                    fromfile=f"tests/golden/basic/{rel}", tofile=f"site/{rel}")
        pytest.fail("output differs from the golden file (if intended, rerun with --update-golden):\n"
                    + "".join(diff), pytrace=False)


def test_golden_folder_holds_only_the_compared_files():
    present = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert present == sorted(FILES)
