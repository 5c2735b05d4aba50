# generated from tests/_async/test_engine.py by codegen; do not edit
"""CRUD through the engine against the real mongod."""

from __future__ import annotations

from decimal import Decimal

import pymongo
import pytest
from bson import Decimal128, ObjectId

from odmantic import SyncEngine, query
from odmantic.exceptions import DocumentNotFoundError, DocumentParsingError, DuplicateKeyError
from tests.models import Account, Address, OnlyKey, Player, Tagged


def test_save_then_find_one_by_id(engine: SyncEngine) -> None:
    player = Player(name="Leeroy", level=3, address=Address(city="Paris"))
    returned = engine.save(player)
    assert returned is player
    found = engine.find_one(Player, Player.id == player.id)
    assert found == player
    assert found is not player


def test_document_layout_uses_key_names(engine: SyncEngine) -> None:
    player = Player(name="Jenkins", address=Address(city="Lyon", zip_code="69000"))
    engine.save(player)
    raw = engine.get_collection(Player).find_one({"_id": player.id})
    assert raw == {
        "_id": player.id,
        "name": "Jenkins",
        "level": 0,
        "tags": [],
        "address": {"city": "Lyon", "zip": "69000"},
    }


def test_find_filters_sorts_skips_and_limits(engine: SyncEngine) -> None:
    engine.save_all([Player(name=f"p{i}", level=i) for i in range(6)])
    high = engine.find(Player, Player.level >= 2, sort=query.desc(Player.level))
    assert [p.level for p in high] == [5, 4, 3, 2]
    page = engine.find(Player, sort=Player.level, skip=1, limit=2)
    assert [p.name for p in page] == ["p1", "p2"]
    both = engine.find(Player, Player.level > 1, Player.level < 4)
    assert sorted(p.level for p in both) == [2, 3]
    raw_dict = engine.find(Player, {"name": "p5"})
    assert [p.level for p in raw_dict] == [5]


def test_find_one_returns_none_when_nothing_matches(engine: SyncEngine) -> None:
    assert engine.find_one(Player, Player.name == "nobody") is None


def test_find_one_honours_sort(engine: SyncEngine) -> None:
    engine.save_all([Player(name="a", level=1), Player(name="b", level=9)])
    top = engine.find_one(Player, sort=query.desc(Player.level))
    assert top is not None and top.name == "b"


def test_cursor_streams(engine: SyncEngine) -> None:
    engine.save_all([Player(name=f"s{i}", level=i) for i in range(5)])
    cursor = engine.find(Player, sort=Player.level)
    first = next(iter(cursor))
    assert first.level == 0
    streamed = [p.level for p in engine.find(Player, sort=Player.level)]
    assert streamed == [0, 1, 2, 3, 4]
    assert len(engine.find(Player, sort=Player.level).to_list()) == 5


def test_reiterating_a_fully_read_cursor_runs_the_query_again(engine: SyncEngine) -> None:
    engine.save_all([Player(name=f"r{i}", level=i) for i in range(3)])
    cursor = engine.find(Player, sort=Player.level)
    first = [p for p in cursor]
    assert [p.level for p in first] == [0, 1, 2]
    assert [p for p in cursor] == first
    engine.remove(Player, Player.level == 0)
    assert [p.level for p in cursor] == [1, 2]
    assert [p.level for p in cursor.to_list()] == [1, 2]


def test_count(engine: SyncEngine) -> None:
    engine.save_all([Player(name="x", level=i) for i in range(4)])
    assert engine.count(Player) == 4
    assert engine.count(Player, Player.level > 1) == 2


def test_save_sends_only_modified_fields(engine: SyncEngine) -> None:
    player = Player(name="orig", level=1)
    engine.save(player)
    loaded = engine.find_one(Player, Player.id == player.id)
    assert loaded is not None
    engine.get_collection(Player).update_one({"_id": player.id}, {"$set": {"name": "other"}})
    loaded.level = 7
    engine.save(loaded)
    raw = engine.get_collection(Player).find_one({"_id": player.id})
    assert raw is not None
    assert raw["level"] == 7
    assert raw["name"] == "other"


def test_save_upserts_by_primary_key(engine: SyncEngine) -> None:
    player = Player(name="first")
    engine.save(player)
    clone = Player(id=player.id, name="second")
    engine.save(clone)
    assert engine.count(Player) == 1
    found = engine.find_one(Player)
    assert found is not None and found.name == "second"


