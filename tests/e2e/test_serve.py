"""`milei-watch serve`: confined to the output folder, right content types, rebuilds, error page, clean stop."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from milei_watch.cli import _parser
from milei_watch.config import load_config
from milei_watch.serve import EVENTS_PATH, DevServer
from tests.conftest import FIXED_NOW, copy_site

RELOAD_MARK = b"data-milei-watch-reload"


def _start(root: Path, **options) -> DevServer:
    return DevServer(load_config(root), "127.0.0.1", 0, now=FIXED_NOW, **options).start()


@pytest.fixture
def dev(site_root):
    """A server of its own, for tests that edit content."""
    server = _start(site_root)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server shared by the tests that only read, with a secret next to the output folder."""
    root = copy_site(tmp_path_factory.mktemp("served") / "project")
    (root / "secret.txt").write_text("TOP SECRET", "utf-8")
    server = _start(root)
    yield server
    server.stop()


def raw_get(server: DevServer, target: str, method: str = "GET",
            host: str | None = "localhost") -> tuple[int, dict[str, str], bytes]:
    """A request sent byte for byte, so that no client library normalises the path or the Host header."""
    with socket.create_connection(server.address, timeout=10) as sock:
        header = "" if host is None else f"Host: {host}\r\n"
        sock.sendall(f"{method} {target} HTTP/1.0\r\n{header}\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --- where it listens and what it serves ---------------------------------------------------------


def test_binds_to_localhost_unless_told_otherwise(served):
    assert _parser().parse_args(["serve"]).host == "127.0.0.1"
    assert _parser().parse_args(["serve"]).port == 8000
    assert served.address[0] == "127.0.0.1"
    assert served.url == f"http://127.0.0.1:{served.address[1]}/"


@pytest.mark.parametrize("target", [
    "/../../etc/passwd",
    "/articles/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/static/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/%2fsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/index.html%00.css",
    "/index.html\x00",
    "/./secret.txt",
    "//../secret.txt",
])
def test_refuses_paths_outside_the_output_folder(served, target):
    status, _, body = raw_get(served, target)
    assert status == 404
    assert b"TOP SECRET" not in body


@pytest.mark.parametrize("target", [
    "/" + "a" * 300,
    "/articles/" + "%C3%B1" * 150 + "/",        # 300 bytes once decoded
    "/articles/deuda-y-fmi/" + "b" * 256,
    "/" + "a/" * 3000,                           # every segment short, the whole longer than a path can be
])
def test_overlong_paths_get_a_client_error_without_a_traceback(served, capfd, target):
    status, _, body = raw_get(served, target)
    assert 400 <= status < 500
    assert b"TOP SECRET" not in body
    assert "Traceback" not in capfd.readouterr().err
    assert raw_get(served, "/")[0] == 200  # and the server carries on


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:{port}", "localhost.evil.example", "127.0.0.1.nip.io:{port}", "[::2]", None, "",
])
def test_requests_addressed_to_another_host_are_refused(served, host):
    host = None if host is None else host.format(port=served.address[1])
    for target in ("/", "/articles/deuda-y-fmi/", "/feed.xml", "/" + EVENTS_PATH):
        status, _, body = raw_get(served, target, host=host)
        assert status == 403, (target, host)
        assert b"<title>" not in body and b"<item>" not in body and b"event:" not in body


@pytest.mark.parametrize("host", ["localhost", "LocalHost:{port}", "127.0.0.1", "127.0.0.1:{port}", "[::1]",
                                  "[::1]:{port}"])
def test_requests_addressed_to_this_server_are_answered(served, host):
    status, _, body = raw_get(served, "/", host=host.format(port=served.address[1]))
    assert status == 200 and b"<title>Fixture Watch" in body


def test_the_host_given_is_accepted_and_a_wildcard_host_accepts_addresses_not_names():
    from milei_watch.serve import host_allowed

    assert host_allowed("192.168.1.5:8000", "192.168.1.5")
    assert host_allowed("devbox.lan", "devbox.lan")
    assert not host_allowed("192.168.1.6", "192.168.1.5")
    assert host_allowed("[fe80::1]:8000", "::") and host_allowed("10.0.0.2", "0.0.0.0")
    assert not host_allowed("rebound.example:8000", "0.0.0.0")
    assert not host_allowed("localhost:80x", "127.0.0.1") and not host_allowed("user@localhost", "127.0.0.1")


