# generated from odmantic/_async/session.py by codegen; do not edit
"""`SyncSession`: a MongoDB session ordering operations; the CRUD methods of the engine, bound to it."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from pymongo.synchronous.client_session import ClientSession

from odmantic._sync.client import start_session
from odmantic._sync.cursor import SyncCursor
from odmantic.model import Model
from odmantic.query import QueryExpression

if TYPE_CHECKING:
    from odmantic._sync.engine import SyncEngine
    from odmantic._sync.transaction import SyncTransaction

ModelT = TypeVar("ModelT", bound=Model)


class SyncSessionBase:
    """The engine's CRUD methods, run inside this session (no `session` argument)."""

    engine: SyncEngine

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session."""
        raise NotImplementedError

    def find(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
    ) -> SyncCursor[ModelT]:
        """Search for instances of `model` matching all `queries` (see `SyncEngine.find`)."""
        return self.engine.find(model, *queries, sort=sort, skip=skip, limit=limit, session=self)

    def find_one(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
    ) -> ModelT | None:
        """Return the first instance of `model` matching all `queries`, or None."""
        return self.engine.find_one(model, *queries, sort=sort, session=self)

    def count(self, model: type[ModelT], *queries: QueryExpression | dict[str, Any] | bool) -> int:
        """Return the number of documents of `model` matching all `queries`."""
        return self.engine.count(model, *queries, session=self)

    def save(self, instance: ModelT) -> ModelT:
        """Insert or update `instance` and what it references (see `SyncEngine.save`)."""
        return self.engine.save(instance, session=self)

    def save_all(self, instances: Sequence[ModelT]) -> list[ModelT]:
        """Insert or update all `instances` (see `SyncEngine.save_all`)."""
        return self.engine.save_all(instances, session=self)

    def delete(self, instance: ModelT) -> None:
        """Delete the document of `instance` (raises `DocumentNotFoundError` if absent)."""
        self.engine.delete(instance, session=self)

    def remove(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        just_one: bool = False,
    ) -> int:
        """Delete the documents of `model` matching all `queries`; return how many."""
        return self.engine.remove(model, *queries, just_one=just_one, session=self)


class SyncSession(SyncSessionBase):
    """A session object for ordering sequential operations.

    Sessions are created from the engine with `SyncEngine.session`.

    Example:
        with engine.session() as session:
            john = session.find_one(User, User.name == "John")
            john.name = "Doe"
            session.save(john)

    Raw usage: `session = engine.session()`, `session.start()`, ...,
    `session.end()`.
    """

    def __init__(self, engine: SyncEngine) -> None:
        self.engine = engine
        self.session: ClientSession | None = None

    @property
    def is_started(self) -> bool:
        """Whether the session is started and not ended."""
        return self.session is not None

    def start(self) -> None:
        """Start the logical session.

        Raises:
            RuntimeError: "Session is already started".
        """
        if self.session is not None:
            raise RuntimeError("Session is already started")
        self.session = start_session(self.engine.client)

    def end(self) -> None:
        """Finish the logical session.

        Raises:
            RuntimeError: "Session is not started".
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        session, self.session = self.session, None
        session.end_session()

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "Session is not started".
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        return self.session

    def transaction(self) -> SyncTransaction:
        """Create a transaction in this session."""
        from odmantic._sync.transaction import SyncTransaction

        return SyncTransaction(self)

    def __enter__(self) -> SyncSession:
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
