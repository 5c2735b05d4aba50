"""Quickstart: start a throwaway MongoDB, then run the same tour through both engine
twins.

python examples/quickstart.py            # starts an embedded mongod (odmantic[testing])
ODMANTIC_TEST_MONGO_URI=mongodb://... python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples._async.tour import tour as tour_async
from examples._sync.tour import tour as tour_sync
from odmantic.testing import MongoServer


def run(uri: str) -> None:
    """Run the tour with AIOEngine (AsyncMongoClient), then with SyncEngine
    (MongoClient)."""
    print("== AIOEngine over pymongo.AsyncMongoClient ==")
    async_lines = asyncio.run(tour_async(uri, "quickstart_async"))
    print("\n== SyncEngine over pymongo.MongoClient (generated twin) ==")
    sync_lines = tour_sync(uri, "quickstart_sync")
    same = [
        a.replace("AIOEngine", "SyncEngine").replace("_async", "_sync")
        for a in async_lines
    ]
    print("\nboth twins did the same:", same == sync_lines)
    if same != sync_lines:
        raise SystemExit("the twins disagree")


def main() -> None:
    """Use ODMANTIC_TEST_MONGO_URI when set, else an embedded mongod for the run."""
    uri = os.environ.get("ODMANTIC_TEST_MONGO_URI")
    if uri:
        run(uri)
        return
    print("starting an embedded mongod (single-node replica set)...")
    with MongoServer() as server:
        print(f"mongod ready at {server.uri}\n")
        run(server.uri)


if __name__ == "__main__":
    main()
