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
    """A pydantic-style error for a problem found outside pydantic's validation."""
    return {"type": "value_error", "loc": loc, "msg": msg, "input": value}


def missing_keys(
    cls: type[_BaseODMModel], raw_doc: dict[str, Any], loc: tuple[str | int, ...] = ()
) -> list[ErrorDetails]:
    """Errors for the keys a stored document must hold: `_id`, and default-factory fields.

    Joined referenced documents are checked too, their errors located under the field.
    """
    errors: list[ErrorDetails] = []
    for name, key in cls.__odm_required_keys__:
        if key in raw_doc:
            continue
        if key == "_id":
            reason = "key '_id' not found in the document: every stored document has one"
        else:
            reason = (
                f"key {key!r} not found in the document; this field has a default_factory, "
                "which is not used to fill stored documents unless model_config sets "
                "parse_doc_with_default_factories=True"
            )
        errors.append(error_detail((*loc, name), reason, raw_doc))
    for name, key in cls.__odm_references__:
        joined = raw_doc.get(key)
        target = cls.__odm_fields__[name].model
        if isinstance(joined, dict) and target is not None:
            errors.extend(missing_keys(target, joined, (*loc, name)))
    return errors


def explain_errors(
    cls: type[_BaseODMModel], raw_doc: dict[str, Any], exc: ValidationError
) -> list[ErrorDetails]:
    """pydantic's errors for a document, with a missing joined reference called dangling."""
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
    """Mark `instance` and the instances it references as saved (nothing modified)."""
    object.__setattr__(instance, "__fields_modified__", set())
    for name, _ in type(instance).__odm_references__:
        ref = instance.__dict__.get(name)
        if ref is not None:
            mark_clean(ref)
