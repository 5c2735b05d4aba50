"""Sessions and transactions against the real replica set."""

from __future__ import annotations

from typing import Any

import pytest

from odmantic import AIOEngine
from odmantic.model import ModelT
from odmantic.query import Queries
from odmantic.session import AIOSession, AIOTransaction
from tests.models import Player


async def test_session_context_runs_crud(engine: AIOEngine) -> None:
    async with engine.session() as session:
        assert isinstance(session, AIOSession)
        assert session.is_started
        player = await session.save(Player(name="s", level=2))
        assert await session.count(Player) == 1
        assert await session.find_one(Player, Player.id == player.id) == player
        assert [p.name for p in await session.find(Player)] == ["s"]
        await session.save_all([Player(name="t")])
        assert await session.remove(Player, Player.name == "t") == 1
        await session.delete(player)
        assert session.get_driver_session() is not None
    assert not session.is_started
    assert await engine.count(Player) == 0


async def test_session_raw_usage_and_errors(engine: AIOEngine) -> None:
    session = engine.session()
    with pytest.raises(RuntimeError, match="session not started"):
        session.get_driver_session()
    with pytest.raises(RuntimeError, match="session not started"):
        await session.find_one(Player)
    with pytest.raises(RuntimeError, match="Session is not started"):
        await session.end()
    await session.start()
    with pytest.raises(RuntimeError, match="Session is already started"):
        await session.start()
    await session.save(Player(name="raw"))
    await session.end()
    assert await engine.count(Player) == 1
    with pytest.raises(RuntimeError, match="session not started"):
        await session.count(Player)


async def test_session_can_be_passed_to_engine_methods(engine: AIOEngine) -> None:
    async with engine.session() as session:
        await engine.save(Player(name="p"), session=session)
        assert await engine.count(Player, session=session) == 1
        assert await engine.count(Player, session=session.get_driver_session()) == 1


async def test_transaction_commit_makes_writes_visible(engine: AIOEngine) -> None:
    await engine.save(Player(name="seed"))
    async with engine.transaction() as transaction:
        assert isinstance(transaction, AIOTransaction)
        await transaction.save(Player(name="in-tx"))
        assert await transaction.count(Player) == 2
        assert await engine.count(Player) == 1
        await transaction.commit()
    assert await engine.count(Player) == 2


async def test_transaction_left_without_commit_is_committed(engine: AIOEngine) -> None:
    await engine.save(Player(name="seed"))
    async with engine.transaction() as transaction:
        assert isinstance(transaction.session, AIOSession)
        assert transaction.session.is_started
        await transaction.save(Player(name="kept"))
    assert not transaction.is_started
    assert not transaction.session.is_started
    assert sorted(p.name for p in await engine.find(Player)) == ["kept", "seed"]


async def test_transaction_aborted_in_the_block_is_not_committed(engine: AIOEngine) -> None:
    async with engine.transaction() as transaction:
        await transaction.save(Player(name="dropped"))
        await transaction.abort()
    assert await engine.count(Player) == 0


async def test_transaction_aborted_by_exception(engine: AIOEngine) -> None:
    await engine.save(Player(name="seed"))
    with pytest.raises(ZeroDivisionError):
        async with engine.transaction() as transaction:
            await transaction.save(Player(name="lost"))
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]
    assert await engine.count(Player, Player.name == "lost") == 0


async def test_transaction_raw_usage_and_errors(engine: AIOEngine) -> None:
    await engine.save(Player(name="seed"))
    transaction = engine.transaction()
    with pytest.raises(RuntimeError, match="Transaction not started"):
        await transaction.commit()
    with pytest.raises(RuntimeError, match="Transaction not started"):
        await transaction.abort()
    await transaction.start()
    with pytest.raises(RuntimeError, match="Transaction already started"):
        await transaction.start()
    await transaction.save(Player(name="aborted"))
    await transaction.abort()
    assert await engine.count(Player) == 1
    await transaction.start()
    await transaction.remove(Player)
    await transaction.commit()
    assert await engine.count(Player) == 0


