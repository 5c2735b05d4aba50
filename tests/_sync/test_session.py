# generated from tests/_async/test_session.py by codegen; do not edit
"""Sessions and transactions against the real replica set."""

from __future__ import annotations

from typing import Any

import pytest

from odmantic import SyncEngine
from odmantic.model import ModelT
from odmantic.query import Queries
from odmantic.session import SyncSession, SyncTransaction
from tests.models import Player


def test_session_context_runs_crud(engine: SyncEngine) -> None:
    with engine.session() as session:
        assert isinstance(session, SyncSession)
        assert session.is_started
        player = session.save(Player(name="s", level=2))
        assert session.count(Player) == 1
        assert session.find_one(Player, Player.id == player.id) == player
        assert [p.name for p in session.find(Player)] == ["s"]
        session.save_all([Player(name="t")])
        assert session.remove(Player, Player.name == "t") == 1
        session.delete(player)
        assert session.get_driver_session() is not None
    assert not session.is_started
    assert engine.count(Player) == 0


def test_session_raw_usage_and_errors(engine: SyncEngine) -> None:
    session = engine.session()
    with pytest.raises(RuntimeError, match="session not started"):
        session.get_driver_session()
    with pytest.raises(RuntimeError, match="session not started"):
        session.find_one(Player)
    with pytest.raises(RuntimeError, match="Session is not started"):
        session.end()
    session.start()
    with pytest.raises(RuntimeError, match="Session is already started"):
        session.start()
    session.save(Player(name="raw"))
    session.end()
    assert engine.count(Player) == 1
    with pytest.raises(RuntimeError, match="session not started"):
        session.count(Player)


def test_session_can_be_passed_to_engine_methods(engine: SyncEngine) -> None:
    with engine.session() as session:
        engine.save(Player(name="p"), session=session)
        assert engine.count(Player, session=session) == 1
        assert engine.count(Player, session=session.get_driver_session()) == 1


def test_transaction_commit_makes_writes_visible(engine: SyncEngine) -> None:
    engine.save(Player(name="seed"))
    with engine.transaction() as transaction:
        assert isinstance(transaction, SyncTransaction)
        transaction.save(Player(name="in-tx"))
        assert transaction.count(Player) == 2
        assert engine.count(Player) == 1
        transaction.commit()
    assert engine.count(Player) == 2


def test_transaction_left_without_commit_is_committed(engine: SyncEngine) -> None:
    engine.save(Player(name="seed"))
    with engine.transaction() as transaction:
        assert isinstance(transaction.session, SyncSession)
        assert transaction.session.is_started
        transaction.save(Player(name="kept"))
    assert not transaction.is_started
    assert not transaction.session.is_started
    assert sorted(p.name for p in engine.find(Player)) == ["kept", "seed"]


def test_transaction_aborted_in_the_block_is_not_committed(engine: SyncEngine) -> None:
    with engine.transaction() as transaction:
        transaction.save(Player(name="dropped"))
        transaction.abort()
    assert engine.count(Player) == 0


def test_transaction_aborted_by_exception(engine: SyncEngine) -> None:
    engine.save(Player(name="seed"))
    with pytest.raises(ZeroDivisionError):
        with engine.transaction() as transaction:
            transaction.save(Player(name="lost"))
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]
    assert engine.count(Player, Player.name == "lost") == 0


def test_transaction_raw_usage_and_errors(engine: SyncEngine) -> None:
    engine.save(Player(name="seed"))
    transaction = engine.transaction()
    with pytest.raises(RuntimeError, match="Transaction not started"):
        transaction.commit()
    with pytest.raises(RuntimeError, match="Transaction not started"):
        transaction.abort()
    transaction.start()
    with pytest.raises(RuntimeError, match="Transaction already started"):
        transaction.start()
    transaction.save(Player(name="aborted"))
    transaction.abort()
    assert engine.count(Player) == 1
    transaction.start()
    transaction.remove(Player)
    transaction.commit()
    assert engine.count(Player) == 0


