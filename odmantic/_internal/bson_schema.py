"""The `$jsonSchema` validator of a model's documents (`Model.model_bson_schema()`), without I/O.

What MongoDB can check is written: key names, BSON types, required keys, embedded documents,
arrays and their items, `enum` for `Literal` and `Enum`, numeric bounds and lengths. Anything
it cannot express (a pattern in another regex dialect, a custom validator, `Any`) is left open:
a validator that refuses a document the model loads would be worse than none.
"""

from __future__ import annotations

import collections.abc
import datetime
import decimal
import enum
import re
import types
import uuid
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from bson import ObjectId
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.regex import Regex

from odmantic._internal.lazy import Lazy
from odmantic._internal.polymorphism import members_of

# BSON types by Python type, most specific first (a bool is an int, a datetime a date).
_SCALARS: tuple[tuple[type[Any], Any], ...] = (
    (bool, "bool"),
    (Int64, "long"),
    (int, ["int", "long"]),
    (float, ["double", "int", "long"]),  # an int loads into a float field
    (str, "string"),
    (Decimal128, "decimal"),
    (decimal.Decimal, "decimal"),
    (datetime.datetime, "date"),
    (datetime.date, "date"),
    (datetime.timedelta, ["double", "int", "long"]),  # stored as seconds
    (ObjectId, "objectId"),
    (uuid.UUID, "binData"),
    (bytes, "binData"),
    (Regex, "regex"),
    (re.Pattern, "regex"),
    (type(None), "null"),
)
_ARRAYS = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Set)
_UNIQUE = (set, frozenset, collections.abc.Set)


def model_bson_schema(model: type[Any]) -> dict[str, Any]:
    """The `$jsonSchema` of `model`'s documents; for a polymorphic collection, the union of
    its classes, each keyed by its discriminator value."""
    schema = model.__odmantic_schema__
    if schema.discriminator is None:
        return _document(model)
    key = schema.discriminator[0]
    variants = []
    for member in members_of(model):
        variant = _document(member)
        name = member.__odmantic_schema__.discriminator[1]
        variant["properties"][key] = {"enum": [name]}
        if member.__odmantic_schema__.family is not None:  # only the root's may lack one
            variant["required"] = sorted({*variant.get("required", ()), key})
        variants.append(variant)
    return variants[0] if len(variants) == 1 else {"anyOf": variants}


def _document(model: type[Any]) -> dict[str, Any]:
    """The object schema of one Model or EmbeddedModel class."""
    schema = model.__odmantic_schema__
    infos = model.__pydantic_fields__
    properties: dict[str, Any] = {}
    required: list[str] = []
    defaulted_factories = schema.parse_doc_with_default_factories
    for name, field in schema.fields.items():
        info = infos[name]
        if info.exclude is True:
            continue
        properties[field.key_name] = _value(info.annotation, info.metadata)
        factory_required = info.default_factory is not None and not defaulted_factories
        if field.primary or info.is_required() or factory_required:
            required.append(field.key_name)
    for name in getattr(model, "__pydantic_computed_fields__", {}):
        properties.setdefault(name, {})  # stored too: its value is whatever it computes
    document: dict[str, Any] = {"bsonType": "object", "properties": properties}
    if required:
        document["required"] = required
    if model.model_config.get("extra") == "forbid":
        document["additionalProperties"] = False
    if schema.discriminator is not None and schema.discriminator[0] not in properties:
        properties[schema.discriminator[0]] = {}
    return document


def _value(annotation: Any, metadata: Iterable[Any] = ()) -> dict[str, Any]:
    """The schema of a value of `annotation` (with the field's constraints)."""
    metadata = list(metadata)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        return _value(inner, [*extra, *metadata])
    found = _typed(annotation, origin)
    return _constrained(found, metadata) if found else found


def _typed(annotation: Any, origin: Any) -> dict[str, Any]:
    if origin is Union or origin is types.UnionType:
        return _union([_value(arg) for arg in get_args(annotation)])
    if origin is Literal:
        return {"enum": [_literal(v) for v in get_args(annotation)]}
    if origin is Lazy:
        return _value(get_args(annotation)[0])
    container = origin if isinstance(origin, type) else None
    if container is not None and issubclass(container, (dict, Mapping)):
        args = get_args(annotation)
        values = _value(args[1]) if len(args) == 2 else {}
        return {"bsonType": "object", **({"additionalProperties": values} if values else {})}
    if container is not None and issubclass(container, _ARRAYS):
        return _array(annotation, container)
    if not isinstance(annotation, type):
        return {}
    if issubclass(annotation, enum.Flag):  # combinations of members are values too
        return _typed(type(next(iter(annotation)).value), None) if len(annotation) else {}
    if issubclass(annotation, enum.Enum):
        return {"enum": [_literal(member.value) for member in annotation]}
    odm = getattr(annotation, "__odmantic_schema__", None)
    if odm is not None:
        return _document(annotation) if odm.is_embedded else _key_of(annotation)
    if annotation in (dict, collections.abc.Mapping):
        return {"bsonType": "object"}
    if annotation in (list, tuple, set, frozenset):
        return _array(annotation, annotation)
    for python_type, bson_type in _SCALARS:
        if issubclass(annotation, python_type):
            return {"bsonType": bson_type}
    return {}


def _key_of(model: type[Any]) -> dict[str, Any]:
    """A reference: the schema of the referenced model's primary key."""
    primary = model.__odmantic_schema__.primary
    info = model.__pydantic_fields__[primary.name]
    return _value(info.annotation, info.metadata)


