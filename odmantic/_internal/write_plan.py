"""What a save or an insert sends for each instance, worked out without I/O.

An instance loaded or saved remembers the document it stored (`Model.__odmantic_stored_document__`);
saving it again sends `$set`/`$unset` for exactly the paths that changed (down to embedded
fields) and `$push` for lists that only grew, so other writers' changes to the rest of the
document survive. A new instance is inserted (or upserted by primary key) in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic_core import PydanticSerializationError
from pymongo import InsertOne, UpdateOne

from odmantic._internal.document import check_keys
from odmantic._internal.references import has_references, referenced_instances
from odmantic._internal.schema import ModelSchema
from odmantic._internal.sharding import target
from odmantic.exceptions import DocumentWriteError

if TYPE_CHECKING:
    from odmantic.model import Model

_MISSING = object()

Mode = Literal["save", "insert"]
"""`save`: upsert by primary key; `insert`: refuse a primary key that is already stored."""


@dataclass(frozen=True, slots=True)
class Write:
    """One instance's write.

    Attributes:
        instance: the instance written.
        document: its full document (stored as its new snapshot once written).
        update: the update document for a stored instance, None to write `document` whole.
        insert_if_missing: send `update` as an upsert (the fields chosen through 1.1's
            `__fields_modified__` of an instance never stored: a missing document is not one
            deleted meanwhile).
    """

    instance: Model
    document: dict[str, Any]
    update: dict[str, Any] | None
    insert_if_missing: bool = False
    stored: dict[str, Any] | None = None
    revision: tuple[str, int | None] | None = None
    """A revisioned stored instance: the revision field's key and the revision it was loaded
    with (the update only applies if the stored one is still that; `$inc` adds one)."""
    target: dict[str, Any] | None = None
    """A sharded model's instance: `_id` and the stored shard key values (see `where`)."""

    @property
    def where(self) -> dict[str, Any]:
        """The filter of the document: its `_id`, and its shard key on a sharded model."""
        return {"_id": self.document["_id"]} if self.target is None else self.target

    @property
    def filter(self) -> dict[str, Any]:
        """The filter of the document written: `where` (and its expected revision)."""
        if self.revision is None:
            return self.where
        key, expected = self.revision
        return {**self.where, key: expected}

    def done(self) -> None:
        """The write happened: the instance holds its new revision and is stored as written."""
        schema = type(self.instance).__odmantic_schema__
        if schema.revision is not None:
            revised = self.document.get(schema.revision.key_name)
            object.__setattr__(self.instance, schema.revision.name, revised)  # not a change
        self.instance.__odmantic_mark_stored__(self.stored_after)

    @property
    def stored_after(self) -> dict[str, Any]:
        """The document stored once this write is done (the instance's new snapshot): the whole
        document, except after a write of chosen fields only."""
        return self.document if self.stored is None else self.stored

    @property
    def key(self) -> Any:
        """The primary key (`_id`) of the document."""
        return self.document["_id"]

    def idempotent(self) -> Write:
        """The same write, safe to send twice: lists that grew are `$set` whole, not pushed."""
        if self.update is None or "$push" not in self.update:
            return self
        update = {k: v for k, v in self.update.items() if k != "$push"}
        sets = dict(update.get("$set", {}))
        for path in self.update["$push"]:
            value: Any = self.document
            for part in path.split("."):
                value = value[part]
            sets[path] = value
        update["$set"] = sets
        return replace(self, update=update)

    def upsert(self) -> dict[str, Any]:
        """The update writing the whole document over whatever has its `_id` (also how a
        document deleted meanwhile by another writer is written again). A revision is
        incremented, never set: it must not go back for the instances loaded before."""
        rest = {k: v for k, v in self.document.items() if k != "_id"}
        revision = type(self.instance).__odmantic_schema__.revision
        if revision is not None:
            rest.pop(revision.key_name, None)
            update: dict[str, Any] = {"$inc": {revision.key_name: 1}}
            if rest:
                update["$set"] = rest
            return update
        return {"$set": rest} if rest else {"$setOnInsert": {"_id": self.key}}

    def as_upsert(self) -> Write:
        """The same write, sent as an upsert of the whole document."""
        return Write(
            self.instance, self.document, self.upsert(), insert_if_missing=True, target=self.target
        )

    def operation(self, mode: Mode, in_transaction: bool) -> InsertOne[Any] | UpdateOne:
        """This write as one operation of a bulk write.

        A new document is inserted, except when saving inside a transaction: there it is an
        upsert, since a clash on its `_id` would abort the whole transaction (outside one, the
        clashing inserts are sent again as upserts).
        """
        if self.update is not None:
            return UpdateOne(self.filter, self.update, upsert=self.insert_if_missing)
        if mode == "insert" or not in_transaction:
            return InsertOne(self.document)
        return UpdateOne(self.where, self.upsert(), upsert=True)

    def is_upsert(self, mode: Mode, in_transaction: bool) -> bool:
        """Whether `operation(mode, in_transaction)` is an upsert."""
        if self.update is not None:
            return self.insert_if_missing
        return mode == "save" and in_transaction


