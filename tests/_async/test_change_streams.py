"""Change streams: `engine.watch` yields typed `ChangeEvent`s, through the real replica set in
both twins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from odmantic import AIOEngine, ChangeEvent, EmbeddedModel, Field, Model
from odmantic._async import adapter
from odmantic._async.change_stream import AIOChangeStream
from odmantic.exceptions import DocumentParsingError
from odmantic.update import set_
from tests._async.fail_points import fail_point
from tests.polymorphic_models import Car, Truck, Vehicle

WAIT_MS = 100


class Address(EmbeddedModel):
    city: str = Field(key_name="c")


class Animal(Model):
    model_config = {"collection": "watched_animals", "polymorphic": True}

    name: str


class Dog(Animal):
    tricks: int = Field(default=0, key_name="tr")


class Cat(Animal):
    lives: int = 9


class Player(Model):
    model_config = {"collection": "watched_players", "change_stream_pre_images": True}

    name: str
    level: int = Field(default=0, key_name="lvl")
    tags: list[str] = []
    address: Address | None = None
    seen: datetime | None = None


async def take(stream: AIOChangeStream[Any], count: int) -> list[ChangeEvent[Any]]:
    """The next `count` events (failing rather than waiting forever)."""
    events: list[ChangeEvent[Any]] = []
    for _ in range(count * 50):
        event = await stream.try_next()
        if event is not None:
            events.append(event)
        if len(events) == count:
            return events
    raise AssertionError(f"{len(events)} events of {count}")


async def test_an_insert_gives_the_instance(engine: AIOEngine) -> None:
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        player = await engine.save(Player(name="a", address=Address(city="x")))
        (event,) = await take(stream, 1)
    assert (event.operation, event.id, event.document) == ("insert", player.id, player)


async def test_an_update_names_its_fields_as_the_model_does(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a", address=Address(city="x")))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        player.level, player.address = 3, Address(city="y")
        player.seen = datetime(2026, 1, 1)
        await engine.save(player)
        (event,) = await take(stream, 1)
    assert event.updated_fields == {
        "level": 3,
        "address.city": "y",
        "seen": datetime(2026, 1, 1),
    }


async def test_removed_fields_are_named_as_the_model_does(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a", level=2))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.get_collection(Player).update_one({"_id": player.id}, {"$unset": {"lvl": ""}})
        (event,) = await take(stream, 1)
    assert event.removed_fields == ["level"]


async def test_a_list_item_is_parsed_as_the_lists_items(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a", tags=["x", "y"]))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.get_collection(Player).update_one(
            {"_id": player.id}, {"$set": {"tags.1": "z"}}
        )
        (event,) = await take(stream, 1)
    assert event.updated_fields == {"tags.1": "z"}


async def test_an_update_carries_the_document_looked_up(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a"))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.update_one(Player, Player.id == player.id, update=set_(Player.level, 5))
        (event,) = await take(stream, 1)
    assert event.document is not None and event.document.level == 5


async def test_a_delete_gives_the_key_and_no_document(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a"))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.delete(player)
        (event,) = await take(stream, 1)
    assert (event.operation, event.id, event.document) == ("delete", player.id, None)


async def test_queries_apply_to_the_full_document_by_key_name(engine: AIOEngine) -> None:
    async with engine.watch(Player, Player.level > 10, max_await_time_ms=WAIT_MS) as stream:
        await engine.save_all([Player(name="low", level=1), Player(name="high", level=11)])
        (event,) = await take(stream, 1)
        assert await stream.try_next() is None
    assert event.document is not None and event.document.name == "high"


async def test_operations_keep_the_operation_types_asked_for(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="a"))
    async with engine.watch(Player, operations=["delete"], max_await_time_ms=WAIT_MS) as stream:
        await engine.save(Player(name="b"))
        await engine.delete(player)
        (event,) = await take(stream, 1)
    assert event.operation == "delete"


def test_an_unknown_operation_is_refused(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="operations are among"):
        engine.watch(Player, operations=["upsert"])  # type: ignore[list-item]


def test_an_operator_that_cannot_apply_to_a_change_is_refused(engine: AIOEngine) -> None:
    with pytest.raises(TypeError, match=r"\$expr cannot apply"):
        engine.watch(Player, {"$expr": {"$gt": ["$lvl", 1]}})


async def test_a_polymorphic_root_yields_each_subclass(engine: AIOEngine) -> None:
    async with engine.watch(Vehicle, max_await_time_ms=WAIT_MS) as stream:
        await engine.save_all([Car(name="c"), Truck(name="t")])
        events = await take(stream, 2)
    assert sorted(type(e.document).__name__ for e in events) == ["Car", "Truck"]


async def test_a_subclass_yields_its_own_changes_only(engine: AIOEngine) -> None:
    async with engine.watch(Truck, max_await_time_ms=WAIT_MS) as stream:
        await engine.save_all([Car(name="c"), Truck(name="t")])
        (event,) = await take(stream, 1)
        assert await stream.try_next() is None
    assert isinstance(event.document, Truck)


async def test_a_root_stream_names_a_subclass_fields(engine: AIOEngine) -> None:
    dog = await engine.save(Dog(name="rex"))
    async with engine.watch(Animal, max_await_time_ms=WAIT_MS) as stream:
        dog.tricks = 3
        await engine.save(dog)
        (event,) = await take(stream, 1)
    assert event.updated_fields == {"tricks": 3}


async def test_a_subclass_stream_keeps_changes_it_cannot_tell_apart(engine: AIOEngine) -> None:
    dog, cat = await engine.save(Dog(name="rex")), await engine.save(Cat(name="tom"))
    # Without documents nor pre-images, updates and deletes carry no class: they are kept.
    stream = engine.watch(Dog, full_document="default", max_await_time_ms=WAIT_MS)
    async with stream:
        dog.tricks, cat.lives = 1, 8
        await engine.save_all([dog, cat])
        await engine.delete(cat)
        events = await take(stream, 3)
    assert [e.operation for e in events] == ["update", "update", "delete"]


async def test_a_subclass_stream_tells_changes_apart_by_their_pre_images(
    engine: AIOEngine,
) -> None:
    dog, cat = await engine.save(Dog(name="rex")), await engine.save(Cat(name="tom"))
    await engine.database.command(
        "collMod", "watched_animals", changeStreamPreAndPostImages={"enabled": True}
    )
    stream = engine.watch(
        Dog,
        full_document="default",
        full_document_before_change="whenAvailable",
        max_await_time_ms=WAIT_MS,
    )
    async with stream:
        await engine.delete(cat)
        await engine.delete(dog)
        (event,) = await take(stream, 1)
        assert await stream.try_next() is None
    assert (event.operation, event.id) == ("delete", dog.id)


def test_operations_must_be_a_list(engine: AIOEngine) -> None:
    with pytest.raises(TypeError, match=r"operations=\['insert'\]"):
        engine.watch(Player, operations="insert")  # type: ignore[arg-type]


def test_an_unknown_full_document_option_is_refused(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="full_document is one of"):
        engine.watch(Player, full_document="bogus")  # type: ignore[arg-type]


async def test_pre_images_fill_before(engine: AIOEngine) -> None:
    await engine.configure_database([Player])
    player = await engine.save(Player(name="a", level=1))
    stream = engine.watch(
        Player, full_document_before_change="whenAvailable", max_await_time_ms=WAIT_MS
    )
    async with stream:
        player.level = 2
        await engine.save(player)
        (event,) = await take(stream, 1)
    assert event.before is not None and (event.before.level, event.document) == (1, player)


async def test_a_document_that_does_not_parse_fails_its_event_only(engine: AIOEngine) -> None:
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.get_collection(Player).insert_one({"name": "bad", "lvl": "not a number"})
        await engine.save(Player(name="good"))
        bad, good = await take(stream, 2)
    with pytest.raises(DocumentParsingError, match="lvl|level"):
        bad.document  # noqa: B018
    assert good.document is not None and good.document.name == "good"


async def test_resuming_from_a_token_gives_the_rest_exactly_once(engine: AIOEngine) -> None:
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.save_all([Player(name=str(n)) for n in range(4)])
        await take(stream, 2)
        token = stream.resume_token
    assert token is not None
    async with engine.watch(Player, resume_after=token, max_await_time_ms=WAIT_MS) as resumed:
        rest = await take(resumed, 2)
        assert await resumed.try_next() is None
    assert [e.document.name for e in rest if e.document] == ["2", "3"]


async def test_a_killed_server_cursor_is_resumed(engine: AIOEngine) -> None:
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.save(Player(name="before"))
        await take(stream, 1)
        await _kill_change_stream_cursors(engine)
        await engine.save(Player(name="after"))
        (event,) = await take(stream, 1)
        assert await stream.try_next() is None
    assert event.document is not None and event.document.name == "after"


async def test_a_stream_reopens_when_the_drivers_own_resume_fails(engine: AIOEngine) -> None:
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.save(Player(name="before"))
        await take(stream, 1)
        await engine.save(Player(name="after"))
        # The getMore, the driver's resuming aggregate and its retry, then the engine's
        # first reopenings, all lose their connection.
        async with fail_point(
            engine, {"times": 6}, failCommands=["getMore", "aggregate"], closeConnection=True
        ):
            (event,) = await take(stream, 1)
        assert await stream.try_next() is None
    assert event.document is not None and event.document.name == "after"


async def test_a_session_watches_too(engine: AIOEngine) -> None:
    async with engine.session() as session:
        async with session.watch(Player, max_await_time_ms=WAIT_MS) as stream:
            await session.save(Player(name="a"))
            (event,) = await take(stream, 1)
    assert event.operation == "insert"


async def test_a_transaction_cannot_watch(engine: AIOEngine) -> None:
    async with engine.transaction() as transaction:
        with pytest.raises(RuntimeError, match="cannot run in a transaction"):
            async with transaction.watch(Player):
                pass


async def test_a_closed_stream_cannot_be_read(engine: AIOEngine) -> None:
    async with engine.watch(Player) as stream:
        pass
    with pytest.raises(RuntimeError, match="is closed"):
        await stream.try_next()


async def test_start_at_operation_time_replays_from_then(engine: AIOEngine) -> None:
    first = await engine.save(Player(name="first"))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.save(Player(name="second"))
        (seen,) = await take(stream, 1)
    again = engine.watch(
        Player, start_at_operation_time=seen.cluster_time, max_await_time_ms=WAIT_MS
    )
    async with again:
        (event,) = await take(again, 1)
    assert event.document is not None and event.document.name == "second" and first.id != event.id


async def test_a_dropped_collection_ends_the_stream(engine: AIOEngine) -> None:
    await engine.save(Player(name="a"))
    async with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        await engine.get_collection(Player).drop()
        events = [event.operation async for event in stream]
    assert events == ["drop", "invalidate"]


async def _kill_change_stream_cursors(engine: AIOEngine) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$currentOp": {"idleCursors": True}},
        {"$match": {"type": "idleCursor", "ns": f"{engine.database_name}.watched_players"}},
    ]
    admin = adapter.database_of(engine.client, "admin")
    cursor = await adapter.aggregate(admin, pipeline, None)
    ids = [op["cursor"]["cursorId"] async for op in cursor]
    assert ids
    await engine.database.command("killCursors", "watched_players", cursors=ids)
