"""`ODMModelMetaclass`: builds the pydantic model of a class, then its `ModelSchema`.

Class creation is a short sequence of named steps (see `ODMModelMetaclass.__new__`); the
key-name rule (`key_name_of`) and field inheritance (`_inherited_infos`) are written once here.
"""

from __future__ import annotations

import re
import warnings
import weakref
from collections.abc import Set as AbstractSet
from contextvars import ContextVar
from typing import Annotated, Any

import pydantic
from pydantic import (
    AliasChoices,
    PydanticUserError,
    TypeAdapter,
    ValidationError,
)
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from typing_extensions import dataclass_transform

from odmantic._internal import schema_checks
from odmantic._internal.annotations import (
    classify,
    has_free_keys,
    holds_any,
    is_mutable,
    is_optional,
    swap_raw_bson_classes,
    unstorable,
)
from odmantic._internal.delete_rules import register_model
from odmantic._internal.field_types import is_const_check, rewrite_field_types
from odmantic._internal.forward_refs import declared_later, namespace_of, remember
from odmantic._internal.joins import forget_schemas
from odmantic._internal.model_options import ModelOptions, model_options
from odmantic._internal.plain_model import plain_model
from odmantic._internal.polymorphism import register_member
from odmantic._internal.references import check_delete_rule
from odmantic._internal.schema import FieldSchema, ModelSchema, schema_of
from odmantic._internal.sharding import check_shard_key
from odmantic.bson import ObjectId
from odmantic.exceptions import ModelDefinitionError
from odmantic.field import Field, FieldProxy, ODMFieldInfo, ODMReferenceInfo, ReferenceProxy
from odmantic.reference import Reference

FieldInfoODM = ODMFieldInfo | ODMReferenceInfo

# True while pydantic builds a class: it must not see the field proxies of the parent classes.
_BUILDING: ContextVar[bool] = ContextVar("odmantic_building_model", default=False)


def key_name_of(name: str, info: FieldInfoODM | None) -> str:
    """The document key of field `name`: `_id` for the primary field, else key_name or name."""
    if isinstance(info, ODMFieldInfo) and info.primary_field:
        return "_id"
    return (info.key_name if info is not None else None) or name


def _inherited_infos(
    parents: list[ModelSchema], redeclared: AbstractSet[str]
) -> dict[str, FieldInfoODM]:
    """The ODM options of the parents' fields, as if declared again (the latest parent wins);
    a field the class declares again is constant only if it says so again."""
    infos: dict[str, FieldInfoODM] = {}
    for parent in reversed(parents):
        for f in parent.fields.values():
            if f.kind == "reference":
                infos[f.name] = ODMReferenceInfo(
                    f.key_name, f.on_delete, f.depth, f.reference_index
                )
            else:
                infos[f.name] = ODMFieldInfo(
                    key_name=None if f.primary else f.key_name,
                    primary_field=f.primary,
                    index=f.index,
                    unique=f.unique,
                    pydantic_kwargs={"_const": True}
                    if f.name not in redeclared
                    and any(is_const_check(item) for item in f.constraints)
                    else {},
                    revision=f.revision,
                )
    return infos


def _declared_infos(
    name: str, namespace: dict[str, Any], inherited: dict[str, FieldInfoODM]
) -> dict[str, FieldInfoODM]:
    """`Field()`/`Reference()` values of the namespace, and inherited fields annotated again."""
    annotations: dict[str, Any] = namespace["__annotations__"]
    infos: dict[str, FieldInfoODM] = {}
    for attr, value in namespace.items():
        if isinstance(value, FieldInfo):
            raise ModelDefinitionError(
                f"{name}.{attr}: use odmantic.Field instead of pydantic.Field "
                "(it also takes key_name, primary_field, index and unique)"
            )
        if isinstance(value, (ODMFieldInfo, ODMReferenceInfo)):
            if attr not in annotations:
                raise ModelDefinitionError(
                    f"{name}.{attr}: field {attr} is defined without type annotation; write "
                    f"`{attr}: <type> = ...`"
                )
            infos[attr] = value
    for attr in annotations:
        parent = inherited.get(attr)
        if attr in infos or parent is None or key_name_of(attr, parent) == attr:
            continue
        if isinstance(parent, ODMFieldInfo):
            default = namespace.get(attr, PydanticUndefined)
            parent = ODMFieldInfo(
                key_name=parent.key_name,
                primary_field=parent.primary_field,
                index=parent.index,
                unique=parent.unique,
                pydantic_kwargs={"default": default},
            )
        infos[attr] = parent
    return infos


