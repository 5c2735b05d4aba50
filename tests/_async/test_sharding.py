"""Sharded models: every write of an instance filters on its shard key (seen through PyMongo's
command monitoring), through the real replica set in both twins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from odmantic import AIOEngine, Field, Model, Reference
from odmantic._async import adapter, execute
from odmantic._internal.write_plan import plan
from odmantic.exceptions import RevisionConflictError, ShardKeyChangedError
from tests._async.fail_points import fail_point

CREATED = datetime(2026, 1, 2, 3, 4, 5)


class Order(Model):
    model_config = {"collection": "sharded_orders", "shard_key": ("tenant", "created")}

    tenant: str
    created: datetime = CREATED
    total: int = 0
    lines: list[str] = []


class Ledger(Model):
    model_config = {"collection": "sharded_ledgers", "shard_key": {"tenant": "hashed"}}

    tenant: str
    balance: int = 0
    version: int = Field(default=0, revision=True)


class Receipt(Model):
    model_config = {"collection": "sharded_receipts"}

    order: Order = Reference(on_delete="cascade")


class Tracked(Model):
    model_config = {"collection": "tracked", "change_stream_pre_images": True}

    name: str


class Filters(monitoring.CommandListener):
    """The filters of the commands sent to the sharded collections (updates, deletes, finds and
    find-and-modify), by command name."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command, name = event.command, event.command_name
        if command.get(name) in ("sharded_orders", "sharded_ledgers"):
            if name == "update":
                self.sent.extend((name, u["q"]) for u in command["updates"])
            elif name == "delete":
                self.sent.extend((name, d["q"]) for d in command["deletes"])
            elif name == "find":
                self.sent.append((name, command["filter"]))
            elif name == "findAndModify":
                self.sent.append((name, command["query"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]


def _targets_one_shard(filter_: dict[str, Any], *keys: str) -> bool:
    """Whether `filter_` holds `_id` and each shard key (or is an `$or` of such filters)."""
    if "$or" in filter_:
        return all(_targets_one_shard(f, *keys) for f in filter_["$or"])
    return "_id" in filter_ and all(key in filter_ for key in keys)


@pytest.fixture
async def watched(mongo_uri: str, database_name: str) -> AsyncIterator[tuple[AIOEngine, Filters]]:
    listener = Filters()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri, event_listeners=[listener])
    yield AIOEngine(client=client, database=database_name), listener
    await client.close()


def _all_target(listener: Filters, *keys: str) -> bool:
    return bool(listener.sent) and all(_targets_one_shard(f, *keys) for _, f in listener.sent)


async def test_a_save_of_a_new_instance_upserts_with_the_full_shard_key(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    order = await engine.save(Order(tenant="acme", total=3))
    assert listener.sent == [("update", {"_id": order.id, "tenant": "acme", "created": CREATED})]


async def test_a_save_of_a_loaded_instance_filters_on_its_shard_key(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    await engine.save(Order(tenant="acme"))
    loaded = await engine.find_one(Order)
    assert loaded is not None
    listener.sent.clear()
    loaded.lines.append("tea")
    await engine.save(loaded)
    assert listener.names() == ["update"] and _all_target(listener, "tenant", "created")


async def test_save_all_and_insert_all_target_each_document(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    orders = await engine.save_all([Order(tenant=t) for t in ("a", "b", "c")])
    for order in orders:
        order.total += 1
    await engine.save_all(orders)
    await engine.insert_all([Order(tenant="d"), Order(tenant="e")])
    assert _all_target(listener, "tenant", "created")


async def test_a_delete_targets_the_document_shard(watched: tuple[AIOEngine, Filters]) -> None:
    engine, listener = watched
    order = await engine.save(Order(tenant="acme"))
    listener.sent.clear()
    await engine.delete(order)
    # Receipts reference orders with a delete rule: the order is found, then deleted.
    assert listener.names() == ["find", "delete"] and _all_target(listener, "tenant", "created")


async def test_delete_rules_delete_the_instance_by_its_shard_key(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    order = await engine.save(Order(tenant="acme"))
    await engine.save(Receipt(order=order))
    listener.sent.clear()
    await engine.delete(order)
    deletes = [f for name, f in listener.sent if name == "delete"]
    assert deletes == [{"_id": order.id, "tenant": "acme", "created": CREATED}]
    assert await engine.count(Receipt) == 0


async def test_revision_checks_target_the_shard(watched: tuple[AIOEngine, Filters]) -> None:
    engine, listener = watched
    await engine.save(Ledger(tenant="acme"))
    first, second = await engine.find(Ledger).to_list(), await engine.find(Ledger).to_list()
    first[0].balance, second[0].balance = 1, 2
    await engine.save(first[0])
    listener.sent.clear()
    with pytest.raises(RevisionConflictError):
        await engine.save(second[0])
    with pytest.raises(RevisionConflictError):
        await engine.delete(second[0])
    assert listener.names() == ["update", "find", "delete", "find"]
    assert _all_target(listener, "tenant")


async def test_writes_in_sessions_and_transactions_target_the_shard(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    async with engine.session() as session:
        order = await session.save(Order(tenant="s"))
    async with engine.transaction() as transaction:
        order.total = 5
        await transaction.save(order)
        await transaction.save(Order(tenant="t"))  # a new one: an upsert in a transaction
        await transaction.delete(order)
    assert listener.names() == ["update", "update", "update", "find", "delete"]
    assert _all_target(listener, "tenant", "created")


async def test_writes_retried_across_a_failover_keep_the_shard_key(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    order = await engine.save(Order(tenant="acme"))
    order.total = 9
    concern = {"code": 262, "errmsg": "exceeded time limit"}  # applied, then sent again
    async with fail_point(engine, {"times": 1}, failCommands=["update"], writeConcernError=concern):
        await engine.save(order)
    assert len(listener.sent) > 1 and _all_target(listener, "tenant", "created")


async def test_the_check_of_a_retried_insert_targets_the_shard(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, listener = watched
    order = await engine.insert(Order(tenant="acme"))
    listener.sent.clear()
    write = plan(order, insert=True)
    assert write is not None
    # A retried insert refused as a duplicate reads whether the first attempt stored it.
    await execute.write_one(engine.get_collection(Order), write, "insert", None, retried=True)
    assert listener.sent == [("find", {"_id": order.id, "tenant": "acme", "created": CREATED})]


async def test_changing_a_shard_key_field_is_refused_and_nothing_is_written(
    engine: AIOEngine,
) -> None:
    order = await engine.save(Order(tenant="acme"))
    order.tenant, order.total = "other", 4
    with pytest.raises(ShardKeyChangedError, match=r"Order\.tenant .*'acme' to 'other'"):
        await engine.save(order)
    stored = await engine.get_collection(Order).find_one({})
    assert stored is not None and (stored["tenant"], stored["total"]) == ("acme", 0)


async def test_a_copy_with_another_shard_key_is_refused(engine: AIOEngine) -> None:
    order = await engine.save(Order(tenant="acme"))
    with pytest.raises(ShardKeyChangedError, match="'acme' to 'other'"):
        await engine.save(order.model_copy(update={"tenant": "other"}))


async def test_moving_a_document_is_a_delete_and_an_insert(engine: AIOEngine) -> None:
    order = await engine.save(Order(tenant="acme", total=4))
    await engine.delete(order)
    moved = await engine.insert(order.model_copy(update={"tenant": "other"}))
    stored = await engine.find_one(Order)
    assert stored is not None and stored == moved and stored.tenant == "other"


async def _on_mongos(engine: AIOEngine) -> bool:
    return (await engine.database.command("hello")).get("msg") == "isdbgrid"


async def test_configure_database_with_shard_refuses_a_replica_set_before_sending(
    watched: tuple[AIOEngine, Filters],
) -> None:
    engine, _ = watched
    if await _on_mongos(engine):
        pytest.skip("connected to a sharded cluster (ODMANTIC_TEST_MONGO_URI)")
    with pytest.raises(RuntimeError, match="not connected to a sharded cluster"):
        await engine.configure_database([Order], shard=True)
    with pytest.raises(TypeError, match="Receipt has no shard key"):
        await engine.configure_database([Receipt], shard=True)
    names = await engine.database.list_collection_names()
    assert "sharded_orders" not in names


async def test_configure_database_with_shard_shards_on_a_mongos(engine: AIOEngine) -> None:
    if not await _on_mongos(engine):
        pytest.skip("needs a mongos: see the sharding guide (ODMANTIC_TEST_MONGO_URI)")
    await engine.configure_database([Order, Ledger], shard=True)
    config = adapter.database_of(engine.client, "config")
    found = await config.collections.find_one({"_id": f"{engine.database_name}.sharded_orders"})
    assert found is not None and found["key"] == {"tenant": 1, "created": 1}
    await engine.save(Order(tenant="acme"))  # an upsert with the full shard key
    assert await engine.count(Order) == 1


async def test_configure_database_enables_pre_images(engine: AIOEngine) -> None:
    await engine.configure_database([Tracked])
    await engine.configure_database([Tracked])  # again: the collection exists
    found = await engine.database.command("listCollections", filter={"name": "tracked"})
    options = found["cursor"]["firstBatch"][0]["options"]
    assert options["changeStreamPreAndPostImages"] == {"enabled": True}
