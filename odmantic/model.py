"""`Model` (a document in its own collection) and `EmbeddedModel` (a nested document)."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar

import pydantic
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from odmantic._internal.bson_schema import model_bson_schema
from odmantic._internal.document import (
    check_keys,
    errors_of_11,
    extras_to_bson,
    list_validator,
    missing_keys,
    needs_key_check,
    rename_out,
)
from odmantic._internal.fields_modified import ChosenFields, FieldsModified
from odmantic._internal.metaclass import ODMModelMetaclass
from odmantic._internal.polymorphism import class_of
from odmantic._internal.references import (
    has_joins,
    has_references,
    loads_in_one_call,
    reference_errors,
    reference_key,
    referenced_instances,
    stored_form,
    with_typed_joins,
)
from odmantic._internal.schema import ModelSchema
from odmantic.bson import BSON_CONTEXT
from odmantic.bson import ObjectId as _ObjectId
from odmantic.config import ODMConfigDict
from odmantic.exceptions import DocumentParsingError
from odmantic.query import to_query_value

_ODMModelT = TypeVar("_ODMModelT", bound="_BaseODMModel")

ModelT = TypeVar("ModelT", bound="Model")
"""Any `Model` subclass (the engines' methods are generic in it)."""

ChangesSnapshot: TypeAlias = "tuple[frozenset[str] | None, dict[str, Any] | None]"
"""What an instance had to save at some point (`__odmantic_changes_snapshot__`), to put back later."""


_LOADING: ContextVar[bool] = ContextVar("odmantic_loading", default=False)
"""True while the engines' loaders validate stored documents: `Model.model_post_init` then
leaves the tracking state to them (validators see no difference: no validation context)."""

_CLEAN: frozenset[str] = frozenset()
"""`__odmantic_changed__` of an instance with nothing assigned since it was loaded or saved, shared
so that loading thousands of instances allocates no set each (a set replaces it on assignment)."""


class _BaseODMModel(BaseModel, metaclass=ODMModelMetaclass):
    """What Model and EmbeddedModel share: field plans, document dump and parse."""

    __odmantic_odm_base__: ClassVar[bool] = True
    __slots__ = ("__odmantic_changed__", "__odmantic_stored__")
    model_config: ClassVar[ODMConfigDict] = ODMConfigDict(  # pyright: ignore[reportIncompatibleVariableOverride]
        validate_assignment=True, validate_default=True
    )

    __odmantic_schema__: ClassVar[ModelSchema]
    """The schema of the class: its fields, key names, references, collection."""
    __primary_field__: ClassVar[str | None] = None

    def model_dump_doc(
        self,
        include: Iterable[str] | None = None,
        *,
        exclude: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Return the MongoDB document of this instance (key names applied, BSON types).

        Args:
            include: only these fields (by Python name).
            exclude: leave out these fields (by Python name).

        Returns:
            the document, ready for PyMongo.

        Example:
            ```python
            Tagged(code="A", label="x").model_dump_doc()  # {"_id": "A", "lbl": "x"}
            ```
        """
        document = self.__odmantic_dump__(include, exclude)
        discriminator = type(self).__odmantic_schema__.discriminator
        if discriminator is not None and include is None:
            document[discriminator[0]] = discriminator[1]  # its class, in a shared collection
        return document

    def __odmantic_dump__(
        self, include: Iterable[str] | None, exclude: Iterable[str] | None
    ) -> dict[str, Any]:
        """`model_dump_doc` without the discriminator of a polymorphic collection."""
        cls = type(self)
        schema = cls.__odmantic_schema__
        refs = schema.reference_names
        if include is None and exclude is None and not refs:
            data = cls.__pydantic_serializer__.to_python(self, by_alias=False, context=BSON_CONTEXT)
            if self.__pydantic_extra__:
                extras_to_bson(data, self.__pydantic_extra__)
            return rename_out(schema, data)
        include_set = set(include) if include is not None else None
        exclude_set = set(exclude) if exclude is not None else set()
        data = self.model_dump(
            mode="python",
            include=include_set,
            exclude=(exclude_set | refs) or None,
            context=BSON_CONTEXT,
            by_alias=False,
        )
        if self.__pydantic_extra__:
            extras_to_bson(data, self.__pydantic_extra__)
        doc = rename_out(schema, data)
        for field in schema.references:
            name = field.name
            if name in exclude_set or (include_set is not None and name not in include_set):
                continue
            doc[field.key_name] = reference_key(self.__dict__[name])
        if not refs:
            return doc
        # In the fields' order, as ODMantic 1.1 stores them (references are dumped apart).
        keys = [schema.fields[name].key_name for name in cls.__pydantic_fields__]
        ordered = {key: doc.pop(key) for key in keys if key in doc}
        return {**ordered, **doc}

    @classmethod
    def model_bson_schema(cls) -> dict[str, Any]:
        """The `$jsonSchema` of this model's documents, for a MongoDB validator.

        Key names, BSON types (`int`/`long` for int, `date` for datetime and date, `binData`
        for bytes and UUID...), required keys, embedded models as nested objects, arrays and
        their items (`uniqueItems` for sets), `enum` for `Literal` and `Enum`, `null` added for
        `Optional`, bounds and lengths from the field constraints, `additionalProperties`
        following `extra`, references as their key's type; a polymorphic collection as the
        union of its classes, keyed by the discriminator. What MongoDB cannot express is left
        open, never guessed: a document the model loads always passes.

        Returns:
            the schema (a new dict): `{"$jsonSchema": Player.model_bson_schema()}` is the
            validator `configure_database(..., validation="error")` sets.

        Example:
            ```python
            Player.model_bson_schema()
            # {"bsonType": "object", "properties": {"_id": {"bsonType": "objectId"},
            #  "name": {"bsonType": "string"}, ...}, "required": ["_id", "name"]}
            ```
        """
        return model_bson_schema(cls)

    @classmethod
    def model_validate_doc(cls: type[_ODMModelT], raw_doc: dict[str, Any]) -> _ODMModelT:
        """Build an instance from a MongoDB document (as read by the driver).

        The instance is new to the engines: `save()` writes it in full (to restore a backup,
        copy documents between databases...).

        Args:
            raw_doc: the document, with key names.

        Returns:
            the instance.

        Raises:
            DocumentParsingError: the document does not validate; reads as ODMantic 1.1's (the
                keys it lacks first, then pydantic's errors), carries the document's `_id`.

        Example:
            ```python
            player = Player.model_validate_doc({"_id": ObjectId(), "name": "Leeroy"})
            ```
        """
        if not isinstance(raw_doc, dict):
            error = PydanticCustomError(
                "odmantic::not_a_document",
                "expected a document (dict), got {kind}",
                {"kind": type(raw_doc).__name__},
            )
            raise DocumentParsingError([{"type": error, "loc": (), "input": raw_doc}], cls)
        schema = cls.__odmantic_schema__
        if schema.discriminator is not None:  # a polymorphic collection: the stored class
            stored_as = class_of(cls, raw_doc)
            if stored_as is not cls:
                found: _ODMModelT = stored_as.model_validate_doc(raw_doc)
                return found
        if has_joins(schema) and (unjoined := reference_errors(schema, raw_doc)):
            raise DocumentParsingError(unjoined, cls, raw_doc.get("_id"))
        missing = missing_keys(schema, raw_doc) if needs_key_check(schema, raw_doc) else []
        failed: ValidationError | None = None
        try:
            typed = with_typed_joins(schema, raw_doc) if has_joins(schema) else raw_doc
            if schema.discriminator is not None and cls.model_config.get("extra") == "forbid":
                # The discriminator is the collection's, not an extra key of the document.
                typed = {k: v for k, v in typed.items() if k != schema.discriminator[0]}
            instance: _ODMModelT = cls.__pydantic_validator__.validate_python(typed, by_name=True)
        except ValidationError as exc:
            failed = exc
        else:
            if not missing:
                return instance
        inner = errors_of_11(cls, raw_doc, missing, failed)
        error = DocumentParsingError([], cls, raw_doc.get("_id"), inner=inner)
        if failed is None:
            raise error
        raise error from failed  # all of pydantic's errors (1.1's text shows missing keys alone)

    def model_update(
        self,
        patch_object: BaseModel | dict[str, Any],
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> Any:
        """Update fields from a dict or a pydantic model, validating all of them first.

        Fields present in `patch_object` (after the filters) are assigned and marked modified,
        and so are the fields a model validator derives from them; keys that are not fields are
        ignored (unless `extra="allow"`); the instance is left unchanged if any value is invalid.

        Args:
            patch_object: the new values (a dict, or a pydantic model).
            include: only these keys of the patch.
            exclude: leave out these keys of the patch.
            exclude_unset: for a pydantic patch, leave out the fields it did not set.
            exclude_defaults: for a pydantic patch, leave out the fields at their default.
            exclude_none: leave out the values that are None.

        Returns:
            the instance.

        Raises:
            ValueError: the patch changes the primary key.
            pydantic.ValidationError: a value is invalid.

        Example:
            ```python
            player.model_update({"level": 3})
            player.model_update(PlayerPatch(level=3))  # its unset fields are left alone
            ```
        """
        cls = type(self)
        values = _patch_values(
            cls, patch_object, include, exclude, exclude_unset, exclude_defaults, exclude_none
        )
        primary = cls.__primary_field__
        if primary is not None and primary in values and values[primary] != self.__dict__[primary]:
            raise ValueError(
                f"Updating the primary key is not supported: {cls.__name__}.model_update() "
                f"cannot change {primary!r}; build a new instance with model_copy instead"
            )
        current = {name: self.__dict__[name] for name in cls.__pydantic_fields__}
        if self.__pydantic_extra__:
            current.update(self.__pydantic_extra__)
        validated = cls.model_validate({**current, **values}, by_name=True)
        check_keys(cls.__odmantic_schema__, validated.model_dump_doc(), "the updated instance")
        changed = {  # as 1.1: a value given but equal to the current one is no change
            name
            for name in set(values) | set(cls.__pydantic_fields__)
            if name not in current
            or validated.__dict__.get(name, (validated.__pydantic_extra__ or {}).get(name))
            != current[name]
        }
        for name in changed:
            if name in cls.__pydantic_fields__:
                self.__dict__[name] = validated.__dict__[name]  # pyright: ignore[reportIndexIssue]
            elif self.__pydantic_extra__ is not None:
                extra: dict[str, Any] = self.__pydantic_extra__
                extra[name] = (validated.__pydantic_extra__ or {})[name]
            self.__odmantic_note_modified__(name)
        return self

    def __repr_args__(self) -> Any:
        args = dict(super().__repr_args__())
        ordered = [
            (name, args.pop(name)) for name in type(self).__odmantic_schema__.fields if name in args
        ]
        return [*ordered, *args.items()]

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if name == cls.__primary_field__:
            raise NotImplementedError(
                f"Reassigning a new primary key is not supported yet: {cls.__name__}: "
                f"reassigning the primary key {name!r} is refused; build a new instance instead "
                f"(instance.model_copy(update={{{name!r}: ...}}))"
            )
        super().__setattr__(name, value)
        if name in cls.__pydantic_fields__ or (self.__pydantic_extra__ and name[:2] != "__"):
            self.__odmantic_note_modified__(name)

    @property
    def __fields_modified__(self) -> set[str]:  # noqa: PLW3201
        """ODMantic 1.1's dirty state: the names of the fields the next save writes (every
        field of a new, parsed or copied instance; none after a save or a load). A mutable set:
        changing it (`instance.__fields_modified__.clear()`) changes what the next save writes.
        """
        return FieldsModified(self, self.__odmantic_names_modified__())

    @__fields_modified__.setter
    def __fields_modified__(self, names: AbstractSet[str]) -> None:
        self.__odmantic_set_modified__(set(names))

    def __odmantic_names_modified__(self) -> set[str]:
        """The names `__fields_modified__` shows: every field when all are to save."""
        modified = self.__odmantic_modified__()
        return set(type(self).__pydantic_fields__) if modified is None else set(modified)

    def __odmantic_set_modified__(self, names: set[str]) -> None:
        """The fields the next save writes are `names` (`__fields_modified__` was changed)."""
        object.__setattr__(self, "__odmantic_changed__", ChosenFields(names))

    def __odmantic_chosen_fields__(self) -> set[str] | None:
        """The fields chosen through `__fields_modified__` (and assigned since), if it was
        changed since the last save or load: a save then writes only their changes."""
        modified = self.__odmantic_modified__()
        return modified if isinstance(modified, ChosenFields) else None

    def __odmantic_modified__(self) -> frozenset[str] | set[str] | None:
        """Fields assigned since the instance was loaded or saved; None: all of them."""
        try:
            return self.__odmantic_changed__  # type: ignore[attr-defined,no-any-return]
        except AttributeError:  # built in Python, copied or unpickled: never stored
            return None

    def __odmantic_note_modified__(self, name: str) -> None:
        """`name` was assigned: its next save writes it."""
        modified = self.__odmantic_modified__()
        if modified is None:
            return
        if modified is _CLEAN:
            object.__setattr__(self, "__odmantic_changed__", {name})
        else:
            modified.add(name)  # type: ignore[union-attr]

    def __odmantic_fields_to_save__(self) -> frozenset[str] | set[str] | None:
        """Names of the fields a save must write, or None for all of them."""
        modified = self.__odmantic_modified__()
        if modified is None:
            return None
        return modified | type(self).__odmantic_schema__.mutable

    def __odmantic_mark_clean__(self) -> None:
        """Mark this instance, and the instances it references, as saved (nothing modified)."""
        object.__setattr__(self, "__odmantic_changed__", _CLEAN)
        if has_references(type(self).__odmantic_schema__):
            for referenced in referenced_instances(self):
                referenced.__odmantic_mark_clean__()

    def __odmantic_stored_document__(self) -> dict[str, Any] | None:
        """The document stored for this instance when it was last loaded or saved, if known."""
        try:
            return self.__odmantic_stored__  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            return None

    def __odmantic_mark_stored__(self, document: dict[str, Any]) -> None:
        """`document` is now stored for this instance (it was written): nothing to save."""
        object.__setattr__(self, "__odmantic_changed__", _CLEAN)
        object.__setattr__(self, "__odmantic_stored__", document)

    def __odmantic_forget_stored__(self) -> None:
        """What is stored for this instance is unknown: its next save writes it whole."""
        object.__setattr__(self, "__odmantic_changed__", None)
        object.__setattr__(self, "__odmantic_stored__", None)

    def __odmantic_mark_loaded__(self, raw_doc: dict[str, Any]) -> None:
        """This instance was just read from `raw_doc`: it, and what it references, are stored."""
        schema = type(self).__odmantic_schema__
        if has_joins(schema):
            raw_doc = stored_form(self, raw_doc)
        if schema.copy_on_load:
            raw_doc = copy.deepcopy(raw_doc)
        self.__odmantic_mark_stored__(raw_doc)

    @classmethod
    def __odmantic_loader__(cls: type[_ODMModelT]) -> Callable[[dict[str, Any]], _ODMModelT]:
        """A function building instances from stored documents, remembered as stored: what
        `model_validate_doc` then `__odmantic_mark_loaded__` do, with a fast path for documents that
        validate as they are (errors still come from `model_validate_doc`)."""
        schema = cls.__odmantic_schema__

        def load(raw_doc: dict[str, Any]) -> _ODMModelT:
            instance = cls.model_validate_doc(raw_doc)
            instance.__odmantic_mark_loaded__(raw_doc)
            return instance

        joins = has_joins(schema)
        if (joins and not loads_in_one_call(schema)) or schema.copy_on_load:
            return load
        validate = cls.__pydantic_validator__.validate_python
        required = schema.required_keys
        store = object.__setattr__

        def load_fast(raw_doc: dict[str, Any]) -> _ODMModelT:
            if type(raw_doc) is not dict or not required <= raw_doc.keys():
                return load(raw_doc)
            loading = _LOADING.set(True)
            try:
                instance: _ODMModelT = validate(raw_doc, by_name=True)
            except ValidationError:
                return load(raw_doc)
            finally:
                _LOADING.reset(loading)
            store(instance, "__odmantic_changed__", _CLEAN)
            stored = stored_form(instance, raw_doc) if joins else raw_doc
            store(instance, "__odmantic_stored__", stored)
            return instance

        return load_fast

    @classmethod
    def __odmantic_list_loader__(
        cls: type[_ODMModelT],
    ) -> Callable[[list[dict[str, Any]]], list[_ODMModelT]]:
        """`__odmantic_loader__` for a whole list of stored documents: one validation call for the list
        when every document validates as it is, else each document through `__odmantic_loader__`."""
        load = cls.__odmantic_loader__()
        schema = cls.__odmantic_schema__
        joins = has_joins(schema)
        if (joins and not loads_in_one_call(schema)) or schema.copy_on_load:
            return lambda raw_docs: [load(raw_doc) for raw_doc in raw_docs]
        validate_all = list_validator(cls)
        required = schema.required_keys
        store = object.__setattr__
        unjoin = stored_form

        def load_all(raw_docs: list[dict[str, Any]]) -> list[_ODMModelT]:
            loading = _LOADING.set(True)
            try:
                instances: list[_ODMModelT] = validate_all(raw_docs, by_name=True)
            except ValidationError:
                return [load(raw_doc) for raw_doc in raw_docs]
            finally:
                _LOADING.reset(loading)
            for instance, raw_doc in zip(instances, raw_docs, strict=True):
                if type(raw_doc) is not dict or not required <= raw_doc.keys():
                    return [load(raw_doc) for raw_doc in raw_docs]  # the error names the key
                store(instance, "__odmantic_changed__", _CLEAN)
                stored = unjoin(instance, raw_doc) if joins else raw_doc
                store(instance, "__odmantic_stored__", stored)
            return instances

        return load_all

    def __odmantic_changes_snapshot__(self) -> ChangesSnapshot:
        """What this instance has to save now, for `__odmantic_restore_changes__`."""
        modified = self.__odmantic_modified__()
        frozen = None if modified is None else frozenset(modified)
        return frozen, self.__odmantic_stored_document__()

    def __odmantic_restore_changes__(self, snapshot: ChangesSnapshot) -> None:
        """Have to save again what `snapshot` had to (a write that did not happen, e.g. an aborted
        transaction), on top of what changed since."""
        before, stored = snapshot
        now = self.__odmantic_modified__()
        merged = None if before is None or now is None else set(before) | now
        object.__setattr__(self, "__odmantic_changed__", merged)
        object.__setattr__(self, "__odmantic_stored__", stored)

    # Deprecated ODMantic 0.x names.
    def doc(self, include: Iterable[str] | None = None) -> dict[str, Any]:
        """Deprecated: use `model_dump_doc`."""
        warnings.warn("doc() is deprecated, use model_dump_doc()", DeprecationWarning, 2)
        return self.model_dump_doc(include=include)

    @classmethod
    def parse_doc(cls: type[_ODMModelT], raw_doc: dict[str, Any]) -> _ODMModelT:
        """Deprecated: use `model_validate_doc`."""
        warnings.warn("parse_doc() is deprecated, use model_validate_doc()", DeprecationWarning, 2)
        return cls.model_validate_doc(raw_doc)

    def update(self, patch_object: BaseModel | dict[str, Any], **kwargs: Any) -> Any:
        """Deprecated: use `model_update`."""
        warnings.warn("update() is deprecated, use model_update()", DeprecationWarning, 2)
        return self.model_update(patch_object, **kwargs)

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: use `model_copy` (`include`/`exclude` are refused, as in ODMantic 1.1)."""
        warnings.warn("copy() is deprecated, use model_copy()", DeprecationWarning, 2)
        if kwargs.get("include") is not None or kwargs.get("exclude") is not None:
            raise NotImplementedError(
                "copy with include or exclude is not supported anymore, please use `model_copy` "
                "instead"
            )
        return self.model_copy(update=kwargs.get("update"), deep=kwargs.get("deep", False))


def _patch_values(
    cls: type[_BaseODMModel],
    patch: BaseModel | dict[str, Any],
    include: Iterable[str] | None,
    exclude: Iterable[str] | None,
    exclude_unset: bool,
    exclude_defaults: bool,
    exclude_none: bool,
) -> dict[str, Any]:
    """The values `model_update` assigns: the patch's, filtered (see `model_update`)."""
    include_set = set(include) if include is not None else None
    exclude_set = set(exclude) if exclude is not None else set()
    if isinstance(patch, BaseModel):
        dumped = patch.model_dump(
            include=include_set,
            exclude=exclude_set or None,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )
        return {k: getattr(patch, k) for k in dumped if k in cls.__pydantic_fields__}
    if not isinstance(patch, dict):
        raise TypeError(f"model_update() takes a dict or a pydantic model, got {patch!r}")
    values = {
        k: v
        for k, v in patch.items()
        if (include_set is None or k in include_set)
        and k not in exclude_set
        and not (exclude_none and v is None)
    }
    if cls.model_config.get("extra") != "allow":
        values = {k: v for k, v in values.items() if k in cls.__pydantic_fields__}
    return values


class Model(_BaseODMModel):
    """A document stored in its own collection.

    An `id: ObjectId` primary key (stored as `_id`) is added unless a field is declared with
    `Field(primary_field=True)`. The collection is the snake_case class name without a trailing
    `Model`, or `model_config["collection"]`.

    Example:
        ```python
        class Player(Model):
            name: str
            level: int = Field(default=0, ge=0)
        ```
    """

    __odmantic_odm_base__: ClassVar[bool] = True
    __odmantic_schema__: ClassVar[ModelSchema] = ModelSchema("Model", collection="", fields={})
    __collection__: ClassVar[str] = ""

    def model_post_init(self, context: Any, /) -> None:
        """Start change tracking: a new instance has everything to save, nothing stored (the
        engines' loaders set the state of the instances they load from the document)."""
        if _LOADING.get():
            return
        object.__setattr__(self, "__odmantic_changed__", None)
        object.__setattr__(self, "__odmantic_stored__", None)

    def __odmantic_primary_value__(self) -> Any:
        """The value of the primary key."""
        return self.__dict__[type(self).__primary_field__]  # type: ignore[index]

    def __odmantic_primary_key__(self) -> Any:
        """The primary key as stored in `_id` (an embedded key dumped to its document)."""
        return to_query_value(self.__odmantic_primary_value__())

    def __odmantic_bson_query_value__(self) -> Any:
        """What a query compares a reference with: the primary key."""
        return self.__odmantic_primary_key__()

    if TYPE_CHECKING:
        # The generated primary key: not a required constructor argument for type checkers.
        id: _ObjectId = pydantic.Field(default_factory=_ObjectId)


class EmbeddedModel(_BaseODMModel):
    """A document nested in another one (no collection, no primary key).

    Example:
        ```python
        class Address(EmbeddedModel):
            city: str

        class Player(Model):
            address: Address
        ```
    """

    __odmantic_odm_base__: ClassVar[bool] = True
    __odmantic_schema__: ClassVar[ModelSchema] = ModelSchema(
        "EmbeddedModel", collection=None, fields={}
    )

    def __odmantic_bson_query_value__(self) -> dict[str, Any]:
        """What a query compares an embedded field with: the embedded document."""
        return self.model_dump_doc()


__all__ = ["Model", "EmbeddedModel"]
