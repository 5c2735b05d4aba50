"""Updates never store what `save` would refuse: references, upserts, redefined fields, paths."""

from __future__ import annotations

import pickle
import re
from datetime import date, datetime
from typing import Optional

import pytest
from pydantic import BaseModel, NaiveDatetime
from typing_extensions import assert_type

from odmantic import AIOEngine, EmbeddedModel, Field, Model, Reference, query
from odmantic.update import (
    UpdateExpression,
    add_to_set,
    current_date,
    inc,
    pop,
    pull,
    push,
    set_,
    set_on_insert,
    unset,
)


class Guild(Model):
    name: str


class Member(Model):
    name: str
    guild: Guild = Reference()
    former: Optional[Guild] = Reference()


class Spot(EmbeddedModel):
    city: str = Field(key_name="c")
    zip: str


class Stats(EmbeddedModel):
    wins: int = 0
    losses: int = 0
    history: list[int] = Field(default_factory=list)


class Racer(Model):
    name: str
    joined: datetime = datetime(2020, 1, 1)
    stats: Stats = Stats()
    meta: dict[str, int] = {}
    marks: list[str] = Field(default_factory=list)
    team: str = "red"
    level: int = Field(default=0, ge=0)
    tags: list[str] = []
    spot: Spot = Spot(city="Paris", zip="75000")
    spots: list[Spot] = []
    since: Optional[datetime] = None
    day: Optional[date] = None


class Veteran(Racer):
    level: int = Field(default=10, ge=10)
    name: str = Field(key_name="nm")


async def test_a_reference_is_set_to_an_instance_or_its_id(engine: AIOEngine) -> None:
    guild = await engine.save(Guild(name="g"))
    member = await engine.save(Member(name="m", guild=guild, former=None))
    with pytest.raises(ValueError, match=r"Member\.guild: None is not a valid value"):
        set_(Member.guild, None)
    with pytest.raises(ValueError, match=r"Member\.former: .*a Guild instance, or its id"):
        set_(Member.former, {"name": "d"})
    by_id = set_(Member.guild, str(guild.id))
    assert by_id == set_(Member.guild, Guild.model_validate_json(guild.model_dump_json()))
    assert by_id == {"$set": {"guild": guild.id}}
    other = await engine.save(Guild(name="other"))
    await engine.update_one(
        Member,
        Member.id == member.id,
        update=set_(Member.guild, other) & set_(Member.former, guild),
    )
    loaded = await engine.find_one(Member, Member.id == member.id)
    assert loaded is not None and (loaded.guild, loaded.former) == (other, guild)
    await engine.update_one(Member, update=set_(Member.former, None))
    again = await engine.find_one(Member)
    assert again is not None and again.former is None
    with pytest.raises(TypeError, match="reference"):
        await engine.distinct(Member, Member.guild)


async def test_an_upsert_inserts_what_a_save_would_store(engine: AIOEngine) -> None:
    result = await engine.update_one(
        Racer, Racer.name == "new", update=set_(Racer.level, 3), upsert=True
    )
    stored = await engine.get_collection(Racer).find_one({"_id": result.upserted_id})
    assert stored is not None
    saved = Racer(name="new", level=3, id=result.upserted_id).model_dump_doc()
    assert stored == saved
    with pytest.raises(ValueError, match=r"without Racer\.name, which is required"):
        await engine.update_one(
            Racer, Racer.team == "blue", update=set_(Racer.tags, ["x"]), upsert=True
        )
    with pytest.raises(
        ValueError, match=r"a part of Racer\.spot without Spot\.zip, which is required"
    ):
        await engine.find_one_and_update(
            Racer, Racer.name == "p", update=set_(Racer.spot.city, "Lyon"), upsert=True
        )
    inserted = await engine.find_one_and_update(
        Racer,
        Racer.team == "blue",
        update=set_on_insert(Racer.name, "given") & unset(Racer.since),
        upsert=True,
    )
    assert inserted is not None and (inserted.name, inserted.team, inserted.tags) == (
        "given",
        "blue",
        [],
    )
    assert await engine.count(Racer) == 2