async def test_transaction_inside_a_session(engine: AIOEngine) -> None:
    await engine.save(Player(name="seed"))
    async with engine.session() as session:
        async with session.transaction() as transaction:
            await transaction.save(Player(name="kept"))
            await transaction.commit()
        async with session.transaction() as transaction:
            await transaction.save(Player(name="dropped"))
            await transaction.abort()
        assert session.is_started
    assert sorted(p.name for p in await engine.find(Player)) == ["kept", "seed"]


async def test_transaction_from_unstarted_session_is_refused(engine: AIOEngine) -> None:
    session = engine.session()
    with pytest.raises(RuntimeError, match="provided session is not started"):
        session.transaction()
    with pytest.raises(RuntimeError, match="provided session is not started"):
        AIOTransaction(session)


async def test_transaction_operations_need_a_started_transaction(engine: AIOEngine) -> None:
    transaction = engine.transaction()
    with pytest.raises(RuntimeError, match="transaction not started"):
        await transaction.find_one(Player)
    await transaction.start()
    await transaction.commit()
    with pytest.raises(RuntimeError, match="transaction not started"):
        await transaction.save(Player(name="late"))
    await transaction.start()  # a transaction of the engine can run again, in a new session
    await transaction.save(Player(name="again"))
    await transaction.commit()
    assert await engine.count(Player) == 1


async def test_transaction_in_a_session_keeps_the_session(engine: AIOEngine) -> None:
    async with engine.session() as session:
        transaction = AIOTransaction(session)
        await transaction.start()
        await transaction.save(Player(name="in"))
        await transaction.commit()
        assert session.is_started
        assert await session.count(Player) == 1


async def test_aborted_transaction_leaves_instances_to_save(engine: AIOEngine) -> None:
    player = Player(name="retry")
    with pytest.raises(ZeroDivisionError):
        async with engine.transaction() as transaction:
            await transaction.save(player)
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]
    assert player.__odmantic_fields_to_save__() is None
    await engine.save(player)
    assert await engine.count(Player, Player.name == "retry") == 1


async def test_aborted_transaction_restores_modified_fields(engine: AIOEngine) -> None:
    player = await engine.save(Player(name="p", level=1))
    transaction = engine.transaction()
    await transaction.start()
    player.level = 2
    await transaction.save(player)
    player.name = "renamed"
    await transaction.abort()
    assert player.__odmantic_fields_to_save__() is not None
    assert {"level", "name"} <= set(player.__odmantic_fields_to_save__() or ())
    await engine.save(player)
    stored = await engine.find_one(Player, Player.id == player.id)
    assert stored is not None and (stored.name, stored.level) == ("renamed", 2)


async def test_committed_transaction_marks_instances_saved(engine: AIOEngine) -> None:
    player = Player(name="c")
    async with engine.transaction() as transaction:
        await transaction.save(player)
        await transaction.commit()
    assert player.__odmantic_fields_to_save__() == {"tags", "address"}


async def test_a_session_operation_refuses_another_session(engine: AIOEngine) -> None:
    async with engine.session() as session, engine.session() as other:
        with pytest.raises(TypeError, match=r"AIOSession.count\(\) runs in its own session"):
            await session.count(Player, session=other)


async def test_a_session_runs_an_engine_subclass_override(engine: AIOEngine) -> None:
    seen: list[str] = []

    class CountingEngine(AIOEngine):
        async def count(self, model: type[ModelT], *queries: Queries, session: Any = None) -> int:
            seen.append(model.__name__)
            return await super().count(model, *queries, session=session)

    counting = CountingEngine(engine.client, engine.database_name)
    async with counting.session() as session:
        assert await session.count(Player) == 0
    assert seen == ["Player"]


async def test_a_transaction_gives_the_engines_collections(engine: AIOEngine) -> None:
    async with engine.transaction() as transaction:
        collection = transaction.get_collection(Player)
        await collection.insert_one({"name": "raw"}, session=transaction.get_driver_session())
        await transaction.abort()
    assert collection is engine.get_collection(Player) and await engine.count(Player) == 0
