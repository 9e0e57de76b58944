"""Content validation: content, config and templates as the build sees them, plus editorial warnings; writes nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from . import model, output, routes, sources
from .config import FEEDS_FILE, STATE_FILE, SiteConfig
from .errors import BuildError, ConfigError, Diagnostic, Location, closest
from .sitecheck import check_site

SUMMARY_LIMIT = 300


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every problem found, and what was looked at, for the summary line."""

    diagnostics: tuple[Diagnostic, ...]
    articles: int
    pages: int
    site_files: int | None = None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        """Warnings only: a note (an article not yet translated) is for information."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    def summary(self) -> str:
        checked = f"checked {self.articles} article{'s' if self.articles != 1 else ''}" \
                  f" and {self.pages} page{'s' if self.pages != 1 else ''}"
        if self.site_files is not None:
            checked += f" and {self.site_files} built files"
        return (f"{checked}: {self.errors} error{'s' if self.errors != 1 else ''}, "
                f"{self.warnings} warning{'s' if self.warnings != 1 else ''}")


def check(config: SiteConfig, *, site: bool = False, now: dt.datetime | None = None) -> CheckReport:
    """Validate content and templates, and with `site` the built output folder; reads only, writes nothing."""
    problems, articles, pages = validate(config, now=now)
    files = None
    if site:
        site_problems, files = check_site(config)
        problems += site_problems
    return CheckReport(tuple(sorted(problems)), articles, pages, files)


def validate(config: SiteConfig, *, now: dt.datetime | None = None) -> tuple[list[Diagnostic], int, int]:
    """Every error the build would stop on, plus editorial warnings; with an empty cache so nothing is written."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.tz)
    authors, problems, _ = model.load_authors(model.read_authors_file(config))
    try:
        docs, read_problems, _ = sources.read_all(config.root, config.content_dir, {}, 0, out_dir=config.output_dir)
    except BuildError as exc:  # a refused symlink: the build stops before reading anything, so does check
        docs, read_problems = [], list(exc.diagnostics)
    problems += read_problems
    # Drafts and scheduled articles are validated as well: they will be published one day.
    site, model_problems = model.build_site(config, docs, authors, now=now, drafts=True, future=True)
    problems += model_problems
    problems += _template_problems(config)
    problems += _editorial_warnings(config, site, docs)
    problems += _ingest_problems(config)
    return problems, len(site.all_articles), len(site.pages)


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
    for rel, _path in files:
        try:
            env.get_template(rel)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Diagnostic(Location(f"templates/{rel}", exc.lineno or 0), exc.message or str(exc),
                                       "fix the template syntax"))
        except UnicodeDecodeError:
            problems.append(Diagnostic(Location(f"templates/{rel}"), "not UTF-8 text", "save it as UTF-8"))
    return problems


def _editorial_warnings(config: SiteConfig, site: model.Site, docs: list[sources.SourceDoc]) -> list[Diagnostic]:
    """Likely mistakes that still build, in the editors' own articles (not ingest's inbox)."""
    by_rel = {doc.rel: doc for doc in docs}
    articles = [a for a in site.all_articles if by_rel[a.source].kind == "article"]
    warnings: list[Diagnostic] = []
    meta_texts: dict[str, str] = {}

    def warn(article: model.Article, path: tuple, message: str, hint: str = "") -> None:
        line = model.key_line(by_rel[article.source], config.root, path, meta_texts)
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

    uses = Counter(tag for article in articles for tag in article.tags)
    names = {tag: name for article in articles for tag, name in zip(article.tags, article.tag_names)}
    for article in articles:
        raw = by_rel[article.source].meta.get("tags")
        raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for index, name in enumerate(raw):
            tag = routes.slugify(str(name))
            if uses.get(tag) != 1:
                continue
            others = [names[t] for t in uses if t != tag]
            close = closest(str(name), others, cutoff=0.7)
            hint = f"did you mean '{close}'?" if close else "a tag groups articles; reuse an existing one if it fits"
            where = ("tags", index) if isinstance(by_rel[article.source].meta.get("tags"), list) else ("tags",)
            warn(article, where, f"tag '{name}' is used by no other article (a typo?)", hint)
    return warnings
