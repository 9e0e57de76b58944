"""YAML parsing with libyaml when present, and line lookup for diagnostics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

try:  # libyaml is ten times faster; fall back to the pure-Python loader
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


class _Loader(SafeLoader):
    """The safe loader, except that an impossible date (2026-13-45) stays text for validation to name."""


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # PyYAML raises a bare ValueError, without a line, for a date that does not exist
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class YamlProblem(Exception):
    """A YAML syntax error with its 1-based line inside the parsed text."""

    def __init__(self, message: str, line: int, context: str = "", context_line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.context = context            # e.g. "while parsing a flow sequence"
        self.context_line = context_line  # 1-based line where that construct opened, when not `line`

    def describe(self, offset: int = 0) -> str:
        """The message, naming the line where an unclosed construct opened (shifted by `offset`)."""
        if not self.context_line:
            return self.message
        what = self.context.removeprefix("while parsing ").removeprefix("while scanning ")
        return f"{self.message} ({what} opened on line {self.context_line + offset})"


def parse(text: str) -> Any:
    """Parse YAML text; syntax errors become YamlProblem with a line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        context_line = 0
        if exc.problem and exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            context_line = exc.context_mark.line + 1
        raise YamlProblem(f"invalid YAML: {problem}", line, exc.context or "", context_line) from None
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


class _FrontMatterDumper(yaml.SafeDumper):
    """yaml.SafeDumper that writes datetimes as ISO 8601 with a 'T' and offset, as editors write them."""


_FrontMatterDumper.add_representer(
    dt.datetime, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp",
                                                               value.isoformat(timespec="seconds")))


def dump_front_matter(meta: dict[str, Any], *, flow_lists: bool) -> str:
    """Front matter that `parse` reads back as `meta`, keys in the given order, between '---' lines.

    Safe for any text (quotes, colons, '#' in titles); lists inline (`topics: [economy]`) with
    `flow_lists`, one item a line otherwise."""
    front = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=None if flow_lists else False, width=4096)
    return f"---\n{front}---\n"
