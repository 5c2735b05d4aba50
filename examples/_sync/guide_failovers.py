# generated from examples/_async/guide_failovers.py by codegen; do not edit
"""Guide: failovers and retries (docs/guides/failovers.md shows each section and its
output; the test compares what this prints with the guide's output blocks).

The failures are injected with the server's `failCommand` fail point, which only a
server started with test commands enabled has (as `odmantic.testing` starts it)."""

from __future__ import annotations

# --8<-- [start:imports]
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.errors import AutoReconnect, PyMongoError

from odmantic import Model, SyncEngine
from odmantic.session import SyncTransaction
from odmantic.update import inc

# --8<-- [end:imports]


# --8<-- [start:model]
class Order(Model):
    model_config = {"collection": "guide_failover_orders"}

    item: str
    quantity: int = 1
    notes: list[str] = []


class Event(Model):
    model_config = {"collection": "guide_failover_events"}

    number: int
    # --8<-- [end:model]


# --8<-- [start:fail_point]
@dataclass
class Failed:
    count: int = 0  # how many commands the server failed, known when the block exits


@contextmanager
def fail_point(engine: SyncEngine, mode: Any, **data: Any) -> Iterator[Failed]:
    """Make the server fail the commands named in `data` while the block runs."""
    admin = engine.client.admin
    before = admin.command("configureFailPoint", "failCommand", mode=mode, data=data)
    failed = Failed()
    try:
        yield failed
    finally:
        after = admin.command("configureFailPoint", "failCommand", mode="off")
        failed.count = after["count"] - before["count"]
    # --8<-- [end:fail_point]


NOT_WRITABLE_PRIMARY = 10107
"""What a member answers to a write once it is no longer the primary."""
OUT_OF_TIME = {"code": 262, "errmsg": "exceeded time limit"}
"""A write concern error: the server applied the write, then could not confirm it."""


def main(engine: SyncEngine) -> None:
    """Every section of the failovers guide, in order."""
    # --8<-- [start:save]
    refused = {"failCommands": ["insert", "update"], "errorCode": NOT_WRITABLE_PRIMARY}
    with fail_point(engine, {"times": 3}, **refused) as failed:
        tea = engine.save(Order(item="tea", notes=["fragile"]))
    print("failed:", failed.count)
    print("stored:", engine.count(Order, Order.item == "tea"))
    # --8<-- [end:save]

    # --8<-- [start:applied_twice]
    tea.notes.append("gift wrap")  # the save sends {"$push": {"notes": ...}}
    applied = {"failCommands": ["update"], "writeConcernError": OUT_OF_TIME}
    with fail_point(engine, {"times": 2}, **applied) as failed:
        engine.save(tea)
    stored = engine.find_one(Order, Order.id == tea.id)
    print("failed:", failed.count)
    print("stored:", stored.notes if stored else None)
    # --8<-- [end:applied_twice]

    # --8<-- [start:insert]
    applied = {"failCommands": ["insert"], "writeConcernError": OUT_OF_TIME}
    with fail_point(engine, {"times": 2}, **applied) as failed:
        engine.insert(Order(item="coffee"))
    print("failed:", failed.count)
    print("stored:", engine.count(Order, Order.item == "coffee"))
    # --8<-- [end:insert]

    # --8<-- [start:not_retried]
    applied = {"failCommands": ["update"], "writeConcernError": OUT_OF_TIME}
    with fail_point(engine, {"times": 2}, **applied):
        try:
            engine.update_one(Order, Order.id == tea.id, update=inc(Order.quantity, 1))
        except PyMongoError as error:
            print("raised:", type(error).__name__)
    stored = engine.find_one(Order, Order.id == tea.id)
    print("quantity:", stored.quantity if stored else None)
    # --8<-- [end:not_retried]

    # --8<-- [start:giving_up]
    for seconds in (0, 0.5):
        quick = SyncEngine(
            engine.client, engine.database_name, retry_writes_for=seconds
        )
        refused = {"failCommands": ["update"], "errorCode": NOT_WRITABLE_PRIMARY}
        with fail_point(engine, "alwaysOn", **refused):
            try:
                quick.save(Order(item="milk"))
            except PyMongoError as error:
                print(f"retry_writes_for={seconds}:", type(error).__name__)
    print("stored:", engine.count(Order, Order.item == "milk"))
    # --8<-- [end:giving_up]

    # --8<-- [start:with_transaction]
    runs = 0

    def add_one(transaction: SyncTransaction) -> None:
        nonlocal runs
        runs += 1
        order = transaction.find_one(Order, Order.item == "tea")
        assert order is not None
        if runs == 1:  # another writer changes the document meanwhile
            engine.update_one(
                Order, Order.id == order.id, update=inc(Order.quantity, 10)
            )
        order.quantity += 1
        transaction.save(order)

    engine.with_transaction(add_one)
    stored = engine.find_one(Order, Order.item == "tea")
    print("runs:", runs, "quantity:", stored.quantity if stored else None)
    # --8<-- [end:with_transaction]

    # --8<-- [start:unknown_commit]
    runs = 0

    def add_note(transaction: SyncTransaction) -> None:
        nonlocal runs
        runs += 1
        order = transaction.find_one(Order, Order.item == "coffee")
        assert order is not None
        order.notes.append("paid")
        transaction.save(order)

    lost = {"failCommands": ["commitTransaction"], "closeConnection": True}
    with fail_point(engine, {"times": 2}, **lost) as failed:
        engine.with_transaction(add_note)
    stored = engine.find_one(Order, Order.item == "coffee")
    print("runs:", runs, "failed:", failed.count)
    print("notes:", stored.notes if stored else None)
    # --8<-- [end:unknown_commit]

    engine.save_all([Event(number=n) for n in range(300)])

    # --8<-- [start:stream]
    seen: list[ObjectId] = []
    lost = {"failCommands": ["getMore"], "closeConnection": True}
    with fail_point(engine, {"times": 1}, **lost):
        try:
            for event in engine.find(Event, sort=Event.id):
                seen.append(event.id)
        except AutoReconnect as error:
            print(type(error).__name__, "after", len(seen), "events")
    for event in engine.find(Event, Event.id > seen[-1], sort=Event.id):
        seen.append(event.id)  # resumed after the last one received
    print(len(seen), "events,", len(set(seen)), "distinct")
    # --8<-- [end:stream]
