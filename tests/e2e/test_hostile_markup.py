"""Hostile Markdown: unsafe addresses refused at their file and line, raw HTML reduced to the allow-list
README.md states, and pages and feeds without executable markup, checked by parsing what was built."""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from milei_watch import markup, render
from milei_watch.errors import BuildError
from tests.conftest import FIXTURES, REPO, build_fixture, copy_site, run_cli, snapshot
from tests.support.sites import html_files

HOSTILE = FIXTURES / "hostile"
SCHEMES = {"http", "https", "mailto"}
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
# As text, with the typographic quotes every summary and title gets.
HOSTILE_SUMMARY = "<script>alert(‘x’)</script><img src=x onerror=alert(1)> Fixture Wire reports on the peso."
# Elements that run or embed code, or take the page elsewhere.
EXECUTABLE = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base"}
# Nor may a body, on its page or in a feed, hold what the sanitiser drops with all its content.
NOT_IN_BODIES = EXECUTABLE | {"svg", "math", "style", "form", "button", "input", "textarea", "select", "link", "meta",
                              "template", "noscript", "xmp", "title"}
ADDRESS_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "data", "poster", "cite",
                      "background", "ping"}

# One refused address per file: (file, line, column, scheme).
REJECTED = [
    ("attribute-list.md", 9, 48, "javascript"),
    ("autolink.md", 9, 15, "javascript"),
    ("colon-entity.md", 9, 10, "javascript"),
    ("control-character.md", 9, 10, "javascript"),
    ("data-link.md", 9, 17, "data"),
    ("form-action.md", 9, 15, "javascript"),
    ("iframe-src.md", 9, 14, "javascript"),
    ("image-data.md", 11, 12, "data"),
    ("inline-javascript.md", 9, 10, "javascript"),
    ("line-break.md", 9, 10, "javascript"),
    ("mathml-href.md", 9, 13, "javascript"),
    ("mixed-case.md", 9, 11, "javascript"),
    ("raw-anchor-entity.md", 9, 10, "javascript"),
    ("raw-image.md", 9, 11, "data"),
    ("reference-next-line.md", 10, 6, "data"),
    ("reference.md", 11, 8, "javascript"),
    ("srcset.md", 9, 44, "data"),
    ("svg-xlink.md", 9, 21, "javascript"),
    ("tab-entity.md", 9, 10, "javascript"),
    ("unquoted.md", 9, 9, "javascript"),
    ("vbscript.md", 7, 10, "vbscript"),
]


def _scheme(address: str) -> str:
    """The scheme a browser sees: it ignores spaces and control characters around an address and tabs
    and line breaks inside it ('' for a relative address)."""
    address = re.sub(r"[\t\n\r]", "", address).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", address)
    return match[1].lower() if match else ""


