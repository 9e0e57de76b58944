"""The development server: build, serve the output folder on 127.0.0.1, rebuild on change, reload the browser."""

from __future__ import annotations

import datetime as dt
import html
import ipaddress
import json
import os
import re
import secrets
import socket
import socketserver
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from . import outdir, routes
from .build import build
from .config import SiteConfig, load_config
from .errors import BuildError, format_report, relative

# Where open pages listen for rebuilds, under the site's base path. Never written to disk.
EVENTS_PATH = "__milei_watch/events"
# Wait this long after the last change before rebuilding, so that an editor's save (write, rename,
# touch) and a `git checkout` of many files each make one rebuild.
QUIET_MS = 100
# Group changes for at most this long while files keep changing.
MAX_WAIT_MS = 1600
# How often an idle watcher wakes up; its first wake-up tells start() that edits are being watched.
READY_MS = 100
# File times come from a coarse kernel clock that can lag time.time_ns() by a few milliseconds.
CLOCK_SLACK_NS = 50_000_000
# Comment lines keep idle event streams alive and find closed tabs.
KEEPALIVE_SECONDS = 10

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",  # feeds too: browsers show it rather than download it
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
# Percent-encoded or literal characters that have no business in a site path.
_FORBIDDEN = ("%2f", "%5c", "%00", "\\", "\x00")
# Longer names than the file system allows (NAME_MAX, PATH_MAX on Linux) cannot be a file of the site.
NAME_MAX = 255
PATH_MAX = 4096
# Host names a browser on this computer uses for the server; any other name in a request's Host header
# may be a DNS-rebinding page, which must not read the site (drafts included) through the visitor's browser.
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
_HOST = re.compile(r"\[(?P<ipv6>[0-9a-f:.]+)\](?::\d+)?|(?P<name>[^\s:\[\]/@]+)(?::\d+)?")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
# Files editors and tools write beside the ones they change, which the build never reads: swap, backup
# and temporary files. Hidden names (.#x.md, .x.md.swp, .ingest-state.json.12517.tmp) are left out too.
_EDITOR_NOISE = re.compile(
    r"""~$                      # backups: x.md~
      | \.(swp|swo|swx|tmp|bak)$  # vim swap files; temporaries and backups
      | ^\#.*\#$                 # emacs auto-saves: #x.md#
      | ^sed[A-Za-z0-9]{6}$      # sed -i's temporaries
      | ^4913$                   # vim's test of whether the folder is writable
      | ^___jb_(tmp|old)___$ | \.___jb_(tmp|old)___$   # JetBrains' safe writes
    """, re.VERBOSE)
_SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules"})


def editor_noise(path: str | Path, roots: tuple[Path, ...]) -> bool:
    """Whether a changed file is an editor's or a tool's temporary that no build reads: hidden (below the
    watched folder), a swap, backup or temporary file. Such changes neither rebuild nor show in the log."""
    path = Path(path)
    for root in roots:
        if path.is_relative_to(root):
            parts = path.relative_to(root).parts
            break
    else:
        parts = (path.name,)
    if any(part.startswith(".") or part in _SKIPPED_FOLDERS for part in parts):
        return True
    return bool(parts) and bool(_EDITOR_NOISE.search(parts[-1]))


@dataclass(frozen=True, slots=True)
class Target:
    """What a request path resolves to: a file, a redirect, the event stream, or nothing."""

    kind: str                  # "file", "redirect", "events", "missing" or "too-long"
    path: Path | None = None
    location: str = ""


