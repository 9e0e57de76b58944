"""Build a project folder in-process as `milei-watch build` does, with an injected clock.

The one place the randomised tests call build(): when its signature changes, only this file follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path


def build_project(root: Path, now: dt.datetime, *, full: bool = False,
                  while_rendering: Callable[[], None] | None = None):
    """Load root's content/site.yaml afresh and build root/site/ with the clock at `now` (tz-aware).

    `while_rendering` is called at most once, after every source has been read and before any page is
    written: a save an editor makes while the build is running. It is not called when the build
    renders nothing (an unchanged site) or takes the body-only path, which reports no progress.
    """
    from milei_watch.build import build
    from milei_watch.config import load_config

    if now.tzinfo is None:
        raise ValueError("the build's clock must be timezone-aware")
    pending = [while_rendering] if while_rendering else []

    def rendering(_total: int) -> None:
        if pending:
            pending.pop()()

    return build(load_config(root), now=now, full=full, on_total=rendering)