class _Elements(HTMLParser):
    """Every start tag of a document with its attributes (entities decoded by the parser), and whether
    it is inside the article body (`<div class="body">`)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], bool]] = []
        self.depth = 0  # of divs, inside the body
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "div":
            if self.depth:
                self.depth += 1
            elif "body" in values.get("class", "").split():
                self.depth = 1
        self.found.append((tag, values, bool(self.depth)))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def executable_markup(document: str, *, page: bool = False) -> list[str]:
    """What in an HTML document could run: executable elements, event handlers, addresses with other
    schemes than http, https and mailto. A page's own JSON-LD and same-site scripts are the theme's."""
    problems = []
    for tag, attrs, in_body in _Elements(document).found:
        theme_script = tag == "script" and page and not in_body and (
            attrs.get("type") == "application/ld+json" or re.match(r"^/(?!/)", attrs.get("src", "")))
        if (tag in EXECUTABLE and not theme_script) or ((in_body or not page) and tag in NOT_IN_BODIES):
            problems.append(f"<{tag}> element")
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}>")
            if name in ADDRESS_ATTRIBUTES:
                addresses = [part.split()[0] for part in value.split(",") if part.split()] if name == "srcset" \
                    else value.split() if name == "ping" else [value]
                problems += [f"<{tag} {name}={a!r}>" for a in addresses if _scheme(a) not in SCHEMES | {""}]
    return problems


def _html_in_feeds(site: Path) -> dict[str, list[str]]:
    """By feed file, everything in it that a reader takes as HTML once the XML or JSON is decoded:
    RSS content:encoded and description, Atom content, JSON Feed content_html. Atom's titles and
    summaries are text, which this checks on the way."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("feed.xml")):
        found[path.relative_to(site).as_posix()] = [
            text or "" for item in ET.parse(path).getroot().iter("item")
            for text in (item.findtext(CONTENT), item.findtext("description"))]
    for path in sorted(site.rglob("atom.xml")):
        parts = found[path.relative_to(site).as_posix()] = []
        for entry in ET.parse(path).getroot().iter(ATOM + "entry"):
            content = entry.find(ATOM + "content")
            assert content is not None and content.get("type") == "html"
            parts.append(content.text or "")
            for name in ("title", "summary"):
                element = entry.find(ATOM + name)
                assert element is None or element.get("type", "text") == "text", (path, name)
    for path in sorted(site.rglob("feed.json")):
        items = json.loads(path.read_text("utf-8"))["items"]
        found[path.relative_to(site).as_posix()] = [item["content_html"] for item in items]
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The basic fixture with every sanitised hostile article added, built."""
    root = copy_site(tmp_path_factory.mktemp("hostile") / "project")
    for path in sorted((HOSTILE / "sanitised").glob("*.md")):
        shutil.copyfile(path, root / "content" / "articles" / path.name)
    build_fixture(root)
    return root / "site"


# --- Feeds carry text where text belongs ----------------------------------------------------------------

@pytest.mark.parametrize("feed", ["feed.xml", "topics/economy/feed.xml", "authors/desk/feed.xml"])
def test_rss_description_holds_no_markup_after_one_xml_unescape(hostile_site, feed):
    descriptions = [item.findtext("description") or "" for item in ET.parse(hostile_site / feed).getroot().iter("item")]
    assert HOSTILE_SUMMARY in [html.unescape(text) for text in descriptions]  # the summary, as text
    for text in descriptions:
        assert "<script" not in text.lower() and "<img" not in text.lower(), text
        assert [tag for tag, _attrs, _body in _Elements(text).found] == [], text


def test_titles_and_summaries_stay_plain_text_in_every_format(hostile_site):
    title = "Guiones ocultos <script>alert(‘título’)</script>"
    rss = {item.findtext("title"): item for item in ET.parse(hostile_site / "feed.xml").getroot().iter("item")}
    assert title in rss
    assert "&#x3C;script&#x3E;" in (hostile_site / "feed.xml").read_text("utf-8")
    atom = {e.findtext(ATOM + "title"): e for e in ET.parse(hostile_site / "atom.xml").getroot().iter(ATOM + "entry")}
    assert atom[title].findtext(ATOM + "summary") == HOSTILE_SUMMARY
    assert atom[title].find(ATOM + "title").get("type", "text") == "text"
    items = {item["title"]: item for item in json.loads((hostile_site / "feed.json").read_text("utf-8"))["items"]}
    assert items[title]["summary"] == HOSTILE_SUMMARY
    assert "<script" not in items[title]["content_html"]


# --- Unsafe addresses are errors -------------------------------------------------------------------------

def test_every_rejected_fixture_has_a_case():
    assert sorted(p.name for p in (HOSTILE / "rejected").glob("*.md")) == sorted(case[0] for case in REJECTED)


def _add_rejected(root: Path) -> None:
    for path in sorted((HOSTILE / "rejected").glob("*.md")):
        shutil.copyfile(path, root / "content" / "articles" / path.name)


def test_unsafe_addresses_are_refused_with_file_line_and_column(site_root):
    build_fixture(site_root)
    before = snapshot(site_root / "site")
    _add_rejected(site_root)

    result = run_cli("build", "--root", site_root)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for name, line, column, scheme in REJECTED:
        expected = (f"content/articles/{name}:{line}:{column}: error: "
                    f"a link or image may not point to a '{scheme}:' address")
        assert expected in result.stderr, (expected, result.stderr)
    assert f"{len(REJECTED)} errors" in result.stderr
    assert "hint: use an http, https or mailto address, or a relative one" in result.stderr
    assert snapshot(site_root / "site") == before


def test_check_reports_every_unsafe_address_the_build_refuses_at_the_same_place(site_root):
    _add_rejected(site_root)
    draft = site_root / "content" / "articles" / "inline-javascript.md"  # a draft is checked too
    draft.write_text(draft.read_text("utf-8").replace("\n---\n", "\ndraft: true\n---\n", 1), "utf-8")
    before = snapshot(site_root)

    checked = run_cli("check", "--root", site_root)
    assert snapshot(site_root) == before  # check writes nothing
    built = run_cli("build", "--root", site_root, "--drafts")

    assert checked.returncode == 1, checked.stdout + checked.stderr
    reported = checked.stdout + checked.stderr
    for name, line, column, scheme in REJECTED:
        if name == draft.name:
            line += 1
        expected = (f"content/articles/{name}:{line}:{column}: error: "
                    f"a link or image may not point to a '{scheme}:' address")
        assert expected in reported, (expected, reported)
        assert expected in built.stderr, (expected, built.stderr)


def test_a_refused_body_is_refused_again_until_it_is_fixed(site_root):
    article = site_root / "content" / "articles" / "inline-javascript.md"
    shutil.copyfile(HOSTILE / "rejected" / article.name, article)
    for _ in range(2):  # never cached as if it were fine
        with pytest.raises(BuildError) as caught:
            build_fixture(site_root)
        assert [str(d.location) for d in caught.value.diagnostics] == ["content/articles/inline-javascript.md:9:10"]
    article.write_text(article.read_text("utf-8").replace("javascript:alert(1)", "https://fixture.example.org/"),
                       "utf-8")
    build_fixture(site_root)
    page = (site_root / "site" / "articles" / "enlace-javascript" / "index.html").read_text("utf-8")
    assert 'href="https://fixture.example.org/"' in page


def test_an_unsafe_address_added_to_a_built_article_is_refused_by_every_later_build(site_root):
    build_fixture(site_root)
    before = snapshot(site_root / "site")
    article = site_root / "content" / "articles" / "deuda-y-fmi.md"
    text = article.read_text("utf-8").rstrip("\n") + "\n\nSee [the offer](data:text/html,oferta).\n"
    article.write_text(text, "utf-8")
    line = text.count("\n")
    for _ in range(2):  # the bodies-only path first, then a build that must not take the failed one as done
        with pytest.raises(BuildError) as caught:
            build_fixture(site_root)
        assert [(str(d.location), d.message) for d in caught.value.diagnostics] == [
            (f"content/articles/deuda-y-fmi.md:{line}:17",
             "a link or image may not point to a 'data:' address: 'data:text/html,oferta'")]
    assert snapshot(site_root / "site") == before


@pytest.mark.parametrize("pair_limit", [render.PAIR_LIMIT, 0], ids=["pair", "pool"])
def test_forked_workers_report_every_refused_address(site_root, monkeypatch, pair_limit):
    _add_rejected(site_root)
    monkeypatch.setattr(render, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(render, "PAIR_LIMIT", pair_limit)
    with pytest.raises(BuildError) as caught:
        build_fixture(site_root, jobs=2)
    located = sorted((d.location.path, d.location.line, d.location.column) for d in caught.value.diagnostics)
    assert located == sorted((f"content/articles/{name}", line, column) for name, line, column, _s in REJECTED)


# --- Raw HTML: what README.md says ------------------------------------------------------------------------

def _policy() -> str:
    readme = (REPO / "README.md").read_text("utf-8")
    match = re.search(r"^## Markdown and HTML policy\n(.*?)^## ", readme, re.DOTALL | re.MULTILINE)
    assert match, "README.md has no 'Markdown and HTML policy' section"
    return " ".join(match[1].split())


def _ticked(text: str) -> set[str]:
    """The names written as code in a passage, with a range such as `h1`–`h6` spelt out."""
    names = set(re.findall(r"`([^`]+)`", text))
    for first, last in re.findall(r"`h(\d)`–`h(\d)`", text):
        names |= {f"h{n}" for n in range(int(first), int(last) + 1)}
    return names


def _readme(part: str) -> set[str]:
    """A list of names the policy gives: the tags kept or dropped, the attributes kept, the schemes."""
    pattern = {"tags": r"keeps only these tags: (.*?); and only these attributes",
               "attributes": r"and only these attributes: (.*?)\. Any other tag",
               "dropped": r"except (.*?), which go with everything inside them",
               "schemes": r"point to (.*?) addresses"}[part]
    match = re.search(pattern, _policy())
    assert match, f"README.md's policy no longer says which {part}"
    return _ticked(match[1])


def test_readme_states_the_allow_list_the_sanitiser_applies():
    assert _readme("tags") == markup.ALLOWED_TAGS
    assert _readme("dropped") <= markup.DROPPED_TAGS
    assert _readme("schemes") == markup.URL_SCHEMES
    kept = {name for names in markup.ALLOWED_ATTRIBUTES.values() for name in names}
    assert kept <= _readme("attributes") and "text-align" in _readme("attributes")


def _allow_list_article(hostile_site: Path) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """The allow-list article's body as elements: on its page and in each format of the site feed."""
    slug = "lo-que-el-html-puede-decir"
    page = (hostile_site / "articles" / slug / "index.html").read_text("utf-8")
    url = f"https://fixture.example.org/articles/{slug}/"
    rss = next(i for i in ET.parse(hostile_site / "feed.xml").getroot().iter("item") if i.findtext("link") == url)
    atom = next(e for e in ET.parse(hostile_site / "atom.xml").getroot().iter(ATOM + "entry")
                if e.findtext(ATOM + "id") == url)
    item = next(i for i in json.loads((hostile_site / "feed.json").read_text("utf-8"))["items"] if i["id"] == url)
    bodies = {"page": [(t, a) for t, a, in_body in _Elements(page).found if in_body][1:],  # without the div itself
              "rss": [(t, a) for t, a, _b in _Elements(rss.findtext(CONTENT)).found],
              "atom": [(t, a) for t, a, _b in _Elements(atom.findtext(ATOM + "content")).found],
              "json": [(t, a) for t, a, _b in _Elements(item["content_html"]).found]}
    return bodies


