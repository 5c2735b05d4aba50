"""Reading whole result lists: instances loaded together stay independent, errors name the
failing document, and the garbage collector is left as it was found."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from bson import ObjectId
from pydantic import BaseModel, Field, ValidationError

from odmantic import AIOEngine, Model, reads
from odmantic import Field as ODMField
from odmantic.exceptions import DocumentParsingError
from tests.models import Player


class Stamped(Model):
    name: str
    stamps: list[str] = ODMField(default_factory=list)


class Counted(Model):
    name: str
    built: ClassVar[list[str]] = []

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        Counted.built.append(self.name)


class Level(BaseModel):
    level: int = Field(ge=5)


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector enabled for the test, and restored afterwards."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


async def test_instances_read_together_track_their_changes_apart(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"t{i}", level=i) for i in range(300)])
    players = await engine.find(Player, sort=Player.level).to_list()
    assert [p.level for p in players] == list(range(300))
    collection = engine.get_collection(Player)
    await collection.update_many({}, {"$set": {"name": "changed"}})
    players[7].level = 1000
    players[8].tags.append("x")
    await engine.save_all(players)
    raw = {doc["level"]: doc async for doc in collection.find({})}
    assert raw[1000]["name"] == "changed" and raw[8]["tags"] == ["x"]
    assert all(doc["name"] == "changed" for doc in raw.values())  # nothing else rewritten
    assert sorted(raw) == [*range(7), *range(8, 300), 1000]


async def test_a_bad_document_among_many_is_named(engine: AIOEngine) -> None:
    collection = engine.get_collection(Player)
    await collection.insert_many([{"name": f"ok{i}", "level": i} for i in range(200)])
    bad = ObjectId()
    await collection.insert_one({"_id": bad, "name": "bad", "level": -3})
    with pytest.raises(DocumentParsingError) as info:
        await engine.find(Player).to_list()
    assert str(bad) in str(info.value) and "level" in str(info.value)
    assert info.value.primary_value == bad


async def test_a_document_lacking_a_default_factory_field_among_many_is_named(
    engine: AIOEngine,
) -> None:
    collection = engine.get_collection(Stamped)
    await collection.insert_many([{"name": f"s{i}", "stamps": []} for i in range(150)])
    await collection.insert_one({"name": "bare"})
    with pytest.raises(DocumentParsingError) as info:
        await engine.find(Stamped).to_list()
    assert "stamps" in str(info.value) and "key_not_found" in str(info.value)
    assert len(await engine.find(Stamped, Stamped.name != "bare").to_list()) == 150


async def test_projection_and_aggregate_errors_are_the_documents_own(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"p{i}", level=9) for i in range(100)])
    await engine.save(Player(name="low", level=1))
    with pytest.raises(ValidationError) as info:
        await engine.find(Player, projection=Level).to_list()
    assert info.value.title == "Level"
    assert [error["loc"] for error in info.value.errors()] == [("level",)]
    with pytest.raises(ValidationError) as agg_info:
        await engine.aggregate(Player, [{"$project": {"level": 1}}], output=Level).to_list()
    assert [error["loc"] for error in agg_info.value.errors()] == [("level",)]
    fine = await engine.find(Player, Player.level > 5, projection=Level).to_list()
    assert [item.level for item in fine] == [9] * 100


@pytest.mark.usefixtures("collector_on")
async def test_the_garbage_collector_is_left_as_it_was(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"g{i}") for i in range(50)])
    assert len(await engine.find(Player).to_list()) == 50
    assert gc.isenabled()
    await engine.save(Player(name="neg", level=0))
    await engine.get_collection(Player).update_one({"name": "neg"}, {"$set": {"level": -1}})
    with pytest.raises(DocumentParsingError):
        await engine.find(Player).to_list()
    assert gc.isenabled()
    gc.disable()
    try:
        assert len(await engine.find(Player, Player.level >= 0).to_list()) == 50
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.usefixtures("collector_on")
@pytest.mark.skipif(not reads._CHEAP_PROMOTION, reason="no cheap generation move here")
async def test_a_long_read_leaves_its_results_to_the_full_collections(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"o{i}") for i in range(reads.LONG_LIST)])
    players = await engine.find(Player).to_list()
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert all(id(player) in oldest for player in players)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    short = await engine.find(Player, limit=10).to_list()
    young = {id(obj) for obj in gc.get_objects(generation=0)}
    assert all(id(player) in young for player in short)


@pytest.mark.usefixtures("collector_on")
async def test_objects_the_program_froze_stay_frozen(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"f{i}") for i in range(reads.LONG_LIST)])
    kept: list[list[int]] = [[1]]
    gc.freeze()
    try:
        assert len(await engine.find(Player).to_list()) == reads.LONG_LIST
        assert gc.get_freeze_count() > 0
        assert all(obj is not kept for obj in gc.get_objects())  # still frozen
    finally:
        gc.unfreeze()


async def test_a_model_post_init_of_the_users_runs_on_loaded_instances(engine: AIOEngine) -> None:
    await engine.get_collection(Counted).insert_many([{"name": f"c{i}"} for i in range(120)])
    Counted.built.clear()
    loaded = await engine.find(Counted).to_list()
    one = await engine.find_one(Counted, Counted.name == "c7")
    assert len(Counted.built) == 121 and one is not None
    loaded[3].name = "renamed"
    await engine.save(loaded[3])  # loaded and tracked as such: only the change is written
    assert await engine.count(Counted, Counted.name == "renamed") == 1
    assert loaded[4].__stored_document__() is not None