@dataclass(frozen=True, slots=True)
class Batch:
    """The writes of one model at one reference depth: one driver call, or one bulk write.

    Attributes:
        model: the model whose collection is written.
        writes: what to send, one per instance.
        mode: how new documents are written.
        bulk: send one bulk write (else the single write is sent alone).
    """

    model: type[Model]
    writes: list[Write]
    mode: Mode
    bulk: bool


@dataclass(frozen=True)
class SavePlan:
    """What saving (or inserting) instances writes: the instances and every instance they
    reference, deepest references first, one batch per model and depth."""

    levels: list[list[Model]]
    mode: Mode
    given: int

    @property
    def instances(self) -> list[Model]:
        """Every instance written (given or referenced)."""
        return [instance for level in self.levels for instance in level]

    def without(self, cancelled: AbstractSet[int]) -> SavePlan:
        """This plan without the instances whose `id()` is in `cancelled` (a hook refused
        them), nor those referencing one of them (their reference would point to nothing)."""
        out = set(cancelled)
        levels = []
        for level in self.levels:  # deepest first: what an instance references is decided
            kept = []
            for instance in level:
                if id(instance) in out or any(id(r) in out for r in referenced_instances(instance)):
                    out.add(id(instance))
                else:
                    kept.append(instance)
            levels.append(kept)
        return SavePlan([level for level in levels if level], self.mode, self.given)

    def saved(self) -> list[Model]:
        """The instances stored as they are now (written, or with nothing to write)."""
        return [i for i in self.instances if i.__odmantic_modified__() == set()]

    def batches(self) -> Iterator[Batch]:
        """The batches in the order they are written, planned lazily (an instance is planned
        once what it references is written). Referenced instances are saved, never inserted."""
        last = len(self.levels) - 1
        for depth, level in enumerate(self.levels):
            mode: Mode = self.mode if depth == last else "save"
            by_model: dict[type[Model], list[Write]] = {}
            for instance in level:
                write = plan(instance, insert=mode == "insert")
                if write is not None:
                    by_model.setdefault(type(instance), []).append(write)
            for model, writes in by_model.items():
                yield Batch(model, writes, mode, bulk=len(writes) > 1 or self.given > 1)


def plan_saves(instances: Sequence[Model], mode: Mode) -> SavePlan:
    """The plan of `engine.save_all(instances)` (or `insert_all`, with mode `insert`)."""
    return SavePlan(with_references(instances), mode, len(instances))


