"""Slugs and the URL scheme."""

from __future__ import annotations

import pytest

from milei_watch import routes


@pytest.mark.parametrize("text, slug", [
    ("El ajuste fiscal de Milei: año uno", "el-ajuste-fiscal-de-milei-ano-uno"),
    ("Ñandú & Peña", "nandu-pena"),
    ("¿Qué pasó con la inflación?", "que-paso-con-la-inflacion"),
    ("ÁÉÍÓÚ Ü ç", "aeiou-u-c"),
    ("São Paulo y Brasília", "sao-paulo-y-brasilia"),
    ("Deuda & FMI: 2026/27 (borrador)", "deuda-fmi-2026-27-borrador"),
    ("Milei's plan", "mileis-plan"),
    ("Milei\u2019s \u201cchainsaw\u201d \u2014 100%", "mileis-chainsaw-100"),
    ("Straße, Łódź and Søren", "strasse-lodz-and-soren"),
    ("  --Leading and trailing--  ", "leading-and-trailing"),
    ("MAYÚSCULAS", "mayusculas"),
])
def test_slugify_folds_accents_and_punctuation(text, slug):
    assert routes.slugify(text) == slug
    assert routes.is_slug(slug)


@pytest.mark.parametrize("text", ["", "—", "¿?", "日本"])
def test_slugify_of_nothing_sluggable_is_empty(text):
    assert routes.slugify(text) == ""


def test_slugify_cuts_long_titles_at_a_word_boundary():
    slug = routes.slugify("palabra " * 20)
    assert len(slug) <= 80 and slug.endswith("palabra") and not slug.endswith("-")
    assert routes.slugify("palabra " * 20, max_length=20) == "palabra-palabra"


def test_slugify_cuts_a_single_long_word_hard():
    assert routes.slugify("a" * 100) == "a" * 80


@pytest.mark.parametrize("text, ok", [
    ("deuda-y-fmi", True), ("a", True), ("2026", True),
    ("../etc", False), ("Deuda", False), ("deuda_y_fmi", False), ("-deuda", False), ("deuda-", False),
    ("deuda--fmi", False), ("deuda/fmi", False), ("", False), ("año", False),
])
def test_is_slug_accepts_only_lowercase_ascii_words_joined_by_hyphens(text, ok):
    assert routes.is_slug(text) is ok


def test_urls_and_output_paths():
    assert routes.article("deuda-y-fmi") == "articles/deuda-y-fmi/"
    assert routes.topic("economy") == "topics/economy/"
    assert routes.topic("economy", 3) == "topics/economy/page/3/"
    assert routes.topic_feed("economy", "atom.xml") == "topics/economy/atom.xml"
    assert routes.topic_timeline("economy") == "topics/economy/timeline/"
    assert routes.tag("imf", 2) == "tags/imf/page/2/"
    assert routes.author("desk") == "authors/desk/"
    assert routes.author_feed("desk") == "authors/desk/feed.xml"
    assert routes.archive_month(2026, 1) == "archive/2026/01/"
    assert routes.output_path("") == "index.html"
    assert routes.output_path("articles/x/") == "articles/x/index.html"
    assert routes.output_path("feed.xml") == "feed.xml"
