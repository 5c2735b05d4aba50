"""``python -m benchmarks``: ODMantic engines vs the raw driver, on a throwaway mongod.

Examples::

    python -m benchmarks                 # full run, prints and writes benchmarks/results.md
    python -m benchmarks --quick         # smoke test (fewer repeats)
    python -m benchmarks --json          # JSON on stdout instead of markdown
    python -m benchmarks --png out.png   # also a bar chart (needs matplotlib)
    python -m benchmarks --profile find  # cProfile the ODM side of one workload
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import pstats
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
import pymongo
from pymongo import AsyncMongoClient, MongoClient

import odmantic
from benchmarks import report
from benchmarks.workloads import (
    N_DOCS,
    WORKLOADS,
    Measurement,
    Twin,
    Workload,
    drive_async,
    drive_sync,
    measure_twin,
)
from odmantic import AIOEngine, SyncEngine
from odmantic.testing import mongo_uri, unique_database_name

RESULTS_PATH = Path(__file__).with_name("results.md")
TWINS = ("sync", "async", "motor")


def _motor_client_class() -> Any | None:
    try:
        from motor.motor_asyncio import AsyncIOMotorClient
    except ImportError:
        return None
    return AsyncIOMotorClient


def machine_facts(client: MongoClient[Any]) -> dict[str, str]:
    """CPU, Python, library and server versions of this run."""
    motor_class = _motor_client_class()
    motor_version = "not installed"
    if motor_class is not None:
        import motor

        motor_version = motor.version  # type: ignore[attr-defined]
    return {
        "CPU count": str(os.cpu_count()),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "odmantic": odmantic.__version__,
        "pymongo": pymongo.version,
        "pydantic": pydantic.VERSION,
        "motor": motor_version,
        "mongod": str(client.server_info()["version"]),
    }


def method_line(repeats: int, n: int) -> str:
    """The one-line description of how the numbers were taken."""
    return (
        f"N={n}; one in-process run against a private single-node replica-set mongod on "
        f"127.0.0.1; per workload and twin one warm-up of each side, then {repeats} timed runs "
        "of each with ODM and raw interleaved (alternating who goes first); time.perf_counter "
        "around the workload only (collections dropped, recreated and seeded before each run, "
        "gc.collect() before the clock); figures are medians, ratio = ODM median / raw median; "
        "the raw side uses the same client object as the engine."
    )


async def run_all(
    uri: str,
    twins: Sequence[str],
    workloads: Sequence[Workload],
    n: int,
    repeats: int,
    verbose: bool,
) -> tuple[list[Measurement], dict[str, str], list[str]]:
    """Run the selected twins in one event loop; return measurements, facts and notes."""
    notes: list[str] = []
    results: list[Measurement] = []
    database = unique_database_name("bench")

    def progress(line: str) -> None:
        if verbose:
            print(line, file=sys.stderr, flush=True)

    prep_client: MongoClient[Any] = MongoClient(uri)
    prep_db = prep_client[database]
    facts = machine_facts(prep_client)
    try:
        for name in twins:
            options: dict[str, Any] = {
                "workloads": workloads,
                "n": n,
                "repeats": repeats,
                "progress": progress,
            }
            if name == "sync":
                sync_client: MongoClient[Any] = MongoClient(uri)
                twin = Twin("sync", SyncEngine(sync_client, database), sync_client[database], False)
                results += await measure_twin(twin, prep_db, **options)
                sync_client.close()
            elif name == "async":
                async_client: AsyncMongoClient[Any] = AsyncMongoClient(uri)
                engine = AIOEngine(async_client, database)
                twin = Twin("async", engine, async_client[database], True)
                results += await measure_twin(twin, prep_db, **options)
                await async_client.close()
            elif name == "motor":
                motor_class = _motor_client_class()
                if motor_class is None:
                    notes.append("motor is not importable: the motor twin was skipped.")
                    continue
                motor_client = motor_class(uri)
                twin = Twin(
                    "motor", AIOEngine(motor_client, database), motor_client[database], True
                )
                results += await measure_twin(twin, prep_db, **options)
                motor_client.close()
    finally:
        prep_client.drop_database(database)
        prep_client.close()
    return results, facts, notes


def profile(uri: str, workload: Workload, n: int, twin: str, top: int) -> str:
    """cProfile the ODM side of one workload (one run after a warm-up) and summarise it."""
    database = unique_database_name("profile")
    prep_client: MongoClient[Any] = MongoClient(uri)
    prep_db = prep_client[database]
    profiler = cProfile.Profile()
    try:
        if twin == "sync":
            client: MongoClient[Any] = MongoClient(uri)
            engine = SyncEngine(client, database)
            drive_sync(workload.odm(engine, workload.prepare(prep_db, n)))
            body = workload.odm(engine, workload.prepare(prep_db, n))
            profiler.runcall(drive_sync, body)
            client.close()
        else:

            async def run() -> None:
                aclient: AsyncMongoClient[Any] = AsyncMongoClient(uri)
                aengine = AIOEngine(aclient, database)
                await drive_async(workload.odm(aengine, workload.prepare(prep_db, n)))
                body = workload.odm(aengine, workload.prepare(prep_db, n))
                profiler.enable()
                await drive_async(body)
                profiler.disable()
                await aclient.close()

            asyncio.run(run())
    finally:
        prep_client.drop_database(database)
        prep_client.close()
    return summarise_profile(pstats.Stats(profiler), f"{workload.name} ({twin})", top)


def summarise_profile(stats: pstats.Stats, title: str, top: int) -> str:
    """Top functions by cumulative time, as a share of the whole run: odmantic's, then all."""
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-12)  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda item: item[1][3], reverse=True)

    def fmt(key: tuple[str, int, str], value: tuple[Any, ...]) -> str:
        filename, line, func = key
        where = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        return (
            f"  {value[3] / total:6.1%} cum {value[2] / total:6.1%} self  {value[1]:>7} calls  "
            f"{func}  ({where}:{line})"
        )

    ours = [fmt(k, v) for k, v in rows if "/odmantic/" in k[0]][:top]
    everything = [fmt(k, v) for k, v in sorted(raw.items(), key=lambda i: i[1][2], reverse=True)]
    return "\n".join(
        [f"profile of {title}: {total * 1000:.1f} ms total", "odmantic functions (cumulative):"]
        + ours
        + ["all functions (self time):"]
        + everything[:top]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run, print, write ``results.md``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="1 repeat instead of 5 (smoke test)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per side (>= 1)")
    parser.add_argument("--n", type=int, default=N_DOCS, help="documents of the bulk workloads")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    parser.add_argument("--png", type=Path, default=None, help="write a bar chart to this path")
    parser.add_argument("--twins", default=",".join(TWINS), help="comma list of sync,async,motor")
    parser.add_argument("--only", default=None, help="comma list of workload names")
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="markdown file written")
    parser.add_argument("--no-write", action="store_true", help="do not write the markdown file")
    parser.add_argument("--profile", metavar="WORKLOAD", help="cProfile the ODM side of one")
    parser.add_argument("--profile-twin", choices=("sync", "async"), default="sync")
    args = parser.parse_args(argv)

    workloads = list(WORKLOADS)
    if args.only:
        wanted = set(args.only.split(","))
        workloads = [w for w in WORKLOADS if w.name in wanted]
        if not workloads:
            parser.error(f"--only: no such workload; choose from {[w.name for w in WORKLOADS]}")
    twins = [t for t in args.twins.split(",") if t]
    if unknown := set(twins) - set(TWINS):
        parser.error(f"--twins: unknown {sorted(unknown)}; choose from {list(TWINS)}")
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 5)
    if repeats < 1:
        parser.error("--repeats must be >= 1")

    began = time.perf_counter()
    with mongo_uri() as uri:
        if args.profile:
            chosen = [w for w in WORKLOADS if w.name == args.profile]
            if not chosen:
                parser.error(f"--profile: choose from {[w.name for w in WORKLOADS]}")
            print(profile(uri, chosen[0], args.n, args.profile_twin, top=25))
            return 0
        results, facts, notes = asyncio.run(
            run_all(uri, twins, workloads, args.n, repeats, verbose=not args.json)
        )
    wall = time.perf_counter() - began
    facts["run"] = (
        f"{'quick' if args.quick else 'full'}, wall time {wall:.1f} s (incl. mongod start)"
    )
    method = method_line(repeats, args.n)
    if args.png is not None:
        problem = report.write_png(results, args.png)
        notes.append(problem or f"chart written to {args.png}")
    text = report.markdown(results, facts, method, notes)
    if not args.no_write:
        args.output.write_text(text)
    print(report.to_json(results, facts, method, notes) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