async def test_a_parent_field_the_subclass_redefines_is_refused(engine: AIOEngine) -> None:
    await engine.save(Veteran(name="v", level=12))
    with pytest.raises(TypeError, match=r"writes Racer\.level, which Veteran redefines"):
        await engine.update_one(Veteran, update=set_(Racer.level, 5))
    with pytest.raises(TypeError, match=r"writes Racer\.name, which Veteran redefines"):
        await engine.update_many(Veteran, update=set_(Racer.name, "r"))
    with pytest.raises(TypeError, match="distinct"):
        await engine.distinct(Veteran, Racer.name)
    result = await engine.update_one(
        Veteran, update=inc(Veteran.level, 1) & push(Racer.tags, "kept")
    )
    assert result.modified == 1
    veteran = await engine.find_one(Veteran)
    assert veteran is not None and (veteran.level, veteran.tags) == (13, ["kept"])
    await engine.update_one(Veteran, update=set_(Racer.joined, datetime(2021, 5, 1)))
    assert await engine.distinct(Veteran, Racer.joined) == [datetime(2021, 5, 1)]


async def test_hand_built_and_unpickled_updates_are_checked(engine: AIOEngine) -> None:
    await engine.save(Racer(name="r"))
    smuggled = UpdateExpression({"$set": {"tags": [{"$where": 1}]}})
    with pytest.raises(ValueError, match=r"holds the key '\$where'"):
        await engine.update_one(Racer, update=smuggled)
    with pytest.raises(ValueError, match="'ghost', which is no field of Racer"):
        await engine.update_one(Racer, update=UpdateExpression({"$set": {"ghost": 1}}))
    unpickled = pickle.loads(pickle.dumps(set_(Racer.spot.city, "Oslo")))
    assert (await engine.update_one(Racer, update=unpickled)).modified == 1
    racer = await engine.find_one(Racer)
    assert racer is not None and racer.spot.city == "Oslo"


async def test_updates_the_server_would_refuse_fail_when_built(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="the primary field cannot change"):
        set_(Racer.id, Racer(name="x").id)
    assert "_id" in set_on_insert(Racer.id, Racer(name="x").id)["$setOnInsert"]
    with pytest.raises(ValueError, match=r"pop\(\) on .*: the field is not a list"):
        pop(Racer.name)
    with pytest.raises(ValueError, match="None is not a number"):
        inc(Racer.level, None)
    with pytest.raises(ValueError, match=r"Racer\.level.*cannot be stored"):
        set_(Racer.level, 2**70)
    with pytest.raises(ValueError, match=r"Racer\.name.*cannot be stored"):
        set_(Racer.name, "a\ud800")
    with pytest.raises(ValueError, match="both 'spot' and 'spot.c'"):
        _ = set_(Racer.spot, Spot(city="a", zip="1")) & set_(Racer.spot.city, "b")
    with pytest.raises(ValueError, match="goes through a list"):
        set_(Racer.spots.city, "x")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="does not hold a datetime"):
        current_date(Racer.day)
    with pytest.raises(ValueError, match="does not hold a datetime"):
        current_date(Racer.name)
    assert current_date(Racer.since) == {"$currentDate": {"since": {"$type": "date"}}}
    assert await engine.count(Racer) == 0


class RacerName(BaseModel):
    name: str


async def test_distinct_and_session_results_are_typed(engine: AIOEngine) -> None:
    await engine.save(Racer(name="t", tags=["a", "b"]))
    tags = assert_type(await engine.distinct(Racer, Racer.tags), list[str])
    assert sorted(tags) == ["a", "b"]
    async with engine.session() as session:
        cursor = session.aggregate(Racer, [{"$project": {"name": 1}}], output=RacerName)
        names = assert_type(await cursor.to_list(), list[RacerName])
        assert names == [RacerName(name="t")]
        found = assert_type(await session.distinct(Racer, Racer.level), list[int])
        assert found == [0]


