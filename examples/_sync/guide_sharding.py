# generated from examples/_async/guide_sharding.py by codegen; do not edit
"""Guide: sharded clusters.

docs/guides/sharding.md shows each section and its output; the test compares what this
prints with the guide's output blocks (against a replica set: a mongos sends the same
filters to the shards)."""

from __future__ import annotations

# --8<-- [start:imports]
from datetime import datetime
from typing import Any

from pymongo import MongoClient, monitoring

from odmantic import Model, SyncEngine
from odmantic.exceptions import ShardKeyChangedError

# --8<-- [end:imports]


# --8<-- [start:model]
class Invoice(Model):
    model_config = {"collection": "guide_invoices", "shard_key": ("tenant", "issued")}

    tenant: str
    issued: datetime
    total: int = 0
    # --8<-- [end:model]


# --8<-- [start:listener]
class PrintFilters(monitoring.CommandListener):
    """Prints the filter of each update and delete the client sends."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        for write in command.get("updates", []) + command.get("deletes", []):
            shown = {k: "<id>" if k == "_id" else v for k, v in write["q"].items()}
            print(event.command_name, shown)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    # --8<-- [end:listener]


def same_server(engine: SyncEngine) -> str:
    """The URI of the server `engine` talks to (for a second client with a listener)."""
    client: Any = engine.client  # PyMongo's or Motor's: both have `nodes`
    (host, port), *_ = client.nodes
    return f"mongodb://{host}:{port}/?directConnection=true"


def main(engine: SyncEngine) -> None:
    engine.find_one(Invoice)  # connects: the client now knows the server's address
    client: MongoClient[Any] = MongoClient(
        same_server(engine), event_listeners=[PrintFilters()]
    )
    watched = SyncEngine(client=client, database=engine.database_name)

    # --8<-- [start:writes]
    invoice = Invoice(tenant="acme", issued=datetime(2026, 3, 1), total=120)
    watched.save(invoice)
    invoice.total = 150
    watched.save(invoice)
    watched.delete(invoice)
    # --8<-- [end:writes]

    # --8<-- [start:changed]
    invoice = watched.save(Invoice(tenant="acme", issued=datetime(2026, 3, 2)))
    invoice.tenant = "globex"
    try:
        watched.save(invoice)
    except ShardKeyChangedError as error:
        print(f"{error.field}: {error.stored!r} -> {error.value!r}")
    # --8<-- [end:changed]

    # --8<-- [start:move]
    stored = watched.find_one(Invoice, Invoice.id == invoice.id)
    assert stored is not None
    with watched.transaction() as transaction:  # both or neither
        transaction.delete(stored)
        moved = stored.model_copy(update={"tenant": "globex"})
        transaction.insert(moved)
    print(moved.tenant, moved.id == stored.id)
    # --8<-- [end:move]

    # --8<-- [start:configure]
    try:
        engine.configure_database([Invoice], shard=True)
    except RuntimeError as error:
        print(str(error).split(",")[0])
    # --8<-- [end:configure]
    client.close()
