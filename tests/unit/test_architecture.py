"""ARCHITECTURE.md stays true: its module table, its layers (the single source of truth for import
rules) and its cache table, checked against the package's source."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "ARCHITECTURE.md"
PACKAGE = REPO / "src" / "milei_watch"

MODULE_HEADER = ("module", "layer")
EXCEPTION_HEADER = ("module", "imports")
CACHE_HEADER = ("file", "format")
_NAME = re.compile(r"`([^`]+)`")


# --- reading the document ---------------------------------------------------------------------

def tables(text: str) -> list[tuple[tuple[str, ...], list[list[str]]]]:
    """Every Markdown table of `text` as (header cells, rows of cells), lowercased headers."""
    found: list[tuple[tuple[str, ...], list[list[str]]]] = []
    block: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.lstrip().startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2:
            header, rows = block[0], block[1:]
            if rows and all(re.fullmatch(r":?-+:?", cell) for cell in rows[0]):
                rows = rows[1:]
            found.append((tuple(cell.lower() for cell in header), rows))
        block = []
    return found


def table(text: str, header: tuple[str, ...]) -> list[list[str]]:
    """The rows of the one table whose header starts with `header`."""
    matches = [rows for head, rows in tables(text) if head[:len(header)] == header]
    assert len(matches) == 1, f"expected one table headed {' | '.join(header)}, found {len(matches)}"
    return matches[0]


def _module(cell: str) -> str:
    """'`keys.py`' → 'keys'; a subpackage's module, '`ingest/fetch.py`' → 'ingest/fetch'."""
    match = re.fullmatch(r"`(\w+(?:/\w+)*)\.py`", cell)
    assert match, f"a module cell must read `name.py` or `package/name.py`, not {cell!r}"
    return match[1]


def module_layers(text: str) -> dict[str, int]:
    """Each module of the module table with its layer number."""
    layers: dict[str, int] = {}
    for row in table(text, MODULE_HEADER):
        name = _module(row[0])
        assert name not in layers, f"{name}.py is in the module table twice"
        layers[name] = int(row[1])
    return layers


def layering_exceptions(text: str) -> set[tuple[str, str]]:
    """(importer, imported) pairs the document allows to break the layering."""
    return {(_module(row[0]), _module(row[1])) for row in table(text, EXCEPTION_HEADER)}


def cache_files(rows: list[list[str]]) -> set[str]:
    """The file names in a cache table's first column (`a` + `b` names two)."""
    return {name for row in rows for name in _NAME.findall(row[0])}


def state_docstring(package: Path = PACKAGE) -> str:
    return ast.get_docstring(ast.parse((package / "state.py").read_text("utf-8"))) or ""


# --- reading the package ----------------------------------------------------------------------

@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    lazy: bool          # inside a function

    def __str__(self) -> str:
        where = "inside a function" if self.lazy else "at module level"
        return f"{self.importer}.py:{self.line} imports {self.imported} {where}"


def modules(package: Path = PACKAGE) -> set[str]:
    """Every module by its path in the package without .py: 'keys', 'ingest/__init__', 'ingest/fetch'."""
    return {path.relative_to(package).with_suffix("").as_posix() for path in package.rglob("*.py")}


