"""`AIOSession`: a MongoDB session ordering operations; the CRUD methods of the engine, bound to it."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession

from odmantic._async.client import start_session
from odmantic._async.cursor import AIOCursor
from odmantic.model import Model
from odmantic.query import QueryExpression

if TYPE_CHECKING:
    from odmantic._async.engine import AIOEngine
    from odmantic._async.transaction import AIOTransaction

ModelT = TypeVar("ModelT", bound=Model)


class AIOSessionBase:
    """The engine's CRUD methods, run inside this session (no `session` argument)."""

    engine: AIOEngine

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session."""
        raise NotImplementedError

    def find(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
    ) -> AIOCursor[ModelT]:
        """Search for instances of `model` matching all `queries` (see `AIOEngine.find`)."""
        return self.engine.find(model, *queries, sort=sort, skip=skip, limit=limit, session=self)

    async def find_one(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
    ) -> ModelT | None:
        """Return the first instance of `model` matching all `queries`, or None."""
        return await self.engine.find_one(model, *queries, sort=sort, session=self)

    async def count(
        self, model: type[ModelT], *queries: QueryExpression | dict[str, Any] | bool
    ) -> int:
        """Return the number of documents of `model` matching all `queries`."""
        return await self.engine.count(model, *queries, session=self)

    async def save(self, instance: ModelT) -> ModelT:
        """Insert or update `instance` and what it references (see `AIOEngine.save`)."""
        return await self.engine.save(instance, session=self)

    async def save_all(self, instances: Sequence[ModelT]) -> list[ModelT]:
        """Insert or update all `instances` (see `AIOEngine.save_all`)."""
        return await self.engine.save_all(instances, session=self)

    async def delete(self, instance: ModelT) -> None:
        """Delete the document of `instance` (raises `DocumentNotFoundError` if absent)."""
        await self.engine.delete(instance, session=self)

    async def remove(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        just_one: bool = False,
    ) -> int:
        """Delete the documents of `model` matching all `queries`; return how many."""
        return await self.engine.remove(model, *queries, just_one=just_one, session=self)


class AIOSession(AIOSessionBase):
    """A session object for ordering sequential operations.

    Sessions are created from the engine with `AIOEngine.session`.

    Example:
        async with engine.session() as session:
            john = await session.find_one(User, User.name == "John")
            john.name = "Doe"
            await session.save(john)

    Raw usage: `session = engine.session()`, `await session.start()`, ...,
    `await session.end()`.
    """

    def __init__(self, engine: AIOEngine) -> None:
        self.engine = engine
        self.session: AsyncClientSession | None = None

    @property
    def is_started(self) -> bool:
        """Whether the session is started and not ended."""
        return self.session is not None

    async def start(self) -> None:
        """Start the logical session.

        Raises:
            RuntimeError: "Session is already started".
        """
        if self.session is not None:
            raise RuntimeError("Session is already started")
        self.session = await start_session(self.engine.client)

    async def end(self) -> None:
        """Finish the logical session.

        Raises:
            RuntimeError: "Session is not started".
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        session, self.session = self.session, None
        await session.end_session()

    def get_driver_session(self) -> AsyncClientSession:
        """Return the underlying driver session.

        Raises:
            RuntimeError: "Session is not started".
        """
        if self.session is None:
            raise RuntimeError("Session is not started")
        return self.session

    def transaction(self) -> AIOTransaction:
        """Create a transaction in this session."""
        from odmantic._async.transaction import AIOTransaction

        return AIOTransaction(self)

    async def __aenter__(self) -> AIOSession:
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
