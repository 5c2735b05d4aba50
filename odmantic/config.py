"""Model configuration: `model_config = ODMConfigDict(...)` (or a plain dict) on a Model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import ConfigDict

from odmantic.exceptions import ModelDefinitionError

ODM_KEYS = frozenset(
    {
        "collection",
        "parse_doc_with_default_factories",
        "indexes",
        "polymorphic",
        "type_name",
        "discriminator_key",
        "shard_key",
        "change_stream_pre_images",
    }
)
PYDANTIC_KEYS = frozenset(
    {
        "title",
        "json_schema_extra",
        "str_strip_whitespace",
        "arbitrary_types_allowed",
        "extra",
        "json_encoders",
        "populate_by_name",
        "validate_by_name",
    }
)
FORCED = {"validate_assignment": True, "validate_default": True}


class ODMConfigDict(ConfigDict, total=False):
    """pydantic's ConfigDict plus the ODM keys.

    Attributes:
        collection: the collection name (default: snake_case class name without `Model`).
        parse_doc_with_default_factories: when a stored document lacks a field that has a
            `default_factory`, build it instead of failing (default False: a missing value
            would silently be replaced by a new one on every load).
        indexes: a callable returning `odmantic.Index` or `pymongo.IndexModel` objects.
        polymorphic: this model is the root of a polymorphic collection: its subclasses share
            its collection, each document storing its class (the discriminator).
        type_name: a subclass's discriminator value (default: the class name).
        discriminator_key: the root's key of the discriminator (default `"_t"`).
        shard_key: the shard key of a sharded collection: field names (`("tenant", "created")`)
            or field names to 1 or `"hashed"` (`{"tenant": "hashed"}`). Every write of an
            instance then filters on the stored values of these fields.
        change_stream_pre_images: `configure_database` enables change stream pre- and
            post-images on the collection (MongoDB 6.0+), so that `engine.watch(...,
            full_document_before_change="whenAvailable")` gives each change's `before`.
    """

    collection: str
    parse_doc_with_default_factories: bool
    indexes: Callable[[], Iterable[Any]]
    polymorphic: bool
    type_name: str
    discriminator_key: str
    shard_key: tuple[str, ...] | dict[str, Literal[1, "hashed"]]
    change_stream_pre_images: bool


def check_config(model_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """Refuse unknown keys and return the pydantic part of `config` with the forced options.

    Raises:
        ValueError: a key that odmantic does not support, naming the model and the key.
    """
    allowed = f"allowed: {', '.join(sorted(ODM_KEYS | PYDANTIC_KEYS))}"
    for key in sorted(set(config) - ODM_KEYS - PYDANTIC_KEYS):
        if key in FORCED:
            raise ModelDefinitionError(
                f"{model_name!r}: configuration attribute {key!r} is enforced to True by ODMantic "
                "and cannot be changed; remove it from model_config"
            )
        if key in ConfigDict.__annotations__:
            raise ModelDefinitionError(
                f"{model_name!r}: configuration attribute {key!r} from Pydantic is not supported "
                f"in model_config; {allowed}"
            )
        raise ModelDefinitionError(
            f"{model_name!r}: unknown configuration attribute {key!r} in model_config; {allowed}"
        )
    if "collection" in config and not isinstance(config["collection"], str):
        raise ModelDefinitionError(f"{model_name}: model_config['collection'] must be a str")
    if "indexes" in config and not callable(config["indexes"]):
        raise ModelDefinitionError(
            f"{model_name}: model_config['indexes'] must be a callable returning indexes, "
            "e.g. lambda: [Index(Player.name)]"
        )
    return {**config, **FORCED}


__all__ = ["ODMConfigDict"]
