"""What an upsert inserts: the fields its filter and its update give, and the model's defaults
for the others, as a save would store them (no I/O)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from bson.regex import Regex

from odmantic.query import to_query_value
from odmantic.schema import FieldSchema, ModelSchema

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
            (or a part of an embedded model's) is given by neither, or a default factory needs
            the other fields' values; the message names the field.
    """
    schema: ModelSchema = model.__schema__
    given = equalities(filter_)
    given |= {path for op, paths in document.items() if op in _CREATING for path in paths}
    whole = {path for path in given if "." not in path}
    parts: dict[str, list[str]] = {}
    for path in given - whole:
        root, rest = path.split(".", 1)
        parts.setdefault(root, []).append(rest)
    touched = {path.split(".")[0] for paths in document.values() for path in paths}
    defaults: dict[str, Any] = {}
    for field in schema.fields.values():
        key, where = field.key_name, f"{schema.name}.{field.name}"
        if key in whole:
            continue
        if key in parts:
            lacking = _lacking(field, parts[key])
            if lacking is not None:
                raise ValueError(
                    f"upsert of {schema.name} could insert a part of {where} without "
                    f"{lacking}, which is required; give {where} whole (set_ or set_on_insert)"
                )
            continue
        if key in touched:  # $unset, $pull or $pop: the key stays absent
            if key in schema.required_keys or model.model_fields[field.name].is_required():
                raise ValueError(
                    f"upsert of {schema.name} could insert a document without {where}, which "
                    f"stored documents must hold; give it with set_on_insert()"
                )
            continue
        defaults[key] = _default(model, field)
    if defaults:
        document["$setOnInsert"] = {**document.get("$setOnInsert", {}), **defaults}
    return document


def equalities(filter_: dict[str, Any]) -> set[str]:
    """The key paths whose values an upsert takes from `filter_`, as MongoDB does: equalities
    (`$eq`, a single-value `$in` or `$all`), through `$and` and a single-clause `$or`."""
    keys: set[str] = set()
    for key, value in filter_.items():
        if key == "$and" or (key == "$or" and len(value) == 1):
            for part in value:
                keys |= equalities(part)
        elif key.startswith("$") or isinstance(value, (re.Pattern, Regex)):
            continue
        elif not (isinstance(value, dict) and any(k.startswith("$") for k in value)):
            keys.add(key)
        elif "$eq" in value or any(len(value.get(op) or ()) == 1 for op in ("$in", "$all")):
            keys.add(key)
    return keys


def _lacking(field: FieldSchema, rests: list[str]) -> str | None:
    """The required field missing from the part of `field` that the dotted paths `rests` give
    (an embedded model's), or None when that part parses."""
    target = field.target
    if field.kind != "embedded" or field.shape != "one" or target is None:
        return None
    whole = {rest for rest in rests if "." not in rest}
    deeper: dict[str, list[str]] = {}
    for rest in rests:
        if "." in rest:
            root, below = rest.split(".", 1)
            deeper.setdefault(root, []).append(below)
    for sub in target.fields.values():
        if sub.key_name in whole:
            continue
        if sub.key_name in deeper:
            lacking = _lacking(sub, deeper[sub.key_name])
            if lacking is not None:
                return lacking
        elif sub.key_name in _no_default(target):
            return f"{target.name}.{sub.name}"
    return None


def _no_default(schema: ModelSchema) -> frozenset[str]:
    """Key names of the fields of `schema` that documents must hold (no plain default)."""
    parsed_with_factories = schema.parse_doc_with_default_factories
    return frozenset(
        f.key_name
        for f in schema.fields.values()
        if not f.has_default
        and not (parsed_with_factories and f.name in schema.default_factory_fields)
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
        return getattr(model, name).__update_value__(value, "field")
    except ValueError:
        return to_query_value(value)


__all__ = ["with_insert_defaults", "equalities"]
