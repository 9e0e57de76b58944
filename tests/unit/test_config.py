"""site.yaml: a declared schema, defaults, and errors that point at the line with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from milei_watch.config import load_config
from milei_watch.errors import ConfigError

MINIMAL = """title: Milei Watch
description: Analysis.
base_url: https://example.org
topics:
  - slug: economy
    name: Economy
    description: Money.
"""


def _write(root: Path, text: str) -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "content" / "site.yaml").write_text(text, "utf-8")
    return root


def _errors(root: Path, text: str) -> list[str]:
    _write(root, text)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return [f"{d.location}: {d.message} | {d.hint}" for d in info.value.diagnostics]


def test_minimal_config_gets_defaults(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL))
    assert config.base_url == "https://example.org/"
    assert config.base_path == "/"
    assert (config.language, config.locale, config.timezone) == ("en", "en", "America/Argentina/Buenos_Aires")
    assert (config.per_page, config.home_latest, config.feed_size, config.search) == (10, 10, 20, True)
    assert config.topic_slugs == ("economy",)
    assert config.output_dir == (tmp_path / "site").resolve()
    assert config.digest


def test_base_path_comes_from_base_url(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL.replace("https://example.org", "https://example.org/watch")))
    assert config.base_url == "https://example.org/watch/"
    assert config.base_path == "/watch/"


def test_locale_defaults_from_language(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL + "language: es-AR\n"))
    assert config.locale == "es_AR"


def test_unknown_setting_suggests_the_known_one(tmp_path):
    assert _errors(tmp_path, MINIMAL + "per_pag: 5\n") == [
        "content/site.yaml:8: unknown setting 'per_pag' | did you mean 'per_page'?"]


def test_unknown_setting_far_from_any_lists_them(tmp_path):
    [error] = _errors(tmp_path, MINIMAL + "colour: red\n")
    assert error.startswith("content/site.yaml:8: unknown setting 'colour' | known keys: author, base_url,")


def test_misspelt_required_setting_is_reported_once(tmp_path):
    assert _errors(tmp_path, MINIMAL.replace("title:", "titel:")) == [
        "content/site.yaml:1: unknown setting 'titel' | did you mean 'title'?"]


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://", "https://exa mple.org/", "/watch/"])
def test_base_url_must_be_absolute_http(tmp_path, url):
    [error] = _errors(tmp_path, MINIMAL.replace("https://example.org", url))
    assert error.startswith(f"content/site.yaml:3: base_url '{url}' is not an absolute http(s) address | ")
    assert "https://example.org/milei-watch/" in error


def test_unknown_timezone_names_its_line(tmp_path):
    assert _errors(tmp_path, MINIMAL + "timezone: Buenos Aires\n") == [
        "content/site.yaml:8: unknown timezone 'Buenos Aires' | "
        "use an IANA name such as America/Argentina/Buenos_Aires"]


def test_wrong_types_are_named(tmp_path):
    errors = _errors(tmp_path, MINIMAL + "per_page: ten\nsearch: 1\nfeed_size: true\n")
    assert errors == [
        "content/site.yaml:8: 'per_page' must be a whole number, not text | write it like per_page: 10",
        "content/site.yaml:9: 'search' must be true or false, not a number | write it like search: true",
        "content/site.yaml:10: 'feed_size' must be a whole number, not true/false | write it like feed_size: 10",
    ]


def test_counts_must_be_positive(tmp_path):
    assert _errors(tmp_path, MINIMAL + "per_page: 0\n") == [
        "content/site.yaml:8: 'per_page' must be at least 1 | write it like per_page: 10"]


def test_missing_required_settings_point_at_line_one(tmp_path):
    errors = _errors(tmp_path, "title: T\ntopics: []\n")
    assert errors == [
        "content/site.yaml:1: missing required setting 'base_url' | add 'base_url:' to content/site.yaml",
        "content/site.yaml:1: missing required setting 'description' | add 'description:' to content/site.yaml",
        "content/site.yaml:2: the site needs at least one topic | list topics with slug, name and description",
    ]


def test_topic_problems_name_their_lines(tmp_path):
    text = MINIMAL + """  - slug: Economy Two
    name: Bad slug
    description: x
  - slug: economy
    name: Again
    description: x
  - slug: debt
    name: Debt
    descripton: typo
  - slug: peso
    name: Peso