class Slugged(Model):
    name: str = "a"
    slug: str = Field(default_factory=lambda data: data["name"].upper())  # type: ignore[arg-type,misc]


async def test_upserts_take_what_mongodb_takes_from_the_filter(engine: AIOEngine) -> None:
    solo = await engine.update_one(
        Racer, query.in_(Racer.name, ["solo"]), update=set_(Racer.level, 1), upsert=True
    )
    given = Racer(name="x").id
    by_id = await engine.update_one(
        Racer,
        query.in_(Racer.id, [given]),
        query.or_(Racer.name == "byid"),
        update=inc(Racer.stats.wins, 1),
        upsert=True,
    )
    assert by_id.upserted_id == given
    stored = {r.name: r for r in await engine.find(Racer)}
    assert stored["solo"].id == solo.upserted_id and stored["solo"].level == 1
    assert stored["byid"].stats == Stats(wins=1, losses=0)
    with pytest.raises(ValueError, match=r"without Racer\.name, which is required"):
        await engine.update_one(
            Racer,
            query.match(Racer.name, re.compile("^a")),
            update=set_(Racer.level, 2),
            upsert=True,
        )
    with pytest.raises(ValueError, match=r"Racer\.marks, which stored documents must hold"):
        await engine.update_one(
            Racer, Racer.name == "m", update=pull(Racer.marks, "x"), upsert=True
        )
    with pytest.raises(ValueError, match=r"default_factory of Slugged\.slug needs"):
        await engine.update_one(
            Slugged, Slugged.name == "d", update=set_on_insert(Slugged.name, "d"), upsert=True
        )
    assert await engine.count(Racer) == 2 and await engine.count(Slugged) == 0


async def test_hand_built_updates_reach_below_fields(engine: AIOEngine) -> None:
    racer = await engine.save(
        Racer(name="h", tags=["a", "b"], spots=[Spot(city="Rome", zip="1")], meta={"a": 1})
    )
    update = UpdateExpression({"$set": {"tags.0": "u", "meta.b": 2, "spots.0.c": "Nice"}})
    assert (await engine.update_one(Racer, Racer.id == racer.id, update=update)).modified == 1
    loaded = await engine.find_one(Racer)
    assert loaded is not None
    assert (loaded.tags, loaded.meta, loaded.spots[0].city) == (
        ["u", "b"],
        {"a": 1, "b": 2},
        "Nice",
    )
    assert await engine.distinct(Racer, Racer.spots.city) == ["Nice"]  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="the primary field cannot change"):
        await engine.update_one(Racer, update=UpdateExpression({"$set": {"_id": racer.id}}))


class Listed(Model):
    name: str = "l"
    tags: list[str] = []
    spots: list[Spot] = []
    stats: Stats = Stats()
    old: int = 0
    level: int = 0
    naive: NaiveDatetime = datetime(2020, 1, 1)


async def test_upserts_that_would_store_a_list_field_badly_are_refused(engine: AIOEngine) -> None:
    for queried in (
        Listed.tags == "x",  # type: ignore[comparison-overlap]
        query.in_(Listed.tags, ["x"]),
        query.all_(Listed.tags, ["x"]),
        {"spots.c": "Oslo"},
    ):
        with pytest.raises(ValueError, match="holds a list"):
            await engine.update_one(Listed, queried, update=inc(Listed.level, 1), upsert=True)
    regex = {"name": {"$in": [re.compile("^a")]}}
    with pytest.raises(ValueError, match=r"without Racer\.name, which is required"):
        await engine.update_one(Racer, regex, update=inc(Racer.level, 1), upsert=True)
    renamed = UpdateExpression({"$rename": {"old": "level"}})
    with pytest.raises(ValueError, match=r"upsert of Listed with \$rename"):
        await engine.update_one(Listed, Listed.name == "r", update=renamed, upsert=True)
    with pytest.raises(ValueError, match="'nowhere', which is no field of Listed"):
        await engine.update_one(Listed, update=UpdateExpression({"$rename": {"old": "nowhere"}}))
    await engine.update_one(
        Listed, Listed.stats.wins == 2, update=inc(Listed.level, 1), upsert=True
    )
    counted = await engine.find_one(Listed, Listed.level == 1)
    assert counted is not None and counted.stats == Stats(wins=2, losses=0)
    assert current_date(Listed.naive) == {"$currentDate": {"naive": {"$type": "date"}}}


