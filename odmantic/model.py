"""`Model` (a document in its own collection) and `EmbeddedModel` (a nested document)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from contextvars import ContextVar
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    TypeVar,
    get_args,
    get_origin,
)

import pydantic
from pydantic import AfterValidator, AliasChoices, BaseModel, PydanticUserError, ValidationError
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from odmantic.annotations import classify, is_mutable, substitute_bson_types, swap_raw_bson_classes
from odmantic.bson import BSON_CONTEXT
from odmantic.bson import ObjectId as _ObjectId
from odmantic.config import ODM_KEYS, check_config
from odmantic.document import (
    error_detail,
    explain_errors,
    mark_clean,
    missing_keys,
    rename_out,
)
from odmantic.exceptions import DocumentParsingError, ModelDefinitionError
from odmantic.field import FieldProxy, ODMField, ODMFieldInfo, ODMReferenceInfo

ModelT = TypeVar("ModelT", bound="_BaseODMModel")


def _snake_case(name: str) -> str:
    if name.endswith("Model") and name != "Model":
        name = name[: -len("Model")]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _check_collection_name(model: str, name: str) -> None:
    if (
        not name
        or "$" in name
        or "\x00" in name
        or ".." in name
        or name.startswith((".", "system."))
        or name.endswith(".")
    ):
        raise ModelDefinitionError(
            f"{model}: invalid collection name {name!r} (it must be non-empty, contain no '$' "
            "nor NUL, no empty part between dots, and not start with 'system.'); set "
            "model_config['collection']"
        )


def _make_const_validator(owner: str, name: str, default: Any) -> AfterValidator:
    def check(value: Any) -> Any:
        if value != default:
            raise ValueError(f"{owner}.{name} is constant: it must be {default!r}")
        return value

    return AfterValidator(check)


def _to_pydantic_field(owner: str, name: str, info: ODMFieldInfo, key_name: str) -> Any:
    kwargs = dict(info.pydantic_kwargs)
    kwargs.pop("_const", None)
    choices = [kwargs.get("alias") or name]
    if key_name != choices[0]:
        choices.append(key_name)
    if len(choices) > 1:
        kwargs["validation_alias"] = AliasChoices(*choices)
    try:
        return pydantic.Field(**kwargs)
    except TypeError as exc:
        raise ModelDefinitionError(f"{owner}.{name}: {exc}") from exc


# True while pydantic builds a class: it must not see the field proxies of the parent classes.
_BUILDING: ContextVar[bool] = ContextVar("odmantic_building_model", default=False)


class ODMModelMetaclass(ModelMetaclass):
    """Builds the pydantic model, then the ODM description of its fields (`__odm_fields__`)."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type[Any], ...],
        namespace: dict[str, Any],
        **kwargs: Any,
    ) -> type:
        if namespace.get("__odm_base__", False):
            return super().__new__(mcs, name, bases, namespace, **kwargs)
        namespace.setdefault("__odm_base__", False)
        is_embedded = any(issubclass(b, EmbeddedModel) for b in bases if isinstance(b, mcs))
        annotations: dict[str, Any] = namespace.setdefault("__annotations__", {})
        inherited = _inherited_fields(bases)

        raw_config = dict(namespace.get("model_config", {}))
        config = check_config(name, raw_config)
        odm_config: dict[str, Any] = {
            k: v
            for base in reversed(bases)
            for k, v in getattr(base, "__odm_config__", {}).items()
            if k != "collection"
        }
        odm_config.update({k: v for k, v in config.items() if k in ODM_KEYS})
        collection = None if is_embedded else odm_config.get("collection", _snake_case(name))
        namespace["model_config"] = {
            **config,
            "collection": collection,
            "parse_doc_with_default_factories": odm_config.get(
                "parse_doc_with_default_factories", False
            ),
            "indexes": odm_config.get("indexes"),
        }
        namespace["__odm_config__"] = odm_config

        infos: dict[str, ODMFieldInfo | ODMReferenceInfo] = {}
        for attr, value in list(namespace.items()):
            if isinstance(value, FieldInfo):
                raise ModelDefinitionError(
                    f"{name}.{attr}: use odmantic.Field instead of pydantic.Field "
                    "(it also takes key_name, primary_field, index and unique)"
                )
            if not isinstance(value, (ODMFieldInfo, ODMReferenceInfo)):
                continue
            if attr not in annotations:
                raise ModelDefinitionError(
                    f"{name}.{attr}: field has no type annotation; write `{attr}: <type> = ...`"
                )
            infos[attr] = value
        for attr in annotations:
            parent = inherited.get(attr)
            if attr in infos or parent is None or (parent.key_name == attr and not parent.primary):
                continue
            if parent.kind == "reference":
                infos[attr] = ODMReferenceInfo(key_name=parent.key_name)
            else:
                infos[attr] = ODMFieldInfo(
                    key_name=None if parent.primary else parent.key_name,
                    primary_field=parent.primary,
                    index=parent.index,
                    unique=parent.unique,
                    pydantic_kwargs={"default": namespace.get(attr, PydanticUndefined)},
                )
        for attr, value in infos.items():
            if isinstance(value, ODMReferenceInfo):
                if value.key_name and value.key_name != attr:
                    namespace[attr] = pydantic.Field(
                        validation_alias=AliasChoices(attr, value.key_name)
                    )
                else:
                    del namespace[attr]
                continue
            if value.primary_field and is_embedded:
                raise ModelDefinitionError(
                    f"{name}.{attr}: an EmbeddedModel cannot have a primary field "
                    "(embedded documents have no _id of their own)"
                )
            if value.key_name == "_id" and not value.primary_field:
                raise ModelDefinitionError(
                    f"{name}.{attr}: key_name '_id' is the primary key: also set primary_field=True"
                )
            key = "_id" if value.primary_field else (value.key_name or attr)
            namespace[attr] = _to_pydantic_field(name, attr, value, key)

        has_primary = any(
            isinstance(i, ODMFieldInfo) and i.primary_field for i in infos.values()
        ) or any(f.primary for f in inherited.values())
        if not is_embedded and not has_primary:
            if "id" in annotations:
                raise ModelDefinitionError(
                    f"{name}.id: 'id' is the generated primary key; declare your own with "
                    "Field(primary_field=True) or rename the field"
                )
            namespace["__annotations__"] = {**annotations, "id": _ObjectId}
            namespace["id"] = pydantic.Field(
                default_factory=_ObjectId, validation_alias=AliasChoices("id", "_id")
            )
            infos["id"] = ODMFieldInfo(
                key_name="_id", primary_field=True, index=False, unique=False, pydantic_kwargs={}
            )

        swap_raw_bson_classes(namespace, namespace["__annotations__"])
        token = _BUILDING.set(True)
        try:
            cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        except PydanticUserError as exc:
            raise ModelDefinitionError(f"{name}: {exc.message}") from exc
        finally:
            _BUILDING.reset(token)
        cls.__odm_infos__ = infos  # type: ignore[attr-defined]
        _finalize(cls, inherited)
        if collection is not None:
            _check_collection_name(name, collection)
            cls.__collection__ = collection  # type: ignore[attr-defined]
        return cls

    def __getattr__(cls, name: str) -> Any:
        fields = cls.__dict__.get("__odm_fields__")
        if fields is not None and name in fields and not _BUILDING.get():
            field = fields[name]
            return FieldProxy(field.key_name, field, cls)  # type: ignore[arg-type]
        return super().__getattr__(name)  # type: ignore[misc]

    def __pos__(cls) -> str:
        collection = cls.__dict__.get("__collection__")
        if collection is None:
            raise TypeError(f"{cls.__name__} is an EmbeddedModel: it has no collection")
        return str(collection)


