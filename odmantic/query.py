"""Query and sort expressions, built from field proxies: `Player.level > 10`, `Player.name.asc()`.

Every comparison is written with an explicit operator (`{"name": {"$eq": value}}`), so a value that
looks like an operator (`"$where"`, `{"$ne": 1}`) is always matched as data.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from bson import ObjectId
from bson.decimal128 import Decimal128

from odmantic.bson import WithBsonSerializer


class _Keyed(Protocol):
    def __pos__(self) -> str: ...


FieldLike = Any
"""A field proxy (`Player.name`) or a key path str. Type checkers see a field proxy as the
field's own type (`str` for `Player.name`), so the functional helpers accept any value."""


class QueryExpression(dict[str, Any]):
    """A MongoDB filter document; `&` combines with `$and`, `|` with `$or`."""

    def __repr__(self) -> str:
        return f"QueryExpression({dict.__repr__(self) if self else ''})"

    def __and__(self, other: QueryExpression | dict[str, Any] | bool) -> QueryExpression:
        return and_(self, other)

    def __or__(self, other: QueryExpression | dict[str, Any] | bool) -> QueryExpression:  # type: ignore[override]
        return or_(self, other)


Queries = QueryExpression | dict[str, Any] | bool
"""What an engine method takes as a query: an expression (`Player.level > 3`) or a raw filter
dict (a bare bool is refused with a TypeError saying why)."""


class SortExpression(dict[str, int]):
    """A MongoDB sort document: `{key: 1}` ascending or `{key: -1}` descending."""

    def __repr__(self) -> str:
        return f"SortExpression({dict.__repr__(self) if self else ''})"


def _key(field: FieldLike) -> str:
    if isinstance(field, str):
        return field
    if not callable(getattr(field, "__pos__", None)) or isinstance(field, (int, float)):
        raise TypeError(f"expected a model field (Model.field) or a key str, got {field!r}")
    keyed: _Keyed = field
    return str(+keyed)


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), ObjectId, bytes, datetime})


def to_query_value(value: Any) -> Any:
    """Turn a Python value into what MongoDB stores for it (models, enums, decimals, lists)."""
    if type(value) in _PLAIN_TYPES:
        return value
    hook = getattr(type(value), "__odmantic_bson_query_value__", None)
    if hook is not None:
        return hook(value)
    if isinstance(value, WithBsonSerializer):
        return to_query_value(type(value).__bson__(value))
    if isinstance(value, enum.Enum):
        return to_query_value(value.value)
    if isinstance(value, Decimal):
        return Decimal128(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_query_value(item) for item in value]
    if isinstance(value, dict):
        return {key: to_query_value(item) for key, item in value.items()}
    return value


def _value(field: FieldLike, value: Any) -> Any:
    """`value` as stored in `field`: through the field's type for a field proxy."""
    convert = getattr(field, "__odmantic_query_value__", None)
    return to_query_value(value) if convert is None else convert(value)


def _op(field: FieldLike, operator: str, value: Any) -> QueryExpression:
    return QueryExpression({_key(field): {operator: _value(field, value)}})


def _op_each(field: FieldLike, operator: str, values: list[Any]) -> QueryExpression:
    return QueryExpression({_key(field): {operator: [_value(field, v) for v in values]}})


def eq(field: FieldLike, value: Any) -> QueryExpression:
    """`field == value`.

    Examples:
        >>> query.eq(Player.name, "Leeroy")
        QueryExpression({'name': {'$eq': 'Leeroy'}})
    """
    return _op(field, "$eq", value)


def ne(field: FieldLike, value: Any) -> QueryExpression:
    """`field != value`.

    Examples:
        >>> query.ne(Player.name, "Leeroy")
        QueryExpression({'name': {'$ne': 'Leeroy'}})
    """
    return _op(field, "$ne", value)


def gt(field: FieldLike, value: Any) -> QueryExpression:
    """`field > value`.

    Examples:
        >>> query.gt(Player.level, 10)
        QueryExpression({'level': {'$gt': 10}})
    """
    return _op(field, "$gt", value)


def gte(field: FieldLike, value: Any) -> QueryExpression:
    """`field >= value`.

    Examples:
        >>> query.gte(Player.level, 10)
        QueryExpression({'level': {'$gte': 10}})
    """
    return _op(field, "$gte", value)


def lt(field: FieldLike, value: Any) -> QueryExpression:
    """`field < value`.

    Examples:
        >>> query.lt(Player.level, 10)
        QueryExpression({'level': {'$lt': 10}})
    """
    return _op(field, "$lt", value)


