"""The one Jinja2 environment, and rendering a planned page to bytes."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import __version__, dates, feeds, routes
from .config import SiteConfig
from .errors import BuildError, Diagnostic, Location, relative
from .plan import JSON_FEED, PageJob

KIND_LABELS = {"analysis": "Analysis", "news": "News", "explainer": "Explainer", "opinion": "Opinion"}
SCHEMA_TYPES = {"analysis": "AnalysisNewsArticle", "news": "NewsArticle", "explainer": "BackgroundNewsArticle",
                "opinion": "OpinionNewsArticle"}


def template_files(config: SiteConfig) -> list[tuple[str, Path]]:
    """Every template as (path under templates/, file), sorted; the theme's static/ folder is not one.

    Raises BuildError when there is no templates folder."""
    base = config.templates_dir
    if not base.is_dir():
        raise BuildError([Diagnostic(Location("templates/"), f"no templates folder at {base}",
                                     "the theme lives in templates/ next to content/")])
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "static" or Path(dirpath) != base)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            found.append((path.relative_to(base).as_posix(), path))
    return found


def make_environment(config: SiteConfig, authors: dict[str, Any], pages: tuple[Any, ...] = (),
                     bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Site templates with strict undefined variables, autoescaping and the site's filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # Compiled templates kept between builds; Jinja checks each against its source's checksum.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    base_path = config.base_path

    def url(path: str) -> str:
        return base_path + path

    def abs_url(path: str) -> str:
        return config.base_url + path

    def author_name(slug: str) -> str:
        author = authors.get(slug)
        return author.name if author else slug

    env.filters.update(
        url=url,
        abs_url=abs_url,
        iso=dates.iso,
        rfc822=dates.rfc822,
        human_date=dates.human,
        author_name=author_name,
        absolute_links=lambda body, path: feeds.absolute_links(body, abs_url(path)),
        kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        schema_type=lambda kind: SCHEMA_TYPES.get(kind, "NewsArticle"),
        topic_name=lambda slug: config.topic(slug).name,
        month_name=dates.month_name,
        scrollable_tables=scrollable_tables,
    )

    def author_ld(slug: str) -> dict[str, Any]:
        """The site's own desk is an organisation; any other byline is a person."""
        author = authors.get(slug)
        kind = "Organization" if slug == config.author else "Person"
        if author is None:
            return {"@type": kind, "name": slug}
        return {"@type": kind, "name": author.name, "url": abs_url(routes.author(author.slug))}

    def article_ld(article) -> dict[str, Any]:
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
                          "logo": {"@type": "ImageObject", "url": abs_url("static/favicon.svg")}},
            "articleSection": [config.topic(t).name for t in article.topics],
            "keywords": list(article.tag_names),
            "wordCount": article.words,
            "citation": [_citation(ref) for ref in article.sources],
        }
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

    env.globals.update(
        site_pages=pages,
        routes=routes,  # the one URL scheme, for templates too
        article_ld=article_ld,
        site_ld=site_ld,
        site=config,
        generator=f"milei-watch {__version__}",
        json_ld=lambda data: Markup(json.dumps(data, ensure_ascii=False, sort_keys=True)
                                    .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")),
    )
    return env


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


def _citation(ref) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "CreativeWork", "publisher": {"@type": "Organization", "name": ref.publisher}}
    if ref.title:
        item["name"] = ref.title
    if ref.url:
        item["url"] = ref.url
    if ref.date:
        item["datePublished"] = ref.date.isoformat()
    return item


def render_job(env: jinja2.Environment, config: SiteConfig, job: PageJob, bodies: dict[str, str]) -> bytes:
    """Render one page to bytes; a template error names the template, its line and the page."""
    context = dict(job.context, bodies=bodies, output=job.output)
    if job.template == JSON_FEED:
        return feeds.json_feed(config, job.context, bodies, env.filters["author_name"])
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


def _from(job: PageJob) -> str:
    sources = [getattr(doc, "source", "") for doc in job.bodies[:1]]
    return f" from {sources[0]}" if sources and sources[0] and job.template != "rss.xml" else ""


def _template_diagnostic(config: SiteConfig, filename: str, lineno: int | None, message: str,
                         job: PageJob) -> Diagnostic:
    path = Path(filename)
    shown = relative(path, config.root) if path.is_absolute() else f"templates/{filename}"
    return Diagnostic(Location(shown, lineno or 0), message, f"while rendering site/{job.output}{_from(job)}")


def _template_frame(exc: BaseException, config: SiteConfig) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    templates = str(config.templates_dir)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(templates):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
