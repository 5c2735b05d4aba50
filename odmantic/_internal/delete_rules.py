"""What deleting documents does to the documents that reference them (no I/O).

`Reference(on_delete=...)` is read off every model defined so far (a registry the model
metaclass fills): a model defined after a delete started plays no part in it, and every later
delete applies its rules. `delete_steps` is a generator: it yields the reads and writes to
make (`FindKeys`, `UpdateMany`, `DeleteMany`) and receives their results, so that the engine
twins only run each step (in one transaction where the deployment has them).

The order: every `deny` check first (nothing is written if one fails), then the dependants
(nullified, pulled, deleted in cascade, their own rules applied, their delete hooks run),
then the documents.
"""

from __future__ import annotations

import weakref
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from odmantic._internal.hooks import has_hooks
from odmantic._internal.references import ReferencePath, reference_paths
from odmantic._internal.schema import ModelSchema
from odmantic.exceptions import ReferencedDocumentError
from odmantic.hooks import HookKind

_MODELS: weakref.WeakSet[type[Any]] = weakref.WeakSet()
_FOUND: dict[ModelSchema, tuple[int, list[Dependant]]] = {}
_DEFINED = [0]  # how many models were defined: the dependants found before are stale


def register_model(model: type[Any]) -> None:
    """Remember a `Model` class (called when the class is created)."""
    _MODELS.add(model)
    _DEFINED[0] += 1


@dataclass(frozen=True)
class Dependant:
    """A reference, with a delete rule, to the model being deleted."""

    model: type[Any]
    path: ReferencePath

    @property
    def rule(self) -> str:
        """The delete rule of the reference."""
        return self.path.field.on_delete

    def referencing(self, keys: Sequence[Any]) -> dict[str, Any]:
        """The filter of this model's documents referencing one of `keys`."""
        return {self.path.key_path: {"$in": list(keys)}}


def dependants(schema: ModelSchema) -> list[Dependant]:
    """The references to `schema`'s model that have a delete rule, in the models defined so far
    (ordered by model and path, so that a delete always runs its steps in the same order)."""
    cached = _FOUND.get(schema)
    if cached is not None and cached[0] == _DEFINED[0]:
        return cached[1]
    found = _dependants(schema, list(_MODELS))
    _FOUND[schema] = (_DEFINED[0], found)
    return found


def _same_documents(target: ModelSchema, schema: ModelSchema) -> bool:
    """Whether a reference to `target` may point to a document of `schema`'s model: the same
    model, or two classes of one polymorphic collection (a reference typed with the root
    points to subclass documents, and a delete through the root deletes them)."""
    if target is schema:
        return True
    return (
        target.discriminator is not None
        and schema.discriminator is not None
        and (target.family or target) is (schema.family or schema)
    )


def _dependants(schema: ModelSchema, models: Sequence[type[Any]]) -> list[Dependant]:
    found = [
        Dependant(model, path)
        for model in models
        for path in reference_paths(model.__odmantic_schema__)
        if _same_documents(path.target, schema) and path.field.on_delete != "nothing"
    ]
    found.sort(key=lambda d: (d.model.__qualname__, d.path.key_path))
    return found


@dataclass(frozen=True)
class FindKeys:
    """Read the primary keys of `model`'s documents matching `filter` (at most `limit`, 0:
    all); the result sent back is the list of keys."""

    model: type[Any]
    filter: dict[str, Any]
    limit: int = 0


@dataclass(frozen=True)
class UpdateMany:
    """Update `model`'s documents matching `filter`; nothing is sent back."""

    model: type[Any]
    filter: dict[str, Any]
    update: dict[str, Any]
    array_filters: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class DeleteMany:
    """Delete `model`'s documents matching `filter`; the result sent back is the count."""

    model: type[Any]
    filter: dict[str, Any]


@dataclass(frozen=True)
class LoadInstances:
    """Read `model`'s documents of `keys` as instances (deleted in cascade, they have delete
    hooks); the result sent back is the list of instances."""

    model: type[Any]
    keys: list[Any]


@dataclass(frozen=True)
class RunHooks:
    """Run the hooks of `kind` of `instances` (an error of a `before_delete` stops the
    delete); nothing is sent back."""

    instances: list[Any]
    kind: HookKind


Step = FindKeys | UpdateMany | DeleteMany | LoadInstances | RunHooks


