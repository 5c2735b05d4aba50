"""Sharded collections: the shard key of a model, checked when its class is built, and what the
writes of an instance filter on so that each one targets the shard holding its document (no I/O).

On a collection sharded by a key other than `_id`, MongoDB refuses an upsert whose filter lacks
the full shard key ("could not extract exact shard key") and sends an update or a delete by `_id`
alone to every shard. Every write the engine sends for an instance therefore filters on the
primary key and on the *stored* value of each shard key field (`target`).
"""

from __future__ import annotations

import collections.abc
import re
import typing
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, get_origin

from odmantic._internal.annotations import alternatives
from odmantic._internal.deployment import is_sharded_cluster
from odmantic.exceptions import ModelDefinitionError, ShardKeyChangedError

if TYPE_CHECKING:
    from odmantic._internal.schema import FieldSchema, ModelSchema

ShardKeyKind = Literal[1, "hashed"]
"""A ranged (1) or hashed shard key field."""

ShardKeySpec = tuple[tuple[str, ShardKeyKind], ...]
"""`model_config["shard_key"]` read: the field names in order, each with its kind."""

_ARRAYS = (list, set, frozenset, tuple, collections.abc.Sequence, collections.abc.Set)


def read_shard_key(owner: str, value: Any) -> ShardKeySpec:
    """`model_config["shard_key"]` as field names and kinds: a tuple of field names (ranged),
    or a dict from field names to 1 or "hashed".

    Raises:
        ModelDefinitionError: another form, naming the model.
    """
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, Sequence):
        items = [(name, 1) for name in value]
    else:
        items = []
    if not items or any(
        not isinstance(name, str) or kind not in (1, "hashed") or isinstance(kind, bool)
        for name, kind in items
    ):
        raise ModelDefinitionError(
            f"{owner}: model_config['shard_key'] is a tuple of field names "
            f"(('tenant', 'created')) or a dict of field names to 1 or 'hashed' "
            f"({{'tenant': 'hashed'}}), got {value!r}"
        )
    if sum(kind == "hashed" for _, kind in items) > 1:
        raise ModelDefinitionError(
            f"{owner}: a shard key has one hashed field at most, got {value!r}"
        )
    if len({name for name, _ in items}) != len(items):
        raise ModelDefinitionError(f"{owner}: a shard key names each field once, got {value!r}")
    return tuple((name, "hashed" if kind == "hashed" else 1) for name, kind in items)


def spec_of(schema: ModelSchema) -> ShardKeySpec:
    """The shard key of `schema` as field names and kinds."""
    return tuple((field.name, kind) for field, kind in schema.shard_key)


def check_shard_key(
    owner: str, fields: Mapping[str, FieldSchema], spec: ShardKeySpec
) -> tuple[tuple[FieldSchema, ShardKeyKind], ...]:
    """The fields of the shard key `spec`, each a field of the model that can be a shard key.

    Raises:
        ModelDefinitionError: a name that is not a field of the model, or a field holding an
            array or a regular expression (MongoDB refuses them in a shard key).
    """
    resolved = []
    for name, kind in spec:
        field = fields.get(name)
        if field is None:
            raise ModelDefinitionError(
                f"{owner}: shard key field {name!r} is not a field of {owner} "
                f"(fields: {', '.join(fields)})"
            )
        if field.revision:
            raise ModelDefinitionError(
                f"{owner}.{name}: the revision field changes with every write, and a shard key "
                "field never changes: pick another field"
            )
        why = _not_a_shard_key(field)
        if why is not None:
            raise ModelDefinitionError(
                f"{owner}.{name}: a shard key field cannot hold {why}; pick a field of a "
                "single value (str, int, datetime, ObjectId...)"
            )
        resolved.append((field, kind))
    return tuple(resolved)


