"""What field annotations mean to the ODM: BSON-aware rewrites, embedded/reference shapes.

`substitute_bson_types` rewrites plain Python types that need a BSON-specific treatment:

* `datetime.datetime`: naive values are taken as UTC, aware values are converted to UTC,
  and the result is a *naive UTC* datetime truncated to milliseconds, which is exactly what
  PyMongo gives back by default; so validating a stored value gives an equal value.
* `decimal.Decimal`: dumped as `bson.decimal128.Decimal128` for MongoDB (only
  under `odmantic.bson.BSON_CONTEXT`) and validated back from `Decimal128`.
* subclasses of `odmantic.bson.WithBsonSerializer` and `Enum` classes: dumped
  through `__bson__` / as their value for MongoDB (again only under `BSON_CONTEXT`).
* the raw `bson` classes (`bson.ObjectId` ...): replaced by their pydantic-aware
  `odmantic.bson` counterparts.

`classify` and `is_mutable` tell the model machinery how a field is stored.
"""

from __future__ import annotations

import collections
import collections.abc
import decimal
import enum
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin

import bson
import bson.binary
import bson.decimal128
import bson.int64
import bson.regex

from odmantic._internal.bson_markers import (
    _ARRAY_ORIGINS,
    _BSON_DATETIME,
    _BSON_DECIMAL,
    _BSON_PATTERN,
    _DATE,
    _DATETIME_ANNOTATION,
    _DECIMAL_ANNOTATION,
    _TIMEDELTA,
    _UUID,
    _BsonArray,
    _BsonCodec,
    _BsonDatetime,
    _BsonDecimal,
    _BsonPattern,
)
from odmantic._internal.lazy import Lazy
from odmantic._internal.schema import FieldKind, Shape, schema_of
from odmantic.bson import (
    Binary,
    BsonSerializer,
    Decimal128,
    Int64,
    ObjectId,
    Regex,
    WithBsonSerializer,
)
from odmantic.exceptions import ModelDefinitionError

# --------------------------------------------------------------------------- substitution

