"""The shape of the package: a layered core without import circles, small modules and functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "odmantic"
HAND_WRITTEN = sorted(p for p in PACKAGE.rglob("*.py") if "_sync" not in p.parts)
CORE = sorted(p for p in PACKAGE.glob("*.py") if p.stem not in {"__init__", "engine", "session"})
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _imported_core_modules(path: Path) -> set[str]:
    """The `odmantic.<module>` names a module imports, `TYPE_CHECKING` imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "odmantic" and len(parts) > 1:
                found.add(parts[1])
    return found


def _graph() -> dict[str, set[str]]:
    modules = {p.stem for p in CORE}
    return {p.stem: _imported_core_modules(p) & modules - {p.stem} for p in CORE}


def test_core_has_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, int] = {}

    def visit(module: str, path: tuple[str, ...]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, "import circle: " + " -> ".join((*path, module))
        state[module] = 1
        for dep in sorted(graph[module]):
            visit(dep, (*path, module))
        state[module] = 2

    for module in sorted(graph):
        visit(module, ())


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_does_not_import_the_engines(path: Path) -> None:
    upward = _imported_core_modules(path) & {"_async", "_sync", "engine", "session"}
    if path.stem == "testing":
        upward -= {"_async", "_sync"}  # the test helpers drive both engines
    assert not upward, f"{path.name} imports the engine layer: {sorted(upward)}"


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path: Path) -> None:
    source = path.read_text()
    assert source.count("\n") <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.body[0].lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.body[0].lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"function bodies over {MAX_FUNCTION_LINES} lines: {long}"


def test_only_the_model_writes_dirty_state() -> None:
    writers = [
        str(p.relative_to(PACKAGE))
        for p in HAND_WRITTEN
        if "__fields_modified__" in p.read_text() and p.name != "model.py"
    ]
    assert writers == []