def plan(instance: Model, *, insert: bool = False) -> Write | None:
    """The write saving `instance` (inserting it, with `insert`), or None: nothing to save.

    Raises:
        DocumentWriteError: a field cannot be dumped for MongoDB (a Decimal of more than 34
            digits...), naming the field.
    """
    try:
        document = instance.model_dump_doc()
    except PydanticSerializationError as exc:
        raise DocumentWriteError([(instance, _undumpable(instance, exc))]) from exc
    schema = type(instance).__odmantic_schema__
    check_keys(schema, document, f"the instance with primary key {document.get('_id')!r}")
    stored = None if insert else instance.__odmantic_stored_document__()
    if schema.shard_key:  # checked unchanged even when nothing else is to be written
        where = target(type(instance), document, stored)
        write = _plan(instance, document, stored, insert)
        return None if write is None else replace(write, target=where)
    return _plan(instance, document, stored, insert)


def _plan(
    instance: Model, document: dict[str, Any], stored: dict[str, Any] | None, insert: bool
) -> Write | None:
    schema = type(instance).__odmantic_schema__
    if schema.revision is not None:
        return _revised(instance, document, stored, schema.revision.key_name)
    if insert:
        return Write(instance, document, None)
    if stored is None:
        modified = instance.__odmantic_fields_to_save__()
        if modified is None:
            return Write(instance, document, None)
        return _chosen(instance, document, modified, {"_id": document["_id"]})
    chosen = instance.__odmantic_chosen_fields__()
    if chosen is not None:  # 1.1's __fields_modified__ was changed: those fields, as 1.1 sends
        return _chosen(instance, document, chosen | schema.mutable, stored)
    update = changes(schema, document, stored)
    return Write(instance, document, update) if update else None


def instance_target(instance: Model) -> dict[str, Any]:
    """The filter of `instance`'s document: its `_id`, and on a sharded model the shard key
    as stored (as the instance holds it, for an instance never stored)."""
    if not type(instance).__odmantic_schema__.shard_key:
        return {"_id": instance.__odmantic_primary_key__()}
    stored = instance.__odmantic_stored_document__()
    return target(type(instance), stored or instance.model_dump_doc(), None)


def delete_filter(instance: Model) -> tuple[dict[str, Any], int | None]:
    """The filter deleting `instance`'s document, and the revision it expects (a loaded
    instance of a revisioned model deletes only the revision it was loaded with)."""
    revision = type(instance).__odmantic_schema__.revision
    stored = instance.__odmantic_stored_document__()
    filter_ = instance_target(instance)
    if revision is None or stored is None:
        return filter_, None
    expected = stored.get(revision.key_name)
    filter_[revision.key_name] = expected
    return filter_, expected


def _revised(
    instance: Model, document: dict[str, Any], stored: dict[str, Any] | None, key: str
) -> Write | None:
    """The write of a revisioned instance: a new one is written whole with revision 1; a stored
    one sends its changes, only if the stored revision is still the one it was loaded with,
    and increments it."""
    if stored is None:
        return Write(instance, {**document, key: 1}, None)
    expected = stored.get(key)  # None: stored before the model had a revision (filter: null)
    schema = type(instance).__odmantic_schema__
    update = changes(schema, {**document, key: expected}, {**stored, key: expected})
    if not update:
        return None
    update["$inc"] = {key: 1}
    revised = (expected or 0) + 1
    return Write(instance, {**document, key: revised}, update, revision=(key, expected))


def _chosen(
    instance: Model, document: dict[str, Any], fields: Iterable[str], stored: dict[str, Any]
) -> Write | None:
    """The write of the chosen `fields` as they are (an upsert, as ODMantic 1.1 sends it); the
    stored document is then `stored` with those values."""
    update = _partial_set(instance, document, fields)
    if update is None:
        return None
    after = {**stored, **update["$set"]}
    return Write(instance, document, update, insert_if_missing=True, stored=after)


def _undumpable(instance: Model, exc: PydanticSerializationError) -> str:
    for name in type(instance).__odmantic_schema__.fields:
        try:
            instance.model_dump_doc(include={name})
        except PydanticSerializationError as field_exc:
            return f"field {name!r} cannot be dumped for MongoDB: {field_exc}"
    return f"the instance cannot be dumped for MongoDB: {exc}"


