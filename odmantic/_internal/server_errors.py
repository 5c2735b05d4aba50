"""The MongoDB server error codes the engine handles, each named with the reason it matters,
and what an error tells about the command that raised it (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson.errors import BSONError
from pymongo.errors import (
    ConnectionFailure,
    DocumentTooLarge,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

# --- Codes that decide what a write means ----------------------------------------------------
BAD_VALUE = 2
"""The server refuses a value of the document (an array or a regex as `_id`, for one)."""
OVERFLOW = 15
"""A number overflows what the server stores (raised by some update operators)."""
WRITE_CONFLICT = 112
"""Another transaction wrote the same document: the whole transaction must run again."""
DUPLICATE_KEY = 11000
"""A unique index (the `_id` one included) already holds the key."""
BSON_OBJECT_TOO_LARGE = 10334
"""The document is over MongoDB's 16 MB limit."""
KEY_TOO_LONG = 17280
"""An indexed value is too long for its index."""
DOCUMENT_TOO_LARGE_AFTER_UPDATE = 17419
"""The document an update produces is over MongoDB's 16 MB limit."""

UNSTORABLE_CODES = frozenset(
    {BAD_VALUE, OVERFLOW, BSON_OBJECT_TOO_LARGE, KEY_TOO_LONG, DOCUMENT_TOO_LARGE_AFTER_UPDATE}
)
"""Server codes saying that the document cannot be stored as it is (sending it again fails)."""

UNSTORABLE_ERRORS = (BSONError, OverflowError, DocumentTooLarge, UnicodeEncodeError)
"""What PyMongo raises, before sending, for a document it cannot encode."""

# --- Codes of replica set setup ----------------------------------------------------------------
ALREADY_INITIALIZED = 23
"""`replSetInitiate` on a replica set that is already initiated (a retried initiation did it)."""

# --- Codes of collection setup ----------------------------------------------------------------
NAMESPACE_NOT_FOUND = 26
"""`collMod` of a collection that does not exist yet (it is created with the option instead)."""
NAMESPACE_EXISTS = 48
"""`create` of a collection another client created meanwhile (it is modified instead)."""

# --- Codes of change streams ------------------------------------------------------------------
CURSOR_NOT_FOUND = 43
"""The server-side cursor of a change stream was killed or timed out: it is opened again from
the last resume token."""

# --- Codes of index creation ------------------------------------------------------------------
INDEX_OPTIONS_CONFLICT = 85
"""An index of the same keys exists with other options."""
INDEX_KEY_SPECS_CONFLICT = 86
"""An index of the same name exists with other keys or options."""
INDEX_CONFLICTS = frozenset({INDEX_OPTIONS_CONFLICT, INDEX_KEY_SPECS_CONFLICT})

# --- Codes of a failover or a lost primary ----------------------------------------------------
HOST_UNREACHABLE = 6
"""The server could not reach another member."""
HOST_NOT_FOUND = 7
"""The server could not resolve another member."""
NETWORK_TIMEOUT = 89
"""A network operation between members timed out."""
SHUTDOWN_IN_PROGRESS = 91
"""The server is shutting down."""
PRIMARY_STEPPED_DOWN = 189
"""The primary stepped down while running the command."""
EXCEEDED_TIME_LIMIT = 262
"""The command ran out of time during a step-down."""
SOCKET_EXCEPTION = 9001
"""A socket failed between members."""
NOT_WRITABLE_PRIMARY = 10107
"""The member is not (or no longer) the primary: the command was refused before it ran."""
INTERRUPTED_AT_SHUTDOWN = 11600
"""The command was interrupted by a shutdown."""
INTERRUPTED_DUE_TO_REPL_STATE_CHANGE = 11602
"""The command was interrupted because the member changed state (a step-down)."""
NOT_PRIMARY_NO_SECONDARY_OK = 13435
"""The member is not the primary and the command needs one: refused before it ran."""
NOT_PRIMARY_OR_SECONDARY = 13436
"""The member is neither primary nor secondary (starting up, recovering)."""

REFUSED_BEFORE_RUNNING = frozenset({NOT_WRITABLE_PRIMARY, NOT_PRIMARY_NO_SECONDARY_OK})
"""The server refused the command before running it: safe to send again, whatever it does."""

FAILOVER = frozenset(
    {
        HOST_UNREACHABLE,
        HOST_NOT_FOUND,
        NETWORK_TIMEOUT,
        SHUTDOWN_IN_PROGRESS,
        PRIMARY_STEPPED_DOWN,
        EXCEEDED_TIME_LIMIT,
        SOCKET_EXCEPTION,
        NOT_WRITABLE_PRIMARY,
        INTERRUPTED_AT_SHUTDOWN,
        INTERRUPTED_DUE_TO_REPL_STATE_CHANGE,
        NOT_PRIMARY_NO_SECONDARY_OK,
        NOT_PRIMARY_OR_SECONDARY,
    }
)
"""A primary went away or is stepping down: the command may or may not have run."""


def proves_not_run(error: PyMongoError) -> bool:
    """Whether `error` proves that the command never ran (so any command can be re-sent).

    The `RetryableWriteError` label is not such a proof: PyMongo also puts it on a connection
    lost after the server applied the write.
    """
    if error.has_error_label("NoWritesPerformed"):
        return True
    if isinstance(error, NotPrimaryError):
        # PyMongo raises a command's own "not primary" reply as this connection error; its
        # details are the reply (a write-concern error is a `WriteConcernError` instead).
        details = error.details
        return isinstance(details, Mapping) and details.get("code") in REFUSED_BEFORE_RUNNING
    return (
        isinstance(error, OperationFailure)
        and not isinstance(error, WriteConcernError)
        and error.code in REFUSED_BEFORE_RUNNING
    )


def is_transient(error: PyMongoError) -> bool:
    """Whether `error` comes from a failover or a lost connection (an idempotent write can be
    re-sent)."""
    if isinstance(error, ServerSelectionTimeoutError):
        # The driver already waited for a primary that long: waiting again would double it.
        return False
    if isinstance(error, ConnectionFailure) or error.has_error_label("RetryableWriteError"):
        return True
    return isinstance(error, OperationFailure) and error.code in FAILOVER


def stream_can_resume(error: PyMongoError) -> bool:
    """Whether a change stream that raised `error` can be opened again from its resume token
    with nothing lost or repeated (a failover, a lost connection, a killed cursor)."""
    if error.has_error_label("ResumableChangeStreamError") or isinstance(error, ConnectionFailure):
        return True
    return isinstance(error, OperationFailure) and error.code in FAILOVER | {CURSOR_NOT_FOUND}


def is_primary_key_clash(error: Mapping[str, Any]) -> bool:
    """Whether a write error (as in `BulkWriteError.details`) is a duplicate `_id`."""
    return error.get("code") == DUPLICATE_KEY and "_id" in (error.get("keyPattern") or {})


__all__ = [
    "DUPLICATE_KEY",
    "WRITE_CONFLICT",
    "INDEX_CONFLICTS",
    "UNSTORABLE_CODES",
    "UNSTORABLE_ERRORS",
    "FAILOVER",
    "REFUSED_BEFORE_RUNNING",
    "proves_not_run",
    "is_transient",
    "is_primary_key_clash",
    "stream_can_resume",
    "NAMESPACE_NOT_FOUND",
    "NAMESPACE_EXISTS",
    "CURSOR_NOT_FOUND",
]
