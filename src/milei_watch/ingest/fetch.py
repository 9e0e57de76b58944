"""HTTP for ingest: one GET with a deadline, a size cap, counted redirects and conditional headers."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .. import __version__

DEFAULT_TIMEOUT = 20.0
CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
DEADLINE_GRACE = 0.25  # seconds past the deadline before a stalled request is abandoned
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")


@dataclass(frozen=True, slots=True)
class Response:
    """What a feed address answered: its final address, status, body and lower-cased headers."""

    url: str
    status: int
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    moved_to: str = ""  # set when every redirect was permanent: the address feeds.yaml should use

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")


class FetchError(Exception):
    """A feed could not be fetched; the message says why in an editor's words."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands every redirect back to `fetch`, which counts hops and detects loops itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib hook
        return None


def user_agent() -> str:
    """The User-Agent sent with every request, so publishers can see who is reading."""
    return f"milei-watch/{__version__} (+feed ingestion)"


def is_web_address(url: str) -> bool:
    """Whether `url` is an absolute http(s) address with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket in a hostile link
        return False


def fetch(url: str, *, etag: str = "", last_modified: str = "", timeout: float = DEFAULT_TIMEOUT,
          connect_timeout: float = CONNECT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS) -> Response:
    """GET `url` within `timeout` seconds in all; raise FetchError on any failure.

    The request runs in a helper thread so that the deadline also holds where sockets give no
    handle on time: a host name that takes long to resolve, or headers that arrive a line at a time.
    A request abandoned at the deadline ends on its own socket timeouts; its thread is a daemon."""
    if not is_web_address(url):
        raise FetchError(f"{url!r} is not an http(s) address")
    outcome: list[Response | BaseException] = []

    def run() -> None:
        try:
            outcome.append(_fetch(url, etag, last_modified, timeout, connect_timeout, max_bytes, max_redirects))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            outcome.append(exc)

    worker = threading.Thread(target=run, name="milei-watch-fetch", daemon=True)
    worker.start()
    worker.join(timeout + DEADLINE_GRACE)  # the request's own deadline checks answer first when they can
    if not outcome:
        raise FetchError(f"timed out after {timeout:g} s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _fetch(url: str, etag: str, last_modified: str, timeout: float, connect_timeout: float, max_bytes: int,
           max_redirects: int) -> Response:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirects)
    headers = {"User-Agent": user_agent(), "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    visited = [url]
    permanent = True
    current = url
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s")
        request = urllib.request.Request(current, headers=headers)
        try:
            with opener.open(request, timeout=min(connect_timeout, remaining)) as answer:
                data = _read_capped(answer, deadline, timeout, max_bytes)
                moved = current if permanent and current != url else ""
                return Response(current, answer.status, data, lower_headers(answer.headers), moved)
        except urllib.error.HTTPError as exc:
            answer_headers = lower_headers(exc.headers or {})
            exc.close()
            if exc.code == 304:
                return Response(current, 304, b"", answer_headers)
            if exc.code not in REDIRECTS:
                raise FetchError(f"HTTP {exc.code} {exc.reason}".rstrip()) from None
            location = answer_headers.get("location", "")
            if not location:
                raise FetchError(f"HTTP {exc.code} redirect without a Location header") from None
            target = urljoin(current, location.strip())
            if not is_web_address(target):
                raise FetchError(f"redirected to {target!r}, which is not an http(s) address") from None
            if target in visited:
                raise FetchError("redirect loop: " + " -> ".join(visited + [target])) from None
            if len(visited) > max_redirects:
                raise FetchError(f"too many redirects (more than {max_redirects}), last to {target}") from None
            permanent = permanent and exc.code in PERMANENT
            visited.append(target)
            current = target
        except FetchError:
            raise
        except Exception as exc:  # noqa: BLE001 - every network failure becomes one readable reason
            # a socket timeout before the deadline is the connect timeout (or one header's wait)
            waited = timeout if time.monotonic() >= deadline - 0.05 else connect_timeout
            raise FetchError(_describe(exc, waited)) from None


def _read_capped(answer: http.client.HTTPResponse, deadline: float, timeout: float, max_bytes: int) -> bytes:
    """The body, read in chunks so both the total deadline and the size cap hold while it arrives."""
    declared = answer.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the feed is {int(declared)} bytes, over the {_size(max_bytes)} limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s while reading the feed")
        _shorten_wait(answer, remaining)
        chunk = answer.read1(CHUNK)
        if not chunk:
            # http.client ends a body at the connection's close without checking it against
            # Content-Length; a feed cut short would otherwise be parsed as a shorter feed
            if declared.isdigit() and size < int(declared):
                raise FetchError(f"the connection closed before the whole feed arrived "
                                 f"({size} of {int(declared)} bytes)")
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the feed is larger than the {_size(max_bytes)} limit; stopped reading")
        chunks.append(chunk)


def _shorten_wait(answer: http.client.HTTPResponse, seconds: float) -> None:
    """Make one blocked read give up at the deadline rather than a full socket timeout later."""
    # http.client keeps its socket private; when it can be reached, shrinking its timeout is the
    # only way to bound a single stalled read. When it cannot, the connect timeout still bounds it.
    sock = getattr(getattr(getattr(answer, "fp", None), "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(max(seconds, 0.001))


def _describe(exc: BaseException, timeout: float) -> str:
    """An editor-readable reason for a network failure."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, str):
        return reason
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return f"cannot find the host ({reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return f"secure connection failed ({reason.reason or reason})"
    if isinstance(reason, http.client.IncompleteRead):
        return "the connection closed before the whole feed arrived"
    if isinstance(reason, http.client.HTTPException):
        return f"invalid HTTP response ({type(reason).__name__}: {reason})"
    if isinstance(reason, OSError):
        return f"connection failed ({reason.strerror or reason})"
    if isinstance(reason, ValueError):
        return f"invalid address ({reason})"
    return f"{type(reason).__name__}: {reason}"


def lower_headers(headers) -> dict[str, str]:
    """Header names lowercased, values as text: how every header lookup here is made."""
    return {str(name).lower(): str(value) for name, value in headers.items()}


def _size(count: int) -> str:
    return f"{count / 1_048_576:g} MB" if count >= 1_048_576 else f"{count} bytes"
