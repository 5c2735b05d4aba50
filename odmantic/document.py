"""Dump and parse helpers between model instances and MongoDB documents (no I/O)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

if TYPE_CHECKING:
    from odmantic.model import _BaseODMModel


def rename_out(cls: type[_BaseODMModel], data: dict[str, Any]) -> dict[str, Any]:
    """Rename field names to key names, in place, in a fresh `model_dump` result (recursively)."""
    for name, (key, sub, shape) in cls.__odm_out_plan__.items():
        if name not in data:
            continue
        value = data.pop(name)
        if sub is not None and value is not None:
            if shape == "list":
                value = [rename_out(sub, item) for item in value]
            elif shape == "dict":
                value = {k: rename_out(sub, item) for k, item in value.items()}
            else:
                value = rename_out(sub, value)
        data[key] = value
    return data


def error_detail(loc: tuple[str | int, ...], msg: str, value: Any) -> ErrorDetails:
    return {"type": "value_error", "loc": loc, "msg": msg, "input": value}


def missing_factory_keys(cls: type[_BaseODMModel], raw_doc: dict[str, Any]) -> list[ErrorDetails]:
    keys = cls.__odm_factory_keys__
    if not keys or cls.__odm_config__.get("parse_doc_with_default_factories", False):
        return []
    return [
        error_detail(
            (name,),
            f"key {key!r} not found in the document; this field has a default_factory, which "
            "is not used to fill stored documents unless model_config sets "
            "parse_doc_with_default_factories=True",
            raw_doc,
        )
        for name, key in keys
        if key not in raw_doc
    ]


def explain_errors(
    cls: type[_BaseODMModel], raw_doc: dict[str, Any], exc: ValidationError
) -> list[ErrorDetails]:
    errors = exc.errors(include_url=False)
    refs = dict(cls.__odm_references__)
    for err in errors:
        loc = err["loc"]
        if loc and loc[0] in refs and err["type"] == "missing":
            field = cls.__odm_fields__[str(loc[0])]
            model = field.model.__name__ if field.model else "?"
            err["msg"] = (
                f"referenced {model} document not found (dangling reference in key "
                f"{refs[str(loc[0])]!r})"
            )
    return errors


def mark_clean(instance: _BaseODMModel) -> None:
    object.__setattr__(instance, "__fields_modified__", set())
    for name, _ in type(instance).__odm_references__:
        ref = instance.__dict__.get(name)
        if ref is not None:
            mark_clean(ref)
