"""Side-by-side with other ODM installs, each in its own interpreter (secondary, optional).

Configure a separate virtualenv per peer (Python >= 3.10) and point a variable at its python::

    python -m venv /tmp/peer-odmantic && /tmp/peer-odmantic/bin/pip install odmantic==1.1.0 motor
    python -m venv /tmp/peer-beanie && /tmp/peer-beanie/bin/pip install 'beanie>=2'
    ODMANTIC_PEER_PYTHON=/tmp/peer-odmantic/bin/python \\
    BEANIE_PEER_PYTHON=/tmp/peer-beanie/bin/python python -m benchmarks.peers

The parent starts one mongod, measures this checkout's ``AIOEngine`` (async twin) in-process,
then runs this file as a script with each peer's python in isolated mode (``-I --worker``: no
script directory, no ``PYTHON*`` variables on the path), so that the peer imports its own
installed package; the worker checks that it did. Each worker seeds the same data as
``benchmarks.workloads`` and times the same workloads against the raw driver the peer is built
on (Motor for ODMantic 1.x, PyMongo's ``AsyncMongoClient`` for Beanie 2), then prints JSON.
Ratios are compared since absolute times come from different processes and drivers. The worker
code below only imports the peer's packages (it must not import this repository), and its model
classes are local to a function, which is why this module does not use postponed annotations.
Beanie stores a ``Link`` as a DBRef, so its ``find_ref`` has no equal raw pipeline here and is
not run. The table is printed and written to ``benchmarks/peers.md``.
"""

import argparse
import asyncio
import gc
import importlib
import importlib.metadata
import inspect
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

PEERS = {"odmantic": "ODMANTIC_PEER_PYTHON", "beanie": "BEANIE_PEER_PYTHON"}
"""Peer package -> environment variable naming the peer virtualenv's python."""
OUTPUT = Path(__file__).with_name("peers.md")
"""The markdown file written by a run."""

# The same sizes and data as benchmarks.workloads (which the worker may not import).
N, POINT_OPS, COUNTS, REFERENCING, REFERENCED = 5_000, 300, 50, 1_000, 100
CITIES = ("Paris", "Lyon", "Berlin", "Madrid", "Oslo", "Rome", "Lisbon", "Vienna")
WORKLOAD_NAMES = ("save_all", "find", "find_one", "save", "count", "find_ref")
NOTES = (
    "Cells: ratio (ODM median ms). Each ratio is against the raw client that ODM runs on, so the "
    "columns compare overheads, not drivers.",
    "",
    "- find_ref: the raw baseline is `$lookup` + `$set: {owner: {$first: ...}}`, the fastest "
    "hand-written join. Beanie stores a `Link` as a DBRef, so it has no equal raw pipeline "
    "here (n/a).",
    "- save_all: ODMantic 1.1 writes the instances one at a time (about one round trip each, "
    "like its `save`), where the others use one `insert_many`.",
)
"""Footnotes of the written table."""

Bodies = dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]
Column = dict[str, tuple[float, float]]
"""Workload -> (ratio ODM / raw, ODM median ms)."""


# -- worker (runs under the peer's python) ------------------------------------------------------


def _docs(n: int) -> list[dict[str, Any]]:
    """Like ``benchmarks.workloads.item_docs`` (same seed, same draws)."""
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
            "address": {"city": rng.choice(CITIES), "zip_code": f"{rng.randrange(10**5):05d}"},
            "note": None if i % 2 else f"note {i}",
        }
        for i in range(n)
    ]


def _models(kind: str) -> dict[str, Any]:
    """The peer's Item/Pet models (same shape and collections as benchmarks.workloads)."""
    if kind == "odmantic":
        from odmantic import EmbeddedModel, Model, Reference
        from odmantic.config import ODMConfigDict

        class Address(EmbeddedModel):
            city: str
            zip_code: str

        class Item(Model):
            model_config = ODMConfigDict(collection="bench_items")
            name: str
            rank: int
            score: float
            created: datetime
            tags: list[str]
            address: Address
            note: str | None = None

        class Owner(Model):
            model_config = ODMConfigDict(collection="bench_owners")
            name: str
            city: str

        class Pet(Model):
            model_config = ODMConfigDict(collection="bench_pets")
            name: str
            age: int
            owner: Owner = Reference()

        return {"Item": Item, "Pet": Pet, "load": Item.model_validate_doc}
    from beanie import Document  # pyright: ignore[reportMissingImports]
    from pydantic import BaseModel

    class BAddress(BaseModel):
        city: str
        zip_code: str

    class BItem(Document):  # type: ignore[misc]
        name: str
        rank: int
        score: float
        created: datetime
        tags: list[str]
        address: BAddress
        note: str | None = None

        class Settings:
            name = "bench_items"

    return {"Item": BItem, "load": BItem.model_validate}


