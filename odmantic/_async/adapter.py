"""Everything that differs between the twins, in one place: the driver calls whose shape
differs between the clients, waiting, and what a cursor adds.

The generator copies this module like the others, keeping one side of each `IS_ASYNC`
branch: no other module of the twin branches on it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar, cast

from pymongo import AsyncMongoClient
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.asynchronous.database import AsyncDatabase

from odmantic._async import IS_ASYNC

OutputT = TypeVar("OutputT")

if IS_ASYNC:
    if TYPE_CHECKING:
        from motor.motor_asyncio import AsyncIOMotorClient

# Defined once for every type checker: an `IS_ASYNC` branch would depend on its settings.
DriverClient: TypeAlias = "AsyncMongoClient[Any] | AsyncIOMotorClient[Any]"
"""The driver client an engine takes."""


def _describe(client: Any) -> str:
    return f"{type(client).__module__}.{type(client).__qualname__}"


def new_client() -> DriverClient:
    """The client of an engine built without one: a local PyMongo client."""
    return AsyncMongoClient()


if IS_ASYNC:

    def _is_motor(obj: Any, kind: str) -> bool:
        """Whether `obj` is Motor's `kind` (`AsyncIOMotorClient`...), or a subclass of it."""
        return any(
            c.__name__ == kind and c.__module__.startswith("motor.") for c in type(obj).__mro__
        )


def check_client(client: Any) -> None:
    """Refuse a driver client of the other twin with an error saying which engine to use."""
    if IS_ASYNC:
        if isinstance(client, AsyncMongoClient) or _is_motor(client, "AsyncIOMotorClient"):
            return
        raise TypeError(
            f"AIOEngine needs a pymongo.AsyncMongoClient or a Motor AsyncIOMotorClient, got "
            f"{_describe(client)}; use odmantic.SyncEngine with a blocking pymongo.MongoClient"
        )
    else:
        if isinstance(client, AsyncMongoClient):
            return
        raise TypeError(
            f"SyncEngine needs a blocking pymongo.MongoClient, got {_describe(client)}; "
            "for PyMongo's AsyncMongoClient or Motor, use odmantic.AIOEngine"  # codegen: keep
        )


def as_driver_session(session: Any, client: DriverClient) -> AsyncClientSession | None:
    """`session` if it is a driver session of the kind `client` takes, else None."""
    if IS_ASYNC:
        if _is_motor(client, "AsyncIOMotorClient"):  # Motor's session wraps PyMongo's
            is_motor_session = _is_motor(session, "AsyncIOMotorClientSession")
            return cast("AsyncClientSession", session) if is_motor_session else None
    if isinstance(session, AsyncClientSession):
        return session
    return None


async def call_hook(hook: Callable[[Any], Any], instance: Any) -> None:
    """Call a model hook on `instance` (a coroutine function's result is awaited, by the
    coroutine twin only).

    Raises:
        TypeError: a coroutine function met by the blocking twin, naming it.
    """
    if IS_ASYNC:
        result = hook(instance)
        if inspect.isawaitable(result):
            await result
    else:
        check_hook(hook)
        hook(instance)


def check_hook(hook: Callable[[Any], Any]) -> None:
    """Refuse a hook this twin cannot run (checked before anything is written).

    Raises:
        TypeError: a coroutine function met by the blocking twin, naming it.
    """
    if IS_ASYNC:
        return  # the coroutine twin awaits what a hook returns
    else:
        if inspect.iscoroutinefunction(hook):
            name = getattr(hook, "__qualname__", repr(hook))
            what = "an async def hook: SyncEngine runs plain methods only"  # codegen: keep
            advice = "use AIOEngine, or make the hook a plain method"  # codegen: keep
            raise TypeError(f"{name} is {what} ({advice})")


def driver_session_of(session: Any, client: DriverClient) -> AsyncClientSession | None:
    """The driver session of a `session=` argument: none, an odmantic session or transaction,
    or a driver session of the kind `client` takes.

    Raises:
        TypeError: anything else (a session of another client kind, another object).
    """
    if session is None:
        return None
    get_driver_session = getattr(session, "get_driver_session", None)
    if get_driver_session is not None:  # an odmantic session or transaction
        return cast("AsyncClientSession", get_driver_session())
    driver_session = as_driver_session(session, client)
    if driver_session is None:
        raise TypeError(
            f"session must be a session or transaction of this engine, or a driver session "
            f"of its client, got {session!r}"
        )
    return driver_session


