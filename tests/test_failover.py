"""Failovers: the primary of a 3-member replica set steps down during concurrent writes.

Run with `make test-failover` (about a minute; not part of `make test`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient

from odmantic import AIOEngine, Model
from odmantic.session import AIOTransaction
from tests.replica_set import ReplicaSet

pytestmark = pytest.mark.failover


class Saved(Model):
    n: int


class Counter(Model):
    name: str
    value: int = 0


@pytest.fixture(scope="module")
def replica_set() -> Iterator[ReplicaSet]:
    with ReplicaSet() as started:
        yield started


async def _during_step_down(
    replica_set: ReplicaSet, calls: Sequence[Callable[[], Awaitable[Any]]], in_flight: int = 200
) -> list[BaseException]:
    """Run `calls` with at most `in_flight` at once while the primary steps down."""
    gate = asyncio.Semaphore(in_flight)

    async def limited(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    async def step_down() -> None:
        await asyncio.sleep(0.05)
        await asyncio.to_thread(replica_set.step_down)

    results = await asyncio.gather(
        step_down(), *(limited(c) for c in calls), return_exceptions=True
    )
    return [r for r in results if isinstance(r, BaseException)]


@pytest.mark.parametrize("kind", ["pymongo", "motor"])
async def test_writes_survive_step_downs(replica_set: ReplicaSet, kind: str) -> None:
    client: Any = (
        AsyncMongoClient(replica_set.uri)
        if kind == "pymongo"
        else AsyncIOMotorClient(replica_set.uri)
    )
    engine = AIOEngine(client=client, database=f"failover_{kind}")
    await engine.remove(Saved)
    await engine.remove(Counter)

    saves = [partial(engine.save, Saved(n=i)) for i in range(2000)]
    assert await _during_step_down(replica_set, saves) == []
    stored = await engine.find(Saved).to_list()
    assert sorted(s.n for s in stored) == list(range(2000))

    deletes = [partial(engine.delete, s) for s in stored[:1000]]
    assert await _during_step_down(replica_set, deletes) == []
    assert await engine.count(Saved) == 1000

    counter = await engine.save(Counter(name="c"))

    async def increment(transaction: AIOTransaction) -> None:
        current = await transaction.find_one(Counter, Counter.id == counter.id)
        assert current is not None
        current.value += 1
        await transaction.save(current)

    transactions = [partial(engine.with_transaction, increment) for _ in range(50)]
    assert await _during_step_down(replica_set, transactions, in_flight=50) == []
    final = await engine.find_one(Counter, Counter.id == counter.id)
    assert final is not None and final.value == 50
    await engine.close()
