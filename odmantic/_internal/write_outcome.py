"""What the result (or the error) of a write means for the instances written, without I/O.

The executor of each twin sends what `write_plan` decided, hands the driver's answer to these
functions, and carries out the follow-ups they return: documents to check, to write again as
upserts, or to write again whole because another writer deleted them meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import bson
from pymongo.errors import BulkWriteError, OperationFailure
from pymongo.errors import DuplicateKeyError as PyMongoDuplicateKeyError

from odmantic._internal.server_errors import (
    DUPLICATE_KEY,
    UNSTORABLE_CODES,
    UNSTORABLE_ERRORS,
    WRITE_CONFLICT,
    is_primary_key_clash,
)
from odmantic._internal.write_plan import Mode, Write, same
from odmantic.exceptions import DocumentWriteError, DuplicateKeyError, WriteConflictError


def write_error(write: Write, error: Exception) -> Exception | None:
    """The odmantic error for a driver error raised by the write of one instance, or None
    when the driver error is raised as it is.

    Example:
        ```python
        write_error(write, pymongo_duplicate_key_error)  # DuplicateKeyError(write.instance, ...)
        ```
    """
    if isinstance(error, PyMongoDuplicateKeyError):
        return DuplicateKeyError(write.instance, error)
    if isinstance(error, UNSTORABLE_ERRORS):
        return DocumentWriteError([(write.instance, unstorable_reason(write, error))])
    if isinstance(error, OperationFailure):
        if error.code == WRITE_CONFLICT:
            return WriteConflictError(write.instance, error)
        if error.code in UNSTORABLE_CODES:
            return DocumentWriteError([(write.instance, str(error))])
    return None


def bulk_command_error(writes: list[Write], error: OperationFailure) -> Exception | None:
    """The odmantic error for a bulk write refused as a whole (not one write of it), or None
    when PyMongo's error is raised as it is: only a write conflict, which aborts the
    transaction, becomes `WriteConflictError` (naming the first instance of the batch)."""
    if error.code == WRITE_CONFLICT:
        return WriteConflictError(writes[0].instance, error)
    return None


def may_be_own_insert(error: Exception, mode: Mode, retried: bool) -> bool:
    """Whether an insert's duplicate `_id` may be its own earlier attempt (after a retry): the
    insert is done if the stored document is the one it wrote (`landed`)."""
    if not (retried and mode == "insert" and isinstance(error, PyMongoDuplicateKeyError)):
        return False
    return is_primary_key_clash(error.details or {})


def landed(writes: Iterable[Write], stored: Iterable[dict[str, Any]]) -> bool:
    """Whether every document of `writes` is among `stored` exactly as they would write it."""
    by_key = {repr(document["_id"]): document for document in stored}
    return all(same(by_key.get(repr(w.key)), w.document) for w in writes)


def revision_conflicts(
    writes: Iterable[Write], stored: Iterable[dict[str, Any]]
) -> list[tuple[Any, int | None, int | None]]:
    """The revisioned writes that did not apply, among `writes` whose update matched nothing:
    each instance with its expected and stored revisions. A document stored exactly as the
    write would leave it (one revision more, its values) is this write's own, applied by an
    attempt whose answer was lost: not a conflict."""
    by_key = {repr(document["_id"]): document for document in stored}
    conflicts = []
    for write in writes:
        if write.revision is None:
            continue
        key, expected = write.revision
        found = by_key.get(repr(write.key))
        if found is not None and same(found, write.document):
            continue
        conflicts.append((write.instance, expected, None if found is None else found.get(key)))
    return conflicts


def deleted(updated: Iterable[Write], present_keys: Iterable[Any]) -> list[Write]:
    """The updates whose document is no longer stored (another writer deleted it meanwhile):
    they are written again whole."""
    present = {repr(key) for key in present_keys}  # keys may be documents (unhashable)
    return [write for write in updated if repr(write.key) not in present]


@dataclass
class BulkOutcome:
    """What an unordered bulk write did, and what is left to do.

    Attributes:
        writes: the writes sent, in order (indexes below refer to them).
        failed: the index and driver error of each write refused.
        upsert_again: new documents whose `_id` is stored (when saving): send them again as
            upserts.
        verify: inserts clashing on their own `_id` after a retry: done when `landed`, refused
            otherwise (`refuse`).
        some_deleted: updates matched fewer documents than they were: check which documents
            another writer deleted, and write them again whole (`deleted`).
        write_concern_errors: the write concern was not satisfied.
    """

    writes: list[Write]
    failed: dict[int, dict[str, Any]] = field(default_factory=dict)
    upsert_again: list[int] = field(default_factory=list)
    verify: list[int] = field(default_factory=list)
    some_deleted: bool = False
    write_concern_errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def updated(self) -> list[Write]:
        """The updates of stored documents that were not refused."""
        return [
            w for i, w in enumerate(self.writes) if w.update is not None and i not in self.failed
        ]

    @property
    def written(self) -> list[Write]:
        """The writes done (their instances are marked stored)."""
        pending = set(self.failed) | set(self.upsert_again) | set(self.verify)
        return [w for i, w in enumerate(self.writes) if i not in pending]

    def refuse(self, index: int) -> None:
        """An insert to verify was not its own: its `_id` belongs to another document."""
        self.verify.remove(index)
        self.failed[index] = {"code": DUPLICATE_KEY, "errmsg": "the _id exists", "index": index}

    def accept(self, index: int) -> None:
        """An insert to verify was its own earlier attempt: it is done."""
        self.verify.remove(index)

    def add_failures(self, failures: Iterable[tuple[Any, dict[str, Any]]]) -> None:
        """Record the refusals of the writes sent again as upserts (by instance)."""
        by_instance = {id(self.writes[i].instance): i for i in self.upsert_again}
        for instance, error in failures:
            self.failed[by_instance[id(instance)]] = error


def read_bulk(
    writes: list[Write],
    mode: Mode,
    in_transaction: bool,
    retried: bool,
    details: dict[str, Any],
    cause: BulkWriteError | None = None,
) -> BulkOutcome:
    """Read the result of a bulk write (`bulk_api_result`, or the `details` of `cause`, the
    `BulkWriteError` raised).

    Raises:
        WriteConflictError: another transaction wrote one of the documents (the first one is
            named; its error labels are those of `cause`, so that the transaction is retried).
    """
    outcome = BulkOutcome(writes)
    for error in details.get("writeErrors", []):
        index = error["index"]
        if error.get("code") == WRITE_CONFLICT:
            driver_error = cause or OperationFailure(str(error), WRITE_CONFLICT)
            raise WriteConflictError(writes[index].instance, driver_error) from cause
        new = writes[index].update is None
        if new and is_primary_key_clash(error) and mode == "save":
            outcome.upsert_again.append(index)
        elif new and is_primary_key_clash(error) and retried:
            outcome.verify.append(index)
        else:
            outcome.failed[index] = error
    upserts = sum(1 for w in writes if w.is_upsert(mode, in_transaction))
    matched_updates = details.get("nMatched", 0) - (upserts - details.get("nUpserted", 0))
    outcome.some_deleted = matched_updates < len(outcome.updated)
    outcome.write_concern_errors = list(details.get("writeConcernErrors", []))
    return outcome


def raise_bulk_failures(outcome: BulkOutcome, cause: BulkWriteError | None) -> None:
    """Raise what the bulk write refused, every instance listed; nothing when all is written.

    Raises:
        DuplicateKeyError: every refusal is a duplicate key (`failures` lists them all).
        DocumentWriteError: some documents cannot be stored (each one with its reason).
        BulkWriteError: the write concern was not satisfied (PyMongo's own error).
    """
    if outcome.failed:
        writes = outcome.writes
        failures = [(writes[i].instance, error) for i, error in sorted(outcome.failed.items())]
        if all(error.get("code") == DUPLICATE_KEY for _, error in failures):
            first, details = failures[0]
            driver_error: Exception = cause or OperationFailure(str(details), DUPLICATE_KEY)
            raise DuplicateKeyError(
                first, driver_error, details=details, failures=failures
            ) from cause
        raise DocumentWriteError(
            [(instance, str(error.get("errmsg", error))) for instance, error in failures]
        ) from cause
    if outcome.write_concern_errors:
        if cause is not None:
            raise cause
        raise OperationFailure(str(outcome.write_concern_errors))


def unstorable_reason(write: Write, error: BaseException) -> str:
    """Why the document of `write` cannot be stored, naming the first field at fault."""
    for key, value in write.document.items():
        try:
            bson.encode({key: value})
        except UNSTORABLE_ERRORS as field_error:
            return f"field {key!r} cannot be stored: {field_error}"
    return f"the document cannot be stored: {error}"


def raise_unstorable(writes: list[Write], error: BaseException) -> NoReturn:
    """Raise `DocumentWriteError` listing every document of a bulk write that cannot be encoded.

    Raises:
        DocumentWriteError: always; each document at fault with the field at fault.
    """
    failures = []
    for write in writes:
        try:
            bson.encode(write.document)
        except UNSTORABLE_ERRORS as document_error:
            failures.append((write.instance, unstorable_reason(write, document_error)))
    raise DocumentWriteError(failures or [(writes[0].instance, str(error))]) from error


__all__ = [
    "revision_conflicts",
    "BulkOutcome",
    "bulk_command_error",
    "read_bulk",
    "raise_bulk_failures",
    "raise_unstorable",
    "write_error",
    "may_be_own_insert",
    "landed",
    "deleted",
    "unstorable_reason",
]