def _inherited_fields(bases: tuple[type[Any], ...]) -> dict[str, ODMField]:
    fields: dict[str, ODMField] = {}
    for base in reversed(bases):
        fields.update(getattr(base, "__odm_fields__", {}))
    return fields


def _finalize(cls: type[_BaseODMModel], inherited: dict[str, ODMField]) -> None:
    """Compute `__odm_fields__` and the dump/parse plans; rebuild when types were rewritten."""
    owner = cls.__name__
    infos: dict[str, ODMFieldInfo | ODMReferenceInfo] = cls.__dict__.get("__odm_infos__", {})
    fields: dict[str, ODMField] = {}
    shapes: dict[str, str] = {}
    rebuild = False
    for name, finfo in cls.__pydantic_fields__.items():
        info = infos.get(name)
        parent = inherited.get(name) if info is None else None
        annotation = finfo.annotation
        kind, model, shape = classify(owner, name, annotation)
        if isinstance(info, ODMReferenceInfo) or (
            parent is not None and parent.kind == "reference"
        ):
            if kind != "reference":
                raise ModelDefinitionError(
                    f"{owner}.{name}: Reference() needs a Model type annotation, got {annotation!r}"
                )
        elif kind == "reference" and not issubclass(cls, EmbeddedModel):
            raise ModelDefinitionError(
                f"{owner}.{name}: a field holding a Model must be declared with Reference() "
                f"(`{name}: {model.__name__ if model else '...'} = Reference()`), "
                "or use an EmbeddedModel to store it inside the document"
            )
        if kind == "reference" and issubclass(cls, EmbeddedModel):
            raise ModelDefinitionError(
                f"{owner}.{name}: an EmbeddedModel cannot hold a Model or a Reference(); "
                "store the referenced primary key, or put the reference on the Model"
            )
        if isinstance(info, ODMFieldInfo):
            primary = info.primary_field
            key_name = "_id" if primary else (info.key_name or name)
            index, unique = info.index, info.unique
            if info.pydantic_kwargs.get("_const"):
                finfo.metadata.append(_make_const_validator(owner, name, finfo.default))
                rebuild = True
        elif isinstance(info, ODMReferenceInfo):
            primary, key_name, index, unique = False, info.key_name or name, False, False
        elif parent is not None:
            primary, key_name, index, unique = (
                parent.primary,
                parent.key_name,
                parent.index,
                parent.unique,
            )
        else:
            primary, key_name, index, unique = False, name, False, False
        if key_name.startswith("$") or "." in key_name or "\x00" in key_name:
            raise ModelDefinitionError(
                f"{owner}.{name}: key_name {key_name!r} cannot start with '$' or contain '.'"
            )
        substituted = substitute_bson_types(annotation)
        if substituted is not annotation:
            if get_origin(substituted) is Annotated and get_args(substituted)[0] is annotation:
                # Keep the BSON marker after the Field constraints, so they stay in pydantic-core.
                finfo.metadata.extend(substituted.__metadata__)
            else:
                finfo.annotation = substituted
            rebuild = True
        fields[name] = ODMField(
            name=name,
            key_name=key_name,
            kind=kind,
            model=model,
            primary=primary,
            index=index,
            unique=unique,
            mutable=kind == "embedded" or (kind == "plain" and is_mutable(annotation)),
        )
        shapes[name] = shape
    seen: dict[str, str] = {}
    for field in fields.values():
        if field.key_name != field.name and field.key_name in fields:
            raise ModelDefinitionError(
                f"{owner}.{field.name}: key_name {field.key_name!r} is the name of another "
                "field; pick a key name that is not a field name"
            )
        if field.key_name in seen:
            raise ModelDefinitionError(
                f"{owner}: fields {seen[field.key_name]!r} and {field.name!r} have the same "
                f"key_name {field.key_name!r}"
            )
        seen[field.key_name] = field.name
    _install_plans(cls, fields, shapes)
    if rebuild:
        cls.model_rebuild(force=True)