@pytest.mark.parametrize("where", ["page", "rss", "atom", "json"])
def test_raw_html_is_kept_or_dropped_as_readme_says_on_pages_and_in_feeds(hostile_site, where):
    elements = _allow_list_article(hostile_site)[where]
    tags = {tag for tag, _attrs in elements}
    allowed = _readme("tags")
    assert tags == allowed, (sorted(allowed - tags), sorted(tags - allowed))  # every tag kept, and no other
    by_tag: dict[str, list[dict[str, str]]] = {}
    for tag, attrs in elements:
        by_tag.setdefault(tag, []).append(attrs)
    paragraph = next(a for a in by_tag["p"] if a.get("id") == "raw-paragraph")
    assert paragraph == {"id": "raw-paragraph", "class": "lead", "title": "Lead", "lang": "es", "dir": "ltr"}
    figure_img = next(a for a in by_tag["img"] if a.get("alt") == "Gráfico de la deuda")
    assert set(figure_img) == {"src", "alt", "width", "height"} and figure_img["src"].endswith("chart.png")
    raw_link = next(a for a in by_tag["a"] if a.get("title") == "Inicio")
    assert set(raw_link) == {"href", "title"}
    assert {"start": "3", "reversed": ""} in by_tag["ol"] and {"value": "5"} in by_tag["li"]
    assert {"datetime": "2026-02-07"} in by_tag["time"] and by_tag["del"] == [{"datetime": "2026-02-07"}]
    assert by_tag["blockquote"] == [{}] and by_tag["q"] == [{}]
    assert {"scope": "col", "colspan": "1", "style": "text-align:center"} in by_tag["th"]
    assert {"style": "text-align:left"} in by_tag["th"] and {"style": "text-align:right"} in by_tag["td"]
    assert by_tag["col"] == [{"span": "1"}] and by_tag["colgroup"] == [{"span": "1"}]
    # Markdown's own output: heading ids, footnotes both ways, the code block's language
    assert {"id": "markdown-first"} in by_tag["h2"]
    assert any(a.get("class") == "footnote-ref" for a in by_tag["a"]) and {"id": "fnref:1"} in by_tag["sup"]
    assert {"id": "fn:1"} in by_tag["li"] and {"class": "footnote"} in by_tag["div"]
    assert {"class": "language-python"} in by_tag["code"]
    for tag, attrs in elements:
        assert not {"style", "target", "rel", "cite", "loading", "data-x"} & (set(attrs) - ({"style"} if tag in
                                                                                               ("th", "td") else set()))