def _pydantic_field(owner: str, name: str, info: FieldInfoODM) -> Any:
    """The pydantic field for an ODM field: validated by its name or by its key name."""
    key_name = key_name_of(name, info)
    kwargs = dict(info.pydantic_kwargs) if isinstance(info, ODMFieldInfo) else dict(info.defaults)
    kwargs.pop("_const", None)
    choices = [kwargs.get("alias") or name]
    if key_name != choices[0]:
        kwargs["validation_alias"] = AliasChoices(choices[0], key_name)
    if isinstance(info, ODMReferenceInfo) and not kwargs:
        return PydanticUndefined
    try:
        return pydantic.Field(**kwargs)
    except TypeError as exc:
        raise ModelDefinitionError(f"{owner}.{name}: {exc}") from exc


def _install_fields(
    name: str, namespace: dict[str, Any], infos: dict[str, FieldInfoODM], embedded: bool
) -> None:
    """Replace the ODM field declarations of the namespace by pydantic fields."""
    for attr, info in infos.items():
        if isinstance(info, ODMFieldInfo):
            if info.primary_field and embedded:
                raise ModelDefinitionError(
                    f"{name}.{attr}: cannot define a primary field in {name} embedded document "
                    "(embedded documents have no _id of their own)"
                )
        field = _pydantic_field(name, attr, info)
        if field is PydanticUndefined:
            namespace.pop(attr, None)
        else:
            namespace[attr] = field


def _add_generated_primary(
    name: str, namespace: dict[str, Any], infos: dict[str, FieldInfoODM]
) -> bool:
    """Add `id: ObjectId` (stored as `_id`) to a Model that declares no primary field."""
    if any(isinstance(i, ODMFieldInfo) and i.primary_field for i in infos.values()):
        return False
    annotations = namespace["__annotations__"]
    if "id" in annotations:
        raise ModelDefinitionError(
            f"{name}.id: can't automatically generate a primary field since an 'id' field "
            "already exists; declare it with Field(primary_field=True) or rename the field"
        )
    namespace["__annotations__"] = {**annotations, "id": ObjectId}
    namespace["id"] = pydantic.Field(
        default_factory=ObjectId, validation_alias=AliasChoices("id", "_id")
    )
    infos["id"] = ODMFieldInfo(
        key_name="_id", primary_field=True, index=False, unique=False, pydantic_kwargs={}
    )
    return True


def _field_schema(
    cls: type[Any], name: str, finfo: FieldInfo, info: FieldInfoODM | None, embedded: bool
) -> FieldSchema:
    """The schema of one field, refusing the kinds of fields that cannot be stored.

    A field annotated with the class being built gets its target when the schema is linked.
    """
    owner = cls.__name__
    annotation = finfo.annotation
    if isinstance(info, ODMReferenceInfo) and declared_later(annotation):
        # A model defined later: completed by `_resolve_pending` once it exists.
        return FieldSchema(name=name, key_name=key_name_of(name, info), kind="reference")
    reason = unstorable(annotation)
    if reason is not None:
        raise ModelDefinitionError(f"{owner}.{name}: {reason}")
    kind, model, shape, lazy = classify(owner, name, annotation, isinstance(info, ODMReferenceInfo))
    target = None if model is None or model is cls else schema_of(model)
    if isinstance(info, ODMReferenceInfo) and kind != "reference":
        raise ModelDefinitionError(
            f"{owner}.{name}: Reference() needs a Model type annotation, got {annotation!r}"
        )
    if kind == "reference" and not isinstance(info, ODMReferenceInfo):
        raise ModelDefinitionError(
            f"{owner}.{name}: cannot define a reference {name} (in {owner}) without a Reference "
            f"assigned to it: declare it `{name}: {model.__name__ if model else '...'} = "
            "Reference()`, or use an EmbeddedModel to store it inside the document"
        )
    reference = info if isinstance(info, ODMReferenceInfo) else None
    optional = is_optional(annotation)
    if reference is not None:
        check_delete_rule(owner, name, reference.on_delete, shape, optional)
    options = info if isinstance(info, ODMFieldInfo) else None
    if options is not None and options.primary_field and kind == "embedded" and shape != "one":
        raise ModelDefinitionError(
            f"{owner}.{name}: Declaring a generic type of embedded models as a primary field is "
            f"not allowed: {name} in {owner}"
        )
    key_name = key_name_of(name, info)
    if key_name.startswith("$") or "." in key_name or "\x00" in key_name:
        raise ModelDefinitionError(
            f"{owner}.{name}: key_name {key_name!r} cannot start with '$' or contain '.' "
            "(key_name cannot contain the dot (.) character, nor start with a dollar ($))"
        )
    return FieldSchema(
        name=name,
        key_name=key_name,
        kind=kind,
        shape=shape,
        target=target,
        primary=bool(options and options.primary_field),
        index=bool(options and options.index),
        unique=bool(options and options.unique),
        mutable=kind == "embedded"
        or (kind == "reference" and shape == "list")
        or (kind == "plain" and is_mutable(annotation)),
        annotation=annotation,
        constraints=tuple(finfo.metadata),
        has_default=finfo.default is not PydanticUndefined,
        lazy=lazy,
        optional=optional,
        on_delete=reference.on_delete if reference is not None else "nothing",
        depth=reference.depth if reference is not None else None,
        reference_index=reference.index if reference is not None else False,
        revision=bool(options and options.revision),
    )


