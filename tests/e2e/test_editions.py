"""A site in two languages: editions linked both ways, each with its own interface, feeds and search."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, build_fixture, run_cli
from tests.support.sitemaps import sitemap_files
from tests.support.tools import require_module

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "sites" / "bilingual"
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
BASE = "https://fixture.example.org/"


def copy_bilingual(destination: Path) -> Path:
    shutil.copytree(FIXTURE / "content", destination / "content")
    shutil.copytree(ROOT / "templates", destination / "templates")
    return destination


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_bilingual(tmp_path_factory.mktemp("bilingual"))
    build_fixture(root)
    return root / "site"


class _Head(HTMLParser):
    """The language, hreflang alternates and language-switcher links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.alternates: dict[str, str] = {}
        self.switcher: list[str] = []
        self.canonical = ""
        self._in_switcher = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "nav" and "languages" in (a.get("class") or ""):
            self._in_switcher = True
        elif tag == "a" and self._in_switcher:
            self.switcher.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False


def _head(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text("utf-8"))
    return parser


def _file_of(site: Path, url: str) -> Path:
    path = url.removeprefix(BASE).lstrip("/")
    return site / path / "index.html" if path.endswith("/") or not path else site / path


def test_every_translated_page_links_its_versions_both_ways(site):
    linked = 0
    for page in sorted(site.rglob("*.html")):
        head = _head(page)
        if not head.alternates:
            continue
        linked += 1
        assert head.alternates[head.lang] == head.canonical, page
        assert head.alternates["x-default"] == head.alternates["en"], page
        for lang, url in head.alternates.items():
            other = _file_of(site, url)
            assert other.is_file(), f"{page}: {lang} version {url} does not exist"
            back = _head(other)
            assert back.alternates.get(head.lang) == head.canonical, f"{other} does not link back to {page}"
    assert linked >= 20  # home, topics, archive, sources, the two translated articles, the about page…


def test_the_translated_article_and_page_are_paired_by_translation_key(site):
    head = _head(site / "articles" / "deuda-y-fmi" / "index.html")
    assert head.alternates["es"] == BASE + "es/articles/la-deuda-y-el-fmi/"
    assert _head(site / "about" / "index.html").alternates["es"] == BASE + "es/acerca/"
    assert not _head(site / "articles" / "china-russia-and-the-region" / "index.html").alternates


def test_the_language_switcher_goes_to_the_same_article_or_else_the_home(site):
    assert _head(site / "articles" / "deuda-y-fmi" / "index.html").switcher == ["/es/articles/la-deuda-y-el-fmi/"]
    assert _head(site / "es" / "articles" / "la-deuda-y-el-fmi" / "index.html").switcher == ["/articles/deuda-y-fmi/"]
    assert _head(site / "articles" / "china-russia-and-the-region" / "index.html").switcher == ["/es/"]
    for page in sorted(site.rglob("*.html")):
        for href in _head(page).switcher:
            assert _file_of(site, href).is_file(), f"{page}: switcher target {href} does not exist"


def test_spanish_pages_speak_spanish(site):
    home = (site / "es" / "index.html").read_text("utf-8")
    assert '<html lang="es">' in home and "Ir al contenido" in home and "Skip to content" not in home
    assert 'content="es_AR"' in home
    article = (site / "es" / "articles" / "la-deuda-y-el-fmi" / "index.html").read_text("utf-8")
    assert "21 de enero de 2026" in article
    archive = (site / "es" / "archive" / "2026" / "01" / "index.html").read_text("utf-8")
    assert "enero de 2026" in archive and "January" not in archive
    english = (site / "index.html").read_text("utf-8")
    assert '<html lang="en">' in english and "Skip to content" in english


