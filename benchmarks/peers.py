"""Side-by-side with other ODM installs, each in its own interpreter (secondary, optional).

Configure a separate virtualenv per peer and point an environment variable at its python::

    python -m venv /tmp/peer-odmantic && /tmp/peer-odmantic/bin/pip install odmantic motor
    python -m venv /tmp/peer-beanie && /tmp/peer-beanie/bin/pip install beanie
    ODMANTIC_PEER_PYTHON=/tmp/peer-odmantic/bin/python \\
    BEANIE_PEER_PYTHON=/tmp/peer-beanie/bin/python python -m benchmarks.peers

The parent starts one mongod, measures this checkout's ``AIOEngine`` (async twin) in-process,
then runs this file as a script with each peer's python (``--worker``), in a temporary working
directory so that the peer imports its own installed package. Each worker times the same
workloads against the raw driver it ships with (Motor, else PyMongo's async client) and prints
JSON; ratios are compared since absolute times come from different processes. The worker code
below only imports the peer's packages (it must not import this repository). Beanie stores a
``Link`` as a DBRef, so its ``find_ref`` has no equal raw pipeline here and is not run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

PEERS = {"odmantic (PyPI)": "ODMANTIC_PEER_PYTHON", "beanie": "BEANIE_PEER_PYTHON"}
"""Peer label -> environment variable naming the peer virtualenv's python."""

N, POINT_OPS, COUNTS = 5_000, 300, 50


# -- worker (runs under the peer's python) ------------------------------------------------------


def _docs(n: int) -> list[dict[str, Any]]:
    from bson import ObjectId

    rng, start = random.Random(0), datetime(2024, 1, 1)
    return [
        {
            "_id": ObjectId(),
            "name": f"item-{i}",
            "rank": i,
            "score": rng.random() * 100,
            "created": start + timedelta(seconds=i, milliseconds=rng.randrange(1000)),
            "tags": [f"tag{rng.randrange(20)}" for _ in range(3)],
            "address": {"city": "Paris", "zip_code": f"{rng.randrange(10**5):05d}"},
            "note": None if i % 2 else f"note {i}",
        }
        for i in range(n)
    ]


def _models(kind: str) -> dict[str, Any]:
    """The peer's Item/Pet models (same shape and collections as benchmarks.workloads)."""
    if kind == "odmantic":
        from odmantic import EmbeddedModel, Model, Reference

        class Address(EmbeddedModel):
            city: str
            zip_code: str

        class Item(Model):
            model_config = {"collection": "bench_items"}
            name: str
            rank: int
            score: float
            created: datetime
            tags: list[str]
            address: Address
            note: str | None = None

        class Owner(Model):
            model_config = {"collection": "bench_owners"}
            name: str

        class Pet(Model):
            model_config = {"collection": "bench_pets"}
            name: str
            owner: Owner = Reference()

        return {"Item": Item, "Pet": Pet, "load": Item.model_validate_doc}
    from beanie import Document
    from pydantic import BaseModel

    class BAddress(BaseModel):
        city: str
        zip_code: str

    class BItem(Document):
        name: str
        rank: int
        score: float
        created: datetime
        tags: list[str]
        address: BAddress
        note: str | None = None

        class Settings:
            name = "bench_items"

    return {"Item": BItem, "Pet": None, "load": BItem.model_validate}


