"""`Reference()`: a field holding another Model, stored as that model's primary key."""

from __future__ import annotations

import copy
import functools
from typing import Any

from odmantic._internal.schema import ModelSchema
from odmantic.field import ODMReferenceInfo


def Reference(*, key_name: str | None = None) -> Any:
    """Mark a field as a reference to another Model.

    The document stores the referenced instance's primary key under `key_name` (default: the
    field name); loading joins the referenced document with `$lookup`; saving saves the
    referenced instance first.

    Example:
        ```python
        class Book(Model):
            title: str
            author: Author = Reference()
        ```
    """
    return ODMReferenceInfo(key_name=key_name)


def lookup_stages(schema: ModelSchema) -> list[dict[str, Any]]:
    """The `$lookup`/`$set`/`$unset` stages joining the documents a model references, recursively.

    Empty for a model without references (a plain `find` is then used).

    Raises:
        TypeError: the references form a cycle (A references B which references A).
    """
    if not schema.references:
        return []
    return copy.deepcopy(_lookup_stages(schema, ()))


@functools.cache
def _lookup_stages(schema: ModelSchema, path: tuple[ModelSchema, ...]) -> list[dict[str, Any]]:
    if schema in path:
        chain = " -> ".join(s.name for s in (*path, schema))
        raise TypeError(f"cyclic references cannot be loaded: {chain}")
    stages: list[dict[str, Any]] = []
    for field in schema.references:
        target = field.target
        assert target is not None and target.collection is not None
        key = field.key_name
        joined = f"__odm_joined_{key}"
        lookup: dict[str, Any] = {
            "from": target.collection,
            "localField": key,
            "foreignField": "_id",
            "as": joined,
        }
        nested = _lookup_stages(target, (*path, schema))
        if nested:
            lookup["pipeline"] = nested
        # The joined document replaces the stored key; a null key stays null (an Optional
        # reference) and a key whose document is gone is removed, so parsing reports it.
        found = {"$first": f"${joined}"}
        missing = {"$cond": [{"$eq": [f"${key}", None]}, None, "$$REMOVE"]}
        stages.append({"$lookup": lookup})
        stages.append(
            {"$set": {key: {"$cond": [{"$gt": [{"$size": f"${joined}"}, 0]}, found, missing]}}}
        )
        stages.append({"$unset": joined})
    return stages


__all__ = ["Reference", "lookup_stages"]
