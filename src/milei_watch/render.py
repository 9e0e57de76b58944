"""The one Jinja2 environment, and rendering planned pages to bytes, in a process pool when many."""

from __future__ import annotations

import gc
import html
import json
import marshal
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup

from . import __version__, dates, feeds, figures, forked, i18n, images, model, output, publish, routes, sharecard
from . import sources, state, theme
from .config import SiteConfig
from .errors import BuildError, Diagnostic, Location, relative
from .plan import JSON_FEED, SHARE_CARD, PageJob

# Below this many pages to render, sharing them with another process costs more than it saves;
# up to PAIR_LIMIT, one forked child shares them (render_pages), beyond, a pool.
POOL_THRESHOLD = 200
PAIR_LIMIT = 2000
# The words Babel formatted (i18n.FORMATTED), in the compiled templates' folder.
WORDS = "words.marshal"
SCHEMA_TYPES = {"analysis": "AnalysisNewsArticle", "news": "NewsArticle", "explainer": "BackgroundNewsArticle",
                "opinion": "OpinionNewsArticle"}


def make_environment(config: SiteConfig, authors: dict[str, Any], pages: tuple[Any, ...] = (),
                     bytecode_dir: Path | None = None, tags: dict[str, str] | None = None,
                     assets: Any = None) -> jinja2.Environment:
    """Site templates with strict undefined variables, autoescaping and the site's filters."""
    try:
        catalogue = i18n.CATALOGUE.format(language=config.language)
        catalogue_folder = theme.folder_with(config, catalogue)
        strings, strings_digest = i18n.load(catalogue_folder, config.language, bytecode_dir)
    except i18n.CatalogueError as exc:
        raise BuildError([Diagnostic(Location(relative(exc.path, config.root)), exc.problem,
                                     "fix the catalogue, or extract it again as README.md shows")]) from None
    if bytecode_dir is not None:
        # Compiled templates hold the catalogue's words (i18n.CompiledStrings): kept per catalogue.
        bytecode_dir = bytecode_dir / strings_digest
        bytecode_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        # the project's templates/ first, then the theme bundled in the package: file by file
        loader=jinja2.FileSystemLoader([str(folder) for folder in theme.folders(config)]),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=[i18n.CompiledStrings],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # Compiled templates kept between builds; Jinja checks each against its source's checksum.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.install_gettext_translations(strings, newstyle=True)  # plurals and strings with variables
    env.compiled_strings = strings
    # An article's kind as readers see it, on every card: a filter, since a macro call costs as much
    # as the rest of the card's label. Translations are the theme's markup, as newstyle gettext has them.
    kind_labels = {"news": Markup(strings.gettext("News")), "explainer": Markup(strings.gettext("Explainer")),
                   "opinion": Markup(strings.gettext("Opinion"))}
    analysis = Markup(strings.gettext("Analysis"))
    base_path = config.base_path

    root_url = config.root_url
    root_path = base_path[: len(base_path) - (len(config.base_url) - len(root_url))]

    def url(path: str) -> str:
        """A path inside this edition (articles/x/) as a link: /es/articles/x/."""
        return base_path + path

    def abs_url(path: str) -> str:
        return config.base_url + path

    def site_url(path: str) -> str:
        """A path under the whole site (static/style.css, es/): the files every edition shares."""
        return root_path + path

    def author_name(slug: str) -> str:
        author = authors.get(slug)
        return author.name if author else slug

    env.filters.update(
        url=url,
        abs_url=abs_url,
        site_url=site_url,
        site_abs_url=lambda path: root_url + path,
        iso=_iso,
        rfc822=dates.rfc822,
        human_date=lambda moment: i18n.human_date(moment, config.locale),
        human_time=lambda moment: i18n.human_time(moment, config.locale),
        tag_name=lambda slug, written="": model.tag_label(slug, written, tags or {}),
        contents=contents,
        notes_heading=notes_heading,
        author_name=author_name,
        absolute_links=lambda body, path: feeds.absolute_links(body, abs_url(path)),
        schema_type=lambda kind: SCHEMA_TYPES.get(kind, "NewsArticle"),
        kind_label=lambda kind: kind_labels.get(kind, analysis),
        topic_name=lambda slug: config.topic(slug).name,
        month_year=lambda year, month: i18n.month_year(year, month, config.locale),
        language_name=i18n.language_name,
        scrollable_tables=scrollable_tables,
        text_as_html=feeds.text_as_html,
        rss_text=feeds.rss_text,
    )

    def author_ld(slug: str) -> dict[str, Any]:
        """The site's own desk is an organisation; any other byline is a person."""
        author = authors.get(slug)
        kind = "Organization" if slug == config.author else "Person"
        if author is None:
            return {"@type": kind, "name": slug}
        return {"@type": kind, "name": author.name, "url": abs_url(routes.author(author.slug))}

    def article_ld(article, body: Body) -> dict[str, Any]:
        """schema.org data for an article page."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": SCHEMA_TYPES.get(article.kind, "NewsArticle"),
            "headline": article.title,
            "description": article.summary or config.description,
            "datePublished": dates.iso(article.date),
            "dateModified": dates.iso(article.modified),
            "inLanguage": config.language,
            "url": abs_url(article.url),
            "mainEntityOfPage": {"@type": "WebPage", "@id": abs_url(article.url)},
            "author": author_ld(article.author),
            "publisher": {"@type": "Organization", "name": config.title, "url": config.base_url,
                          "logo": {"@type": "ImageObject", "url": root_url + "static/favicon.svg"}},
            "articleSection": [config.topic(t).name for t in article.topics],
            "keywords": [model.tag_label(slug, name, tags or {}) for slug, name in zip(article.tags, article.tag_names)],
            "wordCount": body.words,
            "citation": [_citation(ref, strings) for ref in article.sources],
            "image": abs_url(sharecard.OUTPUT),   # the page's og:image
        }
        if article.image is not None and share_image(article.image):
            data["image"] = root_url + share_image(article.image)[0]
        if article.corrections:
            data["correction"] = [
                {"@type": "CorrectionComment", "text": c.text, "datePublished": dates.iso(c.date)}
                for c in article.corrections
            ]
        return data

    def site_ld() -> dict[str, Any]:
        """schema.org data for the home page: the site, and how to search it."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": config.title,
            "description": config.description,
            "url": config.base_url,
            "inLanguage": config.language,
            "publisher": {"@type": "Organization", "name": config.title, "url": config.base_url},
        }
        if config.search:
            data["potentialAction"] = {"@type": "SearchAction",
                                       "target": abs_url("search/") + "?q={search_term_string}",
                                       "query-input": "required name=search_term_string"}
        return data

    registry = assets if assets is not None else figures.assets.Registry()

    def share_image(image) -> tuple[str, int, int] | None:
        """A lead image's share crop (og:image): its path under the site, width and height."""
        return figures.share_image(image, registry)

    def picture(image, sizes: str, lead: bool = False) -> Markup:
        """A lead image as a <picture> (images.picture); nothing when its file is unusable (an error then)."""
        facts = figures.lead_facts(image, registry)
        return Markup(images.picture(facts, image.alt, root_path, sizes, lead=lead) if facts else "")

    env.globals.update(
        picture=picture,
        share_image=share_image,
        # The words come from the template, translated and escaped: the drawing escapes them itself.
        timeline_svg=lambda events, title, description, topic=None: Markup(figures.timeline(
            events, tuple((t.slug, t.name, i) for i, t in enumerate(config.topics)
                          if topic is None or t.slug == topic.slug), url=url,
            day=lambda moment: i18n.human_date(moment, config.locale), locale=config.locale,
            title=Markup(title).unescape(), description=" ".join(Markup(description).unescape().split()))),
        coverage_svg=lambda months, title, description, y_label: Markup(figures.coverage(
            months, tuple((t.name, i) for i, t in enumerate(config.topics)), locale=config.locale,
            title=Markup(title).unescape(), description=" ".join(Markup(description).unescape().split()),
            y_label=Markup(y_label).unescape())),
        site_pages=pages,
        editions=config.editions,
        locales={edition.code: edition.locale for edition in config.editions},  # og:locale:alternate
        edition_of=lambda doc: next((e for e in config.editions if e.code == doc.lang), config.editions[0]),
        routes=routes,  # the one URL scheme, for templates too
        article_ld=article_ld,
        site_ld=site_ld,
        site=config,
        generator=f"milei-watch {__version__}",
        json_ld=lambda data: Markup(json.dumps(data, ensure_ascii=False, sort_keys=True)
                                    .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")),
    )
    return env


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def contents(body: str) -> tuple[tuple[str, str], ...]:
    """The sections of an article body, as (id, heading text), for its table of contents."""
    return tuple((anchor, " ".join(html.unescape(_TAG.sub("", text)).split())) for anchor, text in _H2.findall(str(body)))


_FOOTNOTES = re.compile(r'<div class="footnote">\s*<hr>')


def notes_heading(body: str, label: str) -> Markup:
    """An article body whose footnotes open with a heading of their own (`label`, e.g. Notes) in place
    of Markdown's rule, so that notes read apart from the numbered sources after them."""
    return Markup(_FOOTNOTES.sub(lambda _m: f'<div class="footnote">\n<h2 id="article-notes">{html.escape(label)}</h2>',
                                 str(body), count=1))


_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_TAG = re.compile(r"<[^>]+>")


def scrollable_tables(body: str) -> Markup:
    """Wrap each table of an article body in a labelled region that scrolls sideways on its own and can
    be reached with the keyboard, so that a wide table never makes the whole page scroll."""
    def wrap(match: re.Match) -> str:
        headers = [" ".join(html.unescape(_TAG.sub("", cell)).split()) for cell in _HEADER_CELL.findall(match[0])]
        label = "Table: " + ", ".join(h for h in headers if h) if any(headers) else "Table"
        return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{html.escape(label)}">'
                f"{match[0]}</div>")

    return Markup(_TABLE.sub(wrap, str(body)))


