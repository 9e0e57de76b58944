"""Diagnostics: user mistakes with a location and a hint, printed GCC-style."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, NamedTuple


class Location(NamedTuple):
    """A place in a file, shown relative to the project root."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


class Diagnostic(NamedTuple):
    """One problem found in the input, with what to do about it."""

    location: Location
    message: str
    hint: str = ""
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class BuildError(Exception):
    """Raised when the input has errors; carries every diagnostic of the run."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__(format_report(self.diagnostics))

    def __reduce__(self):
        # Raised in a render worker, it crosses back to the build as a pickle: rebuild it from its
        # diagnostics (the default would call __init__ with the message, and the pool would hang).
        return type(self), (self.diagnostics,)


class ConfigError(BuildError):
    """A problem in content/site.yaml: nothing can be built until it is fixed (exit code 2)."""


class UsageError(BuildError):
    """A mistake on the command line, such as an --out folder the build may not write (exit code 2)."""


def format_report(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics sorted, one per line, followed by counts."""
    items = sorted(diagnostics)
    lines = [d.format() for d in items]
    parts = []
    for severity in ("error", "warning", "note"):  # a note is for information: --strict ignores it
        count = sum(1 for d in items if d.severity == severity)
        if count:
            parts.append(f"{count} {severity}{'s' if count != 1 else ''}")
    if parts:
        lines.append(", ".join(parts))
    return "\n".join(lines)


def relative(path: Path, root: Path) -> str:
    """A path as shown to the user: relative to the project root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known word most like `word`, if one is close enough to be a likely typo."""
    import difflib  # only ever needed to explain a mistake

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], known: str = "keys") -> str:
    """A hint naming the closest known word, or listing the known words ("known topics: …")."""
    choices = sorted(choices)
    close = closest(word, choices)
    if close:
        return f"did you mean '{close}'?"
    return f"known {known}: " + ", ".join(choices)
