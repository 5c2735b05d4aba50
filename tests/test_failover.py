"""Failovers: the primary of a 3-member replica set steps down during concurrent writes.

Run with `make test-failover` (a few minutes; not part of `make test`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient, MongoClient

from odmantic import AIOEngine, Model, SyncEngine
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


class Watched(Model):
    n: int


async def _save_paced(engine: AIOEngine, numbers: range, workers: int = 20) -> None:
    """Save one `Watched` per number, `workers` at a time with a pause between saves, so that
    the saves span the step-downs."""
    queue = list(numbers)

    async def worker() -> None:
        while queue:
            await engine.save(Watched(n=queue.pop()))
            await asyncio.sleep(0.01)

    await asyncio.gather(*(worker() for _ in range(workers)))


async def _two_step_downs(replica_set: ReplicaSet) -> None:
    for _ in range(2):
        await asyncio.sleep(0.3)
        await asyncio.to_thread(replica_set.step_down)


def _read_sync(uri: str, database: str, count: int, ready: threading.Event) -> list[Any]:
    """The sync twin's stream, read in a thread: the `n` of the first `count` inserts."""
    client: MongoClient[Any] = MongoClient(uri)
    engine = SyncEngine(client=client, database=database)
    with client, engine.watch(Watched, operations=["insert"]) as stream:
        ready.set()
        # range first: zip stops before asking the stream for one event more
        pairs = zip(range(count), stream, strict=False)
        return [event.document.n for _, event in pairs if event.document]


async def _read_async(engine: AIOEngine, count: int, ready: asyncio.Event) -> list[Any]:
    found: list[Any] = []
    async with engine.watch(Watched, operations=["insert"]) as stream:
        ready.set()
        async for event in stream:
            assert event.document is not None
            found.append(event.document.n)
            if len(found) == count:
                break
    return found


@pytest.mark.parametrize("twin", ["async", "sync"])
async def test_a_stream_sees_every_change_once_across_two_step_downs(
    replica_set: ReplicaSet, twin: str
) -> None:
    engine = AIOEngine(client=AsyncMongoClient(replica_set.uri), database=f"stream_{twin}")
    await engine.remove(Watched)
    if twin == "async":
        ready = asyncio.Event()
        reading = asyncio.create_task(_read_async(engine, 2000, ready))
        await ready.wait()
    else:
        started = threading.Event()
        reading = asyncio.ensure_future(
            asyncio.to_thread(_read_sync, replica_set.uri, f"stream_{twin}", 2000, started)
        )
        await asyncio.to_thread(started.wait)
    await asyncio.gather(_save_paced(engine, range(2000)), _two_step_downs(replica_set))
    seen = await asyncio.wait_for(reading, timeout=120)
    assert sorted(seen) == list(range(2000))  # each once: nothing lost, nothing repeated
    await engine.close()


async def test_a_stream_resumed_from_its_token_gets_the_rest_once(
    replica_set: ReplicaSet,
) -> None:
    engine = AIOEngine(client=AsyncMongoClient(replica_set.uri), database="stream_resumed")
    await engine.remove(Watched)
    first: list[int] = []
    ready = asyncio.Event()

    async def read_half() -> Any:
        async with engine.watch(Watched, operations=["insert"]) as stream:
            ready.set()
            async for event in stream:
                first.append(event.document.n if event.document else -1)
                if len(first) == 1000:
                    return stream.resume_token  # closed mid-way; the token is stored

    reading = asyncio.create_task(read_half())
    await ready.wait()
    await asyncio.gather(_save_paced(engine, range(2000)), _two_step_downs(replica_set))
    token = await asyncio.wait_for(reading, timeout=120)
    rest: list[int] = []
    async with engine.watch(Watched, operations=["insert"], resume_after=token) as stream:
        async for event in stream:
            rest.append(event.document.n if event.document else -1)
            if len(rest) == 1000:
                break
        assert await stream.try_next() is None
    assert sorted(first + rest) == list(range(2000))
    await engine.close()
