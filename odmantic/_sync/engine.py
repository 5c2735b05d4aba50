# generated from odmantic/_async/engine.py by codegen; do not edit
"""`SyncEngine`, the entry point to MongoDB for models, and its operations bound to a session
(`SyncSession`) or a transaction (`SyncTransaction`).

Every operation is written once, in `SyncEngine`'s body: a session or a transaction runs the
same method with `session=` set to itself (`SyncSessionBase`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, overload

from bson.timestamp import Timestamp
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.database import Database

from odmantic._internal import read_plan
from odmantic._internal.arguments import check_database_name, check_instance, check_model
from odmantic._internal.bound_operations import operations_of
from odmantic._internal.bson_schema import (
    ValidationAction,
    ValidationLevel,
    check_validation,
    collection_options,
)
from odmantic._internal.change_events import watch_request
from odmantic._internal.delete_rules import dependants
from odmantic._internal.evolution import CheckReport
from odmantic._internal.hooks import refuse_skipped_hooks
from odmantic._internal.joins import refuse_across_references
from odmantic._internal.lazy import Lazy
from odmantic._internal.polymorphism import with_family
from odmantic._internal.references import DEFAULT_DEPTH, fetch_plan, fetched_in_order
from odmantic._internal.retries import RETRY_WRITES_FOR, update_is_idempotent
from odmantic._internal.transactions import WITH_TRANSACTION_TIMEOUT
from odmantic._internal.update_checks import update_request
from odmantic._internal.write_plan import Mode, instance_target
from odmantic._sync import adapter, cascade, configure, evolution, execute
from odmantic._sync import hooks as instance_hooks
from odmantic._sync.adapter import DriverClient
from odmantic._sync.change_stream import SyncChangeStream
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.session import (
    SessionLifecycle,
    SessionScope,
    TransactionLifecycle,
)
from odmantic.change_stream import FullDocument, FullDocumentBeforeChange, OperationType
from odmantic.exceptions import DocumentNotFoundError
from odmantic.index import family_indexes
from odmantic.model import Model, ModelT
from odmantic.query import Queries, build_filter
from odmantic.update import UpdateExpression, UpdateResult

OutputT = TypeVar("OutputT")
T = TypeVar("T")


class SyncEngine:
    """Maps models to a MongoDB database through PyMongo's `MongoClient`.

    Args:
        client: the driver client; a local `MongoClient()` when None.
        database: the database name; names containing `/ \\ . " $` or a space are refused.
        retry_writes_for: seconds during which a write interrupted by a failover or a lost
            connection is sent again (0: never), when that is safe: `save`, `save_all`,
            `insert*` and `delete` are idempotent by primary key, and so is `update_many` of
            idempotent operators; `remove`, `update_one`, `find_one_and_update` and upserts are
            re-sent only when the error proves that they never ran. Writes inside a
            transaction are not retried one by one: use `with_transaction`.
        reference_depth: how many levels of a cycle of eager references (a model referencing
            itself, directly or through others) reads join, unless the field says
            (`Reference(depth=...)`); deeper ones must be `Lazy`.

    Raises:
        ValueError: a database name MongoDB refuses.
        TypeError: a driver client of the other twin (the message says which engine to use).

    Example:
        ```python
        client = MongoClient("mongodb://localhost:27017")
        engine = SyncEngine(client=client, database="game")
        engine.save(Player(name="Leeroy"))
        top = engine.find(Player, Player.level > 10, sort=Player.level.desc())
        ```
    """

    def __init__(
        self,
        client: DriverClient | None = None,
        database: str = "test",
        *,
        retry_writes_for: float = RETRY_WRITES_FOR,
        reference_depth: int = DEFAULT_DEPTH,
    ) -> None:
        check_database_name(database)
        if client is None:
            client = adapter.new_client()
        adapter.check_client(client)
        self.client: DriverClient = client
        self.database_name = database
        self.database: Database[Any] = adapter.database_of(client, database)
        self.retry_writes_for = retry_writes_for
        self.reference_depth = reference_depth
        self._collections: dict[type[Model], Collection[Any]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(database={self.database_name!r})"

    # --- reads -----------------------------------------------------------------------------
    @overload
    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: SyncSessionBase | ClientSession | None = None,
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
        session: SyncSessionBase | ClientSession | None = None,
        projection: type[OutputT],
    ) -> SyncCursor[OutputT]: ...

    def find(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: SyncSessionBase | ClientSession | None = None,
        projection: type[Any] | None = None,
    ) -> SyncCursor[Any]:
        """Search for instances of `model` matching all `queries`.

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
            the cursor over the instances (iterate it with `for`, or call
            `cursor.to_list()` for a list).

        Raises:
            ValueError: a bad `skip` or `limit`.
            TypeError: a bad `sort`, or a projection field that `model` lacks.

        Example:
            ```python
            top = engine.find(Player, Player.level > 10, sort=Player.level.desc())

            class Name(BaseModel):
                name: str

            names = engine.find(Player, projection=Name).to_list()  # fetches `name` only
            ```
        """
        read, parser = read_plan.find_request(
            model, queries, sort, skip, limit, projection, self.reference_depth
        )
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return SyncCursor(collection, read, parser, driver_session)

    @overload
    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: SyncSessionBase | ClientSession | None = None,
        projection: None = None,
    ) -> ModelT | None: ...

    @overload
    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: SyncSessionBase | ClientSession | None = None,
        projection: type[OutputT],
    ) -> OutputT | None: ...

    def find_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        sort: Any | None = None,
        session: SyncSessionBase | ClientSession | None = None,
        projection: type[Any] | None = None,
    ) -> Any:
        """Return the first instance of `model` matching all `queries` (or of `projection`,
        see `find`), or None.

        Args:
            model: the model to search.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            sort: which document comes first when several match.
            session: run inside this session or transaction.
            projection: a pydantic model whose fields are fields of `model` (see `find`).

        Returns:
            the instance, or None.

        Raises:
            DocumentParsingError: the document found does not validate as `model`.

        Example:
            ```python
            leeroy = engine.find_one(Player, Player.name == "Leeroy")
            ```
        """
        check_model(model)
        if read_plan.find_one_needs_cursor(model.__odmantic_schema__, projection, queries, sort):
            cursor = self.find(
                model, *queries, sort=sort, limit=1, session=session, projection=projection
            )
            results = cursor.to_list()
            return results[0] if results else None
        raw = self.get_collection(model).find_one(
            **read_plan.find_one_arguments(model, queries, sort),
            session=self._driver_session(session),
        )
        return None if raw is None else read_plan.loader(model).one(raw)

    def count(
        self,
        model: type[ModelT],
        *queries: Queries,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> int:
        """Return the number of documents of `model` matching all `queries`.

        Args:
            model: the model to count.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            session: run inside this session or transaction.

        Returns:
            the number of matching documents.

        Example:
            ```python
            strong = engine.count(Player, Player.level > 10)
            ```
        """
        filter_, pipeline = read_plan.count_request(model, queries)
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        if pipeline is not None:
            return execute.count(collection, pipeline, driver_session)
        return collection.count_documents(filter_, session=driver_session)

    @overload
    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: None = None,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> SyncCursor[dict[str, Any]]: ...

    @overload
    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: type[OutputT],
        session: SyncSessionBase | ClientSession | None = None,
    ) -> SyncCursor[OutputT]: ...

    def aggregate(
        self,
        model: type[Model],
        pipeline: Sequence[dict[str, Any]],
        *,
        output: type[Any] | None = None,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> SyncCursor[Any]:
        """Run an aggregation pipeline on the collection of `model`.

        `+Model.field` gives a key (`"level"`) and `++Model.field` a field path (`"$level"`)
        for the stages.

        Args:
            model: the model whose collection is aggregated.
            pipeline: the stages.
            output: a pydantic model (or odmantic model) each result document is validated
                as; None keeps the dicts.
            session: run inside this session or transaction.

        Returns:
            a cursor over the results (`for`, `cursor.to_list()`).

        Example:
            ```python
            class Total(BaseModel):
                id: str = Field(alias="_id")
                count: int

            totals = engine.aggregate(
                Player,
                [{"$group": {"_id": ++Player.team, "count": {"$sum": 1}}}],
                output=Total,
            ).to_list()
            ```
        """
        check_model(model)
        read = read_plan.Read({}, pipeline=read_plan.family_pipeline(model, pipeline))
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return SyncCursor(collection, read, read_plan.output_parser(output), driver_session)

    @overload
    def distinct(
        self,
        model: type[ModelT],
        field: list[OutputT] | set[OutputT],
        *queries: Queries,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[OutputT]: ...

    @overload
    def distinct(
        self,
        model: type[ModelT],
        field: OutputT,
        *queries: Queries,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[OutputT]: ...

    def distinct(
        self,
        model: type[ModelT],
        field: Any,
        *queries: Queries,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[Any]:
        """The distinct values of `field` among the documents of `model` matching `queries`,
        parsed through the field's type; for a list field, the distinct items (as MongoDB
        gives them), parsed through the items' type.

        Args:
            model: the model whose documents are read.
            field: the field (`Model.field`, or an embedded one).
            *queries: query expressions or raw filter dicts, combined with `$and`.
            session: run inside this session or transaction.

        Returns:
            the values, parsed through the field's type.

        Raises:
            TypeError: `field` is not one of `model`'s fields (or a parent's it inherits
                unchanged), or is a reference.

        Example:
            ```python
            levels = engine.distinct(Player, Player.level, Player.name.match("^L"))
            ```
        """
        check_model(model)
        key, parse = read_plan.distinct_of(model, field)
        filter_ = with_family(model, build_filter(queries))
        refuse_across_references(model, filter_, "distinct")
        values = self.get_collection(model).distinct(
            key, filter_, session=self._driver_session(session)
        )
        return [parse(value) for value in values]

    def fetch(
        self,
        reference: Lazy[ModelT],
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> ModelT:
        """Read the document a `Lazy` reference points to (its own references joined).

        Args:
            reference: the reference, such as `book.author` for `author: Lazy[Author]`.
            session: run inside this session or transaction.

        Returns:
            the referenced instance.

        Raises:
            DocumentNotFoundError: the document is gone; names the model and the key.
            TypeError: not a `Lazy` reference, or one whose model is unknown.

        Example:
            ```python
            book = engine.find_one(Book, Book.title == "Dune")
            author = engine.fetch(book.author)  # an Author
            ```
        """
        (found,) = self.fetch_all([reference], session=session)
        return found

    def fetch_all(
        self,
        references: Sequence[Lazy[ModelT]],
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> list[ModelT]:
        """Read the documents of several `Lazy` references: one query per referenced model.

        Args:
            references: the references.
            session: run inside this session or transaction.

        Returns:
            the referenced instances, in the order of `references` (repeated ones repeated).

        Raises:
            DocumentNotFoundError: a document is gone; names the model and the key.
            TypeError: an item is not a `Lazy` reference, or one whose model is unknown.

        Example:
            ```python
            books = engine.find(Book)
            authors = engine.fetch_all([book.author for book in books])
            ```
        """
        found: dict[type[Any], list[Any]] = {}
        for model, keys in fetch_plan(references).items():
            found[model] = self.find(model, {"_id": {"$in": keys}}, session=session).to_list()
        return fetched_in_order(references, found)

    # --- writes ----------------------------------------------------------------------------
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

        Args:
            instance: the instance to save.
            session: run inside this session or transaction.

        Returns:
            the instance.

        Raises:
            DuplicateKeyError: a unique index refused the document.
            DocumentWriteError: the document cannot be stored as it is (too large...).

        Example:
            ```python
            player = engine.save(Player(name="Leeroy"))
            player.level += 1
            engine.save(player)  # sends {"$set": {"level": ...}} only
            ```
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

        Args:
            instances: the instances to save.
            session: run inside this session or transaction.

        Returns:
            the instances, as a list.

        Raises:
            DuplicateKeyError: unique indexes refused some documents; its `failures` lists each
                one (they stay to save), the others are written.
            DocumentWriteError: some documents cannot be stored as they are (each one listed).

        Example:
            ```python
            engine.save_all([Player(name=f"p{i}") for i in range(100)])
            ```
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

        Args:
            instance: the instance to insert.
            session: run inside this session or transaction.

        Returns:
            the instance.

        Raises:
            DuplicateKeyError: a document already has the instance's primary key (or a unique
                index refused it); nothing was written over it.

        Example:
            ```python
            @app.post("/players")
            def create(player: Player) -> Player:
                return engine.insert(player)  # a posted id cannot overwrite a document
            ```
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

        Args:
            instances: the instances to insert.
            session: run inside this session or transaction.

        Returns:
            the instances, as a list.

        Raises:
            DuplicateKeyError: some primary keys (or unique keys) exist; its `failures` lists
                every instance refused, the others are inserted.

        Example:
            ```python
            engine.insert_all([Player(name="a"), Player(name="b")])
            ```
        """
        instances = list(instances)
        self._write(instances, "insert", session)
        return instances

    def delete(
        self,
        instance: Model,
        *,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> None:
        """Delete the document of `instance`.

        Args:
            instance: the instance whose document is deleted.
            session: run inside this session or transaction.

        Raises:
            DocumentNotFoundError: no document has the instance's primary key.

        Example:
            ```python
            engine.delete(player)
            ```
        """
        check_instance(instance)
        refused = instance_hooks.run_before([instance], "before_delete")
        if refused:
            raise refused[id(instance)]
        if dependants(type(instance).__odmantic_schema__):  # delete rules apply
            by_key = instance_target(instance)
            if not cascade.delete_with_rules(self, type(instance), by_key, True, session):
                raise DocumentNotFoundError(instance)
        else:
            collection = self.get_collection(type(instance))
            driver_session = self._driver_session(session)
            execute.delete(collection, instance, driver_session, self.retry_writes_for)
        instance_hooks.run_after([instance], "after_delete", session)

    def remove(
        self,
        model: type[ModelT],
        *queries: Queries,
        just_one: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
        hooks: bool = True,
    ) -> int:
        """Delete the documents of `model` matching all `queries`; return how many were deleted.

        Args:
            model: the model whose documents are deleted.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            just_one: delete at most one document.
            session: run inside this session or transaction.
            hooks: refuse (True, the default) when `model` has delete hooks, which a query-level
                delete cannot run; False skips them knowingly.

        Returns:
            the number of documents deleted.

        Example:
            ```python
            removed = engine.remove(Player, Player.level < 3)
            ```
        """
        check_model(model)
        refuse_skipped_hooks(model, "remove", hooks)
        filter_ = with_family(model, build_filter(queries))
        refuse_across_references(model, filter_, "remove")
        if dependants(model.__odmantic_schema__):  # delete rules apply
            return cascade.delete_with_rules(self, model, filter_, just_one, session)
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return execute.remove(collection, filter_, just_one, driver_session, self.retry_writes_for)

    def update_one(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        upsert: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
        hooks: bool = True,
    ) -> UpdateResult:
        """Apply `update` (operators of `odmantic.update`) to the first document matching
        `queries`, in one round trip.

        Instances already loaded are not changed: they are stale until loaded again. With
        `upsert=True`, a document inserted gets what a save would store: the fields that
        neither the queries' equalities nor the update give are set to their defaults.

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            update: operators of `odmantic.update`, combined with `&`.
            upsert: insert a document when none matches.
            session: run inside this session or transaction.
            hooks: refuse (True, the default) when `model` has save hooks, which an update
                cannot run; False skips them knowingly.

        Returns:
            how many documents matched and changed, and the id of a document upserted.

        Raises:
            TypeError: `update` is not built with `odmantic.update` operators, or writes fields
                of another model (or of a parent class that `model` redefines).
            ValueError: an upsert could insert a document that would not load (the message
                names the field), or a hand-built update writes no field of `model`.

        Example:
            ```python
            engine.update_one(Player, Player.id == pid, update=inc(Player.level, 1))
            ```
        """
        refuse_skipped_hooks(model, "update_one", hooks)
        return self._update(model, queries, update, upsert, session, many=False)

    def update_many(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        upsert: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
        hooks: bool = True,
    ) -> UpdateResult:
        """Apply `update` to every document matching `queries`, in one round trip (checked
        as by `update_one`).

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            update: operators of `odmantic.update`, combined with `&`.
            upsert: insert a document when none matches.
            session: run inside this session or transaction.
            hooks: refuse (True, the default) when `model` has save hooks, which an update
                cannot run; False skips them knowingly.

        Returns:
            how many documents matched and changed, and the id of a document upserted.

        Raises:
            TypeError: as `update_one`.
            ValueError: as `update_one`.

        Example:
            ```python
            engine.update_many(Player, Player.team == "red", update=set_(Player.level, 0))
            ```
        """
        refuse_skipped_hooks(model, "update_many", hooks)
        return self._update(model, queries, update, upsert, session, many=True)

    def find_one_and_update(
        self,
        model: type[ModelT],
        *queries: Queries,
        update: UpdateExpression,
        sort: Any | None = None,
        upsert: bool = False,
        return_updated: bool = True,
        session: SyncSessionBase | ClientSession | None = None,
        hooks: bool = True,
    ) -> ModelT | None:
        """Apply `update` to the first document matching `queries` (in `sort` order) and return
        it as an instance: updated (or as it was, with `return_updated=False`); None if none.
        `update` and upserts are checked as by `update_one`. For a model with references, the
        instance returned is joined with what it references (MongoDB 5.1 or newer).

        Args:
            model: the model to update.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            update: operators of `odmantic.update`, combined with `&`.
            sort: which document is updated when several match.
            upsert: insert a document when none matches.
            return_updated: return the document as updated (else as it was).
            session: run inside this session or transaction.
            hooks: refuse (True, the default) when `model` has save hooks, which an update
                cannot run; False skips them knowingly.

        Returns:
            the instance, or None when nothing matched.

        Raises:
            TypeError: as `update_one`.
            ValueError: as `update_one`.

        Example:
            ```python
            ticket = engine.find_one_and_update(
                Ticket, Ticket.taken == False, update=set_(Ticket.taken, True)
            )
            ```
        """
        check_model(model)
        refuse_skipped_hooks(model, "find_one_and_update", hooks)
        arguments = update_request(model, queries, update, upsert, sort)
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        raw = execute.find_one_and_update(
            collection,
            arguments,
            return_updated,
            model.__odmantic_schema__,
            driver_session,
            self.retry_writes_for,
            self.reference_depth,
        )
        return None if raw is None else read_plan.loader(model).one(raw)

    # --- schema evolution --------------------------------------------------------------------
    def check_documents(
        self,
        model: type[ModelT],
        *queries: Queries,
        limit: int | None = None,
        progress: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> CheckReport:
        """Read the stored documents of `model` (those matching `queries`) and report the ones
        that no longer load: a drift check after the model changed.

        Documents are streamed in driver batches and none is kept, so memory stays flat
        whatever the collection's size; references are joined as `find` joins them.

        Args:
            model: the model the documents must load as.
            *queries: query expressions (as `find`'s) choosing the documents to check.
            limit: check at most this many documents.
            progress: show a progress bar on standard error when it is a terminal.
            session: run inside this session or transaction.

        Returns:
            the report: documents checked, documents failing, and for each failing field (every
            one of a document counts; a list's items under the list) its count and a few
            example ids with the error (`str(report)` prints it).

        Example:
            ```python
            report = engine.check_documents(Player)
            print(report)  # Player: 1200 documents checked, 3 failing ...
            assert report.ok
            ```
        """
        cursor = self.find(model, *queries, limit=limit, session=session)
        total = self.count(model, *queries, session=session) if progress else None
        if total is not None and limit is not None:
            total = min(total, limit)
        return evolution.check_documents(cursor, model, total, progress)

    # --- change streams ----------------------------------------------------------------------
    def watch(
        self,
        model: type[ModelT],
        *queries: Queries,
        operations: Iterable[OperationType] | None = None,
        full_document: FullDocument | None = "updateLookup",
        full_document_before_change: FullDocumentBeforeChange | None = None,
        resume_after: Mapping[str, Any] | None = None,
        start_at_operation_time: Timestamp | None = None,
        batch_size: int | None = None,
        max_await_time_ms: int | None = None,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> SyncChangeStream[ModelT]:
        """Watch the changes of `model`'s documents, as they happen (a MongoDB change stream).

        Queries apply to each change's full document: a delete (which has none) or an update
        read with `full_document="default"` does not match them. A polymorphic root sees its
        subclasses' changes, a subclass only its own (a delete is told apart by its pre-image:
        without `full_document_before_change`, a subclass sees every delete of the collection).
        MongoDB refuses change streams in a transaction: opening one there raises
        RuntimeError.

        Args:
            model: the model whose collection is watched.
            *queries: query expressions (as `find`'s) the full document must match.
            operations: the operation types to keep (`["insert", "update"]`); None: all.
            full_document: what an update event carries as `document`: the document when the
                event is read (`"updateLookup"`), none (`"default"`), or its post-image
                (`"whenAvailable"`, `"required"`: pre-images enabled on the collection).
            full_document_before_change: `"whenAvailable"` or `"required"` fills
                `event.before` (`model_config["change_stream_pre_images"]` and
                `configure_database`).
            resume_after: a resume token (`stream.resume_token`, `event.resume_token`): the
                stream starts right after that event, nothing lost nor repeated.
            start_at_operation_time: start at this cluster time instead.
            batch_size: events per server batch.
            max_await_time_ms: how long the server waits for a change before answering a
                `try_next()` with none.
            session: run inside this session or transaction.

        Returns:
            the stream: iterate it with `for`; `with` opens it at once and closes it.

        Raises:
            ValueError: an unknown operation type.
            TypeError: a query through a reference, or an operator that cannot apply to a
                change's document (`$expr`, `$text`...).

        Example:
            ```python
            with engine.watch(Player, Player.level > 10, operations=["update"]) as stream:
                for event in stream:
                    print(event.id, event.updated_fields)  # {"level": 12}
            ```
        """
        check_model(model)
        options = {
            "resume_after": resume_after,
            "start_at_operation_time": start_at_operation_time,
            "batch_size": batch_size,
            "max_await_time_ms": max_await_time_ms,
        }
        request = watch_request(
            model, queries, operations, full_document, full_document_before_change, options
        )
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return SyncChangeStream(collection, request, driver_session, self.retry_writes_for)

    # --- database, sessions, client ---------------------------------------------------------
    def get_collection(self, model: type[Model]) -> Collection[Any]:
        """The driver collection storing `model`.

        Args:
            model: a `Model` subclass.

        Returns:
            PyMongo's collection (for what the engine does not cover).

        Example:
            ```python
            raw = engine.get_collection(Player).find_one({})
            ```
        """
        collection = self._collections.get(model)
        if collection is None:
            check_model(model)
            collection = self._collections[model] = self.database[model.__collection__]
        return collection

    def configure_database(
        self,
        models: Sequence[type[Model]],
        *,
        update_existing_indexes: bool = False,
        validation: ValidationAction | None = None,
        validation_level: ValidationLevel = "moderate",
        shard: bool = False,
        session: SyncSessionBase | ClientSession | None = None,
    ) -> None:
        """Create the indexes of `models` (field `index`/`unique` options and `Index` objects),
        set validators generated from the models, enable change stream pre-images where
        `model_config["change_stream_pre_images"]` asks, and shard the collections of sharded
        models. A collection that does not exist yet is created with its options.

        With `validation`, the server checks every write against the model's
        `model_bson_schema()`: everything odmantic writes passes, and a document the model could
        not load (a wrong type, a required key missing) is refused (`"error"`) or logged
        (`"warn"`). The default level, `"moderate"`, leaves the updates of documents that were
        invalid already unchecked, so an old collection keeps working while it is migrated;
        `validation_level="strict"` checks every write (once `check_documents` finds no
        invalid document).

        Args:
            models: the models whose collections to configure.
            update_existing_indexes: drop and recreate an existing index whose options differ
                (otherwise such a conflict raises `pymongo.errors.OperationFailure`).
            validation: `"error"` or `"warn"` sets each collection's validator (`collMod` of
                an existing one); None leaves validators as they are.
            validation_level: `"moderate"` or `"strict"` (see above).
            shard: on a mongos, shard each model's collection by its
                `model_config["shard_key"]` (`enableSharding`, the shard key's index, then
                `shardCollection`).
            session: run inside this session or transaction.

        Raises:
            RuntimeError: `shard=True` when not connected to a sharded cluster (raised before
                anything is sent).
            TypeError: `shard=True` with a model that has no shard key, or a unique index that
                does not start with it.
            ValueError: an unknown validation action or level.

        Example:
            ```python
            engine.configure_database([Player, Team])
            engine.configure_database([Player], validation="error")
            engine.configure_database([Order], shard=True)  # on a mongos
            ```
        """
        check_validation(validation, validation_level)
        driver_session = self._driver_session(session)
        schemas = [model.__odmantic_schema__ for model in models]
        sharding = configure.check_sharded_cluster(self.database, models) if shard else []
        for model in models:
            collection = self.get_collection(model)
            indexes = family_indexes(model)
            configure.create_indexes(collection, indexes, update_existing_indexes, driver_session)
            options = collection_options(model, validation, validation_level)
            if options:
                configure.set_options(self.database, collection.name, options, driver_session)
        if sharding:
            configure.shard(self.database, schemas, sharding, driver_session)

    def session(self) -> SyncSession:
        """A new session on this engine: start it, or use it as a context manager.

        Returns:
            the session, not started.

        Example:
            ```python
            with engine.session() as session:
                session.save(Player(name="p"))
            ```
        """
        return SyncSession(self)

    def transaction(self) -> SyncTransaction:
        """A new transaction in its own session: start it, or use it as a context manager.

        Leaving `with engine.transaction()` normally commits; an exception aborts.

        Returns:
            the transaction, not started.

        Example:
            ```python
            with engine.transaction() as transaction:
                transaction.save(Player(name="p"))
            ```
        """
        return SyncTransaction(self)

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

        Args:
            callback: the work, given the transaction.
            timeout: seconds after which errors are raised rather than retried.

        Returns:
            what `callback` returned.

        Example:
            ```python
            def transfer(transaction: SyncTransaction) -> None:
                account = transaction.find_one(Account, Account.id == account_id)
                account.balance -= 10
                transaction.save(account)

            engine.with_transaction(transfer)
            ```
        """
        return SyncTransaction._run(self, callback, timeout)

    def close(self) -> None:
        """Close the driver client.

        Example:
            ```python
            engine.close()
            ```
        """
        adapter.close(self.client)

    # --- helpers ----------------------------------------------------------------------------
    def _driver_session(self, session: Any) -> ClientSession | None:
        """The driver session of the `session` argument (None: none)."""
        return adapter.driver_session_of(session, self.client)

    def _write(self, instances: Sequence[Model], mode: Mode, session: Any) -> None:
        """Write `instances` after what they reference (deepest first, one level at a time),
        their hooks around (an instance whose `before_save` raised is not written)."""
        for given in instances:
            check_instance(given)
        driver_session = self._driver_session(session)
        saves, refused = instance_hooks.plan_saves_with_hooks(instances, mode)
        if isinstance(session, SessionScope):
            session._track_saves(saves.instances)
        try:
            for batch in saves.batches():
                collection = self.get_collection(batch.model)
                execute.write(collection, batch, driver_session, self.retry_writes_for)
        finally:  # the after_save hooks of what was saved, even when some writes failed
            instance_hooks.run_after_saves(saves, session)
        if refused:
            raise next(iter(refused.values()))

    def _update(
        self,
        model: type[Model],
        queries: Sequence[Queries],
        update: UpdateExpression,
        upsert: bool,
        session: Any,
        *,
        many: bool,
    ) -> UpdateResult:
        check_model(model)
        request = update_request(model, queries, update, upsert)
        idempotent = update_is_idempotent(update, many, upsert)
        collection, driver_session = self.get_collection(model), self._driver_session(session)
        return execute.update(
            collection, request, many, idempotent, driver_session, self.retry_writes_for
        )


_in_session = operations_of(SyncEngine)


class SyncSessionBase(SessionScope):
    """The engine's operations, run inside this session or transaction: the same methods as
    `SyncEngine`'s, without the `session` argument."""

    engine: SyncEngine

    find = _in_session(lambda engine: engine.find)
    find_one = _in_session(lambda engine: engine.find_one)
    count = _in_session(lambda engine: engine.count)
    aggregate = _in_session(lambda engine: engine.aggregate)
    distinct = _in_session(lambda engine: engine.distinct)
    save = _in_session(lambda engine: engine.save)
    save_all = _in_session(lambda engine: engine.save_all)
    insert = _in_session(lambda engine: engine.insert)
    insert_all = _in_session(lambda engine: engine.insert_all)
    delete = _in_session(lambda engine: engine.delete)
    remove = _in_session(lambda engine: engine.remove)
    update_one = _in_session(lambda engine: engine.update_one)
    update_many = _in_session(lambda engine: engine.update_many)
    find_one_and_update = _in_session(lambda engine: engine.find_one_and_update)
    fetch = _in_session(lambda engine: engine.fetch)
    fetch_all = _in_session(lambda engine: engine.fetch_all)
    configure_database = _in_session(lambda engine: engine.configure_database)
    watch = _in_session(lambda engine: engine.watch)
    check_documents = _in_session(lambda engine: engine.check_documents)

    def get_collection(self, model: type[Model]) -> Collection[Any]:
        """The driver collection storing `model` (`SyncEngine.get_collection`); its calls run
        in this session or transaction when given `session=self.get_driver_session()`.

        Args:
            model: a `Model` subclass.

        Returns:
            PyMongo's collection.

        Example:
            ```python
            collection = transaction.get_collection(Player)
            collection.update_many(
                {}, {"$rename": {"lvl": "level"}}, session=transaction.get_driver_session()
            )
            ```
        """
        return self.engine.get_collection(model)


class SyncSession(SessionLifecycle, SyncSessionBase):
    """A session object for ordering sequential operations.

    Sessions are created from the engine with `SyncEngine.session`. They have the engine's
    operations (`find`, `save`...), without the `session` argument.

    Example:
        ```python
        with engine.session() as session:
            john = session.find_one(User, User.name == "John")
            john.name = "Doe"
            session.save(john)
        ```

    Raw usage: `session = engine.session()`, `session.start()`, ...,
    `session.end()`.
    """

    def __init__(self, engine: SyncEngine) -> None:
        super().__init__(engine.client)
        self.engine = engine

    def transaction(self) -> SyncTransaction:
        """Create a transaction in this session.

        Returns:
            the transaction, not started.

        Example:
            ```python
            with engine.session() as session:
                with session.transaction() as transaction:
                    transaction.save(Player(name="p"))
            ```
        """
        return SyncTransaction(self)

    def with_transaction(
        self,
        callback: Callable[[SyncTransaction], T],
        *,
        timeout: float = WITH_TRANSACTION_TIMEOUT,
    ) -> T:
        """Run `callback(transaction)` in a transaction of this session and commit it.

        See `SyncEngine.with_transaction`: the whole callback is retried on errors labelled
        `TransientTransactionError`, the commit alone on `UnknownTransactionCommitResult`.

        Args:
            callback: the work, given the transaction.
            timeout: seconds after which errors are raised rather than retried.

        Returns:
            what `callback` returned.

        Example:
            ```python
            def level_up(transaction: SyncTransaction) -> int:
                player = transaction.find_one(Player, Player.name == "Leeroy")
                player.level += 1
                transaction.save(player)
                return player.level

            with engine.session() as session:
                level = session.with_transaction(level_up)
            ```
        """
        return SyncTransaction._run(self, callback, timeout)


class SyncTransaction(TransactionLifecycle, SyncSessionBase):
    """A transaction object to aggregate sequential operations.

    Transactions are created from the engine with `SyncEngine.transaction` (in a session of
    their own), or in a started session with `SyncSession.transaction`. Leaving the
    `with` block normally commits the transaction (if `commit()` or `abort()` was not
    called already); leaving it by an exception aborts it. They have the engine's operations
    (`find`, `save`...), without the `session` argument.

    Args:
        context: the engine (the transaction then runs in a session of its own, ended by
            `commit()`/`abort()`), or a started session.

    Raises:
        RuntimeError: "provided session is not started".

    Example:
        ```python
        with engine.transaction() as transaction:
            john = transaction.find_one(User, User.name == "John")
            john.name = "Doe"
            transaction.save(john)
            transaction.commit()
        ```

    Warning:
        MongoDB supports transactions on replica sets and sharded clusters only.
    """

    session: SyncSession

    def __init__(self, context: SyncEngine | SyncSession) -> None:
        super().__init__(context)
        self.engine = self.session.engine

    @classmethod
    def _session_for(cls, context: Any) -> tuple[SyncSession, bool]:
        if isinstance(context, SyncSession):
            if not context.is_started:
                raise RuntimeError("provided session is not started")
            return context, False
        return SyncSession(context), True


__all__ = [
    "SyncEngine",
    "SyncCursor",
    "SyncChangeStream",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
]
