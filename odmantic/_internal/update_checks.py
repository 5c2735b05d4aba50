"""The engine's checks of an update before it is sent: fields of the model, a primary key that
cannot change, keys MongoDB can store, and the defaults an upsert inserts (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from odmantic._internal.document import bad_key
from odmantic._internal.joins import refuse_across_references
from odmantic._internal.polymorphism import with_family
from odmantic._internal.schema import ModelSchema, foreign_path, walk
from odmantic._internal.upserts import with_insert_defaults
from odmantic.query import Queries, build_filter, build_sort
from odmantic.update import UpdateExpression, changes_primary_key

if TYPE_CHECKING:
    from odmantic.model import Model


def update_request(
    model: type[Model],
    queries: Sequence[Queries],
    update: Any,
    upsert: bool,
    sort: Any | None = None,
) -> dict[str, Any]:
    """The driver's arguments of `update_one`/`update_many` (or, with `sort`,
    `find_one_and_update`) for `update` of the documents of `model` matching `queries`.

    Raises:
        TypeError: as `update_document`, or a query through a reference (no lookup is made).
        ValueError: as `update_document`.
    """
    filter_ = with_family(model, build_filter(queries))
    refuse_across_references(
        model, filter_, "find_one_and_update" if sort is not None else "update"
    )
    request = {
        "filter": filter_,
        "update": update_document(model, update, filter_, upsert),
        "upsert": upsert,
    }
    if sort is not None:
        request["sort"] = build_sort(sort)
    return request


def update_document(
    model: type[Model], update: Any, filter_: dict[str, Any], upsert: bool
) -> dict[str, dict[str, Any]]:
    """The update document an engine sends for `update` of `model`'s documents, checked.

    With `upsert`, the document an upsert inserts gets what a save would store: the fields
    neither the queries' equalities nor the update give are set on insert to their defaults.

    Raises:
        TypeError: `update` is not built with these operators, or writes a field of another
            model (or one of a parent class that `model` redefines).
        ValueError: a path is no field of `model`, a hand-built value holds a key MongoDB
            cannot store, or an upsert could insert a document that would not parse.
    """
    name = model.__name__
    if not isinstance(update, UpdateExpression) or not update:
        raise TypeError(
            f"update of {name} must be built with odmantic.update operators "
            f"(set_, inc, push...) combined with &; got {update!r}"
        )
    for operator, paths in update.items():
        for path, value in paths.items():
            _check_path(model, update.origins.get(path), operator, path, value)
    schema: ModelSchema = model.__odmantic_schema__
    document = _revised(schema, dict(update))
    if not upsert:
        return document
    if schema.discriminator is not None:  # an upserted document is of this class
        key, value = schema.discriminator
        document["$setOnInsert"] = {**document.get("$setOnInsert", {}), key: value}
    return with_insert_defaults(model, document, filter_)


def _revised(schema: ModelSchema, update: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`update` incrementing the revision of a revisioned model (unless it writes it itself),
    so that a save of an instance loaded before fails on it."""
    revision = schema.revision
    if revision is None:
        return update
    if any(revision.key_name in paths for paths in update.values()):
        raise ValueError(
            f"{schema.name}.{revision.name} is the revision: every update increments it, and "
            "an update cannot write it"
        )
    return {**update, "$inc": {**update.get("$inc", {}), revision.key_name: 1}}


def _check_path(
    model: type[Model], origin: ModelSchema | None, operator: str, path: str, value: Any
) -> None:
    schema: ModelSchema = model.__odmantic_schema__
    name = schema.name
    if changes_primary_key(operator, path):
        raise ValueError(f"update of {name} writes {path!r}: the primary field cannot change")
    if origin is None:  # built by hand: sent as written, once its root and keys are checked
        _check_hand_built(schema, operator, path, value)
        return
    problem = foreign_path(model, origin, path)
    if problem == "another model":
        raise TypeError(
            f"update of {name} writes fields of {origin.name}: build it from {name}'s own "
            f"fields ({name}.field)"
        )
    if problem == "redefined":
        inherited = walk(origin, path)
        field = inherited[0].name if inherited else path
        raise TypeError(
            f"update of {name} writes {origin.name}.{field}, which {name} redefines; write "
            f"{name}.{field}"
        )


# Operators whose values are stored as data (the others hold numbers, conditions or options).
_STORING = frozenset({"$set", "$setOnInsert", "$min", "$max", "$push", "$addToSet"})


def _check_hand_built(schema: ModelSchema, operator: str, path: str, value: Any) -> None:
    """Check a path of an update built by hand: what it writes must be a field of the model
    (a key it only removes or renames away need not be), and the data it stores must hold keys
    MongoDB can store."""
    name = schema.name
    targets = [] if operator in ("$unset", "$rename") else [path]
    if operator == "$rename" and isinstance(value, str):
        targets.append(value)
    keys = {f.key_name for f in schema.fields.values()}
    for target in targets:
        if not schema.extra_allowed and target.split(".")[0] not in keys:
            raise ValueError(f"update of {name} writes {target!r}, which is no field of {name}")
    if operator not in _STORING:
        return
    stored: Any = value
    if isinstance(value, dict) and operator in ("$push", "$addToSet"):
        stored = value.get("$each", value)  # the other keys are options ($slice, $sort...)
    found = bad_key(stored)
    if found is not None:
        raise ValueError(
            f"update of {name}: the value of {path!r} holds the key {found[-1]!r}, which MongoDB "
            "cannot store"
        )
