"""`Reads`: the engine methods that read (find, find_one, count, aggregate, distinct)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, overload

from pymongo.asynchronous.client_session import AsyncClientSession

from odmantic._async.bound import AIOSessionBase
from odmantic._async.core import EngineCore, _check_model
from odmantic._async.cursor import AIOCursor
from odmantic.model import Model
from odmantic.query import QueryExpression, build_filter, build_sort
from odmantic.reads import Read, distinct_of, find_read, loader, output_parser, projection_of

ModelT = TypeVar("ModelT", bound=Model)
OutputT = TypeVar("OutputT")
Queries = QueryExpression | dict[str, Any] | bool


def _check_window(model: type[Model], skip: Any, limit: Any) -> None:
    if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip < 2**63:
        raise ValueError(
            f"skip has to be a positive integer: find({model.__name__}) got skip={skip!r}"
        )
    if limit is not None and (
        not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit < 2**63
    ):
        raise ValueError(
            f"limit has to be a strict positive value or None: find({model.__name__}) got "
            f"limit={limit!r}"
        )


class Reads(EngineCore):
    """The engine methods that read (see `AIOEngine`)."""

    @overload
    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: None = None,
    ) -> AIOCursor[ModelT]: ...

    @overload
    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: type[OutputT],
    ) -> AIOCursor[OutputT]: ...

    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: type[Any] | None = None,
    ) -> AIOCursor[Any]:
        """Search for instances of `model` matching all `queries`.

        Example:
            top = await engine.find(Player, Player.level > 10, sort=Player.level.desc())

            class Name(BaseModel):
                name: str

            names = await engine.find(Player, projection=Name).to_list()  # fetches `name` only

        Args:
            model: the model to search.
            *queries: query expressions (`Player.level > 3`) or raw filter dicts, combined with
                `$and`.
            sort: a field, `Model.field.asc()`/`.desc()`, or a tuple of them.
            skip: number of documents to skip.
            limit: maximum number of instances (None: no limit).
            session: run inside this session or transaction.
            projection: a pydantic model (or EmbeddedModel) whose fields are fields of `model`
                (by name): only their keys are fetched, and the cursor gives its instances.

        Returns:
            a cursor over the instances: `async for instance in cursor`, or
            `await cursor.to_list()` for a list.

        Raises:
            ValueError: a bad `skip` or `limit`.
            TypeError: a bad `sort`, or a projection field that `model` lacks.
        """
        _check_model(model)
        _check_window(model, skip, limit)
        schema = model.__schema__
        filter_, order = build_filter(queries), build_sort(sort)
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        if projection is None:
            read = find_read(schema, filter_, order, skip, limit)
            return AIOCursor(collection, read, loader(model), driver_session)
        keys, parser = projection_of(schema, projection)
        read = find_read(schema, filter_, order, skip, limit, keys)
        return AIOCursor(collection, read, parser, driver_session)

    @overload
    async def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: None = None,
    ) -> ModelT | None: ...

    @overload
    async def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: type[OutputT],
    ) -> OutputT | None: ...

    async def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
        projection: type[Any] | None = None,
    ) -> Any:
        """Return the first instance of `model` matching all `queries` (or of `projection`,
        see `find`), or None.

        Raises:
            DocumentParsingError: the document found does not validate as `model`.

        Example:
            leeroy = await engine.find_one(Player, Player.name == "Leeroy")

        Args:
            model: the model to search.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            sort: which document comes first when several match.
            session: run inside this session or transaction.
            projection: a pydantic model whose fields are fields of `model` (see `find`).

        Returns:
            the instance, or None.
        """
        _check_model(model)
        if model.__schema__.references or projection is not None:
            cursor = self.find(
                model, *queries, sort=sort, limit=1, session=session, projection=projection
            )
            results = await cursor.to_list()
            return results[0] if results else None
        raw = await self.get_collection(model).find_one(
            build_filter(queries), sort=build_sort(sort), session=self._driver_session(session)
        )
        return None if raw is None else loader(model).one(raw)

    async def count(
        self,
        model: type[ModelT],
        *queries: Queries,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> int:
        """Return the number of documents of `model` matching all `queries`.

        Example:
            strong = await engine.count(Player, Player.level > 10)

        Args:
            model: the model to count.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            session: run inside this session or transaction.

        Returns:
            the number of matching documents.
        """
        _check_model(model)
        return await self.get_collection(model).count_documents(
            build_filter(queries), session=self._driver_session(session)
        )

    @overload
    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> AIOCursor[dict[str, Any]]: ...

    @overload
    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: type[OutputT],
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> AIOCursor[OutputT]: ...

    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: type[Any] | None = None,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> AIOCursor[Any]:
        """Run an aggregation pipeline on the collection of `model`.

        `+Model.field` gives a key (`"level"`) and `++Model.field` a field path (`"$level"`)
        for the stages.

        Example:
            class Total(BaseModel):
                id: str = Field(alias="_id")
                count: int

            totals = await engine.aggregate(
                Player,
                [{"$group": {"_id": ++Player.team, "count": {"$sum": 1}}}],
                output=Total,
            ).to_list()

        Args:
            model: the model whose collection is aggregated.
            pipeline: the stages.
            output: a pydantic model (or odmantic model) each result document is validated
                as; None keeps the dicts.
            session: run inside this session or transaction.

        Returns:
            a cursor over the results (`async for`, `await cursor.to_list()`).
        """
        _check_model(model)
        read = Read({}, pipeline=list(pipeline))
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return AIOCursor(collection, read, output_parser(output), driver_session)

    @overload
    async def distinct(
        self,
        model: type[ModelT],
        field: list[OutputT] | set[OutputT],
        *queries: Queries,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> list[OutputT]: ...

    @overload
    async def distinct(
        self,
        model: type[ModelT],
        field: OutputT,
        *queries: Queries,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> list[OutputT]: ...

    async def distinct(
        self,
        model: type[ModelT],
        field: Any,
        *queries: Queries,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> list[Any]:
        """The distinct values of `field` among the documents of `model` matching `queries`,
        parsed through the field's type; for a list field, the distinct items (as MongoDB
        gives them), parsed through the items' type.

        Example:
            levels = await engine.distinct(Player, Player.level, Player.name.match("^L"))

        Raises:
            TypeError: `field` is not one of `model`'s fields (or a parent's it inherits
                unchanged), or is a reference.
        """
        _check_model(model)
        key, parse = distinct_of(model, field)
        values = await self.get_collection(model).distinct(
            key,
            build_filter(queries),
            session=self._driver_session(session),
        )
        return [parse(value) for value in values]
