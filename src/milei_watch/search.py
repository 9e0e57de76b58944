"""The search index: Pagefind run over a finished site tree, isolated from the working folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import output
from .errors import BuildError, Diagnostic, Location

HINT = "install pagefind with its binary: pip install 'pagefind[bin]' (or set search: false in content/site.yaml)"


def index_site(tree: Path, work_dir: Path) -> None:
    """Build the Pagefind index of `tree` into `tree/pagefind`; failure is a BuildError and leaves
    the tree's old index in place.

    Pagefind runs with `python -I` (no current folder, PYTHONPATH or user site on its import path)
    from the build's own temporary folder, so nothing in the folder the build was started from runs."""
    work_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="pagefind-", dir=work_dir))
    fresh = scratch / "pagefind"
    command = [sys.executable, "-I", "-m", "pagefind", "--site", str(tree), "--output-path", str(fresh), "--silent"]
    try:
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=scratch)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError([Diagnostic(Location("site/pagefind"), f"the search index could not be made: {exc}",
                                         HINT)]) from None
        if result.returncode != 0 or not (fresh / "pagefind.js").is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:] or [f"exit status {result.returncode}"]
            raise BuildError([Diagnostic(Location("site/pagefind"),
                                         "the search index could not be made: " + " / ".join(detail), HINT)])
        _sort_languages(fresh / "pagefind-entry.json")
        output.replace_tree(fresh, tree / "pagefind")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _sort_languages(entry: Path) -> None:
    """List the index's languages in a fixed order: Pagefind writes them in an order that changes
    from run to run, and a build's output must be the same bytes for the same input. Its search
    script looks a language up by name, so the order changes nothing for readers."""
    import json  # only when an index is made: a build with nothing to index does without it

    try:
        data = json.loads(entry.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError([Diagnostic(Location("site/pagefind"), f"the search index could not be made: {exc}",
                                     HINT)]) from None
    if isinstance(data, dict) and isinstance(data.get("languages"), dict):
        data["languages"] = dict(sorted(data["languages"].items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")


def present(tree: Path) -> bool:
    """True when `tree` holds a whole search index."""
    return (tree / "pagefind" / "pagefind.js").is_file()
