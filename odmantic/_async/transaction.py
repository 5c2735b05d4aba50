"""`AIOTransaction`: operations that are committed together or not at all."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from pymongo.asynchronous.client_session import AsyncClientSession

from odmantic._async.client import start_session, start_transaction
from odmantic._async.session import AIOSession, AIOSessionBase
from odmantic.model import Model

if TYPE_CHECKING:
    from odmantic._async.engine import AIOEngine


class AIOTransaction(AIOSessionBase):
    """A transaction object to aggregate sequential operations.

    Transactions are created from the engine with `AIOEngine.transaction` (in a session of
    their own), or in an existing session with `AIOSession.transaction`. Leaving the
    `async with` block without `commit()`, or by an exception, aborts the transaction.

    Example:
        async with engine.transaction() as transaction:
            john = await transaction.find_one(User, User.name == "John")
            john.name = "Doe"
            await transaction.save(john)
            await transaction.commit()

    Warning:
        MongoDB supports transactions on replica sets and sharded clusters only.
    """

    def __init__(self, context: AIOEngine | AIOSession) -> None:
        if isinstance(context, AIOSession):
            self.engine = context.engine
            self._parent: AIOSession | None = context
        else:
            self.engine = context
            self._parent = None
        self.session: AsyncClientSession | None = None
        self._own_session = False
        self._saved: list[tuple[Model, set[str] | None]] = []

    @property
    def is_started(self) -> bool:
        """Whether the transaction is started and neither committed nor aborted."""
        return self.session is not None

    async def start(self) -> None:
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
            session = await start_session(self.engine.client)
            self._own_session = True
        try:
            await start_transaction(session)
        except BaseException:
            await self._release(session)
            raise
        self.session = session

    async def commit(self) -> None:
        """Commit the changes and close the transaction.

        Raises:
            RuntimeError: "Transaction not started".
        """
        session = self.get_driver_session()
        try:
            await session.commit_transaction()
        except BaseException:
            self._restore_unsaved()
            raise
        finally:
            self.session = None
            await self._release(session)
        self._saved.clear()

    async def abort(self) -> None:
        """Discard the changes and drop the transaction.

        Raises:
            RuntimeError: "Transaction not started".
        """
        session = self.get_driver_session()
        try:
            await session.abort_transaction()
        finally:
            self.session = None
            self._restore_unsaved()
            await self._release(session)

    def _track_saves(self, instances: list[Model]) -> None:
        """Remember what `instances` had to save, to restore it if the transaction is aborted."""
        self._saved.extend((instance, instance.__modified__()) for instance in instances)

    def _restore_unsaved(self) -> None:
        for instance, before in reversed(self._saved):
            now = instance.__modified__()
            merged = None if before is None or now is None else before | now
            object.__setattr__(instance, "__fields_modified__", merged)
        self._saved.clear()

    async def _release(self, session: AsyncClientSession) -> None:
        if self._own_session:
            self._own_session = False
            await session.end_session()

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "Transaction not started".
        """
        if self.session is None:
            raise RuntimeError("Transaction not started")
        return self.session

    async def __aenter__(self) -> AIOTransaction:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.session is not None:
            await self.abort()
