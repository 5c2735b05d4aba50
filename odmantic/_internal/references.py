"""Where a model's references are, and what they hold (no I/O).

A reference is found at a *path*: the embedded fields leading to it, then the reference field
(`lines.product` for `lines: list[Line]` whose `Line` holds `product: Product`). The engine
reads these paths to save referenced instances first, to join them on reads, to mark them
loaded, and to apply delete rules.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError

from odmantic._internal.document import REFERENCE_NOT_FOUND, TOO_DEEP
from odmantic._internal.lazy import Lazy
from odmantic._internal.polymorphism import load_as_stored
from odmantic._internal.schema import FieldSchema, ModelSchema
from odmantic.exceptions import DocumentNotFoundError, ModelDefinitionError

REFERENCE_TOO_DEEP = "odmantic::reference_too_deep"

DEFAULT_DEPTH = 3
"""How many levels of a cycle of eager references are joined, unless the field or the engine
says otherwise (`Reference(depth=...)`, `AIOEngine(reference_depth=...)`)."""


@dataclass(frozen=True, slots=True, eq=False)
class ReferencePath:
    """One reference of a model, with the embedded fields leading to it.

    Attributes:
        steps: the embedded fields, then the reference field (last).
    """

    steps: tuple[FieldSchema, ...]

    @property
    def field(self) -> FieldSchema:
        """The reference field."""
        return self.steps[-1]

    @property
    def target(self) -> ModelSchema:
        """The schema of the referenced model."""
        target = self.field.target
        assert target is not None
        return target

    @property
    def key_path(self) -> str:
        """The dotted key path of the stored key(s) (`lines.product`)."""
        return ".".join(step.key_name for step in self.steps)

    @property
    def names(self) -> str:
        """The dotted Python names, for messages (`lines.product`)."""
        return ".".join(step.name for step in self.steps)

    @property
    def top_level_single(self) -> bool:
        """A reference of the model itself holding one document (ODMantic 1.1's only kind)."""
        return len(self.steps) == 1 and self.field.shape == "one"

    @property
    def through_lists(self) -> bool:
        """Whether an embedded step is a list (the path names several places)."""
        return any(step.shape != "one" for step in self.steps[:-1])


def reference_paths(schema: ModelSchema) -> tuple[ReferencePath, ...]:
    """Every reference of `schema`'s documents, in its own fields and its embedded models."""
    return _paths(schema, ())


@lru_cache(maxsize=1024)
def _paths(schema: ModelSchema, seen: tuple[ModelSchema, ...]) -> tuple[ReferencePath, ...]:
    found: list[ReferencePath] = []
    for field in schema.fields.values():
        if field.kind == "reference" and field.target is not None:
            found.append(ReferencePath((field,)))
        elif field.kind == "embedded" and field.target is not None:
            if field.target in seen or field.target is schema or field.shape not in ("one", "list"):
                continue
            for inner in _paths(field.target, (*seen, schema)):
                found.append(ReferencePath((field, *inner.steps)))
    return tuple(found)


@lru_cache(maxsize=1024)
def has_references(schema: ModelSchema) -> bool:
    """Whether `schema`'s documents hold references (in embedded models too)."""
    return bool(reference_paths(schema))


@lru_cache(maxsize=1024)
def has_joins(schema: ModelSchema) -> bool:
    """Whether reading `schema`'s documents joins referenced documents (an eager reference)."""
    return any(not path.field.lazy for path in reference_paths(schema))


def loads_in_one_call(schema: ModelSchema) -> bool:
    """Whether joined documents of `schema` can be validated as they are, in one call per
    batch: no cycle of eager references (whose depth markers must be found first), and no
    joined model that requires keys a validation would fill (default factories)."""
    return _plain_joins(schema, ())


@lru_cache(maxsize=1024)
def _plain_joins(schema: ModelSchema, seen: tuple[ModelSchema, ...]) -> bool:
    for path in reference_paths(schema):
        if path.field.lazy:
            continue
        target = path.target
        if target in seen or target is schema or target.copy_on_load:
            return False
        if target.discriminator is not None:  # each joined document loads as its own class
            return False
        if not target.required_keys <= {"_id"} or not _plain_joins(target, (*seen, schema)):
            return False
    return True


def with_typed_joins(schema: ModelSchema, raw_doc: dict[str, Any]) -> dict[str, Any]:
    """`raw_doc` with each joined document of a polymorphic collection loaded as the class it
    names (validation then keeps that instance), or `raw_doc` itself when there is none."""
    paths = [p for p in reference_paths(schema) if not p.field.lazy and p.target.discriminator]
    if not paths:
        return raw_doc
    document = copy.copy(raw_doc)
    for path in paths:
        _type_joined(path, document, path.steps)
    return document


def _type_joined(
    path: ReferencePath, holder: dict[str, Any], steps: tuple[FieldSchema, ...]
) -> None:
    step, rest = steps[0], steps[1:]
    value = holder.get(step.key_name)
    if rest:
        items = value if step.shape == "list" and isinstance(value, list) else [value]
        copies = [dict(item) if isinstance(item, dict) else item for item in items]
        for item in copies:
            if isinstance(item, dict):
                _type_joined(path, item, rest)
        holder[step.key_name] = copies if step.shape == "list" else copies[0]
        return
    if step.shape == "list" and isinstance(value, list):
        holder[step.key_name] = [
            load_as_stored(path.target, item) if isinstance(item, dict) else item for item in value
        ]
    elif isinstance(value, dict):
        holder[step.key_name] = load_as_stored(path.target, value)


def forget_schemas() -> None:
    """Forget the paths computed from the schemas (a forward reference was just resolved)."""
    _paths.cache_clear()
    _plain_joins.cache_clear()
    has_references.cache_clear()
    has_joins.cache_clear()


def check_delete_rule(owner: str, name: str, rule: str, shape: str, optional: bool) -> None:
    """Refuse a delete rule the field cannot apply.

    Raises:
        ModelDefinitionError: "nullify" on a required reference or a list, "pull" on a single
            reference; naming the model and the field.
    """
    if rule == "nullify" and (shape != "one" or not optional):
        raise ModelDefinitionError(
            f"{owner}.{name}: on_delete='nullify' needs an Optional single reference "
            f"(`{name}: Model | None = Reference(on_delete='nullify')`); use 'pull' for a list"
        )
    if rule == "pull" and shape != "list":
        raise ModelDefinitionError(
            f"{owner}.{name}: on_delete='pull' removes a key from a list of references; a "
            "single reference can be 'nullify' (if Optional), 'cascade' or 'deny'"
        )


def reference_key(value: Any) -> Any:
    """What a reference field stores for `value`: the primary key(s) of the instance(s)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [reference_key(item) for item in value]
    key = getattr(value, "__odmantic_bson_query_value__", None)
    if key is not None and not hasattr(value, "__odmantic_primary_key__"):
        return key()  # a Lazy reference
    return value.__odmantic_primary_key__()


def _held(value: Any) -> Iterator[Any]:
    """The items of a reference field's value (a list, or one value; None holds nothing)."""
    if value is None:
        return
    if isinstance(value, list):
        yield from (item for item in value if item is not None)
    else:
        yield value


def _at(holder: Any, steps: tuple[FieldSchema, ...]) -> Iterator[Any]:
    """The values of the reference field at the end of `steps`, below `holder`."""
    step, rest = steps[0], steps[1:]
    value = holder.__dict__.get(step.name)
    if not rest:
        yield from _held(value)
        return
    for item in _held(value):
        yield from _at(item, rest)


def referenced_instances(instance: Any) -> Iterator[Any]:
    """The `Model` instances `instance` references (eager ones, and lazy ones built from
    instances)."""
    for path in reference_paths(type(instance).__odmantic_schema__):
        for value in _at(instance, path.steps):
            held = getattr(value, "instance", value) if path.field.lazy else value
            if held is not None and hasattr(held, "__odmantic_primary_key__"):
                yield held


def stored_form(instance: Any, raw_doc: dict[str, Any]) -> dict[str, Any]:
    """`raw_doc` as stored (each joined document back to its key), marking the referenced
    instances of `instance` loaded from their joined documents."""
    schema = type(instance).__odmantic_schema__
    document = dict(raw_doc)
    for path in reference_paths(schema):
        if not path.field.lazy:
            _unjoin(instance, document, path.steps)
    return document


def _unjoin(holder: Any, document: dict[str, Any], steps: tuple[FieldSchema, ...]) -> None:
    step, rest = steps[0], steps[1:]
    key, value = step.key_name, holder.__dict__.get(step.name)
    raw = document.get(key)
    if not rest:
        if step.shape == "list" and isinstance(raw, list) and isinstance(value, list):
            document[key] = [_unjoined(v, r) for v, r in zip(value, raw, strict=False)]
        elif isinstance(raw, dict):
            document[key] = _unjoined(value, raw)
        return
    if step.shape == "list" and isinstance(raw, list) and isinstance(value, list):
        items = [dict(r) if isinstance(r, dict) else r for r in raw]
        for item, sub in zip(value, items, strict=False):
            if isinstance(sub, dict) and item is not None:
                _unjoin(item, sub, rest)
        document[key] = items
    elif isinstance(raw, dict) and value is not None:
        sub = dict(raw)
        _unjoin(value, sub, rest)
        document[key] = sub


def _unjoined(instance: Any, joined: Any) -> Any:
    if isinstance(joined, dict) and instance is not None:
        instance.__odmantic_mark_loaded__(joined)
        return joined.get("_id")
    return joined


def reference_errors(schema: ModelSchema, raw_doc: dict[str, Any]) -> list[InitErrorDetails]:
    """Errors for the joined places of `raw_doc` that hold no document: a referenced document
    not found (in a list or an embedded model; the model's own single references are reported
    as ODMantic 1.1 does), or a cycle of references deeper than the joins go."""
    errors: list[InitErrorDetails] = []
    _check_all(schema, raw_doc, (), errors)
    return errors


def _check_all(
    schema: ModelSchema,
    raw_doc: dict[str, Any],
    loc: tuple[str | int, ...],
    errors: list[InitErrorDetails],
) -> None:
    for path in reference_paths(schema):
        if not path.field.lazy:
            _check(path, raw_doc, path.steps, loc, errors)


def _check(
    path: ReferencePath,
    holder: dict[str, Any],
    steps: tuple[FieldSchema, ...],
    loc: tuple[str | int, ...],
    errors: list[InitErrorDetails],
) -> None:
    step, rest = steps[0], steps[1:]
    value = holder.get(step.key_name)
    where = (*loc, step.name)
    if rest:
        if step.shape == "list" and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _check(path, item, rest, (*where, index), errors)
        elif isinstance(value, dict):
            _check(path, value, rest, where, errors)
        return
    # A join puts a document in place of each key it found: a key left (or a null in a list)
    # is one whose document is gone.
    places = list(enumerate(value)) if step.shape == "list" and isinstance(value, list) else None
    if places is None:
        if isinstance(value, dict) and TOO_DEEP in value:
            errors.append(_too_deep(path, where, holder, value.get("depth")))
        elif isinstance(value, dict):
            _check_all(path.target, value, where, errors)  # the joined document's own
        elif not path.top_level_single and (value is not None or not step.optional):
            errors.append(_not_found(path, where, holder))
        return
    for index, item in places:
        if isinstance(item, dict) and TOO_DEEP in item:
            errors.append(_too_deep(path, (*where, index), holder, item.get("depth")))
        elif isinstance(item, dict):
            _check_all(path.target, item, (*where, index), errors)
        else:
            errors.append(_not_found(path, (*where, index), holder))


def _not_found(path: ReferencePath, loc: tuple[str | int, ...], raw: Any) -> InitErrorDetails:
    error = PydanticCustomError(
        REFERENCE_NOT_FOUND,
        "Referenced document not found for foreign key '{foreign_key_name}'",
        {"foreign_key_name": path.key_path},
    )
    return {"type": error, "loc": loc, "input": raw}


def _too_deep(
    path: ReferencePath, loc: tuple[str | int, ...], raw: Any, depth: Any
) -> InitErrorDetails:
    error = PydanticCustomError(
        REFERENCE_TOO_DEEP,
        "references to {model} go deeper than the {depth} levels joined: declare the field "
        "Lazy[{model}] and fetch it (engine.fetch), or raise Reference(depth=...)",
        {"model": path.target.name, "depth": depth},
    )
    return {"type": error, "loc": loc, "input": copy.copy(raw)}


def fetch_plan(references: Sequence[Any]) -> dict[type[Any], list[Any]]:
    """The keys `fetch_all` reads, for each referenced model (each key once, in order).

    Raises:
        TypeError: an item is not a `Lazy` reference, or one whose model is not known (built
            from a key, outside a model's field).
    """
    wanted: dict[type[Any], dict[Any, None]] = {}
    for reference in references:
        if not isinstance(reference, Lazy):
            raise TypeError(
                f"fetch() takes Lazy references (a field declared Lazy[Model]), got {reference!r}"
            )
        if reference.model is None:
            raise TypeError(
                f"{reference!r}: the model of this Lazy reference is not known; build it with "
                "Lazy(key, Model), or take it from a model's field"
            )
        wanted.setdefault(reference.model, {})[reference.id] = None
    return {model: list(keys) for model, keys in wanted.items()}


def fetched_in_order(references: Sequence[Any], found: dict[type[Any], list[Any]]) -> list[Any]:
    """The instances `references` point to, in their order, from those `fetch_all` read.

    Raises:
        DocumentNotFoundError: a reference's document is gone, naming its model and key.
    """
    by_key: dict[type[Any], dict[Any, Any]] = {}
    for model, instances in found.items():
        primary = model.__odmantic_schema__.primary.name
        by_key[model] = {instance.__dict__[primary]: instance for instance in instances}
    result = []
    for reference in references:
        instance = by_key[reference.model].get(reference.id)
        if instance is None:
            raise DocumentNotFoundError.for_key(reference.model, reference.id)
        result.append(instance)
    return result


__all__ = [
    "fetch_plan",
    "fetched_in_order",
    "ReferencePath",
    "reference_paths",
    "has_references",
    "has_joins",
    "loads_in_one_call",
    "with_typed_joins",
    "forget_schemas",
    "check_delete_rule",
    "reference_key",
    "referenced_instances",
    "stored_form",
    "reference_errors",
    "TOO_DEEP",
    "DEFAULT_DEPTH",
    "REFERENCE_TOO_DEEP",
]