"""
    assert _errors(tmp_path, text) == [
        "content/site.yaml:8: topic slug 'Economy Two' must be lowercase letters, digits and hyphens"
        " | use 'economy-two'",
        "content/site.yaml:11: topic 'economy' is defined twice | give each topic its own slug",
        # the misspelt key is one mistake: the description it was meant to be is not reported missing too
        "content/site.yaml:16: unknown topic setting 'descripton' | did you mean 'description'?",
        "content/site.yaml:17: topic needs description (text) | write it as '- slug: economy' with 'name:' and"
        " 'description:' lines below",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    assert _errors(tmp_path, MINIMAL + "bad: [1\n") == [
        "content/site.yaml:9: invalid YAML: did not find expected ',' or ']' (a flow sequence opened on line 8)"
        " | fix the YAML syntax; quote values that contain ':' or start with a special character"]


def test_config_must_be_a_mapping(tmp_path):
    assert _errors(tmp_path, "- title: T\n") == [
        "content/site.yaml:1: the configuration must be a mapping of settings | write it as 'key: value' lines"]


def test_config_must_be_utf8(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.yaml").write_bytes(MINIMAL.replace("Analysis.", "Análisis.").encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    [diagnostic] = info.value.diagnostics
    assert (str(diagnostic.location), diagnostic.message) == (
        "content/site.yaml:2:16", "not UTF-8 text (byte 0xe1 cannot start a character here)")


def test_missing_config_says_where_it_looked(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    [diagnostic] = info.value.diagnostics
    assert str(diagnostic.location) == "content/site.yaml"
    assert "--root" in diagnostic.hint


def test_contact_is_optional_text(tmp_path):
    assert load_config(_write(tmp_path, MINIMAL)).contact == ""
    assert load_config(_write(tmp_path, MINIMAL + "contact: desk@example.org\n")).contact == "desk@example.org"
    assert _errors(tmp_path, MINIMAL + "contact: [a, b]\n") == [
        "content/site.yaml:8: 'contact' must be text, not a list | write it as contact: \"…\" on one line"]


def test_hostile_yaml_is_refused_with_its_line(tmp_path):
    assert _errors(tmp_path, MINIMAL + "subject_terms: &t [a]\nlanguage: en\nlanguage: es\n") == [
        "content/site.yaml:8: anchors and aliases (&x, *x) are not allowed | write the value out in full instead of '&t'"]
    assert _errors(tmp_path, MINIMAL + "language: en\nlanguage: es\n") == [
        "content/site.yaml:9: duplicate key 'language': first on line 8, again on line 9 | keep one of the two"]


def test_start_here_names_an_article_per_edition_and_is_inherited(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL))
    assert config.start_here == "" and config.editions[0].start_here == ""
    languages = ("languages:\n  - code: es\n    title: En español\n    description: Análisis.\n    topics:\n"
                 "      - {slug: economy, name: Economía, description: Dinero.}\n")
    config = load_config(_write(tmp_path, MINIMAL + "start_here: start-here\n" + languages))
    assert [(e.code, e.start_here) for e in config.editions] == [("en", "start-here"), ("es", "start-here")]
    assert config.in_edition("es").start_here == "start-here"  # found there by the translation's key
    config = load_config(_write(tmp_path, MINIMAL + "start_here: start-here\n" + languages
                                + "    start_here: para-empezar\n"))
    assert config.in_edition("es").start_here == "para-empezar"
    assert _errors(tmp_path, MINIMAL + "start_here: [a, b]\n") == [
        "content/site.yaml:8: 'start_here' must be text, not a list | write it as start_here: \"…\" on one line"]


def test_names_and_descriptions_get_typographic_punctuation(tmp_path):
    config = load_config(_write(tmp_path, MINIMAL.replace("Analysis.", "Milei's \"chainsaw\" -- analysed.")))
    assert config.description == "Milei’s “chainsaw” – analysed."