def test_transaction_inside_a_session(engine: SyncEngine) -> None:
    engine.save(Player(name="seed"))
    with engine.session() as session:
        with session.transaction() as transaction:
            transaction.save(Player(name="kept"))
            transaction.commit()
        with session.transaction() as transaction:
            transaction.save(Player(name="dropped"))
            transaction.abort()
        assert session.is_started
    assert sorted(p.name for p in engine.find(Player)) == ["kept", "seed"]


def test_transaction_from_unstarted_session_is_refused(engine: SyncEngine) -> None:
    session = engine.session()
    with pytest.raises(RuntimeError, match="provided session is not started"):
        session.transaction()
    with pytest.raises(RuntimeError, match="provided session is not started"):
        SyncTransaction(session)


def test_transaction_operations_need_a_started_transaction(engine: SyncEngine) -> None:
    transaction = engine.transaction()
    with pytest.raises(RuntimeError, match="transaction not started"):
        transaction.find_one(Player)
    transaction.start()
    transaction.commit()
    with pytest.raises(RuntimeError, match="transaction not started"):
        transaction.save(Player(name="late"))
    transaction.start()  # a transaction of the engine can run again, in a new session
    transaction.save(Player(name="again"))
    transaction.commit()
    assert engine.count(Player) == 1


def test_transaction_in_a_session_keeps_the_session(engine: SyncEngine) -> None:
    with engine.session() as session:
        transaction = SyncTransaction(session)
        transaction.start()
        transaction.save(Player(name="in"))
        transaction.commit()
        assert session.is_started
        assert session.count(Player) == 1


def test_aborted_transaction_leaves_instances_to_save(engine: SyncEngine) -> None:
    player = Player(name="retry")
    with pytest.raises(ZeroDivisionError):
        with engine.transaction() as transaction:
            transaction.save(player)
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]
    assert player.__odmantic_fields_to_save__() is None
    engine.save(player)
    assert engine.count(Player, Player.name == "retry") == 1


def test_aborted_transaction_restores_modified_fields(engine: SyncEngine) -> None:
    player = engine.save(Player(name="p", level=1))
    transaction = engine.transaction()
    transaction.start()
    player.level = 2
    transaction.save(player)
    player.name = "renamed"
    transaction.abort()
    assert player.__odmantic_fields_to_save__() is not None
    assert {"level", "name"} <= set(player.__odmantic_fields_to_save__() or ())
    engine.save(player)
    stored = engine.find_one(Player, Player.id == player.id)
    assert stored is not None and (stored.name, stored.level) == ("renamed", 2)


def test_committed_transaction_marks_instances_saved(engine: SyncEngine) -> None:
    player = Player(name="c")
    with engine.transaction() as transaction:
        transaction.save(player)
        transaction.commit()
    assert player.__odmantic_fields_to_save__() == {"tags", "address"}


def test_a_session_operation_refuses_another_session(engine: SyncEngine) -> None:
    with engine.session() as session, engine.session() as other:
        with pytest.raises(TypeError, match=r"SyncSession.count\(\) runs in its own session"):
            session.count(Player, session=other)


def test_a_session_runs_an_engine_subclass_override(engine: SyncEngine) -> None:
    seen: list[str] = []

    class CountingEngine(SyncEngine):
        def count(self, model: type[ModelT], *queries: Queries, session: Any = None) -> int:
            seen.append(model.__name__)
            return super().count(model, *queries, session=session)

    counting = CountingEngine(engine.client, engine.database_name)
    with counting.session() as session:
        assert session.count(Player) == 0
    assert seen == ["Player"]


def test_a_transaction_gives_the_engines_collections(engine: SyncEngine) -> None:
    with engine.transaction() as transaction:
        collection = transaction.get_collection(Player)
        collection.insert_one({"name": "raw"}, session=transaction.get_driver_session())
        transaction.abort()
    assert collection is engine.get_collection(Player) and engine.count(Player) == 0
