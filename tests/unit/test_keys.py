"""Page keys: equal for contexts that render alike, different for any that may not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from milei_watch import keys, model, sources
from milei_watch.assets import lead_image
from milei_watch.config import load_config
from tests.conftest import FIXED_NOW, copy_site


def _fresh(text: str) -> str:
    """An equal string that is a different object."""
    return "".join(list(text))


def test_a_digest_depends_on_values_never_on_which_objects_hold_them() -> None:
    shared = _fresh("a value long enough to be its own object")
    assert shared is not _fresh(shared)
    # One object referred to twice, and two equal objects: a serialiser that refers back to objects
    # it has seen (marshal from version 3, pickle) writes these differently.
    assert keys.digest((shared, shared), [shared]) == keys.digest((shared, _fresh(shared)), [_fresh(shared)])


@pytest.mark.parametrize("left, right", [
    (1, True), (0, False), (1, 1.0), (None, "None"), ("1", 1), ((), []), (("a", "b"), ("a", ("b",))),
    ("é", "e"), (2 ** 70, 2 ** 70 + 1),
])
def test_values_that_print_or_compare_alike_have_different_digests(left, right) -> None:
    assert keys.digest(left) != keys.digest(right)


def _site(tmp_path: Path) -> model.Site:
    root = copy_site(tmp_path / "project", "newsroom")
    config = load_config(root)
    authors, _problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, _read, _files = sources.read_all(root, config.content_dir, {}, 0)
    site, _more = model.build_site(config, docs, authors, now=FIXED_NOW, drafts=True, future=True)
    return site


def test_an_article_stands_in_a_context_by_its_front_matter_and_lead_image_bytes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    first, second = site.articles[0], site.articles[1]
    same = first._replace()  # an equal article, another object (as a reloaded cache gives)

    def key(context: dict, assets: dict[str, str] | None = None) -> str:
        return keys.context_key("article.html", "", context, keys.Canonicaliser(assets))

    assert key({"article": first, "related": (second,)}) == key({"article": same, "related": (second,)})
    assert key({"article": first}) != key({"article": second})
    assert key({"article": first, "related": (second,)}) != key({"related": (second,), "article": first})
    assert key({"article": first}) != key({"article": (first,)})
    retitled = first._replace(meta_digest="another front matter")
    assert key({"article": first}) != key({"article": retitled})
    pictured = first._replace(image=model.LeadImage("x.jpg", "alt", None, None, 1))
    stored = lead_image("x.jpg")
    assert key({"article": pictured}, {stored: "one"}) != key({"article": pictured}, {stored: "two"})
    # The same context in another edition renders other strings, dates and addresses.
    assert key({"article": first}) != keys.context_key("article.html", "es", {"article": first}, keys.Canonicaliser())


def test_records_moments_and_markup_have_canonical_forms_and_anything_else_is_refused() -> None:
    canonical = keys.Canonicaliser()
    moment = dt.datetime(2026, 1, 25, 10, 0, tzinfo=dt.timezone.utc)
    assert canonical(moment) != canonical(moment.astimezone(dt.timezone(dt.timedelta(hours=-3))))
    assert canonical({"when": moment}) == keys.Canonicaliser()({"when": moment.replace()})
    with pytest.raises(TypeError, match="no canonical form for object"):
        canonical({"thing": object()})