def lte(field: FieldLike, value: Any) -> QueryExpression:
    """`field <= value`.

    Examples:
        >>> query.lte(Player.level, 10)
        QueryExpression({'level': {'$lte': 10}})
    """
    return _op(field, "$lte", value)


def _as_list(function: str, field: FieldLike, values: Iterable[Any]) -> list[Any]:
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        raise TypeError(f"{function}() on {_key(field)!r} takes a list of values, got {values!r}")
    return list(values)


def in_(field: FieldLike, sequence: Iterable[Any]) -> QueryExpression:
    """`field` is one of the values of `sequence`.

    Examples:
        >>> query.in_(Player.name, ["Leeroy", "Jaina"])
        QueryExpression({'name': {'$in': ['Leeroy', 'Jaina']}})
    """
    return _op_each(field, "$in", _as_list("in_", field, sequence))


def not_in(field: FieldLike, sequence: Iterable[Any]) -> QueryExpression:
    """`field` is none of the values of `sequence`.

    Examples:
        >>> query.not_in(Player.level, [0, 1])
        QueryExpression({'level': {'$nin': [0, 1]}})
    """
    return _op_each(field, "$nin", _as_list("not_in", field, sequence))


def match(field: FieldLike, pattern: str | re.Pattern[str]) -> QueryExpression:
    """`field` matches the regular expression `pattern` (a str or a compiled pattern).

    Examples:
        >>> query.match(Player.name, "^Le")
        QueryExpression({'name': {'$regex': '^Le'}})
    """
    if isinstance(pattern, re.Pattern):
        return QueryExpression({_key(field): pattern})
    if not isinstance(pattern, str):
        raise TypeError(f"match() on {_key(field)!r} takes a str or re.Pattern, got {pattern!r}")
    return QueryExpression({_key(field): {"$regex": pattern}})


def exists(field: FieldLike, present: bool = True) -> QueryExpression:
    """The document has (or, with `present=False`, lacks) the key of `field`.

    Examples:
        >>> query.exists(Player.nickname)
        QueryExpression({'nickname': {'$exists': True}})
        >>> query.exists(Player.nickname, False)
        QueryExpression({'nickname': {'$exists': False}})
    """
    return QueryExpression({_key(field): {"$exists": bool(present)}})


def all_(field: FieldLike, values: Sequence[Any]) -> QueryExpression:
    """The list `field` contains every one of `values`.

    Examples:
        >>> query.all_(Player.tags, ["tank", "healer"])
        QueryExpression({'tags': {'$all': ['tank', 'healer']}})
    """
    return _op_each(field, "$all", _as_list("all_", field, values))


def size(field: FieldLike, length: int) -> QueryExpression:
    """The list `field` has exactly `length` items.

    Examples:
        >>> query.size(Player.tags, 2)
        QueryExpression({'tags': {'$size': 2}})
    """
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise TypeError(f"size() on {_key(field)!r} takes a non-negative int, got {length!r}")
    return QueryExpression({_key(field): {"$size": length}})


def elem_match(
    field: FieldLike, *queries: QueryExpression | dict[str, Any] | bool
) -> QueryExpression:
    """The list `field` has an item matching all `queries` (written on the item's model).

    Examples:
        >>> query.elem_match(Player.items, Item.sku == "potion", Item.qty > 2)
        QueryExpression({'items': {'$elemMatch': {'sku': {'$eq': 'potion'},
                                                  'qty': {'$gt': 2}}}})
    """
    if not queries:
        raise TypeError(f"elem_match() on {_key(field)!r} needs at least one query")
    merged: dict[str, Any] = {}
    for q in queries:
        if not isinstance(q, dict):
            raise TypeError(f"elem_match() on {_key(field)!r} takes queries, got {q!r}")
        for key, value in q.items():
            if key in merged:
                return QueryExpression({_key(field): {"$elemMatch": dict(and_(*queries))}})
            merged[key] = value
    return QueryExpression({_key(field): {"$elemMatch": merged}})


def _logical(
    operator: str, queries: tuple[QueryExpression | dict[str, Any] | bool, ...]
) -> QueryExpression:
    items: list[dict[str, Any]] = []
    for q in queries:
        if isinstance(q, bool) or not isinstance(q, dict):
            raise TypeError(
                f"{operator} takes query expressions, got {q!r}; "
                "compare a field proxy (Model.field == value), not a value"
            )
        if operator != "$nor" and len(q) == 1 and operator in q:
            items.extend(q[operator])
        else:
            items.append(q)
    if len(items) == 1 and operator != "$nor":
        return QueryExpression(items[0])
    return QueryExpression({operator: tuple(items)})