def test_each_language_has_its_own_feeds_listing_only_its_articles(site):
    require_module("feedparser")
    import feedparser

    for prefix, lang, present, absent in (("", "en", "deuda-y-fmi", "la-deuda-y-el-fmi"),
                                          ("es/", "es", "la-deuda-y-el-fmi", "deuda-y-fmi/")):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            if name == "feed.json":  # feedparser reads RSS and Atom only
                links = [item["url"] for item in json.loads((site / prefix / name).read_bytes())["items"]]
            else:
                feed = feedparser.parse((site / prefix / name).read_bytes())
                assert not feed.bozo, (prefix, name, feed.get("bozo_exception"))
                links = [entry.link for entry in feed.entries]
            assert any(present in link for link in links), (prefix, name, links)
            assert not any(link.endswith(absent) or f"/{absent}" in link for link in links), (prefix, name)
            own = BASE + prefix
            assert all(link.startswith(own) and (prefix or not link.startswith(BASE + "es/")) for link in links)
        assert f"<language>{lang}</language>" in (site / prefix / "feed.xml").read_text("utf-8")
    topic = feedparser.parse((site / "es" / "topics" / "debt-imf" / "feed.xml").read_bytes())
    assert [entry.link for entry in topic.entries] == [BASE + "es/articles/la-deuda-y-el-fmi/"]


def test_the_sitemap_carries_alternates_that_validate(site):
    require_module("xmlschema")
    import xmlschema

    schema = xmlschema.XMLSchema(str(SCHEMAS / "sitemap.xsd"),
                                 locations=[("http://www.w3.org/1999/xhtml", str(SCHEMAS / "sitemap-xhtml.xsd"))])
    files = sitemap_files(site, BASE)
    for path in files:
        schema.validate(str(path))
    text = "".join(path.read_text("utf-8") for path in files)
    assert f'<loc>{BASE}es/articles/la-deuda-y-el-fmi/</loc>' in text
    entry = re.search(r"<url>\s*<loc>" + re.escape(BASE) + r"articles/deuda-y-fmi/</loc>.*?</url>", text, re.S)[0]
    assert f'hreflang="es" href="{BASE}es/articles/la-deuda-y-el-fmi/"' in entry
    assert f'hreflang="x-default" href="{BASE}articles/deuda-y-fmi/"' in entry


def test_check_reports_a_second_version_in_one_language_as_an_error_with_its_line(tmp_path):
    root = copy_bilingual(tmp_path)
    twin = root / "content" / "articles" / "es" / "otra.md"
    twin.write_text((root / "content" / "articles" / "es" / "reuniones.md").read_text("utf-8")
                    .replace("title: Reuniones en el Departamento de Estado", "title: Otra versión"), "utf-8")
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    assert re.search(r"content/articles/es/reuniones.md:4: error: translation_key 'meetings' is already used by "
                     r"content/articles/es/otra.md", result.stdout + result.stderr), result.stdout + result.stderr


