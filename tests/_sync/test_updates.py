# generated from tests/_async/test_updates.py by codegen; do not edit
"""Typed updates, projections, aggregation and distinct, against the real replica set."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from typing import Any, Optional

import pytest
from bson import ObjectId
from pydantic import BaseModel
from pydantic import Field as PydanticField

from odmantic import EmbeddedModel, Field, Model, SyncEngine, query
from odmantic.session import SyncTransaction
from odmantic.update import (
    UpdateExpression,
    add_to_set,
    current_date,
    inc,
    max_,
    min_,
    mul,
    pop,
    pull,
    push,
    set_,
    set_on_insert,
    unset,
)


class Place(EmbeddedModel):
    city: str = Field(key_name="c")


class Gamer(Model):
    name: str
    team: str = "red"
    level: int = Field(default=0, ge=0)
    score: float = 0.0
    tags: list[str] = []
    nick: Optional[str] = None
    seen: Optional[datetime] = None
    place: Place = Place(city="Paris")
    owner: ObjectId = Field(default_factory=ObjectId, key_name="o")


class GamerName(BaseModel):
    name: str
    level: int


class Total(BaseModel):
    team: str = PydanticField(alias="_id")
    count: int


def _seed(engine: SyncEngine) -> list[Gamer]:
    return engine.save_all(
        [
            Gamer(name="a", level=1, tags=["x"]),
            Gamer(name="b", level=2, team="blue"),
            Gamer(name="c", level=3),
        ]
    )


def test_every_operator_on_one_document(engine: SyncEngine) -> None:
    gamer = engine.save(Gamer(name="g", level=5, score=2.0, tags=["a", "b"], nick="n"))
    update = (
        set_(Gamer.place.city, "Lyon")
        & inc(Gamer.level, -1)
        & mul(Gamer.score, 3)
        & push(Gamer.tags, "c", "d")
        & unset(Gamer.nick)
        & current_date(Gamer.seen)
    )
    result = engine.update_one(Gamer, Gamer.id == gamer.id, update=update)
    assert (result.matched, result.modified, result.upserted_id) == (1, 1, None)
    raw = engine.get_collection(Gamer).find_one({"_id": gamer.id})
    assert raw is not None
    assert (raw["place"], raw["level"], raw["score"], raw["tags"]) == (
        {"c": "Lyon"},
        4,
        6.0,
        ["a", "b", "c", "d"],
    )
    assert "nick" not in raw and isinstance(raw["seen"], datetime)
    with pytest.raises(ValueError, match="writes 'tags' twice"):
        _ = add_to_set(Gamer.tags, "a", "z") & pop(Gamer.tags, last=False)
    engine.update_one(Gamer, update=min_(Gamer.level, 2) & add_to_set(Gamer.tags, "a", "z"))
    engine.update_one(Gamer, update=pull(Gamer.tags, "b") & max_(Gamer.score, 10.0))
    engine.update_one(Gamer, update=pop(Gamer.tags))
    stored = engine.find_one(Gamer)
    assert stored is not None
    assert (stored.level, stored.score, stored.tags) == (2, 10.0, ["a", "c", "d"])


def test_values_go_through_the_field_type_and_constraints(engine: SyncEngine) -> None:
    with pytest.raises(ValueError, match=r"Gamer\.level: -1 is not a valid value"):
        set_(Gamer.level, -1)
    with pytest.raises(ValueError, match=r"Gamer\.level"):
        inc(Gamer.level, "many")
    update = set_(Gamer.owner, "5f85f36d6dfecacc68428a46")
    assert update == {"$set": {"o": ObjectId("5f85f36d6dfecacc68428a46")}}
    with pytest.raises(ValueError, match="cannot be removed"):
        unset(Gamer.name)
    with pytest.raises(ValueError, match="not a list"):
        push(Gamer.name, "x")
    assert set_(Gamer.name, "$where") == {"$set": {"name": "$where"}}
    assert isinstance(update & inc(Gamer.level, 1), UpdateExpression)


def test_update_many_upsert_and_find_one_and_update(engine: SyncEngine) -> None:
    _seed(engine)
    result = engine.update_many(Gamer, Gamer.team == "red", update=inc(Gamer.level, 10))
    assert (result.matched, result.modified) == (2, 2)
    assert sorted(g.level for g in engine.find(Gamer)) == [2, 11, 13]
    upserted = engine.update_one(
        Gamer, Gamer.name == "new", update=set_on_insert(Gamer.level, 7), upsert=True
    )
    assert upserted.upserted_id is not None
    before = engine.find_one_and_update(
        Gamer, Gamer.name == "b", update=set_(Gamer.level, 50), return_updated=False
    )
    assert before is not None and before.level == 2
    after = engine.find_one_and_update(
        Gamer, Gamer.team == "red", update=inc(Gamer.score, 1.5), sort=query.desc(Gamer.level)
    )
    assert after is not None and (after.name, after.score) == ("c", 1.5)
    assert (
        after.__odmantic_modified__() == set() and after.__odmantic_stored_document__() is not None
    )
    assert engine.find_one_and_update(Gamer, Gamer.name == "zz", update=inc(Gamer.level, 1)) is None
    with pytest.raises(TypeError, match="odmantic.update operators"):
        engine.update_many(Gamer, update={"$set": {"level": 1}})  # type: ignore[arg-type]


def test_projections_fetch_only_their_fields(engine: SyncEngine) -> None:
    _seed(engine)
    names = engine.find(Gamer, Gamer.level >= 2, sort=Gamer.level, projection=GamerName)
    assert names.to_list() == [GamerName(name="b", level=2), GamerName(name="c", level=3)]
    assert names._read.projection == {"name": 1, "level": 1, "_id": 0}

    class Where(EmbeddedModel):
        place: Place

    one = engine.find_one(Gamer, Gamer.name == "a", projection=Where)
    assert one == Where(place=Place(city="Paris"))

    class Unknown(BaseModel):
        nope: int

    with pytest.raises(TypeError, match="Gamer has no field 'nope'"):
        engine.find(Gamer, projection=Unknown)


def test_aggregate_into_models_and_dicts(engine: SyncEngine) -> None:
    _seed(engine)
    key = +Gamer.team  # type: ignore[operator]
    team = +key  # "$team"
    pipeline = [{"$group": {"_id": team, "count": {"$sum": 1}}}, {"$sort": {"_id": 1}}]
    totals = engine.aggregate(Gamer, pipeline, output=Total).to_list()
    assert totals == [Total(_id="blue", count=1), Total(_id="red", count=2)]
    raw: list[dict[str, Any]] = engine.aggregate(Gamer, [{"$match": {"level": 3}}]).to_list()
    assert [d["name"] for d in raw] == ["c"]
    models = engine.aggregate(Gamer, [{"$sort": {"level": 1}}], output=Gamer).to_list()
    assert [g.name for g in models] == ["a", "b", "c"]


def test_distinct_parses_values(engine: SyncEngine) -> None:
    gamers = _seed(engine)
    assert sorted(engine.distinct(Gamer, Gamer.team)) == ["blue", "red"]
    assert engine.distinct(Gamer, Gamer.tags) == ["x"]  # the items of a list field
    owners = engine.distinct(Gamer, Gamer.owner, Gamer.name == "a")
    assert owners == [gamers[0].owner]


def test_updates_in_sessions_and_transactions(engine: SyncEngine) -> None:
    _seed(engine)

    def bump(transaction: SyncTransaction) -> int:
        result = transaction.update_many(Gamer, update=inc(Gamer.level, 1))
        found = transaction.find_one_and_update(
            Gamer, Gamer.name == "a", update=set_(Gamer.nick, "A")
        )
        assert found is not None and found.nick == "A"
        assert transaction.distinct(Gamer, Gamer.level) == [2, 3, 4]
        return result.modified

    assert engine.with_transaction(bump) == 3
    with engine.session() as session:
        session.update_one(Gamer, Gamer.name == "b", update=set_(Gamer.team, "red"))
        names = session.find(Gamer, projection=GamerName).to_list()
        assert {n.name for n in names} == {"a", "b", "c"}
        totals = session.aggregate(
            Gamer, [{"$group": {"_id": "$team", "count": {"$sum": 1}}}], output=Total
        ).to_list()
        assert totals == [Total(_id="red", count=3)]


class Rival(Model):
    level: int = 0


class ProGamer(Gamer):
    rank: int = 0


def test_an_update_built_from_another_models_fields_is_refused(engine: SyncEngine) -> None:
    _seed(engine)
    with pytest.raises(TypeError, match=r"update of Gamer writes fields of Rival"):
        engine.update_many(Gamer, update=inc(Rival.level, 1))
    mixed = set_(Gamer.name, "z") & set_(Rival.level, 2)
    with pytest.raises(TypeError, match=r"writes fields of Rival"):
        engine.find_one_and_update(Gamer, Gamer.name == "a", update=mixed)
    with pytest.raises(TypeError, match=r"update of Rival writes fields of Gamer"):
        engine.update_one(Rival, update=set_(Gamer.place.city, "Oslo"))
    assert sorted(g.level for g in engine.find(Gamer).to_list()) == [1, 2, 3]
    engine.save(ProGamer(name="pro", level=4))
    inherited = engine.update_one(ProGamer, update=inc(Gamer.level, 1) & inc(ProGamer.rank, 2))
    assert (inherited.matched, inherited.modified) == (1, 1)
    pro = engine.find_one(ProGamer)
    assert pro is not None and (pro.level, pro.rank) == (5, 2)


def test_copied_and_pickled_updates(engine: SyncEngine) -> None:
    _seed(engine)
    update = set_(Gamer.place.city, "Oslo") & inc(Gamer.level, 1)
    for copied in (copy.copy(update), copy.deepcopy(update)):
        assert copied == update and copied.origins == update.origins
    with pytest.raises(TypeError, match="writes fields of Gamer"):
        engine.update_one(Rival, update=copy.deepcopy(update))
    unpickled = pickle.loads(pickle.dumps(update))
    assert unpickled == update and isinstance(unpickled, UpdateExpression)
    result = engine.update_many(Gamer, update=unpickled)
    assert result.modified == 3
    assert {g.place.city for g in engine.find(Gamer).to_list()} == {"Oslo"}
