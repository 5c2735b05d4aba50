"""Golden tests: async snippet in, exact sync text out; plus the whole-tree modes on a fake repo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from codegen.__main__ import main
from codegen.names import ADDED, BASE, MUST_FIRE, RENAMES
from codegen.run import REPO_ROOT, build, check, check_unfired, generate_text, scan_output, write
from codegen.transform import CodegenError, rewrite_prose, transform

SRC, OUT = "odmantic/_async/x.py", "odmantic/_sync/x.py"
HEADER = f"# generated from {SRC} by codegen; do not edit\n"


def sync(src: str) -> str:
    """Structural transform only (no header, no ruff)."""
    return transform(dedent(src), SRC)


def gen(src: str) -> str:
    """Full pipeline with the project's ruff config."""
    return generate_text(dedent(src), SRC, OUT, REPO_ROOT)


def error_lines(src: str) -> list[tuple[int, str]]:
    with pytest.raises(CodegenError) as info:
        sync(src)
    return [(p.line, p.message) for p in info.value.problems]


# --- await, async def/for/with, comprehensions ----------------------------------------------


def test_await_removed_everywhere() -> None:
    src = """\
    async def f():
        x = await g()
        y = [await h(i) for i in range(3)]
        z = f"got {await g()}!"
        k = lambda: await g()
        w = (await g()).attr
        v = (
            await g()
        )
    """
    assert sync(src) == dedent("""\
    def f():
        x = g()
        y = [h(i) for i in range(3)]
        z = f"got {g()}!"
        k = lambda: g()
        w = g().attr
        v = (
            g()
        )
    """)


def test_async_def_for_with() -> None:
    src = """\
    class A:
        async def m(self, c):
            async with c.session() as s, lock:
                async for doc in s.find():
                    print(doc)
    """
    assert sync(src) == dedent("""\
    class A:
        def m(self, c):
            with c.session() as s, lock:
                for doc in s.find():
                    print(doc)
    """)


def test_async_comprehensions() -> None:
    src = """\
    a = [x async for x in y]
    b = {x async for x in y if x}
    c = {k: v async for k, v in y}
    d = (x async for x in y)
    """
    assert sync(src) == dedent("""\
    a = [x for x in y]
    b = {x for x in y if x}
    c = {k: v for k, v in y}
    d = (x for x in y)
    """)


def test_dunders_and_stop_iteration() -> None:
    src = """\
    class C:
        async def __aenter__(self): return self
        async def __aexit__(self, *a): pass
        def __aiter__(self): return self
        async def __anext__(self): raise StopAsyncIteration
    """
    assert sync(src) == dedent("""\
    class C:
        def __enter__(self): return self
        def __exit__(self, *a): pass
        def __iter__(self): return self
        def __next__(self): raise StopIteration
    """)


# --- typing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("Awaitable[int]", "int"),
        ("typing.Awaitable[list[str]]", "list[str]"),
        ("Coroutine[Any, Any, Model]", "Model"),
        ("collections.abc.Coroutine[None, None, int]", "int"),
        ("AsyncGenerator[int, None]", "Generator[int, None, None]"),
        ("AsyncGenerator[int]", "Generator[int, None, None]"),
        ("AsyncIterator[Doc]", "Iterator[Doc]"),
        ("collections.abc.AsyncIterator[Doc]", "collections.abc.Iterator[Doc]"),
        ("AsyncIterable[Doc]", "Iterable[Doc]"),
        ("Callable[[int], Awaitable[None]]", "Callable[[int], None]"),
    ],
)
def test_typing_rewrites(annotation: str, expected: str) -> None:
    assert sync(f"x: {annotation}\n") == f"x: {expected}\n"


def test_unused_typing_imports_are_dropped_and_sorted() -> None:
    src = """\
    from typing import Any, Awaitable, Coroutine

    from collections.abc import AsyncIterator


    async def f(x: Awaitable[int]) -> Coroutine[Any, Any, int]:
        return await x


    async def g() -> AsyncIterator[int]:
        yield 1
    """
    assert gen(src) == HEADER + dedent("""\

    from collections.abc import Iterator


    def f(x: int) -> int:
        return x


    def g() -> Iterator[int]:
        yield 1
    """)


# --- the rename table -----------------------------------------------------------------------------


def test_table_is_unasync_base_plus_ours() -> None:
    assert BASE["__aenter__"] == "__enter__"
    assert RENAMES == {**BASE, **ADDED}
    assert "AIOEngine" in MUST_FIRE and "AsyncIterator" not in MUST_FIRE  # base entries exempt