def package_imports(package: Path = PACKAGE) -> list[Import]:
    """Every import of one package module by another, at module level or inside a function.

    Importing a subpackage's module runs the subpackage's __init__ first, so it counts as importing both."""
    names = modules(package)
    found: list[Import] = []

    def targets(parts: list[str], alias: str | None, home: list[str]) -> list[str]:
        # parts: the dotted path under the package; alias: a name imported from it; home: the importer's
        # own subpackage, whose __init__ has run before the importer anyway
        if alias is not None and "/".join(parts + [alias]) in names:
            module = "/".join(parts + [alias])
        elif alias is not None and "/".join(parts + [alias, "__init__"]) in names:
            module = "/".join(parts + [alias, "__init__"])
        elif parts and "/".join(parts) in names:
            module = "/".join(parts)
        else:  # a name defined in a package's __init__, such as `__version__`
            module = "/".join(parts + ["__init__"])
        inits = ["/".join(parts[:depth] + ["__init__"]) for depth in range(1, len(parts) + 1)
                 if parts[:depth] != home[:depth]]
        return [init for init in inits if init in names and init != module] + [module]

    for path in sorted(package.rglob("*.py")):
        importer = path.relative_to(package).with_suffix("").as_posix()
        home = importer.split("/")[:-1]  # the subpackage the importer is in; [] at the top

        def visit(node: ast.AST, lazy: bool) -> None:
            for child in ast.iter_child_nodes(node):
                inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                imported: list[str] = []
                if isinstance(child, ast.ImportFrom):
                    if 0 < child.level <= len(home) + 1:
                        base = home[:len(home) - (child.level - 1)]
                        parts = base + (child.module.split(".") if child.module else [])
                        imported = [name for alias in child.names for name in targets(parts, alias.name, home)]
                    elif child.level == 0 and child.module and child.module.split(".")[0] == package.name:
                        parts = child.module.split(".")[1:]
                        imported = [name for alias in child.names for name in targets(parts, alias.name, home)]
                elif isinstance(child, ast.Import):
                    for alias in child.names:
                        parts = alias.name.split(".")
                        if parts[0] == package.name:
                            imported += targets(parts[1:], None, home)
                for name in dict.fromkeys(imported):
                    if name != importer:
                        found.append(Import(importer, name, child.lineno, lazy))
                visit(child, inner)

        visit(ast.parse(path.read_text("utf-8"), str(path)), False)
    return found


# --- the checks -------------------------------------------------------------------------------

def table_problems(layers: dict[str, int], present: set[str]) -> list[str]:
    return [f"{name}.py is missing from the module table of ARCHITECTURE.md" for name in sorted(present - layers.keys())] + \
        [f"the module table names {name}.py, which does not exist" for name in sorted(layers.keys() - present)]


def layering_problems(imports: list[Import], layers: dict[str, int],
                      exceptions: set[tuple[str, str]]) -> list[str]:
    """Imports from a lower layer into a higher one that the document does not allow as a lazy exception."""
    problems = []
    for item in imports:
        if item.importer not in layers or item.imported not in layers:
            continue  # reported by table_problems
        if layers[item.imported] <= layers[item.importer]:
            continue
        if (item.importer, item.imported) in exceptions and item.lazy:
            continue
        problems.append(f"{item}: layer {layers[item.importer]} may not import layer {layers[item.imported]}")
    return problems


def stale_exceptions(imports: list[Import], layers: dict[str, int], exceptions: set[tuple[str, str]]) -> list[str]:
    """Listed exceptions that no longer match a lazy import going up a layer."""
    needed = {(i.importer, i.imported) for i in imports
              if i.lazy and layers.get(i.imported, -1) > layers.get(i.importer, 99)}
    return [f"the exception {a}.py → {b}.py is no longer needed" for a, b in sorted(exceptions - needed)]


def cache_problems(doc: str, docstring: str) -> list[str]:
    owned = cache_files(table(docstring, CACHE_HEADER))
    described = cache_files(table(doc, CACHE_HEADER))
    return [f"{name} (state.py) is missing from the cache table of ARCHITECTURE.md" for name in sorted(owned - described)] + \
        [f"the cache table names {name}, which state.py's docstring does not" for name in sorted(described - owned)]


# --- the document is true ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text("utf-8")


def test_every_module_is_in_the_architecture_table(doc):
    assert table_problems(module_layers(doc), modules()) == []


def test_every_import_follows_the_layers(doc):
    assert layering_problems(package_imports(), module_layers(doc), layering_exceptions(doc)) == []


def test_every_layering_exception_is_still_needed(doc):
    assert stale_exceptions(package_imports(), module_layers(doc), layering_exceptions(doc)) == []


def test_the_cache_table_matches_state_py(doc):
    assert cache_problems(doc, state_docstring()) == []


# --- the checks can fail ----------------------------------------------------------------------

def _without_line(text: str, needle: str) -> str:
    lines = text.splitlines()
    kept = [line for line in lines if needle not in line]
    assert len(kept) == len(lines) - 1, needle
    return "\n".join(kept)