def test_custom_primary_key_and_key_name(engine: SyncEngine) -> None:
    engine.save(Tagged(code="A1", label="alpha"))
    raw = engine.get_collection(Tagged).find_one({"_id": "A1"})
    assert raw == {"_id": "A1", "lbl": "alpha"}
    found = engine.find_one(Tagged, Tagged.label == "alpha")
    assert found == Tagged(code="A1", label="alpha")


def test_save_all_returns_instances_and_writes_all(engine: SyncEngine) -> None:
    players = [Player(name=f"n{i}") for i in range(50)]
    result = engine.save_all(players)
    assert result == players
    assert engine.count(Player) == 50


def test_delete_and_missing_delete(engine: SyncEngine) -> None:
    player = engine.save(Player(name="gone"))
    engine.delete(player)
    assert engine.count(Player) == 0
    with pytest.raises(DocumentNotFoundError, match="Player") as info:
        engine.delete(player)
    assert info.value.instance is player


def test_remove(engine: SyncEngine) -> None:
    engine.save_all([Player(name="r", level=i) for i in range(5)])
    assert engine.remove(Player, Player.level >= 3, just_one=True) == 1
    assert engine.remove(Player, Player.level >= 3) == 1
    assert engine.remove(Player) == 3


def test_decimal_is_stored_as_decimal128(engine: SyncEngine) -> None:
    from tests.models import Author, Book, Publisher

    book = Book(
        title="t", price=Decimal("9.99"), author=Author(name="a", publisher=Publisher(name="p"))
    )
    engine.save(book)
    raw = engine.get_collection(Book).find_one({"_id": book.id})
    assert raw is not None and raw["price"] == Decimal128("9.99")
    found = engine.find_one(Book, Book.price == Decimal("9.99"))
    assert found is not None and found.price == Decimal("9.99")


def test_unique_index_clash_raises_duplicate_key_error(engine: SyncEngine) -> None:
    engine.configure_database([Account])
    engine.save(Account(email="a@x.io"))
    clash = Account(email="a@x.io")
    with pytest.raises(DuplicateKeyError, match="Account") as info:
        engine.save(clash)
    assert info.value.instance is clash
    with pytest.raises(DuplicateKeyError):
        engine.save_all([Account(email="b@x.io"), Account(email="a@x.io")])


def test_parsing_error_names_model_field_and_id(engine: SyncEngine) -> None:
    oid = ObjectId()
    engine.get_collection(Player).insert_one({"_id": oid, "name": 12, "level": -1})
    with pytest.raises(DocumentParsingError) as info:
        engine.find_one(Player)
    message = str(info.value)  # ODMantic 1.1's text: the _id is in primary_value
    assert message.startswith("2 validation errors for Player\nname\n") and "level" in message
    assert info.value.primary_value == oid


def test_operator_lookalike_values_are_data(engine: SyncEngine) -> None:
    engine.save_all([Player(name="$where"), Player(name="plain")])
    found = engine.find(Player, Player.name == "$where")
    assert [p.name for p in found] == ["$where"]
    assert engine.count(Player, {"name": {"$eq": {"$ne": 1}}}) == 0


def test_query_embedded_and_arrays(engine: SyncEngine) -> None:
    engine.save_all(
        [
            Player(name="a", tags=["x", "y"], address=Address(city="Paris", zip_code="75")),
            Player(name="b", tags=["y"], address=None),
        ]
    )
    assert engine.count(Player, Player.address.zip_code == "75") == 1  # type: ignore[union-attr]
    assert engine.count(Player, query.all_(Player.tags, ["x", "y"])) == 1
    assert engine.count(Player, query.size(Player.tags, 1)) == 1
    assert engine.count(Player, query.exists(Player.address)) == 2
    assert engine.count(Player, Player.address == None) == 1  # noqa: E711


def test_engine_refuses_bad_database_name() -> None:
    with pytest.raises(ValueError, match="invalid database name"):
        SyncEngine(database="bad.name")


def test_engine_attributes(engine: SyncEngine, database_name: str) -> None:
    assert engine.database_name == database_name
    assert engine.database.name == database_name
    assert engine.get_collection(Player).name == "player"
    with pytest.raises(TypeError, match="Model subclass"):
        engine.find(Address)  # type: ignore[type-var]


def test_default_client_targets_the_test_database() -> None:
    engine = SyncEngine()
    assert engine.database_name == "test"
    assert type(engine.client).__name__ == "MongoClient"
    engine.close()


