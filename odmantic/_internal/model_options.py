"""The class options of a model: the ODM part of `model_config` merged with the parents', and
the collection name (snake_case of the class name unless configured), checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from odmantic._internal.schema import IndexFactory, ModelSchema
from odmantic.config import check_config
from odmantic.exceptions import ModelDefinitionError


@dataclass(frozen=True)
class ModelOptions:
    """The ODM part of `model_config`, after inheritance."""

    collection: str | None
    indexes: IndexFactory | None
    parse_doc_with_default_factories: bool


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


def model_options(name: str, namespace: dict[str, Any], parents: list[ModelSchema]) -> ModelOptions:
    """Check `model_config`, merge the ODM options with the parents', store pydantic's part."""
    config = check_config(name, dict(namespace.get("model_config", {})))
    embedded = any(p.is_embedded for p in parents)
    indexes = next((p.indexes for p in reversed(parents) if p.indexes is not None), None)
    parse = any(p.parse_doc_with_default_factories for p in parents)
    options = ModelOptions(
        collection=None if embedded else config.get("collection", _snake_case(name)),
        indexes=config.get("indexes", indexes),
        parse_doc_with_default_factories=config.get("parse_doc_with_default_factories", parse),
    )
    if options.collection is not None:
        _check_collection_name(name, options.collection)
    namespace["model_config"] = {
        **config,
        "collection": options.collection,
        "parse_doc_with_default_factories": options.parse_doc_with_default_factories,
        "indexes": options.indexes,
    }
    return options


__all__ = ["ModelOptions", "model_options"]
