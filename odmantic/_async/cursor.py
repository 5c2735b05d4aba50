"""`AIOCursor`: the result of `engine.find`, iterated as a stream or read whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any, Generic, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.asynchronous.cursor import AsyncCursor

from odmantic._async import IS_ASYNC
from odmantic._async.client import aggregate
from odmantic.model import Model
from odmantic.reference import lookup_stages

ModelT = TypeVar("ModelT", bound=Model)


class AIOCursor(Generic[ModelT]):
    """The documents of a `find`, parsed as `model` instances.

    `async for instance in cursor` streams the documents in driver batches: the cursor keeps no
    instance, so memory stays flat however many documents match. `await cursor.to_list()` reads
    them all into a list. Each iteration or `to_list()` runs the query again (keep the list to
    read the results twice).

    Example:
        players = await engine.find(Player, Player.level > 10).to_list()
        async for player in engine.find(Player, sort=Player.name):
            print(player.name)
    """

    def __init__(
        self,
        model: type[ModelT],
        collection: AsyncCollection[Any],
        filter_: dict[str, Any],
        sort: list[tuple[str, int]] | None,
        skip: int,
        limit: int | None,
        session: AsyncClientSession | None,
    ) -> None:
        self._model = model
        self._collection = collection
        self._filter = filter_
        self._sort = sort
        self._skip = skip
        self._limit = limit
        self._session = session

    def pipeline(self) -> list[dict[str, Any]] | None:
        """The aggregation pipeline run for a model with references, or None for a plain find."""
        lookups = lookup_stages(self._model.__schema__)
        if not lookups:
            return None
        stages: list[dict[str, Any]] = [{"$match": self._filter}]
        if self._sort:
            stages.append({"$sort": dict(self._sort)})
        if self._skip:
            stages.append({"$skip": self._skip})
        if self._limit:
            stages.append({"$limit": self._limit})
        return stages + lookups

    async def _open(self) -> AsyncCursor[Any] | AsyncCommandCursor[Any]:
        pipeline = self.pipeline()
        if pipeline is not None:
            return await aggregate(self._collection, pipeline, self._session)
        return self._collection.find(
            self._filter,
            sort=self._sort,
            skip=self._skip,
            limit=self._limit or 0,
            session=self._session,
        )

    def _load(self, raw: dict[str, Any]) -> ModelT:
        """An instance of a stored document: nothing to save until it is changed."""
        instance = self._model.model_validate_doc(raw)
        instance.__mark_loaded__(raw)
        return instance

    async def to_list(self) -> list[ModelT]:
        """Run the query and return all the documents as instances."""
        driver_cursor = await self._open()
        raw_docs = await driver_cursor.to_list(None)
        return [self._load(raw) for raw in raw_docs]

    async def __aiter__(self) -> AsyncIterator[ModelT]:
        driver_cursor = await self._open()
        async for raw in driver_cursor:
            yield self._load(raw)

    if IS_ASYNC:

        def __await__(self) -> Generator[Any, None, list[ModelT]]:
            """`await cursor` is `await cursor.to_list()`."""
            return self.to_list().__await__()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._model.__name__}, filter={self._filter!r}, "
            f"sort={self._sort!r}, skip={self._skip}, limit={self._limit})"
        )