_REPLACED_CLASSES: dict[Any, Any] = {
    datetime: _DATETIME_ANNOTATION,
    decimal.Decimal: _DECIMAL_ANNOTATION,
    bson.ObjectId: ObjectId,
    bson.int64.Int64: Int64,
    bson.decimal128.Decimal128: Decimal128,
    bson.binary.Binary: Binary,
    bson.regex.Regex: Regex,
    re.Pattern: Annotated[re.Pattern, _BSON_PATTERN],
    uuid.UUID: Annotated[uuid.UUID, _UUID],
    date: Annotated[date, _DATE],
    timedelta: Annotated[timedelta, _TIMEDELTA],
    set: Annotated[set, _BsonArray(Any)],
    frozenset: Annotated[frozenset, _BsonArray(Any)],
}
_MARKERS: dict[Any, Any] = {
    datetime: _BSON_DATETIME,
    decimal.Decimal: _BSON_DECIMAL,
    re.Pattern: _BSON_PATTERN,
    uuid.UUID: _UUID,
    date: _DATE,
    timedelta: _TIMEDELTA,
}
_MARKER_TYPES = (_BsonDatetime, _BsonDecimal, _BsonPattern, _BsonCodec, _BsonArray, BsonSerializer)
_CONTAINER_ORIGINS: frozenset[Any] = frozenset(
    {
        list,
        set,
        frozenset,
        tuple,
        dict,
        collections.deque,
        collections.defaultdict,
        collections.OrderedDict,
        collections.abc.Sequence,
        collections.abc.MutableSequence,
        collections.abc.Set,
        collections.abc.MutableSet,
        collections.abc.Mapping,
        collections.abc.MutableMapping,
        collections.abc.Collection,
        collections.abc.Iterable,
    }
)
_UNION_ORIGINS: tuple[Any, ...] = (Union, types.UnionType)


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _substitute_args(args: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Substituted args, or None when none of them changed."""
    new_args = tuple(_substitute(arg) for arg in args)
    if all(new is old for new, old in zip(new_args, args, strict=True)):
        return None
    return new_args


def _substitute(annotation: Any) -> Any:
    # list[int] is an instance of type on Python 3.10
    if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias):
        replaced = _REPLACED_CLASSES.get(annotation)
        if replaced is not None:
            return replaced
        if issubclass(annotation, WithBsonSerializer) and annotation is not WithBsonSerializer:
            return Annotated[annotation, BsonSerializer(annotation.__bson__)]
        if issubclass(annotation, enum.Enum):
            return Annotated[annotation, BsonSerializer(_enum_value)]
        return annotation
    if isinstance(annotation, (str, ForwardRef)):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None or origin is Literal:
        return annotation
    if origin is re.Pattern:  # Pattern[str]
        return Annotated[annotation, _BSON_PATTERN]
    if origin is Annotated:
        inner = annotation.__origin__
        metadata: tuple[Any, ...] = getattr(annotation, "__metadata__", ())
        if any(isinstance(item, _MARKER_TYPES) for item in metadata):
            return annotation  # already substituted
        marker = _MARKERS.get(inner)
        if marker is not None:
            # Marker last: the user's constraints apply to pydantic's own datetime/Decimal
            # schema, then the BSON normalization wraps it.
            params = (inner, *metadata, marker)
            return Annotated[params]
        new_inner = _substitute(inner)
        if new_inner is inner:
            return annotation
        params = (new_inner, *metadata)
        return Annotated[params]
    if origin in _UNION_ORIGINS:
        new_args = _substitute_args(typing.get_args(annotation))
        if new_args is None:
            return annotation
        return Union[new_args]  # noqa: UP007 (a runtime union of arbitrary args)
    if origin in _CONTAINER_ORIGINS:
        new_args = _substitute_args(typing.get_args(annotation))
        rebuilt = annotation
        if new_args is not None:
            if isinstance(annotation, types.GenericAlias):
                rebuilt = types.GenericAlias(origin, new_args)
            else:
                rebuilt = annotation.copy_with(new_args)
        if origin in _ARRAY_ORIGINS:  # stored as an array, dumped as a list for MongoDB
            item = typing.get_args(rebuilt)
            return Annotated[rebuilt, _BsonArray(item[0] if item else Any)]
        return rebuilt
    return annotation


def substitute_bson_types(annotation: Any) -> Any:
    """Rewrite a field annotation so that nested types get their BSON behaviour.

    Inside unions (`Optional[X]`, `Union[...]`, `X | None`), containers (`list`,
    `set`, `frozenset`, `tuple`, `dict`, `deque`, `defaultdict`, `OrderedDict`,
    their `typing` aliases and the `collections.abc` `Sequence`/`Mapping`/`Set`/
    `Collection`/`Iterable` families) and `Annotated[...]` (metadata kept):

    * `datetime.datetime` becomes a datetime validated to naive UTC with millisecond
      precision (naive input is taken as UTC, aware input is converted);
    * `decimal.Decimal` becomes a Decimal that also validates from `Decimal128` and is
      dumped as `Decimal128` under `BSON_CONTEXT`;
    * subclasses of `WithBsonSerializer` get a serializer calling `__bson__` under
      `BSON_CONTEXT`;
    * the raw `bson` classes (`bson.ObjectId`, `Int64`, `Decimal128`, `Binary`,
      `Regex`) become the pydantic-aware classes of this module.

    `Literal`, other classes (models included), `Callable`, `type[...]`, strings and
    `ForwardRef` are left alone.  When nothing needs rewriting, the very same object is
    returned, so the caller can test `result is annotation`.
    """
    return _substitute(annotation)


_IMMUTABLE_TYPES: tuple[type, ...] = (
    str,
    int,
    float,
    bool,
    bytes,
    complex,
    datetime,
    date,
    time,
    timedelta,
    decimal.Decimal,
    bson.ObjectId,
    bson.Decimal128,
    bson.Int64,
    bson.Binary,
    bson.Regex,
    re.Pattern,
    uuid.UUID,
    enum.Enum,
    type(None),
)
_COLLECTION_ORIGINS = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Set)


def strip_optional(tp: Any) -> Any:
    """`tp` without `Annotated` and without `Optional` (a union with None of one other type)."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def is_optional(annotation: Any) -> bool:
    """Whether the field accepts None (`X | None`, `Optional[X]`)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return type(None) in get_args(annotation)
    return annotation is None or annotation is type(None)


def _lazy_target(tp: Any) -> Any:
    """The model of `Lazy[Model]`, or None when `tp` is not a Lazy reference."""
    if get_origin(tp) is Lazy:
        arguments = get_args(tp)
        return arguments[0] if arguments else None
    return None


def classify(
    owner: str, name: str, annotation: Any, reference: bool = False
) -> tuple[FieldKind, type | None, Shape, bool]:
    """Return (kind, the embedded or referenced model class, shape, lazy) of a field.

    `reference`: the field is declared with `Reference()` (a list of Models is then a list of
    references; without it, refused).
    """
    tp = strip_optional(annotation)
    origin = get_origin(tp)
    if tp is Callable or origin in (collections.abc.Callable,):
        raise ModelDefinitionError(
            f"{owner}.{name}: typing.Callable fields are not supported: they cannot be stored "
            "in MongoDB"
        )
    lazy = _lazy_target(tp)
    if lazy is not None:
        return "reference", lazy, "one", True
    model = schema_of(tp)
    if model is not None:
        return ("embedded" if model.is_embedded else "reference"), tp, "one", False
    args = get_args(tp)
    if origin is not None and args:
        item = strip_optional(args[0] if origin is tuple else args[-1])
        lazy_item = _lazy_target(item)
        inner = schema_of(item) if lazy_item is None else schema_of(lazy_item)
        if inner is not None:
            listed = origin in (list, collections.abc.Sequence, collections.abc.MutableSequence)
            if not inner.is_embedded:
                if reference and listed:
                    return "reference", lazy_item or item, "list", lazy_item is not None
                raise ModelDefinitionError(
                    f"{owner}.{name}: collections of Models are not supported; declare "
                    f"`{name}: list[{inner.name}] = Reference()` to store their primary keys, "
                    "or make the inner class an EmbeddedModel"
                )
            if origin in (dict, collections.abc.Mapping):
                return "embedded", item, "dict", False
            if listed:
                return "embedded", item, "list", False
            if origin in _COLLECTION_ORIGINS:
                return "embedded", item, "tuple", False
    return "plain", None, "one", False


def is_mutable(annotation: Any) -> bool:
    """Whether values of this type can change in place (then a save always writes them)."""
    tp = strip_optional(annotation)
    origin = get_origin(tp)
    if origin is Literal:
        return False
    if origin in (Union, types.UnionType):
        return any(is_mutable(a) for a in get_args(tp))
    if origin in (tuple, frozenset):
        return any(is_mutable(a) for a in get_args(tp) if a is not Ellipsis)
    if origin is not None or not isinstance(tp, type):
        return True
    model = schema_of(tp)
    if model is not None and not model.is_embedded:
        return False
    return not issubclass(tp, _IMMUTABLE_TYPES)


_RAW_BSON = (bson.ObjectId, bson.Int64, bson.Decimal128, bson.Binary, bson.Regex)


def _mentions_raw_bson(tp: Any) -> bool:
    if isinstance(tp, type) and not isinstance(tp, types.GenericAlias):
        return tp in _RAW_BSON
    return any(_mentions_raw_bson(arg) for arg in get_args(tp))


def swap_raw_bson_classes(namespace: dict[str, Any], annotations: dict[str, Any]) -> None:
    """Replace `bson.ObjectId` & co by their pydantic-aware odmantic.bson types."""
    module = sys.modules.get(namespace.get("__module__", ""))
    scope = {**(vars(module) if module else {}), **namespace}
    for attr, annotation in list(annotations.items()):
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, scope)  # noqa: S307 - the class's own annotation
            except Exception:
                continue
        if _mentions_raw_bson(annotation):
            annotations[attr] = substitute_bson_types(annotation)


def holds_any(annotation: Any) -> bool:
    """Whether validated values of this type may be the input objects themselves (`Any`,
    `object`, bare `list`/`dict`, or containers of them)."""
    if annotation is Any or annotation is object:
        return True
    if annotation in (list, dict, set, tuple):
        return True
    origin = get_origin(annotation)
    if origin is Literal or (origin is None and isinstance(annotation, type)):
        return False
    if origin is Annotated:
        return holds_any(get_args(annotation)[0])
    return any(holds_any(arg) for arg in get_args(annotation) if arg is not Ellipsis)


def unstorable(annotation: Any) -> str | None:
    """Why values of this type cannot be stored in MongoDB, or None when they can."""
    if annotation is time:
        return (
            "datetime.time has no BSON type; store a datetime, or the time as a str "
            "(time.isoformat())"
        )
    if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias):
        return None
    for arg in get_args(annotation):
        reason = unstorable(arg)
        if reason is not None:
            return reason
    return None


def has_free_keys(annotation: Any) -> bool:
    """Whether values of this type can hold dict keys chosen at run time (dicts, `Any`)."""
    if holds_any(annotation):
        return True
    origin = get_origin(annotation)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        return True
    return any(has_free_keys(arg) for arg in get_args(annotation) if arg is not Ellipsis)


def alternatives(annotation: Any) -> list[Any]:
    """The types an annotation allows: `Optional`, unions and `Annotated` unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return alternatives(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(annotation) for t in alternatives(arg)]
    return [annotation]