def test_find_refuses_bad_skip_and_limit(engine: SyncEngine) -> None:
    with pytest.raises(ValueError, match=r"skip has to be a positive integer: find\(Player\)"):
        engine.find(Player, skip=-1)
    for skip in (True, 2**63):
        with pytest.raises(ValueError, match="skip has to be a positive integer"):
            engine.find(Player, skip=skip)
    with pytest.raises(ValueError, match="limit has to be a strict positive value or None"):
        engine.find(Player, limit=-5)
    with pytest.raises(TypeError, match="sort has to be a Model field or asc, desc descriptors"):
        engine.find(Player, sort={"name": 2})


def test_write_methods_refuse_non_instances(engine: SyncEngine) -> None:
    with pytest.raises(TypeError, match="Model instance"):
        engine.save(Address(city="x"))  # type: ignore[type-var]
    with pytest.raises(TypeError, match="Model instance"):
        engine.delete({"_id": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="query expressions"):
        engine.count(Player, True)


def test_find_one_and_configure_database_in_a_session(engine: SyncEngine) -> None:
    with engine.session() as session:
        engine.configure_database([Account], session=session)
        engine.save(Account(email="s@x.io"), session=session)
        found = engine.find_one(Account, Account.email == "s@x.io", session=session)
        assert found is not None and found.region == "eu"
        listed = engine.find(Account, session=session).to_list()
        assert listed == [found]


def test_loaded_instance_unchanged_is_not_rewritten(engine: SyncEngine) -> None:
    engine.save(Tagged(code="Z", label="zed"))
    loaded = engine.find_one(Tagged)
    assert loaded is not None
    engine.get_collection(Tagged).update_one({"_id": "Z"}, {"$set": {"lbl": "changed"}})
    engine.save(loaded)
    raw = engine.get_collection(Tagged).find_one({"_id": "Z"})
    assert raw is not None and raw["lbl"] == "changed"


def test_save_all_of_new_instances_over_existing_ids_upserts(engine: SyncEngine) -> None:
    first = engine.save(Player(name="old", level=1, tags=["keep"]))
    replacement = Player(id=first.id, name="new", level=2)
    others = [Player(name=f"o{i}") for i in range(3)]
    engine.save_all([replacement, *others])
    assert engine.count(Player) == 4
    stored = engine.find_one(Player, Player.id == first.id)
    assert stored is not None and (stored.name, stored.level, stored.tags) == ("new", 2, [])
    replacement.level = 3
    assert replacement.__odmantic_fields_to_save__() == {"level", "tags", "address"}


def test_save_all_in_a_transaction_upserts_existing_ids(engine: SyncEngine) -> None:
    first = engine.save(Player(name="old"))
    with engine.transaction() as transaction:
        transaction.save_all([Player(id=first.id, name="new"), Player(name="other")])
        transaction.commit()
    assert sorted(p.name for p in engine.find(Player)) == ["new", "other"]


def test_model_with_only_a_primary_key_is_written(engine: SyncEngine) -> None:
    collection = engine.get_collection(OnlyKey)
    engine.save(OnlyKey(key="a"))
    assert collection.find({}).to_list() == [{"_id": "a"}]
    engine.save_all([OnlyKey(key="a"), OnlyKey(key="b")])
    assert collection.find({}, sort=[("_id", 1)]).to_list() == [{"_id": "a"}, {"_id": "b"}]


def test_save_all_duplicate_error_names_the_key(engine: SyncEngine) -> None:
    engine.configure_database([Account])
    engine.save(Account(email="dup@x.io"))
    with pytest.raises(DuplicateKeyError, match="dup@x.io") as info:
        engine.save_all([Account(email="ok@x.io"), Account(email="dup@x.io")])
    assert info.value.details["keyValue"] == {"email": "dup@x.io"}


def test_limit_with_references(engine: SyncEngine) -> None:
    from tests.models import Author, Book, Publisher

    author = Author(name="a", publisher=Publisher(name="p"))
    engine.save_all([Book(title=t, author=author) for t in "xyz"])
    assert [b.title for b in engine.find(Book, sort=Book.title, limit=2).to_list()] == [
        "x",
        "y",
    ]
    with pytest.raises(ValueError, match="limit has to be a strict positive value"):
        engine.find(Book, limit=0)


def test_other_twin_error_names_the_engine_to_use(mongo_uri: str) -> None:
    other = vars(pymongo)["AsyncMongoClient"](mongo_uri, connect=False)  # codegen: keep
    expected = "use odmantic.AIOEngine"  # codegen: keep
    with pytest.raises(TypeError, match=f"needs a .*{expected}"):
        SyncEngine(client=other)
