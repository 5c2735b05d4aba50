"""The aggregation stages that join referenced documents into a read (no I/O).

Each eager reference gets a `$lookup` on the referenced collection's `_id` (its index), then a
`$set` that puts each joined document where its key was: in order, duplicates kept, inside
lists and embedded models. A key whose document is gone stays a key (in a list, an embedded
model) or is removed (the model's own single reference, as ODMantic 1.1 reports it), and
parsing names it. Cycles (a model referencing itself, directly or through others) are joined
to a depth; deeper, a marker document says so.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from odmantic._internal import references
from odmantic._internal.document import TOO_DEEP
from odmantic._internal.references import ReferencePath, reference_paths
from odmantic._internal.schema import FieldSchema, ModelSchema


def lookup_stages(schema: ModelSchema, depth: int) -> list[dict[str, Any]]:
    """The stages joining the documents `schema`'s documents reference, recursively.

    Args:
        schema: the model read.
        depth: how many levels of a cycle are joined when a field does not say.

    Returns:
        the stages; empty for a model without eager references.
    """
    if not any(not path.field.lazy for path in reference_paths(schema)):
        return []
    return copy.deepcopy(_stages(schema, (schema,), depth))


@functools.cache
def _stages(
    schema: ModelSchema, chain: tuple[ModelSchema, ...], depth: int
) -> list[dict[str, Any]]:
    stages: list[dict[str, Any]] = []
    for number, path in enumerate(reference_paths(schema)):
        if path.field.lazy:
            continue
        target, allowed = path.target, path.field.depth or depth
        joined = f"__odm_joined_{len(chain)}_{number}"
        if chain.count(target) > allowed:
            marker = {TOO_DEEP: None, "depth": allowed}
            stages.append({"$set": {path.steps[0].key_name: _rebuild("$", path, _deep(marker))}})
            continue
        assert target.collection is not None
        lookup: dict[str, Any] = {
            "from": target.collection,
            "localField": path.key_path,
            "foreignField": "_id",
            "as": joined,
        }
        nested = _stages(target, (*chain, target), depth)
        if nested:
            lookup["pipeline"] = nested
        stages.append({"$lookup": lookup})
        if path.top_level_single:
            stages.append({"$set": {path.field.key_name: _single(path.field, joined)}})
        else:
            stages.append({"$set": {path.steps[0].key_name: _rebuild("$", path, _find(joined))}})
        stages.append({"$unset": joined})
    return stages


def forget_schemas() -> None:
    """Forget what was computed from the schemas (a forward reference was just resolved)."""
    _stages.cache_clear()
    references.forget_schemas()


def _single(field: FieldSchema, joined: str) -> dict[str, Any]:
    """The model's own single reference: the joined document; a null key stays null (an
    Optional reference), a key whose document is gone is removed (parsing reports it)."""
    key = field.key_name
    found = {"$first": f"${joined}"}
    missing = {"$cond": [{"$eq": [f"${key}", None]}, None, "$$REMOVE"]}
    return {"$cond": [{"$gt": [{"$size": f"${joined}"}, 0]}, found, missing]}


def _find(joined: str) -> Any:
    """The joined document whose `_id` is the key (the key itself when there is none)."""

    def resolve(key: Any, level: int) -> Any:
        # A key whose document is gone stays (a null stays null): parsing names its place.
        candidate = f"j{level}"
        matches = {"$eq": [f"$${candidate}._id", key]}
        found = {"$filter": {"input": f"${joined}", "as": candidate, "cond": matches}}
        return {"$ifNull": [{"$first": found}, key]}

    return resolve


def _deep(marker: dict[str, Any]) -> Any:
    """A marker in place of a non-null key, where a cycle goes deeper than joined."""

    def resolve(key: Any, level: int) -> Any:
        return {"$cond": [{"$lte": [key, None]}, None, {**marker, TOO_DEEP: key}]}

    return resolve


def _rebuild(base: str, path: ReferencePath, resolve: Any) -> Any:
    """The new value of the path's first field, with `resolve(key)` in place of each key."""
    return _value(f"{base}{path.steps[0].key_name}", path.steps, resolve, 0)


def _value(current: str, steps: tuple[FieldSchema, ...], resolve: Any, level: int) -> Any:
    step, rest = steps[0], steps[1:]
    if not rest:
        if step.shape == "list":
            item = f"k{level}"
            return {"$map": {"input": current, "as": item, "in": resolve(f"$${item}", level)}}
        return resolve(current, level)
    inner = rest[0].key_name

    def merged(holder: str) -> Any:
        changed = {
            "$mergeObjects": [
                holder,
                {inner: _value(f"{holder}.{inner}", rest, resolve, level + 1)},
            ]
        }
        return {"$cond": [{"$eq": [{"$type": holder}, "object"]}, changed, holder]}

    if step.shape == "list":
        item = f"e{level}"
        return {"$map": {"input": current, "as": item, "in": merged(f"$${item}")}}
    return merged(current)


