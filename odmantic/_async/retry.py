"""Retrying writes across failovers: only what is safe to repeat, within a time limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError, WriteConcernError

from odmantic._async import IS_ASYNC

T = TypeVar("T")

RETRY_WRITES_FOR = 30.0
"""Default seconds an engine keeps retrying a write (PyMongo's server selection timeout)."""

# The server refused the command before running it: safe to send again, whatever it does.
_NOT_RUN = frozenset({10107, 13435})
# A primary went away or is stepping down: the command may or may not have run.
_FAILOVER = frozenset({11600, 11602, 91, 189, 262, 9001, 6, 7, 89, 10107, 13435, 13436})


def proves_not_run(error: PyMongoError) -> bool:
    """Whether `error` proves that the command never ran (so any command can be re-sent).

    The `RetryableWriteError` label is not such a proof: PyMongo also puts it on a connection
    lost after the server applied the write.
    """
    if error.has_error_label("NoWritesPerformed"):
        return True
    return (
        isinstance(error, OperationFailure)
        and not isinstance(error, WriteConcernError)
        and error.code in _NOT_RUN
    )


def is_transient(error: PyMongoError) -> bool:
    """Whether `error` comes from a failover or a lost connection (an idempotent write can be
    re-sent)."""
    if isinstance(error, ConnectionFailure) or error.has_error_label("RetryableWriteError"):
        return not _is_server_selection_timeout(error)
    return isinstance(error, OperationFailure) and error.code in _FAILOVER


def _is_server_selection_timeout(error: PyMongoError) -> bool:
    # The driver already waited for a primary that long: waiting again would double it.
    return type(error).__name__ == "ServerSelectionTimeoutError"


async def _pause(seconds: float) -> None:
    if IS_ASYNC:
        await asyncio.sleep(seconds)
    else:
        time.sleep(seconds)


async def retrying(
    attempt: Callable[[bool], Awaitable[T]],
    *,
    within: float,
    idempotent: bool,
) -> T:
    """Run `attempt(retried)`, again after a transient error, for `within` seconds at most.

    `retried` tells the attempt that an earlier one may have been applied (its error did not
    prove that it never ran). A write that is not idempotent is re-sent only when the error
    proves that it never ran.
    """
    deadline = time.monotonic() + within
    delay = 0.05
    retried = False
    while True:
        try:
            return await attempt(retried)
        except PyMongoError as exc:
            not_run = proves_not_run(exc)
            safe = (is_transient(exc) or not_run) if idempotent else not_run
            if not safe or time.monotonic() + delay > deadline:
                raise
            retried = retried or not not_run
        await _pause(delay)
        delay = min(delay * 2, 1.0)


__all__ = ["RETRY_WRITES_FOR", "retrying", "is_transient", "proves_not_run"]