def _install_plans(
    cls: type[_BaseODMModel], fields: dict[str, ODMField], shapes: dict[str, str]
) -> None:
    cls.__odm_fields__ = fields
    primary = next((f.name for f in fields.values() if f.primary), None)
    cls.__primary_field__ = primary
    out_plan: dict[str, tuple[str, type[_BaseODMModel] | None, str]] = {}
    for f in fields.values():
        if f.kind == "reference":
            continue
        sub = f.model if f.kind == "embedded" and f.model and f.model.__odm_out_plan__ else None
        if f.key_name != f.name or sub is not None:
            out_plan[f.name] = (f.key_name, sub, shapes[f.name])
    cls.__odm_out_plan__ = out_plan
    cls.__odm_references__ = tuple(
        (f.name, f.key_name) for f in fields.values() if f.kind == "reference"
    )
    cls.__odm_reference_names__ = frozenset(
        f.name for f in fields.values() if f.kind == "reference"
    )
    cls.__odm_mutable__ = frozenset(f.name for f in fields.values() if f.mutable)
    required = [(f.name, f.key_name) for f in fields.values() if f.primary]
    if not cls.__odm_config__.get("parse_doc_with_default_factories", False):
        required += [
            (name, fields[name].key_name)
            for name, finfo in cls.__pydantic_fields__.items()
            if finfo.default_factory is not None and not fields[name].primary
        ]
    cls.__odm_required_keys__ = tuple(required)


