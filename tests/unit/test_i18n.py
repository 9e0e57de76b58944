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
