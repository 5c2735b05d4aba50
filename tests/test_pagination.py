"""fastapi-pagination's ODMantic extension (0.15.x), unchanged, over both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fastapi_pagination import Page, add_pagination
from fastapi_pagination.ext.odmantic import apaginate, paginate
from pymongo import AsyncMongoClient, MongoClient

from odmantic import AIOEngine, SyncEngine
from tests.models import Player


def _app(mongo_uri: str, database_name: str) -> FastAPI:
    engines: dict[str, AIOEngine] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engines["aio"] = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
        yield
        await engines["aio"].close()

    app = FastAPI(lifespan=lifespan)
    sync_engine = SyncEngine(client=MongoClient(mongo_uri), database=database_name)

    @app.get("/sync")
    def sync_page() -> Page[Player]:
        return paginate(sync_engine, Player, Player.level >= 1, sort=Player.level)  # type: ignore[no-any-return]

    @app.get("/async")
    async def async_page() -> Page[Player]:
        return await apaginate(engines["aio"], Player, Player.level >= 1, sort=Player.level)  # type: ignore[no-any-return]

    add_pagination(app)
    return app


@pytest.fixture
def client(mongo_uri: str, database_name: str) -> Iterator[TestClient]:
    raw: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    with raw:
        raw[database_name]["player"].insert_many(
            [Player(name=f"p{i}", level=i).model_dump_doc() for i in range(7)]
        )
    with TestClient(_app(mongo_uri, database_name)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/sync", "/async"])
def test_pages_of_a_query(client: TestClient, path: str) -> None:
    first = client.get(path, params={"page": 1, "size": 4})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["total"], body["pages"], body["page"]) == (6, 2, 1)
    assert [p["level"] for p in body["items"]] == [1, 2, 3, 4]
    second = client.get(path, params={"page": 2, "size": 4}).json()
    assert [p["name"] for p in second["items"]] == ["p5", "p6"]