@pytest.mark.parametrize("key", sorted(k for k in ADDED if "." not in k))
def test_every_added_identifier_entry(key: str) -> None:
    fired: set[str] = set()
    out = transform(f"from m import {key}\nv = {key}(obj.{key})\n", SRC, fired)
    new = ADDED[key]
    assert out == f"from m import {new}\nv = {new}(obj.{new})\n"
    assert key in fired


def test_dotted_module_renames() -> None:
    src = """\
    import odmantic._async.engine
    import tests._async.x as tx
    from odmantic._async.engine import AIOEngine
    from ._async import helper
    from pymongo.asynchronous.collection import AsyncCollection
    import pymongo.asynchronous
    c = pymongo.asynchronous.database.AsyncDatabase
    """
    fired: set[str] = set()
    assert transform(dedent(src), SRC, fired) == dedent("""\
    import odmantic._sync.engine
    import tests._sync.x as tx
    from odmantic._sync.engine import SyncEngine
    from ._sync import helper
    from pymongo.synchronous.collection import Collection
    import pymongo.synchronous
    c = pymongo.synchronous.database.Database
    """)
    assert {"_async", "pymongo.asynchronous"} <= fired


def test_renames_are_whole_identifiers_only() -> None:
    src = """\
    f(_async_thing=1, my_async=2)
    obj._async_thing.AIOEngineFactory
    asynchronous = other.asynchronous
    """
    assert sync(src) == dedent(src)


# --- IS_ASYNC -------------------------------------------------------------------------------------


def test_is_async_if_else_keeps_else_body_dedented_with_comments() -> None:
    src = """\
    from odmantic._async import IS_ASYNC


    def f():
        # before
        if IS_ASYNC:
            await a()  # async only
        else:
            # sync only
            b()  # trailing
        c()
    """
    assert sync(src) == dedent("""\


    def f():
        # before
        # sync only
        b()  # trailing
        c()
    """)


def test_is_async_if_without_else_is_removed() -> None:
    src = """\
    def f():
        if IS_ASYNC:
            await asyncio.sleep(0)
    x = 1
    if IS_ASYNC: y = 2
    """
    assert sync(src) == "def f():\n    pass\nx = 1\n"


def test_if_not_is_async() -> None:
    src = """\
    if not IS_ASYNC:
        import time
    if not IS_ASYNC:
        sync()
    else:
        await run()
    v = 1 if IS_ASYNC else 2
    w = 1 if not IS_ASYNC else 2
    """
    assert sync(src) == "import time\nsync()\nv = 2\nw = 1\n"


def test_elif_after_is_async_is_refused() -> None:
    src = """\
    if IS_ASYNC:
        a()
    elif x:
        b()
    """
    assert error_lines(src) == [
        (3, "`elif` is not allowed after `if IS_ASYNC`; nest an if instead")
    ]


def test_is_async_import_and_assignment_removed() -> None:
    src = """\
    from typing import Final
    from odmantic._async import IS_ASYNC
    from . import IS_ASYNC, other, IS_ASYNC as F
    from .flags import (
        other2,
        IS_ASYNC,
    )
    IS_ASYNC = True
    IS_ASYNC: Final = True
    """
    assert sync(src) == dedent("""\
    from typing import Final
    from . import other
    from .flags import (
        other2,
        )
    """)


def test_other_is_async_use_is_an_error() -> None:
    assert error_lines("x = 1\nflag = IS_ASYNC\nif IS_ASYNC and x:\n    pass\n") == [
        (2, "IS_ASYNC used outside `if IS_ASYNC:` / `if not IS_ASYNC:`"),
        (3, "IS_ASYNC used outside `if IS_ASYNC:` / `if not IS_ASYNC:`"),
    ]


# --- asyncio / anyio ------------------------------------------------------------------------------


def test_asyncio_imports_dropped() -> None:
    src = """\
    import asyncio
    import anyio, os
    from asyncio import sleep
    import asyncio.subprocess as sp
    from odmantic._async import IS_ASYNC
    if IS_ASYNC:
        await sleep(0)
        await asyncio.gather(sp.x)
    """
    assert sync(src) == "import os\n"


def test_asyncio_left_in_sync_code_is_an_error_with_line() -> None:
    src = """\
    import asyncio
    from anyio import sleep as nap


    async def f():
        await asyncio.gather(g())
        await nap(1)
    """
    assert error_lines(src) == [
        (6, "`asyncio` left in sync code; branch on IS_ASYNC instead"),
        (7, "`nap` left in sync code; branch on IS_ASYNC instead"),
    ]


def test_regex_scan_of_final_text() -> None:
    scan_output("# generated from x by codegen; do not edit async\nok = 1\n", OUT)
    with pytest.raises(CodegenError) as info:
        scan_output("# header\nok = 1\nx = 'uses asyncio'\ny = 'the await'\n", OUT)
    assert [str(p).split(":")[:2] for p in info.value.problems] == [[OUT, "3"], [OUT, "4"]]
    with pytest.raises(CodegenError, match=r"odmantic/_sync/x.py:2: forbidden word"):
        gen("x = 'an anyio thing'\n")