def test_a_module_missing_from_the_table_is_reported(doc):
    broken = _without_line(doc, "| `keys.py` |")
    assert table_problems(module_layers(broken), modules()) == [
        "keys.py is missing from the module table of ARCHITECTURE.md"]


def test_a_table_row_for_no_module_is_reported(doc):
    broken = doc.replace("| `keys.py` |", "| `kees.py` |")
    problems = table_problems(module_layers(broken), modules())
    assert "the module table names kees.py, which does not exist" in problems


def test_an_upward_import_is_reported_from_the_layer_numbers_in_the_doc(doc):
    # keys.py imports model (layer 1); put keys below it and the import breaks the rules.
    broken = re.sub(r"(\| `keys\.py` \| )\d+", r"\g<1>0", doc)
    problems = layering_problems(package_imports(), module_layers(broken), layering_exceptions(doc))
    assert any(p.startswith("keys.py:") and "imports model at module level" in p for p in problems)


def test_an_import_inside_a_function_is_checked(tmp_path):
    package = tmp_path / "milei_watch"
    package.mkdir()
    (package / "__init__.py").write_text('__version__ = "0"\n')
    (package / "low.py").write_text("def later():\n    from . import high\n    return high\n")
    (package / "high.py").write_text("from .low import later\nfrom . import __version__\n")
    imports = package_imports(package)
    assert Import("low", "high", 2, True) in imports
    assert Import("high", "low", 1, False) in imports
    assert Import("high", "__init__", 2, False) in imports
    layers = {"__init__": 0, "low": 0, "high": 1}
    assert layering_problems(imports, layers, set()) == [
        "low.py:2 imports high inside a function: layer 0 may not import layer 1"]
    assert layering_problems(imports, layers, {("low", "high")}) == []


def test_a_subpackage_has_a_row_per_module_and_importing_one_runs_its_init(tmp_path):
    package = tmp_path / "milei_watch"
    (package / "pkg").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0"\n')
    (package / "low.py").write_text("from .pkg import part\n")
    (package / "pkg" / "__init__.py").write_text("from . import part\n")
    (package / "pkg" / "part.py").write_text("from .. import low\nfrom .. import __version__\nfrom . import other\n")
    (package / "pkg" / "other.py").write_text("")
    assert modules(package) == {"__init__", "low", "pkg/__init__", "pkg/part", "pkg/other"}
    imports = set(package_imports(package))
    assert imports == {Import("low", "pkg/__init__", 1, False), Import("low", "pkg/part", 1, False),
                       Import("pkg/__init__", "pkg/part", 1, False), Import("pkg/part", "low", 1, False),
                       Import("pkg/part", "__init__", 2, False), Import("pkg/part", "pkg/other", 3, False)}
    assert _module("`pkg/part.py`") == "pkg/part"
    layers = {"__init__": 0, "low": 0, "pkg/__init__": 2, "pkg/part": 0, "pkg/other": 0}
    assert layering_problems(sorted(imports, key=str), layers, set()) == [
        "low.py:1 imports pkg/__init__ at module level: layer 0 may not import layer 2"]


def test_an_exception_does_not_excuse_a_module_level_import(tmp_path):
    package = tmp_path / "milei_watch"
    package.mkdir()
    (package / "low.py").write_text("from . import high\n")
    (package / "high.py").write_text("")
    imports = package_imports(package)
    assert layering_problems(imports, {"low": 0, "high": 1}, {("low", "high")}) == [
        "low.py:1 imports high at module level: layer 0 may not import layer 1"]
    assert stale_exceptions(imports, {"low": 0, "high": 1}, {("low", "high")}) == [
        "the exception low.py → high.py is no longer needed"]


def test_a_cache_file_missing_from_the_doc_is_reported(doc):
    broken = _without_line(doc, "| `jobs.sqlite` |")
    assert cache_problems(broken, state_docstring()) == [
        "jobs.sqlite (state.py) is missing from the cache table of ARCHITECTURE.md"]
    half = doc.replace("| `state.pickle` + `articles/NN.marshal` |", "| `state.pickle` |")
    assert cache_problems(half, state_docstring()) == [
        "articles/NN.marshal (state.py) is missing from the cache table of ARCHITECTURE.md"]
