"""Ingest over real HTTP on 127.0.0.1: conditional GET, timeouts, errors, redirects, size cap, and the command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
from milei_watch import __version__, ingest, sources
from milei_watch.cli import main
from milei_watch.config import SiteConfig, load_config
from milei_watch.ingest import fetch

FIXTURES = ROOT / "tests" / "fixtures" / "feeds"
NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))
FAST = 0.5  # seconds: the timeout used wherever a test waits on a server that stalls

Route = Callable[[BaseHTTPRequestHandler], None]


# ---------------------------------------------------------------------------------------------
# a scriptable server

class _Handler(BaseHTTPRequestHandler):
    """Answers each GET with the route the test registered for its path; records every request."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner: FeedServer = self.server.owner  # type: ignore[attr-defined]
        owner.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = owner.routes.get(self.path)
        try:
            if route is None:
                self.send_error(404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is what several tests want

    def log_message(self, format: str, *args: object) -> None:
        pass


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 whose routes the test sets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def send(body: bytes, status: int = 200, headers: dict[str, str] | None = None, length: bool = True) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/rss+xml; charset=utf-8", **(headers or {})}.items():
            handler.send_header(name, value)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return route


def redirect(to: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return route


def conditional(body: bytes, etag: str, modified: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        send(body, headers={"ETag": etag, "Last-Modified": modified})(handler)
    return route


def trickle(chunk: bytes, pause: float, times: int) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        for _ in range(times):
            handler.wfile.write(chunk)
            handler.wfile.flush()
            time.sleep(pause)
    return route


def stream(size: int, chunk: int = 64 * 1024) -> Route:
    """A body of `size` bytes with no Content-Length, so only counting can stop it."""
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        sent = 0
        while sent < size:
            handler.wfile.write(b"x" * chunk)
            sent += chunk
    return route


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours proxy variables; requests to 127.0.0.1 must go straight to the test server."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    feeds = FeedServer()
    feeds.start()
    yield feeds
    feeds.stop()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """An address that accepts connections and never answers a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    listener.close()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def project(tmp_path: Path, feeds: dict[str, str]) -> SiteConfig:
    """A project whose feeds.yaml lists `feeds` (name → url, or a fixture file name for a local source)."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(FIXTURES / "site.yaml", content / "site.yaml")
    lines = []
    for name, where in feeds.items():
        if where.startswith("http"):
            lines.append(f"- name: {name}\n  url: {where}\n")
        else:
            shutil.copy(FIXTURES / where, content / where)
            lines.append(f"- name: {name}\n  path: content/{where}\n")
    (content / "feeds.yaml").write_text("".join(lines), encoding="utf-8")
    return load_config(tmp_path)


def inbox(config: SiteConfig) -> list[Path]:
    folder = config.content_dir / "inbox"
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def result(report: ingest.IngestReport, name: str) -> ingest.SourceResult:
    return next(r for r in report.sources if r.name == name)


# ---------------------------------------------------------------------------------------------
# fetching

def test_second_run_sends_saved_etag_and_last_modified_and_304_means_nothing_new(tmp_path, server):
    modified = "Sun, 25 Jan 2026 12:00:00 GMT"
    server.routes["/feed.xml"] = conditional(fixture_bytes("rss20.xml"), '"v1"', modified)
    config = project(tmp_path, {"wire": server.url("/feed.xml")})

    first = ingest.ingest(config, now=NOW)
    assert result(first, "wire").new == 2
    state = json.loads((config.content_dir / "ingest-state.json").read_text(encoding="utf-8"))
    assert state["sources"]["wire"]["etag"] == '"v1"'
    assert state["sources"]["wire"]["last_modified"] == modified

    second = ingest.ingest(config, now=NOW)
    outcome = result(second, "wire")
    assert outcome.not_modified and outcome.new == 0 and outcome.ok
    assert outcome.line() == "wire: 0 new, 0 seen, 0 skipped (not relevant), 0 failed (not modified since the last run)"
    first_headers, second_headers = server.requests[0][1], server.requests[1][1]
    assert "if-none-match" not in first_headers and "if-modified-since" not in first_headers
    assert second_headers["if-none-match"] == '"v1"'
    assert second_headers["if-modified-since"] == modified
    assert len(inbox(config)) == 2


def test_requests_say_who_is_asking(server):
    server.routes["/feed.xml"] = send(fixture_bytes("rss20.xml"))
    fetch.fetch(server.url("/feed.xml"))
    headers = server.requests[0][1]
    assert headers["user-agent"] == f"milei-watch/{__version__} (+feed ingestion)"
    assert "application/rss+xml" in headers["accept"]
    assert headers["accept-encoding"] == "identity"  # nothing compressed, so the size cap counts real bytes


def test_a_server_that_never_answers_times_out_and_the_next_source_still_runs(tmp_path, silent_url):
    config = project(tmp_path, {"silent": silent_url, "local": "rss20.xml"})
    started = time.monotonic()
    report = ingest.ingest(config, now=NOW, timeout=FAST)
    assert time.monotonic() - started < 3
    assert result(report, "silent").line() == \
        f"silent: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (timed out after {FAST:g} s)"
    assert result(report, "local").new == 2
    assert not report.ok


def test_a_feed_that_trickles_in_hits_the_total_deadline(server):
    server.routes["/slow.xml"] = trickle(b"<", pause=0.1, times=60)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match=r"timed out after 0\.5 s"):
        fetch.fetch(server.url("/slow.xml"), timeout=FAST)
    assert time.monotonic() - started < 1.5


def test_headers_that_trickle_in_hit_the_total_deadline(server):
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        for number in range(40):  # one header line every 0.1 s: each read is quick, the whole is not
            handler.send_header(f"X-Drip-{number}", "1")
            handler.flush_headers()
            time.sleep(0.1)
        handler.end_headers()

    server.routes["/drip.xml"] = drip
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match=r"^timed out after 0\.5 s$"):
        fetch.fetch(server.url("/drip.xml"), timeout=FAST)
    assert time.monotonic() - started < 1.5


def test_a_host_name_that_takes_too_long_to_resolve_hits_the_deadline(monkeypatch):
    def slow_lookup(*args, **kwargs):
        time.sleep(3)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match=r"^timed out after 0\.5 s$"):
        fetch.fetch("http://feeds.example.invalid/feed.xml", timeout=FAST)
    assert time.monotonic() - started < 1.5