def database_of(client: DriverClient, name: str) -> AsyncDatabase[Any]:
    """The driver database `name` of `client`."""
    if IS_ASYNC:
        # Motor's database has the same methods, for what the engine uses.
        database: Any = client[name]
        return cast("AsyncDatabase[Any]", database)
    else:
        return client[name]


async def start_session(client: DriverClient) -> AsyncClientSession:
    """Start a driver session."""
    if IS_ASYNC:
        # A coroutine in Motor, a plain call in PyMongo.
        session: Any = cast(Any, client.start_session())
        if inspect.isawaitable(session):
            session = await session
        return session  # type: ignore[no-any-return]
    else:
        return client.start_session()


async def start_transaction(session: AsyncClientSession) -> None:
    """Start a transaction on a driver session."""
    if IS_ASYNC:
        # A plain call in Motor, a coroutine in PyMongo.
        result: Any = cast(Any, session.start_transaction())
        if inspect.isawaitable(result):
            await result
    else:
        session.start_transaction()


async def aggregate(
    collection: AsyncCollection[Any] | AsyncDatabase[Any],
    pipeline: list[dict[str, Any]],
    session: AsyncClientSession | None,
    batch_size: int = 0,
) -> AsyncCommandCursor[Any]:
    """Run an aggregation pipeline on a collection (or a database, for a pipeline starting with
    `$documents`) and return its cursor (`batch_size` 0: the server's)."""
    options: dict[str, Any] = {"batchSize": batch_size} if batch_size else {}
    if IS_ASYNC:
        # A plain call in Motor, a coroutine in PyMongo.
        cursor: Any = cast(Any, collection.aggregate(pipeline, session=session, **options))
        if inspect.isawaitable(cursor):
            cursor = await cursor
        return cursor  # type: ignore[no-any-return]
    else:
        return collection.aggregate(pipeline, session=session, **options)


async def close(client: DriverClient) -> None:
    """Close a driver client."""
    if IS_ASYNC:
        # A plain call in Motor, a coroutine in PyMongo.
        result: Any = cast(Any, client.close())
        if inspect.isawaitable(result):
            await result
    else:
        client.close()


async def sleep(seconds: float) -> None:
    """Wait `seconds` before the next attempt."""
    if IS_ASYNC:
        await asyncio.sleep(seconds)
    else:
        time.sleep(seconds)


class CursorBase(Generic[OutputT]):
    """The base of the cursors: what differs between the twins' cursors."""

    async def to_list(self) -> list[OutputT]:
        """All the results (defined by the cursor)."""
        raise NotImplementedError

    if IS_ASYNC:

        def __await__(self) -> Generator[Any, None, list[OutputT]]:
            """`await cursor` is `await cursor.to_list()` (as in ODMantic 1.1).

            Example:
                ```python
                players = await engine.find(Player, Player.level > 10)  # a list
                ```
            """
            return self.to_list().__await__()


async def watch(
    collection: AsyncCollection[Any],
    pipeline: list[dict[str, Any]],
    session: AsyncClientSession | None,
    options: dict[str, Any],
) -> AsyncChangeStream[Any]:
    """Open a change stream on a collection."""
    if IS_ASYNC:
        # A coroutine in PyMongo; in Motor a plain call, the stream opening on entering it.
        stream: Any = cast(Any, collection.watch(pipeline, session=session, **options))
        if inspect.isawaitable(stream):
            return await stream  # type: ignore[no-any-return]
        return await stream.__aenter__()  # type: ignore[no-any-return]
    else:
        return collection.watch(pipeline, session=session, **options)


async def resolved(value: Any) -> Any:
    """What a user's function returned: awaited when the coroutine engine is given a
    coroutine (an `async def` transform)."""
    if IS_ASYNC:
        return (await value) if inspect.isawaitable(value) else value
    else:
        if inspect.isawaitable(value):
            raise TypeError("SyncEngine runs plain functions, not async def ones")  # codegen: keep
        return value