def locate(raw_path: str, base_path: str, out_dir: Path) -> Target:
    """Map a request path (still percent-encoded, without query) to a file strictly inside `out_dir`."""
    if any(bad in raw_path.lower() for bad in _FORBIDDEN):
        return Target("missing")
    path = unquote(raw_path, errors="replace")
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return Target("missing")
    if any(segment in (".", "..") for segment in path.split("/")):
        return Target("missing")
    if len(path.encode("utf-8")) > PATH_MAX or any(len(segment.encode("utf-8")) > NAME_MAX
                                                   for segment in path.split("/")):
        return Target("too-long")
    if path == base_path + EVENTS_PATH:
        return Target("events")
    rel = routes.inside(path, base_path)
    if rel is None:
        return Target("redirect", location=base_path) if path == "/" else Target("missing")
    root = out_dir.resolve()
    candidate = root.joinpath(*[segment for segment in rel.split("/") if segment])
    try:
        if not candidate.resolve().is_relative_to(root):  # a symlink pointing out of the site
            return Target("missing")
    except (OSError, RuntimeError):
        return Target("missing")
    try:
        if candidate.is_dir():
            if not path.endswith("/"):
                return Target("redirect", location=raw_path + "/")
            candidate = candidate / "index.html"
        if candidate.is_file():
            return Target("file", candidate)
    except (OSError, ValueError):  # a name the file system refuses is no file of the site
        pass
    return Target("missing")


def host_allowed(header: str | None, served_host: str) -> bool:
    """Whether a request's Host header names this server: a local name or the address it was told to serve on.

    Any port is accepted (a forwarded port still leads here). Listening on every interface, any IP
    address is accepted too: a DNS-rebinding page always comes with a host name of its own."""
    match = _HOST.fullmatch((header or "").strip().lower())
    if match is None:
        return False
    name = match["ipv6"] or match["name"]
    served = served_host.strip().lower().strip("[]")
    if name in LOCAL_NAMES or name == served:
        return True
    if served not in WILDCARD_ADDRESSES:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def content_type(path: Path) -> str:
    import mimetypes

    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def reload_script(events_url: str, state: str) -> bytes:
    """The snippet served pages carry: reload when the server's state differs from the one the page was served at."""
    def js(text: str) -> str:
        return json.dumps(text).replace("<", "\\u003c")

    return (
        "<script data-milei-watch-reload>(() => {"
        f"const loaded = {js(state)}; const source = new EventSource({js(events_url)});"
        'source.addEventListener("state", (event) => { if (event.data !== loaded) location.reload(); });'
        "})();</script>\n"
    ).encode("utf-8")


def inject(page: bytes, script: bytes) -> bytes:
    """Insert the reload script before the last </body>, or at the end when there is none."""
    matches = list(_BODY_END.finditer(page))
    if not matches:
        return page + script
    at = matches[-1].start()
    return page[:at] + script + page[at:]


_ERROR_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff5f5;color:#1a1a1a}"
    "main{max-width:60rem;margin:2rem auto;padding:0 1rem}h1{color:#a40000}"
    "pre{white-space:pre-wrap;background:#fff;border:1px solid #e0b4b4;padding:1rem;font-size:14px}"
)


