# generated from odmantic/_async/change_stream.py by codegen; do not edit
"""`SyncChangeStream`: the changes of a collection as typed events, resumed across failovers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic

from pymongo.errors import PyMongoError
from pymongo.synchronous.change_stream import ChangeStream
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection

from odmantic._internal.change_events import EventReader, WatchRequest
from odmantic._internal.retries import Resumes
from odmantic._sync import adapter
from odmantic.change_stream import ChangeEvent
from odmantic.model import ModelT


class SyncChangeStream(Generic[ModelT]):
    """The changes of a model's collection, as `ChangeEvent`s: what `engine.watch` returns.

    Iterate it with `for` (each step waits for the next change), or call `try_next()`
    for the next change if there is one now. `with` opens it at once (changes made
    after that are all seen) and closes it at the end; otherwise it opens at the first
    iteration. A failover, a lost connection or a killed server cursor reopens the stream from
    the last resume token, with nothing lost nor repeated.

    Example:
        ```python
        with engine.watch(Player, Player.level > 10) as stream:
            for event in stream:
                print(event.operation, event.document)
                token = stream.resume_token  # store it to resume after a restart
        ```
    """

    def __init__(
        self,
        collection: Collection[Any],
        request: WatchRequest,
        session: ClientSession | None,
        resume_for: float,
    ) -> None:
        self._collection = collection
        self._request = request
        self._reader = EventReader(request.model)
        self._session = session
        self._resumes = Resumes(resume_for)
        self._driver: ChangeStream[Any] | None = None
        self._token: Mapping[str, Any] | None = request.options.get("resume_after")
        self._closed = False

    @property
    def resume_token(self) -> Mapping[str, Any] | None:
        """The token to open the stream again right after the last event read, once it is
        closed or the application restarted (`watch(resume_after=token)`); None before the
        stream opened."""
        if self._driver is not None and self._driver.resume_token is not None:
            self._token = self._driver.resume_token
        return self._token

    def _open(self) -> ChangeStream[Any]:
        if self._closed:
            raise RuntimeError(f"{self!r} is closed; call engine.watch(...) again")
        if self._driver is None:
            if self._session is not None and self._session.in_transaction:
                raise RuntimeError(
                    f"watch({self._reader.model.__name__}) cannot run in a transaction "
                    "(MongoDB refuses change streams in transactions); watch from the engine "
                    "or a session"
                )
            request = self._request if self._token is None else self._request.resumed(self._token)
            self._driver = adapter.watch(
                self._collection, request.pipeline, self._session, request.options
            )
        return self._driver

    def _pull(self, wait: bool) -> ChangeEvent[ModelT] | None:
        """The next event (waiting for one with `wait`), reopening the stream after an error
        it can resume from."""
        while True:
            try:  # opening again can fail too (no primary elected yet)
                driver = self._open()
                raw = driver.try_next()
            except PyMongoError as exc:
                delay = self._resumes.after(exc, time.monotonic())
                if delay is None:
                    raise
                self._reopen_after(delay)
                continue
            self._resumes.reset()  # the stream works: a later failover gets the whole time
            if raw is not None:
                return ChangeEvent(raw, self._reader)
            if not wait or not driver.alive:  # `alive`: False once invalidated
                return None

    def _reopen_after(self, delay: float) -> None:
        token = self.resume_token
        driver, self._driver = self._driver, None
        if driver is not None:
            try:
                driver.close()
            except PyMongoError:
                pass  # the server is the one that went away
        self._token = token
        adapter.sleep(delay)

    def try_next(self) -> ChangeEvent[ModelT] | None:
        """The next change if there is one now (after one wait of the server's
        `max_await_time_ms`), else None.

        Returns:
            the event, or None.

        Example:
            ```python
            event = stream.try_next()
            ```
        """
        return self._pull(wait=False)

    def close(self) -> None:
        """Close the stream and its server cursor (`resume_token` stays readable).

        Example:
            ```python
            stream.close()
            ```
        """
        token = self.resume_token
        driver, self._driver, self._closed = self._driver, None, True
        self._token = token
        if driver is not None:
            try:
                driver.close()
            except PyMongoError:
                pass  # the server went away: its cursor is gone with it

    def __iter__(self) -> SyncChangeStream[ModelT]:
        return self

    def __next__(self) -> ChangeEvent[ModelT]:
        event = self._pull(wait=True)
        if event is None:  # the driver stream ended (invalidated): nothing more comes
            raise StopIteration
        return event

    def __enter__(self) -> SyncChangeStream[ModelT]:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._reader.model.__name__})"
