"""Guide: a FastAPI app with an engine managed by the lifespan, insert-only creates,
404s and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi_pagination import Page, add_pagination
from pymongo import AsyncMongoClient

from odmantic import AIOEngine, Model, ObjectId
from odmantic._async import IS_ASYNC
from odmantic.exceptions import DuplicateKeyError

if IS_ASYNC:
    from fastapi_pagination.ext.odmantic import apaginate
else:
    from fastapi_pagination.ext.odmantic import paginate


class Gnome(Model):
    model_config = {"collection": "guide_gnomes"}

    name: str
    level: int = 0


def make_app(uri: str, database: str) -> FastAPI:
    """The app, its engine connected to `uri`."""
    engines: dict[str, AIOEngine] = {}

    if IS_ASYNC:

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            engines["main"] = AIOEngine(client=AsyncMongoClient(uri), database=database)
            yield
            await engines["main"].close()

        app = FastAPI(lifespan=lifespan)
    else:
        engines["main"] = AIOEngine(client=AsyncMongoClient(uri), database=database)
        app = FastAPI()

    @app.post("/gnomes", status_code=201)
    async def create(gnome: Gnome) -> Gnome:
        try:
            return await engines["main"].insert(
                gnome
            )  # insert: a posted id never overwrites
        except DuplicateKeyError as exc:
            raise HTTPException(409, "a gnome with this id exists") from exc

    @app.get("/gnomes/{gnome_id}")
    async def read(gnome_id: ObjectId) -> Gnome:
        gnome = await engines["main"].find_one(Gnome, Gnome.id == gnome_id)
        if gnome is None:
            raise HTTPException(404, "no such gnome")
        return gnome

    @app.get("/gnomes")
    async def pages() -> Page[Gnome]:
        if IS_ASYNC:
            page = await apaginate(engines["main"], Gnome, sort=Gnome.name)
            return page  # type: ignore[no-any-return]
        else:
            page = paginate(engines["main"], Gnome, sort=Gnome.name)
            return page  # type: ignore[no-any-return]

    add_pagination(app)
    return app
