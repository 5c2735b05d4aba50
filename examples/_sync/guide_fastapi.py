# generated from examples/_async/guide_fastapi.py by codegen; do not edit
"""Guide: a FastAPI app with an engine managed by the lifespan, insert-only creates,
404s and pages."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi_pagination import Page, add_pagination
from fastapi_pagination.ext.odmantic import paginate
from pymongo import MongoClient

from odmantic import Model, ObjectId, SyncEngine
from odmantic.exceptions import DuplicateKeyError


class Gnome(Model):
    model_config = {"collection": "guide_gnomes"}

    name: str
    level: int = 0


def make_app(uri: str, database: str) -> FastAPI:
    """The app, its engine connected to `uri`."""
    engines: dict[str, SyncEngine] = {}

    engines["main"] = SyncEngine(client=MongoClient(uri), database=database)
    app = FastAPI()

    @app.post("/gnomes", status_code=201)
    def create(gnome: Gnome) -> Gnome:
        try:
            return engines["main"].insert(gnome)  # insert: a posted id never overwrites
        except DuplicateKeyError as exc:
            raise HTTPException(409, "a gnome with this id exists") from exc

    @app.get("/gnomes/{gnome_id}")
    def read(gnome_id: ObjectId) -> Gnome:
        gnome = engines["main"].find_one(Gnome, Gnome.id == gnome_id)
        if gnome is None:
            raise HTTPException(404, "no such gnome")
        return gnome

    @app.get("/gnomes")
    def pages() -> Page[Gnome]:
        page = paginate(engines["main"], Gnome, sort=Gnome.name)
        return page  # type: ignore[no-any-return]

    add_pagination(app)
    return app
