"""The interface in the reader's language: the theme's message catalogues and locale-aware dates.

Every string a template shows comes from a gettext catalogue of the theme,
`templates/locale/<language>/LC_MESSAGES/messages.po`, extracted from the templates with Babel
(`pybabel extract -F babel.cfg`, see README). The build compiles the catalogue itself, so no binary
`.mo` file sits beside its source to go stale; it keeps the compiled form in its cache under the
digest of the catalogue's bytes. The templates are written in English: an English site needs no
catalogue.

The strings are translated once, when a template is compiled (`CompiledStrings`), rather than on every
page: a template compiled for one edition holds that edition's words, so its compiled code is kept per
catalogue (`load` gives its digest). Only a plural (`ngettext`, which depends on a number) or a string with
variables given at render time goes through gettext while pages render.

Dates are formatted by Babel from the Unicode CLDR data for the site's locale ("25 de enero de
2026"), except that English keeps the day-month-year order the site has always shown.
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
import io
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from jinja2 import nodes
from jinja2.ext import InternationalizationExtension
from jinja2.lexer import Token, TokenStream

from .output import write_atomic

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
    return load(templates_dir, language)[0]


def load(templates_dir: Path, language: str, compiled_dir: Path | None = None) -> tuple[gettext.NullTranslations, str]:
    """`translations`, and a digest of the catalogue's bytes, read once: what a template compiled by
    `CompiledStrings` depends on besides its own source.

    With `compiled_dir` (the compiled templates' folder, whose key covers Babel's version), the
    catalogue compiled by an earlier build from the same bytes is read from there (`messages-DIGEST.mo`),
    and one compiled now is kept there: a build whose catalogue did not change never loads Babel."""
    path = catalogue_path(templates_dir, language)
    data = path.read_bytes() if path.is_file() else None
    digest = hashlib.blake2b(language.encode() + b"\0" + (data or b""), digest_size=8).hexdigest()
    if data is None:
        return gettext.NullTranslations(), digest
    kept = compiled_dir / f"messages-{digest}.mo" if compiled_dir is not None else None
    if kept is not None:
        try:
            return gettext.GNUTranslations(io.BytesIO(kept.read_bytes())), digest
        except Exception:  # none yet, or damaged (gettext raises OSError, struct.error, ...): compiled again
            pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    try:
        catalog = read_po(io.BytesIO(data), locale=language, abort_invalid=True)
    except Exception as exc:  # Babel raises PoFileError, ValueError or UnicodeDecodeError
        raise CatalogueError(path, f"cannot read the message catalogue: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if kept is not None:
        try:
            write_atomic(kept, buffer.getvalue())
        except OSError:
            pass  # a cache: compiled again next time
    buffer.seek(0)
    return gettext.GNUTranslations(buffer), digest


class CompiledStrings(InternationalizationExtension):
    """Jinja2's i18n extension (`{% trans %}`, `_()`, `gettext()`, `ngettext()`, newstyle), except that a
    string with no plural, no context and no variables is translated while the template compiles:
    `_('Topics')` and `{% trans %}Topics{% endtrans %}` become the translated text, marked safe where the
    template autoescapes, exactly as newstyle gettext returns it at render time. A `{% trans %}` block
    with variables is translated at compile time too and formatted (with its values escaped) as the page
    renders. Set `environment.compiled_strings` to the translations before the first template loads."""

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(compiled_strings=None)

    def _translated(self, message: str) -> str | None:
        """The message as newstyle gettext shows it without variables (`%%` read as `%`), or None when
        it can only be formatted with variables."""
        try:
            return self.environment.compiled_strings.gettext(message) % {}
        except (KeyError, ValueError, TypeError):
            return None

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """`_('literal')` and `gettext('literal')` become the literal's translation: `('text'|safe)` in an
        autoescaped template (what newstyle gettext returns), `'text'` in any other."""
        if self.environment.compiled_strings is None:
            yield from stream
            return
        autoescape = self.environment.autoescape
        escaped = autoescape(stream.name) if callable(autoescape) else bool(autoescape)
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            call = tokens[i:i + 4]
            if (token.type == "name" and token.value in ("_", "gettext") and len(call) == 4
                    and [t.type for t in call[1:]] == ["lparen", "string", "rparen"]
                    and (i == 0 or tokens[i - 1].type != "dot")):
                text = self._translated(call[2].value)
                if text is not None:
                    line = token.lineno
                    if escaped:
                        yield from (Token(line, "lparen", "("), Token(line, "string", text), Token(line, "pipe", "|"),
                                    Token(line, "name", "safe"), Token(line, "rparen", ")"))
                    else:
                        yield Token(line, "string", text)
                    i += 4
                    continue
            yield token
            i += 1

    def _make_node(self, singular, plural, context, variables, plural_expr, vars_referenced, num_called_num):
        if self.environment.compiled_strings is None or plural_expr is not None or context is not None:
            return super()._make_node(singular, plural, context, variables, plural_expr, vars_referenced,
                                      num_called_num)
        if variables:
            # As newstyle gettext formats it: the (safe) translation % the values, which Markup escapes.
            text = self.environment.compiled_strings.gettext(singular)
            values = nodes.Dict([nodes.Pair(nodes.Const(key), value) for key, value in variables.items()])
            return nodes.Output([nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), values)])
        folded = self._translated(singular)
        if folded is None:
            return super()._make_node(singular, plural, context, variables, plural_expr, vars_referenced,
                                      num_called_num)
        return nodes.Output([nodes.MarkSafeIfAutoescape(nodes.Const(folded))])


@lru_cache(maxsize=16)
def locale(code: str):
    """The Babel locale for a site locale such as `es_AR` or `en-US`."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale("en")


