# generated from odmantic/_async/cascade.py by codegen; do not edit
"""Deletes with delete rules: runs the steps `odmantic._internal.delete_rules` decides, in one
transaction where the deployment has them (a replica set or a sharded cluster)."""

from __future__ import annotations

from typing import Any

from odmantic._internal.delete_rules import (
    DeleteMany,
    FindKeys,
    LoadInstances,
    RunHooks,
    delete_steps,
)
from odmantic._internal.deployment import has_transactions
from odmantic._sync import adapter, hooks
from odmantic._sync.session import SessionLifecycle, TransactionLifecycle


def delete_with_rules(
    engine: Any, model: type[Any], filter_: dict[str, Any], just_one: bool, session: Any
) -> int:
    """Delete `model`'s documents matching `filter_`, applying the delete rules of the
    references to them; return how many of `model`'s documents were deleted.

    Inside a transaction, the steps join it; in a session, or with none, they run in a
    transaction of their own (retried by `with_transaction`) when the deployment has them;
    otherwise one after the other, every `deny` check first.

    Raises:
        ReferencedDocumentError: a `deny` reference points to a document to delete.
    """

    def run(transaction: Any) -> int:
        return _run_steps(engine, model, filter_, just_one, transaction)

    if isinstance(session, TransactionLifecycle):
        return _run_steps(engine, model, filter_, just_one, session)
    transactions = _has_transactions(engine)
    if isinstance(session, SessionLifecycle):  # an odmantic session
        if transactions:
            result: int = session.with_transaction(run)  # type: ignore[attr-defined]
            return result
        return _run_steps(engine, model, filter_, just_one, session)
    if session is not None:  # a driver session
        driver_session = adapter.driver_session_of(session, engine.client)
        if driver_session is None or driver_session.in_transaction or not transactions:
            return _run_steps(engine, model, filter_, just_one, session)
        return _in_driver_transaction(engine, model, filter_, just_one, driver_session)
    if transactions:
        result = engine.with_transaction(run)
        return result
    return _run_steps(engine, model, filter_, just_one, None)


def _in_driver_transaction(
    engine: Any, model: type[Any], filter_: dict[str, Any], just_one: bool, session: Any
) -> int:
    """The steps in a transaction of the caller's driver session (committed, or aborted)."""
    adapter.start_transaction(session)
    try:
        deleted = _run_steps(engine, model, filter_, just_one, session)
    except BaseException:
        session.abort_transaction()
        raise
    session.commit_transaction()
    return deleted


def _has_transactions(engine: Any) -> bool:
    """Whether the deployment runs transactions (asked once per engine)."""
    known: bool | None = getattr(engine, "_odmantic_has_transactions", None)
    if known is not None:
        return known
    hello = engine.database.command("hello")
    found = has_transactions(hello)
    engine._odmantic_has_transactions = found
    return found


def _run_steps(
    engine: Any, model: type[Any], filter_: dict[str, Any], just_one: bool, session: Any
) -> int:
    driver_session = adapter.driver_session_of(session, engine.client)
    steps = delete_steps(model, filter_, just_one)
    result: Any = None
    while True:
        try:
            step = steps.send(result)
        except StopIteration as done:
            deleted: int = done.value
            return deleted
        if isinstance(step, LoadInstances):
            cursor = engine.find(step.model, {"_id": {"$in": step.keys}}, session=session)
            result = cursor.to_list()
            continue
        if isinstance(step, RunHooks):
            if step.kind == "after_delete":
                hooks.run_after(step.instances, "after_delete", session)
            elif failures := hooks.run_before(step.instances, "before_delete"):
                raise next(iter(failures.values()))
            result = None
            continue
        collection = engine.get_collection(step.model)
        if isinstance(step, FindKeys):
            cursor = collection.find(
                step.filter, {"_id": 1}, limit=step.limit, session=driver_session
            )
            result = [document["_id"] for document in cursor]
        elif isinstance(step, DeleteMany):
            outcome = collection.delete_many(step.filter, session=driver_session)
            result = outcome.deleted_count
        else:
            collection.update_many(
                step.filter, step.update, array_filters=step.array_filters, session=driver_session
            )
            result = None
