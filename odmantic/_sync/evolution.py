# generated from odmantic/_async/evolution.py by codegen; do not edit
"""Schema evolution's loops: the drift check and `rewrite`, streaming a collection in batches
(memory stays flat) and sending what `odmantic._internal.evolution` decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import encode
from pymongo.errors import BulkWriteError
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection

from odmantic._internal.evolution import (
    CheckReport,
    CheckTally,
    Progress,
    Rewriter,
    RewriteReport,
    Transform,
    drift_errors,
    refused_rewrites,
)
from odmantic._internal.polymorphism import with_family
from odmantic._sync import adapter
from odmantic._sync.cursor import SyncCursor
from odmantic.exceptions import DocumentParsingError
from odmantic.query import Queries, build_filter


def check_documents(
    cursor: SyncCursor[Any], model: type[Any], total: int | None, progress: bool
) -> CheckReport:
    """Read every document of `cursor` (its parser left aside) and tally those that do not
    load as `model`."""
    tally = CheckTally(model)
    shown = Progress(f"checking {model.__name__}", total) if progress else None
    parse = cursor._parser.one
    for raw in cursor._documents():
        try:
            parse(raw)
        except DocumentParsingError as error:
            tally.failed(drift_errors(model, raw, error), raw.get("_id"))
        else:
            tally.passed()
        if shown is not None:
            shown.advance()
    if shown is not None:
        shown.close()
    return tally.done()


def rewrite(
    collection: Collection[Any],
    model: type[Any],
    transform: Transform,
    queries: Sequence[Queries],
    batch_size: int,
    session: ClientSession | None,
    progress: bool,
) -> RewriteReport:
    """Replace each matching document by `transform` of it, one bulk write per batch, in
    `_id` order (an interrupted run leaves a prefix of the documents rewritten)."""
    if batch_size < 1:
        raise ValueError(f"rewrite({model.__name__}): batch_size must be >= 1, got {batch_size}")
    rewriter = Rewriter(model, transform)
    filter_ = with_family(model, build_filter(queries))
    total = collection.count_documents(filter_, session=session) if progress else None
    shown = Progress(f"rewriting {model.__name__}", total) if progress else None
    report = RewriteReport()
    cursor = collection.find(filter_, sort=[("_id", 1)], batch_size=batch_size, session=session)
    batch: list[tuple[Any, Any]] = []  # each document's `_id` and its replacement
    try:
        for raw in cursor:
            report.read += 1
            stored = encode(raw)
            new = adapter.resolved(transform(rewriter.argument(raw)))
            replacement = rewriter.replacement(stored, raw, new)
            if replacement is not None:
                batch.append((raw["_id"], replacement))
            if len(batch) >= batch_size:
                _send(collection, model, batch, report, session)
            if shown is not None:
                shown.advance()
        _send(collection, model, batch, report, session)
    finally:  # interrupted (a transform raised, Ctrl-C): the server cursor is not left open
        cursor.close()
        if shown is not None:
            shown.close()
    return report


def _send(
    collection: Collection[Any],
    model: type[Any],
    batch: list[tuple[Any, Any]],
    report: RewriteReport,
    session: ClientSession | None,
) -> None:
    if batch:
        try:
            collection.bulk_write([op for _, op in batch], ordered=False, session=session)
        except BulkWriteError as error:
            keys = [key for key, _ in batch]
            raise refused_rewrites(model, keys, dict(error.details)) from error
        report.written += len(batch)
        report.batches += 1
        batch.clear()
