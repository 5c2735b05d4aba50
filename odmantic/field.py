"""`Field()`, the per-field ODM description, and the class-level field proxies used in queries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timezone
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import bson
from annotated_types import SupportsGe, SupportsGt, SupportsLe, SupportsLt
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from odmantic import query
from odmantic._internal.annotations import substitute_bson_types
from odmantic._internal.schema import FieldSchema, ModelSchema
from odmantic.bson import BSON_CONTEXT, ObjectId
from odmantic.query import QueryExpression, SortExpression, to_query_value


class ODMFieldInfo:
    """What `odmantic.Field()` returns: the ODM options plus the keyword arguments for pydantic."""

    __slots__ = ("key_name", "primary_field", "index", "unique", "pydantic_kwargs", "revision")

    def __init__(
        self,
        *,
        key_name: str | None,
        primary_field: bool,
        index: bool,
        unique: bool,
        pydantic_kwargs: dict[str, Any],
        revision: bool = False,
    ) -> None:
        self.key_name = key_name
        self.primary_field = primary_field
        self.index = index
        self.unique = unique
        self.pydantic_kwargs = pydantic_kwargs
        self.revision = revision


class ODMReferenceInfo:
    """What `odmantic.Reference()` returns: marks a field holding another Model."""

    __slots__ = ("key_name", "on_delete", "depth", "index", "defaults")

    def __init__(
        self,
        key_name: str | None,
        on_delete: str = "nothing",
        depth: int | None = None,
        index: bool = True,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        self.key_name = key_name
        self.on_delete = on_delete
        self.depth = depth
        self.index = index
        self.defaults = defaults or {}  # pydantic's `default` or `default_factory`


def Field(
    default: Any = PydanticUndefined,
    *,
    key_name: str | None = None,
    primary_field: bool = False,
    index: bool = False,
    unique: bool = False,
    default_factory: Callable[[], Any] | None = None,
    alias: str | None = None,
    title: str | None = None,
    description: str | None = None,
    json_schema_extra: dict[str, Any] | None = None,
    const: bool | None = None,
    gt: SupportsGt | None = None,
    ge: SupportsGe | None = None,
    lt: SupportsLt | None = None,
    le: SupportsLe | None = None,
    multiple_of: float | None = None,
    min_items: int | None = None,
    max_items: int | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    regex: str | None = None,
    examples: list[Any] | None = None,
    revision: bool = False,
) -> Any:
    """Describe a model field: its document key, indexes and validation constraints.

    Args:
        default: the default value (a field without default is required).
        key_name: the key of the field in the MongoDB document (default: the field name).
        primary_field: this field is the primary key, stored as `_id`.
        index: create an index on this field in `configure_database`.
        unique: create a unique index on this field in `configure_database`.
        default_factory: callable building the default value.
        alias: a pydantic alias for validation and serialization (distinct from `key_name`).
        title: JSON schema title (also `description`, `json_schema_extra`, `examples`).
        const: the value must always equal the default.
        gt: the value must be greater than this.
        ge: the value must be greater than or equal to this.
        lt: the value must be less than this.
        le: the value must be less than or equal to this.
        multiple_of: the value must be a multiple of this.
        min_items: the least number of items of a collection field.
        max_items: the most items of a collection field.
        min_length: the least length of a str (or collection) field.
        max_length: the most length of a str (or collection) field.
        regex: pattern a str field must match.
        revision: this int field is the model's revision (one per model): every write through
            the engine increments it, and `save`/`delete` of a loaded instance only write if
            the stored revision is still the one loaded (else `RevisionConflictError`).

    Raises:
        ValueError: `key_name="_id"` without `primary_field=True`, or a primary field with
            another key name.
        TypeError: both `default` and `default_factory`, or `const=True` without a default.

    Example:
        ```python
        class Player(Model):
            name: str = Field(key_name="n", min_length=1)
            level: int = Field(default=0, ge=0, index=True)
        ```
    """
    if key_name == "_id" and not primary_field:
        raise ValueError("cannot specify key_name='_id' without defining the field as primary")
    if primary_field and key_name not in (None, "_id"):
        raise ValueError(
            f"cannot specify a primary field with a custom key_name,key_name='_id' enforced "
            f"(got {key_name!r})"
        )
    if default is Ellipsis:  # `Field(...)`: required, as pydantic and ODMantic 1.1 read it
        default = PydanticUndefined
    if default is not PydanticUndefined and default_factory is not None:
        raise TypeError("Field(): cannot specify both default and default_factory")
    if const and default is PydanticUndefined:
        raise TypeError("Field(const=True) needs a default value")
    kwargs: dict[str, Any] = {
        "default": default,
        "default_factory": default_factory,
        "alias": alias,
        "title": title,
        "description": description,
        "json_schema_extra": json_schema_extra,
        "gt": gt,
        "ge": ge,
        "lt": lt,
        "le": le,
        "multiple_of": multiple_of,
        "min_length": min_length if min_length is not None else min_items,
        "max_length": max_length if max_length is not None else max_items,
        "pattern": regex,
        "examples": examples,
    }
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k == "default"}
    if const:
        kwargs["_const"] = True
    return ODMFieldInfo(
        key_name=key_name,
        primary_field=primary_field,
        index=index,
        unique=unique,
        pydantic_kwargs=kwargs,
        revision=revision,
    )


ODMField = FieldSchema
"""The schema of one field (the name ODMantic 1.1 code imports)."""


class KeyName(str):
    """A document key path; `+KeyName` gives the `"$key"` form used in aggregation pipelines."""

    __slots__ = ()

    def __pos__(self) -> str:
        return "$" + self


class FieldProxy:
    """Class-level access to a field (`Player.name`): builds queries and sort expressions."""

    __slots__ = ("_path", "_field", "_owner", "_root")

    def __init__(
        self, path: str, field: FieldSchema, owner: ModelSchema, root: ModelSchema | None = None
    ) -> None:
        self._path = path
        self._field = field
        self._owner = owner
        self._root = owner if root is None else root

    def __odmantic_root_schema__(self) -> ModelSchema:
        """The schema of the model this path starts from (`Player` for `Player.addr.city`)."""
        return self._root

    def __pos__(self) -> KeyName:
        return KeyName(self._path)

    def __odmantic_may_be_absent__(self) -> bool:
        """Whether documents may lack this field's key (it has a plain default)."""
        return self._field.has_default

    def __odmantic_parse_stored__(self, value: Any) -> Any:
        """A value stored in this field (or one item of a list field), as the model holds it.

        Raises:
            TypeError: the value is not one of the field's type, naming the field.
        """
        errors = []
        for adapter in _adapters(self._field):
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                errors.append(exc.errors(include_url=False)[0]["msg"])
        raise TypeError(
            f"{self._owner.name}.{self._field.name}: stored value {value!r} does not validate "
            f"({errors[0]})"
        )

    def __odmantic_holds_set__(self) -> bool:
        """Whether the field holds a set (stored as an array of unique items)."""
        from odmantic._internal.annotations import alternatives

        return any(
            isinstance(origin, type) and issubclass(origin, (set, frozenset))
            for origin in (get_origin(a) or a for a in alternatives(self._field.annotation))
        )

    def __odmantic_is_collection__(self) -> bool:
        """Whether the field holds a list (or a set, a tuple) of items."""
        return len(_adapters(self._field)) > 1

    def __odmantic_holds_datetime__(self) -> bool:
        """Whether the field holds a datetime (`$currentDate` can set it)."""
        adapter = _adapters(self._field)[0]
        for now in (datetime.now(timezone.utc), datetime.now()):
            try:
                valid = adapter.validate_python(now)
            except ValidationError:
                continue
            return isinstance(valid, datetime)
        return False

    def __odmantic_update_value__(self, value: Any, how: UpdateValue) -> Any:
        """`value` as an update operator stores it in this field.

        `how`: "field" validates it as the field, constraints included (`$set`, `$min`...);
        "number" as the field's type without constraints (`$inc`, `$mul`); "item" as one item
        of a list field (`$push`, `$addToSet`, `$pull`).

        Raises:
            ValueError: the value does not validate, naming the field.
        """
        field = self._field
        if field.kind == "reference":
            return self._reference_value(value, how)
        adapters = _adapters(field)
        if how == "field":
            adapter = _constrained_adapter(field)
        elif how == "number":
            adapter = adapters[0]
        elif len(adapters) > 1:
            adapter = adapters[1]
        else:
            raise ValueError(f"{self._owner.name}.{field.name} is not a list: it has no items")
        try:
            valid = adapter.validate_python(value)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"]
            raise ValueError(
                f"{self._owner.name}.{field.name}: {value!r} is not a valid value ({reason})"
            ) from None
        if field.kind == "embedded":
            return to_query_value(valid)
        return adapter.dump_python(valid, mode="python", context=BSON_CONTEXT)

    def _reference_value(self, value: Any, how: UpdateValue) -> Any:
        """The primary key of `value`, an instance of the referenced model (or of one of its
        subclasses), or that key; for a list of references set whole, the list of keys."""
        field, where = self._field, f"{self._owner.name}.{self._field.name}"
        target = field.target
        assert target is not None and target.primary is not None
        is_list = field.shape == "list"
        if how == "number" or (how == "item" and not is_list):
            what = "a list" if how == "item" else "a number"
            raise ValueError(f"{where} is a reference to {target.name}, not {what}")
        if value is None and how == "field":
            if type(None) in get_args(field.annotation):
                return None
            raise ValueError(f"{where}: None is not a valid value (the reference is required)")
        if how == "field" and is_list:
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{where}: {value!r} is not a list of {target.name} instances")
            return [self._reference_key(item, where) for item in value]
        return self._reference_key(value, where)

    def _reference_key(self, value: Any, where: str) -> Any:
        target = self._field.target
        assert target is not None and target.primary is not None
        if any(cls.__dict__.get("__odmantic_schema__") is target for cls in type(value).__mro__):
            return to_query_value(getattr(value, target.primary.name))
        adapter = _adapters(target.primary)[0]
        try:
            key = adapter.validate_python(value)
        except ValidationError:
            raise ValueError(
                f"{where}: {value!r} is not a valid value (a {target.name} instance, or its "
                f"{target.primary.name}, is expected)"
            ) from None
        return adapter.dump_python(key, mode="python", context=BSON_CONTEXT)

    def __odmantic_query_value__(self, value: Any) -> Any:
        """`value` as this field stores it: validated by the field's type (or, for a list
        field, its items' type), then dumped for MongoDB.

        Raises:
            TypeError: the value is not one of the field's type, naming the field.
        """
        field = self._field
        if field.kind == "reference" or value is None:
            return to_query_value(value)
        annotation = field.annotation
        if isinstance(annotation, type) and type(value) is _KEPT_AS_IS.get(annotation):
            return value  # validating and dumping it would give it back as it is
        errors = []
        for adapter in _adapters(field):
            try:
                valid = adapter.validate_python(value)
            except ValidationError as exc:
                errors.append(exc.errors(include_url=False)[0]["msg"])
                continue
            if field.kind == "embedded":
                return to_query_value(valid)
            return adapter.dump_python(valid, mode="python", context=BSON_CONTEXT)
        raise TypeError(
            f"{self._owner.name}.{field.name}: {value!r} cannot be compared with this field "
            f"({errors[0]})"
        )

    def __repr__(self) -> str:
        return f"FieldProxy({self._owner.name}.{self._field.name} -> {self._path!r})"

    def __odmantic_through__(self, inner: FieldProxy) -> FieldProxy:
        """`inner`, a field proxy of the model this reference points to, read through it.

        Raises:
            TypeError: this is no reference, or `inner` is not a field of its model.
        """
        field = self._field
        if field.kind != "reference" or not isinstance(inner, FieldProxy):
            raise TypeError(
                f"through() takes a reference field, then a field of the model it references; "
                f"got {self!r} and {inner!r}"
            )
        if inner._root is not field.target:
            target = field.target.name if field.target is not None else "another model"
            raise TypeError(
                f"through({self._owner.name}.{field.name}, ...): {inner!r} is not a field of "
                f"{target}, the model it references"
            )
        proxy = ReferenceProxy if inner._field.kind == "reference" else FieldProxy
        return proxy(f"{self._path}.{inner._path}", inner._field, inner._owner, self._root)

    def __getattr__(self, name: str) -> FieldProxy:
        if name.startswith("__"):
            raise AttributeError(name)
        field = self._field
        if field.kind == "reference":
            return _through_reference(self._path, field, self._owner, self._root, name)
        if field.kind != "embedded" or field.target is None:
            raise AttributeError(
                f"operator {name} not allowed for ODMField fields: {self._owner.name}."
                f"{field.name} is not an embedded model, it has no sub-field {name!r}"
            )
        sub = field.target.fields.get(name)
        if sub is None:
            raise AttributeError(
                f"attribute {name} not found in {field.target.name}: {field.target.name} has no "
                f"field {name!r}"
            )
        return FieldProxy(f"{self._path}.{sub.key_name}", sub, field.target, self._root)

    def eq(self, value: Any) -> QueryExpression:
        """Documents whose field equals `value` (`$eq`).

        Examples:
            >>> Player.name.eq("Leeroy")
            QueryExpression({'name': {'$eq': 'Leeroy'}})
        """
        return query.eq(self, value)

    def ne(self, value: Any) -> QueryExpression:
        """Documents whose field differs from `value` (`$ne`).

        Examples:
            >>> Player.name.ne("Leeroy")
            QueryExpression({'name': {'$ne': 'Leeroy'}})
        """
        return query.ne(self, value)

    def gt(self, value: Any) -> QueryExpression:
        """Documents whose field is greater than `value` (`$gt`).

        Examples:
            >>> Player.level.gt(10)
            QueryExpression({'level': {'$gt': 10}})
        """
        return query.gt(self, value)

    def gte(self, value: Any) -> QueryExpression:
        """Documents whose field is greater than or equal to `value` (`$gte`).

        Examples:
            >>> Player.level.gte(10)
            QueryExpression({'level': {'$gte': 10}})
        """
        return query.gte(self, value)

    def lt(self, value: Any) -> QueryExpression:
        """Documents whose field is less than `value` (`$lt`).

        Examples:
            >>> Player.level.lt(10)
            QueryExpression({'level': {'$lt': 10}})
        """
        return query.lt(self, value)

    def lte(self, value: Any) -> QueryExpression:
        """Documents whose field is less than or equal to `value` (`$lte`).

        Examples:
            >>> Player.level.lte(10)
            QueryExpression({'level': {'$lte': 10}})
        """
        return query.lte(self, value)

    def in_(self, value: Iterable[Any]) -> QueryExpression:
        """Documents whose field is one of the values of `value` (`$in`).

        Examples:
            >>> Player.name.in_(["Leeroy", "Jaina"])
            QueryExpression({'name': {'$in': ['Leeroy', 'Jaina']}})
        """
        return query.in_(self, value)

    def not_in(self, value: Iterable[Any]) -> QueryExpression:
        """Documents whose field is none of the values of `value` (`$nin`).

        Examples:
            >>> Player.level.not_in([0, 1])
            QueryExpression({'level': {'$nin': [0, 1]}})
        """
        return query.not_in(self, value)

    def match(self, pattern: str | re.Pattern[str]) -> QueryExpression:
        """Documents whose str field matches the regular expression `pattern` (`$regex`).

        Examples:
            >>> Player.name.match("^Le")
            QueryExpression({'name': {'$regex': '^Le'}})
        """
        return query.match(self, pattern)

    def exists(self, present: bool = True) -> QueryExpression:
        """Documents where the key is present (or absent with `False`) (`$exists`).

        Examples:
            >>> Player.nickname.exists()
            QueryExpression({'nickname': {'$exists': True}})
        """
        return query.exists(self, present)

    def all_(self, values: Sequence[Any]) -> QueryExpression:
        """Documents whose list field contains all of `values` (`$all`).

        Examples:
            >>> Player.tags.all_(["tank", "healer"])
            QueryExpression({'tags': {'$all': ['tank', 'healer']}})
        """
        return query.all_(self, values)

    def size(self, length: int) -> QueryExpression:
        """Documents whose list field has exactly `length` items (`$size`).

        Examples:
            >>> Player.tags.size(2)
            QueryExpression({'tags': {'$size': 2}})
        """
        return query.size(self, length)

    def elem_match(self, *queries: QueryExpression | dict[str, Any] | bool) -> QueryExpression:
        """Documents whose list has an item matching all `queries` (`$elemMatch`).

        The queries are written on the embedded model: `Order.items.elem_match(Item.qty > 2)`.

        Examples:
            >>> Player.items.elem_match(Item.qty > 2)
            QueryExpression({'items': {'$elemMatch': {'qty': {'$gt': 2}}}})
        """
        return query.elem_match(self, *queries)

    def asc(self) -> SortExpression:
        """Ascending sort on this field.

        Examples:
            >>> Player.level.asc()
            SortExpression({'level': 1})
        """
        return query.asc(self)

    def desc(self) -> SortExpression:
        """Descending sort on this field.

        Examples:
            >>> Player.level.desc()
            SortExpression({'level': -1})
        """
        return query.desc(self)

    def __eq__(self, value: object) -> QueryExpression:  # type: ignore[override]
        return self.eq(value)

    def __ne__(self, value: object) -> QueryExpression:  # type: ignore[override]
        return self.ne(value)

    def __gt__(self, value: Any) -> QueryExpression:
        return self.gt(value)

    def __ge__(self, value: Any) -> QueryExpression:
        return self.gte(value)

    def __lt__(self, value: Any) -> QueryExpression:
        return self.lt(value)

    def __le__(self, value: Any) -> QueryExpression:
        return self.lte(value)

    __hash__ = None  # type: ignore[assignment]