def _bodies(kind: str, models: dict[str, Any], engine: Any) -> Bodies:
    """The ODM side of each workload, through the peer's public API."""
    item = models["Item"]
    if kind == "odmantic":
        return {
            "save_all": lambda p: engine.save_all(p["new"]),
            "find": lambda p: engine.find(item),
            "find_one": lambda p: _each(p["ids"], lambda i: engine.find_one(item, item.id == i)),
            "save": lambda p: _each(p["loaded"], lambda x: engine.save(_bump(x))),
            "count": lambda p: _each(
                range(COUNTS), lambda _: engine.count(item, item.rank >= N // 2)
            ),
            "find_ref": lambda p: engine.find(models["Pet"]),
        }
    return {
        "save_all": lambda p: item.insert_many(p["new"]),
        "find": lambda p: item.find_all().to_list(),
        "find_one": lambda p: _each(p["ids"], item.get),
        "save": lambda p: _each(p["loaded"], lambda x: _bump(x).save()),
        "count": lambda p: _each(range(COUNTS), lambda _: item.find(item.rank >= N // 2).count()),
    }


def _raw_bodies(db: Any) -> Bodies:
    """The raw-driver side of each workload (as in benchmarks.workloads)."""
    items, pets = db["bench_items"], db["bench_pets"]
    pipeline = [
        {
            "$lookup": {
                "from": "bench_owners",
                "localField": "owner",
                "foreignField": "_id",
                "as": "owner",
            }
        },
        {"$set": {"owner": {"$first": "$owner"}}},
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
        ),
        "count": lambda p: _each(
            range(COUNTS), lambda _: items.count_documents({"rank": {"$gte": N // 2}})
        ),
        "find_ref": lambda p: aggregate(),
    }


def _bump(instance: Any) -> Any:
    """Change one field of a loaded instance (the ``save`` workload)."""
    instance.rank += 1
    return instance


async def _each(values: Any, call: Callable[[Any], Awaitable[Any]]) -> None:
    """Await ``call(value)`` for each value, one after the other."""
    for value in values:
        await call(value)


def _new(model: Any, doc: dict[str, Any]) -> Any:
    """A new (never saved) instance holding the values of a raw document."""
    return model(id=doc["_id"], **{key: value for key, value in doc.items() if key != "_id"})


def _prepare(sync_db: Any, name: str, models: dict[str, Any]) -> dict[str, Any]:
    """Reset and seed the collections for one timed run (as in benchmarks.workloads)."""
    from bson import ObjectId

    for coll in ("bench_items", "bench_owners", "bench_pets"):
        sync_db.drop_collection(coll)
        sync_db.create_collection(coll)
    if name == "save_all":
        return {"raw": _docs(N), "new": [_new(models["Item"], d) for d in _docs(N)]}
    if name == "find_ref":
        owners = [
            {"_id": ObjectId(), "name": f"owner-{i}", "city": CITIES[i % len(CITIES)]}
            for i in range(REFERENCED)
        ]
        pets = [
            {
                "_id": ObjectId(),
                "name": f"pet-{i}",
                "age": i % 15,
                "owner": owners[i % REFERENCED]["_id"],
            }
            for i in range(REFERENCING)
        ]
        sync_db["bench_owners"].insert_many(owners)
        sync_db["bench_pets"].insert_many(pets)
        return {}
    docs = _docs(N)
    sync_db["bench_items"].insert_many(docs)
    sample = random.Random(1).sample(docs, POINT_OPS)
    return {"ids": [d["_id"] for d in sample], "loaded": [models["load"](d) for d in sample]}


def _client_class(kind: str) -> Any:
    """The async client the peer is built on: ODMantic 1.x takes Motor, Beanie 2 PyMongo's."""
    if kind == "odmantic":
        from motor.motor_asyncio import AsyncIOMotorClient

        return AsyncIOMotorClient
    from pymongo import AsyncMongoClient

    return AsyncMongoClient


def _versions(*names: str) -> dict[str, str]:
    """Installed versions of those distributions that are installed."""
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


async def _worker(kind: str, uri: str, dbname: str, repeats: int) -> dict[str, Any]:
    """Time every workload for the peer ``kind``; return versions and medians (ms)."""
    from pymongo import MongoClient

    where = importlib.import_module(kind).__file__ or ""
    if not where.startswith(sys.prefix):
        raise RuntimeError(f"{kind} imported from {where}, not from this venv ({sys.prefix})")
    client_class = _client_class(kind)
    client = client_class(uri)
    sync_client: MongoClient[Any] = MongoClient(uri)
    models = _models(kind)
    if kind == "odmantic":
        from odmantic import AIOEngine

        odm = _bodies(kind, models, AIOEngine(client=client, database=dbname))
    else:
        from beanie import init_beanie  # pyright: ignore[reportMissingImports]

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
        odm_ms, raw_ms = (statistics.median(times[side]) * 1000 for side in (True, False))
        results.append({"workload": name, "odm_ms": odm_ms, "raw_ms": raw_ms})
    sync_client.drop_database(dbname)
    sync_client.close()
    if inspect.isawaitable(closing := client.close()):
        await closing
    return {
        "versions": _versions(kind, "motor", "pymongo", "pydantic"),
        "driver": f"{client_class.__module__}.{client_class.__name__}",
        "python": platform.python_version(),
        "results": results,
    }


# -- parent (runs in this repository's venv) ----------------------------------------------------


def _render(columns: dict[str, Column], facts: list[str], method: str) -> str:
    """The markdown report: versions, how it was measured, one ratio column per ODM."""
    lines = ["# ODMantic vs peers: ODM time / raw driver time (lower is better)", ""]
    lines += [f"- {fact}" for fact in facts]
    lines += ["", f"How it was measured: {method}", ""]
    # The table is included by docs/why.md between these markers.
    lines += ["<!-- --8<-- [start:table] -->"]
    lines += ["| workload | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name in WORKLOAD_NAMES:
        cells = [
            f"{col[name][0]:.2f} ({col[name][1]:.0f} ms)" if name in col else "n/a"
            for col in columns.values()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["<!-- --8<-- [end:table] -->", "", *NOTES]
    return "\n".join(lines) + "\n"


def _revision() -> str:
    """The checkout's git commit, ``-dirty`` if the work tree has changes (else ``?``)."""
    git = ["git", "-C", str(Path(__file__).parent), "describe", "--always", "--dirty"]
    done = subprocess.run(git, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    """Run the configured peers side by side with this checkout; print and write the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("--worker", choices=tuple(PEERS), help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per side (>= 1)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file written")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.worker:
        result = asyncio.run(_worker(args.worker, args.uri, args.database, args.repeats))
        print(json.dumps(result))
        return 0
    configured = {kind: os.environ[var] for kind, var in PEERS.items() if os.environ.get(var)}
    if not configured:
        setup = "\n\n".join((__doc__ or "").split("\n\n")[1:3])
        print(f"No peer configured ({', '.join(PEERS.values())} unset); nothing to do.\n\n{setup}")
        return 0

    import pydantic
    import pymongo
    from pymongo import AsyncMongoClient, MongoClient

    import odmantic
    from benchmarks.workloads import Twin, measure_twin
    from odmantic import AIOEngine
    from odmantic.testing import mongo_uri, unique_database_name

    columns: dict[str, Column] = {}
    failed = False
    with mongo_uri() as uri:
        prep: MongoClient[Any] = MongoClient(uri)
        facts = [
            f"this checkout ({_revision()}): odmantic {odmantic.__version__} AIOEngine on "
            f"pymongo {pymongo.version} AsyncMongoClient, pydantic {pydantic.VERSION}, "
            f"Python {platform.python_version()}",
        ]

        async def ours() -> Column:
            name = unique_database_name("peers")
            client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
            twin = Twin("async", AIOEngine(client, name), client[name], True)
            found = await measure_twin(twin, prep[name], repeats=args.repeats)
            await client.close()
            prep.drop_database(name)
            return {m.workload: (m.ratio, m.odm_ms) for m in found}

        columns["this checkout (AIOEngine)"] = asyncio.run(ours())
        for kind, python in configured.items():
            command = [python, "-I", os.path.abspath(__file__), "--worker", kind, "--uri", uri]
            command += ["--database", unique_database_name(kind), "--repeats", str(args.repeats)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{kind}: worker failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                failed = True
                continue
            data = json.loads(done.stdout)
            versions = data["versions"]
            columns[f"{kind} {versions[kind]}"] = {
                r["workload"]: (r["odm_ms"] / r["raw_ms"], r["odm_ms"]) for r in data["results"]
            }
            facts.append(
                f"{kind} {versions[kind]} (own venv): raw side {data['driver']}, "
                + ", ".join(f"{k} {v}" for k, v in versions.items() if k != kind)
                + f", Python {data['python']}"
            )
        facts += [f"mongod {prep.server_info()['version']}, {os.cpu_count()} CPUs"]
        prep.close()
    method = (
        f"N={N} documents ({POINT_OPS} find_one/save calls, {COUNTS} counts, find_ref "
        f"{REFERENCING} docs referencing {REFERENCED}), data as in benchmarks/workloads.py; one "
        "private mongod; each column in its own process, timed against the raw async client the "
        f"ODM uses; per workload one warm-up of each side, then {args.repeats} timed runs of each, "
        "ODM and raw interleaved; medians; ratio = ODM median / raw median."
    )
    text = _render(columns, facts, method)
    args.output.write_text(text)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