class Ranked(Model):
    title: str
    guild: Guild = Reference()
    rank: int = 0


async def test_find_one_and_update_of_a_referencing_model_returns_the_state_asked_for(
    engine: AIOEngine,
) -> None:
    guild = await engine.save(Guild(name="g"))
    await engine.save(Ranked(title="x", guild=guild, rank=1))
    update = inc(Ranked.rank, 1)
    before = await engine.find_one_and_update(Ranked, update=update, return_updated=False)
    assert before is not None and (before.rank, before.guild) == (1, guild)
    async with engine.transaction() as transaction:
        after = await transaction.find_one_and_update(Ranked, update=update)
        assert after is not None and (after.rank, after.guild.name) == (3, "g")


async def test_a_dotted_upsert_stores_the_embedded_models_defaults(engine: AIOEngine) -> None:
    result = await engine.update_one(
        Racer, Racer.name == "d", update=inc(Racer.stats.wins, 1), upsert=True
    )
    stored = await engine.get_collection(Racer).find_one({"_id": result.upserted_id})
    saved = Racer(name="d", stats=Stats(wins=1), id=result.upserted_id).model_dump_doc()
    assert stored == saved
    assert await engine.count(Racer, Racer.stats.losses == 0) == 1


class Tally(EmbeddedModel):
    wins: int = 0
    note: Optional[str] = None
    marks: list[str] = Field(default_factory=list)
    double: int = Field(default_factory=lambda data: data["wins"] * 2)  # type: ignore[arg-type,misc]


class Scored(Model):
    name: str
    tally: Tally = Tally()
    label: str = ""
    guild: Optional[Guild] = Reference()


async def test_dotted_upserts_leave_out_what_the_update_removes(engine: AIOEngine) -> None:
    for extra in (unset(Scored.tally.note), pull(Scored.tally.marks, "x"), pop(Scored.tally.marks)):
        update = inc(Scored.tally.wins, 2) & extra
        await engine.update_one(
            Scored, Scored.name == "u", {"guild": None}, update=update, upsert=True
        )
    scored = await engine.find_one(Scored)
    assert scored is not None and scored.tally == Tally(wins=6, note=None, marks=[], double=12)
    assert await engine.count(Scored) == 1


async def test_a_referencing_document_returned_keeps_its_values(engine: AIOEngine) -> None:
    await engine.save(Scored(name="$name", label="$$NOW", guild=None))
    found = await engine.find_one_and_update(Scored, update=inc(Scored.tally.wins, 1))
    assert found is not None and (found.name, found.label, found.tally.wins) == (
        "$name",
        "$$NOW",
        1,
    )


class Keyed(EmbeddedModel):
    a: int
    b: int = 2


class ByKey(Model):
    key: Keyed = Field(primary_field=True)
    v: int = 0


async def test_upserts_check_the_values_they_take_from_the_filter(engine: AIOEngine) -> None:
    for queried in (Racer.level == -1, Racer.team == None):  # noqa: E711
        with pytest.raises(ValueError, match="could insert the filter's value as Racer"):
            await engine.update_one(
                Racer, Racer.name == "f", queried, update=inc(Racer.stats.wins, 1), upsert=True
            )
    with pytest.raises(ValueError, match=r"a part of ByKey\.key .* is the primary key"):
        await engine.update_one(ByKey, ByKey.key.a == 1, update=set_(ByKey.v, 3), upsert=True)
    await engine.update_one(ByKey, ByKey.key == Keyed(a=1), update=set_(ByKey.v, 3), upsert=True)
    twice = await engine.update_one(
        Racer, query.in_(Racer.name, ["t", "t"]), update=inc(Racer.level, 1), upsert=True
    )
    assert twice.upserted_id is not None
    names = sorted(r.name for r in await engine.find(Racer))
    assert names == ["t"] and await engine.count(ByKey) == 1