def _not_a_shard_key(field: FieldSchema) -> str | None:
    if field.kind != "plain":
        return "an array" if field.shape != "one" else None
    for annotation in alternatives(field.annotation):
        origin = get_origin(annotation) or annotation
        if isinstance(origin, type) and issubclass(origin, (str, bytes, Mapping)):
            continue
        if isinstance(origin, type) and issubclass(origin, _ARRAYS):
            return "an array"
        if origin in (re.Pattern, typing.Pattern) or getattr(origin, "__name__", "") == "Regex":
            return "a regular expression"
    return None


def target(
    model: type[Any], document: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The filter of the document of an instance: its `_id` and, on a sharded model, the
    stored value of each shard key field (the instance's own for a document not stored yet).

    Raises:
        ShardKeyChangedError: a shard key field of a stored instance was changed.
    """
    filter_ = {"_id": document["_id"]}
    for field, _ in model.__odmantic_schema__.shard_key:
        if field.primary:
            continue
        value = document.get(field.key_name)
        if stored is not None:
            before = stored.get(field.key_name)
            if before != value or isinstance(before, bool) is not isinstance(value, bool):
                raise ShardKeyChangedError(model, field.name, document["_id"], before, value)
            value = before
        filter_[field.key_name] = value
    return filter_


def targets(filters: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The filter of several instances' documents: `_id` among their keys (unsharded), else
    any of their targets (each one a single-shard condition)."""
    if len(filters) == 1:
        return filters[0]
    if all(len(filter_) == 1 for filter_ in filters):
        return {"_id": {"$in": [filter_["_id"] for filter_ in filters]}}
    return {"$or": list(filters)}


def shard_commands(
    hello: Mapping[str, Any], schemas: Sequence[ModelSchema], database: str
) -> list[dict[str, Any]]:
    """The admin commands sharding the collections of `schemas` by their shard keys, decided
    from the server's `hello` reply before anything is sent.

    Raises:
        TypeError: a model without a shard key (checked first).
        RuntimeError: the server is not a mongos (a replica set or a standalone server).
    """
    for schema in schemas:
        if not schema.shard_key:
            raise TypeError(
                f"configure_database(shard=True): {schema.name} has no shard key; set "
                "model_config['shard_key'] (or leave the model out)"
            )
    if not is_sharded_cluster(hello):
        kind = f"replica set {hello['setName']!r}" if "setName" in hello else "a standalone server"
        raise RuntimeError(
            f"configure_database(shard=True): not connected to a sharded cluster (a mongos), "
            f"but to {kind}; connect to a mongos, or call configure_database without shard=True"
        )
    commands: list[dict[str, Any]] = [{"enableSharding": database}]  # needed before 6.0
    sharded: set[str] = set()
    for schema in schemas:
        if schema.collection in sharded:  # polymorphic classes share their collection
            continue
        sharded.add(str(schema.collection))
        key = dict(shard_key_index(schema))
        commands.append({"shardCollection": f"{database}.{schema.collection}", "key": key})
    return commands


def refuse_unique_indexes(schema: ModelSchema, indexes: Sequence[Any]) -> None:
    """Refuse a unique index that MongoDB cannot keep on the sharded collection of `schema`
    (`indexes`: its `pymongo.IndexModel`s): one whose keys do not start with the shard key.

    Raises:
        TypeError: naming the model and the index.
    """
    prefix = [field.key_name for field, _ in schema.shard_key]
    for index in indexes:
        document = index.document
        keys = list(document["key"])
        if document.get("unique") and keys[: len(prefix)] != prefix:
            raise TypeError(
                f"configure_database(shard=True): {schema.name}'s unique index "
                f"{document['name']!r} on {keys} does not start with the shard key {prefix}; "
                "MongoDB keeps a unique index on a sharded collection only when it does"
            )


def shard_key_index(schema: ModelSchema) -> list[tuple[str, Any]]:
    """The keys of the index a shard key needs (created before `shardCollection`, which asks
    for it on a collection holding documents)."""
    return [(field.key_name, kind) for field, kind in schema.shard_key]


__all__ = [
    "ShardKeyKind",
    "ShardKeySpec",
    "read_shard_key",
    "check_shard_key",
    "spec_of",
    "target",
    "targets",
    "shard_commands",
    "refuse_unique_indexes",
    "shard_key_index",
]
