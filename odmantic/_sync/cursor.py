# generated from odmantic/_async/cursor.py by codegen; do not edit
"""`SyncCursor`: the result of `engine.find`, iterated as a stream or read whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.command_cursor import CommandCursor
from pymongo.synchronous.cursor import Cursor

from odmantic._internal.read_plan import SCAN_BATCH, Parser, Read, batch_size
from odmantic._sync.adapter import CursorBase, aggregate

OutputT = TypeVar("OutputT")


class SyncCursor(CursorBase[OutputT]):
    """The results of a `find` (instances of the model, or of a projection) or of an
    `aggregate`, iterated as a stream or read whole.

    `for instance in cursor` streams the documents in driver batches: the cursor keeps no
    instance, so memory stays flat however many documents match. `cursor.to_list()` reads
    them all into a list, and is the quicker way when the list is wanted anyway: the server sends
    the documents in as few batches as fit, and they are validated in one call. Each iteration or
    `to_list()` runs the query again (keep the list to read the results twice).

    Example:
        ```python
        players = engine.find(Player, Player.level > 10).to_list()
        for player in engine.find(Player, sort=Player.name):
            print(player.name)
        ```
    """

    def __init__(
        self,
        collection: Collection[Any],
        read: Read,
        parser: Parser[OutputT],
        session: ClientSession | None,
    ) -> None:
        self._collection = collection
        self._read = read
        self._parser = parser
        self._session = session

    def pipeline(self) -> list[dict[str, Any]] | None:
        """The aggregation pipeline run (references joined, or `aggregate`), None for a find.

        Example:
            ```python
            engine.find(Book).pipeline()  # [{"$match": {}}, {"$lookup": ...}, ...]
            ```
        """
        return self._read.pipeline

    def _open(self, whole: bool, batch: int | None = None) -> Cursor[Any] | CommandCursor[Any]:
        """The driver's cursor (`whole`: all the results are wanted at once; `batch`: this
        batch size instead)."""
        read = self._read
        size = batch_size(whole) if batch is None else batch
        if read.pipeline is not None:
            return aggregate(self._collection, read.pipeline, self._session, size)
        arguments = {**read.find_arguments(whole), "batch_size": size}
        return self._collection.find(**arguments, session=self._session)

    def to_list(self) -> list[OutputT]:
        """Run the query and return all the results.

        Raises:
            DocumentParsingError: a document does not validate as the model; names it.

        Example:
            ```python
            players = engine.find(Player, Player.level > 10).to_list()
            ```
        """
        driver_cursor = self._open(whole=True)
        return self._parser.all(driver_cursor.to_list(None))

    def _documents(self) -> Iterator[dict[str, Any]]:
        """The documents as the server sends them (joined, not parsed), streamed in batches
        of `SCAN_BATCH` (a whole-collection scan: decoded faster than 16 MB batches)."""
        driver_cursor = self._open(whole=False, batch=SCAN_BATCH)
        try:
            for raw in driver_cursor:  # noqa: UP028 (the twin cannot `yield from`)
                yield raw
        finally:  # the reader stopped early: the server cursor is not left open
            driver_cursor.close()

    def __iter__(self) -> Iterator[OutputT]:
        parse = self._parser.one
        driver_cursor = self._open(whole=False)
        for raw in driver_cursor:
            yield parse(raw)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._collection.name}, {self._read.describe()})"