def test_a_server_that_accepts_but_never_answers_is_reported_after_the_connect_timeout(silent_url):
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match=r"^timed out after 0\.3 s$"):
        fetch.fetch(silent_url, timeout=5, connect_timeout=0.3)
    assert time.monotonic() - started < 2


def test_http_500_fails_that_source_only(tmp_path, server):
    server.routes["/broken.xml"] = send(b"oops", status=500)
    server.routes["/good.xml"] = send(fixture_bytes("atom10.xml"))
    config = project(tmp_path, {"broken": server.url("/broken.xml"), "good": server.url("/good.xml")})
    report = ingest.ingest(config, now=NOW)
    assert result(report, "broken").line() == \
        "broken: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (HTTP 500 Internal Server Error)"
    assert result(report, "good").new == 1
    state = json.loads((config.content_dir / "ingest-state.json").read_text(encoding="utf-8"))
    assert "broken" not in state["sources"]


def test_a_redirect_loop_is_reported(server):
    server.routes["/a.xml"] = redirect("/b.xml")
    server.routes["/b.xml"] = redirect(server.url("/a.xml"), 301)
    with pytest.raises(fetch.FetchError) as caught:
        fetch.fetch(server.url("/a.xml"))
    assert str(caught.value) == ("redirect loop: " + server.url("/a.xml") + " -> " + server.url("/b.xml")
                                 + " -> " + server.url("/a.xml"))


def test_five_redirects_are_followed_and_a_sixth_is_refused(server):
    for hop in range(7):
        server.routes[f"/hop{hop}.xml"] = redirect(f"/hop{hop + 1}.xml", 307)
    server.routes["/hop5.xml"] = send(fixture_bytes("rss20.xml"))
    assert fetch.fetch(server.url("/hop0.xml")).url == server.url("/hop5.xml")
    server.routes["/hop5.xml"] = redirect("/hop6.xml")
    server.routes["/hop6.xml"] = send(fixture_bytes("rss20.xml"))
    with pytest.raises(fetch.FetchError, match=r"too many redirects \(more than 5\)"):
        fetch.fetch(server.url("/hop0.xml"))


def test_relative_links_resolve_against_the_address_after_redirects(tmp_path, server):
    server.routes["/old/feed.xml"] = redirect("/feeds/relative.xml", 301)
    server.routes["/feeds/relative.xml"] = send(fixture_bytes("relative-links.xml"))
    config = project(tmp_path, {"moved": server.url("/old/feed.xml")})
    report = ingest.ingest(config, now=NOW)
    outcome = result(report, "moved")
    assert outcome.new == 1
    assert f"moved permanently to {server.url('/feeds/relative.xml')}; update its url" in outcome.line()
    [path] = inbox(config)
    text = path.read_text(encoding="utf-8")
    doc = sources.parse_source(path.read_bytes(), path.name, "inbox")
    assert doc.meta["sources"][0]["url"] == server.url("/stories/imf-relative")
    assert f'href="{server.url("/feeds/notes/background.html")}"' in text
    assert f'href="{server.url("/about")}"' in text


