"""Markdown rendering: heading ids, typographic quotes, footnotes and tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from milei_watch import markup


@pytest.fixture(scope="module")
def render():
    return markup.Renderer().render


def _ids(html: str) -> list[str]:
    return re.findall(r'<h\d id="([^"]+)"', html)


def test_heading_ids_are_unique(render):
    html = render("# Intro\n\n## Intro\n\n### Intro\n\n## Otra cosa\n")
    assert _ids(html) == ["intro", "intro-2", "intro-3", "otra-cosa"]


def test_heading_ids_fold_accents(render):
    assert _ids(render("## Año de ajuste: ¿qué cambió?\n")) == ["ano-de-ajuste-que-cambio"]


def test_explicit_heading_id_wins_even_when_an_earlier_heading_would_take_it(render):
    html = render("## Why\n\ntext\n\n## Why it matters {#why}\n\n## Why\n")
    assert _ids(html) == ["why-2", "why", "why-3"]
    assert "{#why}" not in html


def test_heading_without_letters_gets_a_section_id(render):
    assert _ids(render("## ¿?\n\n## —\n")) == ["section", "section-2"]


def test_smart_quotes_dashes_and_ellipses_in_text(render):
    html = render("Milei's \"chainsaw\" -- the *ajuste* --- goes on...\n")
    assert html == "<p>Milei\u2019s \u201cchainsaw\u201d \u2013 the <em>ajuste</em> \u2014 goes on\u2026</p>"


def test_quotes_after_inline_markup_close(render):
    html = render("He said \"the *ajuste*\" and '*la motosierra*' too; the *plan*'s end.\n")
    assert html == ("<p>He said \u201cthe <em>ajuste</em>\u201d and \u2018<em>la motosierra</em>\u2019 too; "
                    "the <em>plan</em>\u2019s end.</p>")


def test_quotes_at_the_start_of_a_block_open(render):
    assert render("- \"uno\"\n- 'dos'\n") == "<ul>\n<li>\u201cuno\u201d</li>\n<li>\u2018dos\u2019</li>\n</ul>"


def test_code_keeps_straight_quotes(render):
    html = render('Use `"quoted"` and `--flag`.\n\n```\nprint("hi") -- ...\n```\n')
    assert html == ('<p>Use <code>"quoted"</code> and <code>--flag</code>.</p>\n'
                    '<pre><code>print("hi") -- ...\n</code></pre>')


def test_attribute_values_keep_straight_quotes(render):
    html = render("A [link](https://example.org/a--b 'Title') here.\n")
    assert 'href="https://example.org/a--b"' in html
    assert 'title="Title"' in html


def test_footnotes_link_both_ways(render):
    html = render("A claim.[^1]\n\n[^1]: The note.\n")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html and 'href="#fnref:1"' in html
    assert 'title="Back to reference 1"' in html


def test_tables_render(render):
    html = render("| Measure | Status |\n| --- | --- |\n| Cuts | Announced |\n")
    assert "<table>" in html and "<th>Measure</th>" in html and "<td>Announced</td>" in html


def test_renderer_is_reset_between_documents():
    renderer = markup.Renderer()
    renderer.render("Uno.[^1]\n\n[^1]: Primera nota.\n\n## Intro\n")
    second = renderer.render("## Intro\n\nDos.\n")
    assert "Primera nota" not in second and 'id="intro"' in second


def test_markup_key_follows_the_markdown_code_and_library(tmp_path, monkeypatch):
    from milei_watch import inputs

    key = inputs.markup_key()
    # a copy of the module with one changed line gives another key: cached HTML is not reused across it
    package = tmp_path / "copy"
    package.mkdir()
    for source in Path(markup.__file__).parent.glob("*.py"):
        (package / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(inputs, "__file__", str(package / "inputs.py"))
    for changed in ("markup.py", "typography.py"):  # the quotes, dashes and ellipses are part of the HTML
        original = (package / changed).read_bytes()
        with (package / changed).open("a", encoding="utf-8") as handle:
            handle.write("\n# changed\n")
        inputs.markup_key.cache_clear()
        try:
            assert inputs.markup_key() != key, changed
        finally:
            (package / changed).write_bytes(original)
    inputs.markup_key.cache_clear()
    try:
        assert inputs.markup_key() == key  # the copy itself keys like the package
    finally:
        monkeypatch.undo()
        inputs.markup_key.cache_clear()
    assert inputs.markup_key() == key
    # and so does another version of Python-Markdown (its version file is part of the key)
    import importlib.util

    meta = Path(importlib.util.find_spec("markdown").origin).with_name("__meta__.py")
    assert "__version_info__" in meta.read_text("utf-8")


def test_absolute_links_resolves_every_address_in_tags_only():
    from milei_watch.feeds import absolute_links

    page = "https://example.org/sub/articles/a/"
    body = ('<p><a href="#fn:1">1</a> <a href="../b/">b</a> <a href="/x?a=1&amp;b=2">x</a> '
            '<img alt="" src="chart.png"> <a href="https://other.example/">o</a> <a href="mailto:d@example.org">m</a>'
            ' <code>&lt;a href="#kept"&gt;</code> <a href="">empty</a></p>')
    assert absolute_links(body, page) == (
        '<p><a href="https://example.org/sub/articles/a/#fn:1">1</a> <a href="https://example.org/sub/articles/b/">b</a>'
        ' <a href="https://example.org/x?a=1&amp;b=2">x</a> <img alt="" src="https://example.org/sub/articles/a/chart.png">'
        ' <a href="https://other.example/">o</a> <a href="mailto:d@example.org">m</a>'
        ' <code>&lt;a href="#kept"&gt;</code> <a href="">empty</a></p>')


@pytest.mark.parametrize("address, scheme", [
    ("javascript:alert(1)", "javascript"), ("JaVaScRiPt:alert(1)", "javascript"), (" javascript:x", "javascript"),
    ("jav&#x09;ascript:x", "javascript"), ("&#106;avascript:x", "javascript"), ("java\nscript:x", "javascript"),
    ("\x01javascript:x", "javascript"), ("javascript&colon;x", "javascript"), ("&#x01; vbscript:x", "vbscript"),
    ("data:text/html,x", "data"), ("https://example.org/a:b", "https"), ("mailto:desk@example.org", "mailto"),
    ("/a:b", ""), ("#fn:1", ""), ("chart.png", ""), ("?q=a:b", ""), ("../b/", ""), ("12:30", ""),
])
def test_url_scheme_is_the_one_a_browser_would_see(address, scheme):
    assert markup.url_scheme(address) == scheme
    assert markup.is_safe_url(address) == (scheme in ("", "http", "https", "mailto"))


def test_unsafe_addresses_are_found_in_every_syntax_at_their_line_and_column():
    text = ("Intro with a [fine link](https://example.org/).\n"
            "\n"
            "An [inline](javascript:alert(1)) link and ![an image](data:image/png;base64,AAAA).\n"
            "A [reference][r], an autolink <vbscript:msgbox(1)> and <a href=\"&#106;avascript:x\">raw</a>.\n"
            "\n"
            "[r]: file:///etc/passwd\n")
    _html, unsafe = markup.Renderer().convert(text)
    assert [(u.line, u.column, u.scheme, u.address) for u in unsafe] == [
        (3, 13, "javascript", "javascript:alert(1)"),
        (3, 55, "data", "data:image/png;base64,AAAA"),
        (4, 32, "vbscript", "vbscript:msgbox(1)"),
        (4, 65, "javascript", "&#106;avascript:x"),
        (6, 6, "file", "file:///etc/passwd"),
    ]


def test_addresses_in_code_and_in_plain_text_are_not_reported():
    text = ("Write `[x](javascript:alert(1))` to see why.\n\n"
            "```\n<a href=\"data:text/html,x\">x</a>\n```\n\n"
            "    <iframe src=\"javascript:alert(1)\"></iframe>\n\n"
            "A plain javascript: word, a [^1] note and a time of 12:30.\n\n[^1]: Note: with a colon.\n")
    assert markup.Renderer().convert(text)[1] == []


def test_unsafe_addresses_are_dropped_from_the_html_as_well(render):
    assert render("[x](javascript:alert(1)) ![y](data:image/png;base64,AA)\n") == '<p><a>x</a> <img alt="y"></p>'


def test_raw_html_is_reduced_to_the_allow_list(render):
    html = render('<p onclick="alert(1)" style="color: red" class="lead">Texto <font>seguro</font>'
                  '<script>alert(1)</script></p>\n\n<iframe src="https://example.org/">inside</iframe>\n\n'
                  '<img src=x onerror=alert(1)>\n\n<svg><script>alert(1)</script></svg>\n\n'
                  '<a href="https://example.org/" target="_blank" title="t">a</a>\n')
    assert html == ('<p class="lead">Texto seguro</p>\n\n\n\n<p><img src="x"></p>\n<p></p>\n'
                    '<p><a href="https://example.org/" title="t">a</a></p>')


def test_markdown_output_keeps_what_the_theme_and_readers_rely_on(render):
    html = render("## Intro {#intro .wide}\n\nA claim.[^1]\n\n| L | R |\n|:--|--:|\n| a | b |\n\n"
                  "```python\nx = 1\n```\n\n[^1]: The note.\n")
    assert '<h2 class="wide" id="intro">Intro</h2>' in html
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<div class="footnote">' in html and '<li id="fn:1">' in html
    assert '<a class="footnote-backref" href="#fnref:1" title="Back to reference 1">' in html
    assert '<th style="text-align:left">L</th>' in html and '<td style="text-align:right">b</td>' in html
    assert '<code class="language-python">x = 1\n</code>' in html


def test_feed_text_is_escaped_for_the_reader_that_decodes_it_once():
    from milei_watch.feeds import rss_text, text_as_html

    assert text_as_html("<script>alert('x')</script> & co") == "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"
    assert str(rss_text("Debt & IMF <b>")) == "Debt &#x26; IMF &#x3C;b&#x3E;"


def test_markup_key_follows_the_sanitiser_version(tmp_path, monkeypatch):
    import importlib.util
    from types import SimpleNamespace

    from milei_watch import inputs

    key = inputs.markup_key()
    (tmp_path / "nh3").mkdir()
    (tmp_path / "nh3" / "__init__.py").write_text("", "utf-8")
    (tmp_path / "nh3-99.0.0.dist-info").mkdir()
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: SimpleNamespace(
        origin=str(tmp_path / "nh3" / "__init__.py")) if name == "nh3" else find_spec(name))
    inputs.markup_key.cache_clear()
    try:
        assert inputs.markup_key() != key
    finally:
        monkeypatch.undo()
        inputs.markup_key.cache_clear()
    assert inputs.markup_key() == key


_INLINE_CASES = (
    "Plain words only, with no mark at all.\n",
    "A `code span` and ``double `ticks` here`` and a \\`escaped tick\\` and \\\\`odd`.\n",
    "Escapes: \\*not emphasis\\*, \\_nor this\\_, \\[no link\\], 5 \\> 3 and a lone \\ backslash.\n",
    "*em*, **strong**, ***both***, _under_, __strong under__, snake_case_word, 2 * 3 * 4, a * lone star.\n",
    "A [link](https://example.org/a \"title\") and [a ref][r] and [r] and ![pic](x.png) and ![ref pic][r].\n\n"
    "[r]: https://example.org/r\n",
    "A footnote[^1] and an unused [^nope] mark and a [^bracket in text.\n\n[^1]: The note, with *emphasis*.\n",
    "Autolinks <https://example.org/x> and <mailto:a@example.org> and <a@example.org> and <not a link>.\n",
    "A line with two trailing spaces  \nthen a break, and  one without.\n",
    "Entities &amp; &#169; &#x263A; &copy; and a bare & ampersand, <b>inline html</b> and <!-- a comment -->.\n",
    "- a list item with `code`\n- *em* item\n\n> a quote with [link](https://example.org)\n\n| a | b |\n|---|---|\n| *x* | `y` |\n",
    "Nested **strong with [a *link*](https://example.org) inside** and `code with *stars*`.\n",
    "Mixed _under and *star* inside_ and *star and _under_ inside* and unclosed *star.\n",
)


def _all_markdown() -> list[str]:
    """Every Markdown file the project and its fixtures hold, with synthetic articles and edge cases."""
    from benchmarks.bench_build import article
    import datetime as dt
    import random
    repo = Path(__file__).resolve().parents[2]
    texts = [path.read_bytes().decode("utf-8", "replace")
             for folder in (repo / "content", repo / "tests" / "fixtures") for path in sorted(folder.rglob("*.md"))]
    rng = random.Random(7)
    texts += [article(rng, n, dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)) for n in range(150)]
    return texts + list(_INLINE_CASES)


def test_the_quick_inline_pass_writes_what_python_markdowns_own_writes(monkeypatch) -> None:
    quick = markup.Renderer()
    assert type(quick._md.treeprocessors["inline"]) is markup._QuickInline
    monkeypatch.setattr(markup, "_QUICK_INLINE", False)
    stock = markup.Renderer()
    assert type(stock._md.treeprocessors["inline"]).__name__ == "InlineProcessor"
    texts = _all_markdown()
    assert len(texts) > 200
    different = [text[:60] for text in texts if quick.convert(text) != stock.convert(text)]
    assert not different
    # every pattern the table names is one this Python-Markdown has, of the class the table expects
    for name, (kind, _texts) in markup._INLINE_NEEDS.items():
        assert type(stock._md.inlinePatterns[name]).__name__ == kind, name