# --- prose ----------------------------------------------------------------------------------------


def test_docstrings_comments_and_strings() -> None:
    src = '''\
    """An asynchronous engine; see AsyncMongoClient.

    >>> await engine.find(Model)
    >>> async with engine.session() as s:
    ...     async for m in s.find(Model): pass
    """


    async def f():
        # an asynchronous MongoDB engine: AIOEngine, not AIOEngineX
        x = "awaiting AIOSession async def g()"
        y = f"{await g()} AIOCursor {n}"
        z = b"await AIOEngine"
        w = rb"async with"
    '''
    assert sync(src) == dedent('''\
    """An engine; see MongoClient.

    >>> engine.find(Model)
    >>> with engine.session() as s:
    ...     for m in s.find(Model): pass
    """


    def f():
        # a MongoDB engine: SyncEngine, not AIOEngineX
        x = "awaiting SyncSession def g()"
        y = f"{g()} SyncCursor {n}"
        z = b"await AIOEngine"
        w = rb"async with"
    ''')


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        (
            "An AIOEngine reads through pymongo.asynchronous.collection.AsyncCollection. Not async.",
            "A SyncEngine reads through pymongo.synchronous.collection.Collection. Not blocking.",
        ),
        ("an AIOCursor over an AsyncIterator", "a SyncCursor over an Iterator"),
        ("An async client, an asynchronous iterator.", "A client, an iterator."),
        ("Async engines share one source.", "Engines share one source."),
        ("The engine is asynchronous.", "The engine is synchronous."),
        ("`await cursor` is `await cursor.to_list()`", "`cursor` is `cursor.to_list()`"),
        (
            "from odmantic._async.engine import AIOEngine",
            "from odmantic._sync.engine import SyncEngine",
        ),
        ("AIOEngineX and MyAIOEngine stay", "AIOEngineX and MyAIOEngine stay"),
    ],
)
def test_prose_is_renamed_first_and_stays_grammatical(prose: str, expected: str) -> None:
    assert rewrite_prose(prose) == expected


def test_prose_no_rule_can_rewrite_fails_loudly() -> None:
    with pytest.raises(CodegenError, match=r"odmantic/_sync/x.py:4: forbidden word.*await the"):
        gen('"""Doc."""\nx = "you must await the cursor"\n')


def test_keep_marker_keeps_the_strings_of_its_line() -> None:
    src = """\
    async def f():
        a = "use odmantic.AIOEngine, an async engine"  # codegen: keep
        b = "use odmantic.AIOEngine"
    """
    out = gen(src)
    assert 'a = "use odmantic.AIOEngine, an async engine"  # codegen: keep\n' in out
    assert 'b = "use odmantic.SyncEngine"\n' in out


# --- header, ruff, idempotence --------------------------------------------------------------------


def test_header_is_first_line() -> None:
    out = generate_text('"""Doc."""\n', "tests/_async/test_crud.py", "tests/_sync/test_crud.py")
    assert out == '# generated from tests/_async/test_crud.py by codegen; do not edit\n"""Doc."""\n'


def test_ruff_formats_and_output_lints_clean() -> None:
    src = """\
    import os,sys
    from odmantic._async import IS_ASYNC
    async def f( x ):
        if IS_ASYNC:
            return await x
        else:
            return x+1
    print( os.sep )
    """
    out = gen(src)
    assert out == HEADER + dedent("""\
    import os


    def f(x):
        return x + 1


    print(os.sep)
    """)
    for args in (["check"], ["format", "--check"]):
        cmd = [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(REPO_ROOT / OUT), "-"]
        proc = subprocess.run(cmd, input=out, capture_output=True, text=True, cwd=REPO_ROOT)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_init_module_unused_import_is_dropped() -> None:
    src = '"""Pkg."""\n\nfrom typing import Final\n\nIS_ASYNC: Final = True\n'
    out = generate_text(src, "odmantic/_async/__init__.py", "odmantic/_sync/__init__.py")
    assert out.splitlines()[1:] == ['"""Pkg."""']


def test_idempotent() -> None:
    src = """\
    from typing import Awaitable
    async def f(x: Awaitable[int]) -> int:
        '''An async helper.'''
        return [await y async for y in x]
    """
    once = gen(src)
    assert gen(src) == once
    assert generate_text(once, SRC, OUT, REPO_ROOT) == once


# --- whole tree: never-fired entries, write and --check ------------------------------------------


