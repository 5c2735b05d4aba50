"""Compound and custom indexes declared in `model_config["indexes"]`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pymongo

from odmantic._internal.polymorphism import members_of
from odmantic._internal.references import reference_paths
from odmantic._internal.schema import ModelSchema
from odmantic.query import sort_keys


class Index:
    """An index over one or more fields, created by `engine.configure_database`.

    Args:
        *fields: field proxies (`Player.name`, ascending) or sort expressions
            (`Player.level.desc()`).
        unique: refuse two documents with the same values.
        name: the index name (default: MongoDB's `key_1_other_-1` form).
        **options: other `pymongo.IndexModel` options (e.g. `sparse=True`).

    Example:
        ```python
        model_config = {
            "indexes": lambda: [Index(Player.name, Player.level.desc(), unique=True)]
        }
        ```
    """

    def __init__(
        self, *fields: Any, unique: bool = False, name: str | None = None, **options: Any
    ) -> None:
        if not fields:
            raise TypeError("Index() needs at least one field")
        self.keys = sort_keys(fields, "Index()")
        self.unique = unique
        self.name = name
        self.options = options

    def to_index_model(self) -> pymongo.IndexModel:
        """The equivalent `pymongo.IndexModel`.

        Examples:
            >>> Index(Player.name, unique=True).to_index_model().document
            {'unique': True, 'name': 'name_1', 'key': {'name': 1}}
        """
        kwargs: dict[str, Any] = dict(self.options)
        if self.unique:
            kwargs["unique"] = True
        if self.name is not None:
            kwargs["name"] = self.name
        return pymongo.IndexModel(self.keys, **kwargs)

    def __repr__(self) -> str:
        return f"Index({self.keys!r}, unique={self.unique}, name={self.name!r})"


def indexes_of(schema: ModelSchema) -> list[pymongo.IndexModel]:
    """The indexes to create for a model: its fields' `index`/`unique` options, one on the key
    of each reference (unless `Reference(index=False)`), then its `model_config["indexes"]`."""
    result: list[pymongo.IndexModel] = []
    for field in schema.fields.values():
        if field.primary or not (field.index or field.unique):
            continue
        options = {"unique": True} if field.unique else {}
        result.append(pymongo.IndexModel([(field.key_name, pymongo.ASCENDING)], **options))
    declared: list[pymongo.IndexModel] = []
    if schema.indexes is not None:
        for item in schema.indexes():
            declared.append(item.to_index_model() if isinstance(item, Index) else item)
    # A declared index starting with a reference's key serves it (and an index of the same
    # keys with other options or another name would be refused by the server).
    indexed = {next(iter(index.document["key"])) for index in [*result, *declared]}
    for path in reference_paths(schema):
        if path.field.reference_index and path.key_path not in indexed:
            # Joins read by `_id`; queries, delete rules and lookups read by this key.
            result.append(pymongo.IndexModel([(path.key_path, pymongo.ASCENDING)]))
    return result + declared


def family_indexes(model: type[Any]) -> list[pymongo.IndexModel]:
    """The indexes of `model`'s collection: its own, and in a polymorphic collection those of
    its subclasses (each name once)."""
    found: dict[str, pymongo.IndexModel] = {}
    members = members_of(model)
    for member in sorted(members, key=lambda m: len(m.__mro__)):  # the root's first
        schema = member.__odmantic_schema__
        for index in indexes_of(schema):
            name = index.document["name"]
            if name not in found:
                owner = _declaring(member, name)  # an inherited index is its ancestor's
                family = owner.__odmantic_schema__.family
                found[name] = _of_class(index, owner) if family is not None else index
    return list(found.values())


def _declaring(member: type[Any], name: str) -> type[Any]:
    """The first class of `member`'s polymorphic family, from the root down, with the index
    `name` (the same index whichever class configures the collection)."""
    family = member.__odmantic_schema__.family or member.__odmantic_schema__
    for cls in reversed(member.__mro__):
        schema = cls.__dict__.get("__odmantic_schema__")
        if schema is None or (schema is not family and schema.family is not family):
            continue
        if any(index.document["name"] == name for index in indexes_of(schema)):
            return cls
    return member


def _of_class(index: pymongo.IndexModel, member: type[Any]) -> pymongo.IndexModel:
    """An index declared by a subclass in a polymorphic collection, over its documents only
    (a unique one must not count the other classes' missing values as duplicates)."""
    document = dict(index.document)
    if "partialFilterExpression" in document:
        return index
    key = member.__odmantic_schema__.discriminator[0]
    names = [m.__odmantic_schema__.discriminator[1] for m in members_of(member)]
    keys = list(document.pop("key").items())
    document["partialFilterExpression"] = {key: {"$in": names}}
    return pymongo.IndexModel(keys, **document)


def conflicting_index(info: Mapping[str, Any], index: pymongo.IndexModel) -> str:
    """The name of the existing index that `index` conflicts with: the one of the same name or
    of the same keys (`info`: the collection's `index_information()`)."""
    wanted = index.document
    for name, spec in info.items():
        if name == wanted["name"] or list(spec["key"]) == list(wanted["key"].items()):
            return name
    return str(wanted["name"])


__all__ = ["Index", "indexes_of", "family_indexes"]