@dataclass(frozen=True)
class AcrossReferences:
    """A filter and a sort rewritten to read fields of referenced documents.

    Attributes:
        stages: the `$lookup` stages bringing the referenced documents under temporary keys.
        filter: the filter, its keys through references renamed to those keys.
        sort: the sort, renamed the same way (None: none).
        temporary: the temporary keys, to `$unset` once matched and sorted.
    """

    stages: list[dict[str, Any]]
    filter: dict[str, Any]
    sort: list[tuple[str, int]] | None
    temporary: list[str]


def across_references(
    schema: ModelSchema, filter_: dict[str, Any], sort: list[tuple[str, int]] | None
) -> AcrossReferences | None:
    """The lookups a filter or a sort needs to read fields of referenced documents
    (`Book.author.name == "x"` is the key `author_id.name`), or None when they need none.

    A list of references matches when any referenced document matches. Each `$lookup` joins on
    the referenced collection's `_id`, so its index is used.
    """
    renames: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    keys = list(_filter_keys(filter_)) + [key for key, _ in sort or []]
    for key in keys:
        _plan_key(schema, key, renames, stages)
    if not stages:
        return None
    new_sort = None if sort is None else [(_renamed(k, renames), d) for k, d in sort]
    return AcrossReferences(
        stages, _rename_filter(filter_, renames), new_sort, list(dict.fromkeys(renames.values()))
    )


def refuse_across_references(model: type[Any], filter_: dict[str, Any], what: str) -> None:
    """Refuse a filter reading fields of referenced documents where no lookup is made.

    Raises:
        TypeError: the filter goes through a reference (`Book.author.name`), naming the
            operation and the key: only `find`, `find_one` and `count` look documents up.
    """
    schema: ModelSchema = model.__odmantic_schema__
    if not references.has_references(schema):
        return
    across = across_references(schema, filter_, None)
    if across is not None:
        crossing = next(k for k in _filter_keys(filter_) if _crosses(schema, k))
        raise TypeError(
            f"{what}({model.__name__}): the query reads {crossing!r} through a reference; only "
            f"find, find_one and count look referenced documents up. Find the documents first "
            f"(their ids), then {what} by id"
        )


def _crosses(schema: ModelSchema, key: str) -> bool:
    stages: list[dict[str, Any]] = []
    _plan_key(schema, key, {}, stages)
    return bool(stages)


def _filter_keys(filter_: Any) -> Iterator[str]:
    if isinstance(filter_, dict):
        for key, value in filter_.items():
            if key in ("$and", "$or", "$nor") and isinstance(value, (list, tuple)):
                for item in value:
                    yield from _filter_keys(item)
            elif not key.startswith("$"):
                yield key


def _plan_key(
    schema: ModelSchema, key: str, renames: dict[str, str], stages: list[dict[str, Any]]
) -> None:
    """Add the lookups `key` goes through (one per reference on its path, nested ones from
    the temporary key of the previous)."""
    base, parts = "", key.split(".")
    current: ModelSchema | None = schema
    index = 0
    while index < len(parts) and current is not None:
        field = next((f for f in current.fields.values() if f.key_name == parts[index]), None)
        if field is None:
            return
        local = f"{base}.{'.'.join(parts[: index + 1])}" if base else ".".join(parts[: index + 1])
        if field.kind == "reference" and index + 1 < len(parts) and field.target is not None:
            target = field.target
            if local not in renames:
                renames[local] = f"__odm_across_{len(renames)}"
                assert target.collection is not None
                stages.append(
                    {
                        "$lookup": {
                            "from": target.collection,
                            "localField": local,
                            "foreignField": "_id",
                            "as": renames[local],
                        }
                    }
                )
            base, parts, index, current = renames[local], parts[index + 1 :], 0, target
            continue
        current = field.target if field.kind == "embedded" else None
        index += 1


def _renamed(key: str, renames: dict[str, str]) -> str:
    """`key` with its longest renamed prefixes replaced, again and again."""
    changed = True
    while changed:
        changed = False
        for local, temporary in sorted(renames.items(), key=lambda item: -len(item[0])):
            if key.startswith(local + "."):
                key, changed = temporary + key[len(local) :], True
                break
    return key


def _rename_filter(filter_: Any, renames: dict[str, str]) -> Any:
    if isinstance(filter_, dict):
        renamed: dict[str, Any] = {}
        for key, value in filter_.items():
            if key in ("$and", "$or", "$nor") and isinstance(value, (list, tuple)):
                renamed[key] = [_rename_filter(item, renames) for item in value]
            elif key.startswith("$"):
                renamed[key] = value
            else:
                renamed[_renamed(key, renames)] = value
        return renamed
    return filter_


__all__ = [
    "lookup_stages",
    "forget_schemas",
    "AcrossReferences",
    "across_references",
    "refuse_across_references",
]
