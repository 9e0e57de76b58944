"""Publishing a draft from the inbox: `milei-watch publish content/inbox/<file>.md`.

A draft becomes an article in one step that either happens whole or not at all: it is checked as
the build would check it, its front matter is edited in place (the `draft:` line goes, the `slug:`
and `date:` lines are set, every other line, comment and quote stays as the editor left it), the
article is written under content/articles/ without replacing any file, and only then is the draft
removed. Any problem is reported before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import dates, model, routes, sources, yamlload
from .config import SiteConfig
from .errors import BuildError, Diagnostic, Location, UsageError, closest, relative

# model.build_site's message for a slug two articles share (_check_unique_slugs)
_SLUG_TAKEN = re.compile(r"slug '[^']*' is already used by ")
# The first line of every draft `milei-watch ingest` writes (ingest/drafts.py, make_draft): text the
# desk has not yet rewritten in its own words, which must not be published as it is.
INGEST_NOTICE = re.compile(r"^\*Ingested from .* by `milei-watch ingest`\. This is a draft:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Published:
    """What `publish` did: the draft it moved, the article it wrote, its address and date."""

    draft: str                      # content/inbox/x.md
    article: Path                   # the new content/articles/<slug>.md
    url: str                        # the article's absolute address once built
    date: dt.datetime
    scheduled: bool                 # dated after now: the build leaves it out until then
    warnings: tuple[Diagnostic, ...]


def publish_draft(config: SiteConfig, draft: Path, *, slug: str | None = None, date: str = "now",
                  now: dt.datetime | None = None) -> Published:
    """Move a draft from content/inbox/ to content/articles/<slug>.md as a published article.

    Raises UsageError for a file that is not a draft in the inbox or a malformed --slug, BuildError for
    a draft that would not build, a slug another article has, or a file in the way; nothing is changed
    then."""
    if date not in ("now", "keep"):
        raise ValueError(f"date must be 'now' or 'keep', not {date!r}")
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    path = _locate(config, draft)
    rel = relative(path, config.root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError([Diagnostic(Location(rel), f"cannot read the draft: {exc.strerror or exc}")]) from None
    parsed = sources.parse_source(raw, rel, "article")
    if isinstance(parsed, Diagnostic):
        raise BuildError([parsed])

    # The whole content folder as the build sees it, the draft as an article: its own mistakes, with its
    # lines, stop the publishing; other files' mistakes are not this command's business.
    authors, _problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, _read_problems, _stamps = sources.read_all(config.root, config.content_dir, {}, 0,
                                                     out_dir=config.output_dir)
    others = [doc for doc in docs if doc.rel != rel]
    site, problems = model.build_site(config, others + [parsed], authors, now=now, drafts=True, future=True)
    # The draft's slug is about to be chosen again, and checked against every other article below.
    errors = [p for p in problems if p.is_error and p.location.path == rel and not _SLUG_TAKEN.match(p.message)]
    body = yamlload.decode(raw).split("\n")[parsed.body_line - 1:]
    if INGEST_NOTICE.search("\n".join(body)):
        errors.append(Diagnostic(Location(rel, parsed.body_line + _notice_line(body)),
                                 "the draft still carries ingest's note: it is the feed's text, not yet the desk's",
                                 "rewrite the story in your own words, check it against the original, and delete "
                                 "the note before publishing"))
    if errors:
        raise BuildError(errors)
    article = next(a for a in site.all_articles if a.source == rel)

    slug = _choose_slug(parsed, path, article, slug)
    moment = now.replace(second=0, microsecond=0) if date == "now" else None
    target = config.content_dir / "articles" / f"{slug}.md"
    target_rel = relative(target, config.root)
    taken = [a.source for a in site.all_articles if a.slug == slug and a.source != rel]
    if target.exists() or target.is_symlink():
        raise BuildError([Diagnostic(Location(target_rel), "the file already exists; nothing was changed",
                                     "pass --slug to publish the draft under another name")])
    if taken:
        raise BuildError([Diagnostic(Location(rel), f"slug '{slug}' is already used by {taken[0]}; nothing was "
                                     "changed", "pass --slug to publish the draft under another one")])

    text = edit_front_matter(yamlload.decode(raw), parsed, slug=slug, date=moment)
    moment = moment or article.date
    published = sources.parse_source(text.encode("utf-8"), target_rel, "article")
    if isinstance(published, Diagnostic):  # a guard: edit_front_matter reads its own output back
        raise BuildError([published])
    site, _problems = model.build_site(config, others + [published], authors, now=now, drafts=True, future=True)
    from .check import editorial_warnings  # the same warnings `check` gives, for this article alone

    warnings = editorial_warnings(config, site, others + [published], only=target_rel)
    _move(path, target, text)
    edition = config.in_edition(article.lang) if article.lang else config
    return Published(rel, target, edition.base_url + routes.article(slug), moment, moment > now,
                     tuple(sorted(warnings)))


def _locate(config: SiteConfig, draft: Path) -> Path:
    """The draft's file, which must be a Markdown file directly in content/inbox/."""
    inbox = config.content_dir / "inbox"
    candidates = [draft] if draft.is_absolute() else [Path.cwd() / draft, config.root / draft]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        known = sorted(p.name for p in inbox.glob("*.md")) if inbox.is_dir() else []
        close = closest(draft.name, known)
        hint = f"did you mean content/inbox/{close}?" if close else \
            ("the drafts are: " + ", ".join(f"content/inbox/{name}" for name in known[:5])
             + (" …" if len(known) > 5 else "") if known else "content/inbox/ holds no drafts")
        raise UsageError([Diagnostic(Location(str(draft)), "no such draft", hint)])
    if inbox.resolve() not in path.resolve().parents or path.suffix != ".md":
        shown = relative(path, config.root)
        hint = ("an article in content/articles/ is published by deleting its 'draft: true' line"
                if path.resolve().parent == (config.content_dir / "articles").resolve()
                else "move the file into content/inbox/ first, or give the path of a draft there")
        raise UsageError([Diagnostic(Location(shown), "not a draft in the inbox: publish moves a Markdown file "
                                     "from content/inbox/ to content/articles/", hint)])
    return path