def and_(*queries: QueryExpression | dict[str, Any] | bool) -> QueryExpression:
    """All of `queries` match (`$and`).

    Examples:
        >>> query.and_(Player.level > 10, Player.name != "Leeroy")
        QueryExpression({'$and': (QueryExpression({'level': {'$gt': 10}}),
                                  QueryExpression({'name': {'$ne': 'Leeroy'}}))})
    """
    return _logical("$and", queries)


def or_(*queries: QueryExpression | dict[str, Any] | bool) -> QueryExpression:
    """At least one of `queries` matches (`$or`).

    Examples:
        >>> query.or_(Player.level > 10, Player.name == "Leeroy")
        QueryExpression({'$or': (QueryExpression({'level': {'$gt': 10}}),
                                 QueryExpression({'name': {'$eq': 'Leeroy'}}))})
    """
    return _logical("$or", queries)


def nor_(*queries: QueryExpression | dict[str, Any] | bool) -> QueryExpression:
    """None of `queries` matches (`$nor`).

    Examples:
        >>> query.nor_(Player.level > 10, Player.name == "Leeroy")
        QueryExpression({'$nor': (QueryExpression({'level': {'$gt': 10}}),
                                  QueryExpression({'name': {'$eq': 'Leeroy'}}))})
    """
    return _logical("$nor", queries)


def asc(field: FieldLike) -> SortExpression:
    """Ascending sort on `field`.

    Examples:
        >>> query.asc(Player.level)
        SortExpression({'level': 1})
    """
    return SortExpression({_key(field): 1})


def desc(field: FieldLike) -> SortExpression:
    """Descending sort on `field`.

    Examples:
        >>> query.desc(Player.level)
        SortExpression({'level': -1})
    """
    return SortExpression({_key(field): -1})


def build_filter(queries: Sequence[QueryExpression | dict[str, Any] | bool]) -> dict[str, Any]:
    """Combine the queries given to `find`/`count`/`remove` into one filter (`$and` of them)."""
    if not queries:
        return {}
    if len(queries) == 1 and type(queries[0]) in (QueryExpression, dict):
        filter_: dict[str, Any] = queries[0]  # type: ignore[assignment]
        by_id = filter_.get("_id")
        if len(filter_) == 1 and type(by_id) is dict and len(by_id) == 1 and "$eq" in by_id:
            value = by_id["$eq"]
            if type(value) in _PLAIN_TYPES and value is not None:
                # `{"_id": value}` takes the server's primary-key fast path; `$eq` does not.
                return {"_id": value}
        return filter_
    return dict(and_(*queries))


def sort_keys(items: Sequence[Any], where: str) -> list[tuple[str, int]]:
    """`(key, direction)` pairs from fields (ascending) and sort expressions.

    Raises:
        TypeError: an item is neither; the message names `where` it was given.
    """
    result: list[tuple[str, int]] = []
    for item in items:
        if isinstance(item, dict) and all(d in (1, -1) for d in item.values()):
            result.extend(item.items())
        elif callable(getattr(item, "__pos__", None)) and not isinstance(item, (int, float, str)):
            result.append((_key(item), 1))
        else:
            raise TypeError(
                f"{where} elements have to be Model fields or asc, desc descriptors: got {item!r} "
                "(write Model.field, Model.field.asc() or Model.field.desc())"
            )
    return result


def build_sort(sort: Any) -> list[tuple[str, int]] | None:
    """Turn `sort=` (a field proxy, a SortExpression, or a tuple/list of them) into PyMongo's form.

    Raises:
        TypeError: "sort has to be a Model field or asc, desc descriptors or a tuple of these".
    """
    if sort is None:
        return None
    if isinstance(sort, (tuple, list)):
        return sort_keys(sort, "sort")
    try:
        return sort_keys((sort,), "sort")
    except TypeError:
        raise TypeError(
            "sort has to be a Model field or asc, desc descriptors or a tuple of these: got "
            f"{sort!r}"
        ) from None


__all__ = [
    "QueryExpression",
    "Queries",
    "SortExpression",
    "and_",
    "or_",
    "nor_",
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in_",
    "not_in",
    "match",
    "exists",
    "all_",
    "size",
    "elem_match",
    "asc",
    "desc",
]
