"""Between dumped model data and MongoDB documents, read off a `ModelSchema` (no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from odmantic._internal.schema import FieldSchema, ModelSchema
from odmantic.query import to_query_value


def _build_list_validator(output: Any) -> Callable[..., list[Any]]:
    return TypeAdapter(list[output]).validate_python  # pyright: ignore[reportInvalidTypeForm]


def _build_validator(output: Any) -> Callable[..., Any]:
    return TypeAdapter(output).validate_python


@lru_cache(maxsize=512)
def _cached_list_validator(output: Any, current: Any) -> Callable[..., list[Any]]:
    """`current`: the class's own validator, which `model_rebuild()` replaces."""
    return _build_list_validator(output)


@lru_cache(maxsize=512)
def _cached_validator(output: Any, current: Any) -> Callable[..., Any]:
    return _build_validator(output)


def list_validator(output: Any) -> Callable[..., list[Any]]:
    """`validate_python` of `list[output]`: a whole list validated in one call, without a
    Python call per item (built once per class; other types, such as unions that compare equal
    in another order, are built each time)."""
    if isinstance(output, type):
        return _cached_list_validator(output, getattr(output, "__pydantic_validator__", None))
    return _build_list_validator(output)


def validator(output: Any) -> Callable[..., Any]:
    """`validate_python` of `output` (any type pydantic validates), built once per class."""
    if isinstance(output, type):
        return _cached_validator(output, getattr(output, "__pydantic_validator__", None))
    return _build_validator(output)


def rename_out(schema: ModelSchema, data: dict[str, Any]) -> dict[str, Any]:
    """Reshape a fresh `model_dump` result for MongoDB, in place (see `FieldSchema.reshaped`)."""
    for field in schema.reshaped:
        if field.name not in data:
            continue
        value = data.pop(field.name)
        sub = field.target if field.kind == "embedded" and field.target else None
        if sub is not None and value is not None and (sub.reshaped or field.shape == "tuple"):
            if field.shape in ("list", "tuple"):
                value = [rename_out(sub, item) for item in value]
            elif field.shape == "dict":
                value = {k: rename_out(sub, item) for k, item in value.items()}
            else:
                value = rename_out(sub, value)
        data[field.key_name] = value
    return data


def extras_to_bson(data: dict[str, Any], extras: dict[str, Any]) -> None:
    """Turn the dumped values of `extra="allow"` keys into BSON values, in place (pydantic has
    no type to dump them with: a Decimal becomes a Decimal128, an enum its value...)."""
    for key in extras:
        if key in data:
            data[key] = to_query_value(data[key])


def bad_key(document: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """The path to the first key MongoDB cannot store in `document` (starting with `$`, holding
    a `.` or a NUL), or None."""
    if isinstance(document, dict):
        for key, value in document.items():
            where = (*path, key)
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                return where
            found = bad_key(value, where)
            if found is not None:
                return found
    elif isinstance(document, (list, tuple)):
        for index, item in enumerate(document):
            found = bad_key(item, (*path, index))
            if found is not None:
                return found
    return None


def check_keys(schema: ModelSchema, document: dict[str, Any], what: str) -> None:
    """Refuse a document holding a key MongoDB cannot store, naming the model and the key.

    Raises:
        ValueError: a key starts with `$` or holds a `.` or a NUL.
    """
    if not schema.free_keys:
        return
    found = bad_key(document)
    if found is not None:
        *parents, key = found
        within = f" (in {'.'.join(map(str, parents))})" if parents else ""
        raise ValueError(
            f"{schema.name}: key {key!r}{within} of {what} cannot be stored: MongoDB keys "
            "cannot start with '$' nor contain '.' or a NUL character"
        )


KEY_NOT_FOUND = "odmantic::key_not_found_in_document"
REFERENCE_NOT_FOUND = "odmantic::referenced_document_not_found"


def key_not_found(loc: tuple[str | int, ...], key: str, why: str, raw: Any) -> InitErrorDetails:
    """The error of a document `raw` lacking the key `key` (of the field at `loc`), as ODMantic
    1.1 reports it ("Key 'name' not found in document", then `why`)."""
    message = "Key '{key_name}' not found in document" + why
    error = PydanticCustomError(KEY_NOT_FOUND, message, {"key_name": key})  # pyright: ignore[reportArgumentType]
    return {"type": error, "loc": loc, "input": raw}


def missing_keys(
    schema: ModelSchema, raw_doc: dict[str, Any], loc: tuple[str | int, ...] = ()
) -> list[InitErrorDetails]:
    """Errors for the keys a stored document must hold: `_id`, and default-factory fields.

    Joined referenced documents are checked too, their errors located under the field.
    """
    errors: list[InitErrorDetails] = []
    for field in schema.required:
        if field.key_name in raw_doc:
            continue
        if field.primary:
            why = ": every stored document has one"
        else:
            why = (
                "; this field has a default_factory, which is not used to fill stored documents "
                "unless model_config sets parse_doc_with_default_factories=True"
            )
        errors.append(key_not_found((*loc, field.name), field.key_name, why, raw_doc))
    for field in schema.references:
        joined = raw_doc.get(field.key_name)
        if isinstance(joined, dict) and field.target is not None:
            errors.extend(missing_keys(field.target, joined, (*loc, field.name)))
    return errors


def needs_key_check(schema: ModelSchema, raw_doc: dict[str, Any]) -> bool:
    """Whether `missing_keys` can find anything in `raw_doc` (a cheap test for the fast path)."""
    return bool(schema.references) or not schema.required_keys <= raw_doc.keys()


def _field_at(schema: ModelSchema, loc: tuple[str | int, ...]) -> FieldSchema | None:
    """The field a pydantic error location points to (list indices and dict keys skipped)."""
    field: FieldSchema | None = None
    current: ModelSchema | None = schema
    for part in loc:
        if current is None:
            return None
        found = current.fields.get(str(part))
        if found is None:
            continue
        field, current = found, found.target
    return field


def explain_errors(
    schema: ModelSchema, raw_doc: dict[str, Any], exc: ValidationError
) -> list[InitErrorDetails] | None:
    """pydantic's errors in ODMantic's terms: a missing field is a key not found in the
    document, a missing joined reference a referenced document not found. None: nothing to
    explain, `exc` stands as it is."""
    errors = exc.errors(include_url=False)
    if not any(err["type"] == "missing" for err in errors):
        return None
    explained: list[InitErrorDetails] = []
    for err in errors:
        loc, field = err["loc"], _field_at(schema, err["loc"])
        if err["type"] != "missing" or field is None:
            kept = PydanticCustomError(err["type"], err["msg"])  # pyright: ignore[reportArgumentType]
            explained.append({"type": kept, "loc": loc, "input": err["input"]})
        elif field.kind == "reference" and len(loc) == 1:
            target = field.target.name if field.target else "referenced"
            error = PydanticCustomError(
                REFERENCE_NOT_FOUND,
                "Referenced document not found for foreign key '{key_name}' (no {model} "
                "document has the stored key: a dangling reference)",
                {"key_name": field.key_name, "model": target},
            )
            explained.append({"type": error, "loc": loc, "input": err["input"]})
        else:
            explained.append(key_not_found(loc, field.key_name, "", err["input"]))
    return explained
