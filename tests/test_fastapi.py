"""Models as FastAPI request and response models: ObjectId as a string, a valid /openapi.json."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from odmantic import ObjectId
from tests.models import Address, Player

app = FastAPI()
STORE: dict[str, Player] = {}


@app.post("/players")
def create(player: Player) -> Player:
    STORE[str(player.id)] = player
    return player


@app.get("/players/{player_id}")
def read(player_id: ObjectId) -> Player:
    return STORE[str(player_id)]


client = TestClient(app)


def test_request_and_response_use_string_object_ids() -> None:
    oid = ObjectId()
    sent = {"id": str(oid), "name": "Leeroy", "address": {"city": "Paris"}}
    created = client.post("/players", json=sent)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["id"] == str(oid)
    assert body["address"] == {"city": "Paris", "zip_code": "00000"}
    assert STORE[str(oid)].address == Address(city="Paris")
    fetched = client.get(f"/players/{oid}")
    assert fetched.status_code == 200 and fetched.json() == body


def test_invalid_object_id_is_a_422() -> None:
    response = client.post("/players", json={"id": "nope", "name": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "id"]


def test_openapi_schema_describes_object_ids_as_strings() -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schemas = response.json()["components"]["schemas"]
    player = next(v for k, v in schemas.items() if k.startswith("Player"))
    assert player["properties"]["id"]["type"] == "string"
    assert player["properties"]["id"]["pattern"] == "^[0-9a-f]{24}$"
    assert "name" in player["required"]


# --8<-- [start:create-endpoint]
def test_a_create_endpoint_with_insert_cannot_overwrite(mongo_uri: str, database_name: str) -> None:
    from fastapi import HTTPException
    from pymongo import MongoClient

    from odmantic import SyncEngine
    from odmantic.exceptions import DuplicateKeyError

    engine = SyncEngine(client=MongoClient(mongo_uri), database=database_name)
    api = FastAPI()

    @api.post("/players", status_code=201)
    def create_player(player: Player) -> Player:
        try:
            return engine.insert(player)  # never `save`: a posted id would overwrite
        except DuplicateKeyError as exc:
            raise HTTPException(409, "a player with this id exists") from exc

    http = TestClient(api)
    alice = http.post("/players", json={"name": "alice", "level": 9})
    assert alice.status_code == 201, alice.text
    mallory = http.post("/players", json={"id": alice.json()["id"], "name": "mallory"})
    assert mallory.status_code == 409
    stored = engine.find_one(Player, Player.id == alice.json()["id"])
    assert stored is not None and (stored.name, stored.level) == ("alice", 9)
    # --8<-- [end:create-endpoint]
