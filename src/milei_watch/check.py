"""Content validation: content, config and templates as the build sees them, plus editorial warnings; writes nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from . import model, output, routes, sources, theme
from .config import FEEDS_FILE, STATE_FILE, SiteConfig
from .errors import BuildError, ConfigError, Diagnostic, Location, closest
from .sitecheck import check_site

SUMMARY_LIMIT = 300


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every problem found, and what was looked at, for the summary line."""

    diagnostics: tuple[Diagnostic, ...]
    articles: int                   # every article file (and inbox draft), readable or not
    pages: int
    site_files: int | None = None
    broken_articles: int = 0        # articles with at least one error
    broken_pages: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        """Warnings only: a note (an article not yet translated) is for information."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def notes(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "note")

    def summary(self) -> str:
        """The one line that ends a check: what was looked at, then the counts."""
        checked = f"checked {_count(self.articles, 'article')}"
        if self.broken_articles:
            checked += f" ({self.broken_articles} with errors)"
        checked += f" and {_count(self.pages, 'page')}"
        if self.broken_pages:
            checked += f" ({self.broken_pages} with errors)"
        if self.site_files is not None:
            checked += f" and {self.site_files} built files"
        counts = f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"
        if self.notes:
            counts += f", {_count(self.notes, 'note')}"
        return f"{checked}: {counts}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


@dataclass(frozen=True, slots=True)
class Checked:
    """What `validate` found: the problems, and how many articles and pages it looked at."""

    problems: list[Diagnostic]
    articles: int
    pages: int
    broken_articles: int
    broken_pages: int


def check(config: SiteConfig, *, site: bool = False, now: dt.datetime | None = None) -> CheckReport:
    """Validate content and templates, and with `site` the built output folder; reads only, writes nothing."""
    found = validate(config, now=now)
    problems = found.problems
    files = None
    if site:
        site_problems, files = check_site(config)
        problems += site_problems
    return CheckReport(tuple(sorted(problems)), found.articles, found.pages, files, found.broken_articles,
                       found.broken_pages)


def validate(config: SiteConfig, *, now: dt.datetime | None = None) -> Checked:
    """Every error the build would stop on, plus editorial warnings; with an empty cache so nothing is written.

    Every article file counts, and one with errors is counted as such: its tags still count for the
    others' warnings, so that one broken file does not make the others' tags look unused."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    authors, problems, _ = model.load_authors(model.read_authors_file(config))
    problems += model.load_tags(model.read_tags_file(config))[1]
    texts: dict[str, str] = {}
    try:
        scanned = sources.scan(config.content_dir, root=config.root, out_dir=config.output_dir)
        docs, read_problems, _ = sources.read_all(config.root, config.content_dir, {}, 0, scanned,
                                                  out_dir=config.output_dir, bodies=texts)
    except BuildError as exc:  # a refused symlink: the build stops before reading anything, so does check
        scanned, docs, read_problems = [], [], list(exc.diagnostics)
    problems += read_problems
    # Drafts and scheduled articles are validated as well: they will be published one day.
    site, model_problems = model.build_site(config, docs, authors, now=now, drafts=True, future=True)
    problems += model_problems
    problems += _unsafe_links(docs, texts)
    problems += _template_problems(config)
    problems += editorial_warnings(config, site, docs)
    problems += model.start_here_warnings(site.all_articles, config)
    problems += _ingest_problems(config)
    prefix = config.content_dir.relative_to(config.root).as_posix() + "/"
    kinds = {prefix + shown: kind for _path, shown, kind, _stamp in scanned}
    broken = {p.location.path for p in problems if p.is_error and p.location.path in kinds}
    articles = [rel for rel, kind in kinds.items() if kind != "page"]
    pages = [rel for rel, kind in kinds.items() if kind == "page"]
    return Checked(problems, len(articles), len(pages), len(broken.intersection(articles)),
                   len(broken.intersection(pages)))


def _unsafe_links(docs: list[sources.SourceDoc], texts: dict[str, str]) -> list[Diagnostic]:
    """Every link or image address in a body that the build would refuse, at its line and column:
    each body is converted in memory, as the build converts it."""
    if not docs:
        return []
    from .markup import Renderer, unsafe_diagnostics  # Markdown and nh3 only when there are bodies

    markdown = Renderer()
    problems: list[Diagnostic] = []
    for doc in docs:
        text = texts.get(doc.rel)
        if text:
            problems += unsafe_diagnostics(doc.rel, doc.body_line, markdown.convert(text)[1])
    return problems