def test_a_response_larger_than_the_cap_is_refused(tmp_path, server):
    server.routes["/declared.xml"] = send(b"x" * 5000)
    server.routes["/undeclared.xml"] = stream(300_000)
    server.routes["/huge.xml"] = stream(6 * 1024 * 1024)
    with pytest.raises(fetch.FetchError, match="the feed is 5000 bytes, over the 1000 bytes limit"):
        fetch.fetch(server.url("/declared.xml"), max_bytes=1000)
    with pytest.raises(fetch.FetchError, match="larger than the 100000 bytes limit; stopped reading"):
        fetch.fetch(server.url("/undeclared.xml"), max_bytes=100_000)
    config = project(tmp_path, {"huge": server.url("/huge.xml"), "local": "atom10.xml"})
    report = ingest.ingest(config, now=NOW)  # the default cap
    assert result(report, "huge").line() == \
        "huge: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (the feed is larger than the 5 MB limit; stopped reading)"
    assert result(report, "local").new == 1


def test_a_body_shorter_than_its_content_length_is_an_error(tmp_path, server):
    body = fixture_bytes("rss20.xml")
    half = len(body) // 2

    def cut_short(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[:half])  # then the connection closes

    server.routes["/cut.xml"] = cut_short
    reason = f"the connection closed before the whole feed arrived ({half} of {len(body)} bytes)"
    with pytest.raises(fetch.FetchError) as caught:
        fetch.fetch(server.url("/cut.xml"), timeout=5)
    assert str(caught.value) == reason
    config = project(tmp_path, {"cut": server.url("/cut.xml"), "local": "atom10.xml"})
    report = ingest.ingest(config, now=NOW)
    assert result(report, "cut").line() == f"cut: 0 new, 0 seen, 0 skipped (not relevant), 1 failed ({reason})"
    assert result(report, "local").new == 1 and len(inbox(config)) == 1
    state = json.loads((config.content_dir / "ingest-state.json").read_text(encoding="utf-8"))
    assert "cut" not in state["sources"]


def test_a_refused_connection_is_reported(tmp_path):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(fetch.FetchError, match="connection refused"):
        fetch.fetch(f"http://127.0.0.1:{port}/feed.xml", timeout=FAST)


def test_a_good_feed_served_as_text_html_is_used_without_a_warning(tmp_path, server):
    server.routes["/feed"] = send(fixture_bytes("rss20.xml"), headers={"Content-Type": "text/html"})
    config = project(tmp_path, {"mislabelled": server.url("/feed")})
    report = ingest.ingest(config, now=NOW)
    assert result(report, "mislabelled").line() == "mislabelled: 2 new, 0 seen, 1 skipped (not relevant), 0 failed"


def test_a_web_page_instead_of_a_feed_is_reported(tmp_path, server):
    server.routes["/"] = send(b"<!DOCTYPE html><html><body><p>Home</p></body></html>",
                              headers={"Content-Type": "text/html; charset=utf-8"})
    config = project(tmp_path, {"homepage": server.url("/")})
    report = ingest.ingest(config, now=NOW)
    assert result(report, "homepage").line() == \
        "homepage: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (not a feed: the address returned a web page)"


# ---------------------------------------------------------------------------------------------
# the command

def run_command(capsys: pytest.CaptureFixture[str], root: Path, *options: str) -> tuple[int, list[str], str]:
    """`milei-watch ingest` in-process: its exit status, its standard output's lines and its standard error."""
    status = main(["ingest", "--root", str(root), *options])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_ingest_prints_a_line_per_source_and_a_total_and_exits_1_when_one_failed(tmp_path, server, capsys):
    server.routes["/broken.xml"] = send(b"oops", status=500)
    project(tmp_path, {"local": "rss20.xml", "broken": server.url("/broken.xml"), "atom": "atom10.xml"})
    status, printed, _ = run_command(capsys, tmp_path)
    assert status == 1
    assert _counts(printed) == [
        "local: 2 new, 0 seen, 1 skipped (not relevant), 0 failed",
        "broken: 0 new, 0 seen, 0 skipped (not relevant), 1 failed (HTTP 500 Internal Server Error)",
        "atom: 1 new, 0 seen, 0 skipped (not relevant), 0 failed",
        "total: 3 new, 0 seen, 1 skipped (not relevant), 1 failed; 1 of 3 sources failed",
    ]
    # each draft under its source's line, as path: title
    drafts = [line for line in printed if line.startswith("  ")]
    assert [printed.index(line) for line in drafts] == [1, 2, 5]
    for line in drafts:
        rel, title = line.strip().split(": ", 1)
        assert rel.startswith("content/inbox/") and (tmp_path / rel).is_file() and title in (tmp_path / rel).read_text()
    assert printed[-1] == f"next: edit each draft, then publish it with: milei-watch publish content/inbox/FILE.md " \
                          f"--root {tmp_path}"


