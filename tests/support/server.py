"""Serve a directory over HTTP on 127.0.0.1 for browser tests."""

from __future__ import annotations

import gzip
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that does not log requests."""

    def log_message(self, format: str, *args: object) -> None:
        pass


_TEXT = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


class _CompressingHandler(_QuietHandler):
    """Static file handler that gzips text, as static hosts (GitHub Pages among them) do."""

    def send_head(self):  # noqa: ANN201 - SimpleHTTPRequestHandler's own signature
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        kind = self.guess_type(path)
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not os.path.isfile(path) \
                or not kind.startswith(_TEXT):
            return super().send_head()
        with open(path, "rb") as handle:
            data = gzip.compress(handle.read(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


@contextmanager
def serve_directory(path: Path | str, *, compress: bool = False) -> Iterator[str]:
    """Serve path on a free port in a background thread; yield the base URL ending in '/'. With `compress`,
    text is sent gzipped to clients that accept it, as a real host sends it."""
    handler = partial(_CompressingHandler if compress else _QuietHandler, directory=str(path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serve_directory", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
