"""Engine fixtures of the engine suite, one engine per client kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from odmantic import AIOEngine
from odmantic._async import IS_ASYNC

if IS_ASYNC:
    from motor.motor_asyncio import AsyncIOMotorClient

    CLIENT_KINDS = ["pymongo", "motor"]
else:
    CLIENT_KINDS = ["pymongo"]


def make_client(kind: str, uri: str) -> Any:
    """A driver client of the given kind for this twin."""
    if IS_ASYNC:
        if kind == "motor":
            return AsyncIOMotorClient(uri)
    return AsyncMongoClient(uri)


@pytest.fixture(params=CLIENT_KINDS)
async def engine(
    request: pytest.FixtureRequest, mongo_uri: str, database_name: str
) -> AsyncIterator[AIOEngine]:
    """An engine on a fresh database of the test server, for each client kind."""
    engine = AIOEngine(client=make_client(request.param, mongo_uri), database=database_name)
    yield engine
    await engine.close()
