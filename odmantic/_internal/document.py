"""Between dumped model data and MongoDB documents, read off a `ModelSchema` (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import UnionType
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from pydantic import TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from odmantic._internal.annotations import strip_optional
from odmantic._internal.schema import FieldSchema, ModelSchema, schema_of
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
        if field.kind == "reference":  # stored as the referenced primary key, as ODMantic 1.1
            primary = field.target.primary if field.target is not None else None
            if primary is not None and isinstance(value, list):
                value = [_primary_of(item, primary) for item in value]
            elif primary is not None:
                value = _primary_of(value, primary)
            data[field.key_name] = value
            continue
        sub = field.target if field.kind == "embedded" and field.target else None
        if sub is not None and value is not None and (sub.reshaped or field.shape == "tuple"):
            if field.shape in ("list", "tuple"):  # items may be None (`list[Optional[E]]`)
                value = [None if item is None else rename_out(sub, item) for item in value]
            elif field.shape == "dict":
                value = {
                    k: None if item is None else rename_out(sub, item) for k, item in value.items()
                }
            else:
                value = rename_out(sub, value)
        data[field.key_name] = value
    return data


def _primary_of(value: Any, primary: FieldSchema) -> Any:
    """The primary key of a dumped referenced instance (a Lazy reference dumps its key)."""
    if isinstance(value, dict):
        return value.get(primary.name, value.get(primary.key_name))
    return value


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
TOO_DEEP = "__odmantic_too_deep__"
"""The key of the document a join puts where a cycle of references goes deeper than allowed."""
INCORRECT_GENERIC = "odmantic::incorrect_generic_embedded_model_value"
_PYDANTIC_ERRORS = frozenset(get_args(ErrorType))
_CONTAINER_ERRORS = frozenset(
    {"list_type", "tuple_type", "dict_type", "set_type", "frozen_set_type", "iterable_type"}
)

Loc = tuple[str | int, ...]


def key_not_found(loc: Loc, key: str, raw: Any) -> InitErrorDetails:
    """The error of a document `raw` lacking the key `key` (of the field at `loc`), as ODMantic
    1.1 reports it ("Key 'name' not found in document")."""
    error = PydanticCustomError(
        KEY_NOT_FOUND, "Key '{key_name}' not found in document", {"key_name": key}
    )
    return {"type": error, "loc": loc, "input": raw}


def reference_not_found(loc: Loc, key: str, raw: Any) -> InitErrorDetails:
    """The error of a document `raw` whose reference (stored under `key`) was not found."""
    error = PydanticCustomError(
        REFERENCE_NOT_FOUND,
        "Referenced document not found for foreign key '{foreign_key_name}'",
        {"foreign_key_name": key},
    )
    return {"type": error, "loc": loc, "input": raw}


def incorrect_generic(loc: Loc, value: Any, raw: Any) -> InitErrorDetails:
    """The error of a value (in the document `raw`) that is not the list, tuple, dict or union
    of embedded models its field holds."""
    message = "Incorrect generic embedded model value '{value}'"
    error = PydanticCustomError(INCORRECT_GENERIC, message, {"value": value})
    return {"type": error, "loc": loc, "input": raw}


def missing_keys(
    schema: ModelSchema, raw_doc: dict[str, Any], loc: Loc = ()
) -> list[InitErrorDetails]:
    """Errors for the keys a stored document must hold that validation would not miss: `_id`,
    and default-factory fields (unless `parse_doc_with_default_factories`).

    Joined referenced documents are checked too, their errors located under the field.
    """
    errors = [
        key_not_found((*loc, field.name), field.key_name, raw_doc)
        for field in schema.required
        if field.key_name not in raw_doc
    ]
    for field in schema.references:
        joined = raw_doc.get(field.key_name)
        if isinstance(joined, dict) and field.target is not None and TOO_DEEP not in joined:
            errors.extend(missing_keys(field.target, joined, (*loc, field.name)))
    return errors


def needs_key_check(schema: ModelSchema, raw_doc: dict[str, Any]) -> bool:
    """Whether `missing_keys` can find anything in `raw_doc` (a cheap test for the fast path)."""
    return bool(schema.references) or not schema.required_keys <= raw_doc.keys()


def _checked_as(field: FieldSchema) -> str:
    """How ODMantic 1.1 checks the field's stored value before validating it: "reference" (the
    joined document: its keys), "one" (an embedded document: its keys), "items" or "mapping" (a
    list, tuple or dict of embedded models: each one's keys), "union" (a union holding embedded
    models: as a whole), or "" (validation alone)."""
    if field.kind == "reference":
        return "reference"
    annotation = field.annotation
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if _is_embedded(annotation):
        return "one"
    if not any(_is_embedded(argument) for argument in get_args(annotation)):
        return ""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return "union"
    return "mapping" if origin in (dict, Mapping) else "items"


def _is_embedded(annotation: Any) -> bool:
    schema = schema_of(annotation)
    return schema is not None and schema.is_embedded


class _Step(NamedTuple):
    """A field that a pydantic error location goes through."""

    at: int  # where the field is in the location
    field: FieldSchema
    holder: dict[str, Any]  # the (embedded, joined) document holding the field's key
    checked_as: str  # see _checked_as


def _field_at(schema: ModelSchema, part: str | int) -> FieldSchema | None:
    """The field a part of a pydantic location names: by key name (values found in a document),
    else by name."""
    if not isinstance(part, str):
        return None
    by_key = next((f for f in schema.fields.values() if f.key_name == part), None)
    return by_key or schema.fields.get(part)


def _steps(schema: ModelSchema, raw_doc: dict[str, Any], loc: Loc) -> list[_Step]:
    """The fields that the pydantic error location `loc` goes through in `raw_doc`."""
    steps: list[_Step] = []
    at = 0
    current: ModelSchema | None = schema
    holder: Any = raw_doc
    while current is not None and at < len(loc):
        field = _field_at(current, loc[at])
        if field is None or not isinstance(holder, dict):
            break
        how = _checked_as(field)
        steps.append(_Step(at, field, holder, how))
        value = holder.get(field.key_name)
        if how in ("items", "mapping") and at + 1 < len(loc):
            at += 1
            value = _item(value, loc[at])
        elif how not in ("one", "reference"):
            break
        current, holder, at = field.target, value, at + 1
    return steps


def _item(collection: Any, part: str | int) -> Any:
    """The item of a stored list or dict that a part of a pydantic location names, if any."""
    if isinstance(collection, dict):
        return collection.get(part)
    if isinstance(collection, (list, tuple)) and isinstance(part, int) and part < len(collection):
        return collection[part]
    return None


def _loc_of_11(loc: Loc, steps: list[_Step]) -> Loc:
    """`loc` up to the last field of `steps`, as ODMantic 1.1 locates a key it found missing:
    with field names, items as `[0]` and dict values as `["key"]`."""
    where: list[str | int] = []
    for step in steps:
        where.append(step.field.name)
        if step is not steps[-1] and step.checked_as == "items":
            where.append(f"[{loc[step.at + 1]}]")
        elif step is not steps[-1] and step.checked_as == "mapping":
            where.append(f'["{loc[step.at + 1]}"]')
    return tuple(where)


def _error_of_11(loc: Loc, error_type: str, steps: list[_Step]) -> InitErrorDetails | None:
    """The error ODMantic 1.1 reports for pydantic's error at `loc`, from its check of the keys
    before validation, or None when 1.1 leaves the error to pydantic."""
    if not steps:
        return None
    step = steps[-1]
    where, holder, field = _loc_of_11(loc, steps), step.holder, step.field
    value = holder.get(field.key_name)
    if step.at == len(loc) - 1:  # the error is the field's own
        if step.checked_as == "reference" and value is None:
            return reference_not_found(where, field.key_name, holder)
        if error_type == "missing":
            return key_not_found(where, field.key_name, holder)
        if step.checked_as in ("items", "mapping") and error_type in _CONTAINER_ERRORS:
            return incorrect_generic(where, value, holder)
    if step.checked_as == "union":
        return incorrect_generic(where, value, holder)
    return None


def _position(model: Any, loc: Loc) -> tuple[int, ...]:
    """Where the field at `loc` comes in the model's fields (then in embedded or referenced
    models' fields): ODMantic 1.1 reports missing keys in that order."""
    position: list[int] = []
    for part in loc:
        fields = getattr(model, "__pydantic_fields__", None)
        if not isinstance(fields, dict) or part not in fields:
            break
        position.append(list(fields).index(part))
        model = strip_optional(fields[part].annotation)
    return tuple(position)


