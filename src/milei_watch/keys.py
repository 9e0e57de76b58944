"""Page keys: one canonical form of everything a page's bytes depend on, hashed.

A page is rendered from its template, the site-wide inputs (settings, theme, bylines, generator)
and its context. Its key is derived from all three, so that a page whose key is unchanged cannot
be stale: nothing is declared by hand beside the context.

Articles and pages appear in contexts by their front-matter digest: every field a template can
read from them is derived from their front matter and the settings, except the bytes of an
article's lead image, which its form adds by content digest. Their bodies reach a page only
through the `bodies` the page embeds (job.bodies), which the key covers by body digest, with the
digest of every image and data file each body may show (its body_assets).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
from typing import Any, Callable, Sequence

from . import forked, images, sharecard
from .assets import lead_image
from .model import Article, Page
from .plan import JSON_FEED, SHARE_CARD, TEMPLATES, PageJob, Versions


def _document(value: Article | Page) -> tuple:
    return ("doc", value.meta_digest)


def _moment(value: dt.date) -> tuple:
    return ("time", value.isoformat(), str(getattr(value, "tzinfo", None) or ""))


_PLAIN = (str, int, float, bool, type(None))
_RULES: dict[type, Callable[[Any], Any]] = {Article: _document, Page: _document,
                                           dt.datetime: _moment, dt.date: _moment}
_FIELDS: dict[type, tuple[str, ...]] = {}


class Canonicaliser:
    """Turns page contexts into values made only of plain Python literals that are equal for
    contexts that render alike. One instance serves a whole build: the values many pages share
    (feed links, topics, bylines) are converted once."""

    def __init__(self, assets: dict[str, str] | None = None) -> None:
        self._seen: dict[int, Any] = {}  # id of a shared container or record → its canonical form
        self._assets = assets or {}      # content digest of each file of content/images/ and content/data/
        self._docs: dict[int, tuple] = {}  # id of an article → its canonical form (the site keeps it alive)

    def _article(self, value: Article) -> tuple:
        """An article by its front matter, and by the bytes of its lead image when it has one."""
        known = self._docs.get(id(value))
        return self._new_article(value) if known is None else known

    def _new_article(self, value: Article) -> tuple:
        """The form of an article not met before in this build, kept for its next mention."""
        if value.image is None:
            known = ("doc", value.meta_digest)
        else:
            known = ("doc", value.meta_digest, self._assets.get(lead_image(value.image.src) or "", ""))
        self._docs[id(value)] = known
        return known

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is Article:
            return self._article(value)
        if kind is dict:  # a page's own context, in insertion order, which the planner fixes
            return ("dict", tuple(value), self._items(value.values()))
        rule = _RULES.get(kind)
        if rule is not None:
            return rule(value)
        known = self._seen.get(id(value))
        if known is not None:
            return known[1]
        if kind is tuple or kind is list:
            result: Any = self._items(value)
        elif kind is Versions:  # plain pairs, shared by a page's versions and their sitemap entries
            result = ("versions", digest(tuple(value)))
        elif kind is frozenset or kind is set:
            result = ("set", tuple(sorted(map(self, value), key=repr)))
        elif kind in _FIELDS or hasattr(kind, "_fields") or dataclasses.is_dataclass(value):  # a record
            names = _FIELDS.get(kind)
            if names is None:  # a named tuple's fields, else a dataclass's
                names = getattr(kind, "_fields", None)
                if names is None:
                    names = tuple(f.name for f in dataclasses.fields(value))
                _FIELDS[kind] = names
            # A record (a byline, a topic, a feed link) is often shared by thousands of pages: it
            # stands in their keys by the digest of its fields, so each is written out only once.
            result = (kind.__name__, digest(*(self(getattr(value, name)) for name in names)))
        elif isinstance(value, _PLAIN):  # str or int subclasses such as Markup
            result = (kind.__name__, str(value))
        else:
            raise TypeError(f"no canonical form for {kind.__name__} in a page context")
        self._seen[id(value)] = (value, result)  # the value is kept so that its id is never reused
        return result

    def _items(self, values: Any) -> tuple:
        # The commonest items (articles, plain values and tuples) are handled here rather than by a
        # call each: a site of ten thousand articles has hundreds of thousands of them in its contexts.
        docs = self._docs
        seen = self._seen
        out = []
        for item in values:
            kind = type(item)
            if kind in _PLAIN:
                out.append(item)
            elif kind is Article:
                out.append(docs.get(id(item)) or self._new_article(item))
            elif kind is tuple:  # related articles, tags, feed links, alternates: each converted once
                known = seen.get(id(item))
                if known is None:
                    known = seen[id(item)] = (item, self._items(item))
                out.append(known[1])
            else:
                out.append(self(item))
        return tuple(out)


def digest(*parts: Any) -> str:
    """A short stable hash of plain values (as a Canonicaliser returns them).

    The values are serialised by `marshal` in its version 2, which writes every object out in full
    (later versions refer back to objects seen twice, by identity, so equal values could differ
    in bytes): it tells str, int, float, bool and None apart, and is four times faster than repr."""
    return _hash(marshal.dumps(parts, 2))


def context_key(template: str, edition: str, context: dict[str, Any], canonicalise: Canonicaliser) -> str:
    """What the planner gave the page: equal for equal jobs, whatever the theme and settings, so that a
    stored job stays usable across a template edit. The edition (a language) renders the same context
    with its own strings, dates and addresses."""
    return digest(template, edition, canonicalise(context))


def site_keys(site_key: str, templates: dict[str, tuple[str, tuple[str, ...] | None]]) -> dict[str, str]:
    """The site-wide part of the key of a page of each template (`inputs.Survey.templates`): `site_key`
    (settings, bylines, generator, the footer's pages) with the digest of every template file the page
    can be drawn from. That is every file of the theme except the page templates (plan.TEMPLATES) its
    own template does not reach by {% extends %}, {% include %}, {% import %} or {% from %} of a
    literal name, followed through: editing article.html renders the article pages again and no
    other, editing base.html every page. The JSON Feed, drawn by code, reaches no page template. A
    template that names another by an expression takes every file, as does any other name (key `""`)."""
    every = digest(site_key, sorted(templates.items()))
    keys = {"": every}
    for name in TEMPLATES | {JSON_FEED}:
        reached, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current in reached:
                continue
            reached.add(current)
            refs = templates.get(current, ("", ()))[1]
            if refs is None:
                break
            pending.extend(refs)
        else:
            keys[name] = digest(site_key, sorted(item for item in templates.items()
                                                 if item[0] in reached or item[0] not in TEMPLATES))
            continue
        keys[name] = every
    return keys


def page_key(site_key: str, context_key: str, bodies: tuple[Article | Page, ...],
             assets: dict[str, str] | None = None) -> str:
    """The page's key: what a page of its template may show (its part of `site_keys`: settings,
    bylines, generator, the templates it is drawn from), its context key, and the exact bodies it
    embeds, with the images and data each body may show (by the content digests in `assets`)."""
    shown = tuple(doc.body_digest for doc in bodies)
    files = tuple(assets.get(rel, "") for doc in bodies for rel in doc.body_assets) if assets is not None else ()
    if any(doc.body_assets for doc in bodies):
        return digest(site_key, context_key, shown, files)
    return digest(site_key, context_key, shown)


def job_key(job: PageJob, site_keys: dict[str, str], context_key: str, assets: dict[str, str]) -> str:
    """The key of any planned output: a page's (`page_key`, with its template's part of `site_keys`);
    an image file's, by its source's bytes and the encoder (`images.output_key`); the share card's, by
    its drawing code and context (`sharecard.output_key`). Neither of the last two is drawn from a template."""
    if job.template == images.JOB:
        return images.output_key(job.output)
    if job.template == SHARE_CARD:
        return sharecard.output_key(context_key)
    return page_key(site_keys.get(job.template) or site_keys[""], context_key, job.bodies, assets)


# Below this many jobs, keying them all here is quicker than starting a second process for half.
FORK_THRESHOLD = 4000


def key_jobs(jobs: Sequence[PageJob], site_keys: dict[str, str], assets: dict[str, str],
             workers: int = 1, elsewhere: frozenset[str] = frozenset()) -> tuple[list[str | None], list[str | None]]:
    """The context key and the key (`job_key`) of every planned job, in order.

    The jobs of the templates `elsewhere` are left for another process to key (`keyed`, from the
    same site: plan.shared_pages): their keys are None until `take` puts that process's in. Else,
    with two workers or more and many jobs, a forked child keys every other job while this process
    keys the rest (forked.interleaved): canonicalising fifteen thousand contexts is a fifth of a
    small rebuild of a large site, and it is pure. A context with no canonical form is reported
    here as it would be without a child."""
    if elsewhere:
        mine = [i for i, job in enumerate(jobs) if job.template not in elsewhere]
        contexts: list[str | None] = [None] * len(jobs)
        page_keys: list[str | None] = [None] * len(jobs)
        for i, context, key in zip(mine, *_key_range([jobs[i] for i in mine], site_keys, assets)):
            contexts[i], page_keys[i] = context, key
        return contexts, page_keys
    if workers < 2 or len(jobs) < FORK_THRESHOLD or not hasattr(os, "fork"):
        return _key_range(jobs, site_keys, assets)

    def key(part: Sequence[PageJob]) -> list[tuple[str, str]]:
        return list(zip(*_key_range(part, site_keys, assets)))

    pairs = forked.interleaved(key, jobs)
    return [context for context, _key in pairs], [page for _context, page in pairs]


def take(jobs: Sequence[PageJob], contexts: list, page_keys: list, known: dict[str, tuple[str, str]],
         site_keys: dict[str, str], assets: dict[str, str]) -> None:
    """Fill in the keys `key_jobs(elsewhere=...)` left out, from another process's (`keyed`) by
    output; a job they lack is keyed here."""
    left = [i for i, key in enumerate(page_keys) if key is None]
    for i in left:
        pair = known.get(jobs[i].output)
        if pair is not None:
            contexts[i], page_keys[i] = pair
    lacking = [i for i in left if page_keys[i] is None]  # never expected: keyed here rather than trusted alike
    for i, context, key in zip(lacking, *_key_range([jobs[i] for i in lacking], site_keys, assets)):
        contexts[i], page_keys[i] = context, key


def keyed(jobs: Sequence[PageJob], site_keys: dict[str, str], assets: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each job's context key and key by its output, for `take` in another process."""
    return {job.output: pair for job, pair in zip(jobs, zip(*_key_range(jobs, site_keys, assets)))}


