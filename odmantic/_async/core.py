"""`EngineCore`: what both halves of an engine share (client, database, collections, sessions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from odmantic._async import IS_ASYNC
from odmantic._async.bound import AIOSessionBase
from odmantic._async.client import DriverClient, check_client, database_of, is_motor
from odmantic._async.retry import RETRY_WRITES_FOR, retrying
from odmantic.index import indexes_of
from odmantic.model import Model

ModelT = TypeVar("ModelT", bound=Model)
T = TypeVar("T")
_FORBIDDEN_DB_CHARS = frozenset('/\\. "$')
_INDEX_CONFLICTS = frozenset({85, 86})


def _check_model(model: Any) -> None:
    if not (isinstance(model, type) and issubclass(model, Model)) or model is Model:
        raise TypeError(f"expected a Model subclass, got {model!r}")


def _check_instance(instance: Any) -> None:
    if not isinstance(instance, Model):
        raise TypeError(f"expected a Model instance, got {type(instance).__name__}: {instance!r}")


class EngineCore:
    """The client, the database and the collections of an engine (see `AIOEngine`)."""

    def __init__(
        self,
        client: DriverClient | None = None,
        database: str = "test",
        *,
        retry_writes_for: float = RETRY_WRITES_FOR,
    ) -> None:
        if not isinstance(database, str) or not database:
            raise ValueError(f"invalid database name {database!r}: it must be a non-empty str")
        forbidden = "".join(sorted(set(database) & _FORBIDDEN_DB_CHARS))
        if forbidden:
            raise ValueError(
                f"database name cannot contain: {' '.join(forbidden)} (invalid database name "
                f'{database!r}: none of / \\ . " $ or a space is allowed)'
            )
        if client is None:
            client = AsyncMongoClient()
        check_client(client)
        self.client: DriverClient = client
        self.database_name = database
        self.database: AsyncDatabase[Any] = database_of(client, database)
        self._collections: dict[type[Model], AsyncCollection[Any]] = {}
        self.retry_writes_for = retry_writes_for

    def __repr__(self) -> str:
        return f"{type(self).__name__}(database={self.database_name!r})"

    def get_collection(self, model: type[Model]) -> AsyncCollection[Any]:
        """The driver collection storing `model`.

        Example:
            raw = await engine.get_collection(Player).find_one({})
        """
        collection = self._collections.get(model)
        if collection is None:
            _check_model(model)
            collection = self._collections[model] = self.database[model.__collection__]
        return collection

    @staticmethod
    def _driver_session(session: Any) -> AsyncClientSession | None:
        if session is None or isinstance(session, AsyncClientSession):
            return session
        if isinstance(session, AIOSessionBase):
            return session.get_driver_session()
        if IS_ASYNC:
            if is_motor(session):
                return session  # type: ignore[no-any-return]
        raise TypeError(f"session must be a session or transaction of this engine, got {session!r}")

    async def configure_database(
        self,
        models: Sequence[type[Model]],
        *,
        update_existing_indexes: bool = False,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> None:
        """Create the indexes of `models` (field `index`/`unique` options and `Index` objects).

        Args:
            models: the models whose indexes to create.
            update_existing_indexes: drop and recreate an existing index whose options differ
                (otherwise such a conflict raises `pymongo.errors.OperationFailure`).
            session: run inside this session or transaction.
        """
        driver_session = self._driver_session(session)
        for model in models:
            collection = self.get_collection(model)
            for index in indexes_of(model.__schema__):
                try:
                    await collection.create_indexes([index], session=driver_session)
                except OperationFailure as exc:
                    if exc.code not in _INDEX_CONFLICTS or not update_existing_indexes:
                        raise
                    name = await self._conflicting_index(collection, index, driver_session)
                    await collection.drop_index(name, session=driver_session)
                    await collection.create_indexes([index], session=driver_session)

    @staticmethod
    async def _conflicting_index(
        collection: AsyncCollection[Any],
        index: pymongo.IndexModel,
        session: AsyncClientSession | None,
    ) -> str:
        wanted = index.document
        info = await collection.index_information(session=session)
        for name, spec in info.items():
            if name == wanted["name"] or list(spec["key"]) == list(wanted["key"].items()):
                return name
        return str(wanted["name"])

    async def _retrying(
        self,
        attempt: Callable[[bool], Awaitable[T]],
        session: AsyncClientSession | None,
        idempotent: bool = True,
    ) -> T:
        """Run `attempt` under the engine's retry policy (never inside a transaction)."""
        if self.retry_writes_for <= 0 or (session is not None and session.in_transaction):
            return await attempt(False)
        return await retrying(attempt, within=self.retry_writes_for, idempotent=idempotent)
