"""Serve a directory over HTTP on 127.0.0.1 for browser tests."""

from __future__ import annotations

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


@contextmanager
def serve_directory(path: Path | str) -> Iterator[str]:
    """Serve path on a free port in a background thread; yield the base URL ending in '/'."""
    handler = partial(_QuietHandler, directory=str(path))
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
