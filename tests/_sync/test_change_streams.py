# generated from tests/_async/test_change_streams.py by codegen; do not edit
"""Change streams: `engine.watch` yields typed `ChangeEvent`s, through the real replica set in
both twins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from odmantic import ChangeEvent, EmbeddedModel, Field, Model, SyncEngine
from odmantic._sync import adapter
from odmantic._sync.change_stream import SyncChangeStream
from odmantic.exceptions import DocumentParsingError
from odmantic.update import set_
from tests._sync.fail_points import fail_point
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


def take(stream: SyncChangeStream[Any], count: int) -> list[ChangeEvent[Any]]:
    """The next `count` events (failing rather than waiting forever)."""
    events: list[ChangeEvent[Any]] = []
    for _ in range(count * 50):
        event = stream.try_next()
        if event is not None:
            events.append(event)
        if len(events) == count:
            return events
    raise AssertionError(f"{len(events)} events of {count}")


def test_an_insert_gives_the_instance(engine: SyncEngine) -> None:
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        player = engine.save(Player(name="a", address=Address(city="x")))
        (event,) = take(stream, 1)
    assert (event.operation, event.id, event.document) == ("insert", player.id, player)


def test_an_update_names_its_fields_as_the_model_does(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a", address=Address(city="x")))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        player.level, player.address = 3, Address(city="y")
        player.seen = datetime(2026, 1, 1)
        engine.save(player)
        (event,) = take(stream, 1)
    assert event.updated_fields == {
        "level": 3,
        "address.city": "y",
        "seen": datetime(2026, 1, 1),
    }


def test_removed_fields_are_named_as_the_model_does(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a", level=2))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.get_collection(Player).update_one({"_id": player.id}, {"$unset": {"lvl": ""}})
        (event,) = take(stream, 1)
    assert event.removed_fields == ["level"]


def test_a_list_item_is_parsed_as_the_lists_items(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a", tags=["x", "y"]))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.get_collection(Player).update_one({"_id": player.id}, {"$set": {"tags.1": "z"}})
        (event,) = take(stream, 1)
    assert event.updated_fields == {"tags.1": "z"}


def test_an_update_carries_the_document_looked_up(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a"))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.update_one(Player, Player.id == player.id, update=set_(Player.level, 5))
        (event,) = take(stream, 1)
    assert event.document is not None and event.document.level == 5


def test_a_delete_gives_the_key_and_no_document(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a"))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.delete(player)
        (event,) = take(stream, 1)
    assert (event.operation, event.id, event.document) == ("delete", player.id, None)


def test_queries_apply_to_the_full_document_by_key_name(engine: SyncEngine) -> None:
    with engine.watch(Player, Player.level > 10, max_await_time_ms=WAIT_MS) as stream:
        engine.save_all([Player(name="low", level=1), Player(name="high", level=11)])
        (event,) = take(stream, 1)
        assert stream.try_next() is None
    assert event.document is not None and event.document.name == "high"


def test_operations_keep_the_operation_types_asked_for(engine: SyncEngine) -> None:
    player = engine.save(Player(name="a"))
    with engine.watch(Player, operations=["delete"], max_await_time_ms=WAIT_MS) as stream:
        engine.save(Player(name="b"))
        engine.delete(player)
        (event,) = take(stream, 1)
    assert event.operation == "delete"


def test_an_unknown_operation_is_refused(engine: SyncEngine) -> None:
    with pytest.raises(ValueError, match="operations are among"):
        engine.watch(Player, operations=["upsert"])  # type: ignore[list-item]


def test_an_operator_that_cannot_apply_to_a_change_is_refused(engine: SyncEngine) -> None:
    with pytest.raises(TypeError, match=r"\$expr cannot apply"):
        engine.watch(Player, {"$expr": {"$gt": ["$lvl", 1]}})


def test_a_polymorphic_root_yields_each_subclass(engine: SyncEngine) -> None:
    with engine.watch(Vehicle, max_await_time_ms=WAIT_MS) as stream:
        engine.save_all([Car(name="c"), Truck(name="t")])
        events = take(stream, 2)
    assert sorted(type(e.document).__name__ for e in events) == ["Car", "Truck"]


def test_a_subclass_yields_its_own_changes_only(engine: SyncEngine) -> None:
    with engine.watch(Truck, max_await_time_ms=WAIT_MS) as stream:
        engine.save_all([Car(name="c"), Truck(name="t")])
        (event,) = take(stream, 1)
        assert stream.try_next() is None
    assert isinstance(event.document, Truck)


def test_a_root_stream_names_a_subclass_fields(engine: SyncEngine) -> None:
    dog = engine.save(Dog(name="rex"))
    with engine.watch(Animal, max_await_time_ms=WAIT_MS) as stream:
        dog.tricks = 3
        engine.save(dog)
        (event,) = take(stream, 1)
    assert event.updated_fields == {"tricks": 3}


def test_a_subclass_stream_keeps_changes_it_cannot_tell_apart(engine: SyncEngine) -> None:
    dog, cat = engine.save(Dog(name="rex")), engine.save(Cat(name="tom"))
    # Without documents nor pre-images, updates and deletes carry no class: they are kept.
    stream = engine.watch(Dog, full_document="default", max_await_time_ms=WAIT_MS)
    with stream:
        dog.tricks, cat.lives = 1, 8
        engine.save_all([dog, cat])
        engine.delete(cat)
        events = take(stream, 3)
    assert [e.operation for e in events] == ["update", "update", "delete"]


def test_a_subclass_stream_tells_changes_apart_by_their_pre_images(
    engine: SyncEngine,
) -> None:
    dog, cat = engine.save(Dog(name="rex")), engine.save(Cat(name="tom"))
    engine.database.command(
        "collMod", "watched_animals", changeStreamPreAndPostImages={"enabled": True}
    )
    stream = engine.watch(
        Dog,
        full_document="default",
        full_document_before_change="whenAvailable",
        max_await_time_ms=WAIT_MS,
    )
    with stream:
        engine.delete(cat)
        engine.delete(dog)
        (event,) = take(stream, 1)
        assert stream.try_next() is None
    assert (event.operation, event.id) == ("delete", dog.id)


def test_operations_must_be_a_list(engine: SyncEngine) -> None:
    with pytest.raises(TypeError, match=r"operations=\['insert'\]"):
        engine.watch(Player, operations="insert")  # type: ignore[arg-type]


def test_an_unknown_full_document_option_is_refused(engine: SyncEngine) -> None:
    with pytest.raises(ValueError, match="full_document is one of"):
        engine.watch(Player, full_document="bogus")  # type: ignore[arg-type]


def test_pre_images_fill_before(engine: SyncEngine) -> None:
    engine.configure_database([Player])
    player = engine.save(Player(name="a", level=1))
    stream = engine.watch(
        Player, full_document_before_change="whenAvailable", max_await_time_ms=WAIT_MS
    )
    with stream:
        player.level = 2
        engine.save(player)
        (event,) = take(stream, 1)
    assert event.before is not None and (event.before.level, event.document) == (1, player)


def test_a_document_that_does_not_parse_fails_its_event_only(engine: SyncEngine) -> None:
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.get_collection(Player).insert_one({"name": "bad", "lvl": "not a number"})
        engine.save(Player(name="good"))
        bad, good = take(stream, 2)
    with pytest.raises(DocumentParsingError, match="lvl|level"):
        bad.document  # noqa: B018
    assert good.document is not None and good.document.name == "good"


def test_resuming_from_a_token_gives_the_rest_exactly_once(engine: SyncEngine) -> None:
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.save_all([Player(name=str(n)) for n in range(4)])
        take(stream, 2)
        token = stream.resume_token
    assert token is not None
    with engine.watch(Player, resume_after=token, max_await_time_ms=WAIT_MS) as resumed:
        rest = take(resumed, 2)
        assert resumed.try_next() is None
    assert [e.document.name for e in rest if e.document] == ["2", "3"]


def test_a_killed_server_cursor_is_resumed(engine: SyncEngine) -> None:
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.save(Player(name="before"))
        take(stream, 1)
        _kill_change_stream_cursors(engine)
        engine.save(Player(name="after"))
        (event,) = take(stream, 1)
        assert stream.try_next() is None
    assert event.document is not None and event.document.name == "after"


def test_a_stream_reopens_when_the_drivers_own_resume_fails(engine: SyncEngine) -> None:
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.save(Player(name="before"))
        take(stream, 1)
        engine.save(Player(name="after"))
        # The getMore, the driver's resuming aggregate and its retry, then the engine's
        # first reopenings, all lose their connection.
        with fail_point(
            engine, {"times": 6}, failCommands=["getMore", "aggregate"], closeConnection=True
        ):
            (event,) = take(stream, 1)
        assert stream.try_next() is None
    assert event.document is not None and event.document.name == "after"


def test_a_session_watches_too(engine: SyncEngine) -> None:
    with engine.session() as session:
        with session.watch(Player, max_await_time_ms=WAIT_MS) as stream:
            session.save(Player(name="a"))
            (event,) = take(stream, 1)
    assert event.operation == "insert"


def test_a_transaction_cannot_watch(engine: SyncEngine) -> None:
    with engine.transaction() as transaction:
        with pytest.raises(RuntimeError, match="cannot run in a transaction"):
            with transaction.watch(Player):
                pass


def test_a_closed_stream_cannot_be_read(engine: SyncEngine) -> None:
    with engine.watch(Player) as stream:
        pass
    with pytest.raises(RuntimeError, match="is closed"):
        stream.try_next()


def test_start_at_operation_time_replays_from_then(engine: SyncEngine) -> None:
    first = engine.save(Player(name="first"))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.save(Player(name="second"))
        (seen,) = take(stream, 1)
    again = engine.watch(
        Player, start_at_operation_time=seen.cluster_time, max_await_time_ms=WAIT_MS
    )
    with again:
        (event,) = take(again, 1)
    assert event.document is not None and event.document.name == "second" and first.id != event.id


def test_a_dropped_collection_ends_the_stream(engine: SyncEngine) -> None:
    engine.save(Player(name="a"))
    with engine.watch(Player, max_await_time_ms=WAIT_MS) as stream:
        engine.get_collection(Player).drop()
        events = [event.operation for event in stream]
    assert events == ["drop", "invalidate"]


def _kill_change_stream_cursors(engine: SyncEngine) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$currentOp": {"idleCursors": True}},
        {"$match": {"type": "idleCursor", "ns": f"{engine.database_name}.watched_players"}},
    ]
    admin = adapter.database_of(engine.client, "admin")
    cursor = adapter.aggregate(admin, pipeline, None)
    ids = [op["cursor"]["cursorId"] for op in cursor]
    assert ids
    engine.database.command("killCursors", "watched_players", cursors=ids)
