"""New article files for `milei-watch new`: front matter an editor fills in, never overwriting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from . import routes, yamlload
from .config import SiteConfig

BODY_PLACEHOLDER = "Write the article here, in Markdown.\n"


class UnknownTopic(Exception):
    """A topic asked for on the command line that the site does not define."""

    def __init__(self, name: str, known: tuple[str, ...]):
        super().__init__(f"unknown topic '{name}'; valid topics: {', '.join(known)}")


class EmptySlug(Exception):
    """A title with no letters or digits to make a file name from."""


def article_text(config: SiteConfig, title: str, topics: Sequence[str], tags: Sequence[str], draft: bool,
                 today: dt.date) -> str:
    """The new file's contents: YAML front matter dumped safely (quotes and colons in titles survive), then a body."""
    meta: dict[str, object] = {"title": title, "date": today, "topics": list(topics)}
    if tags:
        meta["tags"] = list(tags)
    meta["summary"] = ""  # to fill in: the build accepts it empty and `check` warns until it is written
    meta["author"] = config.author
    if draft:
        meta["draft"] = True
    return yamlload.dump_front_matter(meta, flow_lists=True) + BODY_PLACEHOLDER


def new_article(config: SiteConfig, title: str, topics: Sequence[str], *, tags: Sequence[str] = (), draft: bool = False,
                slug: str | None = None, now: dt.datetime | None = None) -> Path:
    """Write content/articles/<slug>.md and return its path; raise FileExistsError rather than overwrite."""
    for name in topics:
        if name not in config.topic_slugs:
            raise UnknownTopic(name, config.topic_slugs)
    slug = slug or routes.slugify(title)
    if not routes.is_slug(slug):
        raise EmptySlug(f"cannot make a file name from {slug or title!r}; pass --slug with letters, digits and hyphens")
    today = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz).date()
    text = article_text(config, title.strip(), tuple(dict.fromkeys(topics)), tuple(dict.fromkeys(tags)), draft, today)
    path = config.content_dir / "articles" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": fail, never clobber
        handle.write(text)
    return path
