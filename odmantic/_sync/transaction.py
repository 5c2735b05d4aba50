# generated from odmantic/_async/transaction.py by codegen; do not edit
"""`SyncTransaction`: operations that are committed together or not at all."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from pymongo.synchronous.client_session import ClientSession

from odmantic._sync.client import start_session, start_transaction
from odmantic._sync.session import SyncSession, SyncSessionBase
from odmantic.model import Model

if TYPE_CHECKING:
    from odmantic._sync.engine import SyncEngine


class SyncTransaction(SyncSessionBase):
    """A transaction object to aggregate sequential operations.

    Transactions are created from the engine with `SyncEngine.transaction` (in a session of
    their own), or in an existing session with `SyncSession.transaction`. Leaving the
    `with` block without `commit()`, or by an exception, aborts the transaction.

    Example:
        with engine.transaction() as transaction:
            john = transaction.find_one(User, User.name == "John")
            john.name = "Doe"
            transaction.save(john)
            transaction.commit()

    Warning:
        MongoDB supports transactions on replica sets and sharded clusters only.
    """

    def __init__(self, context: SyncEngine | SyncSession) -> None:
        if isinstance(context, SyncSession):
            self.engine = context.engine
            self._parent: SyncSession | None = context
        else:
            self.engine = context
            self._parent = None
        self.session: ClientSession | None = None
        self._own_session = False
        self._saved: list[tuple[Model, set[str] | None]] = []

    @property
    def is_started(self) -> bool:
        """Whether the transaction is started and neither committed nor aborted."""
        return self.session is not None

    def start(self) -> None:
        """Initiate the transaction.

        Raises:
            RuntimeError: "Transaction already started", or "Session is not started" when
                created from a session that is not started.
        """
        if self.session is not None:
            raise RuntimeError("Transaction already started")
        if self._parent is not None:
            session = self._parent.get_driver_session()
        else:
            session = start_session(self.engine.client)
            self._own_session = True
        try:
            start_transaction(session)
        except BaseException:
            self._release(session)
            raise
        self.session = session

    def commit(self) -> None:
        """Commit the changes and close the transaction.

        Raises:
            RuntimeError: "Transaction not started".
        """
        session = self.get_driver_session()
        try:
            session.commit_transaction()
        except BaseException:
            self._restore_unsaved()
            raise
        finally:
            self.session = None
            self._release(session)
        self._saved.clear()

    def abort(self) -> None:
        """Discard the changes and drop the transaction.

        Raises:
            RuntimeError: "Transaction not started".
        """
        session = self.get_driver_session()
        try:
            session.abort_transaction()
        finally:
            self.session = None
            self._restore_unsaved()
            self._release(session)

    def _track_saves(self, instances: list[Model]) -> None:
        """Remember what `instances` had to save, to restore it if the transaction is aborted."""
        self._saved.extend((instance, instance.__modified__()) for instance in instances)

    def _restore_unsaved(self) -> None:
        for instance, before in reversed(self._saved):
            now = instance.__modified__()
            merged = None if before is None or now is None else before | now
            object.__setattr__(instance, "__fields_modified__", merged)
        self._saved.clear()

    def _release(self, session: ClientSession) -> None:
        if self._own_session:
            self._own_session = False
            session.end_session()

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "Transaction not started".
        """
        if self.session is None:
            raise RuntimeError("Transaction not started")
        return self.session

    def __enter__(self) -> SyncTransaction:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.session is not None:
            self.abort()
