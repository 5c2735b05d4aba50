"""Checks of a model's fields taken together, when its class is built (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odmantic._internal.schema import FieldSchema
from odmantic.exceptions import ModelDefinitionError


def check_key_names(owner: str, fields: dict[str, FieldSchema]) -> None:
    """Refuse a key name that is another field's name, or two fields with one key name."""
    seen: dict[str, str] = {}
    for field in fields.values():
        if field.key_name != field.name and field.key_name in fields:
            raise ModelDefinitionError(
                f"{owner}.{field.name}: key_name {field.key_name!r} is the name of another "
                "field; pick a key name that is not a field name"
            )
        if field.key_name in seen:
            raise ModelDefinitionError(
                f"Duplicated key_name: {field.key_name} in {owner}: fields "
                f"{seen[field.key_name]!r} and {field.name!r} have the same key_name "
                f"{field.key_name!r}"
            )
        seen[field.key_name] = field.name


def check_revision(owner: str, fields: dict[str, FieldSchema], embedded: bool) -> None:
    """Refuse a revision field that is not the one int field of a Model."""
    revisions = [f for f in fields.values() if f.revision]
    if not revisions:
        return
    if embedded or len(revisions) > 1:
        where = "an EmbeddedModel" if embedded else f"{len(revisions)} fields"
        raise ModelDefinitionError(
            f"{owner}: Field(revision=True) marks one int field of a Model, got {where}"
        )
    (field,) = revisions
    if field.primary:
        raise ModelDefinitionError(
            f"{owner}.{field.name}: a revision field cannot be the primary key"
        )
    if field.annotation is not int:
        raise ModelDefinitionError(
            f"{owner}.{field.name}: a revision field is an int "
            f"(`{field.name}: int = Field(default=0, revision=True)`), got {field.annotation!r}"
        )


def check_hooks_allowed(owner: str, namespace: Mapping[str, Any], embedded: bool) -> None:
    """Refuse hooks on an EmbeddedModel: it is written with its parent, never alone."""
    if embedded and any(getattr(v, "__odmantic_hooks__", None) for v in namespace.values()):
        raise ModelDefinitionError(
            f"{owner}: hooks run around the writes of a Model's instances; an EmbeddedModel "
            "is written with its parent: declare the hook on the parent model"
        )


__all__ = ["check_key_names", "check_revision", "check_discriminator", "check_hooks_allowed"]


def check_discriminator(owner: str, fields: dict[str, FieldSchema], key: str | None) -> None:
    """Refuse a field stored under the discriminator's key of a polymorphic collection."""
    clash = next((f for f in fields.values() if key is not None and f.key_name == key), None)
    if clash is not None:
        raise ModelDefinitionError(
            f"{owner}.{clash.name}: its key {key!r} is the discriminator of the polymorphic "
            "collection; rename the field or set the root's discriminator_key"
        )
