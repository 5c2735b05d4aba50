# generated from tests/_async/test_transactions.py by codegen; do not edit
"""with_transaction, write conflicts, commit retries and write retries, with server fail points."""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from odmantic import Model, SyncEngine
from odmantic.exceptions import DuplicateKeyError, WriteConflictError
from odmantic.session import SyncTransaction
from odmantic.update import inc
from tests._sync.fail_points import fail_point
from tests.models import Player, Tagged


class Counter(Model):
    name: str
    value: int = 0


def test_with_transaction_returns_the_callbacks_result(engine: SyncEngine) -> None:
    def create(transaction: SyncTransaction) -> Player:
        return transaction.save(Player(name="in-tx"))

    player = engine.with_transaction(create)
    assert engine.find_one(Player, Player.id == player.id) == player
    with engine.session() as session:
        other = session.with_transaction(create)
    assert engine.count(Player) == 2 and other.id != player.id


def test_concurrent_increments_all_commit(engine: SyncEngine) -> None:
    counter = engine.save(Counter(name="c"))

    def increment(transaction: SyncTransaction) -> None:
        current = transaction.find_one(Counter, Counter.id == counter.id)
        assert current is not None
        current.value += 1
        transaction.save(current)

    def worker() -> None:
        for _ in range(10):
            engine.with_transaction(increment)

    with ThreadPoolExecutor(10) as pool:
        for future in [pool.submit(worker) for _ in range(10)]:
            future.result()
    stored = engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value == 100


def test_a_write_conflict_names_the_model_and_instance(engine: SyncEngine) -> None:
    counter = engine.save(Counter(name="c"))
    first, second = engine.transaction(), engine.transaction()
    first.start()
    second.start()
    one = first.find_one(Counter, Counter.id == counter.id)
    two = second.find_one(Counter, Counter.id == counter.id)
    assert one is not None and two is not None
    one.value, two.value = 1, 2
    first.save(one)
    with pytest.raises(WriteConflictError, match=r"Counter instance with primary key") as info:
        second.save(two)
    assert info.value.has_error_label("TransientTransactionError")
    assert isinstance(info.value.__cause__, OperationFailure)
    second.abort()
    first.commit()


def test_commit_keeps_its_session_when_the_result_is_unknown(engine: SyncEngine) -> None:
    transaction = engine.transaction()
    transaction.start()
    transaction.save(Player(name="p"))
    failure = {"failCommands": ["commitTransaction"], "errorCode": 50}  # MaxTimeMSExpired
    with fail_point(engine, {"times": 1}, **failure):
        with pytest.raises(PyMongoError) as info:
            transaction.commit()
    assert info.value.has_error_label("UnknownTransactionCommitResult")
    assert transaction.is_started and transaction.session.is_started
    transaction.commit()
    assert not transaction.session.is_started
    assert engine.count(Player) == 1


def test_with_transaction_retries_an_unknown_commit(engine: SyncEngine) -> None:
    def create(transaction: SyncTransaction) -> str:
        transaction.save(Player(name="p"))
        return "done"

    failure = {"failCommands": ["commitTransaction"], "errorCode": 50}  # MaxTimeMSExpired
    with fail_point(engine, {"times": 2}, **failure):
        assert engine.with_transaction(create) == "done"
    assert engine.count(Player) == 1


def test_a_save_is_retried_past_a_stepping_down_primary(engine: SyncEngine) -> None:
    failure = {"failCommands": ["update", "insert"], "errorCode": 10107}
    with fail_point(engine, {"times": 3}, **failure):
        player = engine.save(Player(name="p"))
        engine.insert(Player(name="q"))
    player.level = 3
    with fail_point(engine, {"times": 3}, **failure):
        engine.save_all([player, Player(name="r")])
    assert sorted((p.name, p.level) for p in engine.find(Player)) == [
        ("p", 3),
        ("q", 0),
        ("r", 0),
    ]


def test_a_delete_applied_before_the_error_succeeds(engine: SyncEngine) -> None:
    player = engine.save(Player(name="p"))
    concern = {"code": 262, "errmsg": "exceeded time limit"}
    with fail_point(engine, {"times": 2}, failCommands=["delete"], writeConcernError=concern):
        engine.delete(player)
    assert engine.count(Player) == 0


def test_retries_can_be_switched_off(mongo_uri: str, database_name: str) -> None:
    engine = SyncEngine(client=MongoClient(mongo_uri), database=database_name, retry_writes_for=0)
    failure = {"failCommands": ["update"], "errorCode": 10107}
    with fail_point(engine, {"times": 2}, **failure):
        with pytest.raises(PyMongoError):
            engine.save(Player(name="p"))
    engine.close()


def test_a_retried_insert_does_not_take_another_document(engine: SyncEngine) -> None:
    engine.insert(Tagged(code="k", label="alice"))
    failure = {"failCommands": ["insert"], "errorCode": 10107}
    with fail_point(engine, {"times": 2}, **failure):
        with pytest.raises(DuplicateKeyError):
            engine.insert(Tagged(code="k", label="mallory"))
    raw = engine.get_collection(Tagged).find_one({"_id": "k"})
    assert raw is not None and raw["lbl"] == "alice"


def test_an_increment_is_never_applied_twice(
    engine: SyncEngine, mongo_uri: str, database_name: str
) -> None:
    client: MongoClient[Any] = MongoClient(mongo_uri, socketTimeoutMS=300)
    impatient = SyncEngine(client=client, database=database_name)
    counter = engine.save(Counter(name="c"))
    slow = {"failCommands": ["update"], "blockConnection": True, "blockTimeMS": 600}
    with fail_point(engine, {"times": 2}, **slow):
        with contextlib.suppress(PyMongoError):
            impatient.update_one(Counter, Counter.id == counter.id, update=inc(Counter.value, 1))
    time.sleep(1)
    stored = engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value <= 1
    impatient.close()


def test_an_increment_refused_by_a_secondary_is_sent_again(engine: SyncEngine) -> None:
    counter = engine.save(Counter(name="c"))
    refused = {"failCommands": ["update", "findAndModify"], "errorCode": 10107}
    with fail_point(engine, {"times": 2}, **refused):
        engine.update_one(Counter, Counter.id == counter.id, update=inc(Counter.value, 1))
        engine.find_one_and_update(Counter, Counter.id == counter.id, update=inc(Counter.value, 1))
    stored = engine.find_one(Counter, Counter.id == counter.id)
    assert stored is not None and stored.value == 2
