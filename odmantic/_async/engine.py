"""`AIOEngine`: the entry point to MongoDB for models (find, count, save, delete, sessions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from odmantic._async.client import close
from odmantic._async.cursor import AIOCursor
from odmantic._async.reading import Reads
from odmantic._async.session import (
    WITH_TRANSACTION_TIMEOUT,
    AIOSession,
    AIOTransaction,
)
from odmantic._async.writing import Writes
from odmantic.model import Model

ModelT = TypeVar("ModelT", bound=Model)
T = TypeVar("T")


class AIOEngine(Reads, Writes):
    """Maps models to a MongoDB database through PyMongo's `AsyncMongoClient`.

    Example:
        engine = AIOEngine(client=AsyncMongoClient("mongodb://localhost:27017"), database="game")
        await engine.save(Player(name="Leeroy"))
        top = await engine.find(Player, Player.level > 10, sort=Player.level.desc())

    Args:
        client: the driver client; a local `AsyncMongoClient()` when None.
        database: the database name; names containing `/ \\ . " $` or a space are refused.
        retry_writes_for: seconds during which a write interrupted by a failover or a lost
            connection is sent again (0: never), when that is safe: `save`, `save_all`,
            `insert*` and `delete` are idempotent by primary key, and so is `update_many` of
            idempotent operators; `remove`, `update_one`, `find_one_and_update` and upserts are
            re-sent only when the error proves that they never ran. Writes inside a
            transaction are not retried one by one: use `with_transaction`.
    """

    def session(self) -> AIOSession:
        """A new session on this engine: start it, or use it as a context manager.

        Example:
            async with engine.session() as session:
                await session.save(Player(name="p"))
        """
        return AIOSession(self)

    async def with_transaction(
        self,
        callback: Callable[[AIOTransaction], Awaitable[T]],
        *,
        timeout: float = WITH_TRANSACTION_TIMEOUT,
    ) -> T:
        """Run `callback(transaction)` in a transaction (in a session of its own) and commit it.

        As PyMongo's `ClientSession.with_transaction`: the whole callback runs again after an
        error labelled `TransientTransactionError` (a write conflict, a failover), the commit
        alone after `UnknownTransactionCommitResult`, until `timeout` seconds have passed. The
        callback may run more than once: keep it to database work. If it commits or aborts
        the transaction itself, nothing more is done.

        Example:
            async def transfer(transaction: AIOTransaction) -> None:
                account = await transaction.find_one(Account, Account.id == account_id)
                account.balance -= 10
                await transaction.save(account)

            await engine.with_transaction(transfer)

        Returns:
            what `callback` returned.
        """
        return await AIOTransaction.run(self, callback, timeout)

    def transaction(self) -> AIOTransaction:
        """A new transaction in its own session: start it, or use it as a context manager.

        Leaving `async with engine.transaction()` normally commits; an exception aborts.

        Example:
            async with engine.transaction() as transaction:
                await transaction.save(Player(name="p"))
        """
        return AIOTransaction(self)

    async def close(self) -> None:
        """Close the driver client.

        Example:
            await engine.close()
        """
        await close(self.client)


__all__ = ["AIOEngine", "AIOCursor"]
