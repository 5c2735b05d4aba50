"""What a transaction decides without I/O: what its saves change on the instances (put back
when it is aborted), and what `with_transaction` does after an error."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

from odmantic.exceptions import has_error_label

if TYPE_CHECKING:
    from odmantic.model import ChangesSnapshot, Model

WITH_TRANSACTION_TIMEOUT = 120.0
"""Seconds within which `with_transaction` retries (PyMongo's own limit)."""


class UnsavedChanges:
    """What the instances saved in a transaction had to save before, to put it back."""

    def __init__(self) -> None:
        self._saved: list[tuple[Model, ChangesSnapshot]] = []

    def track(self, instances: Sequence[Model]) -> None:
        """`instances` are about to be saved in the transaction."""
        self._saved.extend(
            (instance, instance.__odmantic_changes_snapshot__()) for instance in instances
        )

    def forget(self) -> None:
        """The transaction committed: the saves stand."""
        self._saved.clear()

    def restore(self, commit_attempted: bool) -> None:
        """The transaction is over without its saves: the instances have to save again what
        they had to. With `commit_attempted` (a commit whose outcome is unknown) the writes may
        have landed, so the instances forget what they stored instead: their next save writes
        them whole."""
        for instance, snapshot in reversed(self._saved):
            if commit_attempted:
                instance.__odmantic_forget_stored__()
            else:
                instance.__odmantic_restore_changes__(snapshot)
        self._saved.clear()


class Next(enum.Enum):
    """What `with_transaction` does after an error."""

    RUN_AGAIN = "run the whole callback again in a new transaction"
    COMMIT_AGAIN = "send the commit again"
    RAISE = "raise the error"


def after_callback_error(error: BaseException, now: float, deadline: float) -> Next:
    """After the callback raised: run it all again on a `TransientTransactionError` (a write
    conflict, a failover) until the deadline, else raise."""
    if has_error_label(error, "TransientTransactionError") and now < deadline:
        return Next.RUN_AGAIN
    return Next.RAISE


def after_commit_error(error: BaseException, now: float, deadline: float) -> Next:
    """After the commit raised: send it again on `UnknownTransactionCommitResult`, run it all
    again on `TransientTransactionError`, until the deadline; else raise."""
    if now >= deadline:
        return Next.RAISE
    if has_error_label(error, "UnknownTransactionCommitResult"):
        return Next.COMMIT_AGAIN
    if has_error_label(error, "TransientTransactionError"):
        return Next.RUN_AGAIN
    return Next.RAISE


__all__ = [
    "WITH_TRANSACTION_TIMEOUT",
    "UnsavedChanges",
    "Next",
    "after_callback_error",
    "after_commit_error",
]
