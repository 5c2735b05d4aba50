"""The shape of the package: no import circle anywhere, small modules and functions, and a twin
that keeps only what needs I/O."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "odmantic"
HAND_WRITTEN = sorted(p for p in PACKAGE.rglob("*.py") if "_sync" not in p.parts)
TWIN = sorted((PACKAGE / "_async").glob("*.py"))
ADAPTER = PACKAGE / "_async" / "adapter.py"
MAX_MODULE_CODE_LINES = 400
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The package modules `path` imports (type-only and function-level imports included)."""
    found: set[str] = set()
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing package
                anchor = (package or _module_name(path)).split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            # `from m import x`: the submodule m.x when it is one, else m itself
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= submodules or ({base} & MODULES.keys())
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names} & MODULES.keys()
    found.discard(_module_name(path))
    return found


def _code_lines(source: str) -> int:
    """Lines holding code: docstrings, comments and blank lines aside."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT):
            continue
        if token.type in (tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def test_no_import_circle_in_the_package() -> None:
    graph = {name: _imports(path) for name, path in MODULES.items()}
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


@pytest.mark.parametrize(
    "path",
    [p for p in HAND_WRITTEN if "_async" not in p.parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_core_does_not_import_the_engines(path: Path) -> None:
    upward = {m for m in _imports(path) if m.startswith(("odmantic._async", "odmantic._sync"))}
    if path.stem in {"testing", "engine", "session", "__init__"} and path.parent == PACKAGE:
        return  # the public modules that re-export the engines, and the test helpers
    assert not upward, f"{path.name} imports the engine layer: {sorted(upward)}"


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path: Path) -> None:
    source = path.read_text()
    assert _code_lines(source) <= MAX_MODULE_CODE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.body[0].lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.body[0].lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"function bodies over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", TWIN, ids=lambda p: p.name)
def test_the_twin_holds_no_pure_function(path: Path) -> None:
    """A module-level function of the twin that never awaits could live below it, once: only
    the adapter keeps plain functions (their bodies differ between the twins)."""
    if path == ADAPTER:
        return
    pure = [
        node.name for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)
    ]
    assert not pure, f"{path.name}: functions without I/O belong in odmantic/_internal: {pure}"


@pytest.mark.parametrize("path", TWIN, ids=lambda p: p.name)
def test_only_the_adapter_branches_on_the_twin(path: Path) -> None:
    if path in (ADAPTER, PACKAGE / "_async" / "__init__.py"):
        return
    assert "IS_ASYNC" not in path.read_text(), f"{path.name} branches on IS_ASYNC"


def test_the_layout_rules_see_circles_and_docstrings() -> None:
    source = '"""doc\n\nmore"""\n\n# comment\nx = 1\n\n\ndef f():\n    """doc"""\n    return x\n'
    assert _code_lines(source) == 3
    assert _imports(PACKAGE / "_async" / "engine.py") >= {
        "odmantic._async.session",
        "odmantic._async.execute",
        "odmantic._internal.write_plan",
    }


def test_only_the_model_writes_dirty_state() -> None:
    writers = [
        str(p.relative_to(PACKAGE))
        for p in HAND_WRITTEN
        if "__fields_modified__" in p.read_text() and p.name != "model.py"
    ]
    assert writers == []
