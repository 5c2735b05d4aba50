# generated from odmantic/_async/adapter.py by codegen; do not edit
"""Everything that differs between the twins, in one place: the driver calls whose shape
differs between the clients, waiting, and what a cursor adds.

The generator copies this module like the others, keeping one side of each `IS_ASYNC`
branch: no other module of the twin branches on it.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any, Generic, TypeAlias, TypeVar, cast

from pymongo import MongoClient
from pymongo.synchronous.change_stream import ChangeStream
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.command_cursor import CommandCursor
from pymongo.synchronous.database import Database

OutputT = TypeVar("OutputT")

# Defined once for every type checker: an `IS_ASYNC` branch would depend on its settings.
DriverClient: TypeAlias = "MongoClient[Any]"
"""The driver client an engine takes."""


def _describe(client: Any) -> str:
    return f"{type(client).__module__}.{type(client).__qualname__}"


def new_client() -> DriverClient:
    """The client of an engine built without one: a local PyMongo client."""
    return MongoClient()


def check_client(client: Any) -> None:
    """Refuse a driver client of the other twin with an error saying which engine to use."""
    if isinstance(client, MongoClient):
        return
    raise TypeError(
        f"SyncEngine needs a blocking pymongo.MongoClient, got {_describe(client)}; "
        "for PyMongo's AsyncMongoClient or Motor, use odmantic.AIOEngine"  # codegen: keep
    )


def as_driver_session(session: Any, client: DriverClient) -> ClientSession | None:
    """`session` if it is a driver session of the kind `client` takes, else None."""
    if isinstance(session, ClientSession):
        return session
    return None


def call_hook(hook: Callable[[Any], Any], instance: Any) -> None:
    """Call a model hook on `instance` (a coroutine function's result is awaited, by the
    coroutine twin only).

    Raises:
        TypeError: a coroutine function met by the blocking twin, naming it.
    """
    check_hook(hook)
    hook(instance)


def check_hook(hook: Callable[[Any], Any]) -> None:
    """Refuse a hook this twin cannot run (checked before anything is written).

    Raises:
        TypeError: a coroutine function met by the blocking twin, naming it.
    """
    if inspect.iscoroutinefunction(hook):
        name = getattr(hook, "__qualname__", repr(hook))
        what = "an async def hook: SyncEngine runs plain methods only"  # codegen: keep
        advice = "use AIOEngine, or make the hook a plain method"  # codegen: keep
        raise TypeError(f"{name} is {what} ({advice})")


def driver_session_of(session: Any, client: DriverClient) -> ClientSession | None:
    """The driver session of a `session=` argument: none, an odmantic session or transaction,
    or a driver session of the kind `client` takes.

    Raises:
        TypeError: anything else (a session of another client kind, another object).
    """
    if session is None:
        return None
    get_driver_session = getattr(session, "get_driver_session", None)
    if get_driver_session is not None:  # an odmantic session or transaction
        return cast("ClientSession", get_driver_session())
    driver_session = as_driver_session(session, client)
    if driver_session is None:
        raise TypeError(
            f"session must be a session or transaction of this engine, or a driver session "
            f"of its client, got {session!r}"
        )
    return driver_session


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


def sleep(seconds: float) -> None:
    """Wait `seconds` before the next attempt."""
    time.sleep(seconds)


class CursorBase(Generic[OutputT]):
    """The base of the cursors: what differs between the twins' cursors."""

    def to_list(self) -> list[OutputT]:
        """All the results (defined by the cursor)."""
        raise NotImplementedError


def watch(
    collection: Collection[Any],
    pipeline: list[dict[str, Any]],
    session: ClientSession | None,
    options: dict[str, Any],
) -> ChangeStream[Any]:
    """Open a change stream on a collection."""
    return collection.watch(pipeline, session=session, **options)


def resolved(value: Any) -> Any:
    """What a user's function returned: awaited when the coroutine engine is given a
    coroutine (an `def` transform)."""
    if inspect.isawaitable(value):
        raise TypeError("SyncEngine runs plain functions, not async def ones")  # codegen: keep
    return value