def _key_range(jobs: Sequence[PageJob], site_keys: dict[str, str], assets: dict[str, str]
               ) -> tuple[list[str], list[str]]:
    """`context_key` and `job_key` of each job, as those compute them, with their calls folded into one
    loop for the commonest jobs (a page's own dict, no body or one showing no files): this loop runs
    fifteen thousand times in a rebuild of a large site, and the calls cost a third of it."""
    canonicalise = Canonicaliser(assets)
    items = canonicalise._items
    contexts: list[str] = []
    out: list[str] = []
    for job in jobs:
        template, context, bodies = job.template, job.context, job.bodies
        if type(context) is not dict:
            key = context_key(template, job.lang, context, canonicalise)
        else:  # as context_key: the dict's form as Canonicaliser.__call__ gives it
            key = _hash(marshal.dumps((template, job.lang, ("dict", tuple(context), items(context.values()))), 2))
        contexts.append(key)
        if template == images.JOB or template == SHARE_CARD or len(bodies) > 1 or (
                bodies and bodies[0].body_assets):
            out.append(job_key(job, site_keys, key, assets))
        else:  # as page_key, for no body or one showing no image or data file
            part = site_keys.get(template) or site_keys[""]
            out.append(_hash(marshal.dumps((part, key, (bodies[0].body_digest,) if bodies else ()), 2)))
    return contexts, out


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
