"""Schema evolution: `rewrite` a collection document by document, and the reports of
`rewrite` and `engine.check_documents`.

Migrations (`odmantic migrate new|up|down|status`) call `rewrite` in their `up` and `down`
functions; the schema evolution guide shows the whole cycle.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import Any, overload

from odmantic._async import evolution as async_evolution
from odmantic._async.engine import AIOEngine, AIOSessionBase
from odmantic._internal.evolution import CheckReport, FieldFailures, RewriteReport, Transform
from odmantic._sync import evolution as sync_evolution
from odmantic._sync.engine import SyncEngine, SyncSessionBase
from odmantic.model import Model
from odmantic.query import Queries

DEFAULT_BATCH_SIZE = 1000


@overload
def rewrite(
    engine: AIOEngine | AIOSessionBase,
    model: type[Model],
    transform: Transform,
    *queries: Queries,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool | None = None,
) -> Coroutine[Any, Any, RewriteReport]: ...


@overload
def rewrite(
    engine: SyncEngine | SyncSessionBase,
    model: type[Model],
    transform: Transform,
    *queries: Queries,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool | None = None,
) -> RewriteReport: ...


def rewrite(
    engine: AIOEngine | SyncEngine | AIOSessionBase | SyncSessionBase,
    model: type[Model],
    transform: Transform,
    *queries: Queries,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool | None = None,
) -> Coroutine[Any, Any, RewriteReport] | RewriteReport:
    """Rewrite the documents of `model`'s collection matching `queries`, one by one, with
    `transform`: reads them in batches of `batch_size` (memory stays flat), and writes each
    batch back with one bulk write of `ReplaceOne`s. Awaited with an `AIOEngine`, called with
    a `SyncEngine`.

    `transform` takes the stored document (a dict, with key names) and returns the new one;
    or, when its parameter is annotated with a model class (the old model), takes an instance
    of it and returns an instance of the new model. A document it returns unchanged is not
    written. Documents are read in `_id` order: a run that is interrupted leaves a prefix
    rewritten; give queries that match only the documents still to rewrite (for example a
    version field the transform sets) and the next run continues where it stopped.

    Args:
        engine: the engine (`AIOEngine` or `SyncEngine`), or a session or transaction of one
            (what a transactional migration's `up` gets): the writes then run in it.
        model: the model whose collection is rewritten (polymorphic: its class's documents).
        transform: the function from the old document (or model) to the new one.
        *queries: query expressions or raw filter dicts choosing the documents.
        batch_size: documents read and written per batch.
        progress: show a progress bar on standard error (None: when it is a terminal).

    Returns:
        what was done: documents read, written, and bulk writes sent.

    Raises:
        TypeError: the transform returned neither a dict nor a model instance.
        ValueError: `batch_size` below 1, or the transform changed a document's `_id`.
        DocumentParsingError: the old model of a typed transform cannot load a document.
        DocumentRewriteError: the server refused documents of a batch (a validator, a unique
            index), naming each one; the others were written.

    Example:
        ```python
        def add_level(document: dict) -> dict:
            return {**document, "level": document.get("lvl", 0), "schema": 2}

        await rewrite(engine, Player, add_level, {"schema": {"$ne": 2}})
        ```
    """
    shown = sys.stderr.isatty() if progress is None else progress
    scope: Any = engine
    # In a session or a transaction (a transactional migration): its engine, in it.
    owner = scope.engine if isinstance(scope, (AIOSessionBase, SyncSessionBase)) else scope
    session: Any = owner._driver_session(scope) if owner is not scope else None
    collection: Any = owner.get_collection(model)
    if isinstance(owner, AIOEngine):
        return async_evolution.rewrite(
            collection, model, transform, queries, batch_size, session, shown
        )
    return sync_evolution.rewrite(collection, model, transform, queries, batch_size, session, shown)


__all__ = ["rewrite", "RewriteReport", "CheckReport", "FieldFailures", "DEFAULT_BATCH_SIZE"]
