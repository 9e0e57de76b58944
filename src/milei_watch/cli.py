"""Command line: build, check, serve, new, ingest; one function per command, errors mapped to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .errors import BuildError, ConfigError, Diagnostic, Location, UsageError, format_report, relative

# 0 ok; 1 content or build errors; 2 usage: a bad command line (argparse, or an --out folder the build
# may not write) or site.yaml, which is set-up.
EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
ADOPT_HELP = ("take over an existing non-empty --out folder that milei-watch did not create; "
              "its files will be replaced")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="milei-watch",
                                     description="Build the milei-watch news-analysis site from content/ and templates/.")
    parser.add_argument("--version", action="version", version=f"milei-watch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=description)
        sub.add_argument("--root", type=Path, default=Path("."),
                         help="project folder with content/ and templates/ (default: .)")
        sub.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")
        return sub

    build = command("build", "build the site into site/",
                    "Render content/ through templates/ into site/ (incrementally).")
    build.add_argument("--out", type=Path, help="write the site here instead of <root>/site/")
    build.add_argument("--adopt-out", action="store_true", help=ADOPT_HELP)
    build.add_argument("--drafts", action="store_true", help="include drafts (draft: true and content/inbox/)")
    build.add_argument("--future", action="store_true", help="include articles dated in the future")
    build.add_argument("--full", action="store_true", help="ignore the build cache and render everything")
    build.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: CPU count)")
    build.add_argument("--now", help=argparse.SUPPRESS)
    verbosity = build.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    verbosity.add_argument("--verbose", "-v", action="store_true", help="list every file written and removed")

    check = command("check", "validate content, config and templates without writing anything",
                    "Report every problem in content/, content/site.yaml and templates/ as 'path:line: error:' "
                    "without building. Warnings (no sources, a long summary, 'updated' before 'date', a tag used "
                    "once) do not fail the check unless --strict.")
    check.add_argument("--site", action="store_true",
                       help="also check the built site: internal links and #anchors, page titles, feeds")
    check.add_argument("--out", type=Path, help="the built site to check with --site (default: <root>/site/)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")

    serve = command("serve", "build, serve on 127.0.0.1 and rebuild on every change",
                    "Build the site, serve it locally, watch content/ and templates/, rebuild on change and "
                    "reload open pages. Build errors show in the terminal and in the browser.")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--out", type=Path, help="build into and serve this folder instead of <root>/site/")
    serve.add_argument("--adopt-out", action="store_true", help=ADOPT_HELP)
    serve.add_argument("--drafts", action="store_true", help="include drafts (draft: true and content/inbox/)")
    serve.add_argument("--future", action="store_true", help="include articles dated in the future")
    serve.add_argument("--now", help=argparse.SUPPRESS)

    new = command("new", "start a new article in content/articles/",
                  "Write content/articles/<slug>.md with front matter to fill in. Never overwrites a file.")
    new.add_argument("title", nargs="?", help="the article's title, in quotes")
    new.add_argument("--topic", action="append", default=[], metavar="SLUG",
                     help="a topic from content/site.yaml (repeat for several; required unless --translate)")
    new.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for several)")
    new.add_argument("--slug", help="file name and URL slug (default: from the title, accents folded)")
    new.add_argument("--draft", action="store_true", help="mark it draft: true so that builds leave it out")
    new.add_argument("--lang", metavar="CODE", default="",
                     help="the article's language, one of the site's (default: the site's language)")
    new.add_argument("--translate", metavar="FILE", type=Path,
                     help="start the --lang version of this article: a linked draft with its text to translate")

    ingest = command("ingest", "turn new stories from content/feeds.yaml into drafts in content/inbox/",
                     "Read the feeds listed in content/feeds.yaml and write each new relevant story as a draft "
                     "in content/inbox/. Never overwrites a draft; see 'Ingesting feeds' in README.md.")
    ingest.add_argument("--source", metavar="NAME", help="read only this source (also a disabled one)")
    ingest.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    ingest.add_argument("--limit", type=_at_least_one, metavar="N",
                        help="at most N new drafts per source in this run, instead of each source's max_new "
                             "(default 50); the rest wait for the next run")
    ingest.add_argument("--now", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except (ConfigError, UsageError) as exc:  # site.yaml is set-up, like the command line: exit 2
        print(format_report(exc.diagnostics), file=sys.stderr)
        return EXIT_USAGE
    except BuildError as exc:
        print(format_report(exc.diagnostics), file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk is full, a folder is read-only, ...: the published site is untouched
        if getattr(args, "debug", False):
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        print(f"milei-watch: {exc.strerror or exc}{where}\n"
              "    hint: nothing that readers see was changed; free some space (or fix the folder's permissions) "
              "and run the command again", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as exc:  # an unexpected failure: say so plainly, trace only on request
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            print(f"milei-watch: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
                  file=sys.stderr)
        return EXIT_CONTENT


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build, collector_paused
    from .config import load_config
    from .progress import Progress

    config = load_config(args.root, args.out)
    with collector_paused(), Progress(enabled=not args.quiet and sys.stderr.isatty()) as bar:
        report = build(config, drafts=args.drafts, future=args.future, full=args.full,
                       now=_parse_now(args.now), jobs=args.jobs, progress=bar.advance, on_total=bar.start,
                       log=None if args.quiet else _stderr, adopt_out=args.adopt_out)
    if report.warnings and not args.quiet:
        print(format_report(report.warnings), file=sys.stderr)
    if args.verbose:
        for rel in report.written:
            print(f"wrote {rel}")
        for rel in report.removed:
            print(f"removed {rel}")
    if not args.quiet:
        print(report.summary())
        if report.next_scheduled:
            moment, source = report.next_scheduled
            print(f"next scheduled: {moment:%Y-%m-%d %H:%M} {moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]} {source}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check
    from .config import CONFIG_NAME, load_config

    site_yaml = Path(args.root) / "content" / CONFIG_NAME
    try:
        config = load_config(args.root, args.out)
    except ConfigError as exc:
        if not site_yaml.is_file():  # no project here: a usage error, as for every command
            raise
        # a mistake in site.yaml is a content problem like any other to the checker: exit 1
        print(format_report(exc.diagnostics), file=sys.stderr)
        return EXIT_CONTENT
    report = check(config, site=args.site)
    if report.diagnostics:
        print(format_report(report.diagnostics), file=sys.stderr)
    print(report.summary())
    failed = report.errors or (args.strict and report.warnings)
    return EXIT_CONTENT if failed else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .config import load_config
    from .serve import DevServer

    config = load_config(args.root, args.out)
    server = DevServer(config, args.host, args.port, drafts=args.drafts, future=args.future,
                       now=_parse_now(args.now), log=_stderr, adopt_out=args.adopt_out)
    try:
        try:
            server.start()
        except OSError as exc:  # the build reports its own problems; this is the socket
            print(f"milei-watch serve: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
                  " (pass another --port)", file=sys.stderr)
            return EXIT_CONTENT
        print(f"serving {server.url} (press Ctrl-C to stop)", flush=True)
        server.wait()
    except KeyboardInterrupt:
        _stderr("stopping")
    finally:
        server.stop()
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .config import load_config
    from .scaffold import CannotTranslate, EmptySlug, UnknownLanguage, UnknownTopic, new_article, translate_article

    config = load_config(args.root)
    if args.translate is None and (not args.title or not args.topic):
        print('usage: milei-watch new "Title" --topic SLUG [--topic SLUG] [--tag TAG] [--lang CODE] [--draft]\n'
              "       milei-watch new --translate FILE --lang CODE [\"Title\"]\n"
              "milei-watch new: error: give the article's title and at least one --topic "
              "(or --translate FILE --lang CODE to translate an article)", file=sys.stderr)
        return EXIT_USAGE
    if args.translate is not None and not args.lang:
        print("milei-watch new: error: --translate needs --lang, the language to translate into", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.translate is not None:
            path = translate_article(config, args.translate, args.lang, title=args.title, slug=args.slug)
        else:
            path = new_article(config, args.title, args.topic, tags=args.tag, draft=args.draft, slug=args.slug,
                               lang=args.lang)
    except (UnknownTopic, EmptySlug, UnknownLanguage, CannotTranslate) as exc:
        print(f"milei-watch new: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileExistsError as exc:
        shown = relative(Path(exc.filename), config.root)
        print(format_report([Diagnostic(Location(shown), "the file already exists; nothing was written",
                                        "pick another title, or pass --slug to name the file")]), file=sys.stderr)
        return EXIT_CONTENT
    print(relative(path, config.root))
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from .config import load_config
    from .ingest import ingest

    # feeds.yaml and --source mistakes are ConfigError (exit 2), a damaged ingest-state.json BuildError (exit 1)
    report = ingest(load_config(args.root), source=args.source, dry_run=args.dry_run, limit=args.limit,
                    now=_parse_now(args.now))
    for line in report.lines():
        print(line)
    return EXIT_OK if report.ok else EXIT_CONTENT


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build,
    "check": cmd_check,
    "serve": cmd_serve,
    "new": cmd_new,
    "ingest": cmd_ingest,
}
