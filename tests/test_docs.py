"""The documentation site builds strictly, with reference pages for both twins."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


def _page(site: Path, name: str) -> str:
    return (site / "reference" / name / "index.html").read_text()


@pytest.mark.parametrize("name", ["sync-engine", "sync-session"])
def test_sync_pages_never_say_await(site: Path, name: str) -> None:
    page = _page(site, name)
    # A whole word: `max_await_time_ms` is an argument of both twins.
    assert re.search(r"\bawait\b", page) is None and "async with" not in page
    assert "generated" in page.lower()


def test_odmantic_11_session_page_builds_with_parameters(site: Path) -> None:
    page = _page(site, "session")
    for name in ("AIOSession", "AIOTransaction", "SyncSession", "SyncTransaction"):
        assert f"odmantic.session.{name}" in page
    assert page.count("Parameters") >= 14


def test_guides_show_both_twins(site: Path) -> None:
    page = (site / "guides" / "queries" / "index.html").read_text()
    assert "AIOEngine" in page and "SyncEngine" in page


REFERENCE_SOURCES = sorted((ROOT / "docs" / "reference").glob("*.md"))
REFERENCE_PAGES = ["aio-engine", "sync-engine", "aio-session", "sync-session", "cursors", "models"]


@pytest.mark.parametrize("name", REFERENCE_PAGES)
def test_docstring_examples_render_as_code(site: Path, name: str) -> None:
    page = _page(site, name)
    paragraphs = [
        html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", page, re.S)
    ]
    code_in_prose = [p for p in paragraphs if re.search(r"\b(engine|session)\.\w+\(Player", p)]
    assert not code_in_prose, code_in_prose[:3]
    # Code blocks outside the "Source code" listings are the docstrings' examples.
    documented = re.sub(r'<details class="mkdocstrings-source".*?</details>', "", page, flags=re.S)
    # (signatures are code blocks too, of their own class)
    examples = re.findall(r'<div class="highlight">\s*<pre', documented)
    assert examples, "no docstring example rendered as a code block"


@pytest.mark.parametrize("name", [path.stem for path in REFERENCE_SOURCES])
def test_reference_pages_show_no_internal_member(site: Path, name: str) -> None:
    ids = re.findall(r'id="(odmantic\.[\w.]+)"', _page(site, name))
    members = {identifier.rsplit(".", 1)[-1] for identifier in ids}
    internal = {m for m in members if m.startswith("_") and not m.startswith("__")}
    hooks = {m for m in members if m.startswith(("__odmantic", "__pydantic", "__get_pydantic"))}
    bases = [i for i in ids if re.search(r"SessionBase|Scope|Lifecycle|_internal", i)]
    assert ids and not internal and not hooks and not bases, (internal, hooks, bases)


def test_the_site_has_the_benchmark_chart_and_the_changelog(site: Path) -> None:
    benchmarks = (site / "benchmarks" / "index.html").read_text()
    assert "assets/benchmarks.png" in benchmarks and (site / "assets" / "benchmarks.png").exists()
    assert "save_all_floor" in benchmarks
    assert "Changelog" in (site / "changelog" / "index.html").read_text()


def test_the_why_page_compares_with_the_peers(site: Path) -> None:
    page = (site / "why" / "index.html").read_text()
    for peer in ("ODMantic 1.1", "Beanie", "MongoEngine", "2026-11-24"):
        assert peer in page
    assert "save_all" in page and "189.13" in page  # the measured ratios, from benchmarks/peers.md


def _code_lines(page: str) -> list[str]:
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    return [
        line
        for block in blocks
        for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
    ]


def test_no_code_line_is_wider_than_the_content_column(site: Path) -> None:
    wide = [
        f"{page.relative_to(site)}: {line}"
        for page in sorted(site.rglob("*.html"))
        for line in _code_lines(page.read_text())
        if len(line) > 88
    ]
    assert not wide, wide[:5]


@pytest.mark.parametrize("name", [path.stem for path in REFERENCE_SOURCES])
def test_every_documented_function_shows_an_example(site: Path, name: str) -> None:
    page = _page(site, name)
    # Each object's own part runs from its opening to the next object's (methods included).
    parts = re.split(r'(?=<div class="doc doc-object doc-)', page)
    functions = [
        part for part in parts if part.startswith('<div class="doc doc-object doc-function')
    ]
    names = [re.search(r'doc-function-name">([^<]+)<', part) for part in functions]
    missing = [
        match.group(1) if match else part[:80]
        for match, part in zip(names, functions, strict=True)
        if '<div class="highlight">' not in part
    ]
    assert not missing, missing


@pytest.mark.parametrize("name", ["aio-session", "sync-session", "session"])
def test_session_pages_list_the_engine_operations(site: Path, name: str) -> None:
    ids = re.findall(r'id="(odmantic\.session\.[\w.]+)"', _page(site, name))
    assert {"find", "save", "commit", "with_transaction"} <= {i.rsplit(".", 1)[-1] for i in ids}