def _counts(printed: list[str]) -> list[str]:
    """The lines of counts: without the drafts listed under each source and the closing hint."""
    return [line for line in printed if not line.startswith(("  ", "next: "))]


def test_ingest_exits_0_when_every_source_is_fine(tmp_path, server, capsys):
    server.routes["/feed.xml"] = send(fixture_bytes("rss10.rdf"), headers={"Content-Type": "application/rdf+xml"})
    config = project(tmp_path, {"rdf": server.url("/feed.xml"), "local": "rss091.xml"})
    status, printed, _ = run_command(capsys, tmp_path)
    assert status == 0
    assert _counts(printed)[-1] == "total: 2 new, 0 seen, 1 skipped (not relevant), 0 failed"
    assert len(inbox(config)) == 2


def test_ingest_source_option_runs_one_source(tmp_path, server, capsys):
    server.routes["/feed.xml"] = send(fixture_bytes("rss20.xml"))
    project(tmp_path, {"web": server.url("/feed.xml"), "local": "atom10.xml"})
    status, printed, _ = run_command(capsys, tmp_path, "--source", "local")
    assert status == 0
    assert _counts(printed) == ["local: 1 new, 0 seen, 0 skipped (not relevant), 0 failed",
                                "total: 1 new, 0 seen, 0 skipped (not relevant), 0 failed"]
    assert server.requests == []


def test_ingest_unknown_source_exits_2_listing_the_known_ones(tmp_path, capsys):
    project(tmp_path, {"local": "rss20.xml", "atom": "atom10.xml"})
    status, printed, errors = run_command(capsys, tmp_path, "--source", "nope")
    assert status == 2 and printed == []
    assert errors == ("content/feeds.yaml: error: no source named 'nope'\n"
                      "    hint: known sources: atom, local\n1 error\n")


def test_ingest_with_a_corrupt_state_exits_1_and_writes_nothing(tmp_path, capsys):
    config = project(tmp_path, {"local": "rss20.xml"})
    (config.content_dir / "ingest-state.json").write_text("{ not json", encoding="utf-8")
    status, printed, errors = run_command(capsys, tmp_path)
    assert status == 1 and printed == []
    assert errors.startswith("content/ingest-state.json:1:3: error: the ingest state is not valid JSON")
    assert inbox(config) == []


def test_ingest_with_a_broken_feed_list_exits_2(tmp_path, capsys):
    config = project(tmp_path, {"local": "rss20.xml"})
    (config.content_dir / "feeds.yaml").write_text("- name: local\n  path: content/rss20.xml\n  enable: no\n",
                                                   encoding="utf-8")
    status, printed, errors = run_command(capsys, tmp_path)
    assert status == 2 and printed == []
    assert errors == ("content/feeds.yaml:3: error: unknown source setting 'enable'\n"
                      "    hint: did you mean 'enabled'?\n1 error\n")
    assert inbox(config) == []


def test_ingest_dry_run_and_limit(tmp_path, capsys):
    config = project(tmp_path, {"local": "dates.xml"})
    status, printed, _ = run_command(capsys, tmp_path, "--dry-run", "--limit", "2")
    assert status == 0
    assert printed == ["local: 2 new, 0 seen, 0 skipped (not relevant), 0 failed, 5 held for the next run",
                       "  would write: Milei IMF date rfc822 utc",
                       "  would write: Milei IMF date rfc822 named zone",
                       "total: 2 new, 0 seen, 0 skipped (not relevant), 0 failed, 5 held for the next run; "
                       "dry run, nothing written"]
    assert inbox(config) == [] and not (config.content_dir / "ingest-state.json").exists()
    with pytest.raises(SystemExit) as refused:
        main(["ingest", "--root", str(tmp_path), "--limit", "0"])
    assert refused.value.code == 2
    assert "argument --limit: must be at least 1" in capsys.readouterr().err