# Field types whose query values of exactly this class validate and dump to themselves.
_KEPT_AS_IS: dict[type, type] = {
    str: str,
    int: int,
    float: float,
    ObjectId: bson.ObjectId,
    bson.ObjectId: bson.ObjectId,
}

_ADAPTERS: dict[FieldSchema, tuple[TypeAdapter[Any], ...]] = {}


def _adapters(field: FieldSchema) -> tuple[TypeAdapter[Any], ...]:
    """Adapters validating query values of `field`: its type, then its items' type if any."""
    adapters = _ADAPTERS.get(field)
    if adapters is None:
        annotation = substitute_bson_types(field.annotation)
        found: list[TypeAdapter[Any]] = [TypeAdapter(annotation)]
        item = _item_type(annotation)
        if item is not None:
            found.append(TypeAdapter(item))
        adapters = _ADAPTERS[field] = tuple(found)
    return adapters


def _item_type(annotation: Any) -> Any:
    """The item type of a collection annotation (`list[str]` -> `str`), else None."""
    while get_origin(annotation) is Annotated or get_origin(annotation) in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) is not Annotated and len(options) != 1:
            return None
        annotation = options[0]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, set, frozenset, tuple) or (
        isinstance(origin, type) and issubclass(origin, (Sequence, AbstractSet))
    ):
        if args and not isinstance(annotation, str):
            return args[0]
    return None


