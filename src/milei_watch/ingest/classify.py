"""Story relevance and topics: whole-word keyword matching, blind to case and accents."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..config import SiteConfig

# Used when site.yaml lists no subject terms, so an empty list never floods the inbox.
DEFAULT_SUBJECT = ("Milei", "Argentina")


@dataclass(frozen=True, slots=True)
class Classifier:
    """A site's subject terms and topic keywords, compiled once per run."""

    subject: tuple[re.Pattern[str], ...]
    topics: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]


def fold(text: str) -> str:
    """Text for matching: accents removed, case folded, whitespace collapsed ('Inflación' → 'inflacion')."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def compile_term(term: str) -> re.Pattern[str]:
    """A pattern matching `term` as whole words; the words of a phrase may be split by any whitespace."""
    words = fold(term).split()
    phrase = r"\s+".join(re.escape(word) for word in words)
    # Lookarounds instead of \b: \b fails next to punctuation in terms such as "EE.UU."
    return re.compile(rf"(?<!\w){phrase}(?!\w)")


def make_classifier(config: SiteConfig) -> Classifier:
    """Compile the subject terms and every topic's keywords of a site."""
    subject = tuple(compile_term(t) for t in (config.subject_terms or DEFAULT_SUBJECT) if t.strip())
    topics = tuple(
        (topic.slug, tuple(compile_term(k) for k in topic.keywords if k.strip()))
        for topic in config.topics
    )
    return Classifier(subject, topics)


def mentions(patterns: tuple[re.Pattern[str], ...], folded: str) -> bool:
    """Whether any pattern occurs in already folded text."""
    return any(pattern.search(folded) for pattern in patterns)


def classify(classifier: Classifier, text: str, default_topics: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The topics of a story in site order; () when it is off-subject, or matches no topic and has no defaults."""
    folded = fold(text)
    if not mentions(classifier.subject, folded):
        return ()
    matched = tuple(slug for slug, patterns in classifier.topics if mentions(patterns, folded))
    return matched or default_topics
