# generated from odmantic/_async/client.py by codegen; do not edit
"""The driver calls whose shape differs between the clients an engine accepts."""

from __future__ import annotations

from typing import Any, TypeAlias

from pymongo import MongoClient
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.command_cursor import CommandCursor
from pymongo.synchronous.database import Database

DriverClient: TypeAlias = "MongoClient[Any] | MongoClient[Any]"
"""The driver clients an engine takes (Motor's too, for the twin with coroutines)."""


def _describe(client: Any) -> str:
    return f"{type(client).__module__}.{type(client).__qualname__}"


def is_motor(obj: Any) -> bool:
    """Whether `obj` comes from Motor (a client or a session)."""
    return type(obj).__module__.startswith("motor.")


def check_client(client: Any) -> None:
    """Refuse a driver client of the other twin with an error saying which engine to use."""
    if isinstance(client, MongoClient):
        return
    raise TypeError(
        f"SyncEngine needs a blocking pymongo.MongoClient, got {_describe(client)}; "
        "for PyMongo's AsyncMongoClient or Motor, use odmantic.AIOEngine"  # codegen: keep
    )


def database_of(client: DriverClient, name: str) -> Database[Any]:
    """The driver database `name` of `client`."""
    return client[name]


def start_session(client: DriverClient) -> ClientSession:
    """Start a driver session."""
    return client.start_session()


def start_transaction(session: ClientSession) -> None:
    """Start a transaction on a driver session."""
    session.start_transaction()


def aggregate(
    collection: Collection[Any] | Database[Any],
    pipeline: list[dict[str, Any]],
    session: ClientSession | None,
    batch_size: int = 0,
) -> CommandCursor[Any]:
    """Run an aggregation pipeline on a collection (or a database, for a pipeline starting with
    `$documents`) and return its cursor (`batch_size` 0: the server's)."""
    options: dict[str, Any] = {"batchSize": batch_size} if batch_size else {}
    return collection.aggregate(pipeline, session=session, **options)


def close(client: DriverClient) -> None:
    """Close a driver client."""
    client.close()