def _array(annotation: Any, container: type[Any]) -> dict[str, Any]:
    args = [a for a in get_args(annotation) if a is not Ellipsis]
    found: dict[str, Any] = {"bsonType": "array"}
    if issubclass(container, tuple) and len(args) > 1 and Ellipsis not in get_args(annotation):
        found.update(items=[_value(a) for a in args], minItems=len(args), maxItems=len(args))
        return found
    items = _value(args[0]) if args else {}
    if items:
        found["items"] = items
    if issubclass(container, _UNIQUE):
        found["uniqueItems"] = True
    return found


def _union(alternatives: list[dict[str, Any]]) -> dict[str, Any]:
    if any(not a for a in alternatives):
        return {}  # one alternative is open: so is the union
    if all(set(a) == {"bsonType"} for a in alternatives):
        merged: list[str] = []
        for a in alternatives:
            kinds = a["bsonType"] if isinstance(a["bsonType"], list) else [a["bsonType"]]
            merged += [k for k in kinds if k not in merged]
        return {"bsonType": merged[0] if len(merged) == 1 else merged}
    nullable = {"bsonType": "null"} in alternatives
    others = [a for a in alternatives if a != {"bsonType": "null"}]
    if nullable and len(others) == 1:
        return _with_null(others[0])
    return {"anyOf": alternatives}


def _with_null(found: dict[str, Any]) -> dict[str, Any]:
    """`found`, also accepting null (an Optional value)."""
    if "enum" in found:
        return {**found, "enum": [*found["enum"], None]}
    kinds = found.get("bsonType")
    if kinds is None:
        return {"anyOf": [found, {"bsonType": "null"}]}
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {**found, "bsonType": [*kinds, "null"]}


def _literal(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


_BOUNDS = {
    annotated_types.Ge: ("minimum", "ge", False),
    annotated_types.Gt: ("minimum", "gt", True),
    annotated_types.Le: ("maximum", "le", False),
    annotated_types.Lt: ("maximum", "lt", True),
}


_INT64 = 2**63


def _bson_number(value: Any) -> Any:
    """A bound as BSON holds it (a timedelta as its seconds, as stored), None when it cannot
    be one (the bound is then left out: open, never guessed)."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return Decimal128(value) if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if not isinstance(value, int) or -_INT64 <= value < _INT64 else None


def _constrained(found: dict[str, Any], metadata: list[Any]) -> dict[str, Any]:
    """`found` with the constraints MongoDB can check (bounds, lengths, multiples)."""
    kinds = found.get("bsonType")
    kinds = set(kinds if isinstance(kinds, list) else [kinds])
    numeric = bool(kinds) and kinds <= {"int", "long", "double", "decimal", "null"}
    for item in metadata:
        bound = _BOUNDS.get(type(item))
        value = _bson_number(getattr(item, bound[1])) if bound is not None else None
        if bound is not None and numeric and value is not None:
            key, _, exclusive = bound
            found[key] = value
            if exclusive:
                found["exclusiveMinimum" if key == "minimum" else "exclusiveMaximum"] = True
        elif isinstance(item, annotated_types.MultipleOf) and numeric:
            multiple = _bson_number(item.multiple_of)
            if multiple is not None:
                found["multipleOf"] = multiple
        elif isinstance(item, (annotated_types.MinLen, annotated_types.MaxLen)):
            which = "min" if isinstance(item, annotated_types.MinLen) else "max"
            length = item.min_length if which == "min" else item.max_length  # type: ignore[union-attr]
            if "string" in kinds:
                found[f"{which}Length"] = length
            elif "array" in kinds:
                found[f"{which}Items"] = length
    return found


ValidationAction = Literal["error", "warn"]
"""What the server does with a document its validator refuses: refuse the write, or log it."""

ValidationLevel = Literal["moderate", "strict"]
"""Which writes are validated: every one (`strict`), or not the updates of documents that
were invalid already (`moderate`)."""


def check_validation(validation: Any, level: Any) -> None:
    """Refuse an unknown validation action or level (before anything is sent).

    Raises:
        ValueError: naming the values given.
    """
    if validation not in ("error", "warn", None) or level not in ("moderate", "strict"):
        raise ValueError(
            "configure_database: validation is 'error', 'warn' or None and "
            f"validation_level 'moderate' or 'strict', got {validation!r}, {level!r}"
        )


def collection_options(
    model: type[Any], validation: ValidationAction | None, level: ValidationLevel
) -> dict[str, Any]:
    """The options `configure_database` sets on `model`'s collection: its validator (for a
    polymorphic class, the collection's: every class), change stream pre-images."""
    options: dict[str, Any] = {}
    schema = model.__odmantic_schema__
    if validation is not None:
        family = schema.family  # a polymorphic subclass: its root's validator, for all
        root = (
            next(
                (c for c in model.__mro__ if c.__dict__.get("__odmantic_schema__") is family), model
            )
            if family
            else model
        )
        options["validator"] = {"$jsonSchema": model_bson_schema(root)}
        options["validationLevel"] = level
        options["validationAction"] = validation
    if schema.pre_images:
        options["changeStreamPreAndPostImages"] = {"enabled": True}
    return options


__all__ = [
    "model_bson_schema",
    "collection_options",
    "check_validation",
    "ValidationAction",
    "ValidationLevel",
]
