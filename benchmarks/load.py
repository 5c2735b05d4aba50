"""``python -m benchmarks.load``: streaming memory and concurrent throughput, each side in its
own process (ODM vs raw PyMongo, both twins).

- ``stream``: iterate over 100,000 documents of about 1 KB; the growth of the peak RSS of the
  process, ODM / raw (target 1.5).
- ``concurrent``: 10,000 mixed operations (save, find_one, count) through one engine, 200 in
  flight for the coroutine twin (threads for the blocking one); wall time, ODM / raw (target 1.1).
- ``find``: `find` of 5,000 full instances to a list vs `list(find({}))`, the garbage collector
  on; the median of 5 processes a side, ODM / raw (target 2.5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, MongoClient

from odmantic import AIOEngine, Model, SyncEngine
from odmantic.config import ODMConfigDict
from odmantic.testing import mongo_uri

N_STREAM = 100_000
N_OPS = 10_000
IN_FLIGHT = 200
N_FIND = 5_000
TARGETS = {"stream": 1.5, "concurrent": 1.1, "find": 2.5}


class Blob(Model):
    """About 1 KB a document."""

    model_config = ODMConfigDict(collection="bench_blobs")
    n: int
    text: str


class Ops(Model):
    """The documents of the concurrent workload."""

    model_config = ODMConfigDict(collection="bench_ops")
    n: int
    level: int = 0


class Item(Model):
    """The documents of the `find` workload: str, int, float, datetime, list and Optional."""

    model_config = ODMConfigDict(collection="bench_find")
    name: str
    rank: int
    score: float
    created: datetime
    tags: list[str]
    city: str
    note: str | None = None


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def seed(uri: str, database: str) -> None:
    """Store the streamed and the found documents once."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    with client:
        client[database]["bench_find"].drop()
        day = datetime(2024, 1, 1)
        client[database]["bench_find"].insert_many(
            [
                {"_id": ObjectId(), "name": f"item-{i}", "rank": i, "score": i / 7,
                 "created": day + timedelta(seconds=i), "tags": ["a", "b", "c"],
                 "city": "Paris", "note": None}
                for i in range(N_FIND)
            ]
        )  # fmt: skip
        collection = client[database]["bench_blobs"]
        collection.drop()
        text = "x" * 1000
        for start in range(0, N_STREAM, 10_000):
            collection.insert_many(
                [{"_id": ObjectId(), "n": i, "text": text} for i in range(start, start + 10_000)]
            )


async def _stream(uri: str, database: str, twin: str, odm: bool) -> float:
    before = _rss_kb()
    count = 0
    if twin == "async":
        client: Any = AsyncMongoClient(uri)
        if odm:
            async for _ in AIOEngine(client=client, database=database).find(Blob):
                count += 1
        else:
            async for _ in client[database]["bench_blobs"].find({}):
                count += 1
        await client.close()
    else:
        sync_client: Any = MongoClient(uri)
        if odm:
            count = sum(1 for _ in SyncEngine(client=sync_client, database=database).find(Blob))
        else:
            count = sum(1 for _ in sync_client[database]["bench_blobs"].find({}))
        sync_client.close()
    assert count == N_STREAM
    return float(max(_rss_kb() - before, 1))


async def _concurrent(uri: str, database: str, twin: str, odm: bool) -> float:
    if twin == "async":
        client: Any = AsyncMongoClient(uri)
        engine = AIOEngine(client=client, database=database)
        collection = client[database]["bench_ops"]
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(i: int) -> None:
            async with gate:
                if odm:
                    saved = await engine.save(Ops(n=i))
                    await engine.find_one(Ops, Ops.id == saved.id)
                    if i % 10 == 0:
                        await engine.count(Ops, Ops.n < i)
                else:
                    oid = ObjectId()
                    await collection.update_one(
                        {"_id": oid}, {"$set": {"n": i, "level": 0}}, upsert=True
                    )
                    await collection.find_one({"_id": oid})
                    if i % 10 == 0:
                        await collection.count_documents({"n": {"$lt": i}})

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(N_OPS // 2)))
        elapsed = time.perf_counter() - began
        await client.close()
        return elapsed
    sync_client: Any = MongoClient(uri, maxPoolSize=IN_FLIGHT)
    sync_engine = SyncEngine(client=sync_client, database=database)
    sync_collection = sync_client[database]["bench_ops"]

    def blocking(i: int) -> None:
        if odm:
            saved = sync_engine.save(Ops(n=i))
            sync_engine.find_one(Ops, Ops.id == saved.id)
        else:
            oid = ObjectId()
            sync_collection.update_one({"_id": oid}, {"$set": {"n": i, "level": 0}}, upsert=True)
            sync_collection.find_one({"_id": oid})

    began = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(blocking, range(N_OPS // 2)))
    elapsed = time.perf_counter() - began
    sync_client.close()
    return elapsed


async def _find(uri: str, database: str, twin: str, odm: bool) -> float:
    times = []
    found: list[Any] = []
    if twin == "async":
        client: Any = AsyncMongoClient(uri)
        engine = AIOEngine(client=client, database=database)
        for _ in range(6):
            began = time.perf_counter()
            if odm:
                found = await engine.find(Item).to_list()
            else:
                found = await client[database]["bench_find"].find({}).to_list(None)
            times.append(time.perf_counter() - began)
        await client.close()
    else:
        sync_client: Any = MongoClient(uri)
        sync_engine = SyncEngine(client=sync_client, database=database)
        for _ in range(6):
            began = time.perf_counter()
            if odm:
                found = sync_engine.find(Item).to_list()
            else:
                found = list(sync_client[database]["bench_find"].find({}))
            times.append(time.perf_counter() - began)
        sync_client.close()
    assert len(found) == N_FIND
    return statistics.median(times[1:]) * 1000


def _child(args: argparse.Namespace) -> None:
    runs = {"stream": _stream, "concurrent": _concurrent, "find": _find}
    run = runs[args.workload]
    print(json.dumps(asyncio.run(run(args.uri, args.database, args.twin, args.side == "odm"))))


def _measure(uri: str, workload: str, twin: str, side: str) -> float:
    command = [sys.executable, "-m", "benchmarks.load", "--child", workload, twin, side, uri]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    """Measure every workload and twin, ODM and raw in separate processes; print a table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--child", nargs=4, metavar=("WORKLOAD", "TWIN", "SIDE", "URI"))
    parsed = parser.parse_args()
    if parsed.child:
        workload, twin, side, uri = parsed.child
        _child(argparse.Namespace(workload=workload, twin=twin, side=side, uri=uri,
                                  database="bench_load"))  # fmt: skip
        return
    lines = ["| workload | twin | ODM | raw | ratio | target | PASS/MISS |", "|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
    with mongo_uri() as uri:
        seed(uri, "bench_load")
        for workload, unit in (
            ("stream", "KB peak RSS growth"),
            ("concurrent", "s"),
            ("find", "ms, median"),
        ):
            for twin in ("sync", "async"):
                odm = _measure(uri, workload, twin, "odm")
                raw = _measure(uri, workload, twin, "raw")
                ratio = odm / raw
                verdict = "PASS" if ratio <= TARGETS[workload] else "**MISS**"
                lines.append(
                    f"| {workload} ({unit}) | {twin} | {odm:.1f} | {raw:.1f} | {ratio:.2f} | "
                    f"{TARGETS[workload]} | {verdict} |"
                )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
