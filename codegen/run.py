"""Files, header, ruff, the whole-tree checks, and the write / --check modes."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from pathlib import Path

from codegen.names import KEEP_MARKER, MUST_FIRE
from codegen.transform import CodegenError, Problem, transform

REPO_ROOT = Path(__file__).resolve().parent.parent
PAIRS = (
    ("odmantic/_async", "odmantic/_sync"),
    ("tests/_async", "tests/_sync"),
    ("examples/_async", "examples/_sync"),
)
HEADER = "# generated from {source} by codegen; do not edit"
HEADER_RE = re.compile(r"# generated from \S+ by codegen; do not edit\n?")
FORBIDDEN_RE = re.compile(r"(?i)\basync(?:hronous)?\b|\bawait\b|asyncio|anyio")


def run_ruff(code: str, out_rel: str, root: Path) -> str:
    """Sort imports, drop unused ones (I, F401), then format, with the project's ruff config."""
    out = root / out_rel
    # F401 never autofixes in __init__.py, so the fix pass uses a sibling name in the same dir.
    fix_name = out.with_name("_codegen_stdin.py")
    steps = (
        ["check", "--fix-only", "--exit-zero", "--select", "I,F401", "--stdin-filename", fix_name],
        ["format", "--stdin-filename", out],
    )
    for args in steps:
        cmd = [sys.executable, "-m", "ruff", *map(str, args), "-"]
        proc = subprocess.run(cmd, input=code, capture_output=True, text=True, cwd=root)
        if proc.returncode != 0:
            raise CodegenError([Problem(out_rel, 1, f"ruff {args[0]} failed: {proc.stderr}")])
        code = proc.stdout
    return code


def scan_output(text: str, out_rel: str) -> None:
    """Fail on any line but the header and kept ones that still says async/await/asyncio/anyio."""
    problems = [
        Problem(out_rel, number, f"forbidden word left in sync output: {line.strip()!r}")
        for number, line in enumerate(text.splitlines()[1:], start=2)
        if FORBIDDEN_RE.search(line) and not line.rstrip().endswith(KEEP_MARKER)
    ]
    if problems:
        raise CodegenError(problems)


def generate_text(
    source: str, src_rel: str, out_rel: str, root: Path = REPO_ROOT, fired: set[str] | None = None
) -> str:
    """The complete sync file for one async source: transform, header, ruff, final scan."""
    if match := HEADER_RE.match(source):  # regenerating an output must give the output back
        source = source[match.end() :]
    code = HEADER.format(source=src_rel) + "\n" + transform(source, src_rel, fired)
    text = run_ruff(code, out_rel, root)
    scan_output(text, out_rel)
    return text


def check_unfired(fired: set[str], must_fire: frozenset[str] = MUST_FIRE) -> None:
    """Fail naming every table entry we added that never fired over the whole source tree."""
    missing = sorted(must_fire - fired)
    if missing:
        names_py = Path(__file__).with_name("names.py")
        lines = names_py.read_text().splitlines()
        raise CodegenError(
            [
                Problem(
                    "codegen/names.py",
                    next((i for i, ln in enumerate(lines, 1) if f'"{key}":' in ln), 1),
                    f"table entry {key!r} never fired anywhere in the sources; remove it",
                )
                for key in missing
            ]
        )


def sources(root: Path) -> dict[str, str]:
    """Map every output path (relative, posix) to its source path."""
    pairs: dict[str, str] = {}
    for src_dir, out_dir in PAIRS:
        for src in sorted((root / src_dir).rglob("*.py")):
            rel = src.relative_to(root / src_dir).as_posix()
            pairs[f"{out_dir}/{rel}"] = f"{src_dir}/{rel}"
    return pairs


def existing_outputs(root: Path) -> list[str]:
    """Every ``*.py`` currently in the output directories (relative, posix)."""
    return [
        path.relative_to(root).as_posix()
        for _, out_dir in PAIRS
        for path in sorted((root / out_dir).rglob("*.py"))
    ]


def build(root: Path = REPO_ROOT, must_fire: frozenset[str] = MUST_FIRE) -> dict[str, str]:
    """Generate every output in memory; raise one CodegenError listing all problems."""
    fired: set[str] = set()
    outputs: dict[str, str] = {}
    problems: list[Problem] = []
    for out_rel, src_rel in sources(root).items():
        try:
            source = (root / src_rel).read_text(encoding="utf-8")
            outputs[out_rel] = generate_text(source, src_rel, out_rel, root, fired)
        except CodegenError as exc:
            problems.extend(exc.problems)
    if not problems:
        try:
            check_unfired(fired, must_fire)
        except CodegenError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CodegenError(problems)
    return outputs


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def write(root: Path = REPO_ROOT, must_fire: frozenset[str] = MUST_FIRE) -> list[str]:
    """Regenerate: write changed outputs, delete orphans carrying our header; return touched paths."""
    outputs = build(root, must_fire)
    touched = []
    for out_rel, text in outputs.items():
        path = root / out_rel
        if _read(path) != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            touched.append(out_rel)
    for out_rel in existing_outputs(root):
        if out_rel not in outputs:
            if HEADER_RE.match(_read(root / out_rel) or ""):
                (root / out_rel).unlink()
                touched.append(out_rel)
            else:
                print(f"{out_rel}: no source and no codegen header; not deleted", file=sys.stderr)
    return touched


def check(root: Path = REPO_ROOT, must_fire: frozenset[str] = MUST_FIRE) -> str:
    """Return a unified diff of every stale, hand-edited, missing or orphaned output ('' if none)."""
    outputs = build(root, must_fire)
    wanted = {**{p: "" for p in existing_outputs(root)}, **outputs}  # orphans: want deletion
    diff: list[str] = []
    for out_rel in sorted(wanted):
        old = _read(root / out_rel) or ""
        if old != wanted[out_rel] or out_rel not in outputs:
            diff += difflib.unified_diff(
                old.splitlines(keepends=True),
                wanted[out_rel].splitlines(keepends=True),
                fromfile=f"a/{out_rel}" if (root / out_rel).exists() else "/dev/null",
                tofile=f"b/{out_rel}" if out_rel in outputs else "/dev/null",
            )
    return "".join(diff)
