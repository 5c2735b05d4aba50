"""The lifecycle of sessions and transactions: start, end, commit, abort, and the retries of
`with_transaction`. The public `AIOSession` and `AIOTransaction` (in `engine.py`) add the
engine's operations to these."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError
from typing_extensions import Self

from odmantic._async.adapter import DriverClient, start_session, start_transaction
from odmantic._async.hooks import run_all
from odmantic._internal.hooks import Hook
from odmantic._internal.transactions import (
    WITH_TRANSACTION_TIMEOUT,
    Next,
    UnsavedChanges,
    after_callback_error,
    after_commit_error,
)
from odmantic.exceptions import has_error_label
from odmantic.model import Model

T = TypeVar("T")


class SessionScope:
    """What the engine asks of a session or a transaction it runs an operation in."""

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session."""
        raise NotImplementedError

    def _track_saves(self, instances: Sequence[Model]) -> None:
        """Called by the engine before it saves `instances` in this scope.

        A plain session does nothing; a transaction remembers what the instances had to save,
        to put it back if the transaction is aborted.
        """


class SessionLifecycle(SessionScope):
    """A driver session: started, then ended."""

    def __init__(self, client: DriverClient) -> None:
        self._client = client
        self.session: AsyncClientSession | None = None

    @property
    def is_started(self) -> bool:
        """Whether the session is started and not ended.

        Example:
            ```python
            session = engine.session()
            await session.start()
            assert session.is_started
            ```
        """
        return self.session is not None

    async def start(self) -> None:
        """Start the logical session.

        Raises:
            RuntimeError: "Session is already started".

        Example:
            ```python
            session = engine.session()
            await session.start()  # `async with engine.session()` starts and ends it
            ```
        """
        if self.session is not None:
            raise RuntimeError("Session is already started")
        self.session = await start_session(self._client)

    async def end(self) -> None:
        """Finish the logical session.

        Raises:
            RuntimeError: "Session is not started".

        Example:
            ```python
            try:
                await session.save(player)
            finally:
                await session.end()
            ```
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        session, self.session = self.session, None
        await session.end_session()

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "session not started" (before `start()` or after `end()`).

        Example:
            ```python
            async with engine.session() as session:
                collection = engine.get_collection(Player)
                await collection.insert_one({"name": "raw"}, session=session.get_driver_session())
            ```
        """
        if self.session is None:
            raise RuntimeError(
                "session not started: start it first (`await session.start()` or "
                "`async with engine.session() as session`)"
            )
        return self.session

    async def __aenter__(self) -> Self:
        """Start, and return this object; leaving the block ends (or commits, or aborts) it.

        Example:
            ```python
            async with engine.session() as session:
                await session.save(player)
            ```
        """
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.session is not None:
            await self.end()