def _citation(ref, strings) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "CreativeWork", "publisher": {"@type": "Organization", "name": ref.publisher}}
    if ref.title:
        item["name"] = ref.title
    if ref.url:
        item["url"] = ref.url
    if ref.date:
        item["datePublished"] = ref.date.isoformat()
    if ref.via:  # seen only as cited by another source: say so, rather than present it as consulted
        item["description"] = strings.gettext("Cited in %(via)s; not consulted directly.") % {"via": ref.via}
    return item


def _iso(moment: Any) -> str:
    """ISO 8601 of a date; text is taken as already written so (the sitemaps' dates are planned as text)."""
    return moment if isinstance(moment, str) else dates.iso(moment)


def render_job(env: jinja2.Environment, config: SiteConfig, job: PageJob, bodies: dict[str, str]) -> bytes:
    """Render one page to bytes; a template error names the template, its line and the page."""
    # Templates see the page's path inside its edition, as every link they make is.
    output = job.output[len(config.base_url) - len(config.root_url):]
    context = dict(job.context, bodies=bodies, output=output)
    if job.template == JSON_FEED:
        return feeds.json_feed(config, job.context, bodies, env.filters["author_name"], env.filters["tag_name"])
    if job.template == SHARE_CARD:
        return _share_card(config, job.context)
    try:
        template = env.get_template(job.template)
        text = template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError([_template_diagnostic(config, exc.filename or exc.name or job.template, exc.lineno,
                                               exc.message or str(exc), job)]) from None
    except jinja2.TemplateNotFound as exc:
        raise BuildError([Diagnostic(Location(f"templates/{exc.name}"), f"template '{exc.name}' not found",
                                     f"while rendering site/{job.output}{_from(job)}")]) from None
    except Exception as exc:  # a runtime error inside a template (undefined variable, bad filter input)
        filename, lineno = _template_frame(exc, config)
        raise BuildError([_template_diagnostic(config, filename or job.template, lineno,
                                               f"{type(exc).__name__}: {exc}", job)]) from None
    return text.encode("utf-8")


