"""The driver calls whose shape differs between the clients an engine accepts."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.asynchronous.database import AsyncDatabase

from odmantic._async import IS_ASYNC

if IS_ASYNC:
    if TYPE_CHECKING:
        from motor.motor_asyncio import AsyncIOMotorClient

DriverClient: TypeAlias = "AsyncMongoClient[Any] | AsyncIOMotorClient[Any]"
"""The driver clients an engine takes (Motor's too, for the twin with coroutines)."""


def _describe(client: Any) -> str:
    return f"{type(client).__module__}.{type(client).__qualname__}"


def is_motor(obj: Any) -> bool:
    """Whether `obj` comes from Motor (a client or a session)."""
    return type(obj).__module__.startswith("motor.")


def check_client(client: Any) -> None:
    """Refuse a driver client of the other twin with an error saying which engine to use."""
    if IS_ASYNC:
        if isinstance(client, AsyncMongoClient) or is_motor(client):
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
