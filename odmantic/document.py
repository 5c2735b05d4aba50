"""Between dumped model data and MongoDB documents, read off a `ModelSchema` (no I/O)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from odmantic.schema import ModelSchema


def rename_out(schema: ModelSchema, data: dict[str, Any]) -> dict[str, Any]:
    """Rename field names to key names, in place, in a fresh `model_dump` result (recursively)."""
    for field in schema.renamed:
        if field.name not in data:
            continue
        value = data.pop(field.name)
        sub = field.target if field.kind == "embedded" and field.target else None
        if sub is not None and sub.renamed and value is not None:
            if field.shape == "list":
                value = [rename_out(sub, item) for item in value]
            elif field.shape == "dict":
                value = {k: rename_out(sub, item) for k, item in value.items()}
            else:
                value = rename_out(sub, value)
        data[field.key_name] = value
    return data


def error_detail(loc: tuple[str | int, ...], msg: str, value: Any) -> ErrorDetails:
    """A pydantic-style error for a problem found outside pydantic's validation."""
    return {"type": "value_error", "loc": loc, "msg": msg, "input": value}


def missing_keys(
    schema: ModelSchema, raw_doc: dict[str, Any], loc: tuple[str | int, ...] = ()
) -> list[ErrorDetails]:
    """Errors for the keys a stored document must hold: `_id`, and default-factory fields.

    Joined referenced documents are checked too, their errors located under the field.
    """
    errors: list[ErrorDetails] = []
    for field in schema.required:
        if field.key_name in raw_doc:
            continue
        if field.primary:
            reason = "key '_id' not found in the document: every stored document has one"
        else:
            reason = (
                f"key {field.key_name!r} not found in the document; this field has a "
                "default_factory, which is not used to fill stored documents unless "
                "model_config sets parse_doc_with_default_factories=True"
            )
        errors.append(error_detail((*loc, field.name), reason, raw_doc))
    for field in schema.references:
        joined = raw_doc.get(field.key_name)
        if isinstance(joined, dict) and field.target is not None:
            errors.extend(missing_keys(field.target, joined, (*loc, field.name)))
    return errors


def needs_key_check(schema: ModelSchema, raw_doc: dict[str, Any]) -> bool:
    """Whether `missing_keys` can find anything in `raw_doc` (a cheap test for the fast path)."""
    return bool(schema.references) or any(f.key_name not in raw_doc for f in schema.required)


def explain_errors(
    schema: ModelSchema, raw_doc: dict[str, Any], exc: ValidationError
) -> list[ErrorDetails]:
    """pydantic's errors for a document, with a missing joined reference called dangling."""
    errors = exc.errors(include_url=False)
    for err in errors:
        loc = err["loc"]
        field = schema.fields.get(str(loc[0])) if loc else None
        if field is not None and field.kind == "reference" and err["type"] == "missing":
            model = field.target.name if field.target else "?"
            err["msg"] = (
                f"referenced {model} document not found (dangling reference in key "
                f"{field.key_name!r})"
            )
    return errors