class _BaseODMModel(BaseModel, metaclass=ODMModelMetaclass):
    """What Model and EmbeddedModel share: field plans, document dump and parse."""

    __odm_base__: ClassVar[bool] = True
    __slots__ = ("__fields_modified__",)
    model_config = pydantic.ConfigDict(validate_assignment=True, validate_default=True)

    __odm_fields__: ClassVar[dict[str, ODMField]] = {}
    __odm_config__: ClassVar[dict[str, Any]] = {}
    __odm_out_plan__: ClassVar[dict[str, tuple[str, Any, str]]] = {}
    __odm_references__: ClassVar[tuple[tuple[str, str], ...]] = ()
    __odm_reference_names__: ClassVar[frozenset[str]] = frozenset()
    __odm_mutable__: ClassVar[frozenset[str]] = frozenset()
    __odm_required_keys__: ClassVar[tuple[tuple[str, str], ...]] = ()
    __primary_field__: ClassVar[str | None] = None

    def model_dump_doc(
        self,
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Return the MongoDB document of this instance (key names applied, BSON types).

        Args:
            include: only these fields (by Python name).
            exclude: leave out these fields (by Python name).
        """
        cls = type(self)
        refs = cls.__odm_reference_names__
        if include is None and exclude is None and not refs:
            data = cls.__pydantic_serializer__.to_python(self, by_alias=False, context=BSON_CONTEXT)
            return rename_out(cls, data)
        include_set = set(include) if include is not None else None
        exclude_set = set(exclude) if exclude is not None else set()
        data = self.model_dump(
            mode="python",
            include=include_set,
            exclude=(exclude_set | refs) or None,
            context=BSON_CONTEXT,
            by_alias=False,
        )
        doc = rename_out(cls, data)
        for name, key in cls.__odm_references__:
            if name in exclude_set or (include_set is not None and name not in include_set):
                continue
            ref = self.__dict__[name]
            doc[key] = None if ref is None else ref.__primary_value__()
        return doc

    @classmethod
    def model_validate_doc(cls: type[ModelT], raw_doc: dict[str, Any]) -> ModelT:
        """Build an instance from a MongoDB document (as read by the driver).

        Raises:
            DocumentParsingError: the document does not validate; names each failing field and
                the document's `_id`.
        """
        if not isinstance(raw_doc, dict):
            raise DocumentParsingError(
                [
                    error_detail(
                        (), f"expected a document (dict), got {type(raw_doc).__name__}", raw_doc
                    )
                ],
                cls,
                None,
            )
        if cls.__odm_references__ or any(k not in raw_doc for _, k in cls.__odm_required_keys__):
            missing = missing_keys(cls, raw_doc)
            if missing:
                raise DocumentParsingError(missing, cls, raw_doc.get("_id"))
        try:
            instance = cls.__pydantic_validator__.validate_python(raw_doc, by_name=True)
        except ValidationError as exc:
            raise DocumentParsingError(
                explain_errors(cls, raw_doc, exc), cls, raw_doc.get("_id"), inner=exc
            ) from None
        if cls.__odm_references__:
            mark_clean(instance)
        else:
            object.__setattr__(instance, "__fields_modified__", set())
        return instance  # type: ignore[no-any-return]

    def model_update(
        self,
        patch: BaseModel | dict[str, Any],
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> Any:
        """Update fields from a dict or a pydantic model, validating all of them first.

        Fields present in `patch` (after the filters) are assigned and marked modified; keys
        that are not fields are ignored (unless `extra="allow"`); the instance is left unchanged
        if any value is invalid. Returns the instance.

        Raises:
            ValueError: the patch changes the primary key.
            pydantic.ValidationError: a value is invalid.
        """
        cls = type(self)
        include_set = set(include) if include is not None else None
        exclude_set = set(exclude) if exclude is not None else set()
        if isinstance(patch, BaseModel):
            values = patch.model_dump(
                include=include_set,
                exclude=exclude_set or None,
                exclude_unset=exclude_unset,
                exclude_defaults=exclude_defaults,
                exclude_none=exclude_none,
            )
            values = {k: getattr(patch, k) for k in values if k in cls.__pydantic_fields__}
        elif isinstance(patch, dict):
            values = {
                k: v
                for k, v in patch.items()
                if (include_set is None or k in include_set)
                and k not in exclude_set
                and not (exclude_none and v is None)
            }
            if cls.model_config.get("extra") != "allow":
                values = {k: v for k, v in values.items() if k in cls.__pydantic_fields__}
        else:
            raise TypeError(f"model_update() takes a dict or a pydantic model, got {patch!r}")
        primary = cls.__primary_field__
        if primary is not None and primary in values and values[primary] != self.__dict__[primary]:
            raise ValueError(
                f"{cls.__name__}: model_update() cannot change the primary key {primary!r}"
            )
        current = {name: self.__dict__[name] for name in cls.__pydantic_fields__}
        if self.__pydantic_extra__:
            current.update(self.__pydantic_extra__)
        validated = cls.model_validate({**current, **values}, by_name=True)
        modified = self.__modified__()
        for name in values:
            if name in cls.__pydantic_fields__:
                self.__dict__[name] = validated.__dict__[name]
            elif self.__pydantic_extra__ is not None:
                self.__pydantic_extra__[name] = (validated.__pydantic_extra__ or {})[name]
            if modified is not None:
                modified.add(name)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if name == cls.__primary_field__:
            raise NotImplementedError(
                f"{cls.__name__}: reassigning the primary key {name!r} is refused; build a new "
                f"instance instead (instance.model_copy(update={{{name!r}: ...}}))"
            )
        super().__setattr__(name, value)
        modified = self.__modified__()
        if modified is not None and (name in cls.__pydantic_fields__ or self.__pydantic_extra__):
            modified.add(name)

    def __modified__(self) -> set[str] | None:
        """Fields assigned since the instance was loaded or saved; None: all of them."""
        try:
            return self.__fields_modified__  # type: ignore[attr-defined,no-any-return]
        except AttributeError:  # copies and constructs that skipped model_post_init
            return None

    def __fields_to_save__(self) -> frozenset[str] | set[str] | None:
        """Names of the fields a save must write, or None for all of them."""
        modified = self.__modified__()
        if modified is None:
            return None
        return modified | type(self).__odm_mutable__

    # Deprecated ODMantic 0.x names.
    def doc(self, include: Iterable[str] | None = None) -> dict[str, Any]:
        """Deprecated: use `model_dump_doc`."""
        warnings.warn("doc() is deprecated, use model_dump_doc()", DeprecationWarning, 2)
        return self.model_dump_doc(include=include)

    @classmethod
    def parse_doc(cls: type[ModelT], raw_doc: dict[str, Any]) -> ModelT:
        """Deprecated: use `model_validate_doc`."""
        warnings.warn("parse_doc() is deprecated, use model_validate_doc()", DeprecationWarning, 2)
        return cls.model_validate_doc(raw_doc)

    def update(self, patch: BaseModel | dict[str, Any], **kwargs: Any) -> Any:
        """Deprecated: use `model_update`."""
        warnings.warn("update() is deprecated, use model_update()", DeprecationWarning, 2)
        return self.model_update(patch, **kwargs)

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: use `model_copy`."""
        warnings.warn("copy() is deprecated, use model_copy()", DeprecationWarning, 2)
        return self.model_copy(update=kwargs.get("update"), deep=kwargs.get("deep", False))


class Model(_BaseODMModel):
    """A document stored in its own collection.

    An `id: ObjectId` primary key (stored as `_id`) is added unless a field is declared with
    `Field(primary_field=True)`. The collection is the snake_case class name without a trailing
    `Model`, or `model_config["collection"]`.

    Example:
        class Player(Model):
            name: str
            level: int = Field(default=0, ge=0)
    """

    __odm_base__: ClassVar[bool] = True
    __collection__: ClassVar[str] = ""

    def model_post_init(self, context: Any, /) -> None:
        """Start dirty tracking: a new instance has every field to save."""
        object.__setattr__(self, "__fields_modified__", None)

    def __primary_value__(self) -> Any:
        """The value of the primary key."""
        return self.__dict__[type(self).__primary_field__]  # type: ignore[index]

    def __bson_query_value__(self) -> Any:
        return self.__primary_value__()

    if TYPE_CHECKING:
        id: _ObjectId


class EmbeddedModel(_BaseODMModel):
    """A document nested in another one (no collection, no primary key).

    Example:
        class Address(EmbeddedModel):
            city: str

        class Player(Model):
            address: Address
    """

    __odm_base__: ClassVar[bool] = True

    def __bson_query_value__(self) -> dict[str, Any]:
        return self.model_dump_doc()


__all__ = ["Model", "EmbeddedModel"]
