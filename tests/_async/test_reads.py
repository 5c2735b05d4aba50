"""Reading whole result lists: instances loaded together stay independent, errors name the
failing document, results are those of a streamed read."""

from __future__ import annotations

from typing import Any, ClassVar, Optional, Union

import pytest
from bson import ObjectId
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from odmantic import AIOEngine, EmbeddedModel, Model
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


class Contextual(Model):
    name: str
    seen: ClassVar[list[object]] = []

    @field_validator("name")
    @classmethod
    def _record(cls, value: str, info: ValidationInfo) -> str:
        Contextual.seen.append(info.context)
        return value


class Spot(EmbeddedModel):
    city: str = ODMField(key_name="c")
    zip: str = ODMField(key_name="z")


class CityOnly(EmbeddedModel):
    city: str


class Level(BaseModel):
    level: int = Field(ge=5)


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
    assert str(info.value).startswith("1 validation error for Player\nlevel\n")
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
    for stream in (False, True):
        with pytest.raises(DocumentParsingError) as info:
            if stream:
                _ = [item async for item in engine.find(Player, projection=Level)]
            else:
                await engine.find(Player, projection=Level).to_list()
        assert info.value.model is Level and info.value.inner.title == "Level"
        assert [error["loc"] for error in info.value.errors] == [("level",)]
    with pytest.raises(ValidationError) as agg_info:
        await engine.aggregate(Player, [{"$project": {"level": 1}}], output=Level).to_list()
    assert [error["loc"] for error in agg_info.value.errors()] == [("level",)]
    fine = await engine.find(Player, Player.level > 5, projection=Level).to_list()
    assert [item.level for item in fine] == [9] * 100


async def test_a_model_post_init_of_the_users_runs_on_loaded_instances(engine: AIOEngine) -> None:
    await engine.get_collection(Counted).insert_many([{"name": f"c{i}"} for i in range(120)])
    Counted.built.clear()
    loaded = await engine.find(Counted).to_list()
    one = await engine.find_one(Counted, Counted.name == "c7")
    assert len(Counted.built) == 121 and one is not None
    loaded[3].name = "renamed"
    await engine.save(loaded[3])  # loaded and tracked as such: only the change is written
    assert await engine.count(Counted, Counted.name == "renamed") == 1
    assert loaded[4].__odmantic_stored_document__() is not None


class Whole(BaseModel):
    n: int


class Ratio(BaseModel):
    n: float


async def test_aggregate_outputs_are_those_of_a_streamed_read(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"a{i}", level=i) for i in range(3)])
    pipeline: list[dict[str, Any]] = [{"$project": {"_id": 0, "n": "$level"}}, {"$sort": {"n": 1}}]
    cases: list[tuple[Any, type[BaseModel]]] = [
        (Union[Whole, Ratio], Whole),
        (Union[Ratio, Whole], Ratio),
    ]
    for output, kind in cases:
        listed = await engine.aggregate(Player, pipeline, output=output).to_list()
        streamed = [item async for item in engine.aggregate(Player, pipeline, output=output)]
        assert listed == streamed and [type(item) for item in listed] == [kind] * 3
    raw = await engine.aggregate(Player, pipeline).to_list()
    assert raw == [{"n": 0}, {"n": 1}, {"n": 2}] and all(type(doc) is dict for doc in raw)


async def test_validators_see_no_context_when_documents_are_loaded(engine: AIOEngine) -> None:
    await engine.get_collection(Contextual).insert_many([{"name": f"x{i}"} for i in range(50)])
    Contextual.seen.clear()
    assert len(await engine.find(Contextual).to_list()) == 50
    assert [item async for item in engine.find(Contextual, limit=3)] != []
    assert await engine.find_one(Contextual) is not None
    assert Contextual.seen == [None] * 54
    fresh = Contextual(name="new")  # built outside a load: tracked as new
    assert fresh.__odmantic_modified__() is None and fresh.__odmantic_stored_document__() is None


class Named(Model):
    name: str = ODMField(key_name="n")
    spot: Spot


class NameOnly(BaseModel):
    name: str


class NamedSpot(BaseModel):
    spot: CityOnly


class MaybeSpot(BaseModel):
    spot: Optional[Spot] = None


class SpotDict(BaseModel):
    spot: dict[str, Any]


async def test_a_projected_document_lacking_a_key_is_named(engine: AIOEngine) -> None:
    await engine.get_collection(Named).insert_many(
        [{"n": "a", "spot": {"c": "Lyon", "z": "1"}}, {"spot": {"c": "Oslo", "z": "2"}}]
    )
    with pytest.raises(DocumentParsingError, match="Key 'n' not found in document") as info:
        await engine.find(Named, projection=NameOnly).to_list()
    assert info.value.model is NameOnly
    with pytest.raises(TypeError, match=r"'spot' must hold Spot like Named\.spot"):
        engine.find(Named, projection=NamedSpot)
    spots = await engine.find(Named, projection=MaybeSpot).to_list()
    assert [s.spot for s in spots] == [Spot(city="Lyon", zip="1"), Spot(city="Oslo", zip="2")]
    stored = await engine.find(Named, projection=SpotDict).to_list()
    assert [s.spot for s in stored] == [{"c": "Lyon", "z": "1"}, {"c": "Oslo", "z": "2"}]
