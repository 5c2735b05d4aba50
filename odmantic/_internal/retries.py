"""When a write interrupted by a failover is sent again: the decision, without the waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

from pymongo.errors import PyMongoError

from odmantic._internal.server_errors import is_transient, proves_not_run, stream_can_resume
from odmantic.update import UpdateExpression

RETRY_WRITES_FOR = 30.0
"""Default seconds an engine keeps retrying a write (PyMongo's server selection timeout)."""

FIRST_DELAY = 0.05
"""Seconds before the first retry; each following one waits twice as long."""
MAX_DELAY = 1.0
"""The longest wait between two attempts."""


def applies(within: float, in_transaction: bool) -> bool:
    """Whether writes are retried one by one: not when disabled (`within` 0), and never inside a
    transaction (`with_transaction` runs the whole transaction again instead)."""
    return within > 0 and not in_transaction


def update_is_idempotent(update: UpdateExpression, many: bool, upsert: bool) -> bool:
    """Whether an update may be sent again after an error that does not prove it never ran.

    Applied twice, a single-document update can reach a second document (the first one no
    longer matches), and an upsert can insert twice: only `update_many` of idempotent
    operators (`$set`, `$unset`, `$min`...) gives the same result.
    """
    return many and update.idempotent and not upsert


@dataclass
class Retries:
    """The retry state of one write: `after(error, now)` says how long to wait before sending
    it again, or None to raise the error.

    A write that is not idempotent is re-sent only when the error proves that it never ran.
    `retried` tells the next attempt that an earlier one may have been applied.

    Example:
        ```python
        retries = Retries(deadline=time.monotonic() + 30, idempotent=True)
        retries.after(AutoReconnect("primary stepped down"), now=time.monotonic())  # 0.05
        ```
    """

    deadline: float
    idempotent: bool
    retried: bool = False
    delay: float = field(default=FIRST_DELAY)

    def after(self, error: PyMongoError, now: float) -> float | None:
        """Seconds to wait before the next attempt after `error`, or None: raise it."""
        not_run = proves_not_run(error)
        safe = (is_transient(error) or not_run) if self.idempotent else not_run
        if not safe or now + self.delay > self.deadline:
            return None
        self.retried = self.retried or not not_run
        delay, self.delay = self.delay, min(self.delay * 2, MAX_DELAY)
        return delay


@dataclass
class Resumes:
    """The resume state of a change stream: `after(error, now)` says how long to wait before
    opening it again from its resume token, or None to raise the error. The driver resumes
    once by itself; this covers a failover longer than that (an election, a primary stepped
    down twice), for `within` seconds from the first error, counted again after each event.
    """

    within: float
    deadline: float | None = None
    delay: float = field(default=FIRST_DELAY)

    def after(self, error: PyMongoError, now: float) -> float | None:
        """Seconds to wait before opening the stream again after `error`, or None."""
        if self.within <= 0 or not stream_can_resume(error):
            return None
        if self.deadline is None:
            self.deadline = now + self.within
        if now + self.delay > self.deadline:
            return None
        delay, self.delay = self.delay, min(self.delay * 2, MAX_DELAY)
        return delay

    def reset(self) -> None:
        """An event arrived: the next error gets the whole time again."""
        self.deadline, self.delay = None, FIRST_DELAY


__all__ = ["RETRY_WRITES_FOR", "Retries", "Resumes", "applies", "update_is_idempotent"]