async def test_hand_built_operators_options_and_migrations_are_sent(engine: AIOEngine) -> None:
    racer = await engine.save(Racer(name="o", tags=["a", "b"], spots=[Spot(city="X", zip="0")]))
    raw = engine.get_collection(Racer)
    await raw.update_one({"_id": racer.id}, {"$set": {"legacy": 1, "fullname": "Old"}})
    updates = [
        UpdateExpression({"$push": {"tags": {"$each": ["c", "d"], "$slice": -3}}}),
        UpdateExpression({"$pull": {"spots": {"zip": {"$lt": "1"}}}}),
        pickle.loads(pickle.dumps(push(Racer.tags, "e") & current_date(Racer.since))),
        UpdateExpression({"$unset": {"legacy": ""}, "$rename": {"fullname": "name"}}),
    ]
    for update in updates:
        assert (await engine.update_one(Racer, update=update)).modified == 1
    loaded = await engine.find_one(Racer)
    assert loaded is not None and loaded.since is not None
    assert (loaded.name, loaded.tags, loaded.spots) == ("Old", ["b", "c", "d", "e"], [])
    assert "legacy" not in (await raw.find_one({"_id": racer.id}) or {})


class Labelled(Model):
    name: str
    labels: set[str] = set()


class Relabelled(Labelled):
    pass


async def test_inherited_set_fields_and_whole_dotted_keys(engine: AIOEngine) -> None:
    update = add_to_set(Labelled.labels, "x")
    await engine.update_one(Relabelled, Relabelled.name == "r", update=update, upsert=True)
    assert await engine.distinct(Relabelled, Labelled.labels) == ["x"]
    await engine.update_one(
        ByKey, ByKey.key.a == 4, ByKey.key.b == 5, update=inc(ByKey.v, 1), upsert=True
    )
    stored = await engine.find_one(ByKey)
    assert stored is not None and (stored.key, stored.v) == (Keyed(a=4, b=5), 1)


class Poet(Model):
    model_config = {"collection": "updated_poets"}

    name: str


class Anthology(Model):
    model_config = {"collection": "updated_anthologies"}

    poets: list[Poet] = Reference()


async def _anthology(engine: AIOEngine) -> tuple[Anthology, list[Poet]]:
    poets = await engine.save_all([Poet(name=n) for n in ("a", "b", "c")])
    return await engine.save(Anthology(poets=[poets[0]])), poets


async def test_a_list_of_references_is_set_from_instances_or_keys(engine: AIOEngine) -> None:
    anthology, poets = await _anthology(engine)
    update = set_(Anthology.poets, [poets[1], poets[2].id])
    await engine.update_one(Anthology, Anthology.id == anthology.id, update=update)
    found = await engine.find_one(Anthology)
    assert found is not None and [p.name for p in found.poets] == ["b", "c"]


async def test_items_are_pushed_to_and_pulled_from_a_list_of_references(
    engine: AIOEngine,
) -> None:
    anthology, poets = await _anthology(engine)
    by_id = Anthology.id == anthology.id
    await engine.update_one(Anthology, by_id, update=push(Anthology.poets, poets[1], poets[2]))
    await engine.update_one(Anthology, by_id, update=pull(Anthology.poets, poets[0]))
    found = await engine.find_one(Anthology)
    assert found is not None and [p.name for p in found.poets] == ["b", "c"]


def test_a_single_reference_has_no_items() -> None:
    with pytest.raises(ValueError, match="Member.guild is a reference to Guild, not a list"):
        push(Member.guild, Guild(name="g"))
