"""What ingest remembers between runs, content/ingest-state.json: the stories seen and each feed's validators."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..config import STATE_FILE, SiteConfig
from ..errors import BuildError, Diagnostic, Location
from ..output import write_atomic

STATE_FORMAT = 1
_STATE_HINT = ("restore it from version control (git checkout -- content/ingest-state.json); deleting it makes "
               "ingest forget what it has seen and write every story again")


@dataclass(frozen=True, slots=True)
class SourceState:
    """What ingest remembers about one source between runs."""

    etag: str = ""
    last_modified: str = ""
    seen: frozenset[str] = frozenset()


def load_state(config: SiteConfig) -> dict[str, SourceState]:
    """What earlier runs saw, per source; a missing file is a first run, a corrupt one an error."""
    path = config.root / STATE_FILE
    if not path.exists():
        return {}

    def fail(message: str, line: int = 1, column: int = 0) -> BuildError:
        return BuildError([Diagnostic(Location(STATE_FILE, line, column), message, _STATE_HINT)])

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise fail("the ingest state is not UTF-8 text") from None
    except OSError as exc:
        raise fail(f"cannot read the ingest state: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"the ingest state is not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict) or set(data) - {"format", "sources"}:
        raise fail("the ingest state must be a JSON object with 'format' and 'sources'")
    if data.get("format", STATE_FORMAT) != STATE_FORMAT:
        raise fail(f"unknown ingest state format {data.get('format')!r}", _line_of(text, '"format"'))
    entries = data.get("sources", {})
    if not isinstance(entries, dict):
        raise fail("'sources' in the ingest state must be an object", _line_of(text, '"sources"'))
    states: dict[str, SourceState] = {}
    for name, entry in entries.items():
        line = _line_of(text, json.dumps(name))
        if not isinstance(entry, dict) or set(entry) - {"etag", "last_modified", "seen"}:
            raise fail(f"the state of source '{name}' must be an object with etag, last_modified and seen", line)
        seen = entry.get("seen", [])
        etag, modified = entry.get("etag", ""), entry.get("last_modified", "")
        if not isinstance(seen, list) or not all(isinstance(key, str) for key in seen) \
                or not isinstance(etag, str) or not isinstance(modified, str):
            raise fail(f"the state of source '{name}' has a value of the wrong type", line)
        states[name] = SourceState(etag, modified, frozenset(seen))
    return states


def save_state(config: SiteConfig, states: Mapping[str, SourceState]) -> None:
    """Write the state atomically, in a stable order that diffs well in version control."""
    path = config.root / STATE_FILE
    data = {"format": STATE_FORMAT, "sources": {}}
    for name, state in states.items():
        entry: dict[str, Any] = {"seen": sorted(state.seen)}
        if state.etag:
            entry["etag"] = state.etag
        if state.last_modified:
            entry["last_modified"] = state.last_modified
        data["sources"][name] = entry
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise BuildError([Diagnostic(Location(STATE_FILE), f"cannot write the ingest state: {exc.strerror}",
                                     "check that the content folder is writable")]) from None


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


