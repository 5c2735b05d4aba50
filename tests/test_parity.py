"""The twins expose the same public API: same methods, parameters, defaults and annotations."""

from __future__ import annotations

import inspect
import re

import pytest

from odmantic._async.change_stream import AIOChangeStream
from odmantic._async.cursor import AIOCursor
from odmantic._async.engine import AIOEngine, AIOSession, AIOSessionBase, AIOTransaction
from odmantic._sync.change_stream import SyncChangeStream
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.engine import SyncEngine, SyncSession, SyncSessionBase, SyncTransaction

PAIRS = [
    (AIOEngine, SyncEngine),
    (AIOCursor, SyncCursor),
    (AIOChangeStream, SyncChangeStream),
    (AIOSessionBase, SyncSessionBase),
    (AIOSession, SyncSession),
    (AIOTransaction, SyncTransaction),
]
# Protocol methods that differ by design: awaiting and async iteration.
PROTOCOL = {
    "__await__": None,
    "__aiter__": "__iter__",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__anext__": "__next__",
}
# Written by hand, independently of the generator's table: what the public signatures may differ by.
EXPECTED_NAMES = {
    "AIOEngine": "SyncEngine",
    "AIOCursor": "SyncCursor",
    "AIOChangeStream": "SyncChangeStream",
    "AIOSession": "SyncSession",
    "AIOSessionBase": "SyncSessionBase",
    "AIOTransaction": "SyncTransaction",
    "AsyncMongoClient": "MongoClient",
    "AsyncClientSession": "ClientSession",
    "AsyncCollection": "Collection",
    "AsyncDatabase": "Database",
    "AsyncIterator": "Iterator",
}
_NAME = re.compile(r"\b(" + "|".join(EXPECTED_NAMES) + r")\b")


_AWAITABLE = re.compile(r"\bAwaitable\[([^\[\]]+)\]")  # a callback's Awaitable[T] is T


def _to_sync(annotation: str) -> str:
    return _AWAITABLE.sub(r"\1", _NAME.sub(lambda m: EXPECTED_NAMES[m.group(1)], annotation))


def _members(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if (not name.startswith("_") or name in PROTOCOL or name in PROTOCOL.values())
        and (callable(member) or isinstance(member, property))
        and name not in {"__init_subclass__", "__subclasshook__"}
    }


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_same_public_methods(async_cls: type, sync_cls: type) -> None:
    expected = {PROTOCOL.get(name, name) for name in _members(async_cls)} - {None}
    assert expected == set(_members(sync_cls))


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_same_signatures_and_docstrings(async_cls: type, sync_cls: type) -> None:
    sync_members = _members(sync_cls)
    checked = 0
    for name, member in _members(async_cls).items():
        sync_name = PROTOCOL.get(name, name)
        if sync_name is None or isinstance(member, property):
            continue
        async_sig = inspect.signature(member)  # type: ignore[arg-type]
        sync_sig = inspect.signature(sync_members[sync_name])  # type: ignore[arg-type]
        assert list(async_sig.parameters) == list(sync_sig.parameters), name
        for param_name, param in async_sig.parameters.items():
            other = sync_sig.parameters[param_name]
            assert (param.kind, param.default) == (other.kind, other.default), (name, param_name)
            assert _to_sync(str(param.annotation)) == str(other.annotation), (name, param_name)
        assert _to_sync(str(async_sig.return_annotation)) == str(sync_sig.return_annotation), name
        assert inspect.iscoroutinefunction(sync_members[sync_name]) is False, name
        if not name.startswith("_"):
            assert member.__doc__ and sync_members[sync_name].__doc__, f"{name} lacks a docstring"
        checked += 1
    assert checked >= 3


OPERATIONS = sorted(
    name
    for name, member in inspect.getmembers(AIOEngine, inspect.isfunction)
    if not name.startswith("_") and "session" in inspect.signature(member).parameters
)
SCOPES = [AIOSession, AIOTransaction, SyncSession, SyncTransaction]


def _without_session(signature: inspect.Signature) -> list[tuple[str, object, object, str]]:
    return [
        (p.name, p.kind, p.default, str(p.annotation))
        for p in signature.parameters.values()
        if p.name not in {"self", "session"}
    ]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", OPERATIONS)
def test_sessions_have_the_engine_operations_without_session(scope: type, name: str) -> None:
    engine = AIOEngine if scope in (AIOSession, AIOTransaction) else SyncEngine
    engine_signature = inspect.signature(getattr(engine, name))
    scope_signature = inspect.signature(getattr(scope, name))
    assert "session" in engine_signature.parameters
    assert "session" not in scope_signature.parameters
    assert _without_session(scope_signature) == _without_session(engine_signature)
    assert scope_signature.return_annotation == engine_signature.return_annotation
    assert getattr(scope, name).__doc__
    engine_coroutine = inspect.iscoroutinefunction(getattr(engine, name))
    assert inspect.iscoroutinefunction(getattr(scope, name)) is engine_coroutine


def test_every_engine_operation_with_a_session_is_on_sessions() -> None:
    assert len(OPERATIONS) >= 15
    assert {"find", "save", "configure_database", "find_one_and_update"} <= set(OPERATIONS)


def test_async_twin_methods_that_do_io_are_coroutines() -> None:
    for name in ["find_one", "count", "save", "save_all", "delete", "remove", "configure_database"]:
        assert inspect.iscoroutinefunction(getattr(AIOEngine, name)), name
        assert not inspect.iscoroutinefunction(getattr(SyncEngine, name)), name
    assert not inspect.iscoroutinefunction(AIOEngine.find)


def test_module_paths_keep_working() -> None:
    import odmantic
    from odmantic.engine import AIOCursor as A
    from odmantic.engine import SyncCursor as S
    from odmantic.engine import SyncEngine as E
    from odmantic.session import AIOSession as AS
    from odmantic.session import SyncTransaction as ST

    assert (A, S, E, AS, ST) == (AIOCursor, SyncCursor, SyncEngine, AIOSession, SyncTransaction)
    for name in odmantic.__all__:
        assert hasattr(odmantic, name), name