# Words Babel formatted, by (kind, locale, value): a site shows the same few thousand days, months
# and times on every build, and the first one formatted costs about 50 ms (Babel's modules and the
# locale's CLDR data). render.Renderer keeps them between builds beside the compiled templates,
# whose key covers this code, the settings and Babel's version (inputs.libraries_key).
FORMATTED: dict[tuple, str] = {}
_KEPT: set[tuple] = set()      # the keys of the words kept by earlier builds
_UNKEPT: set[tuple] = set()    # words used since, which those lack


def _word(key: tuple, make) -> str:
    text = FORMATTED.get(key)
    if text is None:
        text = FORMATTED[key] = make()
    if key not in _KEPT:
        _UNKEPT.add(key)
    return text


def keep_formatted(words: dict[tuple, str]) -> None:
    """Take the words kept by an earlier build (their keys as `_word` makes them)."""
    FORMATTED.update(words)
    _KEPT.clear()
    _KEPT.update(words)
    _UNKEPT.clear()


def new_words() -> dict[tuple, str]:
    """The words used since the last call (or since those kept were taken) that those kept lack,
    counted as kept from now on: what a render worker hands back to the build that keeps them."""
    words = {key: FORMATTED[key] for key in _UNKEPT}
    _KEPT.update(_UNKEPT)
    _UNKEPT.clear()
    return words


def add_words(words: dict[tuple, str]) -> None:
    """Take words formatted elsewhere (by a render worker), to be kept with this build's own."""
    FORMATTED.update(words)
    _UNKEPT.update(key for key in words if key not in _KEPT)


def words_to_keep() -> dict[tuple, str] | None:
    """The kept words with those used since, when any was used that they lack; else None."""
    if not _UNKEPT:
        return None
    return {key: FORMATTED[key] for key in sorted(_KEPT | _UNKEPT, key=repr)}


def human_date(moment: dt.date, code: str) -> str:
    """A date as readers of `code` see it: 25 January 2026, 25 de enero de 2026."""
    return _word(("day", code, moment.year, moment.month, moment.day),
                 lambda: _human_day(dt.date(moment.year, moment.month, moment.day), code))


def human_time(moment: dt.datetime, code: str) -> str:
    """A time of day as readers of `code` see it, in the moment's own timezone: 10:30 AM, 10:30."""
    def make() -> str:
        from babel.dates import format_time

        return format_time(moment, "short", locale=locale(code))

    return _word(("time", code, moment.hour, moment.minute), make)


def _human_day(day: dt.date, code: str) -> str:
    from babel.dates import format_date

    where = locale(code)
    if where.language == "en":
        return format_date(day, "d MMMM y", locale=where)
    return format_date(day, "long", locale=where)


def month_year(year: int, month: int, code: str) -> str:
    """A month of a year as a heading: January 2026, enero de 2026."""
    def make() -> str:
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale(code))

    return _word(("month", code, year, month), make)


def language_name(code: str) -> str:
    """A language's name in itself, for the language switcher: Español, English."""
    def make() -> str:
        name = locale(code).get_display_name(locale(code)) or code
        return name[:1].upper() + name[1:]

    return _word(("language", code), make)
