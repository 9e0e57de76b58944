"""The interface in the reader's language: catalogues complete and current, dates by locale."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from milei_watch import i18n
from tests.conftest import build_fixture, copy_site

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_strings() -> set:
    """Every string the templates translate, as `pybabel extract -F babel.cfg` finds them."""
    method_map = [("**.html", "jinja2"), ("**.xml", "jinja2")]
    found = list(extract_from_dir(str(TEMPLATES), method_map))
    # the words the build writes in code, such as JSON-LD's note on a source cited by another
    found += extract_from_dir(str(ROOT / "src" / "milei_watch"), [("render.py", "python")])
    return {message if isinstance(message, str) else tuple(message)
            for _file, _line, message, _comments, _context in found}


def _catalogue(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_the_message_template_lists_exactly_the_strings_the_templates_use():
    pot = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalogue(TEMPLATES / "locale" / "messages.pot") if m.id}
    assert pot == _template_strings(), "run the extract command in README.md (Translating the interface)"


@pytest.mark.parametrize("language", sorted(p.name for p in (TEMPLATES / "locale").iterdir() if p.is_dir()))
def test_every_catalogue_translates_every_string_keeping_its_placeholders(language):
    catalogue = _catalogue(i18n.catalogue_path(TEMPLATES, language), language)
    translated = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalogue if m.id}
    for msgid in _template_strings():
        message = translated.get(msgid)
        assert message is not None, f"{language}: no entry for {msgid!r}"
        assert not message.fuzzy, f"{language}: fuzzy entry for {msgid!r}"
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[-1]))
        for string in strings:
            assert string, f"{language}: {msgid!r} is not translated"
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{language}: placeholders differ in {msgid!r}"


def test_dates_follow_the_locale_and_english_keeps_day_month_year():
    day = dt.date(2026, 1, 25)
    assert i18n.human_date(day, "en_US") == "25 January 2026"
    assert i18n.human_date(day, "es_AR") == "25 de enero de 2026"
    assert i18n.month_year(2026, 1, "es_AR") == "enero de 2026"
    assert i18n.month_year(2026, 1, "en") == "January 2026"


def test_a_broken_catalogue_names_its_file(tmp_path):
    path = i18n.catalogue_path(tmp_path, "es")
    path.parent.mkdir(parents=True)
    path.write_text('msgid "x"\nthis is not a catalogue\n', "utf-8")
    with pytest.raises(i18n.CatalogueError, match=re.escape(str(path))):
        i18n.translations(tmp_path, "es")


def test_a_spanish_site_shows_its_interface_and_dates_in_spanish(tmp_path):
    root = copy_site(tmp_path)
    config = root / "content" / "site.yaml"
    text = re.sub(r"(?m)^language:.*$", "language: es", config.read_text("utf-8"))
    text = re.sub(r"(?m)^locale:.*$", "locale: es_AR", text)
    if "language: es" not in text:
        text = "language: es\nlocale: es_AR\n" + text
    config.write_text(text, "utf-8")
    build_fixture(root)
    home = (root / "site" / "index.html").read_text("utf-8")
    assert "Ir al contenido" in home and ">Buscar<" in home and "Skip to content" not in home
    archive = (root / "site" / "archive" / "index.html").read_text("utf-8")
    assert "enero de 2026" in archive and "January" not in archive
    assert re.search(r"\d+ de (enero|febrero) de 2026", (root / "site" / "archive" / "2026" / "index.html").read_text("utf-8"))


def test_a_broken_catalogue_stops_the_build_naming_the_file(tmp_path):
    from milei_watch.errors import BuildError

    root = copy_site(tmp_path)
    build_fixture(root)
    before = sorted((root / "site").rglob("*"))
    path = i18n.catalogue_path(root / "templates", "en")
    path.parent.mkdir(parents=True)
    path.write_text("this is not a catalogue\n", "utf-8")
    with pytest.raises(BuildError) as caught:
        build_fixture(root)
    assert "templates/locale/en/LC_MESSAGES/messages.po" in str(caught.value)
    assert sorted((root / "site").rglob("*")) == before


# --- strings translated when a template compiles -------------------------------------------------------

CATALOGUE = r'''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Topics"
msgstr "Temas & <más>"

msgid "Rate 100%%"
msgstr "Tasa 100%%"

msgid "By %(who)s"
msgstr "Por %(who)s"

msgid "Hello %(name)s"
msgstr "Hola %(name)s"

msgid "Broken %(x)s"
msgstr "Roto %(x)s"

msgid "one article"
msgid_plural "%(num)s articles"
msgstr[0] "un artículo"
msgstr[1] "%(num)s artículos"
'''

TEMPLATE = """{{ _('Topics') }}|{% trans %}Topics{% endtrans %}|{{ gettext('Topics') }}|{{ _('Rate 100%%') }}|\
{% trans %}Rate 100%%{% endtrans %}|{% trans who=name %}By {{ who }}{% endtrans %}|{{ _('Hello %(name)s', name=name) }}|\
{% trans count=n %}one article{% pluralize %}{{ count }} articles{% endtrans %}|{{ _('Topics') ~ name }}|\
{{ _('Topics')|upper }}|{{ (_('Topics'))[0] }}|{% set label = _('Topics') %}{{ label }}|{{ _('Untranslated <b>') }}|\
{{ _('Broken %(x)s', x=name) }}|{{ _("Topics") if n else '' }}"""


def _strings(tmp_path):
    import gettext as stdlib_gettext
    import io

    from babel.messages.mofile import write_mo

    catalogue = read_po(io.BytesIO(CATALOGUE.encode("utf-8")), locale="es")
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


@pytest.mark.parametrize("autoescape", [True, False])
def test_strings_translated_at_compile_time_render_as_newstyle_gettext_renders_them(tmp_path, autoescape):
    """CompiledStrings folds each plain string into the compiled template; the page must read exactly as
    with Jinja2's own newstyle gettext, escaping included, for every way a template asks for a string."""
    import jinja2

    strings = _strings(tmp_path)
    runtime = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    runtime.install_gettext_translations(strings, newstyle=True)
    compiled = jinja2.Environment(extensions=[i18n.CompiledStrings], autoescape=autoescape)
    compiled.install_gettext_translations(strings, newstyle=True)
    compiled.compiled_strings = strings
    for values in ({"name": "<i>Ana</i> & co", "n": 1}, {"name": "Luis", "n": 3}):
        expected = runtime.from_string(TEMPLATE).render(values)
        assert compiled.from_string(TEMPLATE).render(values) == expected
        # A translation is the theme's own markup (as with newstyle gettext); the values in it are escaped.
        assert expected.startswith("Temas & <más>|")
        assert ("Por &lt;i&gt;Ana&lt;/i&gt; &amp; co|" if autoescape else "Por <i>Ana</i> & co|") in expected \
            or values["name"] == "Luis"
    # The plain strings are in the compiled code; only the plural and the call with a value look up gettext.
    code = compiled.compile(TEMPLATE, raw=True)
    assert "Temas & <más>" in code and "Tasa 100%" in code and "Por %(who)s" in code
    assert "'Topics'" not in code and "By %(who)s" not in code
    assert "'Hello %(name)s'" in code and "'one article'" in code