def _choose_slug(doc: sources.SourceDoc, path: Path, article: model.Article, slug: str | None) -> str:
    """--slug; else the draft's own `slug:` when an editor set it; else one from the title.

    Ingest names each draft's slug after its file (date included, so that two feeds carrying one
    headline cannot clash); that one is a file name, not an address readers should keep."""
    if slug is not None:
        if not routes.is_slug(slug):
            raise UsageError([Diagnostic(Location("--slug"), f"slug '{slug}' may only contain lowercase letters, "
                                         "digits and hyphens", f"use '{routes.slugify(slug) or 'a-plain-slug'}'")])
        return slug
    written = doc.meta.get("slug")
    if isinstance(written, str) and written and written != path.stem:
        return article.slug
    title = routes.slugify(str(doc.meta.get("title", "")))
    if not title:
        raise BuildError([Diagnostic(Location(doc.rel, doc.line(("title",))), "the title gives an empty slug",
                                     "pass --slug with letters, digits and hyphens")])
    return title


def edit_front_matter(text: str, doc: sources.SourceDoc, *, slug: str, date: dt.datetime | None) -> str:
    """`text` (a whole draft file) with its `draft:` line removed and its `slug:` and `date:` (unless
    None) set, every other line as it was. Falls back to writing the front matter afresh (formatting lost,
    values kept) in the one case a minimal edit would not read back as intended."""
    lines = text.split("\n")
    end = doc.body_line - 2                         # index of the closing '---'
    spans = _top_level_spans(lines, doc, end)
    replaced: dict[int, list[str]] = {}             # first line index → its new lines
    removed: set[int] = set()

    def set_key(key: str, value: Any, after: str) -> None:
        line = f"{key}: {_scalar(value)}"
        if key in spans:
            start, stop = spans[key]
            replaced[start] = [line]
            removed.update(range(start + 1, stop))
        else:  # a new line just after `after`'s value (the title), else first
            start, stop = spans.get(after, (0, 1))
            replaced[stop - 1] = replaced.get(stop - 1, [lines[stop - 1]]) + [line]

    if "draft" in spans:
        start, stop = spans["draft"]
        removed.update(range(start, stop))
    set_key("slug", slug, "title")
    if date is not None:
        set_key("date", date, "slug" if "slug" in spans else "title")
    edited = []
    for index, line in enumerate(lines):
        if index in replaced:
            edited.extend(replaced[index])
        elif index not in removed:
            edited.append(line)
    result = "\n".join(edited)
    expected = {key: value for key, value in doc.meta.items() if key != "draft"}
    expected["slug"] = slug
    if date is not None:
        expected["date"] = date
    if _reads_as(result, expected, doc.rel):
        return result
    ordered = {key: expected[key] for key in doc.meta if key != "draft"} | \
        {key: expected[key] for key in ("slug", "date") if key in expected}
    return yamlload.dump_front_matter(ordered, flow_lists=False) + "\n".join(lines[end + 1:])


def _top_level_spans(lines: list[str], doc: sources.SourceDoc, end: int) -> dict[str, tuple[int, int]]:
    """Each top-level key's lines as (first index, index after its last line): its own line and the
    indented or list lines below it; a comment or the next key ends it."""
    spans = {}
    for path, number in doc.lines.items():
        if len(path) != 1 or not isinstance(path[0], str):
            continue
        start = number - 1
        if not 0 < start < end or not lines[start].startswith(path[0]):
            continue  # a key not written at the start of its line: leave it to the fallback
        stop = start + 1
        while stop < end and (lines[stop].startswith((" ", "\t", "- ")) or lines[stop] == "-"):
            stop += 1
        spans[path[0]] = (start, stop)
    return spans


def _scalar(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value if routes.is_slug(value) else yamlload.quote(value)


def _reads_as(text: str, expected: dict[str, Any], rel: str) -> bool:
    parsed = sources.parse_source(text.encode("utf-8"), rel, "article")
    if isinstance(parsed, Diagnostic) or parsed.meta.keys() != expected.keys():
        return False
    for key, value in expected.items():
        found = parsed.meta[key]
        if key == "date" and isinstance(value, dt.datetime):
            if dates.to_datetime(found, dt.timezone.utc) != value:
                return False
        elif found != value:
            return False
    return True


def _notice_line(body: list[str]) -> int:
    return next((i for i, line in enumerate(body) if INGEST_NOTICE.match(line)), 0)


def _move(draft: Path, target: Path, text: str) -> None:
    """Write the article under a name nothing has (never replacing a file), then remove the draft;
    if the draft cannot be removed, the article goes again, so that nothing has changed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.publishing")
    with staged.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    try:
        os.link(staged, target)  # fails if the name was taken meanwhile: never an overwrite
    except FileExistsError:
        raise BuildError([Diagnostic(Location(target.name), "the file already exists; nothing was changed",
                                     "pass --slug to publish the draft under another name")]) from None
    finally:
        staged.unlink()
    try:
        draft.unlink()
    except OSError:
        target.unlink()
        raise
