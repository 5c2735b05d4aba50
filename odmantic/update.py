"""Typed atomic update operators: `set_(Player.level, 3) & inc(Player.score, 1)`.

Every value goes through the field's type (and its constraints for the values it becomes)
before anything is sent, and key names are applied: `Field(key_name="g")` writes `g`, and
`Player.addr.city` is the dotted path `addr.city`.

Example:
    ```python
    await engine.update_many(Player, Player.team == "red", update=inc(Player.level, 1))
    ```
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import bson
from bson.errors import InvalidDocument, InvalidStringData

from odmantic._internal.document import bad_key
from odmantic._internal.schema import ModelSchema, paths_overlap, walk

# The operators that give the same document when applied twice.
IDEMPOTENT = frozenset({"$set", "$unset", "$setOnInsert", "$min", "$max", "$addToSet", "$pull"})


class UpdateExpression(dict[str, dict[str, Any]]):
    """A MongoDB update document; `&` combines two of them.

    Attributes:
        origins: for each path it writes, the schema of the model the field was taken from
            (`Player` for `set_(Player.addr.city, ...)`); an engine refuses a path taken from
            another model, or from a parent class whose field the model redefines. A path
            without an origin (an expression built by hand, or unpickled) must still be a field
            of the model, and its values must hold keys MongoDB can store.
    """

    __slots__ = ("origins",)

    def __init__(
        self,
        document: dict[str, dict[str, Any]],
        origins: dict[str, ModelSchema] | None = None,
    ) -> None:
        super().__init__(document)
        self.origins: dict[str, ModelSchema] = {} if origins is None else origins

    def __repr__(self) -> str:
        return f"UpdateExpression({dict.__repr__(self)})"

    def __copy__(self) -> UpdateExpression:
        return UpdateExpression(dict(self), dict(self.origins))

    def __deepcopy__(self, memo: dict[int, Any]) -> UpdateExpression:
        return UpdateExpression(copy.deepcopy(dict(self), memo), dict(self.origins))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without its origins (schemas belong to this process): an engine then checks
        # its paths and keys against the model it updates.
        return (UpdateExpression, (dict(self),))

    def __and__(self, other: UpdateExpression) -> UpdateExpression:
        if not isinstance(other, UpdateExpression):
            raise TypeError(f"& combines update operators (odmantic.update), got {other!r}")
        merged = UpdateExpression(
            {op: dict(paths) for op, paths in self.items()}, {**self.origins, **other.origins}
        )
        written = {path for paths in self.values() for path in paths}
        for op, paths in other.items():
            for path, value in paths.items():
                if path in written:
                    raise ValueError(
                        f"the update writes {path!r} twice; combine it in one operator"
                    )
                clash = next((p for p in written if paths_overlap(p, path)), None)
                if clash is not None:
                    raise ValueError(
                        f"the update writes both {clash!r} and {path!r}: MongoDB refuses to "
                        "update a field and a part of it at once; write one of them"
                    )
                written.add(path)
                merged.setdefault(op, {})[path] = value
        return merged

    @property
    def idempotent(self) -> bool:
        """Whether applying it twice gives the same document (then it is safe to retry)."""
        return set(self) <= IDEMPOTENT


@dataclass(frozen=True)
class UpdateResult:
    """What `update_one`/`update_many` did.

    Attributes:
        matched: documents matching the queries.
        modified: documents actually changed.
        upserted_id: the `_id` of the document inserted by `upsert=True`, if any.
    """

    matched: int
    modified: int
    upserted_id: Any = None


def changes_primary_key(operator: str, path: str) -> bool:
    """Whether the operator would change the primary key (only an insert may set it)."""
    return paths_overlap(path, "_id") and operator != "$setOnInsert"


def _path(field: Any, function: str) -> str:
    if not callable(getattr(field, "__odmantic_update_value__", None)):
        raise TypeError(f"{function}() takes a model field (Model.field), got {field!r}")
    path = str(+field)
    if walk(field.__odmantic_root_schema__(), path) is None:
        raise ValueError(
            f"{function}() on {field.__odmantic_root_schema__().name}.{path}: the path goes through a list "
            "(or a dict) of embedded models, which MongoDB cannot update this way; set_() the "
            "whole field instead"
        )
    return path


def _update(field: Any, operator: str, path: str, value: Any) -> UpdateExpression:
    return UpdateExpression({operator: {path: value}}, {path: field.__odmantic_root_schema__()})


def _one(operator: str, function: str, field: Any, value: Any, how: str) -> UpdateExpression:
    path = _path(field, function)
    if changes_primary_key(operator, path):
        raise ValueError(
            f"{function}() on {field!r}: the primary field cannot change (MongoDB keeps _id "
            "immutable); insert a new document instead (set_on_insert() sets it on upserts)"
        )
    if value is None and how == "number":
        raise ValueError(f"{function}() on {field!r}: None is not a number")
    stored = field.__odmantic_update_value__(value, how)
    found = bad_key(stored)
    if found is not None:
        raise ValueError(
            f"{function}() on {field!r}: key {found[-1]!r} cannot be stored (MongoDB keys cannot "
            "start with '$' nor contain '.' or a NUL character)"
        )
    try:
        if type(stored) is int:
            if not -(2**63) <= stored < 2**63:
                raise OverflowError("MongoDB can only handle up to 8-byte ints")
        elif type(stored) is str:
            stored.encode()
        elif type(stored) not in (float, bool, type(None)):
            bson.encode({"": stored})
    except (OverflowError, InvalidStringData, UnicodeEncodeError) as exc:
        raise ValueError(f"{function}() on {field!r}: {value!r} cannot be stored ({exc})") from None
    except InvalidDocument:
        pass  # a type that only the client's codecs may encode
    return _update(field, operator, path, stored)


def set_(field: Any, value: Any) -> UpdateExpression:
    """Set the field to `value` (`$set`).

    Examples:
        >>> set_(Player.level, 3)
        UpdateExpression({'$set': {'level': 3}})
    """
    return _one("$set", "set_", field, value, "field")


def set_on_insert(field: Any, value: Any) -> UpdateExpression:
    """Set the field to `value` only when an upsert inserts the document (`$setOnInsert`).

    Examples:
        >>> set_on_insert(Player.level, 1)
        UpdateExpression({'$setOnInsert': {'level': 1}})
    """
    return _one("$setOnInsert", "set_on_insert", field, value, "field")


def unset(field: Any) -> UpdateExpression:
    """Remove the field from the document (`$unset`); only for fields that may be absent:
    the field must have a default, so that documents still parse.

    Raises:
        ValueError: the field is required, or its default is a factory that would be used
            (the document would not parse).

    Examples:
        >>> unset(Player.nickname)
        UpdateExpression({'$unset': {'nickname': ''}})
    """
    path = _path(field, "unset")
    if not field.__odmantic_may_be_absent__():
        raise ValueError(
            f"unset() on {field.__odmantic_root_schema__().name}.{path}: a required field (or one with a "
            "default_factory) cannot be removed, documents would no longer parse; set_() it to a "
            "value instead"
        )
    return _update(field, "$unset", path, "")


def inc(field: Any, amount: Any) -> UpdateExpression:
    """Add `amount` to the field (`$inc`).

    Examples:
        >>> inc(Player.level, 1)
        UpdateExpression({'$inc': {'level': 1}})
    """
    return _one("$inc", "inc", field, amount, "number")


def mul(field: Any, factor: Any) -> UpdateExpression:
    """Multiply the field by `factor` (`$mul`).

    Examples:
        >>> mul(Player.level, 2)
        UpdateExpression({'$mul': {'level': 2}})
    """
    return _one("$mul", "mul", field, factor, "number")


def min_(field: Any, value: Any) -> UpdateExpression:
    """Set the field to `value` if `value` is smaller (`$min`).

    Examples:
        >>> min_(Player.level, 5)
        UpdateExpression({'$min': {'level': 5}})
    """
    return _one("$min", "min_", field, value, "field")


def max_(field: Any, value: Any) -> UpdateExpression:
    """Set the field to `value` if `value` is larger (`$max`).

    Examples:
        >>> max_(Player.level, 5)
        UpdateExpression({'$max': {'level': 5}})
    """
    return _one("$max", "max_", field, value, "field")


def push(field: Any, *values: Any) -> UpdateExpression:
    """Append `values` to the list field (`$push` with `$each`).

    Examples:
        >>> push(Player.tags, "tank", "healer")
        UpdateExpression({'$push': {'tags': {'$each': ['tank', 'healer']}}})
    """
    path = _path(field, "push")
    if getattr(field, "__odmantic_holds_set__", lambda: False)():
        raise TypeError(
            f"push({field!r}): the field is a set, whose items are unique; "
            "use add_to_set() to add items"
        )
    items = [_one("$push", "push", field, v, "item")["$push"][path] for v in values]
    return _update(field, "$push", path, {"$each": items})


def add_to_set(field: Any, *values: Any) -> UpdateExpression:
    """Append the `values` the list field does not hold yet (`$addToSet` with `$each`).

    Examples:
        >>> add_to_set(Player.tags, "tank")
        UpdateExpression({'$addToSet': {'tags': {'$each': ['tank']}}})
    """
    path = _path(field, "add_to_set")
    items = [_one("$addToSet", "add_to_set", field, v, "item")["$addToSet"][path] for v in values]
    return _update(field, "$addToSet", path, {"$each": items})


def pull(field: Any, value: Any) -> UpdateExpression:
    """Remove every item equal to `value` from the list field (`$pull`).

    Examples:
        >>> pull(Player.tags, "tank")
        UpdateExpression({'$pull': {'tags': 'tank'}})
    """
    return _one("$pull", "pull", field, value, "item")


def pop(field: Any, last: bool = True) -> UpdateExpression:
    """Remove the last item (or the first, with `last=False`) of the list field (`$pop`).

    Examples:
        >>> pop(Player.tags)
        UpdateExpression({'$pop': {'tags': 1}})
        >>> pop(Player.tags, last=False)
        UpdateExpression({'$pop': {'tags': -1}})
    """
    path = _path(field, "pop")
    if not field.__odmantic_is_collection__():
        raise ValueError(f"pop() on {field!r}: the field is not a list, it has no items")
    return _update(field, "$pop", path, 1 if last else -1)


def current_date(field: Any) -> UpdateExpression:
    """Set the datetime field to the server's current date (`$currentDate`).

    Raises:
        ValueError: the field does not hold a datetime.

    Examples:
        >>> current_date(Player.seen)
        UpdateExpression({'$currentDate': {'seen': {'$type': 'date'}}})
    """
    path = _path(field, "current_date")
    if not field.__odmantic_holds_datetime__():
        raise ValueError(
            f"current_date() on {field!r}: the field does not hold a datetime (for a date, "
            "set_() it to date.today())"
        )
    return _update(field, "$currentDate", path, {"$type": "date"})


__all__ = [
    "UpdateExpression",
    "UpdateResult",
    "set_",
    "unset",
    "inc",
    "mul",
    "min_",
    "max_",
    "push",
    "pull",
    "add_to_set",
    "pop",
    "current_date",
    "set_on_insert",
]