def test_check_notes_an_article_not_yet_translated_with_its_line(tmp_path):
    root = copy_bilingual(tmp_path)
    result = run_cli("check", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("content/articles/china-russia.md:7: note: translation_key 'region' has no version in es yet"
            in result.stdout + result.stderr)


def test_an_unknown_language_is_an_error_naming_the_line(tmp_path):
    root = copy_bilingual(tmp_path)
    path = root / "content" / "articles" / "es" / "reuniones.md"
    path.write_text(path.read_text("utf-8").replace("lang: es", "lang: esp"), "utf-8")
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    assert "content/articles/es/reuniones.md:3: error: unknown language 'esp'" in result.stdout + result.stderr


def test_new_with_a_language_writes_it_in_the_front_matter(tmp_path):
    root = copy_bilingual(tmp_path)
    result = run_cli("new", "Una nota nueva", "--topic", "economy", "--lang", "es", "--root", root)
    assert result.returncode == 0, result.stderr
    text = (root / "content" / "articles" / "una-nota-nueva.md").read_text("utf-8")
    assert text.startswith("---\nlang: es\ntitle: Una nota nueva\n")
    wrong = run_cli("new", "Otra", "--topic", "economy", "--lang", "fr", "--root", root)
    assert wrong.returncode == 2 and "unknown language 'fr'" in wrong.stderr


def test_new_translate_starts_a_linked_draft_and_leaves_the_original_alone(tmp_path):
    root = copy_bilingual(tmp_path)
    original = root / "content" / "articles" / "china-russia.md"
    before = original.read_bytes()
    result = run_cli("new", "--translate", "content/articles/china-russia.md", "--lang", "es",
                     "China, Rusia y la región", "--root", root)
    assert result.returncode == 0, result.stderr
    assert original.read_bytes() == before
    made = root / "content" / "articles" / "china-rusia-y-la-region.md"
    text = made.read_text("utf-8")
    assert "lang: es\n" in text and "translation_key: region\n" in text and "draft: true\n" in text
    assert "topics:\n- regional\n" in text and text.endswith("A contrast with leftist neighbours.\n")
    # once the draft line goes, the two versions link to each other and check's note is gone
    dated = re.sub(r"(?m)^date: .*$", "date: 2026-02-11", text)  # before the fixture's clock
    made.write_text(dated.replace("draft: true\n", ""), "utf-8")
    build_fixture(root)
    head = _head(root / "site" / "articles" / "china-russia-and-the-region" / "index.html")
    assert head.alternates["es"] == BASE + "es/articles/china-rusia-y-la-region/"
    assert "note:" not in run_cli("check", "--root", root).stderr
    again = run_cli("new", "--translate", "content/articles/china-russia.md", "--lang", "es",
                    "China, Rusia y la región", "--root", root)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_an_article_without_a_key_pairs_with_a_translation_naming_its_slug(tmp_path):
    root = copy_bilingual(tmp_path)
    result = run_cli("new", "--translate", "content/articles/venezuela-cuba.md", "--lang", "es", "--root", root)
    assert result.returncode == 0, result.stderr
    made = root / "content" / "articles" / "venezuela-cuba-and-buenos-aires-es.md"
    assert "translation_key: venezuela-cuba-and-buenos-aires\n" in made.read_text("utf-8")


def test_the_search_index_lists_its_languages_in_one_order_build_after_build(site: Path, tmp_path: Path) -> None:
    # Pagefind writes the languages of pagefind-entry.json in an order that varies between runs.
    entry = site / "pagefind" / "pagefind-entry.json"
    assert list(json.loads(entry.read_text("utf-8"))["languages"]) == ["en", "es"]
    again = copy_bilingual(tmp_path / "again")
    for _ in range(3):
        shutil.rmtree(again / "site", ignore_errors=True)
        shutil.rmtree(again / ".milei_watch", ignore_errors=True)
        build_fixture(again)
        assert (again / "site" / "pagefind" / "pagefind-entry.json").read_bytes() == entry.read_bytes()


def test_sorting_the_search_languages_keeps_everything_else(tmp_path: Path) -> None:
    from milei_watch import search

    entry = tmp_path / "pagefind-entry.json"
    entry.write_text('{"version":"1.5.2","languages":{"es":{"hash":"es_1","page_count":3},'
                     '"en":{"hash":"en_2","page_count":4}},"include_characters":["_","‿"]}', "utf-8")
    search._sort_languages(entry)
    assert entry.read_text("utf-8") == ('{"version":"1.5.2","languages":{"en":{"hash":"en_2","page_count":4},'
                                        '"es":{"hash":"es_1","page_count":3}},"include_characters":["_","‿"]}')


def test_a_body_edit_in_two_languages_never_loads_babel(tmp_path: Path) -> None:
    # The Spanish catalogue, compiled by an earlier build, and the words it formatted are both kept.
    root = copy_bilingual(tmp_path / "project")
    build_fixture(root)
    article = next((root / "content" / "articles" / "es").glob("*.md"))
    article.write_text(article.read_text("utf-8") + "\nUn párrafo más.\n", "utf-8")
    script = ("import sys\nfrom milei_watch import cli\n"
              f"code = cli.main(['build', '--root', {str(root)!r}, '--now', {FIXED_NOW.isoformat()!r}, '--quiet'])\n"
              "print(code, 'babel' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["0", "False"], result.stderr
