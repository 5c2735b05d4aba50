"""Runs the writes of `odmantic.writes` against a collection: one instance, or one bulk write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NoReturn

import bson
from bson.errors import BSONError
from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DocumentTooLarge, OperationFailure
from pymongo.errors import DuplicateKeyError as PyMongoDuplicateKeyError

from odmantic.exceptions import DocumentWriteError, DuplicateKeyError, WriteConflictError
from odmantic.writes import Write, same

Mode = Literal["save", "insert"]
"""`save`: upsert by primary key; `insert`: refuse a primary key that is already stored."""

_DUPLICATE_KEY = 11000
_WRITE_CONFLICT = 112
# Errors PyMongo or the server raise for a document that cannot be stored as it is.
_UNSTORABLE = (BSONError, OverflowError, DocumentTooLarge, UnicodeEncodeError)
_SERVER_UNSTORABLE = frozenset({2, 10334, 15, 17419, 17280})


def _is_primary_key_clash(error: Mapping[str, Any]) -> bool:
    return error.get("code") == _DUPLICATE_KEY and "_id" in (error.get("keyPattern") or {})


def _operation(write: Write, mode: Mode, in_transaction: bool) -> InsertOne[Any] | UpdateOne:
    """Insert a new document (an upsert inside a transaction, where a clash would abort it)."""
    if write.update is not None:
        return UpdateOne({"_id": write.key}, write.update)
    if mode == "insert" or not in_transaction:
        return InsertOne(write.document)
    return UpdateOne({"_id": write.key}, write.upsert(), upsert=True)


async def write_one(
    collection: AsyncCollection[Any],
    write: Write,
    mode: Mode,
    session: AsyncClientSession | None,
    retried: bool = False,
) -> None:
    """Write one instance, then mark it stored.

    With `retried` (an earlier attempt may have been applied), the write is made idempotent
    and an insert clashing on the instance's own `_id` counts as done when the stored document
    is the one it wrote.
    """
    if retried:
        write = write.idempotent()
    try:
        if write.update is not None:
            result = await collection.update_one({"_id": write.key}, write.update, session=session)
            if result.matched_count == 0:  # deleted meanwhile: written again in full
                await collection.update_one(
                    {"_id": write.key}, write.upsert(), upsert=True, session=session
                )
        elif mode == "insert":
            await collection.insert_one(write.document, session=session)
        else:
            await collection.update_one(
                {"_id": write.key}, write.upsert(), upsert=True, session=session
            )
    except PyMongoDuplicateKeyError as exc:
        own = retried and mode == "insert" and _is_primary_key_clash(exc.details or {})
        if not (own and await _landed(collection, [write], session)):
            raise DuplicateKeyError(write.instance, exc) from exc
    except _UNSTORABLE as exc:
        raise DocumentWriteError([(write.instance, _unstorable(write, exc))]) from exc
    except OperationFailure as exc:
        if exc.code == _WRITE_CONFLICT:
            raise WriteConflictError(write.instance, exc) from exc
        if exc.code not in _SERVER_UNSTORABLE:
            raise
        raise DocumentWriteError([(write.instance, str(exc))]) from exc
    write.instance.__mark_stored__(write.document)


async def write_many(
    collection: AsyncCollection[Any],
    writes: list[Write],
    mode: Mode,
    session: AsyncClientSession | None,
    retried: bool = False,
) -> None:
    """Write `writes` in one unordered bulk write; mark stored the instances written.

    New documents whose `_id` exists become upserts when saving; a document updated by its
    changes but deleted meanwhile is written again in full. With `retried`, as `write_one`.

    Raises:
        DuplicateKeyError: unique keys refused some documents (every one is listed).
        DocumentWriteError: other documents could not be written (every one is listed).
    """
    if not writes:
        return
    if retried:
        writes = [w.idempotent() for w in writes]
    in_transaction = session is not None and session.in_transaction
    operations = [_operation(w, mode, in_transaction) for w in writes]
    failed: dict[int, dict[str, Any]] = {}
    clashed: list[int] = []
    driver_error: BulkWriteError | None = None
    try:
        result = await collection.bulk_write(operations, ordered=False, session=session)
        details: dict[str, Any] = dict(result.bulk_api_result)
    except BulkWriteError as exc:
        driver_error, details = exc, dict(exc.details)
        for error in details.get("writeErrors", []):
            if error.get("code") == _WRITE_CONFLICT:
                raise WriteConflictError(writes[error["index"]].instance, exc) from exc
            new = writes[error["index"]].update is None
            if new and _is_primary_key_clash(error) and (mode == "save" or retried):
                clashed.append(error["index"])
            else:
                failed[error["index"]] = error
    except _UNSTORABLE as exc:
        _raise_unstorable(writes, exc)
    except OperationFailure as exc:
        if exc.code == _WRITE_CONFLICT:
            raise WriteConflictError(writes[0].instance, exc) from exc
        raise
    await _settle(collection, writes, mode, session, details, failed, clashed)
    if failed:
        _raise_failures(writes, failed, driver_error)
    if details.get("writeConcernErrors"):
        raise driver_error or OperationFailure(str(details["writeConcernErrors"]))


async def _settle(
    collection: AsyncCollection[Any],
    writes: list[Write],
    mode: Mode,
    session: AsyncClientSession | None,
    details: dict[str, Any],
    failed: dict[int, dict[str, Any]],
    clashed: list[int],
) -> None:
    """After the bulk write: mark stored what was written, write again what has to be (new
    documents whose `_id` exists, when saving; documents deleted meanwhile), and add to
    `failed` what could not be written."""
    retry = [i for i in clashed if mode == "save"]
    for index in clashed:  # inserts retried after an attempt that may have been applied
        if mode == "insert" and not await _landed(collection, [writes[index]], session):
            failed[index] = {"code": _DUPLICATE_KEY, "errmsg": "the _id exists", "index": index}
    upserts = sum(1 for op in _upsert_flags(writes, mode, session) if op)
    matched_updates = details.get("nMatched", 0) - (upserts - details.get("nUpserted", 0))
    updated = [w for i, w in enumerate(writes) if w.update is not None and i not in failed]
    if matched_updates < len(updated):
        await _rewrite_deleted(collection, updated, session)
    for index, write in enumerate(writes):
        if index not in failed and index not in retry:
            write.instance.__mark_stored__(write.document)
    if retry:
        try:
            await write_many(collection, [_as_upsert(writes[i]) for i in retry], "save", session)
        except DuplicateKeyError as exc:
            by_instance = {id(writes[i].instance): i for i in retry}
            for instance, error in exc.failures:
                failed[by_instance[id(instance)]] = error


def _upsert_flags(
    writes: list[Write], mode: Mode, session: AsyncClientSession | None
) -> list[bool]:
    """Which operations of the bulk write were upserts (new documents inside a transaction)."""
    in_transaction = session is not None and session.in_transaction
    return [w.update is None and mode == "save" and in_transaction for w in writes]


async def _landed(
    collection: AsyncCollection[Any], writes: list[Write], session: AsyncClientSession | None
) -> bool:
    """Whether every document of `writes` is stored exactly as they would write it."""
    keys = [w.key for w in writes]
    cursor = collection.find({"_id": {"$in": keys}}, session=session)
    stored = {repr(doc["_id"]): doc for doc in await cursor.to_list(None)}
    return all(same(stored.get(repr(w.key)), w.document) for w in writes)


def _as_upsert(write: Write) -> Write:
    return Write(write.instance, write.document, write.upsert())


async def _rewrite_deleted(
    collection: AsyncCollection[Any], updated: list[Write], session: AsyncClientSession | None
) -> None:
    """Write in full the updated documents that another writer deleted meanwhile."""
    cursor = collection.find(
        {"_id": {"$in": [w.key for w in updated]}}, {"_id": 1}, session=session
    )
    present = [doc["_id"] for doc in await cursor.to_list(None)]
    for write in updated:
        if write.key not in present:
            await collection.update_one(
                {"_id": write.key}, write.upsert(), upsert=True, session=session
            )


def _raise_failures(
    writes: list[Write], failed: dict[int, dict[str, Any]], cause: BulkWriteError | None
) -> None:
    failures = [(writes[i].instance, error) for i, error in sorted(failed.items())]
    if all(error.get("code") == _DUPLICATE_KEY for _, error in failures):
        first, details = failures[0]
        assert cause is not None
        raise DuplicateKeyError(first, cause, details=details, failures=failures) from cause
    raise DocumentWriteError(
        [(instance, str(error.get("errmsg", error))) for instance, error in failures]
    ) from cause


def _unstorable(write: Write, exc: BaseException) -> str:
    """Why the document of `write` cannot be stored, naming the first field at fault."""
    for key, value in write.document.items():
        try:
            bson.encode({key: value})
        except _UNSTORABLE as field_exc:
            return f"field {key!r} cannot be stored: {field_exc}"
    return f"the document cannot be stored: {exc}"


def _raise_unstorable(writes: list[Write], exc: BaseException) -> NoReturn:
    failures = []
    for write in writes:
        try:
            bson.encode(write.document)
        except _UNSTORABLE as doc_exc:
            failures.append((write.instance, _unstorable(write, doc_exc)))
    raise DocumentWriteError(failures or [(writes[0].instance, str(exc))]) from exc