def _partial_set(
    instance: Model, document: dict[str, Any], fields: Iterable[str]
) -> dict[str, Any] | None:
    """`$set` of `fields` only (an instance marked clean without a stored document)."""
    schema = type(instance).__odmantic_schema__
    keys = {schema.fields[name].key_name if name in schema.fields else name for name in fields}
    values = {k: v for k, v in document.items() if k in keys and k != "_id"}
    return {"$set": values} if values else None


def changes(
    schema: ModelSchema, document: dict[str, Any], stored: dict[str, Any]
) -> dict[str, Any]:
    """The update turning `stored` into `document` (empty when they are the same)."""
    sets: dict[str, Any] = {}
    unsets: dict[str, Any] = {}
    pushes: dict[str, Any] = {}
    _diff(schema, document, stored, "", sets, unsets, pushes)
    update: dict[str, Any] = {}
    if sets:
        update["$set"] = sets
    if unsets:
        update["$unset"] = unsets
    if pushes:
        update["$push"] = pushes
    return update


def _diff(
    schema: ModelSchema | None,
    new: dict[str, Any],
    old: dict[str, Any],
    prefix: str,
    sets: dict[str, Any],
    unsets: dict[str, Any],
    pushes: dict[str, Any],
) -> None:
    fields = {} if schema is None else {f.key_name: f for f in schema.fields.values()}
    for key, value in new.items():
        if key == "_id" and not prefix:
            continue
        before = old.get(key, _MISSING)
        if before is not _MISSING and same(before, value):
            continue
        path = prefix + key
        field = fields.get(key)
        if (
            field is not None
            and field.kind == "embedded"
            and field.shape == "one"
            and isinstance(value, dict)
            and isinstance(before, dict)
        ):
            _diff(field.target, value, before, path + ".", sets, unsets, pushes)
        elif _appended(before, value):
            pushes[path] = {"$each": value[len(before) :]}
        else:
            sets[path] = value
    if schema is not None and schema.extra_allowed:
        for key in old.keys() - new.keys():
            if key not in fields and not (key == "_id" and not prefix):
                unsets[prefix + key] = ""


def _appended(before: Any, value: Any) -> bool:
    """Whether the list `value` is the list `before` with items added at its end."""
    return (
        isinstance(before, list)
        and isinstance(value, (list, tuple))
        and 0 < len(before) < len(value)
        and same(before, value[: len(before)])
    )


def same(a: Any, b: Any) -> bool:
    """Whether two BSON values are stored the same (lists equal tuples, a bool is not an int)."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same(value, b[key]) for key, value in a.items())
        )
    if isinstance(a, (list, tuple)):
        return (
            isinstance(b, (list, tuple))
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, bool) is not isinstance(b, bool) or isinstance(b, (dict, list, tuple)):
        return False
    return bool(a == b)


def with_references(instances: Iterable[Model]) -> list[list[Model]]:
    """Group `instances` and the instances they reference: deepest references first.

    An instance is written at the deepest level it is referenced from (given in the list and
    referenced by another one of it, it is written first); a cycle of instances referencing
    each other is not followed around again.
    """
    depth: dict[int, int] = {}
    found: dict[int, Model] = {}
    order: list[int] = []
    pending = [(instance, 0) for instance in instances]
    limit = len(pending)
    while pending:
        instance, level = pending.pop(0)
        key = id(instance)
        if key in depth and (depth[key] >= level or level > limit):
            continue
        if key not in depth:
            order.append(key)
            found[key] = instance
            limit += 1
        depth[key] = level
        if has_references(type(instance).__odmantic_schema__):
            pending.extend((ref, level + 1) for ref in referenced_instances(instance))
    levels: list[list[Model]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for key in order:
        levels[depth[key]].append(found[key])
    return [level for level in reversed(levels) if level]


__all__ = [
    "Mode",
    "Write",
    "Batch",
    "SavePlan",
    "plan",
    "plan_saves",
    "changes",
    "same",
    "with_references",
    "delete_filter",
    "instance_target",
]
