"""Safe writes against the real replica set: only changed paths, insert-only, partial failures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from odmantic import AIOEngine, EmbeddedModel, Field, Model, Reference
from odmantic.exceptions import DocumentWriteError, DuplicateKeyError
from odmantic.session import AIOTransaction


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


async def test_a_concurrent_push_survives_a_save_of_another_field(engine: AIOEngine) -> None:
    user = await engine.save(User(name="u", tags=["a"]))
    loaded = await engine.find_one(User, User.id == user.id)
    assert loaded is not None
    await engine.get_collection(User).update_one({"_id": user.id}, {"$push": {"tags": "other"}})
    loaded.level = 5
    await engine.save(loaded)
    raw = await engine.get_collection(User).find_one({"_id": user.id})
    assert raw is not None and (raw["level"], raw["tags"]) == (5, ["a", "other"])


async def test_only_changed_paths_are_sent(mongo_uri: str, database_name: str) -> None:
    listener = Updates()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, event_listeners=[listener])
    engine = AIOEngine(client=client, database=database_name)
    user = await engine.save(User(name="u", tags=["a"], prefs={"x": 1}))
    listener.sent.clear()
    user.addr.city = "Lyon"
    user.tags.append("b")
    await engine.save(user)
    user.prefs["y"] = 2
    await engine.save(user)
    await engine.save(user)  # nothing changed: nothing sent
    await engine.close()
    assert listener.sent == [
        {"$set": {"addr.city": "Lyon"}, "$push": {"tags": {"$each": ["b"]}}},
        {"$set": {"prefs": {"x": 1, "y": 2}}},
    ]
    engine = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
    stored = await engine.find_one(User, User.id == user.id)
    assert stored is not None and stored == user
    await engine.close()


async def test_saving_a_book_keeps_its_authors_concurrent_changes(engine: AIOEngine) -> None:
    book = await engine.save(Book(title="t", author=Writer(name="w", tags=["x"])))
    loaded = await engine.find_one(Book, Book.id == book.id)
    assert loaded is not None
    await engine.get_collection(Writer).update_one(
        {"_id": book.author.id}, {"$push": {"tags": "y"}}
    )
    loaded.title = "new"
    await engine.save(loaded)
    raw = await engine.get_collection(Writer).find_one({"_id": book.author.id})
    assert raw is not None and raw["tags"] == ["x", "y"]


async def test_a_document_deleted_meanwhile_is_written_again_in_full(engine: AIOEngine) -> None:
    users = await engine.save_all([User(name="a"), User(name="b")])
    loaded = await engine.find(User, sort=User.name).to_list()
    await engine.get_collection(User).delete_one({"_id": users[0].id})
    for user in loaded:
        user.level = 9
    await engine.save_all(loaded)
    await engine.save(loaded[0])
    assert sorted((u.name, u.level) for u in await engine.find(User)) == [("a", 9), ("b", 9)]


async def test_insert_never_writes_over_a_stored_document(engine: AIOEngine) -> None:
    alice = await engine.insert(Account(email="alice@x.io", is_admin=True))
    posted = Account.model_validate({"id": str(alice.id), "email": "mallory@x.io"})
    with pytest.raises(DuplicateKeyError, match=r"Account instance with primary key") as info:
        await engine.insert(posted)
    assert info.value.instance is posted
    raw = await engine.get_collection(Account).find_one({"_id": alice.id})
    assert raw is not None and (raw["email"], raw["is_admin"]) == ("alice@x.io", True)
    assert posted.__odmantic_fields_to_save__() is None


async def test_insert_all_lists_every_clash_and_writes_the_others(engine: AIOEngine) -> None:
    await engine.configure_database([Account])
    taken = await engine.insert_all([Account(email="a@x.io"), Account(email="b@x.io")])
    batch = [Account(email="c@x.io"), Account(id=taken[0].id, email="z@x.io"), taken[1]]
    with pytest.raises(DuplicateKeyError) as info:
        await engine.insert_all(batch)
    assert [instance for instance, _ in info.value.failures] == batch[1:]
    assert await engine.count(Account) == 3
    assert batch[0].__odmantic_fields_to_save__() == set()
    assert batch[1].__odmantic_fields_to_save__() is None


async def test_save_all_partial_failure_keeps_the_failed_ones_to_save(engine: AIOEngine) -> None:
    await engine.configure_database([Account])
    await engine.save(Account(email="dup@x.io"))
    batch = [Account(email="ok@x.io"), Account(email="dup@x.io"), Account(email="dup@x.io")]
    with pytest.raises(DuplicateKeyError, match="dup@x.io") as info:
        await engine.save_all(batch)
    assert [instance for instance, _ in info.value.failures] == batch[1:]
    assert batch[0].__odmantic_fields_to_save__() == set()
    assert all(instance.__odmantic_fields_to_save__() is None for instance in batch[1:])


async def test_an_unstorable_value_names_the_model_field_and_id(engine: AIOEngine) -> None:
    huge = User(name="big", level=2**63)
    with pytest.raises(
        DocumentWriteError, match=r"User instance with primary key .*'level'"
    ) as info:
        await engine.save(huge)
    assert isinstance(info.value.__cause__, OverflowError)
    too_large = User(name="x" * (17 * 1024 * 1024))
    with pytest.raises(DocumentWriteError, match="User instance"):
        await engine.save_all([too_large])
    with pytest.raises(DocumentWriteError, match="field 'name' cannot be stored"):
        await engine.save(User(name="lone \ud800 surrogate"))
    with pytest.raises(DocumentWriteError, match="field 'price' cannot be dumped"):
        await engine.save(Priced(price=Decimal("1" * 35)))
    deep: dict[str, Any] = {}
    for _ in range(250):
        deep = {"a": deep}
    with pytest.raises(DocumentWriteError, match="nested"):
        await engine.save(User(name="deep", prefs={}, extra_doc=deep))
    assert await engine.count(User) == 0


class Holder(EmbeddedModel):
    data: list[Any] = []


class Loose(Model):
    model_config = {"extra": "allow"}
    name: str
    box: Holder = Holder()


async def test_in_place_changes_of_untyped_values_are_saved(engine: AIOEngine) -> None:
    loose = await engine.save(Loose(name="x", box=Holder(data=[1]), items=[1]))  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    loaded = await engine.find_one(Loose, Loose.id == loose.id)
    assert loaded is not None
    loaded.box.data.append(2)
    loaded.items.append(2)  # type: ignore[attr-defined]
    await engine.save(loaded)
    raw = await engine.get_collection(Loose).find_one({"_id": loose.id})
    assert raw is not None and (raw["box"]["data"], raw["items"]) == ([1, 2], [1, 2])


async def test_save_all_in_a_transaction_rewrites_a_deleted_document(engine: AIOEngine) -> None:
    kept, gone = await engine.save_all([User(name="kept"), User(name="gone")])
    loaded = await engine.find_one(User, User.id == gone.id)
    assert loaded is not None
    await engine.get_collection(User).delete_one({"_id": gone.id})
    loaded.level = 4

    async def write(transaction: AIOTransaction) -> None:
        await transaction.save_all([User(id=kept.id, name="kept2"), loaded])

    await engine.with_transaction(write)
    assert sorted((u.name, u.level) for u in await engine.find(User)) == [("gone", 4), ("kept2", 0)]
