# generated from tests/_async/test_writes.py by codegen; do not edit
"""Safe writes against the real replica set: only changed paths, insert-only, partial failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pymongo import MongoClient, monitoring

from odmantic import EmbeddedModel, Field, Model, Reference, SyncEngine
from odmantic.exceptions import DocumentWriteError, DuplicateKeyError
from odmantic.session import SyncTransaction


class Address(EmbeddedModel):
    city: str
    street: str = ""


class User(Model):
    name: str
    level: int = 0
    tags: list[str] = []
    prefs: dict[str, int] = {}
    addr: Address = Address(city="Paris")
    extra_doc: dict[str, Any] = {}


class Priced(Model):
    price: Decimal


class Writer(Model):
    name: str
    tags: list[str] = []


class Book(Model):
    title: str
    author: Writer = Reference()


class Account(Model):
    email: str = Field(unique=True)
    is_admin: bool = False


class Updates(monitoring.CommandListener):
    """The update documents sent to the server."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.sent.extend(u["u"] for u in event.command["updates"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_a_concurrent_push_survives_a_save_of_another_field(engine: SyncEngine) -> None:
    user = engine.save(User(name="u", tags=["a"]))
    loaded = engine.find_one(User, User.id == user.id)
    assert loaded is not None
    engine.get_collection(User).update_one({"_id": user.id}, {"$push": {"tags": "other"}})
    loaded.level = 5
    engine.save(loaded)
    raw = engine.get_collection(User).find_one({"_id": user.id})
    assert raw is not None and (raw["level"], raw["tags"]) == (5, ["a", "other"])


def test_only_changed_paths_are_sent(mongo_uri: str, database_name: str) -> None:
    listener = Updates()
    client: MongoClient[Any] = MongoClient(mongo_uri, event_listeners=[listener])
    engine = SyncEngine(client=client, database=database_name)
    user = engine.save(User(name="u", tags=["a"], prefs={"x": 1}))
    listener.sent.clear()
    user.addr.city = "Lyon"
    user.tags.append("b")
    engine.save(user)
    user.prefs["y"] = 2
    engine.save(user)
    engine.save(user)  # nothing changed: nothing sent
    engine.close()
    assert listener.sent == [
        {"$set": {"addr.city": "Lyon"}, "$push": {"tags": {"$each": ["b"]}}},
        {"$set": {"prefs": {"x": 1, "y": 2}}},
    ]
    engine = SyncEngine(client=MongoClient(mongo_uri), database=database_name)
    stored = engine.find_one(User, User.id == user.id)
    assert stored is not None and stored == user
    engine.close()


def test_saving_a_book_keeps_its_authors_concurrent_changes(engine: SyncEngine) -> None:
    book = engine.save(Book(title="t", author=Writer(name="w", tags=["x"])))
    loaded = engine.find_one(Book, Book.id == book.id)
    assert loaded is not None
    engine.get_collection(Writer).update_one({"_id": book.author.id}, {"$push": {"tags": "y"}})
    loaded.title = "new"
    engine.save(loaded)
    raw = engine.get_collection(Writer).find_one({"_id": book.author.id})
    assert raw is not None and raw["tags"] == ["x", "y"]


def test_a_document_deleted_meanwhile_is_written_again_in_full(engine: SyncEngine) -> None:
    users = engine.save_all([User(name="a"), User(name="b")])
    loaded = engine.find(User, sort=User.name).to_list()
    engine.get_collection(User).delete_one({"_id": users[0].id})
    for user in loaded:
        user.level = 9
    engine.save_all(loaded)
    engine.save(loaded[0])
    assert sorted((u.name, u.level) for u in engine.find(User)) == [("a", 9), ("b", 9)]


def test_insert_never_writes_over_a_stored_document(engine: SyncEngine) -> None:
    alice = engine.insert(Account(email="alice@x.io", is_admin=True))
    posted = Account.model_validate({"id": str(alice.id), "email": "mallory@x.io"})
    with pytest.raises(DuplicateKeyError, match=r"Account instance with primary key") as info:
        engine.insert(posted)
    assert info.value.instance is posted
    raw = engine.get_collection(Account).find_one({"_id": alice.id})
    assert raw is not None and (raw["email"], raw["is_admin"]) == ("alice@x.io", True)
    assert posted.__odmantic_fields_to_save__() is None


