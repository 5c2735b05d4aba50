# generated from odmantic/_async/session.py by codegen; do not edit
"""The lifecycle of sessions and transactions: start, end, commit, abort, and the retries of
`with_transaction`. The public `SyncSession` and `SyncTransaction` (in `engine.py`) add the
engine's operations to these."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from pymongo.errors import PyMongoError
from pymongo.synchronous.client_session import ClientSession
from typing_extensions import Self

from odmantic._internal.hooks import Hook
from odmantic._internal.transactions import (
    WITH_TRANSACTION_TIMEOUT,
    Next,
    UnsavedChanges,
    after_callback_error,
    after_commit_error,
)
from odmantic._sync.adapter import DriverClient, start_session, start_transaction
from odmantic._sync.hooks import run_all
from odmantic.exceptions import has_error_label
from odmantic.model import Model

T = TypeVar("T")


class SessionScope:
    """What the engine asks of a session or a transaction it runs an operation in."""

    def get_driver_session(self) -> ClientSession:
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
        self.session: ClientSession | None = None

    @property
    def is_started(self) -> bool:
        """Whether the session is started and not ended.

        Example:
            ```python
            session = engine.session()
            session.start()
            assert session.is_started
            ```
        """
        return self.session is not None

    def start(self) -> None:
        """Start the logical session.

        Raises:
            RuntimeError: "Session is already started".

        Example:
            ```python
            session = engine.session()
            session.start()  # `with engine.session()` starts and ends it
            ```
        """
        if self.session is not None:
            raise RuntimeError("Session is already started")
        self.session = start_session(self._client)

    def end(self) -> None:
        """Finish the logical session.

        Raises:
            RuntimeError: "Session is not started".

        Example:
            ```python
            try:
                session.save(player)
            finally:
                session.end()
            ```
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        session, self.session = self.session, None
        session.end_session()

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "session not started" (before `start()` or after `end()`).

        Example:
            ```python
            with engine.session() as session:
                collection = engine.get_collection(Player)
                collection.insert_one({"name": "raw"}, session=session.get_driver_session())
            ```
        """
        if self.session is None:
            raise RuntimeError(
                "session not started: start it first (`session.start()` or "
                "`with engine.session() as session`)"
            )
        return self.session

    def __enter__(self) -> Self:
        """Start, and return this object; leaving the block ends (or commits, or aborts) it.

        Example:
            ```python
            with engine.session() as session:
                session.save(player)
            ```
        """
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.session is not None:
            self.end()


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
            with engine.transaction() as transaction:
                transaction.commit()
                assert not transaction.is_started
            ```
        """
        return self._in_transaction

    def start(self) -> None:
        """Initiate the transaction (and its own session, when created from the engine).

        Raises:
            RuntimeError: "Transaction already started", or "session not started" when the
                session it was created in has ended.

        Example:
            ```python
            transaction = engine.transaction()
            transaction.start()
            transaction.save(player)
            transaction.commit()
            ```
        """
        if self._in_transaction:
            raise RuntimeError("Transaction already started")
        if self._own_session and not self.session.is_started:
            self.session.start()
        try:
            start_transaction(self.session.get_driver_session())
        except BaseException:
            self._release()
            raise
        self._in_transaction = True

    def commit(self) -> None:
        """Commit the changes and close the transaction (and end its own session).

        When the commit fails, the session is kept: after an error labelled
        `UnknownTransactionCommitResult` the transaction is still open and `commit()` can be
        called again; after any other error it is over, and `start()` begins a new one in the
        same session. `with_transaction` does both retries for you.

        Raises:
            RuntimeError: "Transaction not started".

        Example:
            ```python
            with engine.transaction() as transaction:
                transaction.save(player)
                transaction.commit()  # leaving the block would commit too
            ```
        """
        session = self._driver_session_to_end()
        self._commit_attempted = True
        try:
            session.commit_transaction()
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
        self._release()
        after, self._after_commit = self._after_commit, []
        run_all(after)  # the after_* hooks of what it wrote, now that it is written

    def abort(self) -> None:
        """Discard the changes and drop the transaction (and end its own session).

        What the transaction saved is to save again on the instances.

        Raises:
            RuntimeError: "Transaction not started".

        Example:
            ```python
            with engine.transaction() as transaction:
                transaction.save(player)
                if player.level > 99:
                    transaction.abort()  # nothing is written
            ```
        """
        session = self._driver_session_to_end()
        try:
            session.abort_transaction()
        finally:
            self._in_transaction = False
            self._restore_unsaved()
            self._release()

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

    def _driver_session_to_end(self) -> ClientSession:
        if not self._in_transaction:
            raise RuntimeError("Transaction not started")
        return self.session.get_driver_session()

    def _release(self) -> None:
        if self._own_session and self.session.is_started:
            self.session.end()

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "transaction not started".

        Example:
            ```python
            with engine.transaction() as transaction:
                driver_session = transaction.get_driver_session()
                engine.get_collection(Player).delete_many({}, session=driver_session)
            ```
        """
        if not self._in_transaction:
            raise RuntimeError(
                "transaction not started: start it first (`transaction.start()` or "
                "`with engine.transaction() as transaction`)"
            )
        return self.session.get_driver_session()

    def __enter__(self) -> Self:
        """Start, and return this object; leaving the block ends (or commits, or aborts) it.

        Example:
            ```python
            with engine.session() as session:
                session.save(player)
            ```
        """
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._in_transaction and exc_type is None:
                try:
                    self.commit()
                except BaseException:
                    self._give_up()  # its session ends below: the commit cannot be sent again
                    raise
            elif self._in_transaction:
                with contextlib.suppress(PyMongoError):  # the block's own error matters
                    self.abort()
        finally:
            self._release()

    @classmethod
    def _run(
        cls,
        context: Any,
        callback: Callable[[Self], T],
        timeout: float = WITH_TRANSACTION_TIMEOUT,
    ) -> T:
        """Run `callback(transaction)` in a transaction built on `context` and commit it,
        retrying as PyMongo's `with_transaction` does (see `SyncEngine.with_transaction`)."""
        deadline = time.monotonic() + timeout
        while True:
            transaction = cls(context)
            transaction.start()
            try:
                result = callback(transaction)
            except BaseException as exc:
                if transaction.is_started:
                    with contextlib.suppress(PyMongoError):
                        transaction.abort()
                transaction._release()
                if after_callback_error(exc, time.monotonic(), deadline) is Next.RUN_AGAIN:
                    continue
                raise
            if transaction._commit_with_retries(deadline):
                return result

    def _commit_with_retries(self, deadline: float) -> bool:
        """Commit (if the callback did not end the transaction); False: run it all again."""
        try:
            while self._in_transaction:
                try:
                    self.commit()
                except PyMongoError as exc:
                    then = after_commit_error(exc, time.monotonic(), deadline)
                    if then is Next.RAISE:
                        self._give_up()
                        raise
                    if then is Next.RUN_AGAIN:
                        return False
            return True
        finally:
            self._release()
