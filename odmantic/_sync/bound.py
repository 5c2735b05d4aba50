# generated from odmantic/_async/bound.py by codegen; do not edit
"""`SyncSessionBase`: the engine's methods, bound to a session or a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from pymongo.synchronous.client_session import ClientSession

from odmantic._sync.cursor import SyncCursor
from odmantic.model import Model
from odmantic.query import QueryExpression
from odmantic.update import UpdateExpression, UpdateResult

if TYPE_CHECKING:
    from odmantic._sync.engine import SyncEngine

ModelT = TypeVar("ModelT", bound=Model)
OutputT = TypeVar("OutputT")
Queries = QueryExpression | dict[str, Any] | bool


class SyncSessionBase:
    """The engine's methods, run inside this session (no `session` argument)."""

    engine: SyncEngine

    def get_driver_session(self) -> ClientSession:
        """Return the underlying driver session."""
        raise NotImplementedError

    def track_saves(self, instances: Sequence[Model]) -> None:
        """Called by the engine before it saves `instances` in this session.

        A plain session does nothing; a transaction remembers what the instances had to save,
        to put it back if the transaction is aborted.
        """

    @overload
    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        projection: None = None,
    ) -> SyncCursor[ModelT]: ...

    @overload
    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        projection: type[OutputT],
    ) -> SyncCursor[OutputT]: ...

    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        projection: type[Any] | None = None,
    ) -> SyncCursor[Any]:
        """Search for instances of `model` matching all `queries` (see `SyncEngine.find`).

        Args:
            model: the model to search.
            *queries: query expressions (`Player.level > 3`) or raw filter dicts.
            sort: a field, `Model.field.asc()`/`.desc()`, or a tuple of them.
            skip: number of documents to skip.
            limit: maximum number of instances (None: no limit).
            projection: a pydantic model whose fields are fields of `model`: only they are fetched.

        Returns:
            a cursor over the instances.
        """
        return self.engine.find(
            model, *queries, sort=sort, skip=skip, limit=limit, session=self, projection=projection
        )

    @overload
    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        projection: None = None,
    ) -> ModelT | None: ...

    @overload
    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        projection: type[OutputT],
    ) -> OutputT | None: ...

    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        projection: type[Any] | None = None,
    ) -> Any:
        """Return the first instance of `model` matching all `queries`, or None.

        Args:
            model: the model to search.
            *queries: query expressions or raw filter dicts.
            sort: which document comes first.
            projection: a pydantic model whose fields are fields of `model`.

        Returns:
            the instance, or None.
        """
        return self.engine.find_one(model, *queries, sort=sort, session=self, projection=projection)

    def count(self, model: type[ModelT], *queries: Queries) -> int:
        """Return the number of documents of `model` matching all `queries`.

        Args:
            model: the model to count.
            *queries: query expressions or raw filter dicts.

        Returns:
            the number of documents.
        """
        return self.engine.count(model, *queries, session=self)

    @overload
    def aggregate(
        self, model: type[Model], pipeline: Sequence[dict[str, Any]], *, output: None = None
    ) -> SyncCursor[dict[str, Any]]: ...

    @overload
    def aggregate(
        self, model: type[Model], pipeline: Sequence[dict[str, Any]], *, output: type[OutputT]
    ) -> SyncCursor[OutputT]: ...

    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: type[Any] | None = None,
    ) -> SyncCursor[Any]:
        """Run an aggregation pipeline on the collection of `model` (see `SyncEngine.aggregate`).

        Args:
            model: the model whose collection is aggregated.
            pipeline: the stages.
            output: a pydantic model each result is validated as; None keeps the dicts.

        Returns:
            a cursor over the results.
        """
        return self.engine.aggregate(model, pipeline, output=output, session=self)

    @overload
    def distinct(
        self, model: type[ModelT], field: list[OutputT] | set[OutputT], *queries: Queries
    ) -> list[OutputT]: ...

    @overload
    def distinct(self, model: type[ModelT], field: OutputT, *queries: Queries) -> list[OutputT]: ...

    def distinct(self, model: type[ModelT], field: Any, *queries: Queries) -> list[Any]:
        """The distinct values of `field` (see `SyncEngine.distinct`).

        Args:
            model: the model whose documents are read.
            field: the field (`Model.field`).
            *queries: query expressions or raw filter dicts.

        Returns:
            the values, parsed through the field type.
        """
        return self.engine.distinct(model, field, *queries, session=self)

    def save(self, instance: ModelT) -> ModelT:
        """Insert or update `instance` and what it references (see `SyncEngine.save`).

        Args:
            instance: the instance to save.

        Returns:
            the instance.
        """
        return self.engine.save(instance, session=self)

    def save_all(self, instances: Sequence[ModelT]) -> list[ModelT]:
        """Insert or update all `instances` (see `SyncEngine.save_all`).

        Args:
            instances: the instances to save.

        Returns:
            the instances, as a list.
        """
        return self.engine.save_all(instances, session=self)

    def insert(self, instance: ModelT) -> ModelT:
        """Insert `instance`, never over a stored document (see `SyncEngine.insert`).

        Args:
            instance: the instance to insert.

        Returns:
            the instance.
        """
        return self.engine.insert(instance, session=self)

    def insert_all(self, instances: Sequence[ModelT]) -> list[ModelT]:
        """Insert all `instances`, never over a stored document (see `SyncEngine.insert_all`).

        Args:
            instances: the instances to insert.

        Returns:
            the instances, as a list.
        """
        return self.engine.insert_all(instances, session=self)

    def delete(self, instance: Model) -> None:
        """Delete the document of `instance` (raises `DocumentNotFoundError` if absent).

        Args:
            instance: the instance whose document is deleted.
        """
        self.engine.delete(instance, session=self)

    def remove(self, model: type[ModelT], *queries: Queries, just_one: bool = False) -> int:
        """Delete the documents of `model` matching all `queries`; return how many.

        Args:
            model: the model whose documents are deleted.
            *queries: query expressions or raw filter dicts.
            just_one: delete at most one document.

        Returns:
            the number of documents deleted.
        """
        return self.engine.remove(model, *queries, just_one=just_one, session=self)

    def update_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        upsert: bool = False,
    ) -> UpdateResult:
        """Apply `update` to the first matching document (see `SyncEngine.update_one`).

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts.
            update: operators of `odmantic.update`, combined with `&`.
            upsert: insert a document when none matches.

        Returns:
            how many documents matched and changed.
        """
        return self.engine.update_one(model, *queries, update=update, upsert=upsert, session=self)

    def update_many(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        upsert: bool = False,
    ) -> UpdateResult:
        """Apply `update` to every matching document (see `SyncEngine.update_many`).

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts.
            update: operators of `odmantic.update`, combined with `&`.
            upsert: insert a document when none matches.

        Returns:
            how many documents matched and changed.
        """
        return self.engine.update_many(model, *queries, update=update, upsert=upsert, session=self)

    def find_one_and_update(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        sort: Any | None = None,
        upsert: bool = False,
        return_updated: bool = True,
    ) -> ModelT | None:
        """Update the first matching document and return it (see
        `SyncEngine.find_one_and_update`).

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts.
            update: operators of `odmantic.update`, combined with `&`.
            sort: which document is updated when several match.
            upsert: insert a document when none matches.
            return_updated: return the document as updated (else as it was).

        Returns:
            the instance, or None when nothing matched.
        """
        return self.engine.find_one_and_update(
            model,
            *queries,
            update=update,
            sort=sort,
            upsert=upsert,
            return_updated=return_updated,
            session=self,
        )
