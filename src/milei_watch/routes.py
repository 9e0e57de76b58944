"""Slugs and the one URL and output-path scheme of the site."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Apostrophes join a word ("Milei's" → "mileis"); letters that NFKD does not split into base + accent
# are spelt out, so names such as Straße or Łukasz keep all their letters.
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                          "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
                          "ı": "i"})


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: accents folded ('año' → 'ano', 'Peña' → 'pena'), lowercase, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).translate(_LETTERS))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


# Every URL below is relative to the site root, without a leading slash; a
# directory URL ends with '/' and is written as <url>index.html.

def article(slug: str) -> str:
    return f"articles/{slug}/"


def page(slug: str) -> str:
    return f"{slug}/"


def topic(slug: str, number: int = 1) -> str:
    return f"topics/{slug}/" if number == 1 else f"topics/{slug}/page/{number}/"


def topic_feed(slug: str, name: str = "feed.xml") -> str:
    return f"topics/{slug}/{name}"


def topic_timeline(slug: str) -> str:
    return f"topics/{slug}/timeline/"


def tag(slug: str, number: int = 1) -> str:
    return f"tags/{slug}/" if number == 1 else f"tags/{slug}/page/{number}/"


def tags_index() -> str:
    return "tags/"


def author(slug: str, number: int = 1) -> str:
    return f"authors/{slug}/" if number == 1 else f"authors/{slug}/page/{number}/"


def author_feed(slug: str) -> str:
    return f"authors/{slug}/feed.xml"


def archive() -> str:
    return "archive/"


def archive_year(year: int) -> str:
    return f"archive/{year:04d}/"


def archive_month(year: int, month: int) -> str:
    return f"archive/{year:04d}/{month:02d}/"


def output_path(url: str) -> str:
    """The file under site/ that serves `url`."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def inside(path: str, base_path: str) -> str | None:
    """The part of a root-relative address inside the site ('/sub/a/' under '/sub/' → 'a/'), or
    None when it is outside the base path; the base path without its slash ('/sub') is the root."""
    if not (path + "/").startswith(base_path):
        return None
    return path[len(base_path):]
