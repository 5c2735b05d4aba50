"""Polymorphic collections: one collection for a root model and its subclasses, each document
naming its class (the discriminator); which classes a read wants, and which class a document
loads as (no I/O)."""

from __future__ import annotations

import weakref
from typing import Any

from pydantic_core import PydanticCustomError

from odmantic._internal.schema import ModelSchema
from odmantic.exceptions import DocumentParsingError, ModelDefinitionError

_MEMBERS: dict[int, weakref.WeakValueDictionary[str, type[Any]]] = {}
"""For each root (by `id` of its schema): its classes by discriminator value."""
_CLASSES: weakref.WeakValueDictionary[int, type[Any]] = weakref.WeakValueDictionary()
"""Each class of a polymorphic collection, by `id` of its schema."""


def _root(schema: ModelSchema) -> ModelSchema:
    return schema.family or schema


def register_member(model: type[Any]) -> None:
    """Remember a class of a polymorphic collection (called when the class is created).

    Raises:
        ModelDefinitionError: another class of the collection has the same discriminator value.
    """
    schema: ModelSchema = model.__odmantic_schema__
    assert schema.discriminator is not None
    members = _MEMBERS.setdefault(id(_root(schema)), weakref.WeakValueDictionary())
    value = schema.discriminator[1]
    other = members.get(value)
    if other is not None and other.__qualname__ != model.__qualname__:
        raise ModelDefinitionError(
            f"{model.__name__}: the type name {value!r} is already {other.__name__}'s in the "
            f"polymorphic collection {schema.collection!r}; set model_config['type_name']"
        )
    members[value] = model
    _CLASSES[id(schema)] = model


def load_as_stored(schema: ModelSchema, raw_doc: dict[str, Any]) -> Any:
    """A joined document of a polymorphic collection, loaded as the class it names (a field
    typed with the root holds the subclass instance)."""
    model = _CLASSES[id(schema)]
    return class_of(model, raw_doc).model_validate_doc(raw_doc)


def members_of(model: type[Any]) -> list[type[Any]]:
    """`model` and its subclasses defined so far, in a polymorphic collection."""
    schema: ModelSchema = model.__odmantic_schema__
    if schema.discriminator is None:
        return [model]
    found = _MEMBERS.get(id(_root(schema)), weakref.WeakValueDictionary())
    return [m for m in list(found.values()) if issubclass(m, model)] or [model]


def has_subclasses(model: type[Any]) -> bool:
    """Whether documents of `model`'s collection may load as another class than `model`."""
    return len(members_of(model)) > 1


def family_filter(model: type[Any]) -> dict[str, Any] | None:
    """The filter of the documents of `model` and its subclasses (None: every document of the
    collection, for the root or a model that is not polymorphic)."""
    schema: ModelSchema = model.__odmantic_schema__
    if schema.discriminator is None or schema.family is None:
        return None
    key = schema.discriminator[0]
    names = [m.__odmantic_schema__.discriminator[1] for m in members_of(model)]
    return {key: names[0]} if len(names) == 1 else {key: {"$in": names}}


def with_family(model: type[Any], filter_: dict[str, Any]) -> dict[str, Any]:
    """`filter_`, restricted to the documents of `model` and its subclasses."""
    family = family_filter(model)
    if family is None:
        return filter_
    if not filter_:
        return family
    return {"$and": [family, filter_]}


def class_of(model: type[Any], raw_doc: dict[str, Any]) -> type[Any]:
    """The class a stored document loads as, read as `model`: the one its discriminator names
    (`model` itself without one).

    Raises:
        DocumentParsingError: the discriminator names no class of `model`'s family, naming it.
    """
    schema: ModelSchema = model.__odmantic_schema__
    assert schema.discriminator is not None
    key, own = schema.discriminator
    value = raw_doc.get(key, own) if isinstance(raw_doc, dict) else own
    if value == own:
        return model
    found = _MEMBERS.get(id(_root(schema)), {}).get(value)
    if found is not None and issubclass(found, model):
        return found
    error = PydanticCustomError(
        "odmantic::unknown_type_name",
        "the document's {key} is '{value}': no subclass of {model} has this type name",
        {"key": key, "value": str(value), "model": model.__name__},
    )
    raise DocumentParsingError([{"type": error, "loc": (key,), "input": raw_doc}], model)


__all__ = [
    "register_member",
    "members_of",
    "has_subclasses",
    "family_filter",
    "with_family",
    "class_of",
    "load_as_stored",
]