def error_page(report: str, script: bytes) -> bytes:
    """A self-contained page showing the build's diagnostics, escaped, with the reload script."""
    page = (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>Build failed · milei-watch</title>\n<style>{_ERROR_STYLE}</style>\n</head>\n<body>\n<main>\n"
        "<h1>Build failed</h1>\n<p>Fix the problems below and save: this page reloads by itself. "
        "The last good site is still on disk.</p>\n"
        f"<pre id=\"milei-watch-errors\">{html.escape(report)}</pre>\n</main>\n</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), script)


class DevServer:
    """Builds, serves the output folder, watches content/ and templates/, rebuilds and reloads open pages.

    Threads: one serves HTTP (a thread per request, an event stream per open tab), one watches files
    and runs every rebuild, so builds never overlap. start() builds once before either begins.
    """

    def __init__(self, config: SiteConfig, host: str = "127.0.0.1", port: int = 8000, *, drafts: bool = False,
                 future: bool = False, now: dt.datetime | None = None,
                 log: Callable[[str], None] = lambda line: None, adopt_out: bool = False) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.drafts = drafts
        self.future = future
        self.now = now
        self.log = log
        self.adopt_out = adopt_out
        self._token = secrets.token_hex(4)       # a restarted server makes every open page reload
        self._generation = 0
        self._report = ""                         # the failed build's diagnostics, or "" when the site is good
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._watching = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "DevServer":
        """Build, start watching, then listen; returns once edits are being watched and requests answered."""
        started_ns = time.time_ns()
        # A folder the build may not write is a mistake on the command line: stop before serving it.
        outdir.claim(self.config, adopt=self.adopt_out)
        self.rebuild(jobs=None)  # before any thread exists, so the build may fork its render pool
        watcher = threading.Thread(target=self._watch, name="milei-watch-watcher", daemon=True)
        self._threads.append(watcher)
        watcher.start()
        self._watching.wait(timeout=10)
        if self._edited_since(started_ns - CLOCK_SLACK_NS):  # saved while the first build ran
            self.rebuild(jobs=1)
        self._httpd = _HTTPServer((self.host, self.port), self)
        server = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                  name="milei-watch-http", daemon=True)
        self._threads.append(server)
        server.start()
        return self

    def stop(self) -> None:
        """Stop watching, end every event stream and close the socket; safe to call twice."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def wait(self) -> None:
        """Block until stop(); Ctrl-C raises KeyboardInterrupt here, in the main thread."""
        while not self._stopping.wait(0.5):
            pass

    @property
    def address(self) -> tuple[str, int]:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[0], self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host, port = self.address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self.config.base_path}"

    # --- building --------------------------------------------------------------------------------

    def rebuild(self, jobs: int | None = 1) -> bool:
        """Reload the config and build through build(); on failure keep serving the last good site.

        While other threads run, forking a render pool is unsafe, so rebuilds render in-process (jobs=1);
        they are incremental and small.
        """
        try:
            config = load_config(self.config.root, self.config.output_dir)
            report = build(config, drafts=self.drafts, future=self.future, now=self.now, jobs=jobs,
                           adopt_out=self.adopt_out)
        except BuildError as exc:
            failure = format_report(exc.diagnostics)
        except Exception as exc:  # keep serving whatever happens; the terminal gets the trace
            failure = f"internal error: {type(exc).__name__}: {exc}"
            self.log(traceback.format_exc().rstrip())
        else:
            self.config = config
            if report.warnings:
                self.log(format_report(report.warnings))
            self.log(f"[{time.strftime('%H:%M:%S')}] {report.summary()}")
            changed = bool(report.written or report.removed or self._report)
            self._set_state("", bump=changed)
            return True
        self.log(f"[{time.strftime('%H:%M:%S')}] build failed; serving the last good site\n{failure}")
        self._set_state(failure, bump=True)
        return False

    def _set_state(self, report: str, *, bump: bool) -> None:
        with self._changed:
            self._report = report
            if bump:
                self._generation += 1
                self._changed.notify_all()

    def _watch(self) -> None:
        import watchfiles

        paths = [p for p in (self.config.content_dir, self.config.templates_dir) if p.is_dir()]
        roots = tuple(paths)

        def wanted(_change: object, path: str) -> bool:
            return not editor_noise(path, roots)

        try:
            # A short timeout yields an empty set once the watches exist: that is when start() may return.
            for changes in watchfiles.watch(*paths, watch_filter=wanted, stop_event=self._stopping, step=QUIET_MS,
                                            debounce=MAX_WAIT_MS, rust_timeout=READY_MS, yield_on_timeout=True,
                                            raise_interrupt=False):
                self._watching.set()
                if not changes:
                    continue
                names = sorted({relative(Path(path), self.config.root) for _, path in changes})
                more = f" and {len(names) - 3} more" if len(names) > 3 else ""
                self.log(f"[{time.strftime('%H:%M:%S')}] changed: {', '.join(names[:3])}{more}")
                self.rebuild(jobs=1)
        except Exception as exc:  # e.g. out of inotify watches: keep serving, say that edits are not seen
            self.log(f"cannot watch for changes ({type(exc).__name__}: {exc}); restart serve after editing")
        finally:
            self._watching.set()

    def _edited_since(self, moment_ns: int) -> bool:
        """Whether any watched file was modified at or after `moment_ns`."""
        roots = (self.config.content_dir, self.config.templates_dir)
        for base in roots:
            for dirpath, _, filenames in os.walk(base):
                for name in filenames:
                    if editor_noise(os.path.join(dirpath, name), roots):
                        continue
                    try:
                        if os.stat(os.path.join(dirpath, name)).st_mtime_ns >= moment_ns:
                            return True
                    except OSError:
                        return True
        return False

    # --- what requests see -----------------------------------------------------------------------

    @property
    def state(self) -> str:
        """Changes after every rebuild that changed something; pages reload when it differs from theirs."""
        return f"{self._token}-{self._generation}"

    @property
    def failure(self) -> str:
        return self._report

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def script(self) -> bytes:
        return reload_script(self.config.base_path + EVENTS_PATH, self.state)

    def wait_for_change(self, seen: str, timeout: float) -> str:
        """Block until the state differs from `seen`, the server stops, or `timeout` passes; return the state."""
        with self._changed:
            self._changed.wait_for(lambda: self.state != seen or self._stopping.is_set(), timeout)
            return self.state


class _HTTPServer(ThreadingHTTPServer):
    """Threaded HTTP server that knows its DevServer and does not wait on idle connections when closing."""

    block_on_close = False
    daemon_threads = True

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dev = dev
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD for files inside the output folder, the event stream, and the build-error page."""

    server: _HTTPServer
    server_version = "milei-watch"
    timeout = 60

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a line per request would bury the build output

    def _respond(self, *, head: bool) -> None:
        dev = self.server.dev
        if not host_allowed(self.headers.get("Host"), dev.host):
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8",
                       b"This server answers only requests addressed to it (localhost, 127.0.0.1, [::1] "
                       b"or the --host it was given).\n", head)
            return
        raw = self.path
        if raw.startswith(("http://", "https://")):  # absolute-form request target
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        raw, _, query = raw.partition("?")
        raw = raw.partition("#")[0]
        target = locate(raw, dev.config.base_path, dev.config.output_dir)
        if target.kind == "too-long":
            self._send(HTTPStatus.REQUEST_URI_TOO_LONG, "text/plain; charset=utf-8",
                       b"The path is longer than any file of the site can be.\n", head)
            return
        if target.kind == "events" and not head:
            self._events(dev)
            return
        if target.kind == "redirect":
            location = target.location + (f"?{query}" if query and target.location != dev.config.base_path else "")
            self._send(HTTPStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8", b"", head,
                       {"Location": location})
            return
        failure = dev.failure
        if target.kind == "file":
            assert target.path is not None
            kind = content_type(target.path)
            is_html = kind.startswith("text/html")
            try:  # while the last build failed, every page shows its error instead
                data = None if is_html and failure else target.path.read_bytes()
            except OSError:  # removed by a rebuild in between
                data = None
            if data is not None:
                self._send(HTTPStatus.OK, kind, inject(data, dev.script()) if is_html else data, head)
                return
        if failure:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, CONTENT_TYPES[".html"], error_page(failure, dev.script()),
                       head)
            return
        try:
            page = (dev.config.output_dir / "404.html").read_bytes()
        except OSError:
            page = b"<!doctype html><html lang=\"en\"><title>Not found</title><h1>Not found</h1></html>"
        self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], inject(page, dev.script()), head)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self, dev: DevServer) -> None:
        """Server-Sent Events: the current state at once, then again after every rebuild, until either side leaves."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = ""
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not dev.stopping:
                state = dev.wait_for_change(seen, KEEPALIVE_SECONDS) if seen else dev.state
                if dev.stopping:
                    break
                if state != seen:
                    self.wfile.write(f"event: state\ndata: {state}\n\n".encode())
                    seen = state
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, OSError):
            pass  # the tab was closed or reloaded