def test_insert_all_lists_every_clash_and_writes_the_others(engine: SyncEngine) -> None:
    engine.configure_database([Account])
    taken = engine.insert_all([Account(email="a@x.io"), Account(email="b@x.io")])
    batch = [Account(email="c@x.io"), Account(id=taken[0].id, email="z@x.io"), taken[1]]
    with pytest.raises(DuplicateKeyError) as info:
        engine.insert_all(batch)
    assert [instance for instance, _ in info.value.failures] == batch[1:]
    assert engine.count(Account) == 3
    assert batch[0].__odmantic_fields_to_save__() == set()
    assert batch[1].__odmantic_fields_to_save__() is None


def test_save_all_partial_failure_keeps_the_failed_ones_to_save(engine: SyncEngine) -> None:
    engine.configure_database([Account])
    engine.save(Account(email="dup@x.io"))
    batch = [Account(email="ok@x.io"), Account(email="dup@x.io"), Account(email="dup@x.io")]
    with pytest.raises(DuplicateKeyError, match="dup@x.io") as info:
        engine.save_all(batch)
    assert [instance for instance, _ in info.value.failures] == batch[1:]
    assert batch[0].__odmantic_fields_to_save__() == set()
    assert all(instance.__odmantic_fields_to_save__() is None for instance in batch[1:])


def test_an_unstorable_value_names_the_model_field_and_id(engine: SyncEngine) -> None:
    huge = User(name="big", level=2**63)
    with pytest.raises(
        DocumentWriteError, match=r"User instance with primary key .*'level'"
    ) as info:
        engine.save(huge)
    assert isinstance(info.value.__cause__, OverflowError)
    too_large = User(name="x" * (17 * 1024 * 1024))
    with pytest.raises(DocumentWriteError, match="User instance"):
        engine.save_all([too_large])
    with pytest.raises(DocumentWriteError, match="field 'name' cannot be stored"):
        engine.save(User(name="lone \ud800 surrogate"))
    with pytest.raises(DocumentWriteError, match="field 'price' cannot be dumped"):
        engine.save(Priced(price=Decimal("1" * 35)))
    deep: dict[str, Any] = {}
    for _ in range(250):
        deep = {"a": deep}
    with pytest.raises(DocumentWriteError, match="nested"):
        engine.save(User(name="deep", prefs={}, extra_doc=deep))
    assert engine.count(User) == 0


class Holder(EmbeddedModel):
    data: list[Any] = []


class Loose(Model):
    model_config = {"extra": "allow"}
    name: str
    box: Holder = Holder()


def test_in_place_changes_of_untyped_values_are_saved(engine: SyncEngine) -> None:
    loose = engine.save(Loose(name="x", box=Holder(data=[1]), items=[1]))  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    loaded = engine.find_one(Loose, Loose.id == loose.id)
    assert loaded is not None
    loaded.box.data.append(2)
    loaded.items.append(2)  # type: ignore[attr-defined]
    engine.save(loaded)
    raw = engine.get_collection(Loose).find_one({"_id": loose.id})
    assert raw is not None and (raw["box"]["data"], raw["items"]) == ([1, 2], [1, 2])


def test_save_all_in_a_transaction_rewrites_a_deleted_document(engine: SyncEngine) -> None:
    kept, gone = engine.save_all([User(name="kept"), User(name="gone")])
    loaded = engine.find_one(User, User.id == gone.id)
    assert loaded is not None
    engine.get_collection(User).delete_one({"_id": gone.id})
    loaded.level = 4

    def write(transaction: SyncTransaction) -> None:
        transaction.save_all([User(id=kept.id, name="kept2"), loaded])

    engine.with_transaction(write)
    assert sorted((u.name, u.level) for u in engine.find(User)) == [("gone", 4), ("kept2", 0)]
