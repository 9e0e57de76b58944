"""Page keys: one canonical form of everything a page's bytes depend on, hashed.

A page is rendered from its template, the site-wide inputs (settings, theme, bylines, generator)
and its context. Its key is derived from all three, so that a page whose key is unchanged cannot
be stale: nothing is declared by hand beside the context.

Articles and pages appear in contexts by their front-matter digest: every field a template can
read from them is derived from their front matter and the settings. Their bodies reach a page
only through the `bodies` the page embeds (job.bodies), which the key covers by body digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any, Callable

from .model import Article, Page


def _document(value: Article | Page) -> tuple:
    return ("doc", value.meta_digest)


def _dataclass(value: Any) -> tuple:
    return (type(value).__name__,) + tuple(canonical(getattr(value, f.name)) for f in dataclasses.fields(value))


def _moment(value: dt.date) -> tuple:
    return ("time", value.isoformat(), str(getattr(value, "tzinfo", None) or ""))


_PLAIN = (str, int, float, bool, type(None))
_RULES: dict[type, Callable[[Any], Any]] = {Article: _document, Page: _document,
                                           dt.datetime: _moment, dt.date: _moment}


def canonical(value: Any) -> Any:
    """A value made only of plain Python literals that is equal for contexts that render alike."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    rule = _RULES.get(kind)
    if rule is not None:
        return rule(value)
    if kind is tuple or kind is list:
        return tuple(map(canonical, value))
    if kind is dict:
        return {"dict": tuple((key, canonical(item)) for key, item in sorted(value.items()))}
    if kind is frozenset or kind is set:
        return ("set", tuple(sorted(map(canonical, value), key=repr)))
    if dataclasses.is_dataclass(value):
        return _dataclass(value)
    if isinstance(value, tuple):  # a named tuple
        return (kind.__name__,) + tuple(map(canonical, value))
    if isinstance(value, _PLAIN):  # str or int subclasses such as Markup
        return (kind.__name__, value)
    raise TypeError(f"no canonical form for {kind.__name__} in a page context")


def digest(*parts: Any) -> str:
    """A short stable hash of plain values (as canonical() returns them)."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def context_key(site_key: str, template: str, context: dict[str, Any]) -> str:
    """What the page shows, apart from the bodies it embeds."""
    return digest(site_key, template, canonical(context))


def page_key(context_key: str, bodies: tuple[Article | Page, ...]) -> str:
    """The page's key: its context key and the exact bodies it embeds."""
    return digest(context_key, tuple(doc.body_digest for doc in bodies))
