"""YAML parsing with libyaml when present, and line lookup for diagnostics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

try:  # libyaml is ten times faster; fall back to the pure-Python loader
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


class YamlProblem(Exception):
    """A YAML syntax error with its 1-based line inside the parsed text."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str) -> Any:
    """Parse YAML text; syntax errors become YamlProblem with a line."""
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", 1) from None


def line_of(text: str, path: tuple[Any, ...]) -> int:
    """1-based line of the value at `path` (keys and list indexes), or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return 1
    line = 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if key.value == step:
                    found = (key, value)
                    break
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def type_name(value: Any) -> str:
    """How a YAML value's type is named to an editor."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime | dt.date):
        return "a date"
    return type(value).__name__
