"""with_transaction, write conflicts, commit retries and write retries, with server fail points."""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError

from odmantic import AIOEngine, Model
from odmantic._async import IS_ASYNC
from odmantic.exceptions import DuplicateKeyError, WriteConflictError
from odmantic.session import AIOTransaction
from odmantic.update import inc
from tests._async.fail_points import fail_point
from tests.models import Player, Tagged


class Counter(Model):
    name: str
    value: int = 0


async def test_with_transaction_returns_the_callbacks_result(engine: AIOEngine) -> None:
    async def create(transaction: AIOTransaction) -> Player:
        return await transaction.save(Player(name="in-tx"))

    player = await engine.with_transaction(create)
    assert await engine.find_one(Player, Player.id == player.id) == player
    async with engine.session() as session:
        other = await session.with_transaction(create)
    assert await engine.count(Player) == 2 and other.id != player.id


async def test_concurrent_increments_all_commit(engine: AIOEngine) -> None:
    counter = await engine.save(Counter(name="c"))

    async def increment(transaction: AIOTransaction) -> None:
        current = await transaction.find_one(Counter, Counter.id == counter.id)
        assert current is not None
        current.value += 1
        await transaction.save(current)

    async def worker() -> None:
        for _ in range(10):
            await engine.with_transaction(increment)

    if IS_ASYNC:
        await asyncio.gather(*(worker() for _ in range(10)))
    else:
        with ThreadPoolExecutor(10) as pool:
            for future in [pool.submit(worker) for _ in range(10)]:
                future.result()
    stored = await engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value == 100


async def test_a_write_conflict_names_the_model_and_instance(engine: AIOEngine) -> None:
    counter = await engine.save(Counter(name="c"))
    first, second = engine.transaction(), engine.transaction()
    await first.start()
    await second.start()
    one = await first.find_one(Counter, Counter.id == counter.id)
    two = await second.find_one(Counter, Counter.id == counter.id)
    assert one is not None and two is not None
    one.value, two.value = 1, 2
    await first.save(one)
    with pytest.raises(WriteConflictError, match=r"Counter instance with primary key") as info:
        await second.save(two)
    assert info.value.has_error_label("TransientTransactionError")
    assert isinstance(info.value.__cause__, OperationFailure)
    await second.abort()
    await first.commit()


async def test_commit_keeps_its_session_when_the_result_is_unknown(engine: AIOEngine) -> None:
    transaction = engine.transaction()
    await transaction.start()
    await transaction.save(Player(name="p"))
    failure = {"failCommands": ["commitTransaction"], "errorCode": 50}  # MaxTimeMSExpired
    async with fail_point(engine, {"times": 1}, **failure):
        with pytest.raises(PyMongoError) as info:
            await transaction.commit()
    assert info.value.has_error_label("UnknownTransactionCommitResult")
    assert transaction.is_started and transaction.session.is_started
    await transaction.commit()
    assert not transaction.session.is_started
    assert await engine.count(Player) == 1


async def test_with_transaction_retries_an_unknown_commit(engine: AIOEngine) -> None:
    async def create(transaction: AIOTransaction) -> str:
        await transaction.save(Player(name="p"))
        return "done"

    failure = {"failCommands": ["commitTransaction"], "errorCode": 50}  # MaxTimeMSExpired
    async with fail_point(engine, {"times": 2}, **failure):
        assert await engine.with_transaction(create) == "done"
    assert await engine.count(Player) == 1


async def test_a_save_is_retried_past_a_stepping_down_primary(engine: AIOEngine) -> None:
    failure = {"failCommands": ["update", "insert"], "errorCode": 10107}
    async with fail_point(engine, {"times": 3}, **failure):
        player = await engine.save(Player(name="p"))
        await engine.insert(Player(name="q"))
    player.level = 3
    async with fail_point(engine, {"times": 3}, **failure):
        await engine.save_all([player, Player(name="r")])
    assert sorted((p.name, p.level) for p in await engine.find(Player)) == [
        ("p", 3),
        ("q", 0),
        ("r", 0),
    ]


async def test_a_delete_applied_before_the_error_succeeds(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="p"))
    concern = {"code": 262, "errmsg": "exceeded time limit"}
    async with fail_point(engine, {"times": 2}, failCommands=["delete"], writeConcernError=concern):
        await engine.delete(player)
    assert await engine.count(Player) == 0


async def test_retries_can_be_switched_off(mongo_uri: str, database_name: str) -> None:
    engine = AIOEngine(
        client=AsyncMongoClient(mongo_uri), database=database_name, retry_writes_for=0
    )
    failure = {"failCommands": ["update"], "errorCode": 10107}
    async with fail_point(engine, {"times": 2}, **failure):
        with pytest.raises(PyMongoError):
            await engine.save(Player(name="p"))
    await engine.close()


async def test_a_retried_insert_does_not_take_another_document(engine: AIOEngine) -> None:
    await engine.insert(Tagged(code="k", label="alice"))
    failure = {"failCommands": ["insert"], "errorCode": 10107}
    async with fail_point(engine, {"times": 2}, **failure):
        with pytest.raises(DuplicateKeyError):
            await engine.insert(Tagged(code="k", label="mallory"))
    raw = await engine.get_collection(Tagged).find_one({"_id": "k"})
    assert raw is not None and raw["lbl"] == "alice"


async def test_an_increment_is_never_applied_twice(
    engine: AIOEngine, mongo_uri: str, database_name: str
) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, socketTimeoutMS=300)
    impatient = AIOEngine(client=client, database=database_name)
    counter = await engine.save(Counter(name="c"))
    slow = {"failCommands": ["update"], "blockConnection": True, "blockTimeMS": 600}
    async with fail_point(engine, {"times": 2}, **slow):
        with contextlib.suppress(PyMongoError):
            await impatient.update_one(
                Counter, Counter.id == counter.id, update=inc(Counter.value, 1)
            )
    if IS_ASYNC:
        await asyncio.sleep(1)  # the blocked updates finish on the server
    else:
        time.sleep(1)
    stored = await engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value <= 1
    await impatient.close()


async def test_an_increment_refused_by_a_secondary_is_sent_again(engine: AIOEngine) -> None:
    counter = await engine.save(Counter(name="c"))
    refused = {"failCommands": ["update", "findAndModify"], "errorCode": 10107}
    async with fail_point(engine, {"times": 2}, **refused):
        await engine.update_one(Counter, Counter.id == counter.id, update=inc(Counter.value, 1))
        await engine.find_one_and_update(
            Counter, Counter.id == counter.id, update=inc(Counter.value, 1)
        )
    stored = await engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value == 2
