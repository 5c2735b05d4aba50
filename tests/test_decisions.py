"""The engine's decisions that need no database, as tables: what a bulk write's result means,
how a new document is sent, which errors are retried and how long to wait, how driver errors
become odmantic's, what an upsert inserts, what a transaction retries and puts back. Run once
(not per client kind): the twins only carry them out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pymongo import InsertOne, UpdateOne
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DocumentTooLarge,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)
from pymongo.errors import DuplicateKeyError as PyMongoDuplicateKeyError

from odmantic import Model, Reference
from odmantic._internal import server_errors as codes
from odmantic._internal.read_plan import WHOLE_BATCH, Read
from odmantic._internal.retries import (
    FIRST_DELAY,
    MAX_DELAY,
    Retries,
    applies,
    update_is_idempotent,
)
from odmantic._internal.transactions import (
    Next,
    UnsavedChanges,
    after_callback_error,
    after_commit_error,
)
from odmantic._internal.upserts import equalities, with_insert_defaults
from odmantic._internal.write_outcome import (
    bulk_command_error,
    deleted,
    landed,
    may_be_own_insert,
    raise_bulk_failures,
    read_bulk,
    write_error,
)
from odmantic._internal.write_plan import Write, plan_saves
from odmantic.exceptions import DocumentWriteError, DuplicateKeyError, WriteConflictError
from odmantic.update import inc, set_


class Gadget(Model):
    name: str
    count: int = 0


class Shelf(Model):
    label: str
    gadget: Gadget = Reference()


def _new(name: str = "g") -> Write:
    gadget = Gadget(name=name)
    return Write(gadget, gadget.model_dump_doc(), None)


def _update(name: str = "g") -> Write:
    gadget = Gadget(name=name)
    document = gadget.model_dump_doc()
    return Write(gadget, document, {"$set": {"name": name}})


def _clash(index: int) -> dict[str, Any]:
    return {"index": index, "code": codes.DUPLICATE_KEY, "keyPattern": {"_id": 1}, "errmsg": "dup"}


def _unique_clash(index: int) -> dict[str, Any]:
    return {"index": index, "code": codes.DUPLICATE_KEY, "keyPattern": {"name": 1}, "errmsg": "d"}


# --- how a write is sent -------------------------------------------------------------------------

OPERATIONS = [
    # (write, mode, in transaction) -> operation class, upsert
    ("update", "save", False, UpdateOne, False),
    ("update", "save", True, UpdateOne, False),
    ("new", "save", False, InsertOne, False),
    ("new", "save", True, UpdateOne, True),  # a clash would abort the whole transaction
    ("new", "insert", False, InsertOne, False),
    ("new", "insert", True, InsertOne, False),  # an insert must refuse a stored _id
]


@pytest.mark.parametrize(("kind", "mode", "in_transaction", "expected", "upsert"), OPERATIONS)
def test_how_a_write_is_sent_in_a_bulk_write(
    kind: str, mode: Any, in_transaction: bool, expected: type, upsert: bool
) -> None:
    write = _update() if kind == "update" else _new()
    operation = write.operation(mode, in_transaction)
    assert type(operation) is expected
    assert write.is_upsert(mode, in_transaction) is upsert


def test_a_new_document_upserted_writes_itself_whole() -> None:
    write = _new("whole")
    assert write.upsert() == {"$set": {"name": "whole", "count": 0}}
    assert write.as_upsert().update == write.upsert()


def test_save_plan_writes_references_first_and_groups_by_model() -> None:
    gadgets = [Gadget(name="a"), Gadget(name="b")]
    shelves = [Shelf(label="s1", gadget=gadgets[0]), Shelf(label="s2", gadget=gadgets[1])]
    batches = list(plan_saves(shelves, "insert").batches())
    assert [(b.model, len(b.writes), b.mode, b.bulk) for b in batches] == [
        (Gadget, 2, "save", True),  # referenced instances are saved, never inserted
        (Shelf, 2, "insert", True),
    ]


@pytest.mark.parametrize(("given", "bulk"), [(1, False), (2, True)])
def test_one_instance_is_sent_alone_several_in_a_bulk_write(given: int, bulk: bool) -> None:
    instances = [Gadget(name=str(i)) for i in range(given)]
    (batch,) = plan_saves(instances, "save").batches()
    assert batch.bulk is bulk


# --- what a bulk write's result means ------------------------------------------------------------

BULK_OUTCOMES = [
    # (writes, mode, retried, write errors, nMatched) -> upsert_again, verify, failed, some_deleted
    ("new new", "save", False, [_clash(1)], 0, [1], [], [], False),
    ("new new", "insert", False, [_clash(1)], 0, [], [], [1], False),
    ("new new", "insert", True, [_clash(0)], 0, [], [0], [], False),  # its own, maybe
    ("new new", "save", False, [_unique_clash(0)], 0, [], [], [0], False),
    ("update update", "save", False, [], 1, [], [], [], True),  # one deleted meanwhile
    ("update update", "save", False, [], 2, [], [], [], False),
    (
        "update new",
        "save",
        False,
        [{"index": 0, "code": 2, "errmsg": "bad"}],
        0,
        [],
        [],
        [0],
        False,
    ),
]


@pytest.mark.parametrize(
    ("kinds", "mode", "retried", "errors", "matched", "again", "verify", "failed", "some_deleted"),
    BULK_OUTCOMES,
)
def test_what_a_bulk_result_means(
    kinds: str,
    mode: Any,
    retried: bool,
    errors: list[dict[str, Any]],
    matched: int,
    again: list[int],
    verify: list[int],
    failed: list[int],
    some_deleted: bool,
) -> None:
    writes = [_update() if kind == "update" else _new() for kind in kinds.split()]
    details = {"writeErrors": errors, "nMatched": matched, "nUpserted": 0}
    outcome = read_bulk(writes, mode, False, retried, details)
    assert (outcome.upsert_again, outcome.verify, sorted(outcome.failed)) == (again, verify, failed)
    assert outcome.some_deleted is some_deleted


def test_upserts_inside_a_transaction_do_not_count_as_matched_updates() -> None:
    writes = [_update(), _new()]  # the new one is an upsert inside a transaction
    details = {"writeErrors": [], "nMatched": 1, "nUpserted": 1}
    assert read_bulk(writes, "save", True, False, details).some_deleted is False


def test_a_write_conflict_in_a_bulk_write_keeps_the_driver_error_labels() -> None:
    writes = [_new(), _new()]
    details = {"writeErrors": [{"index": 1, "code": codes.WRITE_CONFLICT, "errmsg": "c"}]}
    cause = BulkWriteError(details)
    cause._error_labels = {"TransientTransactionError"}
    with pytest.raises(WriteConflictError) as raised:
        read_bulk(writes, "save", True, False, details, cause)
    assert raised.value.instance is writes[1].instance
    assert raised.value.has_error_label("TransientTransactionError")


def test_only_done_writes_are_marked_stored() -> None:
    writes = [_new(), _new(), _new()]
    outcome = read_bulk(writes, "insert", False, True, {"writeErrors": [_clash(1), _clash(2)]})
    outcome.accept(1)
    outcome.refuse(2)
    assert outcome.written == writes[:2]
    assert outcome.failed[2]["code"] == codes.DUPLICATE_KEY


def test_refused_duplicates_raise_one_duplicate_key_error_listing_all() -> None:
    writes = [_new(), _new(), _new()]
    details = {"writeErrors": [_unique_clash(0), _unique_clash(2)]}
    outcome = read_bulk(writes, "save", False, False, details)
    with pytest.raises(DuplicateKeyError) as raised:
        raise_bulk_failures(outcome, BulkWriteError(details))
    assert [instance for instance, _ in raised.value.failures] == [
        writes[0].instance,
        writes[2].instance,
    ]


def test_other_refusals_raise_a_document_write_error() -> None:
    writes = [_new(), _new()]
    details = {"writeErrors": [_unique_clash(0), {"index": 1, "code": 2, "errmsg": "bad _id"}]}
    with pytest.raises(DocumentWriteError, match="bad _id"):
        raise_bulk_failures(read_bulk(writes, "save", False, False, details), None)


def test_a_write_concern_error_is_raised_after_everything_is_written() -> None:
    details = {"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "wtimeout"}]}
    cause = BulkWriteError(details)
    outcome = read_bulk([_new(), _new()], "save", False, False, details, cause)
    assert len(outcome.written) == 2
    with pytest.raises(BulkWriteError):
        raise_bulk_failures(outcome, cause)


def test_nothing_is_raised_when_all_is_written() -> None:
    outcome = read_bulk([_new(), _new()], "save", False, False, {"nInserted": 2})
    raise_bulk_failures(outcome, None)


def test_a_document_landed_only_if_stored_as_written() -> None:
    write = _new("x")
    assert landed([write], [dict(write.document)])
    assert not landed([write], [{**write.document, "name": "other"}])
    assert not landed([write], [])


def test_deleted_meanwhile_are_the_updates_whose_document_is_gone() -> None:
    kept, gone = _update(), _update()
    assert deleted([kept, gone], [kept.key]) == [gone]


# --- driver errors of one write ------------------------------------------------------------------

WRITE_ERRORS = [
    (PyMongoDuplicateKeyError("dup", codes.DUPLICATE_KEY), DuplicateKeyError),
    (DocumentTooLarge("too large"), DocumentWriteError),
    (OperationFailure("too large", codes.BSON_OBJECT_TOO_LARGE), DocumentWriteError),
    (OperationFailure("conflict", codes.WRITE_CONFLICT), WriteConflictError),
    (OperationFailure("unauthorized", 13), None),
    (AutoReconnect("lost"), None),
]


@pytest.mark.parametrize(("error", "expected"), WRITE_ERRORS, ids=lambda v: type(v).__name__)
def test_driver_errors_of_one_write(error: Exception, expected: type | None) -> None:
    mapped = write_error(_new(), error)
    assert (None if mapped is None else type(mapped)) is expected


BULK_COMMAND_ERRORS = [
    (OperationFailure("conflict", codes.WRITE_CONFLICT), WriteConflictError),
    (OperationFailure("bad value", codes.BAD_VALUE), None),  # PyMongo's own, as it is
    (PyMongoDuplicateKeyError("dup", codes.DUPLICATE_KEY), None),
]


@pytest.mark.parametrize(("error", "expected"), BULK_COMMAND_ERRORS, ids=repr)
def test_a_bulk_write_refused_whole_keeps_pymongos_error_but_a_conflict(
    error: OperationFailure, expected: type | None
) -> None:
    mapped = bulk_command_error([_new(), _new()], error)
    assert (None if mapped is None else type(mapped)) is expected


OWN_INSERT = [
    # (error key pattern, mode, retried) -> may be the insert's own earlier attempt
    ({"_id": 1}, "insert", True, True),
    ({"_id": 1}, "insert", False, False),
    ({"name": 1}, "insert", True, False),
    ({"_id": 1}, "save", True, False),
]


@pytest.mark.parametrize(("pattern", "mode", "retried", "expected"), OWN_INSERT)
def test_an_insert_clash_may_be_its_own_only_after_a_retry(
    pattern: dict[str, int], mode: Any, retried: bool, expected: bool
) -> None:
    details = {"code": codes.DUPLICATE_KEY, "keyPattern": pattern}
    error = PyMongoDuplicateKeyError("dup", codes.DUPLICATE_KEY, details)
    assert may_be_own_insert(error, mode, retried) is expected


# --- retries -------------------------------------------------------------------------------------


def _labelled(error: PyMongoError, label: str) -> PyMongoError:
    error._add_error_label(label)
    return error


ERRORS = [
    # (error, proves it never ran, transient)
    (AutoReconnect("connection lost"), False, True),
    (NetworkTimeout("timed out"), False, True),
    (NotPrimaryError("not primary"), False, True),
    # How PyMongo raises a command refused by a secondary (the reply is the details).
    (NotPrimaryError("not primary", {"code": codes.NOT_WRITABLE_PRIMARY}), True, True),
    (NotPrimaryError("stepped down", {"code": codes.PRIMARY_STEPPED_DOWN}), False, True),
    (ServerSelectionTimeoutError("no primary"), False, False),
    (OperationFailure("stepped down", codes.PRIMARY_STEPPED_DOWN), False, True),
    (OperationFailure("not writable", codes.NOT_WRITABLE_PRIMARY), True, True),
    (WriteConcernError("not writable", codes.NOT_WRITABLE_PRIMARY), False, True),
    (_labelled(OperationFailure("x", 1), "NoWritesPerformed"), True, False),
    (_labelled(OperationFailure("x", 1), "RetryableWriteError"), False, True),
    (OperationFailure("bad value", codes.BAD_VALUE), False, False),
]


@pytest.mark.parametrize(("error", "not_run", "transient"), ERRORS, ids=repr)
def test_what_an_error_tells_about_the_command(
    error: PyMongoError, not_run: bool, transient: bool
) -> None:
    assert codes.proves_not_run(error) is not_run
    assert codes.is_transient(error) is transient


RETRY_DECISIONS = [
    # (error, idempotent) -> retried?
    (AutoReconnect("lost"), True, True),
    (AutoReconnect("lost"), False, False),  # it may have run: only an idempotent write
    (OperationFailure("not writable", codes.NOT_WRITABLE_PRIMARY), False, True),
    (OperationFailure("duplicate", codes.DUPLICATE_KEY), True, False),
    (ServerSelectionTimeoutError("no primary"), True, False),
]


@pytest.mark.parametrize(("error", "idempotent", "retried"), RETRY_DECISIONS, ids=repr)
def test_which_writes_are_sent_again(error: PyMongoError, idempotent: bool, retried: bool) -> None:
    delay = Retries(deadline=100.0, idempotent=idempotent).after(error, now=0.0)
    assert (delay is not None) is retried


def test_retry_delays_double_up_to_a_limit_and_stop_at_the_deadline() -> None:
    retries = Retries(deadline=3.0, idempotent=True)
    delays: list[float] = []
    while (delay := retries.after(AutoReconnect("lost"), now=sum(delays))) is not None:
        delays.append(delay)
    assert delays[:3] == [FIRST_DELAY, FIRST_DELAY * 2, FIRST_DELAY * 4]
    assert max(delays) == MAX_DELAY and sum(delays) <= 3.0


def test_a_retry_after_an_error_that_may_have_run_tells_the_next_attempt() -> None:
    refused = Retries(deadline=10.0, idempotent=True)
    refused.after(OperationFailure("not writable", codes.NOT_WRITABLE_PRIMARY), now=0.0)
    lost = Retries(deadline=10.0, idempotent=True)
    lost.after(AutoReconnect("lost"), now=0.0)
    assert (refused.retried, lost.retried) == (False, True)


@pytest.mark.parametrize(
    ("within", "in_transaction", "expected"),
    [(30.0, False, True), (0.0, False, False), (30.0, True, False)],
)
def test_writes_are_retried_one_by_one_outside_transactions_only(
    within: float, in_transaction: bool, expected: bool
) -> None:
    assert applies(within, in_transaction) is expected


UPDATES = [
    # (operator, many, upsert) -> sent again after an error that may have run
    ("set", True, False, True),
    ("set", False, False, False),  # a second run may reach another document
    ("set", True, True, False),  # an upsert may insert twice
    ("inc", True, False, False),  # applied twice, it adds twice
]


@pytest.mark.parametrize(("operator", "many", "upsert", "expected"), UPDATES)
def test_which_updates_are_idempotent(
    operator: str, many: bool, upsert: bool, expected: bool
) -> None:
    update = set_(Gadget.name, "x") if operator == "set" else inc(Gadget.count, 1)
    assert update_is_idempotent(update, many, upsert) is expected


# --- what a cursor asks for ----------------------------------------------------------------------


@pytest.mark.parametrize(("whole", "batch_size"), [(True, WHOLE_BATCH), (False, 0)])
def test_a_cursor_read_whole_asks_for_the_largest_batches(whole: bool, batch_size: int) -> None:
    read = Read({"a": 1}, [("a", 1)], 2, None, {"a": 1})
    assert read.find_arguments(whole) == {
        "filter": {"a": 1},
        "projection": {"a": 1},
        "sort": [("a", 1)],
        "skip": 2,
        "limit": 0,
        "batch_size": batch_size,
    }


# --- what an upsert inserts ----------------------------------------------------------------------

EQUALITIES = [
    ({"name": "a"}, {"name": "a"}),
    ({"name": {"$eq": "a"}}, {"name": "a"}),
    ({"name": {"$in": ["a"]}}, {"name": "a"}),
    ({"name": {"$in": ["a", "a"]}}, {"name": "a"}),  # MongoDB drops repeats
    ({"name": {"$in": ["a", "b"]}}, {}),
    ({"$and": [{"name": "a"}, {"count": 2}]}, {"name": "a", "count": 2}),
    ({"$or": [{"name": "a"}]}, {"name": "a"}),
    ({"$or": [{"name": "a"}, {"name": "b"}]}, {}),
    ({"name": {"$gt": "a"}}, {}),
    ({"name": re.compile("^a")}, {}),  # a regex matches, it is not a value
]


@pytest.mark.parametrize(("filter_", "expected"), EQUALITIES, ids=repr)
def test_what_an_upsert_takes_from_the_filter(filter_: dict[str, Any], expected: Any) -> None:
    assert equalities(filter_) == expected


def test_an_upsert_sets_on_insert_the_defaults_nothing_else_gives() -> None:
    update = with_insert_defaults(Gadget, {"$set": {"name": "x"}}, {})
    inserted = update["$setOnInsert"]
    assert inserted["count"] == 0 and set(inserted) == {"_id", "count"}  # a new ObjectId


def test_an_upsert_missing_a_required_field_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"Gadget\.name"):
        with_insert_defaults(Gadget, {"$inc": {"count": 1}}, {})


# --- transactions ----------------------------------------------------------------------------------


def _labelled_error(label: str) -> PyMongoError:
    return _labelled(OperationFailure("failed", 1), label)


AFTER_CALLBACK = [
    # (label, before the deadline) -> what with_transaction does
    ("TransientTransactionError", True, Next.RUN_AGAIN),
    ("TransientTransactionError", False, Next.RAISE),
    ("UnknownTransactionCommitResult", True, Next.RAISE),
    ("", True, Next.RAISE),
]


@pytest.mark.parametrize(("label", "in_time", "expected"), AFTER_CALLBACK)
def test_what_follows_a_callback_error(label: str, in_time: bool, expected: Next) -> None:
    error = _labelled_error(label) if label else ValueError("user code")
    assert after_callback_error(error, 0.0 if in_time else 10.0, 5.0) is expected


AFTER_COMMIT = [
    ("UnknownTransactionCommitResult", True, Next.COMMIT_AGAIN),
    ("TransientTransactionError", True, Next.RUN_AGAIN),
    ("UnknownTransactionCommitResult", False, Next.RAISE),
    ("", True, Next.RAISE),
]


@pytest.mark.parametrize(("label", "in_time", "expected"), AFTER_COMMIT)
def test_what_follows_a_commit_error(label: str, in_time: bool, expected: Next) -> None:
    error = _labelled_error(label) if label else OperationFailure("refused", 1)
    assert after_commit_error(error, 0.0 if in_time else 10.0, 5.0) is expected


@pytest.mark.parametrize(("commit_attempted", "to_save"), [(False, {"name"}), (True, None)])
def test_an_aborted_transaction_puts_back_what_instances_had_to_save(
    commit_attempted: bool, to_save: set[str] | None
) -> None:
    gadget = Gadget(name="g")
    gadget.__odmantic_mark_stored__(gadget.model_dump_doc())
    gadget.name = "renamed"
    unsaved = UnsavedChanges()
    unsaved.track([gadget])
    gadget.__odmantic_mark_stored__(gadget.model_dump_doc())  # the save in the transaction
    unsaved.restore(commit_attempted)
    # An unknown commit may have landed: the instance is written whole next time (None).
    assert gadget.__odmantic_fields_to_save__() == to_save