@dataclass
class _Deleted:
    """The documents a delete removes: by model, their keys (or a filter, for the models
    nothing references with a rule: their keys are never needed)."""

    keys: list[tuple[type[Any], list[Any]]] = field(default_factory=list)
    by_filter: list[tuple[type[Any], dict[str, Any]]] = field(default_factory=list)
    seen: set[tuple[type[Any], Any]] = field(default_factory=set)

    def add(self, model: type[Any], keys: Sequence[Any]) -> list[Any]:
        new = [key for key in keys if (model, _hashable(key)) not in self.seen]
        self.seen.update((model, _hashable(key)) for key in new)
        if new:
            self.keys.append((model, new))
        return new

    def blocking(self, dependant: Dependant, keys: Sequence[Any]) -> dict[str, Any]:
        """The filter of `dependant`'s documents that reference one of `keys` and are not
        deleted by this delete themselves."""
        check = dependant.referencing(keys)
        also_deleted = [key for m, ks in self.keys if m is dependant.model for key in ks]
        if also_deleted:
            check["_id"] = {"$nin": also_deleted}
        by_filter = [f for m, f in self.by_filter if m is dependant.model]
        if by_filter:
            check["$nor"] = by_filter
        return check


def _hashable(key: Any) -> Any:
    return repr(key) if isinstance(key, (dict, list)) else key


def delete_steps(
    model: type[Any], filter_: dict[str, Any], just_one: bool
) -> Generator[Step, Any, int]:
    """The steps of deleting `model`'s documents matching `filter_` with the delete rules of
    the references to them; returns how many of `model`'s documents were deleted.

    Raises:
        ReferencedDocumentError: a `deny` reference still points to a document to delete
            (raised before anything is written).
    """
    # The models defined when the delete starts: one defined meanwhile plays no part in it.
    models = list(_MODELS)
    rules: dict[ModelSchema, list[Dependant]] = {}

    def dependants_of(model: type[Any]) -> list[Dependant]:
        schema = model.__odmantic_schema__
        if schema not in rules:
            rules[schema] = _dependants(schema, models)
        return rules[schema]

    found = yield FindKeys(model, filter_, int(just_one))  # the document must exist
    deleted = _Deleted()
    deleted.add(model, found)
    index = 0
    while index < len(deleted.keys):  # the cascade, breadth first
        current, keys = deleted.keys[index]
        for dependant in dependants_of(current):
            if dependant.rule != "cascade":
                continue
            hooked = has_hooks(dependant.model, "before_delete", "after_delete")
            if not dependants_of(dependant.model) and not hooked:
                deleted.by_filter.append((dependant.model, dependant.referencing(keys)))
                continue
            referencing = yield FindKeys(dependant.model, dependant.referencing(keys))
            deleted.add(dependant.model, referencing)
        index += 1
    for current, keys in deleted.keys:
        for dependant in dependants_of(current):
            if dependant.rule == "deny":
                blocking = yield FindKeys(dependant.model, deleted.blocking(dependant, keys), 1)
                if blocking:
                    raise ReferencedDocumentError(
                        current, dependant.model, dependant.path.names, blocking[0]
                    )
    loaded: list[Any] = []  # the documents deleted in cascade that have delete hooks
    for current, keys in deleted.keys[1:]:
        if has_hooks(current, "before_delete", "after_delete"):
            instances = yield LoadInstances(current, keys)
            yield RunHooks(instances, "before_delete")
            loaded.extend(instances)
    for current, keys in deleted.keys:
        for dependant in dependants_of(current):
            if dependant.rule in ("nullify", "pull"):
                update, array_filters = _unlink(dependant, keys)
                yield UpdateMany(
                    dependant.model, dependant.referencing(keys), update, array_filters
                )
    for dependant_model, referencing in deleted.by_filter:
        yield DeleteMany(dependant_model, referencing)
    for current, keys in reversed(deleted.keys[1:]):
        yield DeleteMany(current, {"_id": {"$in": keys}})
    if not found:
        return 0
    # One document by its key: the filter itself, which holds the shard key of a sharded model.
    by_key = "_id" in filter_ and not isinstance(filter_["_id"], dict)
    count: int = yield DeleteMany(model, filter_ if by_key else {"_id": {"$in": found}})
    if loaded:
        yield RunHooks(loaded, "after_delete")
    return count


def _unlink(
    dependant: Dependant, keys: Sequence[Any]
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The update nullifying, or pulling, the keys of a reference (through lists of embedded
    models: each list step by an array filter on the remaining path)."""
    steps = dependant.path.steps
    parts: list[str] = []
    array_filters: list[dict[str, Any]] = []
    for number, step in enumerate(steps[:-1]):
        parts.append(step.key_name)
        if step.shape == "list":
            name = f"odm{number}"
            parts.append(f"$[{name}]")
            rest = ".".join(s.key_name for s in steps[number + 1 :])
            array_filters.append({f"{name}.{rest}": {"$in": list(keys)}})
    parts.append(steps[-1].key_name)
    target = ".".join(parts)
    if dependant.rule == "nullify":
        return {"$set": {target: None}}, array_filters or None
    return {"$pull": {target: {"$in": list(keys)}}}, array_filters or None


__all__ = [
    "register_model",
    "Dependant",
    "dependants",
    "FindKeys",
    "UpdateMany",
    "DeleteMany",
    "LoadInstances",
    "RunHooks",
    "Step",
    "delete_steps",
]
