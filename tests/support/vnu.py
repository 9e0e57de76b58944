"""Validate HTML and CSS files with the Nu Html Checker (vnu.jar)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from .tools import require_vnu

BATCH = 500


def _run(paths: list[Path], extra: list[str]) -> list[str]:
    files = [Path(p).resolve() for p in paths]
    absent = [str(p) for p in files if not p.is_file()]
    if absent:
        raise FileNotFoundError(f"cannot validate missing files: {absent[:5]}")
    errors: list[str] = []
    for start in range(0, len(files), BATCH):
        batch = files[start : start + BATCH]
        cmd = [*require_vnu(), "--format", "json", "--errors-only", "--stdout", "--no-langdetect", *extra]
        proc = subprocess.run([*cmd, *map(str, batch)], capture_output=True, text=True, timeout=900)
        try:
            messages = json.loads(proc.stdout)["messages"]
        except (ValueError, KeyError):
            raise RuntimeError(f"vnu exited {proc.returncode}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}") from None
        for m in messages:
            url = m.get("url", "")
            name = unquote(urlparse(url).path) if url.startswith("file:") else url or "?"
            line = m.get("firstLine", m.get("lastLine", 0))
            col = m.get("firstColumn", m.get("lastColumn", 0))
            errors.append(f"{name}:{line}:{col}: {m.get('message', m.get('type'))}")
    return errors


def validate_html(paths: list[Path]) -> list[str]:
    """Return `file:line:col: message` for every HTML error in paths (empty list means valid)."""
    return _run(paths, ["--html"])


def validate_css(paths: list[Path]) -> list[str]:
    """Return `file:line:col: message` for every CSS error in paths (empty list means valid)."""
    return _run(paths, ["--css"])