def _share_card(config: SiteConfig, context: dict[str, Any]) -> bytes:
    """The edition's share card, set in the theme's fonts (the context holds their digests)."""
    fonts = []
    for name, _digest in context["fonts"]:
        path = theme.folder_with(config, name) / name
        fonts.append(path.read_bytes() if path.is_file() else None)
    return sharecard.draw(context["title"], context["description"], context["address"], tuple(fonts))


def _from(job: PageJob) -> str:
    """The source of the one article or page a page shows; nothing for a feed, which embeds many."""
    source = getattr(job.bodies[0], "source", "") if len(job.bodies) == 1 else ""
    return f" from {source}" if source else ""


def _template_diagnostic(config: SiteConfig, filename: str, lineno: int | None, message: str,
                         job: PageJob) -> Diagnostic:
    path = Path(filename)
    shown = relative(path, config.root) if path.is_absolute() else f"templates/{filename}"
    return Diagnostic(Location(shown, lineno or 0), message, f"while rendering site/{job.output}{_from(job)}")


def _template_frame(exc: BaseException, config: SiteConfig) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    templates = tuple(str(folder) for folder in theme.folders(config))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(templates):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


class Body(str):
    """A document's body as HTML, with what is derived from its text. A page sees a body only when
    it embeds it (job.bodies), so that everything taken from the text is covered by the page's key."""

    words: int

    def __new__(cls, html_text: str, words: int) -> "Body":
        body = super().__new__(cls, html_text)
        body.words = words
        return body

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / 220))


