# generated from odmantic/_async/engine.py by codegen; do not edit
"""`SyncEngine`: the entry point to MongoDB for models (find, count, save, delete, sessions)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pymongo
from pymongo import MongoClient
from pymongo.errors import OperationFailure
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.database import Database

from odmantic._sync.client import DriverClient, check_client, close, database_of
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.retry import RETRY_WRITES_FOR, retrying
from odmantic._sync.session import (
    WITH_TRANSACTION_TIMEOUT,
    SyncSession,
    SyncSessionBase,
    SyncTransaction,
)
from odmantic._sync.writer import Mode, write_many, write_one
from odmantic.exceptions import DocumentNotFoundError
from odmantic.index import indexes_of
from odmantic.model import Model
from odmantic.query import QueryExpression, build_filter, build_sort
from odmantic.writes import Write, plan, with_references

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


class SyncEngine:
    """Maps models to a MongoDB database through PyMongo's `MongoClient`.

    Example:
        engine = SyncEngine(client=MongoClient("mongodb://localhost:27017"), database="game")
        engine.save(Player(name="Leeroy"))
        top = engine.find(Player, Player.level > 10, sort=Player.level.desc())

    Args:
        client: the driver client; a local `MongoClient()` when None.
        database: the database name; names containing `/ \\ . " $` or a space are refused.
        retry_writes_for: seconds during which a write interrupted by a failover or a lost
            connection is sent again (0: never), when that is safe: `save`, `save_all`,
            `insert*` and `delete` are idempotent by primary key; `remove` is re-sent only
            when the error proves that it never ran. Writes inside a transaction are not
            retried one by one: use `with_transaction`.
    """

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
            client = MongoClient()
        check_client(client)
        self.client: DriverClient = client
        self.database_name = database
        self.database: Database[Any] = database_of(client, database)
        self._collections: dict[type[Model], Collection[Any]] = {}
        self.retry_writes_for = retry_writes_for

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
        if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip < 2**63:
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
        instance.__mark_loaded__(raw)
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

        A new instance is written in full. A loaded or saved one sends only what changed since:
        `$set`/`$unset` of the changed paths (embedded fields included), `$push` for lists that
        only grew; other writers' changes to the rest of the document are kept. The instance is
        modified in place and returned.

        `save()` of an instance whose primary key comes from input (a request body) writes over
        the document that has this key: use `insert()` for create endpoints.

        Raises:
            DuplicateKeyError: a unique index refused the document.
            DocumentWriteError: the document cannot be stored as it is (too large...).
        """
        self._write([instance], "save", session)
        return instance

    def save_all(
        self,
        instances: Sequence[ModelT],
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[ModelT]:
        """Insert or update all `instances` and what they reference: one bulk write a collection.

        Raises:
            DuplicateKeyError: unique indexes refused some documents; its `failures` lists each
                one (they stay to save), the others are written.
            DocumentWriteError: some documents cannot be stored as they are (each one listed).
        """
        instances = list(instances)
        self._write(instances, "save", session)
        return instances

    def insert(
        self,
        instance: ModelT,
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> ModelT:
        """Insert `instance`, never writing over a stored document; references are saved first.

        Example:
            @app.post("/players")
            def create(player: Player) -> Player:
                return engine.insert(player)  # a posted id cannot overwrite a document

        Raises:
            DuplicateKeyError: a document already has the instance's primary key (or a unique
                index refused it); nothing was written over it.
        """
        self._write([instance], "insert", session)
        return instance

    def insert_all(
        self,
        instances: Sequence[ModelT],
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[ModelT]:
        """Insert all `instances` (one bulk write a collection), never writing over a document.

        Raises:
            DuplicateKeyError: some primary keys (or unique keys) exist; its `failures` lists
                every instance refused, the others are inserted.
        """
        instances = list(instances)
        self._write(instances, "insert", session)
        return instances

    def _write(
        self,
        instances: Sequence[Model],
        mode: Mode,
        session: SyncSessionBase | ClientSession | None,
    ) -> None:
        """Write `instances` after what they reference (deepest first, one level at a time)."""
        for given in instances:
            _check_instance(given)
        driver_session = self._driver_session(session)
        levels = with_references(instances)
        if isinstance(session, SyncSessionBase):
            session.track_saves([i for level in levels for i in level])
        for depth, level in enumerate(levels):
            level_mode: Mode = mode if depth == len(levels) - 1 else "save"
            by_model: dict[type[Model], list[Write]] = {}
            for instance in level:
                write = plan(instance, insert=level_mode == "insert")
                if write is not None:
                    by_model.setdefault(type(instance), []).append(write)
            for model, writes in by_model.items():
                collection = self.get_collection(model)
                if len(writes) == 1 and len(instances) == 1:
                    one = functools.partial(write_one, collection, writes[0], level_mode)
                    self._retrying(functools.partial(one, driver_session), driver_session)
                else:
                    many = functools.partial(write_many, collection, writes, level_mode)
                    self._retrying(functools.partial(many, driver_session), driver_session)

    def _retrying(
        self,
        attempt: Callable[[bool], T],
        session: ClientSession | None,
        idempotent: bool = True,
    ) -> T:
        """Run `attempt` under the engine's retry policy (never inside a transaction)."""
        if self.retry_writes_for <= 0 or (session is not None and session.in_transaction):
            return attempt(False)
        return retrying(attempt, within=self.retry_writes_for, idempotent=idempotent)

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
        collection = self.get_collection(type(instance))
        driver_session = self._driver_session(session)

        def attempt(retried: bool) -> None:
            result = collection.delete_one(
                {"_id": instance.__primary_key__()}, session=driver_session
            )
            if result.deleted_count == 0 and not retried:  # after a retry: the first one did it
                raise DocumentNotFoundError(instance)

        self._retrying(attempt, driver_session)

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

        def attempt(retried: bool) -> int:
            if just_one:
                result = collection.delete_one(filter_, session=driver_session)
            else:
                result = collection.delete_many(filter_, session=driver_session)
            return result.deleted_count

        return self._retrying(attempt, driver_session, idempotent=False)

    def session(self) -> SyncSession:
        """A new session on this engine: start it, or use it as a context manager."""
        return SyncSession(self)

    def with_transaction(
        self,
        callback: Callable[[SyncTransaction], T],
        *,
        timeout: float = WITH_TRANSACTION_TIMEOUT,
    ) -> T:
        """Run `callback(transaction)` in a transaction (in a session of its own) and commit it.

        As PyMongo's `ClientSession.with_transaction`: the whole callback runs again after an
        error labelled `TransientTransactionError` (a write conflict, a failover), the commit
        alone after `UnknownTransactionCommitResult`, until `timeout` seconds have passed. The
        callback may run more than once: keep it to database work. If it commits or aborts
        the transaction itself, nothing more is done.

        Example:
            def transfer(transaction: SyncTransaction) -> None:
                account = transaction.find_one(Account, Account.id == account_id)
                account.balance -= 10
                transaction.save(account)

            engine.with_transaction(transfer)

        Returns:
            what `callback` returned.
        """
        return SyncTransaction.run(self, callback, timeout)

    def transaction(self) -> SyncTransaction:
        """A new transaction in its own session: start it, or use it as a context manager.

        Leaving `with engine.transaction()` normally commits; an exception aborts.
        """
        return SyncTransaction(self)

    def close(self) -> None:
        """Close the driver client."""
        close(self.client)


__all__ = ["SyncEngine", "SyncCursor"]