def test_check_unfired() -> None:
    check_unfired({"AIOEngine"}, frozenset({"AIOEngine"}))
    check_unfired(set(MUST_FIRE))
    with pytest.raises(CodegenError) as info:
        check_unfired({"AIOEngine"}, frozenset({"AIOEngine", "AIOCursor", "anext"}))
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "table entry 'AIOCursor' never fired anywhere in the sources; remove it",
        "table entry 'anext' never fired anywhere in the sources; remove it",
    ]
    assert all(p.path == "codegen/names.py" and p.line > 1 for p in info.value.problems)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "odmantic/_async/sub").mkdir(parents=True)
    (tmp_path / "tests/_async").mkdir(parents=True)
    (tmp_path / "odmantic/_async/__init__.py").write_text("IS_ASYNC = True\n")
    (tmp_path / "odmantic/_async/sub/x.py").write_text("async def f(e: AIOEngine):\n    pass\n")
    (tmp_path / "tests/_async/test_x.py").write_text(
        "from odmantic._async.sub.x import f\n\n\nasync def test_f():\n    await f(None)\n"
    )
    return tmp_path


MF = frozenset({"AIOEngine", "_async"})


def test_build_fails_on_unfired_entry(repo: Path) -> None:
    with pytest.raises(CodegenError, match="'AIOCursor' never fired"):
        build(repo, MF | {"AIOCursor"})


def test_write_then_check_clean(repo: Path) -> None:
    assert write(repo, MF) == [
        "odmantic/_sync/__init__.py",
        "odmantic/_sync/sub/x.py",
        "tests/_sync/test_x.py",
    ]
    assert (repo / "tests/_sync/test_x.py").read_text() == (
        "# generated from tests/_async/test_x.py by codegen; do not edit\n"
        "from odmantic._sync.sub.x import f\n\n\ndef test_f():\n    f(None)\n"
    )
    assert write(repo, MF) == []  # writes only changed files
    assert check(repo, MF) == ""


def test_check_detects_stale_hand_edited_missing_orphaned(repo: Path) -> None:
    write(repo, MF)
    out = repo / "odmantic/_sync/sub/x.py"
    out.write_text(out.read_text() + "# hand edit\n")
    assert "+++ b/odmantic/_sync/sub/x.py\n" in check(repo, MF)
    assert "-# hand edit" in check(repo, MF)
    write(repo, MF)
    (repo / "odmantic/_async/sub/x.py").write_text("async def f(e: AIOEngine):\n    return 1\n")
    assert "+    return 1" in check(repo, MF)  # stale
    write(repo, MF)
    (repo / "tests/_sync/test_x.py").unlink()
    assert "--- /dev/null\n+++ b/tests/_sync/test_x.py" in check(repo, MF)  # missing
    write(repo, MF)
    (repo / "odmantic/_sync/extra.py").write_text("x = 1\n")
    assert "--- a/odmantic/_sync/extra.py\n+++ /dev/null" in check(repo, MF)  # orphaned
    assert check(repo, MF) == check(repo, MF)


def test_write_deletes_only_orphans_with_header(repo: Path) -> None:
    write(repo, MF)
    (repo / "odmantic/_async/__init__.py").unlink()
    (repo / "odmantic/_sync/mine.py").write_text("x = 1\n")
    assert write(repo, MF) == ["odmantic/_sync/__init__.py"]
    assert not (repo / "odmantic/_sync/__init__.py").exists()
    assert (repo / "odmantic/_sync/mine.py").exists()


def test_cli_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(repo), "--check"], MF) == 1
    assert "+++ b/odmantic/_sync/sub/x.py" in capsys.readouterr().out
    assert main(["--root", str(repo)], MF) == 0
    assert main(["--root", str(repo), "--check"], MF) == 0
    assert capsys.readouterr().out.endswith("codegen: OK, generated files are up to date\n")
    (repo / "odmantic/_async/bad.py").write_text("x = 1\n\ny = IS_ASYNC\n")
    assert main(["--root", str(repo)], MF) == 1
    assert "odmantic/_async/bad.py:3: IS_ASYNC used outside" in capsys.readouterr().err


# --- unions the renames made redundant ---------------------------------------------------------


def test_unions_made_redundant_by_renames_keep_each_member_once() -> None:
    src = """\
    from typing import Any, TypeAlias

    Client: TypeAlias = "AsyncMongoClient[Any] | AsyncIOMotorClient[Any]"


    def f(client: AsyncMongoClient[Any] | AsyncIOMotorClient[Any] | None) -> int | str:
        return 1
    """
    out = sync(src)
    assert 'Client: TypeAlias = "MongoClient[Any]"' in out
    assert "def f(client: MongoClient[Any] | None) -> int | str:" in out
