"""Command line: build, check, serve, new, ingest; one function per command, errors mapped to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import BuildError, format_report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="milei-watch",
                                     description="Build the milei-watch news-analysis site from content/ and templates/.")
    parser.add_argument("--version", action="version", version=f"milei-watch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--root", type=Path, default=Path("."), help="project folder with content/ and templates/ (default: .)")
        sub.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")

    build = commands.add_parser("build", help="build the site into site/",
                                description="Render content/ through templates/ into site/ (incrementally).")
    common(build)
    build.add_argument("--out", type=Path, help="write the site here instead of <root>/site/")
    build.add_argument("--drafts", action="store_true", help="include drafts (draft: true and content/inbox/)")
    build.add_argument("--future", action="store_true", help="include articles dated in the future")
    build.add_argument("--full", action="store_true", help="ignore the build cache and render everything")
    build.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: CPU count)")
    build.add_argument("--now", help=argparse.SUPPRESS)
    verbosity = build.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    verbosity.add_argument("--verbose", "-v", action="store_true", help="list every file written and removed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except BuildError as exc:
        print(format_report(exc.diagnostics), file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: say so plainly, trace only on request
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            print(f"milei-watch: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
                  file=sys.stderr)
        return EXIT_CONTENT


def _parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .config import load_config
    from .progress import Progress

    config = load_config(args.root, args.out)
    with Progress(enabled=not args.quiet and sys.stderr.isatty()) as bar:
        report = build(config, drafts=args.drafts, future=args.future, full=args.full,
                       now=_parse_now(args.now), jobs=args.jobs, progress=bar.advance, on_total=bar.start,
                       log=None if args.quiet else lambda line: print(line, file=sys.stderr))
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


_COMMANDS = {"build": cmd_build}