def test_a_tag_outside_the_allow_list_leaves_its_text_and_a_dropped_one_leaves_nothing(hostile_site):
    page = (hostile_site / "articles" / "lo-que-el-html-puede-decir" / "index.html").read_text("utf-8")
    assert "Texto sin etiqueta" in page and "gone with its text" not in page
    assert not {"center", "font", "script"} & {tag for tag, _a, in_body in _Elements(page).found if in_body}


# --- The hostile corpus ------------------------------------------------------------------------------------

def test_hostile_corpus_builds_into_pages_without_executable_markup(hostile_site):
    pages = html_files(hostile_site)
    corpus = sorted(p.stem for p in (HOSTILE / "sanitised").glob("*.md"))
    listed = json.loads((hostile_site / "feed.json").read_text("utf-8"))["items"]
    assert len([i for i in listed if i["date_published"].startswith("2026-02-0")]) == len(corpus)
    problems = {page.relative_to(hostile_site).as_posix(): executable_markup(page.read_text("utf-8"), page=True)
                for page in pages}
    assert {page: found for page, found in problems.items() if found} == {}
    assert "Texto seguro before the scripts." in (hostile_site / "articles" / "guiones-ocultos-script-alert-titulo-script"
                                                  / "index.html").read_text("utf-8")


def test_hostile_corpus_builds_into_feeds_without_executable_markup(hostile_site):
    feeds = _html_in_feeds(hostile_site)
    assert {"feed.xml", "atom.xml", "feed.json", "topics/economy/feed.xml", "topics/economy/atom.xml",
            "topics/economy/feed.json", "authors/desk/feed.xml"} <= set(feeds)
    problems = {feed: found for feed, parts in feeds.items()
                if (found := [problem for part in parts for problem in executable_markup(part)])}
    assert problems == {}


class _Code(HTMLParser):
    """The text of every code element of a document."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.inside = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "code":
            self.inside += 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self.inside -= 1

    def handle_data(self, data):
        if self.inside:
            self.texts[-1] += data


def test_addresses_in_code_are_text_not_errors(hostile_site):
    page = (hostile_site / "articles" / "ejemplos-de-codigo" / "index.html").read_text("utf-8")
    code = "\n".join(_Code(page).texts)
    for example in ("[x](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>', '<a href="data:text/html,x">',
                    "[x](vbscript:msgbox(1))", '<iframe src="javascript:alert(1)"></iframe>'):
        assert example in code