def _ingest_problems(config: SiteConfig) -> list[Diagnostic]:
    """What `ingest` would stop on in content/feeds.yaml and content/ingest-state.json, when they exist."""
    present = [path for path in (FEEDS_FILE, STATE_FILE) if (config.root / path).exists()]
    if not present:
        return []
    # feedparser and nh3 (loaded with the ingest package) only for projects that ingest
    from .ingest.feedlist import load_feeds
    from .ingest.seen import load_state

    problems: list[Diagnostic] = []
    for path in present:
        try:
            (load_feeds if path == FEEDS_FILE else load_state)(config)
        except (ConfigError, BuildError) as exc:
            problems += exc.diagnostics
    return problems


def _template_problems(config: SiteConfig) -> list[Diagnostic]:
    """Compile every template in memory: syntax errors, with their line, without rendering a page;
    and every symlink in templates/ the build would refuse."""
    import jinja2

    from .inputs import template_files
    from .render import make_environment

    problems = []
    try:
        output.static_files(config.static_dir, root=config.root, out_dir=config.output_dir)
    except BuildError as exc:  # a refused symlink in templates/static/
        problems += exc.diagnostics
    try:
        files = template_files(config)
    except BuildError as exc:
        return problems + list(exc.diagnostics)
    env = make_environment(config, {})
    for rel, path in files:
        # a mistake in the bundled theme is named by its file in the package, fixed by a copy in templates/
        where, fix = (str(path), f"copy it with 'milei-watch theme copy {rel}' and fix the copy") \
            if theme.is_bundled(config, path) else (f"templates/{rel}", "fix the template syntax")
        try:
            env.get_template(rel)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Diagnostic(Location(where, exc.lineno or 0), exc.message or str(exc), fix))
        except UnicodeDecodeError:
            problems.append(Diagnostic(Location(where), "not UTF-8 text", "save it as UTF-8"))
    return problems


def editorial_warnings(config: SiteConfig, site: model.Site, docs: list[sources.SourceDoc],
                       only: str | None = None) -> list[Diagnostic]:
    """Likely mistakes that still build, in the editors' own articles (not ingest's inbox); with
    `only`, in that article alone (`publish`)."""
    by_rel = {doc.rel: doc for doc in docs}
    articles = [a for a in site.all_articles if by_rel[a.source].kind == "article" and only in (None, a.source)]
    warnings: list[Diagnostic] = []
    line_tables: dict[str, dict] = {}  # the key lines of files parsed again (model.key_line)

    def warn(article: model.Article, path: tuple, message: str, hint: str = "") -> None:
        line = model.key_line(by_rel[article.source], config.root, path, line_tables)
        warnings.append(Diagnostic(Location(article.source, line), message, hint, severity="warning"))

    for article in articles:
        if not article.sources:
            warn(article, (), "the article cites no sources",
                 "add a 'sources:' list, e.g. '- publisher: Reuters' with a title and url")
        if not article.summary or article.summary.upper().startswith("TODO"):
            warn(article, ("summary",), "the summary is empty" if not article.summary else
                 "the summary is still a placeholder",
                 "write one or two sentences saying what the article argues: listings, feeds and search show it")
        elif len(article.summary) > SUMMARY_LIMIT:
            warn(article, ("summary",),
                 f"the summary is {len(article.summary)} characters long; keep it under {SUMMARY_LIMIT}",
                 "listings, feeds and search results show it in full")
        start_of_day = article.date.replace(hour=0, minute=0, second=0, microsecond=0)
        if article.updated is not None and article.updated < start_of_day:
            warn(article, ("updated",),
                 f"'updated' ({article.updated.date()}) is before 'date' ({article.date.date()})",
                 "an update can only follow publication; check the year and month")

    # Every article file's tags count, as written, those of an article with errors too.
    uses: Counter[str] = Counter()
    names: dict[str, str] = {}
    for doc in docs:
        if doc.kind == "article":
            written = {routes.slugify(str(name)): str(name) for name in _tag_list(doc.meta.get("tags"))}
            written.pop("", None)
            uses.update(written.keys())
            for tag, name in written.items():
                names.setdefault(tag, name)
    for article in articles:
        for index, name in enumerate(_tag_list(by_rel[article.source].meta.get("tags"))):
            tag = routes.slugify(str(name))
            if uses.get(tag) != 1:
                continue
            others = [names[t] for t in uses if t != tag]
            close = closest(str(name), others, cutoff=0.7)
            hint = f"did you mean '{close}'?" if close else "a tag groups articles; reuse an existing one if it fits"
            where = ("tags", index) if isinstance(by_rel[article.source].meta.get("tags"), list) else ("tags",)
            warn(article, where, f"tag '{name}' is used by no other article (a typo?)", hint)
    return warnings


def _tag_list(raw: object) -> list:
    """Front matter's `tags` as a list, however it was written (one tag, a list, or a mistake)."""
    return [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