_CONSTRAINED: dict[FieldSchema, TypeAdapter[Any]] = {}

UpdateValue = Literal["field", "number", "item"]


def _constrained_adapter(field: FieldSchema) -> TypeAdapter[Any]:
    """An adapter validating values of `field` with its constraints (`ge=0`...)."""
    adapter = _CONSTRAINED.get(field)
    if adapter is None:
        annotation: Any = substitute_bson_types(field.annotation)
        if field.constraints:
            annotation = Annotated.__class_getitem__((annotation, *field.constraints))  # type: ignore[attr-defined]
        adapter = _CONSTRAINED[field] = TypeAdapter(annotation)
    return adapter


_REFUSED_ON_REFERENCES = frozenset(
    {"gt", "gte", "lt", "lte", "match", "all_", "size", "elem_match", "asc", "desc"}
)


class ReferenceProxy(FieldProxy):
    """Class-level access to a `Reference()` field: only ==, !=, in_, not_in and exists query
    the reference itself (by instance or primary key; a list of references matches when it
    holds the key).

    A field of the referenced model is reached through it (`Book.author.name == "Tolkien"`,
    `sort=Book.author.name`): the read looks the referenced documents up. As in ODMantic 1.1,
    another operator raises `AttributeError` when accessed, and so does a name that is no
    field of the referenced model.
    """

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name in _REFUSED_ON_REFERENCES:
            raise AttributeError(name)  # answered by __getattr__
        return super().__getattribute__(name)

    def __getattr__(self, name: str) -> FieldProxy:
        if name.startswith("__"):
            raise AttributeError(name)
        field, owner = self._field, self._owner
        if name in _REFUSED_ON_REFERENCES:
            raise AttributeError(
                f"operator {name} not allowed for ODMReference fields: {owner.name}.{field.name} "
                "is a reference; only ==, !=, in_, not_in and exists can query it"
            )
        return _through_reference(self._path, field, owner, self._root, name)


def _through_reference(
    path: str, field: FieldSchema, owner: ModelSchema, root: Any, name: str
) -> FieldProxy:
    """The field `name` of the model `field` references, read through the reference: queries
    and sorts on it look the referenced documents up (`Book.author.name == "x"`)."""
    target = field.target
    if target is None or name not in target.fields:
        raise AttributeError(
            f"operator {name} not allowed for ODMReference fields: {owner.name}.{field.name} "
            f"is a reference to {target.name if target else 'another model'}, which has no "
            f"field {name!r}; only ==, !=, in_, not_in and exists can query a reference"
        )
    sub = target.fields[name]
    proxy = ReferenceProxy if sub.kind == "reference" else FieldProxy
    return proxy(f"{path}.{sub.key_name}", sub, target, root)


__all__ = [
    "Field",
    "FieldProxy",
    "ReferenceProxy",
    "ODMField",
    "ODMFieldInfo",
    "ODMReferenceInfo",
    "KeyName",
]