class TransactionLifecycle(SessionScope):
    """A transaction in a session (its own, or a started one): started, then committed or
    aborted; what it saved is put back on the instances when it is aborted."""

    def __init__(self, context: Any) -> None:
        self.session, self._own_session = self._session_for(context)
        self._in_transaction = False
        self._commit_attempted = False
        self._unsaved = UnsavedChanges()
        self._after_commit: list[tuple[Any, tuple[Hook, ...]]] = []

    @classmethod
    def _session_for(cls, context: Any) -> tuple[SessionLifecycle, bool]:
        """The session the transaction runs in, and whether it is its own (ended with it)."""
        raise NotImplementedError

    @property
    def is_started(self) -> bool:
        """Whether the transaction is started and neither committed nor aborted.

        Example:
            ```python
            async with engine.transaction() as transaction:
                await transaction.commit()
                assert not transaction.is_started
            ```
        """
        return self._in_transaction

    async def start(self) -> None:
        """Initiate the transaction (and its own session, when created from the engine).

        Raises:
            RuntimeError: "Transaction already started", or "session not started" when the
                session it was created in has ended.

        Example:
            ```python
            transaction = engine.transaction()
            await transaction.start()
            await transaction.save(player)
            await transaction.commit()
            ```
        """
        if self._in_transaction:
            raise RuntimeError("Transaction already started")
        if self._own_session and not self.session.is_started:
            await self.session.start()
        try:
            await start_transaction(self.session.get_driver_session())
        except BaseException:
            await self._release()
            raise
        self._in_transaction = True

    async def commit(self) -> None:
        """Commit the changes and close the transaction (and end its own session).

        When the commit fails, the session is kept: after an error labelled
        `UnknownTransactionCommitResult` the transaction is still open and `commit()` can be
        called again; after any other error it is over, and `start()` begins a new one in the
        same session. `with_transaction` does both retries for you.

        Raises:
            RuntimeError: "Transaction not started".

        Example:
            ```python
            async with engine.transaction() as transaction:
                await transaction.save(player)
                await transaction.commit()  # leaving the block would commit too
            ```
        """
        session = self._driver_session_to_end()
        self._commit_attempted = True
        try:
            await session.commit_transaction()
        except BaseException as exc:
            if not has_error_label(exc, "UnknownTransactionCommitResult"):
                # Refused for sure: nothing was written, what was saved is to save again.
                self._commit_attempted = False
                self._in_transaction = False
                self._restore_unsaved()
            raise
        self._in_transaction = False
        self._commit_attempted = False
        self._unsaved.forget()
        await self._release()
        after, self._after_commit = self._after_commit, []
        await run_all(after)  # the after_* hooks of what it wrote, now that it is written

    async def abort(self) -> None:
        """Discard the changes and drop the transaction (and end its own session).

        What the transaction saved is to save again on the instances.

        Raises:
            RuntimeError: "Transaction not started".

        Example:
            ```python
            async with engine.transaction() as transaction:
                await transaction.save(player)
                if player.level > 99:
                    await transaction.abort()  # nothing is written
            ```
        """
        session = self._driver_session_to_end()
        try:
            await session.abort_transaction()
        finally:
            self._in_transaction = False
            self._restore_unsaved()
            await self._release()

    def _track_saves(self, instances: Sequence[Model]) -> None:
        """Remember what `instances` had to save, to put it back if the transaction is aborted."""
        self._unsaved.track(instances)

    def _defer_after_commit(self, pairs: Sequence[tuple[Any, tuple[Hook, ...]]]) -> None:
        """Keep `after_*` hooks (instances with their hooks) to run once this commits."""
        self._after_commit.extend(pairs)

    def _give_up(self) -> None:
        """The commit's outcome stays unknown and will not be retried: the transaction is over,
        and its instances write themselves whole on their next save."""
        if self._in_transaction:
            self._in_transaction = False
            self._restore_unsaved()

    def _restore_unsaved(self) -> None:
        self._after_commit = []  # what they followed is not written
        self._unsaved.restore(self._commit_attempted)
        self._commit_attempted = False

    def _driver_session_to_end(self) -> AsyncClientSession:
        if not self._in_transaction:
            raise RuntimeError("Transaction not started")
        return self.session.get_driver_session()

    async def _release(self) -> None:
        if self._own_session and self.session.is_started:
            await self.session.end()

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "transaction not started".

        Example:
            ```python
            async with engine.transaction() as transaction:
                driver_session = transaction.get_driver_session()
                await engine.get_collection(Player).delete_many({}, session=driver_session)
            ```
        """
        if not self._in_transaction:
            raise RuntimeError(
                "transaction not started: start it first (`await transaction.start()` or "
                "`async with engine.transaction() as transaction`)"
            )
        return self.session.get_driver_session()

    async def __aenter__(self) -> Self:
        """Start, and return this object; leaving the block ends (or commits, or aborts) it.

        Example:
            ```python
            async with engine.session() as session:
                await session.save(player)
            ```
        """
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._in_transaction and exc_type is None:
                try:
                    await self.commit()
                except BaseException:
                    self._give_up()  # its session ends below: the commit cannot be sent again
                    raise
            elif self._in_transaction:
                with contextlib.suppress(PyMongoError):  # the block's own error matters
                    await self.abort()
        finally:
            await self._release()

    @classmethod
    async def _run(
        cls,
        context: Any,
        callback: Callable[[Self], Awaitable[T]],
        timeout: float = WITH_TRANSACTION_TIMEOUT,
    ) -> T:
        """Run `callback(transaction)` in a transaction built on `context` and commit it,
        retrying as PyMongo's `with_transaction` does (see `AIOEngine.with_transaction`)."""
        deadline = time.monotonic() + timeout
        while True:
            transaction = cls(context)
            await transaction.start()
            try:
                result = await callback(transaction)
            except BaseException as exc:
                if transaction.is_started:
                    with contextlib.suppress(PyMongoError):
                        await transaction.abort()
                await transaction._release()
                if after_callback_error(exc, time.monotonic(), deadline) is Next.RUN_AGAIN:
                    continue
                raise
            if await transaction._commit_with_retries(deadline):
                return result

    async def _commit_with_retries(self, deadline: float) -> bool:
        """Commit (if the callback did not end the transaction); False: run it all again."""
        try:
            while self._in_transaction:
                try:
                    await self.commit()
                except PyMongoError as exc:
                    then = after_commit_error(exc, time.monotonic(), deadline)
                    if then is Next.RAISE:
                        self._give_up()
                        raise
                    if then is Next.RUN_AGAIN:
                        return False
            return True
        finally:
            await self._release()
