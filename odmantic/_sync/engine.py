# generated from odmantic/_async/engine.py by codegen; do not edit
"""`SyncEngine`: the entry point to MongoDB for models (find, count, save, delete, sessions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import pymongo
from pymongo import InsertOne, MongoClient, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure
from pymongo.errors import DuplicateKeyError as PyMongoDuplicateKeyError
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.database import Database

from odmantic._sync.client import DriverClient, check_client, close, database_of
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.session import SyncSession, SyncSessionBase, SyncTransaction
from odmantic.exceptions import DocumentNotFoundError, DuplicateKeyError
from odmantic.index import indexes_of
from odmantic.model import Model
from odmantic.query import QueryExpression, build_filter, build_sort

ModelT = TypeVar("ModelT", bound=Model)
_FORBIDDEN_DB_CHARS = frozenset('/\\. "$')
_DUPLICATE_KEY = 11000
_INDEX_CONFLICTS = frozenset({85, 86})


def _check_model(model: Any) -> None:
    if not (isinstance(model, type) and issubclass(model, Model)) or model is Model:
        raise TypeError(f"expected a Model subclass, got {model!r}")


def _check_instance(instance: Any) -> None:
    if not isinstance(instance, Model):
        raise TypeError(f"expected a Model instance, got {type(instance).__name__}: {instance!r}")


def _upsert_for(instance: Model) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The (filter, update) `$set`-ing what changed in `instance` (None: nothing to write)."""
    fields = instance.__fields_to_save__()
    primary = type(instance).__schema__.primary
    doc = instance.model_dump_doc(include=fields, exclude=(primary.name,) if primary else None)
    key = instance.__primary_key__()
    if doc:
        return {"_id": key}, {"$set": doc}
    if fields is None:  # a new instance with nothing but its primary key
        return {"_id": key}, {"$setOnInsert": {"_id": key}}
    return None


def _write_for(instance: Model, insert_new: bool) -> InsertOne[Any] | UpdateOne | None:
    """An insert for an instance never loaded nor saved (when allowed), else an upsert."""
    if insert_new and instance.__fields_to_save__() is None:
        return InsertOne(instance.model_dump_doc())
    upsert = _upsert_for(instance)
    return None if upsert is None else UpdateOne(*upsert, upsert=True)


def _is_primary_key_clash(error: dict[str, Any]) -> bool:
    return error.get("code") == _DUPLICATE_KEY and "_id" in (error.get("keyPattern") or {})


def _with_references(instances: Iterable[Model]) -> list[list[Model]]:
    """Group `instances` and the instances they reference: deepest references first."""
    levels: list[list[Model]] = []
    seen: set[int] = set()
    current = [i for i in instances]
    while current:
        level: list[Model] = []
        following: list[Model] = []
        for instance in current:
            if id(instance) in seen:
                continue
            seen.add(id(instance))
            level.append(instance)
            for field in type(instance).__schema__.references:
                ref = instance.__dict__.get(field.name)
                if ref is not None:
                    following.append(ref)
        levels.append(level)
        current = following
    return levels[::-1]


