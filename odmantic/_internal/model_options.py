"""The class options of a model: the ODM part of `model_config` merged with the parents', and
the collection name (snake_case of the class name unless configured), checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from odmantic._internal.schema import IndexFactory, ModelSchema
from odmantic._internal.sharding import ShardKeySpec, read_shard_key, spec_of
from odmantic.config import check_config
from odmantic.exceptions import ModelDefinitionError


@dataclass(frozen=True)
class ModelOptions:
    """The ODM part of `model_config`, after inheritance."""

    collection: str | None
    indexes: IndexFactory | None
    parse_doc_with_default_factories: bool
    discriminator: tuple[str, str] | None = None
    """In a polymorphic collection: the discriminator's key and this class's value."""
    family: ModelSchema | None = None
    """In a polymorphic collection: the root's schema (None for the root itself)."""
    shard_key: ShardKeySpec = ()
    """The shard key's field names and kinds (empty: not sharded)."""
    pre_images: bool = False
    """Change stream pre- and post-images are enabled on the collection."""


def _snake_case(name: str) -> str:
    if name.endswith("Model") and name != "Model":
        name = name[: -len("Model")]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _check_collection_name(model: str, name: str) -> None:
    problems = (
        (not name, "cannot be empty"),
        ("$" in name, "cannot contain '$'"),
        ("\x00" in name, "cannot contain the NUL character"),
        (name.startswith("system."), "cannot start with 'system.'"),
        (".." in name or name.startswith(".") or name.endswith("."), "has an empty part"),
    )
    for failed, reason in problems:
        if failed:
            raise ModelDefinitionError(
                f"Invalid collection name for {model}: {reason} (got {name!r}); set "
                "model_config['collection'] to a valid name"
            )


def _check_discriminator(model: str, key: Any, value: Any) -> None:
    if not isinstance(key, str) or not key or key.startswith("$") or "." in key:
        raise ModelDefinitionError(
            f"{model}: discriminator_key {key!r} is not a valid document key (a non-empty str, "
            "no '$' first, no '.')"
        )
    if not isinstance(value, str) or not value:
        raise ModelDefinitionError(f"{model}: type_name {value!r} must be a non-empty str")


_ODM_ONLY = (
    "polymorphic",
    "type_name",
    "discriminator_key",
    "shard_key",
    "change_stream_pre_images",
)


def _shard_key(
    name: str, config: dict[str, Any], parents: list[ModelSchema], family: ModelSchema | None
) -> ShardKeySpec:
    """The shard key of the class: its own, else its parents' (one per collection: a
    polymorphic subclass keeps its root's)."""
    inherited = next((spec_of(p) for p in parents if p.shard_key), ())
    if "shard_key" not in config:
        return inherited
    own = read_shard_key(name, config["shard_key"])
    if family is not None and own != spec_of(family):
        raise ModelDefinitionError(
            f"{name}: a subclass of the polymorphic {family.name} shares its collection and "
            "its shard key; set model_config['shard_key'] on the root only"
        )
    return own


def model_options(name: str, namespace: dict[str, Any], parents: list[ModelSchema]) -> ModelOptions:
    """Check `model_config`, merge the ODM options with the parents', store pydantic's part."""
    config = check_config(name, dict(namespace.get("model_config", {})))
    embedded = any(p.is_embedded for p in parents)
    indexes = next((p.indexes for p in reversed(parents) if p.indexes is not None), None)
    parse = any(p.parse_doc_with_default_factories for p in parents)
    family = next((p.family or p for p in parents if p.discriminator is not None), None)
    collection = None if embedded else config.get("collection", _snake_case(name))
    discriminator = None
    if family is not None:  # a subclass in a polymorphic collection: the root's collection
        if "collection" in config and config["collection"] != family.collection:
            raise ModelDefinitionError(
                f"{name}: a subclass of the polymorphic {family.name} is stored in its "
                f"collection {family.collection!r}; remove model_config['collection']"
            )
        collection = family.collection
        assert family.discriminator is not None
        discriminator = (family.discriminator[0], config.get("type_name", name))
    elif config.get("polymorphic"):
        discriminator = (config.get("discriminator_key", "_t"), config.get("type_name", name))
    if family is not None and "discriminator_key" in config:
        raise ModelDefinitionError(
            f"{name}: discriminator_key is set on the root of the polymorphic collection "
            f"({family.name}), not on a subclass"
        )
    if discriminator is not None:
        _check_discriminator(name, *discriminator)
    elif "type_name" in config or "discriminator_key" in config:
        raise ModelDefinitionError(
            f"{name}: type_name and discriminator_key belong to polymorphic models; set "
            "model_config['polymorphic'] = True on the root of the collection"
        )
    options = ModelOptions(
        collection=collection,
        shard_key=_shard_key(name, config, parents, family),
        pre_images=config.get("change_stream_pre_images", any(p.pre_images for p in parents)),
        indexes=config.get("indexes", indexes),
        parse_doc_with_default_factories=config.get("parse_doc_with_default_factories", parse),
        discriminator=discriminator,
        family=family,
    )
    if options.collection is not None:
        _check_collection_name(name, options.collection)
    elif "shard_key" in config or "change_stream_pre_images" in config:
        raise ModelDefinitionError(
            f"{name}: shard_key and change_stream_pre_images are options of a Model's "
            "collection; an EmbeddedModel has none"
        )
    namespace["model_config"] = {
        **config,
        "collection": options.collection,
        "parse_doc_with_default_factories": options.parse_doc_with_default_factories,
        "indexes": options.indexes,
    }
    for key in _ODM_ONLY:  # not pydantic's
        namespace["model_config"].pop(key, None)
    return options


__all__ = ["ModelOptions", "model_options"]
