"""Schema evolution benchmarks, each run in a process of its own (`make bench`).

- `rewrite`: `odmantic.migration.rewrite` of N documents of about 1 KB vs a hand-written loop
  of batched `bulk_write`s of `ReplaceOne`, same transform: time, and peak memory growth of
  the process (`ru_maxrss`), both twins.
- `check`: `engine.check_documents` of N documents vs reading them raw and validating each with
  the model's own loader (`model_validate_doc`), both twins.
- `schema`: `model_bson_schema()` of a 50-field model (target: under 10 ms).

Run `python -m benchmarks.evolution [--n 100000] [--repeats 3]`; it prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from pymongo import AsyncMongoClient, MongoClient, ReplaceOne

from odmantic import AIOEngine, EmbeddedModel, Model, SyncEngine
from odmantic.migration import rewrite
from odmantic.testing import mongo_uri

DATABASE = "odmantic_bench_evolution"
BATCH = 1000
TARGETS = {"rewrite": 1.5, "rewrite_memory": 1.5, "check": 1.3}


class Place(EmbeddedModel):
    city: str
    street: str


class Record(Model):
    """About 1 KB stored."""

    model_config = {"collection": "bench_records"}

    name: str
    text: str
    tags: list[str]
    scores: list[int]
    place: Place
    version: int = 0


def _documents(n: int) -> list[dict[str, Any]]:
    return [
        Record(
            name=f"record-{i}",
            text="x" * 700,
            tags=[f"tag-{t}" for t in range(10)],
            scores=list(range(20)),
            place=Place(city="Lyon", street=f"{i} rue de la République"),
        ).model_dump_doc()
        for i in range(n)
    ]


def _bump(document: dict[str, Any]) -> dict[str, Any]:
    """The transform of both sides: a changed field (every run writes every document)."""
    return {**document, "version": document.get("version", 0) + 1}


# --- one measured run (in a child process) ---------------------------------------------------
def _raw_rewrite_sync(client: MongoClient[Any]) -> None:
    collection = client[DATABASE]["bench_records"]
    batch: list[Any] = []
    for document in collection.find({}, sort=[("_id", 1)], batch_size=BATCH):
        batch.append(ReplaceOne({"_id": document["_id"]}, _bump(document)))
        if len(batch) == BATCH:
            collection.bulk_write(batch, ordered=False)
            batch = []
    if batch:
        collection.bulk_write(batch, ordered=False)


async def _raw_rewrite_async(client: AsyncMongoClient[Any]) -> None:
    collection = client[DATABASE]["bench_records"]
    batch: list[Any] = []
    async for document in collection.find({}, sort=[("_id", 1)], batch_size=BATCH):
        batch.append(ReplaceOne({"_id": document["_id"]}, _bump(document)))
        if len(batch) == BATCH:
            await collection.bulk_write(batch, ordered=False)
            batch = []
    if batch:
        await collection.bulk_write(batch, ordered=False)


def _raw_check_sync(client: MongoClient[Any]) -> None:
    for document in client[DATABASE]["bench_records"].find({}, batch_size=BATCH):
        Record.model_validate_doc(document)


async def _raw_check_async(client: AsyncMongoClient[Any]) -> None:
    async for document in client[DATABASE]["bench_records"].find({}, batch_size=BATCH):
        Record.model_validate_doc(document)


def _child(workload: str, side: str, twin: str, uri: str, mode: str) -> dict[str, float]:
    """One run: its seconds (`mode` "time"), or the peak of the memory it allocated, in MB
    (`mode` "memory": traced, so not timed)."""
    if mode == "memory":
        tracemalloc.start()
    if twin == "sync":
        sync_client: MongoClient[Any] = MongoClient(uri)
        sync_client.admin.command("ping")
        engine = SyncEngine(client=sync_client, database=DATABASE)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        if (workload, side) == ("rewrite", "odm"):
            rewrite(engine, Record, _bump, batch_size=BATCH, progress=False)
        elif (workload, side) == ("rewrite", "raw"):
            _raw_rewrite_sync(sync_client)
        elif side == "odm":
            assert engine.check_documents(Record).ok
        else:
            _raw_check_sync(sync_client)
    else:

        async def run() -> float:
            client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
            await client.admin.command("ping")
            engine = AIOEngine(client=client, database=DATABASE)
            tracemalloc.reset_peak()
            nonlocal base
            base = tracemalloc.get_traced_memory()[0]
            began = time.perf_counter()
            if (workload, side) == ("rewrite", "odm"):
                await rewrite(engine, Record, _bump, batch_size=BATCH, progress=False)
            elif (workload, side) == ("rewrite", "raw"):
                await _raw_rewrite_async(client)
            elif side == "odm":
                assert (await engine.check_documents(Record)).ok
            else:
                await _raw_check_async(client)
            return began

        base = 0
        start = asyncio.run(run())
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if mode == "memory" else base
    return {"seconds": seconds, "memory_mb": (peak - base) / 2**20}


# --- the parent: data, interleaved child runs, the table ---------------------------------------
def _measure(workload: str, twin: str, uri: str, repeats: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"odm": [], "raw": [], "odm_mb": [], "raw_mb": []}
    for repeat in range(repeats):
        for side in ("odm", "raw") if repeat % 2 == 0 else ("raw", "odm"):
            found[side].append(_run_child(workload, side, twin, uri, "time")["seconds"])
    if workload == "rewrite":
        for side in ("odm", "raw"):
            found[f"{side}_mb"].append(_run_child(workload, side, twin, uri, "memory")["memory_mb"])  # fmt: skip
    return found


def _run_child(workload: str, side: str, twin: str, uri: str, mode: str) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.evolution", "--child", workload, side, twin, uri, mode]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _schema_ms() -> float:
    fields = {f"f{n}": (int if n % 3 else str if n % 2 else list[str]) for n in range(50)}
    wide: Any = type("Wide", (Model,), {"__annotations__": fields})
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        wide.model_bson_schema()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    """Prepare the data, run every measurement in child processes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="documents (default 100,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(*arguments.child)))
        return
    with mongo_uri() as uri:
        client: MongoClient[Any] = MongoClient(uri)
        client.drop_database(DATABASE)
        documents = _documents(arguments.n)
        for start in range(0, len(documents), 10_000):
            client[DATABASE]["bench_records"].insert_many(documents[start : start + 10_000])
        del documents
        rows = ["| workload | twin | ODM | raw | ratio | target | PASS/MISS |", "|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
        for workload in ("rewrite", "check"):
            for twin in ("sync", "async"):
                found = _measure(workload, twin, uri, arguments.repeats)
                odm, raw = statistics.median(found["odm"]), statistics.median(found["raw"])
                rows.append(_row(f"{workload} {arguments.n:,}", twin, f"{odm:.2f} s", f"{raw:.2f} s", odm / raw, TARGETS[workload]))  # fmt: skip
                if workload == "rewrite":
                    odm_mb = statistics.median(found["odm_mb"])
                    raw_mb = statistics.median(found["raw_mb"])
                    ratio = odm_mb / raw_mb
                    rows.append(_row("rewrite peak memory growth", twin, f"{odm_mb:.1f} MB", f"{raw_mb:.1f} MB", ratio, TARGETS["rewrite_memory"]))  # fmt: skip
        schema = _schema_ms()
        verdict = "PASS" if schema < 10 else "**MISS**"
        rows.append(f"| model_bson_schema, 50 fields | - | {schema:.2f} ms | - | - | < 10 ms | {verdict} |")  # fmt: skip
        client.drop_database(DATABASE)
        client.close()
    print("\n".join(rows))


def _row(name: str, twin: str, odm: str, raw: str, ratio: float, target: float) -> str:
    verdict = "PASS" if ratio <= target else "**MISS**"
    return f"| {name} | {twin} | {odm} | {raw} | {ratio:.2f} | {target:g} | {verdict} |"


if __name__ == "__main__":
    main()