def _renamed(model: type[Any], raw_doc: dict[str, Any], exc: ValidationError) -> ValidationError:
    """pydantic's `exc` as ODMantic 1.1 shows it: titled with the model's name, located with
    field names (pydantic locates values found under a key name with the key name)."""
    schema: ModelSchema = model.__odmantic_schema__
    errors, renamed = exc.errors(include_url=False), False
    for err in errors:
        loc = list(err["loc"])
        for step in _steps(schema, raw_doc, err["loc"]):
            loc[step.at] = step.field.name
        renamed = renamed or tuple(loc) != err["loc"]
        err["loc"] = tuple(loc)
    if not renamed and exc.title == model.__name__:
        return exc
    details: list[InitErrorDetails] = []
    for err in errors:
        kind: Any = err["type"]
        if kind not in _PYDANTIC_ERRORS:  # a custom error: its message, as it reads
            kind = PydanticCustomError(kind, err["msg"], err.get("ctx"))  # pyright: ignore[reportArgumentType]
        details.append({"type": kind, "loc": err["loc"], "input": err["input"]})
        if "ctx" in err and isinstance(kind, str):
            details[-1]["ctx"] = err["ctx"]
    return ValidationError.from_exception_data(model.__name__, details)


def errors_of_11(
    model: type[Any],
    raw_doc: dict[str, Any],
    missing: list[InitErrorDetails],
    exc: ValidationError | None,
) -> ValidationError:
    """The errors of a stored document as ODMantic 1.1 reports them. First, and alone, the keys
    it lacks (`missing`, and the fields validation found missing: a referenced document not
    found among them) and the values that are not the list, dict or union of embedded models of
    their field, in the order of the fields; else pydantic's own errors (`exc`)."""
    schema: ModelSchema = model.__odmantic_schema__
    found = list(missing)
    seen = {error.get("loc", ()) for error in found}
    for err in exc.errors(include_url=False) if exc is not None else []:
        error = _error_of_11(err["loc"], err["type"], _steps(schema, raw_doc, err["loc"]))
        if error is not None and error.get("loc", ()) not in seen:
            seen.add(error.get("loc", ()))
            found.append(error)
    if found or exc is None:
        found.sort(key=lambda error: _position(model, error.get("loc", ())))
        return ValidationError.from_exception_data(model.__name__, found)
    return _renamed(model, raw_doc, exc)
