"""Command line: build, check, serve, new, publish, ingest, init, theme; one function per command, errors
mapped to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
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

    def command(name: str, summary: str, description: str, *, root: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=description)
        if root:
            sub.add_argument("--root", type=Path, default=Path("."),
                             help="project folder with content/ and, to override the bundled theme, templates/ "
                                  "(default: .)")
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

    publish = command("publish", "publish a draft from content/inbox/ as an article",
                      "Check a draft in content/inbox/ as the build would, move it to content/articles/<slug>.md "
                      "without its 'draft: true' line, set its slug and date, and print its address. Never "
                      "overwrites a file; on any error nothing changes.")
    publish.add_argument("draft", type=Path, help="the draft, e.g. content/inbox/2026-12-01-some-story.md")
    publish.add_argument("--slug", help="the article's file name and URL slug (default: the draft's own slug if an "
                                        "editor set one, else from the title, accents folded)")
    publish.add_argument("--date", choices=("now", "keep"), default="now",
                         help="now: date it now, in the site's timezone (default); keep: keep the draft's date")
    publish.add_argument("--now", help=argparse.SUPPRESS)

    ingest = command("ingest", "turn new stories from content/feeds.yaml into drafts in content/inbox/",
                     "Read the feeds listed in content/feeds.yaml and write each new relevant story as a draft "
                     "in content/inbox/. Never overwrites a draft; see 'Ingesting feeds' in README.md.")
    ingest.add_argument("--source", metavar="NAME", help="read only this source (also a disabled one)")
    ingest.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    ingest.add_argument("--limit", type=_at_least_one, metavar="N",
                        help="at most N new drafts per source in this run, instead of each source's max_new "
                             "(default 50); the rest wait for the next run")
    ingest.add_argument("--now", help=argparse.SUPPRESS)

    init = command("init", "start a new site in a folder",
                   "Write a new project into DIR (made if needed): a commented content/site.yaml with placeholder "
                   "topics, content/authors.yaml, an about page and an empty content/articles/. The theme is the "
                   "one bundled with milei-watch. Never overwrites a file.", root=False)
    init.add_argument("dir", type=Path, metavar="DIR", help="the new project's folder, e.g. my-site (or . for here)")

    theme = command("theme", "list the bundled theme's files, or copy one into templates/ to change it",
                    "The site is rendered with the theme bundled in milei-watch; a file of the same name in "
                    "templates/ replaces the bundled one, file by file. 'list' names the theme's files and says "
                    "which ones templates/ overrides; 'copy NAME' copies a file into templates/ to be changed "
                    "(without NAME, every file templates/ lacks). Never overwrites a file.")
    theme.add_argument("action", choices=("list", "copy"), help="list, or copy")
    theme.add_argument("names", nargs="*", metavar="NAME",
                       help="a file of the theme as 'theme list' names it, e.g. page.html or static/style.css")
    return parser


def run() -> None:
    """The `milei-watch` command (and `python -m milei_watch`): main(), then an immediate exit.

    A build of ten thousand articles leaves hundreds of thousands of objects behind; letting the
    interpreter tear them down (a last garbage collection, then every module) costs 40 to 100 ms
    after the site is written. Every file the command wrote is closed by the time main() returns,
    so only the standard streams need flushing; what a build made is not even freed (`_EXITING`).
    In-process callers (tests) use main()."""
    _EXITING.append(True)
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left: nothing more can be said
        pass
    os._exit(code)


# Not empty when the process ends as soon as main() returns (run): a build then keeps its objects
# here, unfreed (build's `keep`).
_EXITING: list = []


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
    except BrokenPipeError:  # the reader left (`| head`): nothing more to say, and nothing to flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CONTENT
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


def _when(moment: dt.datetime) -> str:
    """A date and time with its offset, as the commands print them: 2026-12-01 09:00 -03:00."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def _shown(path: Path) -> str:
    """A path as the person at the terminal can use it: relative to the current folder when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _command(*words: str, root: Path | None = None, options: Sequence[str] = ()) -> str:
    """A milei-watch command line to suggest, with the --root the user gave (when not the current folder)."""
    line = ["milei-watch", *words, *options]
    if root is not None and Path(root).absolute() != Path.cwd().absolute():
        line += ["--root", str(root)]
    return shlex.join(line)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build, collector_paused
    from .config import load_config
    from .progress import Progress

    config = load_config(args.root, args.out)
    exiting = bool(_EXITING)
    with collector_paused(exiting), Progress(enabled=not args.quiet and sys.stderr.isatty()) as bar:
        report = build(config, drafts=args.drafts, future=args.future, full=args.full,
                       now=_parse_now(args.now), jobs=args.jobs, progress=bar.advance, on_total=bar.start,
                       log=None if args.quiet else _stderr, adopt_out=args.adopt_out,
                       keep=_EXITING if exiting else None)
    if report.warnings and not args.quiet:
        print(format_report(report.warnings), file=sys.stderr, flush=True)
    if args.verbose:
        for rel in report.written:
            print(f"wrote {rel}")
        for rel in report.removed:
            print(f"removed {rel}")
    if not args.quiet:
        print(report.summary())
        if report.next_scheduled:
            moment, source = report.next_scheduled
            print(f"next scheduled: {_when(moment)} {source}")
        out = _shown(config.output_dir)
        print(f"the site is in {out}/")
        if sys.stdout.isatty():  # a person is reading: say how to look at it
            options = [option for option, given in (("--drafts", args.drafts), ("--future", args.future)) if given]
            if args.out is not None:
                options += ["--out", str(args.out)]
            print(f"preview it with: {_command('serve', root=args.root, options=options)}  (opened from disk, "
                  f"{out}/index.html shows no styles: its links start at the site's root)")
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
        _report(exc.diagnostics, f"checked content/{CONFIG_NAME}: {len(exc.diagnostics)} "
                                 f"error{'s' if len(exc.diagnostics) != 1 else ''}; nothing else can be checked "
                                 "until it is fixed")
        return EXIT_CONTENT
    report = check(config, site=args.site)
    _report(report.diagnostics, report.summary())
    failed = report.errors or (args.strict and report.warnings)
    return EXIT_CONTENT if failed else EXIT_OK


def _report(diagnostics: Sequence[Diagnostic], summary: str) -> None:
    """Every message (on stderr), then the one summary line (on stdout), in that order in a pipe too."""
    for diagnostic in sorted(diagnostics):
        print(diagnostic.format(), file=sys.stderr)
    sys.stderr.flush()
    print(summary, flush=True)


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
    from .sources import parse_source  # what was written, read back as the build will read it

    rel = relative(path, config.root)
    written = parse_source(path.read_bytes(), rel, "article")
    print(rel)
    if not isinstance(written, Diagnostic):
        from .dates import to_datetime

        moment = to_datetime(written.meta.get("date"), config.tz)
        if moment is not None:
            print(f"dated {_when(moment)} (now, in the site's timezone, {config.timezone})")
    draft = args.translate is not None or args.draft
    preview = _command("serve", root=args.root, options=["--drafts"] if draft else [])
    if args.translate is not None:
        print(f"next: translate the title, summary and text in {rel}, preview it with: {preview}, then delete its "
              "'draft: true' line to publish it")
    elif draft:
        print(f"next: write the summary and the article in {rel}, preview it with: {preview}, then delete its "
              "'draft: true' line to publish it")
    else:
        print(f"next: write the summary and the article in {rel}, then preview it with: {preview}")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from .config import load_config
    from .publish_draft import publish_draft

    config = load_config(args.root)
    done = publish_draft(config, args.draft, slug=args.slug, date=args.date, now=_parse_now(args.now))
    if done.warnings:
        print(format_report(done.warnings), file=sys.stderr, flush=True)
    article = relative(done.article, config.root)
    print(f"published {done.draft} as {article}, dated {_when(done.date)}")
    print(f"address: {done.url}")
    if done.scheduled:
        print(f"scheduled: it goes live at {_when(done.date)}, with the first build after that")
    print(f"next: {_command('build', root=args.root)} (or {_command('serve', root=args.root)} to preview it)")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from .config import load_config
    from .ingest import ingest

    # feeds.yaml and --source mistakes are ConfigError (exit 2), a damaged ingest-state.json BuildError (exit 1)
    config = load_config(args.root)
    report = ingest(config, source=args.source, dry_run=args.dry_run, limit=args.limit, now=_parse_now(args.now))
    for line in report.lines(config.root):
        print(line)
    if report.drafts and not args.dry_run:
        print(f"next: edit each draft, then publish it with: {_command('publish', 'content/inbox/FILE.md', root=args.root)}")
    return EXIT_OK if report.ok else EXIT_CONTENT


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import SiteExists, init_site

    folder = args.dir
    if folder.exists() and not folder.is_dir():
        print(format_report([Diagnostic(Location(str(folder)), "exists and is not a folder; nothing was written",
                                        "name a new or existing folder for the site")]), file=sys.stderr)
        return EXIT_USAGE
    try:
        created = init_site(folder)
    except SiteExists as exc:
        print(format_report([Diagnostic(Location(_shown(path)), "the file already exists: init starts a site only "
                                        "where there is none, and wrote nothing", "edit that site, or name a new "
                                        "folder") for path in exc.paths]), file=sys.stderr)
        return EXIT_CONTENT
    prefix = "" if _shown(folder) == "." else _shown(folder) + "/"
    for rel in created:
        print(f"created {prefix}{rel}")
    print(f"next: set the title, base_url and topics in {prefix}content/site.yaml, then:")
    if prefix:
        print(f"    cd {shlex.quote(_shown(folder))}")
    print('    milei-watch new "A first article" --topic topic-one')
    print("    milei-watch serve")
    return EXIT_OK


def cmd_theme(args: argparse.Namespace) -> int:
    from . import theme

    templates = Path(args.root) / "templates"
    if args.action == "list":
        own = theme.own_files(templates) if templates.is_dir() else []
        for name in theme.bundled_files():
            print(f"{name}  (overridden by templates/{name})" if name in own else name)
        for name in own:
            if name not in theme.bundled_files():
                print(f"templates/{name}  (the project's own)")
        return EXIT_OK
    from .config import load_config

    config = load_config(args.root)  # a copy goes into a project: refuse anywhere else
    names = args.names or [name for name in theme.bundled_files() if not (config.templates_dir / name).exists()]
    failed = False
    for name in names:
        try:
            path = theme.copy_out(config.templates_dir, name)
        except theme.UnknownThemeFile as exc:
            print(f"milei-watch theme: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except FileExistsError:
            print(f"templates/{name.removeprefix('templates/')}: error: already in templates/; it was left as it is",
                  file=sys.stderr)
            failed = True
            continue
        print(f"copied {relative(path, config.root)}")
    if not names:
        print("templates/ already has every file of the theme")
    return EXIT_CONTENT if failed else EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build,
    "check": cmd_check,
    "serve": cmd_serve,
    "new": cmd_new,
    "publish": cmd_publish,
    "ingest": cmd_ingest,
    "init": cmd_init,
    "theme": cmd_theme,
}