class SyncEngine:
    """Maps models to a MongoDB database through PyMongo's `MongoClient`.

    Example:
        engine = SyncEngine(client=MongoClient("mongodb://localhost:27017"), database="game")
        engine.save(Player(name="Leeroy"))
        top = engine.find(Player, Player.level > 10, sort=Player.level.desc())

    Args:
        client: the driver client; a local `MongoClient()` when None.
        database: the database name; names containing `/ \\ . " $` or a space are refused.
    """

    def __init__(self, client: DriverClient | None = None, database: str = "test") -> None:
        if not isinstance(database, str) or not database:
            raise ValueError(f"invalid database name {database!r}: it must be a non-empty str")
        forbidden = "".join(sorted(set(database) & _FORBIDDEN_DB_CHARS))
        if forbidden:
            raise ValueError(
                f"database name cannot contain: {' '.join(forbidden)} (invalid database name "
                f'{database!r}: none of / \\ . " $ or a space is allowed)'
            )
        if client is None:
            client = MongoClient()
        check_client(client)
        self.client: DriverClient = client
        self.database_name = database
        self.database: Database[Any] = database_of(client, database)
        self._collections: dict[type[Model], Collection[Any]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(database={self.database_name!r})"

    def get_collection(self, model: type[Model]) -> Collection[Any]:
        """The driver collection storing `model`."""
        collection = self._collections.get(model)
        if collection is None:
            _check_model(model)
            collection = self._collections[model] = self.database[model.__collection__]
        return collection

    @staticmethod
    def _driver_session(session: Any) -> ClientSession | None:
        if session is None or isinstance(session, ClientSession):
            return session
        if isinstance(session, SyncSessionBase):
            return session.get_driver_session()
        raise TypeError(f"session must be a session or transaction of this engine, got {session!r}")

    def configure_database(
        self,
        models: Sequence[type[Model]],
        *,
        update_existing_indexes: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
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
                    collection.create_indexes([index], session=driver_session)
                except OperationFailure as exc:
                    if exc.code not in _INDEX_CONFLICTS or not update_existing_indexes:
                        raise
                    name = self._conflicting_index(collection, index, driver_session)
                    collection.drop_index(name, session=driver_session)
                    collection.create_indexes([index], session=driver_session)

    @staticmethod
    def _conflicting_index(
        collection: Collection[Any],
        index: pymongo.IndexModel,
        session: ClientSession | None,
    ) -> str:
        wanted = index.document
        info = collection.index_information(session=session)
        for name, spec in info.items():
            if name == wanted["name"] or list(spec["key"]) == list(wanted["key"].items()):
                return name
        return str(wanted["name"])

    def find(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> SyncCursor[ModelT]:
        """Search for instances of `model` matching all `queries`.

        Args:
            model: the model to search.
            *queries: query expressions (`Player.level > 3`) or raw filter dicts, combined with
                `$and`.
            sort: a field, `Model.field.asc()`/`.desc()`, or a tuple of them.
            skip: number of documents to skip.
            limit: maximum number of instances (None: no limit).
            session: run inside this session or transaction.

        Returns:
            a cursor over the instances: `for instance in cursor`, or
            `cursor.to_list()` for a list.
        """
        _check_model(model)
        if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise ValueError(
                f"skip has to be a positive integer: find({model.__name__}) got skip={skip!r}"
            )
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0
        ):
            raise ValueError(
                f"limit has to be a strict positive value or None: find({model.__name__}) got "
                f"limit={limit!r}"
            )
        return SyncCursor(
            model,
            self.get_collection(model),
            build_filter(queries),
            build_sort(sort),
            skip,
            limit,
            self._driver_session(session),
        )

    def find_one(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        sort: Any | None = None,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> ModelT | None:
        """Return the first instance of `model` matching all `queries`, or None.

        Raises:
            DocumentParsingError: the document found does not validate as `model`.
        """
        _check_model(model)
        if model.__schema__.references:
            cursor = self.find(model, *queries, sort=sort, limit=1, session=session)
            results = cursor.to_list()
            return results[0] if results else None
        raw = self.get_collection(model).find_one(
            build_filter(queries), sort=build_sort(sort), session=self._driver_session(session)
        )
        if raw is None:
            return None
        instance = model.model_validate_doc(raw)
        instance.__mark_clean__()
        return instance

    def count(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> int:
        """Return the number of documents of `model` matching all `queries`."""
        _check_model(model)
        return self.get_collection(model).count_documents(
            build_filter(queries), session=self._driver_session(session)
        )

    def save(
        self,
        instance: ModelT,
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> ModelT:
        """Insert or update `instance` (upsert by primary key), and the instances it references.

        Only the fields changed since the instance was loaded or saved are sent (plus mutable
        ones: lists, dicts, embedded models). The instance is modified in place and returned.

        Raises:
            DuplicateKeyError: a unique index refused the document.
        """
        _check_instance(instance)
        driver_session = self._driver_session(session)
        levels = _with_references([instance])
        if isinstance(session, SyncSessionBase):
            session.track_saves([i for level in levels for i in level])
        if len(levels) > 1:
            self._save_levels(levels, driver_session)
            return instance
        upsert = _upsert_for(instance)
        if upsert is not None:
            try:
                self.get_collection(type(instance)).update_one(
                    *upsert, upsert=True, session=driver_session
                )
            except PyMongoDuplicateKeyError as exc:
                raise DuplicateKeyError(instance, exc) from exc
        instance.__mark_clean__()
        return instance

    def save_all(
        self,
        instances: Sequence[ModelT],
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[ModelT]:
        """Insert or update all `instances` and what they reference: one bulk write a collection.

        Raises:
            DuplicateKeyError: a unique index refused one of the documents.
        """
        instances = list(instances)
        for instance in instances:
            _check_instance(instance)
        driver_session = self._driver_session(session)
        levels = _with_references(instances)
        if isinstance(session, SyncSessionBase):
            session.track_saves([i for level in levels for i in level])
        self._save_levels(levels, driver_session)
        return instances

    def _save_levels(self, levels: list[list[Model]], session: ClientSession | None) -> None:
        # Inserting new documents is much cheaper than upserting them, but a clash on `_id`
        # aborts a transaction: inside one, every write is an upsert.
        insert_new = session is None or not session.in_transaction
        for level in levels:
            by_collection: dict[
                str, tuple[type[Model], list[Model], list[InsertOne[Any] | UpdateOne]]
            ] = {}
            for instance in level:
                write = _write_for(instance, insert_new)
                if write is None:
                    continue
                model = type(instance)
                entry = by_collection.setdefault(model.__collection__, (model, [], []))
                entry[1].append(instance)
                entry[2].append(write)
            for model, group, writes in by_collection.values():
                self._bulk_write(model, group, writes, session)

    def _bulk_write(
        self,
        model: type[Model],
        group: list[Model],
        writes: list[InsertOne[Any] | UpdateOne],
        session: ClientSession | None,
    ) -> None:
        """Write `group` in one round trip; new documents whose `_id` exists become upserts."""
        collection = self.get_collection(model)
        retry: list[Model] = []
        try:
            collection.bulk_write(writes, ordered=False, session=session)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                instance = group[error["index"]]
                if isinstance(writes[error["index"]], InsertOne) and _is_primary_key_clash(error):
                    retry.append(instance)
                elif error.get("code") == _DUPLICATE_KEY:
                    raise DuplicateKeyError(instance, exc, details=error) from exc
                else:
                    raise
        upserted: list[Model] = []
        upserts: list[InsertOne[Any] | UpdateOne] = []
        for instance in retry:
            write = _write_for(instance, insert_new=False)
            if write is not None:
                upserted.append(instance)
                upserts.append(write)
        if upserts:
            self._bulk_write(model, upserted, upserts, session)
        for instance in group:
            instance.__mark_clean__()

    def delete(
        self,
        instance: Model,
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> None:
        """Delete the document of `instance`.

        Raises:
            DocumentNotFoundError: no document has the instance's primary key.
        """
        _check_instance(instance)
        result = self.get_collection(type(instance)).delete_one(
            {"_id": instance.__primary_key__()}, session=self._driver_session(session)
        )
        if result.deleted_count == 0:
            raise DocumentNotFoundError(instance)

    def remove(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        just_one: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> int:
        """Delete the documents of `model` matching all `queries`; return how many were deleted.

        Args:
            just_one: delete at most one document.
        """
        _check_model(model)
        collection = self.get_collection(model)
        filter_ = build_filter(queries)
        driver_session = self._driver_session(session)
        if just_one:
            result = collection.delete_one(filter_, session=driver_session)
        else:
            result = collection.delete_many(filter_, session=driver_session)
        return result.deleted_count

    def session(self) -> SyncSession:
        """A new session on this engine: start it, or use it as a context manager."""
        return SyncSession(self)

    def transaction(self) -> SyncTransaction:
        """A new transaction in its own session: start it, or use it as a context manager.

        Leaving `with engine.transaction()` normally commits; an exception aborts.
        """
        return SyncTransaction(self)

    def close(self) -> None:
        """Close the driver client."""
        close(self.client)


__all__ = ["SyncEngine", "SyncCursor"]
