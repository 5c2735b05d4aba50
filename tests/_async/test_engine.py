"""CRUD through the engine against the real mongod."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pymongo
import pytest
from bson import Decimal128, ObjectId
from pymongo import MongoClient

from odmantic import AIOEngine, query
from odmantic._async import IS_ASYNC
from odmantic.exceptions import DocumentNotFoundError, DocumentParsingError, DuplicateKeyError
from tests.models import Account, Address, OnlyKey, Player, Tagged


async def test_save_then_find_one_by_id(engine: AIOEngine) -> None:
    player = Player(name="Leeroy", level=3, address=Address(city="Paris"))
    returned = await engine.save(player)
    assert returned is player
    found = await engine.find_one(Player, Player.id == player.id)
    assert found == player
    assert found is not player


async def test_document_layout_uses_key_names(engine: AIOEngine) -> None:
    player = Player(name="Jenkins", address=Address(city="Lyon", zip_code="69000"))
    await engine.save(player)
    raw = await engine.get_collection(Player).find_one({"_id": player.id})
    assert raw == {
        "_id": player.id,
        "name": "Jenkins",
        "level": 0,
        "tags": [],
        "address": {"city": "Lyon", "zip": "69000"},
    }


async def test_find_filters_sorts_skips_and_limits(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"p{i}", level=i) for i in range(6)])
    high = await engine.find(Player, Player.level >= 2, sort=query.desc(Player.level))
    assert [p.level for p in high] == [5, 4, 3, 2]
    page = await engine.find(Player, sort=Player.level, skip=1, limit=2)
    assert [p.name for p in page] == ["p1", "p2"]
    both = await engine.find(Player, Player.level > 1, Player.level < 4)
    assert sorted(p.level for p in both) == [2, 3]
    raw_dict = await engine.find(Player, {"name": "p5"})
    assert [p.level for p in raw_dict] == [5]


async def test_find_one_returns_none_when_nothing_matches(engine: AIOEngine) -> None:
    assert await engine.find_one(Player, Player.name == "nobody") is None


async def test_find_one_honours_sort(engine: AIOEngine) -> None:
    await engine.save_all([Player(name="a", level=1), Player(name="b", level=9)])
    top = await engine.find_one(Player, sort=query.desc(Player.level))
    assert top is not None and top.name == "b"


async def test_cursor_streams(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"s{i}", level=i) for i in range(5)])
    cursor = engine.find(Player, sort=Player.level)
    first = await anext(aiter(cursor))
    assert first.level == 0
    streamed = [p.level async for p in engine.find(Player, sort=Player.level)]
    assert streamed == [0, 1, 2, 3, 4]
    assert len(await engine.find(Player, sort=Player.level).to_list()) == 5


async def test_reiterating_a_fully_read_cursor_runs_the_query_again(engine: AIOEngine) -> None:
    await engine.save_all([Player(name=f"r{i}", level=i) for i in range(3)])
    cursor = engine.find(Player, sort=Player.level)
    first = [p async for p in cursor]
    assert [p.level for p in first] == [0, 1, 2]
    assert [p async for p in cursor] == first
    await engine.remove(Player, Player.level == 0)
    assert [p.level async for p in cursor] == [1, 2]
    assert [p.level for p in await cursor.to_list()] == [1, 2]


async def test_count(engine: AIOEngine) -> None:
    await engine.save_all([Player(name="x", level=i) for i in range(4)])
    assert await engine.count(Player) == 4
    assert await engine.count(Player, Player.level > 1) == 2


async def test_save_sends_only_modified_fields(engine: AIOEngine) -> None:
    player = Player(name="orig", level=1)
    await engine.save(player)
    loaded = await engine.find_one(Player, Player.id == player.id)
    assert loaded is not None
    await engine.get_collection(Player).update_one({"_id": player.id}, {"$set": {"name": "other"}})
    loaded.level = 7
    await engine.save(loaded)
    raw = await engine.get_collection(Player).find_one({"_id": player.id})
    assert raw is not None
    assert raw["level"] == 7
    assert raw["name"] == "other"


async def test_save_upserts_by_primary_key(engine: AIOEngine) -> None:
    player = Player(name="first")
    await engine.save(player)
    clone = Player(id=player.id, name="second")
    await engine.save(clone)
    assert await engine.count(Player) == 1
    found = await engine.find_one(Player)
    assert found is not None and found.name == "second"


async def test_custom_primary_key_and_key_name(engine: AIOEngine) -> None:
    await engine.save(Tagged(code="A1", label="alpha"))
    raw = await engine.get_collection(Tagged).find_one({"_id": "A1"})
    assert raw == {"_id": "A1", "lbl": "alpha"}
    found = await engine.find_one(Tagged, Tagged.label == "alpha")
    assert found == Tagged(code="A1", label="alpha")


async def test_save_all_returns_instances_and_writes_all(engine: AIOEngine) -> None:
    players = [Player(name=f"n{i}") for i in range(50)]
    result = await engine.save_all(players)
    assert result == players
    assert await engine.count(Player) == 50


async def test_delete_and_missing_delete(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="gone"))
    await engine.delete(player)
    assert await engine.count(Player) == 0
    with pytest.raises(DocumentNotFoundError, match="Player") as info:
        await engine.delete(player)
    assert info.value.instance is player


async def test_remove(engine: AIOEngine) -> None:
    await engine.save_all([Player(name="r", level=i) for i in range(5)])
    assert await engine.remove(Player, Player.level >= 3, just_one=True) == 1
    assert await engine.remove(Player, Player.level >= 3) == 1
    assert await engine.remove(Player) == 3


async def test_decimal_is_stored_as_decimal128(engine: AIOEngine) -> None:
    from tests.models import Author, Book, Publisher

    book = Book(
        title="t", price=Decimal("9.99"), author=Author(name="a", publisher=Publisher(name="p"))
    )
    await engine.save(book)
    raw = await engine.get_collection(Book).find_one({"_id": book.id})
    assert raw is not None and raw["price"] == Decimal128("9.99")
    found = await engine.find_one(Book, Book.price == Decimal("9.99"))
    assert found is not None and found.price == Decimal("9.99")


async def test_unique_index_clash_raises_duplicate_key_error(engine: AIOEngine) -> None:
    await engine.configure_database([Account])
    await engine.save(Account(email="a@x.io"))
    clash = Account(email="a@x.io")
    with pytest.raises(DuplicateKeyError, match="Account") as info:
        await engine.save(clash)
    assert info.value.instance is clash
    with pytest.raises(DuplicateKeyError):
        await engine.save_all([Account(email="b@x.io"), Account(email="a@x.io")])


async def test_parsing_error_names_model_field_and_id(engine: AIOEngine) -> None:
    oid = ObjectId()
    await engine.get_collection(Player).insert_one({"_id": oid, "name": 12, "level": -1})
    with pytest.raises(DocumentParsingError) as info:
        await engine.find_one(Player)
    message = str(info.value)  # ODMantic 1.1's text: the _id is in primary_value
    assert message.startswith("2 validation errors for Player\nname\n") and "level" in message
    assert info.value.primary_value == oid


async def test_operator_lookalike_values_are_data(engine: AIOEngine) -> None:
    await engine.save_all([Player(name="$where"), Player(name="plain")])
    found = await engine.find(Player, Player.name == "$where")
    assert [p.name for p in found] == ["$where"]
    assert await engine.count(Player, {"name": {"$eq": {"$ne": 1}}}) == 0


async def test_query_embedded_and_arrays(engine: AIOEngine) -> None:
    await engine.save_all(
        [
            Player(name="a", tags=["x", "y"], address=Address(city="Paris", zip_code="75")),
            Player(name="b", tags=["y"], address=None),
        ]
    )
    assert await engine.count(Player, Player.address.zip_code == "75") == 1  # type: ignore[union-attr]
    assert await engine.count(Player, query.all_(Player.tags, ["x", "y"])) == 1
    assert await engine.count(Player, query.size(Player.tags, 1)) == 1
    assert await engine.count(Player, query.exists(Player.address)) == 2
    assert await engine.count(Player, Player.address == None) == 1  # noqa: E711


async def test_engine_refuses_bad_database_name() -> None:
    with pytest.raises(ValueError, match="invalid database name"):
        AIOEngine(database="bad.name")


async def test_engine_attributes(engine: AIOEngine, database_name: str) -> None:
    assert engine.database_name == database_name
    assert engine.database.name == database_name
    assert engine.get_collection(Player).name == "player"
    with pytest.raises(TypeError, match="Model subclass"):
        engine.find(Address)  # type: ignore[type-var]


if IS_ASYNC:

    async def test_awaiting_the_cursor_gives_a_list(engine: AIOEngine) -> None:
        await engine.save(Player(name="a"))
        result = await engine.find(Player)
        assert isinstance(result, list)
        assert [p.name for p in result] == ["a"]


async def test_default_client_targets_the_test_database() -> None:
    engine = AIOEngine()
    assert engine.database_name == "test"
    assert type(engine.client).__name__ == "AsyncMongoClient"
    await engine.close()


async def test_find_refuses_bad_skip_and_limit(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match=r"skip has to be a positive integer: find\(Player\)"):
        engine.find(Player, skip=-1)
    for skip in (True, 2**63):
        with pytest.raises(ValueError, match="skip has to be a positive integer"):
            engine.find(Player, skip=skip)
    with pytest.raises(ValueError, match="limit has to be a strict positive value or None"):
        engine.find(Player, limit=-5)
    with pytest.raises(TypeError, match="sort has to be a Model field or asc, desc descriptors"):
        engine.find(Player, sort={"name": 2})


async def test_write_methods_refuse_non_instances(engine: AIOEngine) -> None:
    with pytest.raises(TypeError, match="Model instance"):
        await engine.save(Address(city="x"))  # type: ignore[type-var]
    with pytest.raises(TypeError, match="Model instance"):
        await engine.delete({"_id": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="query expressions"):
        await engine.count(Player, True)


async def test_find_one_and_configure_database_in_a_session(engine: AIOEngine) -> None:
    async with engine.session() as session:
        await engine.configure_database([Account], session=session)
        await engine.save(Account(email="s@x.io"), session=session)
        found = await engine.find_one(Account, Account.email == "s@x.io", session=session)
        assert found is not None and found.region == "eu"
        listed = await engine.find(Account, session=session).to_list()
        assert listed == [found]


async def test_loaded_instance_unchanged_is_not_rewritten(engine: AIOEngine) -> None:
    await engine.save(Tagged(code="Z", label="zed"))
    loaded = await engine.find_one(Tagged)
    assert loaded is not None
    await engine.get_collection(Tagged).update_one({"_id": "Z"}, {"$set": {"lbl": "changed"}})
    await engine.save(loaded)
    raw = await engine.get_collection(Tagged).find_one({"_id": "Z"})
    assert raw is not None and raw["lbl"] == "changed"


async def test_save_all_of_new_instances_over_existing_ids_upserts(engine: AIOEngine) -> None:
    first = await engine.save(Player(name="old", level=1, tags=["keep"]))
    replacement = Player(id=first.id, name="new", level=2)
    others = [Player(name=f"o{i}") for i in range(3)]
    await engine.save_all([replacement, *others])
    assert await engine.count(Player) == 4
    stored = await engine.find_one(Player, Player.id == first.id)
    assert stored is not None and (stored.name, stored.level, stored.tags) == ("new", 2, [])
    replacement.level = 3
    assert replacement.__odmantic_fields_to_save__() == {"level", "tags", "address"}


async def test_save_all_in_a_transaction_upserts_existing_ids(engine: AIOEngine) -> None:
    first = await engine.save(Player(name="old"))
    async with engine.transaction() as transaction:
        await transaction.save_all([Player(id=first.id, name="new"), Player(name="other")])
        await transaction.commit()
    assert sorted(p.name for p in await engine.find(Player)) == ["new", "other"]


async def test_model_with_only_a_primary_key_is_written(engine: AIOEngine) -> None:
    collection = engine.get_collection(OnlyKey)
    await engine.save(OnlyKey(key="a"))
    assert await collection.find({}).to_list() == [{"_id": "a"}]
    await engine.save_all([OnlyKey(key="a"), OnlyKey(key="b")])
    assert await collection.find({}, sort=[("_id", 1)]).to_list() == [{"_id": "a"}, {"_id": "b"}]


async def test_save_all_duplicate_error_names_the_key(engine: AIOEngine) -> None:
    await engine.configure_database([Account])
    await engine.save(Account(email="dup@x.io"))
    with pytest.raises(DuplicateKeyError, match="dup@x.io") as info:
        await engine.save_all([Account(email="ok@x.io"), Account(email="dup@x.io")])
    assert info.value.details["keyValue"] == {"email": "dup@x.io"}


async def test_limit_with_references(engine: AIOEngine) -> None:
    from tests.models import Author, Book, Publisher

    author = Author(name="a", publisher=Publisher(name="p"))
    await engine.save_all([Book(title=t, author=author) for t in "xyz"])
    assert [b.title for b in await engine.find(Book, sort=Book.title, limit=2).to_list()] == [
        "x",
        "y",
    ]
    with pytest.raises(ValueError, match="limit has to be a strict positive value"):
        engine.find(Book, limit=0)


async def test_other_twin_error_names_the_engine_to_use(mongo_uri: str) -> None:
    if IS_ASYNC:
        other: Any = MongoClient(mongo_uri, connect=False)
        expected = "use odmantic.SyncEngine"
    else:
        other = vars(pymongo)["AsyncMongoClient"](mongo_uri, connect=False)  # codegen: keep
        expected = "use odmantic.AIOEngine"  # codegen: keep
    with pytest.raises(TypeError, match=f"needs a .*{expected}"):
        AIOEngine(client=other)
