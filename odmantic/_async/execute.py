"""The executor: short loops that send what `odmantic._internal` decided and hand it the
answers (writes, their follow-ups, retries, index creation)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError
from pymongo.errors import DuplicateKeyError as DriverDuplicateKeyError

from odmantic._async.adapter import aggregate, sleep
from odmantic._internal.read_plan import joined_literal
from odmantic._internal.retries import Retries, applies
from odmantic._internal.schema import ModelSchema
from odmantic._internal.server_errors import UNSTORABLE_ERRORS
from odmantic._internal.sharding import target, targets
from odmantic._internal.write_outcome import (
    bulk_command_error,
    deleted,
    landed,
    may_be_own_insert,
    raise_bulk_failures,
    raise_unstorable,
    read_bulk,
    revision_conflicts,
    write_error,
)
from odmantic._internal.write_plan import Batch, Mode, Write, delete_filter
from odmantic.exceptions import DocumentNotFoundError, DuplicateKeyError, RevisionConflictError
from odmantic.model import Model
from odmantic.update import UpdateResult

T = TypeVar("T")


async def retrying(
    attempt: Callable[[bool], Awaitable[T]],
    session: AsyncClientSession | None,
    *,
    within: float,
    idempotent: bool = True,
) -> T:
    """Run `attempt(retried)`, and again after an error `Retries` deems safe to retry, for
    `within` seconds at most (never inside a transaction)."""
    if not applies(within, session is not None and session.in_transaction):
        return await attempt(False)
    retries = Retries(deadline=time.monotonic() + within, idempotent=idempotent)
    while True:
        try:
            return await attempt(retries.retried)
        except PyMongoError as exc:
            delay = retries.after(exc, time.monotonic())
            if delay is None:
                raise
        await sleep(delay)


async def write(
    collection: AsyncCollection[Any],
    batch: Batch,
    session: AsyncClientSession | None,
    within: float,
) -> None:
    """Send one batch of a save plan (retried across failovers: writes by primary key are
    idempotent)."""
    if batch.bulk:
        writes = batch.writes

        async def attempt(retried: bool) -> None:
            await write_many(collection, writes, batch.mode, session, retried)

    else:
        single = batch.writes[0]

        async def attempt(retried: bool) -> None:
            await write_one(collection, single, batch.mode, session, retried)

    await retrying(attempt, session, within=within)


async def delete(
    collection: AsyncCollection[Any],
    instance: Model,
    session: AsyncClientSession | None,
    within: float,
) -> None:
    """Delete the document of `instance`.

    Raises:
        DocumentNotFoundError: no document has the instance's primary key.
    """
    filter_, expected = delete_filter(instance)
    revision = type(instance).__odmantic_schema__.revision
    key = None if revision is None or revision.key_name not in filter_ else revision.key_name

    async def attempt(retried: bool) -> None:
        result = await collection.delete_one(filter_, session=session)
        if result.deleted_count == 0 and key is not None:  # a revision was expected
            where = {k: v for k, v in filter_.items() if k != key}
            stored = await collection.find_one(where, session=session)
            if stored is not None:  # changed by another writer since it was loaded
                raise RevisionConflictError([(instance, expected, stored.get(key))])
        if result.deleted_count == 0 and not retried:  # after a retry: the first one did it
            raise DocumentNotFoundError(instance)

    await retrying(attempt, session, within=within)


async def remove(
    collection: AsyncCollection[Any],
    filter_: dict[str, Any],
    just_one: bool,
    session: AsyncClientSession | None,
    within: float,
) -> int:
    """Delete the documents matching `filter_`; return how many."""
    run = collection.delete_one if just_one else collection.delete_many

    async def attempt(retried: bool) -> int:
        return (await run(filter_, session=session)).deleted_count

    # Applied twice, a deletion can delete documents that match only afterwards.
    return await retrying(attempt, session, within=within, idempotent=False)


async def update(
    collection: AsyncCollection[Any],
    request: dict[str, Any],
    many: bool,
    idempotent: bool,
    session: AsyncClientSession | None,
    within: float,
) -> UpdateResult:
    """Send an update (`request`: the driver's arguments, see `update_request`)."""
    run = collection.update_many if many else collection.update_one

    async def attempt(retried: bool) -> UpdateResult:
        result = await run(**request, session=session)
        return UpdateResult(result.matched_count, result.modified_count, result.upserted_id)

    return await retrying(attempt, session, within=within, idempotent=idempotent)


async def write_one(
    collection: AsyncCollection[Any],
    write: Write,
    mode: Mode,
    session: AsyncClientSession | None,
    retried: bool = False,
) -> None:
    """Write one instance (an update, an insert or an upsert), then mark it stored."""
    if retried:
        write = write.idempotent()
    try:
        if write.update is not None:
            missing = write.insert_if_missing
            result = await collection.update_one(
                write.filter, write.update, upsert=missing, session=session
            )
            if result.matched_count == 0 and write.revision is not None:
                await _check_revisions(collection, [write], session)
            elif result.matched_count == 0 and not missing:  # deleted meanwhile: write it whole
                write = await _rewrite_whole(collection, write, session)
        elif mode == "insert":
            await collection.insert_one(write.document, session=session)
        else:
            write = await _rewrite_whole(collection, write, session)
    except Exception as exc:
        if may_be_own_insert(exc, mode, retried) and await _landed(collection, [write], session):
            pass
        else:
            error = write_error(write, exc)
            if error is None:
                raise
            raise error from exc
    write.done()


async def write_many(
    collection: AsyncCollection[Any],
    writes: list[Write],
    mode: Mode,
    session: AsyncClientSession | None,
    retried: bool = False,
) -> None:
    """Write `writes` in one unordered bulk write, carry out the follow-ups the outcome asks
    for, and mark stored the instances written.

    Raises:
        DuplicateKeyError: unique keys refused some documents (every one is listed).
        DocumentWriteError: other documents could not be written (every one is listed).
    """
    if retried:
        writes = [w.idempotent() for w in writes]
    in_transaction = session is not None and session.in_transaction
    operations = [w.operation(mode, in_transaction) for w in writes]
    cause: BulkWriteError | None = None
    try:
        result = await collection.bulk_write(operations, ordered=False, session=session)
        details: dict[str, Any] = dict(result.bulk_api_result)
    except BulkWriteError as exc:
        cause, details = exc, dict(exc.details)
    except UNSTORABLE_ERRORS as exc:
        raise_unstorable(writes, exc)
    except OperationFailure as exc:
        conflict = bulk_command_error(writes, exc)
        if conflict is None:
            raise
        raise conflict from exc
    outcome = read_bulk(writes, mode, in_transaction, retried, details, cause)
    for index in list(outcome.verify):
        if await _landed(collection, [writes[index]], session):
            outcome.accept(index)
        else:
            outcome.refuse(index)
    conflicts: list[tuple[Any, int | None, int | None]] = []
    if outcome.some_deleted:
        revised = [w for w in outcome.updated if w.revision is not None]
        if revised:
            conflicts = await _revision_conflicts(collection, revised, session)
        await _rewrite_deleted(
            collection, [w for w in outcome.updated if w.revision is None], session
        )
    refused = {id(instance) for instance, _, _ in conflicts}
    for write in outcome.written:
        if id(write.instance) not in refused:
            write.done()
    if outcome.upsert_again:
        again = [writes[i].as_upsert() for i in outcome.upsert_again]
        try:
            await write_many(collection, again, "save", session)
        except DuplicateKeyError as exc:  # a unique index other than `_id` refused some
            outcome.add_failures(exc.failures)
    raise_bulk_failures(outcome, cause)
    if conflicts:
        raise RevisionConflictError(conflicts)


async def _revision_conflicts(
    collection: AsyncCollection[Any], writes: list[Write], session: AsyncClientSession | None
) -> list[tuple[Any, int | None, int | None]]:
    cursor = collection.find(targets([w.where for w in writes]), session=session)
    return revision_conflicts(writes, await cursor.to_list(None))


async def _check_revisions(
    collection: AsyncCollection[Any], writes: list[Write], session: AsyncClientSession | None
) -> None:
    conflicts = await _revision_conflicts(collection, writes, session)
    if conflicts:
        raise RevisionConflictError(conflicts)


async def _rewrite_whole(
    collection: AsyncCollection[Any], write: Write, session: AsyncClientSession | None
) -> Write:
    """Write the whole document over whatever has its `_id`; the write as done (a revision,
    incremented by the server, is read back)."""
    try:
        return await _upsert_whole(collection, write, session)
    except DriverDuplicateKeyError:
        if write.target is not None and len(write.target) > 1:  # its `_id` has another key
            stored = await collection.find_one({"_id": write.key}, session=session)
            target(type(write.instance), write.document, stored)  # raises ShardKeyChangedError
        raise


async def _upsert_whole(
    collection: AsyncCollection[Any], write: Write, session: AsyncClientSession | None
) -> Write:
    revision = type(write.instance).__odmantic_schema__.revision
    if revision is None:
        await collection.update_one(write.where, write.upsert(), upsert=True, session=session)
        return write
    found = await collection.find_one_and_update(
        write.where,
        write.upsert(),
        projection={revision.key_name: 1},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    stored = found.get(revision.key_name) if found else None
    return dataclasses.replace(write, document={**write.document, revision.key_name: stored})


async def _landed(
    collection: AsyncCollection[Any], writes: list[Write], session: AsyncClientSession | None
) -> bool:
    cursor = collection.find(targets([w.where for w in writes]), session=session)
    return landed(writes, await cursor.to_list(None))


async def _rewrite_deleted(
    collection: AsyncCollection[Any], updated: list[Write], session: AsyncClientSession | None
) -> None:
    cursor = collection.find(targets([w.where for w in updated]), {"_id": 1}, session=session)
    present = [document["_id"] for document in await cursor.to_list(None)]
    for write in deleted(updated, present):
        await _rewrite_whole(collection, write, session)


async def count(
    collection: AsyncCollection[Any], pipeline: list[dict[str, Any]], session: Any
) -> int:
    """Run a counting pipeline (ending with `$count: "n"`) and return the count."""
    cursor = await aggregate(collection, pipeline, session)
    counted = await cursor.to_list(None)
    return int(counted[0]["n"]) if counted else 0


async def find_one_and_update(
    collection: AsyncCollection[Any],
    arguments: dict[str, Any],
    return_updated: bool,
    schema: ModelSchema,
    session: AsyncClientSession | None,
    within: float,
    depth: int,
) -> dict[str, Any] | None:
    """The document updated (as updated, or as it was), joined with what it references (sent
    again only on an error proving that it never ran; `depth`: the levels of a cycle joined)."""
    after = ReturnDocument.AFTER if return_updated else ReturnDocument.BEFORE

    async def attempt(retried: bool) -> dict[str, Any] | None:
        found: dict[str, Any] | None = await collection.find_one_and_update(
            **arguments, return_document=after, session=session
        )
        return found

    raw = await retrying(attempt, session, within=within, idempotent=False)
    pipeline = None if raw is None else joined_literal(schema, raw, depth)
    if pipeline is None:
        return raw
    cursor = await aggregate(collection.database, pipeline, session)
    joined: list[dict[str, Any]] = await cursor.to_list(None)
    return joined[0]