@dataclass
class Renderer:
    """Renders pages into the idle tree of the site; inherited by forked workers rather than pickled."""

    config: SiteConfig
    authors: dict
    jobs: list[PageJob]
    pages: tuple                    # the standalone pages, which every footer links
    markup_key: str
    bytecode_dir: Path | None       # the compiled templates' cache, or None to compile afresh
    site: Path | None               # the current site, to tell which pages change for readers
    idle: Path                      # where changed pages go until the swap
    current: dict[str, str]         # output → key of what the site holds
    held: dict[str, str]            # output → key of what the idle tree holds
    texts: dict[str, str] = field(default_factory=dict)  # bodies read while validating, by source
    fresh: bool = False             # render every body rather than look in the HTML cache
    envs: dict = field(default_factory=dict)  # edition (a language, "" the default) → its environment
    tags: dict = field(default_factory=dict)  # tag slug → display name (content/tags.yaml)
    md: Any = None
    last_bodies: tuple = ((), {})   # the documents of the last page rendered, and their bodies
    problems: set = field(default_factory=set)  # the bodies' unsafe addresses, reported once every page is rendered
    assets: Any = None              # assets.Registry of content/images/ and content/data/: figures are drawn
    labels: dict = field(default_factory=dict)  # edition → figures.Labels, the words of its charts
    decoded: Any = None             # images.Decoded: the image whose files are being drawn
    recalled: bool = False          # whether the words of earlier builds were taken (recall_words)

    def body(self, doc) -> Body:
        """The document's body as HTML: from the cache when an intact entry exists (unless fresh)."""
        cache_dir = self.config.cache_dir
        key = sources.hash_bytes(f"{self.markup_key}:{doc.body_digest}".encode())
        if doc.body_assets and self.assets is not None:  # its HTML shows those files: they are part of its key
            key = sources.hash_bytes(f"{key}:{self._figures_key(doc)}".encode())
        if not self.fresh:
            cached = state.read_html(cache_dir, key)
            if cached is not None:
                return Body(*cached)
        text = self.texts.get(doc.source)
        if text is None:
            text = sources.read_body(self.config.root / doc.source)
            if sources.hash_bytes(text.encode("utf-8")) != doc.body_digest:
                raise BuildError([Diagnostic(Location(doc.source), "the file changed while the site was being built",
                                             "build again to include the change")])
        if self.md is None:
            from .markup import Renderer as Markdown
            self.md = Markdown()
        drawn = self._figures(doc)
        (html_text, unsafe), words = self.md.convert(text, drawn), len(text.split())
        if unsafe or (drawn is not None and drawn.problems):  # not cached: reported by every build until fixed
            self.problems.update(self._unsafe_diagnostics(doc, unsafe))
            self.problems.update(self._figure_diagnostics(doc, drawn.problems if drawn is not None else []))
            return Body(html_text, words)
        state.write_html(cache_dir, key, html_text, words)
        return Body(html_text, words)

    def _body_line(self, doc) -> int:
        """The file line where a document's body starts; the file is read again, only for a report."""
        try:
            parsed = sources.parse_source((self.config.root / doc.source).read_bytes(), doc.source, "article")
        except OSError:
            parsed = None
        return parsed.body_line if isinstance(parsed, sources.SourceDoc) else 1

    def _edition_of(self, doc) -> str:
        return "" if doc.lang in ("", self.config.default_language) else doc.lang

    def _labels(self, edition: str) -> figures.Labels:
        """The words of charts in one edition's language, from templates/_graphics.html."""
        labels = self.labels.get(edition)
        if labels is None:
            env = self.environment(edition)
            words = env.get_template("_graphics.html").module
            summary = words.chart_summary(first="{first}", last="{last}", lowest="{lowest}", highest="{highest}")
            labels = self.labels[edition] = figures.Labels(
                html.unescape(str(words.source)), html.unescape(str(words.data)),
                " ".join(html.unescape(str(summary)).split()), env.globals["site"].locale)
        return labels

    def _figures_key(self, doc) -> str:
        """What a body's figures are drawn from besides its text: the files it may show, the words and
        locale of its charts, and where the site's images/ folder is."""
        files = self.assets.files
        shown = tuple(files[rel].digest if rel in files else "" for rel in doc.body_assets)
        return repr((shown, self._labels(self._edition_of(doc)), self._root()))

    def _root(self) -> str:
        """The site's root path ('/', '/milei-watch/'), where images/ is, whatever the edition."""
        base = self.config.base_path
        return base[: len(base) - (len(self.config.base_url) - len(self.config.root_url))]

    def _figures(self, doc) -> figures.BodyFigures | None:
        if self.assets is None:
            return None
        return figures.BodyFigures(doc.source, doc.body_assets, self.assets, self._root(), self._labels(self._edition_of(doc)),
                                   figures.data_read(self.config.root, self.assets))

    def _figure_diagnostics(self, doc, problems: list) -> list[Diagnostic]:
        """Each figure's mistake at its line: in the document, or in the data file it names."""
        if not problems:
            return []
        first = self._body_line(doc)
        return [Diagnostic(Location(p.path, p.line), p.message, (p.hint + "; " if p.hint else "") +
                           f"in a chart of {doc.source}") if p.path else
                Diagnostic(Location(doc.source, first + p.line - 1), p.message, p.hint) for p in problems]

    def _image(self, job: PageJob) -> bytes:
        """One file of an image (images.render), its source read and checked once for all its files."""
        rel, digest = job.context["source"], job.context["digest"]
        if self.decoded is None:
            self.decoded = images.Decoded()
        data = b""
        if self.decoded.digest != digest:
            try:
                data = (self.config.root / rel).read_bytes()
            except OSError as exc:
                raise BuildError([Diagnostic(Location(rel), f"cannot read the image: {exc.strerror}")]) from None
            if sources.hash_bytes(data) != digest:
                raise BuildError([Diagnostic(Location(rel), "the file changed while the site was being built",
                                             "build again to include the change")])
        try:
            return images.render(data, digest, job.context["variant"], self.decoded)
        except (OSError, ValueError, SyntaxError) as exc:
            raise BuildError([Diagnostic(Location(rel), f"the image cannot be decoded: {exc}",
                                         "save it again from an image editor, or replace it")]) from None

    def _unsafe_diagnostics(self, doc, unsafe) -> list[Diagnostic]:
        """Each unsafe address at its line in the file; the body's first line is read again, only now."""
        from .markup import unsafe_diagnostics

        return unsafe_diagnostics(doc.source, self._body_line(doc), unsafe) if unsafe else []

    def environment(self, edition: str) -> jinja2.Environment:
        """The environment of one edition, made when its first page is rendered."""
        env = self.envs.get(edition)
        if env is None:
            config, pages, compiled = self.config, self.pages, self.bytecode_dir
            if edition:
                config = self.config.in_edition(edition)
                pages = tuple(page for page in self.pages if page.lang == edition)
                # Jinja folds filters of constants (`'x' | url`) into the compiled code: never share it.
                compiled = compiled and compiled / edition
            elif len(self.config.editions) > 1:
                pages = tuple(page for page in self.pages if page.lang == self.config.default_language)
            if compiled is not None:
                compiled.mkdir(parents=True, exist_ok=True)
            env = self.envs[edition] = make_environment(config, self.authors, pages, compiled, self.tags, self.assets)
        return env

    def recall_words(self) -> None:
        """Take the words Babel formatted in earlier builds (i18n.FORMATTED), kept beside the compiled
        templates: a build that shows only days, months and times seen before never loads Babel. Once a build."""
        if self.recalled:
            return
        self.recalled = True
        words: dict = {}
        if self.bytecode_dir is not None:
            try:
                words = marshal.loads((self.bytecode_dir / WORDS).read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                pass  # none yet, or damaged: formatted again
        if not (isinstance(words, dict) and all(type(k) is tuple and type(v) is str for k, v in words.items())):
            words = {}
        i18n.keep_formatted(words)  # what this build's words are measured against, kept or not

    def keep_words(self) -> None:
        """Keep the words formatted so far, when this build formatted new ones."""
        words = i18n.words_to_keep() if self.bytecode_dir is not None else None
        if words is not None:
            output.write_atomic(self.bytecode_dir / WORDS, marshal.dumps(words))
            i18n.keep_formatted(words)

    def render(self, index: int) -> bytes:
        job = self.jobs[index]
        if job.template == images.JOB:
            return self._image(job)
        env = self.environment(job.lang)
        # A feed's RSS, Atom and JSON jobs share one tuple of articles: read their bodies once.
        if job.bodies is not self.last_bodies[0]:
            self.last_bodies = (job.bodies, {doc.body_digest: self.body(doc) for doc in job.bodies})
        return render_job(env, env.globals["site"], job, self.last_bodies[1])

    def stage(self, index: int) -> bool:
        """Render a page into the idle tree unless it already holds these bytes; True when readers
        will see a change (the site holds other bytes, or none)."""
        data = self.render(index)
        rel = self.jobs[index].output
        changed = self.site is None or not output.same_bytes(output.target(os.fspath(self.site), rel), data)
        if changed:
            publish.put(self.idle, rel, data)
        elif self.held.get(rel) != self.current.get(rel) or rel not in self.held:
            # The site has these bytes and the idle tree may not: share the site's file, which
            # keeps its modification time for rsync and CDNs.
            publish.link_from(self.site, self.idle, rel, data)
        return changed


_WORKER: Renderer | None = None


def _init_worker(renderer: Renderer) -> None:
    global _WORKER  # the fork start method hands each worker its own copy
    _WORKER = renderer
    gc.freeze()  # the inherited site is long-lived: never traverse it (nor copy its pages to do so)
    gc.enable()  # rendering makes short-lived cycles (Markdown's and Jinja's trees) worth collecting


def _render_in_worker(indices: list[int], renderer: Renderer | None = None,
                      ) -> tuple[list[tuple[int, bool]], list[Diagnostic], dict]:
    """Render some pages in a worker (of the pool, or the forked pair's child): which changed, the
    problems met, and the words Babel formatted that the build does not keep yet (the build keeps
    them, so that later builds need no Babel)."""
    renderer = renderer or _WORKER
    assert renderer is not None
    results = [(index, renderer.stage(index)) for index in indices]
    problems = list(renderer.problems)
    renderer.problems.clear()
    return results, problems, i18n.new_words()


def render_pages(renderer: Renderer, dirty: list[int], workers: int,
                 progress: Callable[[int], None] | None) -> list[int]:
    """Render the dirty pages into the idle tree, sharing them with other processes when there are
    many; returns the indices of the pages readers will see change.

    Up to PAIR_LIMIT pages (the few hundred listing pages an added article shifts), this process
    renders every other one while one forked copy of it renders the rest: no pool to start, feed
    and stop, and no core left waiting. Beyond, a pool of `workers` processes shares them out."""
    changed: list[int] = []
    renderer.recall_words()
    shared = workers > 1 and len(dirty) >= POOL_THRESHOLD and hasattr(os, "fork")
    if shared and len(dirty) <= PAIR_LIMIT:
        changed = _render_paired(renderer, dirty, progress)
    elif shared:
        import multiprocessing  # only a build with many pages to render starts a pool

        chunk = max(8, min(64, len(dirty) // (workers * 8) or 1))
        chunks = [dirty[i:i + chunk] for i in range(0, len(dirty), chunk)]
        with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker,
                                                      initargs=(renderer,)) as pool:
            for results, problems, words in pool.imap_unordered(_render_in_worker, chunks):
                changed.extend(index for index, is_changed in results if is_changed)
                renderer.problems.update(problems)
                i18n.add_words(words)
                if progress:
                    progress(len(results))
    else:
        changed = _render_here(renderer, dirty, progress)
    if renderer.problems:
        raise BuildError(renderer.problems)
    renderer.keep_words()
    return sorted(changed)


def render_while(renderer: Renderer, indices: list[int], busy: Callable[[], bool]) -> tuple[list[int], list[int]]:
    """Render pages here, in order, for as long as `busy()`: while another process finishes work
    the rest of the build waits for, this one renders the dirty pages it knows of. Returns the pages
    rendered, and those of them readers will see change; render_pages does the rest and reports
    what the bodies of all of them showed."""
    renderer.recall_words()
    done: list[int] = []
    changed: list[int] = []
    for index in indices:
        if not busy():
            break
        done.append(index)
        if renderer.stage(index):
            changed.append(index)
    return done, changed


def _render_here(renderer: Renderer, indices: list[int], progress: Callable[[int], None] | None) -> list[int]:
    """Render pages in this process; the indices of those that changed for readers."""
    changed = []
    for index in indices:
        if renderer.stage(index):
            changed.append(index)
        if progress:
            progress(1)
    return changed


def _render_paired(renderer: Renderer, dirty: list[int], progress: Callable[[int], None] | None) -> list[int]:
    """Render every other page here and the rest in a forked child (forked.Forked). A child that
    fails in any way leaves its pages to this process, which reports what it meets rendering them."""
    ours, theirs = dirty[::2], dirty[1::2]
    for edition in {renderer.jobs[index].lang for index in dirty}:
        renderer.environment(edition)  # made once, before the fork, rather than in both processes
    try:
        child = forked.Forked(lambda: _render_in_worker(theirs, renderer), pickled=True)
    except OSError:  # no process to spare: every page is rendered here
        return _render_here(renderer, dirty, progress)
    try:
        changed = _render_here(renderer, ours, progress)
        rest = child.result()
    finally:
        child.reap()
    if rest is None:
        return changed + _render_here(renderer, theirs, progress)
    results, problems, words = rest
    renderer.problems.update(problems)
    i18n.add_words(words)
    if progress:
        progress(len(results))
    return changed + [index for index, is_changed in results if is_changed]
