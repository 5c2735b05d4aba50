"""What an upsert inserts: the fields its filter and its update give, and the model's defaults
for the others, as a save would store them (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from bson.regex import Regex

from odmantic._internal.schema import FieldSchema, ModelSchema, model_class_in, paths_overlap
from odmantic.query import to_query_value

if TYPE_CHECKING:
    from odmantic.model import Model

# The operators that create the field when the document lacks it.
_CREATING = frozenset(
    {"$set", "$setOnInsert", "$inc", "$mul", "$min", "$max", "$push", "$addToSet", "$currentDate"}
)


def with_insert_defaults(
    model: type[Model], document: dict[str, dict[str, Any]], filter_: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """`document` (an update of `model`'s documents) with `$setOnInsert` of the defaults of
    the fields that neither `filter_`'s equalities nor the update give.

    Raises:
        ValueError: the upsert could insert a document that does not parse: a required field
            (or a part of an embedded model's) is given by neither, a list field would get a
            single value or a part, or a default factory needs the other fields' values; the
            message names the field.
    """
    schema: ModelSchema = model.__odmantic_schema__
    if "$rename" in document:
        raise ValueError(
            f"upsert of {schema.name} with $rename: an insert has nothing to rename, so the "
            "document inserted would lack the renamed field; upsert without $rename"
        )
    queried = equalities(filter_)
    written = {path for op, paths in document.items() if op in _CREATING for path in paths}
    _, parts = _split(set(queried) | written)
    touched_paths = {path for paths in document.values() for path in paths}
    touched = {path.split(".")[0] for path in touched_paths}
    defaults: dict[str, Any] = {}
    for field in schema.fields.values():
        key, where = field.key_name, f"{schema.name}.{field.name}"
        if key in written:
            continue
        if key in queried:
            _check_queried(model, field, queried[key])
        elif key in parts:
            defaults.update(_check_part(model, field, parts[key], touched_paths))
        elif key in touched:  # $unset, $pull or $pop: the key stays absent
            if key in schema.required_keys or model.model_fields[field.name].is_required():
                raise ValueError(
                    f"upsert of {schema.name} could insert a document without {where}, which "
                    f"stored documents must hold; give it with set_on_insert()"
                )
        else:
            defaults[key] = _default(model, field)
    if defaults:
        document["$setOnInsert"] = {**document.get("$setOnInsert", {}), **defaults}
    return document


def equalities(filter_: dict[str, Any]) -> dict[str, Any]:
    """The key paths whose values an upsert takes from `filter_`, with those values, as MongoDB
    does: equalities (`$eq`, a one-value `$in` or `$all`), through `$and` and a one-clause
    `$or`."""
    found: dict[str, Any] = {}
    for key, value in filter_.items():
        if key == "$and" or (key == "$or" and len(value) == 1):
            for part in value:
                found.update(equalities(part))
        elif key.startswith("$"):
            continue
        elif not (isinstance(value, dict) and any(k.startswith("$") for k in value)):
            found[key] = value
        elif "$eq" in value:
            found[key] = value["$eq"]
        else:
            for op in ("$in", "$all"):
                values = value.get(op)
                if isinstance(values, (list, tuple)) and values:
                    if all(item == values[0] for item in values):  # MongoDB drops repeats
                        found[key] = values[0]
    return {k: v for k, v in found.items() if not isinstance(v, (re.Pattern, Regex))}


def _is_collection(model: type[Model], field: FieldSchema) -> bool:
    if field.kind == "embedded":
        return field.shape in ("list", "tuple")
    return field.kind == "plain" and bool(getattr(model, field.name).__odmantic_is_collection__())


def _check_queried(model: type[Model], field: FieldSchema, value: Any) -> None:
    """Refuse an equality of the filter whose value, inserted, would not validate (a single
    value in a list field, a value out of the field's constraints, None)."""
    where = f"{model.__name__}.{field.name}"
    if _is_collection(model, field) and not isinstance(value, (list, tuple)):
        raise ValueError(
            f"upsert of {model.__name__} could insert {value!r} as {where}, which holds a "
            f"list: MongoDB takes the filter's value; give {where} with set_on_insert()"
        )
    if field.kind == "plain":
        try:
            getattr(model, field.name).__odmantic_update_value__(value, "field")
        except ValueError as exc:
            raise ValueError(
                f"upsert of {model.__name__} could insert the filter's value as {where}: {exc}"
            ) from None


def _check_part(
    model: type[Model], field: FieldSchema, rests: list[str], touched: set[str]
) -> dict[str, Any]:
    """The defaults, by dotted path, of what the dotted paths `rests` leave out of `field` (an
    embedded model's other fields), so that the part inserted is what a save would store.

    Raises:
        ValueError: the part would not parse (a list field, or a required field left out).
    """
    where = f"{model.__name__}.{field.name}"
    target = field.target
    if (
        field.primary
        and target is not None
        and {f.key_name for f in target.fields.values()} <= _split(rests)[0]
    ):
        return {}  # every part of the key is given: MongoDB builds the `_id` from them
    if _is_collection(model, field) or field.primary:
        what = "is the primary key" if field.primary else "holds a list"
        raise ValueError(
            f"upsert of {model.__name__} could insert a part of {where} ({rests[0]!r}), which "
            f"{what}; give {where} whole ({where} == value, or set_on_insert())"
        )
    try:
        defaults = _part_defaults(model, field, rests, field.key_name)
    except _Lacking as lacking:
        raise ValueError(
            f"upsert of {model.__name__} could insert a part of {where} without {lacking}, "
            f"which is required; give {where} whole (set_ or set_on_insert)"
        ) from None
    # No default where the update also unsets, pulls or pops (MongoDB refuses both at once).
    return {
        path: value
        for path, value in defaults.items()
        if not any(paths_overlap(path, other) for other in touched)
    }


class _Lacking(Exception):
    """A required field of an embedded model, left out of the part an upsert inserts."""


def _part_defaults(
    owner: type[Any], field: FieldSchema, rests: list[str], prefix: str
) -> dict[str, Any]:
    target = field.target
    if field.kind != "embedded" or field.shape != "one" or target is None:
        return {}
    embedded = model_class_in(owner.model_fields[field.name].annotation, target)
    whole, deeper = _split(rests)
    defaults: dict[str, Any] = {}
    for sub in target.fields.values():
        path = f"{prefix}.{sub.key_name}"
        if sub.key_name in whole:
            continue
        if sub.key_name in _no_default(target) and sub.key_name not in deeper:
            raise _Lacking(f"{target.name}.{sub.name}")
        if embedded is None:
            continue
        if sub.key_name in deeper:
            defaults.update(_part_defaults(embedded, sub, deeper[sub.key_name], path))
        elif not embedded.model_fields[sub.name].default_factory_takes_validated_data:
            # (A factory of the other fields' values runs when the part is loaded.)
            defaults[path] = _default(embedded, sub)
    return defaults


def _split(paths: Iterable[str]) -> tuple[set[str], dict[str, list[str]]]:
    """The dotted paths without a dot, and the others by first key (the rest of each path)."""
    whole: set[str] = set()
    parts: dict[str, list[str]] = {}
    for path in paths:
        if "." in path:
            root, rest = path.split(".", 1)
            parts.setdefault(root, []).append(rest)
        else:
            whole.add(path)
    return whole, parts


def _no_default(schema: ModelSchema) -> frozenset[str]:
    """Key names of the fields of the embedded model `schema` without any default (pydantic
    fills the others when a document lacks them)."""
    return frozenset(
        f.key_name
        for f in schema.fields.values()
        if not f.has_default and f.name not in schema.default_factory_fields
    )


def _default(model: type[Model], field: FieldSchema) -> Any:
    info = model.model_fields[field.name]
    where = f"{model.__name__}.{field.name}"
    if info.default_factory is None:
        if info.is_required():
            raise ValueError(
                f"upsert of {model.__name__} could insert a document without {where}, which "
                f"is required: give it in the queries ({where} == value) or with set_on_insert()"
            )
        return _static_default(cast(Any, model), field.name)
    if info.default_factory_takes_validated_data:
        raise ValueError(
            f"upsert of {model.__name__}: the default_factory of {where} needs the other "
            f"fields' values; give {where} with set_on_insert()"
        )
    return _stored(model, field.name, info.default_factory())  # type: ignore[call-arg]


@lru_cache(maxsize=4096)
def _static_default(model: Any, name: str) -> Any:
    # Shared between upserts: the driver only encodes it.
    return _stored(model, name, model.model_fields[name].default)


def _stored(model: type[Model], name: str, value: Any) -> Any:
    """`value` as a save stores it in the field `name`."""
    try:
        return getattr(model, name).__odmantic_update_value__(value, "field")
    except ValueError:
        return to_query_value(value)


__all__ = ["with_insert_defaults", "equalities"]
