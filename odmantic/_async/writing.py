"""`Writes`: the engine methods that write (save, insert, delete, remove, updates)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from odmantic._async.bound import AIOSessionBase
from odmantic._async.client import aggregate
from odmantic._async.core import EngineCore, _check_instance, _check_model
from odmantic._async.writer import Mode, write_many, write_one
from odmantic.exceptions import DocumentNotFoundError
from odmantic.model import Model
from odmantic.query import QueryExpression, build_filter, build_sort
from odmantic.reads import loader
from odmantic.reference import lookup_stages
from odmantic.update import UpdateExpression, UpdateResult, update_document
from odmantic.writes import Write, plan, with_references

ModelT = TypeVar("ModelT", bound=Model)
T = TypeVar("T")


class Writes(EngineCore):
    """The engine methods that write (see `AIOEngine`)."""

    async def save(
        self,
        instance: ModelT,
        *,
        session: AIOSessionBase | AsyncClientSession | None = None,
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

        Example:
            player = await engine.save(Player(name="Leeroy"))
            player.level += 1
            await engine.save(player)  # sends {"$set": {"level": ...}} only

        Args:
            instance: the instance to save.
            session: run inside this session or transaction.

        Returns:
            the instance.
        """
        await self._write([instance], "save", session)
        return instance

    async def save_all(
        self,
        instances: Sequence[ModelT],
        *,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> list[ModelT]:
        """Insert or update all `instances` and what they reference: one bulk write a collection.

        Raises:
            DuplicateKeyError: unique indexes refused some documents; its `failures` lists each
                one (they stay to save), the others are written.
            DocumentWriteError: some documents cannot be stored as they are (each one listed).

        Example:
            await engine.save_all([Player(name=f"p{i}") for i in range(100)])

        Args:
            instances: the instances to save.
            session: run inside this session or transaction.

        Returns:
            the instances, as a list.
        """
        instances = list(instances)
        await self._write(instances, "save", session)
        return instances

    async def insert(
        self,
        instance: ModelT,
        *,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> ModelT:
        """Insert `instance`, never writing over a stored document; references are saved first.

        Example:
            @app.post("/players")
            async def create(player: Player) -> Player:
                return await engine.insert(player)  # a posted id cannot overwrite a document

        Raises:
            DuplicateKeyError: a document already has the instance's primary key (or a unique
                index refused it); nothing was written over it.
        """
        await self._write([instance], "insert", session)
        return instance

    async def insert_all(
        self,
        instances: Sequence[ModelT],
        *,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> list[ModelT]:
        """Insert all `instances` (one bulk write a collection), never writing over a document.

        Raises:
            DuplicateKeyError: some primary keys (or unique keys) exist; its `failures` lists
                every instance refused, the others are inserted.

        Example:
            await engine.insert_all([Player(name="a"), Player(name="b")])

        Args:
            instances: the instances to insert.
            session: run inside this session or transaction.

        Returns:
            the instances, as a list.
        """
        instances = list(instances)
        await self._write(instances, "insert", session)
        return instances

    async def _write(
        self,
        instances: Sequence[Model],
        mode: Mode,
        session: AIOSessionBase | AsyncClientSession | None,
    ) -> None:
        """Write `instances` after what they reference (deepest first, one level at a time)."""
        for given in instances:
            _check_instance(given)
        driver_session = self._driver_session(session)
        levels = with_references(instances)
        if isinstance(session, AIOSessionBase):
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
                    await self._retrying(functools.partial(one, driver_session), driver_session)
                else:
                    many = functools.partial(write_many, collection, writes, level_mode)
                    await self._retrying(functools.partial(many, driver_session), driver_session)

    async def delete(
        self,
        instance: Model,
        *,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> None:
        """Delete the document of `instance`.

        Raises:
            DocumentNotFoundError: no document has the instance's primary key.

        Example:
            await engine.delete(player)

        Args:
            instance: the instance whose document is deleted.
            session: run inside this session or transaction.
        """
        _check_instance(instance)
        collection = self.get_collection(type(instance))
        driver_session = self._driver_session(session)

        async def attempt(retried: bool) -> None:
            result = await collection.delete_one(
                {"_id": instance.__primary_key__()}, session=driver_session
            )
            if result.deleted_count == 0 and not retried:  # after a retry: the first one did it
                raise DocumentNotFoundError(instance)

        await self._retrying(attempt, driver_session)

    async def remove(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        just_one: bool = False,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> int:
        """Delete the documents of `model` matching all `queries`; return how many were deleted.

        Args:
            just_one: delete at most one document.

        Example:
            removed = await engine.remove(Player, Player.level < 3)

        Args:
            model: the model whose documents are deleted.
            *queries: query expressions or raw filter dicts, combined with `$and`.
            session: run inside this session or transaction.

        Returns:
            the number of documents deleted.
        """
        _check_model(model)
        collection = self.get_collection(model)
        filter_ = build_filter(queries)
        driver_session = self._driver_session(session)

        async def attempt(retried: bool) -> int:
            if just_one:
                result = await collection.delete_one(filter_, session=driver_session)
            else:
                result = await collection.delete_many(filter_, session=driver_session)
            return result.deleted_count

        return await self._retrying(attempt, driver_session, idempotent=False)

    async def update_one(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        update: UpdateExpression,
        upsert: bool = False,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> UpdateResult:
        """Apply `update` (operators of `odmantic.update`) to the first document matching
        `queries`, in one round trip.

        Instances already loaded are not changed: they are stale until loaded again. With
        `upsert=True`, a document inserted gets what a save would store: the fields that
        neither the queries' equalities nor the update give are set to their defaults.

        Example:
            await engine.update_one(Player, Player.id == pid, update=inc(Player.level, 1))

        Raises:
            TypeError: `update` is not built with `odmantic.update` operators, or writes fields
                of another model (or of a parent class that `model` redefines).
            ValueError: an upsert could insert a document that would not load (the message
                names the field), or a hand-built update writes no field of `model`.
        """
        return await self._update(model, queries, update, upsert, session, many=False)

    async def update_many(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        update: UpdateExpression,
        upsert: bool = False,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> UpdateResult:
        """Apply `update` to every document matching `queries`, in one round trip (checked
        as by `update_one`).

        Example:
            await engine.update_many(Player, Player.team == "red", update=set_(Player.level, 0))
        """
        return await self._update(model, queries, update, upsert, session, many=True)

    async def _update(
        self,
        model: type[Model],
        queries: Sequence[QueryExpression | dict[str, Any] | bool],
        update: UpdateExpression,
        upsert: bool,
        session: AIOSessionBase | AsyncClientSession | None,
        *,
        many: bool,
    ) -> UpdateResult:
        _check_model(model)
        collection, filter_ = self.get_collection(model), build_filter(queries)
        document = update_document(model, update, filter_, upsert)
        driver_session = self._driver_session(session)

        async def attempt(retried: bool) -> UpdateResult:
            run = collection.update_many if many else collection.update_one
            result = await run(filter_, document, upsert=upsert, session=driver_session)
            return UpdateResult(result.matched_count, result.modified_count, result.upserted_id)

        # Applied twice, a single-document update can reach a second document (the first one
        # no longer matches), and an upsert can insert twice: only update_many of idempotent
        # operators is re-sent on an error that does not prove it never ran.
        idempotent = many and update.idempotent and not upsert
        return await self._retrying(attempt, driver_session, idempotent=idempotent)

    async def find_one_and_update(
        self,
        model: type[ModelT],
        *queries: QueryExpression | dict[str, Any] | bool,
        update: UpdateExpression,
        sort: Any | None = None,
        upsert: bool = False,
        return_updated: bool = True,
        session: AIOSessionBase | AsyncClientSession | None = None,
    ) -> ModelT | None:
        """Apply `update` to the first document matching `queries` (in `sort` order) and return
        it as an instance: updated (or as it was, with `return_updated=False`); None if none.
        `update` and upserts are checked as by `update_one`. For a model with references, the
        instance returned is joined with what it references (MongoDB 5.1 or newer).

        Example:
            ticket = await engine.find_one_and_update(
                Ticket, Ticket.taken == False, update=set_(Ticket.taken, True)
            )
        """
        _check_model(model)
        collection, filter_ = self.get_collection(model), build_filter(queries)
        document = update_document(model, update, filter_, upsert)
        driver_session = self._driver_session(session)
        after = ReturnDocument.AFTER if return_updated else ReturnDocument.BEFORE

        async def attempt(retried: bool) -> dict[str, Any] | None:
            found: dict[str, Any] | None = await collection.find_one_and_update(
                filter_,
                document,
                sort=build_sort(sort),
                upsert=upsert,
                return_document=after,
                session=driver_session,
            )
            return found

        raw = await self._retrying(attempt, driver_session, idempotent=False)
        if raw is None:
            return None
        if model.__schema__.references:
            # Join what the returned document references, as find does (reading it again
            # would give its current state, not the one returned).
            pipeline = [{"$documents": {"$literal": [raw]}}, *lookup_stages(model.__schema__)]
            cursor = await aggregate(collection.database, pipeline, driver_session)
            joined = await cursor.to_list(None)
            raw = joined[0]
        return loader(model).one(raw)
