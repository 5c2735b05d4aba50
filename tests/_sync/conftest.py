# generated from tests/_async/conftest.py by codegen; do not edit
"""Engine fixtures of the engine suite, one engine per client kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from odmantic import SyncEngine

CLIENT_KINDS = ["pymongo"]


def make_client(kind: str, uri: str) -> Any:
    """A driver client of the given kind for this twin."""
    return MongoClient(uri)


@pytest.fixture(params=CLIENT_KINDS)
def engine(
    request: pytest.FixtureRequest, mongo_uri: str, database_name: str
) -> Iterator[SyncEngine]:
    """An engine on a fresh database of the test server, for each client kind."""
    engine = SyncEngine(client=make_client(request.param, mongo_uri), database=database_name)
    yield engine
    engine.close()