def _check_defaults(cls: type[pydantic.BaseModel], infos: dict[str, FieldInfoODM]) -> None:
    """Refuse a plain default value that does not validate as its field (`x: str = 255`), and
    warn of one given to `Field()` (`Field(default=255)`): as ODMantic 1.1, that class is
    accepted and building an instance that uses the default raises `ValidationError`."""
    for name, finfo in cls.__pydantic_fields__.items():
        default = finfo.default
        if default is PydanticUndefined or default is None:
            continue
        annotation: Any = finfo.annotation
        if finfo.metadata:
            annotation = Annotated.__class_getitem__((annotation, *finfo.metadata))  # type: ignore[attr-defined]
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        except (PydanticUserError, NameError, TypeError):
            continue  # forward references: checked when an instance is validated
        try:
            adapter.validate_python(default)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"]
            if not isinstance(infos.get(name), ODMFieldInfo):
                raise ModelDefinitionError(
                    f"{cls.__name__}.{name}: Unhandled field definition {cls.__name__}: "
                    f"{finfo.annotation!r} = {default!r} (the default does not validate: {reason})"
                ) from None
            warnings.warn(
                f"{cls.__name__}.{name}: the default {default!r} does not validate as "
                f"{finfo.annotation!r} ({reason}); an instance built without {name} will raise "
                "ValidationError",
                UserWarning,
                stacklevel=3,
            )


def _build_schema(
    cls: type[Any], infos: dict[str, FieldInfoODM], options: ModelOptions, generated_id: bool
) -> ModelSchema:
    owner = cls.__name__
    embedded = options.collection is None
    names = list(cls.__pydantic_fields__)
    if generated_id:  # shown first, as ODMantic 1.1 does; pydantic keeps it last
        names = ["id", *(n for n in names if n != "id")]
    fields = {
        name: _field_schema(cls, name, cls.__pydantic_fields__[name], infos.get(name), embedded)
        for name in names
    }
    schema_checks.check_key_names(owner, fields)
    schema_checks.check_revision(owner, fields, embedded)
    schema_checks.check_discriminator(
        owner, fields, options.discriminator and options.discriminator[0]
    )
    schema_checks.check_hooks_allowed(owner, vars(cls), embedded)
    schema = ModelSchema(
        name=owner,
        collection=options.collection,
        fields=fields,
        indexes=options.indexes,
        parse_doc_with_default_factories=options.parse_doc_with_default_factories,
        discriminator=options.discriminator,
        family=options.family,
        shard_key=check_shard_key(owner, fields, options.shard_key),
        pre_images=options.pre_images,
        default_factory_fields=frozenset(
            name
            for name, finfo in cls.__pydantic_fields__.items()
            if finfo.default_factory is not None
        ),
        extra_allowed=cls.model_config.get("extra") == "allow",
        copy_on_load=cls.model_config.get("extra") == "allow"
        or any(
            (f.kind == "plain" and holds_any(cls.__pydantic_fields__[f.name].annotation))
            or (f.kind == "embedded" and f.target is not None and f.target.copy_on_load)
            for f in fields.values()
        ),
        free_keys=cls.model_config.get("extra") == "allow"
        or any(
            (f.kind == "plain" and has_free_keys(cls.__pydantic_fields__[f.name].annotation))
            or (f.kind == "embedded" and f.target is not None and f.target.free_keys)
            for f in fields.values()
        ),
    )
    schema.link_self_references(
        name
        for name, finfo in cls.__pydantic_fields__.items()
        if fields[name].kind != "plain"
        and fields[name].target is None
        and not declared_later(finfo.annotation)
    )
    return schema


_PENDING: weakref.WeakKeyDictionary[type[Any], dict[str, FieldInfoODM]] = (
    weakref.WeakKeyDictionary()
)  # classes referencing models not defined yet, with their fields' ODM options


