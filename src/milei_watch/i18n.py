"""The interface in the reader's language: the theme's message catalogues and locale-aware dates.

Every string a template shows comes from a gettext catalogue of the theme,
`templates/locale/<language>/LC_MESSAGES/messages.po`, extracted from the templates with Babel
(`pybabel extract -F babel.cfg`, see README). The catalogue is compiled in memory when the build
loads it, so no binary `.mo` file sits beside its source to go stale. The templates are written in
English: an English site needs no catalogue.

Dates are formatted by Babel from the Unicode CLDR data for the site's locale ("25 de enero de
2026"), except that English keeps the day-month-year order the site has always shown.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE = "locale/{language}/LC_MESSAGES/messages.po"


class CatalogueError(ValueError):
    """A message catalogue that cannot be read."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def catalogue_path(templates_dir: Path, language: str) -> Path:
    """Where the theme keeps the catalogue for `language`."""
    return templates_dir / CATALOGUE.format(language=language)


def translations(templates_dir: Path, language: str) -> gettext.NullTranslations:
    """The theme's strings in `language`: its catalogue compiled in memory, or the templates' own
    English when the language is English or the theme has no catalogue for it."""
    path = catalogue_path(templates_dir, language)
    if not path.is_file():
        return gettext.NullTranslations()
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, abort_invalid=True)
    except Exception as exc:  # Babel raises PoFileError, ValueError or UnicodeDecodeError
        raise CatalogueError(path, f"cannot read the message catalogue: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=16)
def locale(code: str) -> Locale:
    """The Babel locale for a site locale such as `es_AR` or `en-US`."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def human_date(moment: dt.date, code: str) -> str:
    """A date as readers of `code` see it: 25 January 2026, 25 de enero de 2026."""
    return _human_day(dt.date(moment.year, moment.month, moment.day), code)


def human_time(moment: dt.datetime, code: str) -> str:
    """A time of day as readers of `code` see it, in the moment's own timezone: 10:30 AM, 10:30."""
    return format_time(moment, "short", locale=locale(code))


@lru_cache(maxsize=8192)
def _human_day(day: dt.date, code: str) -> str:
    # A site shows a few thousand distinct days on tens of thousands of pages: format each once.
    where = locale(code)
    if where.language == "en":
        return format_date(day, "d MMMM y", locale=where)
    return format_date(day, "long", locale=where)


@lru_cache(maxsize=1024)
def month_year(year: int, month: int, code: str) -> str:
    """A month of a year as a heading: January 2026, enero de 2026."""
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale(code))



@lru_cache(maxsize=16)
def language_name(code: str) -> str:
    """A language's name in itself, for the language switcher: Español, English."""
    name = locale(code).get_display_name(locale(code)) or code
    return name[:1].upper() + name[1:]
