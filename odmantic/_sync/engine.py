# generated from odmantic/_async/engine.py by codegen; do not edit
"""`SyncEngine`: the entry point to MongoDB for models (find, count, save, delete, sessions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from odmantic._sync.client import close
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.reading import Reads
from odmantic._sync.session import (
    WITH_TRANSACTION_TIMEOUT,
    SyncSession,
    SyncTransaction,
)
from odmantic._sync.writing import Writes
from odmantic.model import Model

ModelT = TypeVar("ModelT", bound=Model)
T = TypeVar("T")


class SyncEngine(Reads, Writes):
    """Maps models to a MongoDB database through PyMongo's `MongoClient`.

    Example:
        engine = SyncEngine(client=MongoClient("mongodb://localhost:27017"), database="game")
        engine.save(Player(name="Leeroy"))
        top = engine.find(Player, Player.level > 10, sort=Player.level.desc())

    Args:
        client: the driver client; a local `MongoClient()` when None.
        database: the database name; names containing `/ \\ . " $` or a space are refused.
        retry_writes_for: seconds during which a write interrupted by a failover or a lost
            connection is sent again (0: never), when that is safe: `save`, `save_all`,
            `insert*` and `delete` are idempotent by primary key, and so is `update_many` of
            idempotent operators; `remove`, `update_one`, `find_one_and_update` and upserts are
            re-sent only when the error proves that they never ran. Writes inside a
            transaction are not retried one by one: use `with_transaction`.
    """

    def session(self) -> SyncSession:
        """A new session on this engine: start it, or use it as a context manager.

        Example:
            with engine.session() as session:
                session.save(Player(name="p"))
        """
        return SyncSession(self)

    def with_transaction(
        self,
        callback: Callable[[SyncTransaction], T],
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
            def transfer(transaction: SyncTransaction) -> None:
                account = transaction.find_one(Account, Account.id == account_id)
                account.balance -= 10
                transaction.save(account)

            engine.with_transaction(transfer)

        Returns:
            what `callback` returned.
        """
        return SyncTransaction.run(self, callback, timeout)

    def transaction(self) -> SyncTransaction:
        """A new transaction in its own session: start it, or use it as a context manager.

        Leaving `with engine.transaction()` normally commits; an exception aborts.

        Example:
            with engine.transaction() as transaction:
                transaction.save(Player(name="p"))
        """
        return SyncTransaction(self)

    def close(self) -> None:
        """Close the driver client.

        Example:
            engine.close()
        """
        close(self.client)


__all__ = ["SyncEngine", "SyncCursor"]