def _resolve_pending() -> None:
    """Complete the references of earlier classes to the models defined since (a cycle of
    references between models: `captain: Lazy[Player]` declared before `Player`)."""
    for cls, infos in list(_PENDING.items()):
        try:
            if not cls.model_rebuild(raise_errors=False, _types_namespace=namespace_of(cls)):
                continue
        except (NameError, TypeError, PydanticUserError):
            continue
        schema: ModelSchema = cls.__odmantic_schema__
        embedded = schema.collection is None
        for name, field in schema.fields.items():
            if field.kind == "reference" and field.annotation is None:
                finfo = cls.__pydantic_fields__[name]
                schema.resolve_field(name, _field_schema(cls, name, finfo, infos[name], embedded))
        del _PENDING[cls]
        forget_schemas()


@dataclass_transform(
    kw_only_default=True,
    field_specifiers=(Field, Reference, pydantic.Field, pydantic.PrivateAttr),
)
class ODMModelMetaclass(ModelMetaclass):
    """Builds the pydantic model, then the one `ModelSchema` of the class (`__odmantic_schema__`)."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type[Any], ...],
        namespace: dict[str, Any],
        **kwargs: Any,
    ) -> type:
        if namespace.get("__odmantic_odm_base__", False):
            return super().__new__(mcs, name, bases, namespace, **kwargs)
        namespace.setdefault("__odmantic_odm_base__", False)
        namespace.setdefault("__annotations__", {})
        parents = [s for s in map(schema_of, bases) if s is not None]
        options = model_options(name, namespace, parents)
        inherited = _inherited_infos(parents, namespace["__annotations__"].keys())
        declared = _declared_infos(name, namespace, inherited)
        _install_fields(name, namespace, declared, options.collection is None)
        infos = {**inherited, **declared}
        generated_id = options.collection is not None and _add_generated_primary(
            name, namespace, infos
        )
        swap_raw_bson_classes(namespace, namespace["__annotations__"])
        namespace.setdefault("__doc__", "")  # as ODMantic 1.1: not Model's own docstring
        cls = mcs._build_pydantic_model(name, bases, namespace, infos, **kwargs)
        _check_defaults(cls, infos)
        schema = _build_schema(cls, infos, options, generated_id)
        type.__setattr__(cls, "__odmantic_schema__", schema)
        primary = None if schema.primary is None else schema.primary.name
        type.__setattr__(cls, "__primary_field__", primary)
        if schema.collection is not None:
            type.__setattr__(cls, "__collection__", schema.collection)
            register_model(cls)
        if schema.discriminator is not None:
            register_member(cls)
        remember(cls)
        fields = cls.__pydantic_fields__
        if any(declared_later(fields[name].annotation) for name in schema.reference_names):
            _PENDING[cls] = infos
        _resolve_pending()
        return cls

    @classmethod
    def _build_pydantic_model(
        mcs,
        name: str,
        bases: tuple[type[Any], ...],
        namespace: dict[str, Any],
        infos: dict[str, FieldInfoODM],
        **kwargs: Any,
    ) -> type[pydantic.BaseModel]:
        """Let pydantic build the class, then add the BSON behaviour to its field types."""
        token = _BUILDING.set(True)
        try:
            cls: type[pydantic.BaseModel] = super().__new__(mcs, name, bases, namespace, **kwargs)
            if rewrite_field_types(cls, infos):
                cls.model_rebuild(force=True)
            return cls
        except PydanticUserError as exc:
            attr = re.search(r"`(\w+) = ", exc.message)
            if exc.code == "model-field-missing-annotation" and attr is not None:
                raise ModelDefinitionError(
                    f"{name}.{attr[1]}: field {attr[1]} is defined without type annotation; "
                    f"{exc.message}"
                ) from exc
            raise ModelDefinitionError(f"{name}: {exc.message}") from exc
        finally:
            _BUILDING.reset(token)

    def __getattr__(cls, name: str) -> Any:
        if name == "__pydantic_model__" and schema_of(cls) is not None:
            return plain_model(cls)
        schema = cls.__dict__.get("__odmantic_schema__")
        if isinstance(schema, ModelSchema) and name in schema.fields and not _BUILDING.get():
            field = schema.fields[name]
            proxy = ReferenceProxy if field.kind == "reference" else FieldProxy
            return proxy(field.key_name, field, schema)
        return super().__getattr__(name)  # type: ignore[misc]

    def __pos__(cls) -> str:
        schema = cls.__dict__.get("__odmantic_schema__")
        if not isinstance(schema, ModelSchema) or schema.collection is None:
            raise TypeError(f"{cls.__name__} is an EmbeddedModel: it has no collection")
        return schema.collection


__all__ = ["ODMModelMetaclass", "key_name_of"]