def test_refuses_symlinks_that_leave_the_output_folder(dev):
    (dev.config.root / "secret.txt").write_text("TOP SECRET", "utf-8")
    os.symlink(dev.config.root / "secret.txt", dev.config.output_dir / "leak.txt")
    status, _, body = raw_get(dev, "/leak.txt")
    assert status == 404 and b"TOP SECRET" not in body


def test_missing_page_gets_the_site_404_page(served):
    status, headers, body = raw_get(served, "/articles/no-such-story/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body.replace(RELOAD_MARK, b"").startswith(b"<!doctype html>")
    assert b"<title>Page not found" in body
    assert RELOAD_MARK in body


def test_pretty_urls(served):
    status, headers, body = raw_get(served, "/articles/deuda-y-fmi/")
    assert status == 200
    on_disk = (served.config.output_dir / "articles" / "deuda-y-fmi" / "index.html").read_bytes()
    assert body.replace(body[body.index(b"<script data-milei-watch-reload"):body.index(b"</script>\n</body>") + 10],
                        b"") == on_disk
    status, headers, _ = raw_get(served, "/articles/deuda-y-fmi?x=1")
    assert status == 301 and headers["location"] == "/articles/deuda-y-fmi/?x=1"
    status, _, body = raw_get(served, "/")
    assert status == 200 and b"<title>Fixture Watch" in body
    status, headers, body = raw_get(served, "/articles/deuda-y-fmi/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > len(on_disk)


@pytest.mark.parametrize("target, kind", [
    ("/feed.xml", "application/xml; charset=utf-8"),
    ("/atom.xml", "application/xml; charset=utf-8"),
    ("/topics/economy/feed.xml", "application/xml; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/feed.json", "application/json"),
    ("/static/style.css", "text/css; charset=utf-8"),
    ("/static/search.js", "text/javascript; charset=utf-8"),
    ("/static/favicon.svg", "image/svg+xml"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/404.html", "text/html; charset=utf-8"),
])
def test_content_types(served, target, kind):
    status, headers, body = raw_get(served, target)
    assert status == 200
    assert headers["content-type"] == kind
    assert (RELOAD_MARK in body) == kind.startswith("text/html")
    if not kind.startswith("text/html"):
        assert body == (served.config.output_dir / target.lstrip("/")).read_bytes()


def test_serves_a_sub_path_base_url_under_that_path(tmp_path):
    root = copy_site(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("https://fixture.example.org/",
                                                        "https://example.org/milei-watch/"), "utf-8")
    server = _start(root)
    try:
        assert server.url.endswith("/milei-watch/")
        status, _, body = raw_get(server, "/milei-watch/articles/deuda-y-fmi/")
        assert status == 200 and b'href="/milei-watch/static/style.css"' in body
        assert b'new EventSource("/milei-watch/__milei_watch/events")' in body
        assert raw_get(server, "/milei-watch/static/style.css")[0] == 200
        status, headers, _ = raw_get(server, "/")
        assert status == 301 and headers["location"] == "/milei-watch/"
        assert raw_get(server, "/articles/deuda-y-fmi/")[0] == 404
        assert raw_get(server, "/milei-watchers/")[0] == 404
    finally:
        server.stop()


# --- rebuilding ----------------------------------------------------------------------------------


def test_files_written_by_build_carry_no_reload_script(dev):
    article = dev.config.content_dir / "articles" / "china-russia.md"
    article.write_text(article.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    wait_for(lambda: b"One more line." in raw_get(dev, "/articles/china-russia-and-the-region/")[2])
    for path in dev.config.output_dir.rglob("*"):
        if path.is_file():
            assert b"milei_watch" not in path.read_bytes() and RELOAD_MARK not in path.read_bytes(), path


def test_error_page_until_the_mistake_is_fixed(dev):
    out = dev.config.output_dir
    good = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    article = dev.config.content_dir / "articles" / "china-russia.md"
    text = article.read_text("utf-8")
    article.write_text(text.replace("topics: [regional]", "topics: ['<b>regionl</b>']"), "utf-8")

    wait_for(lambda: raw_get(dev, "/")[0] == 500)

    for target in ("/", "/articles/deuda-y-fmi/", "/no-such-page/"):
        status, headers, body = raw_get(dev, target)
        assert status == 500 and headers["content-type"] == "text/html; charset=utf-8"
        assert b"content/articles/china-russia.md:4: error: unknown topic &#x27;&lt;b&gt;regionl&lt;/b&gt;&#x27;" \
            in body
        assert b"<b>regionl" not in body
        assert RELOAD_MARK in body
    assert raw_get(dev, "/static/style.css")[0] == 200  # assets still load
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == good  # the last good site stays

    article.write_text(text.replace("A contrast", "Fixed: a contrast"), "utf-8")
    wait_for(lambda: raw_get(dev, "/")[0] == 200)
    assert b"Fixed: a contrast" in raw_get(dev, "/articles/china-russia-and-the-region/")[2]


def test_template_error_shows_too(dev):
    template = dev.config.templates_dir / "page.html"
    text = template.read_text("utf-8")
    template.write_text(text.replace("<h1>{{ doc.title }}</h1>", "<h1>{{ doc.no_such_field }}</h1>"), "utf-8")
    wait_for(lambda: raw_get(dev, "/about/")[0] == 500)
    assert b"templates/page.html" in raw_get(dev, "/about/")[2]
    template.write_text(text, "utf-8")
    wait_for(lambda: raw_get(dev, "/about/")[0] == 200)


def test_event_stream_announces_each_rebuild(dev):
    host, port = dev.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/" + EVENTS_PATH)
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_state() -> str:
        while True:
            line = response.fp.readline().decode()
            if line.startswith("data: "):
                return line[6:].strip()

    first = next_state()
    assert first == dev.state
    article = dev.config.content_dir / "articles" / "china-russia.md"
    article.write_text(article.read_text("utf-8") + "\nNew paragraph.\n", "utf-8")
    second = next_state()
    assert second != first and second == dev.state
    connection.close()


def test_saving_without_changes_does_not_reload(dev):
    state = dev.state
    article = dev.config.content_dir / "articles" / "china-russia.md"
    saved = article.with_suffix(".md.tmp")  # as editors save: a new file renamed over the old one
    saved.write_bytes(article.read_bytes())
    os.replace(saved, article)
    time.sleep(1.0)
    assert dev.state == state


def test_editors_temporary_files_neither_rebuild_nor_show_in_the_log(site_root):
    lines: list[str] = []
    server = _start(site_root, log=lines.append)
    try:
        state, logged = server.state, len(lines)
        articles = site_root / "content" / "articles"
        noise = [articles / ".china-russia.md.swp", articles / "china-russia.md~", articles / "sedG3ByUG",
                 articles / "4913", articles / "#china-russia.md#", articles / "china-russia.md.tmp",
                 site_root / "content" / ".ingest-state.json.12517.tmp", site_root / "templates" / "page.html~",
                 site_root / "templates" / ".#page.html"]
        for path in noise:
            path.write_text("an editor's scratch copy\n", "utf-8")
        for path in noise[:4]:
            path.write_text("saved again\n", "utf-8")
            path.unlink()
        time.sleep(1.5)  # longer than the watcher's grouping of changes
        assert lines[logged:] == [] and server.state == state

        article = articles / "china-russia.md"
        article.write_text(article.read_text("utf-8") + "\nA real edit.\n", "utf-8")
        wait_for(lambda: any("built" in line for line in lines[logged:]))
        changed = [line for line in lines[logged:] if "changed:" in line]
        assert len(changed) == 1 and changed[0].endswith("changed: content/articles/china-russia.md"), changed
    finally:
        server.stop()


def test_stop_ends_threads_and_open_streams(site_root):
    others = set(threading.enumerate())
    server = _start(site_root)
    host, port = server.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/" + EVENTS_PATH)
    response = connection.getresponse()
    response.fp.readline()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert not [t for t in set(threading.enumerate()) - others if t.name.startswith("milei-watch")]
    assert response.read() is not None  # the stream ended rather than hanging
    with pytest.raises(OSError):
        socket.create_connection((host, port), timeout=2).close()
    server.stop()  # a second stop is harmless


# --- the command -----------------------------------------------------------------------------------


def test_serve_command_prints_the_url_and_stops_cleanly_on_ctrl_c(site_root):
    process = subprocess.Popen([sys.executable, "-m", "milei_watch", "serve", "--port", "0", "--root", str(site_root),
                                "--now", FIXED_NOW.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+)/) \(press Ctrl-C to stop\)\n", line)
        assert match, line + process.stderr.read()
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(2)), timeout=10)
        connection.request("GET", "/articles/deuda-y-fmi/")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert re.search(r"built \d+ pages: \d+ written", err)
    assert err.rstrip().endswith("stopping")
    assert not list((site_root / "site").rglob("*.html")) == []


def test_serve_reports_a_busy_port(site_root):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "milei_watch", "serve", "--port", str(port),
                                 "--root", str(site_root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr
