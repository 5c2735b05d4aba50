"""Hooks around every instance write path, through the real replica set in both twins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odmantic import AIOEngine
from odmantic._async import IS_ASYNC
from odmantic.session import AIOTransaction
from odmantic.update import set_
from tests.hook_models import CALLS, AsyncHooked, Child, Holder, Kid, Loud, Parent, Stamped


@pytest.fixture(autouse=True)
def calls() -> Iterator[list[str]]:
    CALLS.clear()
    yield CALLS
    CALLS.clear()


async def test_a_before_save_change_is_saved_in_the_same_write(engine: AIOEngine) -> None:
    await engine.save(Stamped(name="a"))
    raw = await engine.get_collection(Stamped).find_one({})
    assert raw is not None and raw["updated"] is not None
    assert CALLS == ["before_save a", "after_save a"]


async def test_inherited_hooks_run_parent_first_then_in_definition_order(
    engine: AIOEngine,
) -> None:
    await engine.insert(Child(name="c"))
    assert CALLS == ["before_save c", "child first", "child second", "after_save c"]


async def test_a_hook_exception_cancels_only_its_instance(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="refused by its hook"):
        await engine.save_all([Stamped(name="a"), Stamped(name="refused"), Stamped(name="b")])
    assert sorted(s.name for s in await engine.find(Stamped)) == ["a", "b"]
    assert "after_save refused" not in CALLS


async def test_insert_all_runs_the_hooks_once_per_instance(engine: AIOEngine) -> None:
    await engine.insert_all([Stamped(name="a"), Stamped(name="b")])
    assert CALLS.count("before_save a") == 1 and CALLS.count("after_save b") == 1


async def test_delete_runs_its_hooks_and_a_before_delete_can_keep_it(engine: AIOEngine) -> None:
    gone, kept = await engine.save_all([Stamped(name="gone"), Stamped(name="kept")])
    CALLS.clear()
    await engine.delete(gone)
    with pytest.raises(PermissionError):
        await engine.delete(kept)
    assert CALLS == ["before_delete gone", "after_delete gone", "before_delete kept"]
    assert [s.name for s in await engine.find(Stamped)] == ["kept"]


async def test_after_hooks_run_once_the_transaction_commits(engine: AIOEngine) -> None:
    async with engine.transaction() as transaction:
        await transaction.save(Stamped(name="t"))
        assert CALLS == ["before_save t"]
    assert CALLS == ["before_save t", "after_save t"]


async def test_after_hooks_do_not_run_when_the_transaction_aborts(engine: AIOEngine) -> None:
    async with engine.transaction() as transaction:
        await transaction.save(Stamped(name="t"))
        await transaction.abort()
    assert CALLS == ["before_save t"]


async def test_with_transaction_runs_after_hooks_for_the_committed_attempt_only(
    engine: AIOEngine,
) -> None:
    attempts: list[int] = []

    async def create(transaction: AIOTransaction) -> None:
        attempts.append(1)
        await transaction.save(Stamped(name=f"try{len(attempts)}"))
        if len(attempts) == 1:
            error: Any = RuntimeError("transient")
            error.has_error_label = lambda label: label == "TransientTransactionError"
            raise error

    await engine.with_transaction(create)
    assert [c for c in CALLS if c.startswith("after")] == ["after_save try2"]


async def test_query_level_writes_refuse_to_skip_hooks_in_silence(engine: AIOEngine) -> None:
    await engine.save(Stamped(name="a"))
    with pytest.raises(TypeError, match="Stamped.check, Stamped.deleted"):
        await engine.remove(Stamped)
    with pytest.raises(TypeError, match="hooks=False"):
        await engine.update_many(Stamped, update=set_(Stamped.name, "b"))
    assert await engine.remove(Stamped, hooks=False) == 1


async def test_an_async_hook_is_awaited_by_the_coroutine_engine_only(engine: AIOEngine) -> None:
    if IS_ASYNC:
        await engine.save(AsyncHooked(name="a"))
        assert CALLS == ["async before_save a"]
    else:
        refused = "AsyncHooked.remember is an async def"  # codegen: keep
        with pytest.raises(TypeError, match=refused):
            await engine.save(AsyncHooked(name="a"))
        assert await engine.count(AsyncHooked) == 0


async def test_documents_deleted_in_cascade_run_their_delete_hooks(engine: AIOEngine) -> None:
    parent = Parent(name="p")
    await engine.save_all([Kid(name="k1", parent=parent), Kid(name="k2", parent=parent)])
    await engine.delete(parent)
    assert sorted(CALLS) == ["after_delete k1", "after_delete k2", "before_delete k1", "before_delete k2"]  # fmt: skip
    assert await engine.count(Kid) == 0


async def test_an_owner_of_a_refused_instance_is_not_written(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="refused by its hook"):
        await engine.save(Holder(item=Stamped(name="refused")))
    assert (await engine.count(Holder), await engine.count(Stamped)) == (0, 0)


async def test_every_after_hook_runs_when_one_raises(engine: AIOEngine) -> None:
    with pytest.raises(RuntimeError, match="after_save failed"):
        await engine.save_all([Loud(name="boom"), Loud(name="quiet")])
    assert CALLS == ["after_save boom", "after_save quiet"]
    assert await engine.count(Loud) == 2
