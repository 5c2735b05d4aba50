"""The schema of a model class: what engines, queries, references and indexes read (no I/O).

Each `Model` and `EmbeddedModel` class gets one frozen `ModelSchema` when it is created
(`Player.__odmantic_schema__`); nothing else describes the fields to the rest of odmantic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

FieldKind = Literal["plain", "embedded", "reference"]
"""How a field is stored: a plain value, an embedded document, or a referenced primary key."""

Shape = Literal["one", "list", "tuple", "dict"]
"""How an embedded model appears in its field: alone, in a list, in another collection (a tuple,
a set: stored as an array, dumped as a list), or as dict values."""

IndexFactory = Callable[[], Iterable[Any]]
"""`model_config["indexes"]`: returns `odmantic.Index` or `pymongo.IndexModel` objects."""


@dataclass(frozen=True, slots=True, eq=False)
class FieldSchema:
    """One field of a model, computed once at class creation.

    Attributes:
        name: the Python attribute name.
        key_name: the key of the field in the MongoDB document (`_id` for the primary field).
        kind: "plain", "embedded" (an EmbeddedModel, possibly in a list or Optional) or
            "reference" (another Model, stored as its primary key).
        shape: for an embedded field, whether it holds one model, a list or a dict of them.
        target: the schema of the embedded or referenced model, if any.
        primary: this field is the primary key.
        index, unique: index options for `configure_database`.
        mutable: values can change in place (lists, dicts, embedded models): always saved.
        annotation: the field's type (query values are validated with it).
        has_default: the field has a plain default value (documents may lack its key).
        constraints: pydantic's metadata of the field (constraints such as `ge=0`, BSON
            markers): update values are validated with them.
        lazy: a reference declared `Lazy[Model]`: never joined.
        optional: the field accepts None.
        on_delete: a reference's delete rule ("nothing", "deny", "cascade", "nullify", "pull").
        depth: a reference's own limit of joined levels through cycles (None: the engine's).
        reference_index: `configure_database` indexes the reference's key.
        revision: the model's revision field (`Field(revision=True)`).
    """

    name: str
    key_name: str
    kind: FieldKind = "plain"
    shape: Shape = "one"
    target: ModelSchema | None = None
    primary: bool = False
    index: bool = False
    unique: bool = False
    mutable: bool = False
    annotation: object = None
    constraints: tuple[object, ...] = ()
    has_default: bool = False
    lazy: bool = False
    optional: bool = False
    on_delete: str = "nothing"
    depth: int | None = None
    reference_index: bool = True
    revision: bool = False

    @property
    def reshaped(self) -> bool:
        """Whether the dump of this field is reshaped for MongoDB: renamed to its key name,
        names inside it renamed, a collection of embedded models turned into a list, or a
        referenced instance turned into its primary key (in an embedded model: a `Model`
        dumps its own references apart)."""
        if self.kind == "reference":
            return True
        if self.kind == "embedded" and (
            self.shape == "tuple" or (self.target is not None and self.target.reshaped)
        ):
            return True
        return self.key_name != self.name


def _reshaped(fields: tuple[FieldSchema, ...]) -> tuple[FieldSchema, ...]:
    """The fields whose dump is reshaped, the primary key last: documents keep pydantic's
    order, where a generated `id` comes last (as ODMantic 1.1 stores it)."""
    return tuple(sorted((f for f in fields if f.reshaped), key=lambda f: f.primary))


@dataclass(frozen=True, slots=True, eq=False)
class ModelSchema:
    """The typed description of one model class.

    Attributes:
        name: the model class name, for messages.
        collection: the collection name, None for an EmbeddedModel.
        fields: every field, by Python name, in declaration order.
        indexes: the `model_config["indexes"]` factory, if any.
        parse_doc_with_default_factories: build missing default-factory fields when parsing.
        primary: the primary field (None for an EmbeddedModel).
        references: the fields holding a `Reference()`.
        reference_names: their Python names.
        mutable: names of the fields whose values can change in place.
        required: fields a stored document must hold (the primary key, and default-factory
            fields unless `parse_doc_with_default_factories`).
        required_keys: their key names.
        extra_allowed: `extra="allow"`: keys that are not fields are kept as extras.
        copy_on_load: loaded values may be shared with the instance (extras, types holding
            `Any`, here or in an embedded model): the stored snapshot is a copy.
        free_keys: documents can hold keys chosen at run time (extras, dict fields, embedded
            models that can): they are checked before a write.
        reshaped: fields whose dump is reshaped for MongoDB (see `FieldSchema.reshaped`).
        revision: the revision field, if the model has one.
        discriminator: in a polymorphic collection, the discriminator's key and this class's
            value (`("_t", "Car")`).
        family: in a polymorphic collection, the root's schema (None for the root).
        shard_key: the fields of the shard key (`model_config["shard_key"]`), each with its
            kind (1 or "hashed"); empty for an unsharded model.
        pre_images: `model_config["change_stream_pre_images"]`: `configure_database` enables
            change stream pre- and post-images on the collection.
    """

    name: str
    collection: str | None
    fields: Mapping[str, FieldSchema]
    indexes: IndexFactory | None = None
    parse_doc_with_default_factories: bool = False
    default_factory_fields: frozenset[str] = frozenset()
    extra_allowed: bool = False
    copy_on_load: bool = False
    free_keys: bool = False
    discriminator: tuple[str, str] | None = None
    family: ModelSchema | None = None
    shard_key: tuple[tuple[FieldSchema, Literal[1, "hashed"]], ...] = ()
    pre_images: bool = False
    primary: FieldSchema | None = field(init=False)
    references: tuple[FieldSchema, ...] = field(init=False)
    reference_names: frozenset[str] = field(init=False)
    mutable: frozenset[str] = field(init=False)
    required: tuple[FieldSchema, ...] = field(init=False)
    required_keys: frozenset[str] = field(init=False)
    reshaped: tuple[FieldSchema, ...] = field(init=False)
    revision: FieldSchema | None = field(init=False)

    def __post_init__(self) -> None:
        fields = tuple(self.fields.values())
        references = tuple(f for f in fields if f.kind == "reference")
        primary = next((f for f in fields if f.primary), None)
        required = [f for f in fields if f.primary]
        if not self.parse_doc_with_default_factories:
            required += [
                f for f in fields if f.name in self.default_factory_fields and not f.primary
            ]
        derived = {
            "fields": MappingProxyType(dict(self.fields)),
            "primary": primary,
            "references": references,
            "reference_names": frozenset(f.name for f in references),
            "mutable": frozenset(f.name for f in fields if f.mutable),
            "required": tuple(required),
            "required_keys": frozenset(f.key_name for f in required),
            "reshaped": _reshaped(fields),
            "revision": next((f for f in fields if f.revision), None),
        }
        for attr, value in derived.items():
            object.__setattr__(self, attr, value)

    def link_self_references(self, names: Iterable[str]) -> None:
        """Point the fields `names`, annotated with the class being built, at this schema.

        Only the class builder calls this, before the schema is published.
        """
        for name in names:
            object.__setattr__(self.fields[name], "target", self)
        object.__setattr__(self, "reshaped", _reshaped(tuple(self.fields.values())))

    def resolve_field(self, name: str, resolved: FieldSchema) -> None:
        """Complete the field `name`, declared with a model that was not defined yet (a
        forward reference), from its schema computed once that model exists.

        Only the class builder calls this (when a later class makes the annotation resolvable).
        """
        field = self.fields[name]
        for attr in FieldSchema.__slots__:
            object.__setattr__(field, attr, getattr(resolved, attr))
        if field.kind != "plain" and field.target is None:
            object.__setattr__(field, "target", self)  # the class itself
        self.__post_init__()

    @property
    def is_embedded(self) -> bool:
        """Whether this is an EmbeddedModel (no collection, no primary key)."""
        return self.collection is None

    def __repr__(self) -> str:
        where = "embedded" if self.collection is None else f"collection={self.collection!r}"
        return f"ModelSchema({self.name}, {where}, fields={list(self.fields)})"


def schema_of(value: object) -> ModelSchema | None:
    """The schema of a model class, or None when `value` is not one."""
    if not isinstance(value, type):
        return None
    schema = getattr(value, "__odmantic_schema__", None)
    return schema if isinstance(schema, ModelSchema) else None


def walk(
    schema: ModelSchema, path: str, *, through_lists: bool = False
) -> tuple[FieldSchema, ...] | None:
    """The fields that the dotted key path `path` goes through in documents of `schema`, or
    None when it is no field's path (or goes through a list or a dict of embedded models,
    unless `through_lists`: MongoDB reads, but cannot update, the items that way)."""
    return _walk(schema, path, through_lists)


@lru_cache(maxsize=4096)
def _walk(schema: ModelSchema, path: str, through_lists: bool) -> tuple[FieldSchema, ...] | None:
    fields: list[FieldSchema] = []
    current: ModelSchema | None = schema
    for key in path.split("."):
        if current is None:
            return None
        found = next((f for f in current.fields.values() if f.key_name == key), None)
        if found is None:
            return None
        fields.append(found)
        through = found.shape == "one" or (through_lists and found.shape in ("list", "tuple"))
        current = found.target if found.kind == "embedded" and through else None
    return tuple(fields)


def same_fields(fields: Sequence[FieldSchema] | None, others: Sequence[FieldSchema] | None) -> bool:
    """Whether two paths' fields (`walk` results) store the same: true for a path of a parent
    class that a subclass inherits unchanged."""

    def signature(found: Sequence[FieldSchema] | None) -> list[tuple[object, ...]] | None:
        if found is None:
            return None
        return [
            (f.name, f.key_name, f.kind, f.shape, f.target, f.annotation, f.constraints)
            for f in found
        ]

    return signature(fields) == signature(others)


def paths_overlap(path: str, other: str) -> bool:
    """Whether two dotted key paths are the same or one is inside the other (MongoDB refuses
    to write both in one update)."""
    return path == other or path.startswith(other + ".") or other.startswith(path + ".")


def foreign_path(
    model: type[Any], origin: ModelSchema, path: str, *, through_lists: bool = False
) -> Literal["another model", "redefined"] | None:
    """Why `path`, taken from a field proxy of `origin`, is not a path of `model`'s documents:
    `origin` is another model, or a parent class whose field on that path `model` redefines;
    None when it is `model`'s (or inherited unchanged)."""
    schema: ModelSchema = model.__odmantic_schema__
    if origin is schema:
        return None
    if schema.discriminator is not None and (origin.family or origin) is (schema.family or schema):
        return None  # a subclass's field, in the collection they share (`Car.doors` on `Vehicle`)
    if origin not in [getattr(base, "__odmantic_schema__", None) for base in model.__mro__]:
        return "another model"
    inherited = walk(origin, path, through_lists=through_lists)
    if not same_fields(walk(schema, path, through_lists=through_lists), inherited):
        return "redefined"
    return None


def model_class_in(annotation: Any, schema: ModelSchema) -> type[Any] | None:
    """The model class of `schema` inside `annotation` (`Optional[Addr]` -> `Addr`), if any."""
    if getattr(annotation, "__odmantic_schema__", None) is schema:
        return cast("type[Any]", annotation)
    for argument in get_args(annotation):
        found = model_class_in(argument, schema)
        if found is not None:
            return found
    return None


__all__ = [
    "FieldKind",
    "Shape",
    "IndexFactory",
    "FieldSchema",
    "ModelSchema",
    "schema_of",
    "walk",
    "same_fields",
    "paths_overlap",
    "foreign_path",
    "model_class_in",
]
