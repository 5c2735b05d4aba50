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
# The engine facade shows every public method in its class body, overloads included: 20
# operations (with `watch`'s ten arguments, `check_documents`) and the session and
# transaction facades.
MAX_FACADE_CODE_LINES = 530
FACADE = PACKAGE / "_async" / "engine.py"
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


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}


def _code_line_numbers(source: str) -> set[int]:
    """The numbers of the lines holding code: docstrings, comments and blank lines aside."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, _DOCUMENTED) and node.body and isinstance(node.body[0], ast.Expr):
            first = node.body[0]
            if isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.update(range(first.lineno, (first.end_lineno or 0) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def _code_lines(source: str) -> int:
    return len(_code_line_numbers(source))


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
    if path.stem in {"testing", "engine", "session", "__init__", "migration", "cli"} and (
        path.parent == PACKAGE
    ):
        return  # the public modules that re-export or run the engines (tests, `rewrite`, CLI)
    assert not upward, f"{path.name} imports the engine layer: {sorted(upward)}"


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path: Path) -> None:
    source = path.read_text()
    code = _code_line_numbers(source)
    assert len(code) <= (MAX_FACADE_CODE_LINES if path == FACADE else MAX_MODULE_CODE_LINES)
    long = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = code & set(range(node.body[0].lineno, (node.end_lineno or 0) + 1))
            if len(body) > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({len(body)} lines)")
    assert not long, f"function bodies over {MAX_FUNCTION_LINES} lines of code: {long}"


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


def _awaits(function: ast.AsyncFunctionDef) -> bool:
    """Whether the coroutine awaits (or iterates or enters asynchronously) in its own body."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return False


@pytest.mark.parametrize("path", TWIN, ids=lambda p: p.name)
def test_every_coroutine_of_the_twin_does_io(path: Path) -> None:
    """A coroutine of the twin that never awaits is a pure function in disguise."""
    if path == ADAPTER:
        return
    idle = [
        node.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.AsyncFunctionDef)
        and not any(ast.unparse(d) in {"overload", "typing.overload"} for d in node.decorator_list)
        and not _awaits(node)
    ]
    assert not idle, f"{path.name}: coroutines that never await: {idle}"


def _is_code_read(node: ast.AST) -> bool:
    """`error.code`, `error.get("code")` or `error["code"]`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "code"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        first = node.args[0] if node.args else None
        return node.func.attr == "get" and isinstance(first, ast.Constant) and first.value == "code"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "code"
    return False


def _holds_a_number(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return any(_holds_a_number(item) for item in node.elts)
    if isinstance(node, ast.Call):  # frozenset({...})
        return any(_holds_a_number(arg) for arg in node.args)
    return False


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_server_error_codes_are_named(path: Path) -> None:
    bare = [
        f"line {node.lineno}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Compare)
        and any(_is_code_read(side) for side in [node.left, *node.comparators])
        and any(_holds_a_number(side) for side in [node.left, *node.comparators])
    ]
    assert not bare, f"{path.name}: compare an error code with a named constant: {bare}"


@pytest.mark.parametrize("path", TWIN, ids=lambda p: p.name)
def test_only_the_adapter_branches_on_the_twin(path: Path) -> None:
    if path in (ADAPTER, PACKAGE / "_async" / "__init__.py"):
        return
    assert "IS_ASYNC" not in path.read_text(), f"{path.name} branches on IS_ASYNC"


def test_the_layout_rules_see_circles_and_docstrings() -> None:
    source = '"""doc\n\nmore"""\n\n# comment\nx = 1\n\n\ndef f():\n    """doc"""\n    return x\n'
    assert _code_lines(source) == 3
    assert _code_lines('if x:\n    "a string, not a docstring"\n') == 2
    bare = ast.parse("error.code == 11000").body[0]
    assert isinstance(bare, ast.Expr) and isinstance(bare.value, ast.Compare)
    assert _is_code_read(bare.value.left) and _holds_a_number(bare.value.comparators[0])
    idle = ast.parse("async def f():\n    return 1\n").body[0]
    assert isinstance(idle, ast.AsyncFunctionDef) and not _awaits(idle)
    assert _imports(PACKAGE / "_async" / "engine.py") >= {
        "odmantic._async.session",
        "odmantic._async.execute",
        "odmantic._internal.write_plan",
    }


def test_only_the_model_writes_dirty_state() -> None:
    writers = [
        str(p.relative_to(PACKAGE))
        for p in HAND_WRITTEN
        if "__odmantic_changed__" in p.read_text() and p.name != "model.py"
    ]
    assert writers == []


def test_example_lines_fit_the_documentation_column() -> None:
    """The examples are shown in the docs' code blocks, 88 columns wide."""
    wide = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "examples").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > 88
    ]
    assert not wide, wide
