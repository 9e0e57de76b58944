"""A progress bar for long builds on a terminal (tqdm), silent otherwise."""

from __future__ import annotations

import sys
from typing import Any, TextIO

# Short builds finish before a bar would be readable.
MIN_PAGES = 200


class Progress:
    """Counts rendered pages; shows a bar on `stream` (stderr) only when enabled and the build is long."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self._bar: Any = None

    def start(self, total: int) -> None:
        if self.enabled and total >= MIN_PAGES:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="page", leave=False, desc="rendering",
                             file=self.stream or sys.stderr, dynamic_ncols=True)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