def test_a_compiled_catalogue_is_kept_and_read_back_only_for_the_same_source(tmp_path, monkeypatch):
    import babel.messages.pofile

    source = i18n.catalogue_path(ROOT / "templates", "es")
    path = i18n.catalogue_path(tmp_path / "templates", "es")
    path.parent.mkdir(parents=True)
    path.write_bytes(source.read_bytes())
    compiled = tmp_path / "compiled"
    strings, digest = i18n.load(tmp_path / "templates", "es", compiled)
    assert [p.name for p in compiled.iterdir()] == [f"messages-{digest}.mo"]

    def no_babel(*_args, **_kwargs):
        raise AssertionError("the catalogue was compiled again")

    monkeypatch.setattr(babel.messages.pofile, "read_po", no_babel)
    again, same = i18n.load(tmp_path / "templates", "es", compiled)  # read back: Babel is not asked
    assert same == digest and again.gettext("Sources") == strings.gettext("Sources") == "Fuentes"
    path.write_bytes(source.read_bytes() + b"\n# an edit\n")
    with pytest.raises(i18n.CatalogueError, match="compiled again"):  # another source: compiled afresh
        i18n.load(tmp_path / "templates", "es", compiled)
    monkeypatch.undo()
    (compiled / f"messages-{digest}.mo").write_bytes(b"damaged")
    path.write_bytes(source.read_bytes())
    assert i18n.load(tmp_path / "templates", "es", compiled)[0].gettext("Sources") == "Fuentes"