def _bodies(kind: str, m: dict[str, Any], engine: Any) -> dict[str, Callable[..., Awaitable[Any]]]:
    item = m["Item"]
    if kind == "odmantic":
        return {
            "save_all": lambda p: engine.save_all(p["new"]),
            "find": lambda p: engine.find(item),
            "find_one": lambda p: _each(p["ids"], lambda i: engine.find_one(item, item.id == i)),
            "save": lambda p: _each(p["loaded"], lambda x: engine.save(_bump(x))),
            "count": lambda p: _each(
                range(COUNTS), lambda _: engine.count(item, item.rank >= N // 2)
            ),  # fmt: skip
            "find_ref": lambda p: engine.find(m["Pet"]),
        }
    return {
        "save_all": lambda p: item.insert_many(p["new"]),
        "find": lambda p: item.find_all().to_list(),
        "find_one": lambda p: _each(p["ids"], item.get),
        "save": lambda p: _each(p["loaded"], lambda x: _bump(x).save()),
        "count": lambda p: _each(range(COUNTS), lambda _: item.find(item.rank >= N // 2).count()),
    }


def _raw_bodies(db: Any) -> dict[str, Callable[..., Awaitable[Any]]]:
    items, pets = db["bench_items"], db["bench_pets"]
    pipeline = [
        {
            "$lookup": {
                "from": "bench_owners",
                "localField": "owner",
                "foreignField": "_id",
                "as": "owner",
            }
        },  # fmt: skip
        {"$unwind": "$owner"},
    ]

    async def aggregate() -> Any:
        cursor = pets.aggregate(pipeline)
        cursor = (await cursor) if inspect.isawaitable(cursor) else cursor
        return await cursor.to_list(None)

    return {
        "save_all": lambda p: items.insert_many(p["raw"]),
        "find": lambda p: items.find({}).to_list(None),
        "find_one": lambda p: _each(p["ids"], lambda i: items.find_one({"_id": i})),
        "save": lambda p: _each(
            p["loaded"], lambda x: items.update_one({"_id": x.id}, {"$set": {"rank": x.rank + 1}})
        ),  # fmt: skip
        "count": lambda p: _each(
            range(COUNTS), lambda _: items.count_documents({"rank": {"$gte": N // 2}})
        ),  # fmt: skip
        "find_ref": lambda p: aggregate(),
    }


def _bump(instance: Any) -> Any:
    instance.rank += 1
    return instance


async def _each(values: Any, call: Callable[[Any], Awaitable[Any]]) -> None:
    for value in values:
        await call(value)


def _new(model: Any, doc: dict[str, Any]) -> Any:
    return model(id=doc["_id"], **{key: value for key, value in doc.items() if key != "_id"})


def _prepare(sync_db: Any, name: str, m: dict[str, Any]) -> dict[str, Any]:
    from bson import ObjectId

    for coll in ("bench_items", "bench_owners", "bench_pets"):
        sync_db.drop_collection(coll)
        sync_db.create_collection(coll)
    if name == "save_all":
        return {"raw": _docs(N), "new": [_new(m["Item"], d) for d in _docs(N)]}
    if name == "find_ref":
        owners = [{"_id": ObjectId(), "name": f"o{i}"} for i in range(100)]
        sync_db["bench_owners"].insert_many(owners)
        pets = [{"name": f"p{i}", "owner": owners[i % 100]["_id"]} for i in range(1000)]
        sync_db["bench_pets"].insert_many(pets)
        return {}
    docs = _docs(N)
    sync_db["bench_items"].insert_many(docs)
    sample = random.Random(1).sample(docs, POINT_OPS)
    return {"ids": [d["_id"] for d in sample], "loaded": [m["load"](d) for d in sample]}


async def _worker(kind: str, uri: str, repeats: int) -> dict[str, Any]:
    from pymongo import MongoClient

    try:
        from motor.motor_asyncio import AsyncIOMotorClient as client_class
    except ImportError:
        from pymongo import AsyncMongoClient as client_class
    client, sync_client, dbname = client_class(uri), MongoClient(uri), "bench_peer"
    models = _models(kind)
    if kind == "odmantic":
        from odmantic import AIOEngine

        odm = _bodies(kind, models, AIOEngine(client=client, database=dbname))
    else:
        from beanie import init_beanie

        await init_beanie(database=client[dbname], document_models=[models["Item"]])
        odm = _bodies(kind, models, None)
    raw = _raw_bodies(client[dbname])
    results = []
    for name, odm_body in odm.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for run in range(repeats + 1):  # run 0 is the warm-up
            for is_odm in (True, False) if run % 2 == 0 else (False, True):
                prepared = _prepare(sync_client[dbname], name, models)
                gc.collect()
                start = time.perf_counter()
                await (odm_body if is_odm else raw[name])(prepared)
                if run:
                    times[is_odm].append(time.perf_counter() - start)
        odm_ms, raw_ms = (statistics.median(times[s]) * 1000 for s in (True, False))
        results.append({"workload": name, "odm_ms": odm_ms, "raw_ms": raw_ms})
    sync_client.drop_database(dbname)
    version = __import__(kind).__version__ if hasattr(__import__(kind), "__version__") else "?"
    return {"version": version, "driver": client_class.__module__, "results": results}


# -- parent (runs in this repository's venv) ----------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the configured peers side by side with this checkout; print a markdown table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("--worker", choices=("odmantic", "beanie"), help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(asyncio.run(_worker(args.worker, args.uri, args.repeats))))
        return 0
    configured = {label: os.environ[var] for label, var in PEERS.items() if os.environ.get(var)}
    if not configured:
        setup = "\n\n".join((__doc__ or "").split("\n\n")[1:3])
        print(f"No peer configured ({', '.join(PEERS.values())} unset); nothing to do.\n\n{setup}")
        return 0

    from pymongo import AsyncMongoClient, MongoClient

    from benchmarks.workloads import WORKLOADS, Twin, measure_twin
    from odmantic import AIOEngine
    from odmantic.testing import mongo_uri, unique_database_name

    columns: dict[str, dict[str, float]] = {}
    with mongo_uri() as uri:

        async def ours() -> dict[str, float]:
            name, prep = unique_database_name("peers"), MongoClient(uri)
            client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
            twin = Twin("async", AIOEngine(client, name), client[name], True)
            found = await measure_twin(twin, prep[name], repeats=args.repeats)
            await client.close()
            prep.drop_database(name)
            return {m.workload: m.ratio for m in found}

        columns["this checkout"] = asyncio.run(ours())
        for label, python in configured.items():
            kind = "odmantic" if label.startswith("odmantic") else "beanie"
            command = [python, os.path.abspath(__file__), "--worker", kind, "--uri", uri]
            with tempfile.TemporaryDirectory() as cwd:
                done = subprocess.run(
                    [*command, "--repeats", str(args.repeats)],
                    cwd=cwd,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if done.returncode != 0:
                print(f"{label}: worker failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            data = json.loads(done.stdout)
            columns[f"{label} {data['version']}"] = {
                r["workload"]: r["odm_ms"] / r["raw_ms"] for r in data["results"]
            }
    print("Ratios ODM / raw driver (each in its own process; lower is better)\n")
    print("| workload | target | " + " | ".join(columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for w in WORKLOADS:
        cells = [f"{col[w.name]:.2f}" if w.name in col else "n/a" for col in columns.values()]
        print(f"| {w.name} | {w.target:.1f} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
