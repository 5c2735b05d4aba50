"""`Model.__pydantic_model__` (ODMantic 1.1's name): a plain pydantic model with the fields of an
odmantic model, for FastAPI response models and other pydantic-only code."""

from __future__ import annotations

import copy
import functools
import operator
import types
import weakref
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from odmantic._internal.schema import schema_of
from odmantic.bson import BaseBSONModel

_PLAIN: weakref.WeakKeyDictionary[type, type[BaseModel]] = weakref.WeakKeyDictionary()


def plain_model(cls: Any) -> type[BaseModel]:
    """The plain pydantic model of `cls` (built once): the same fields, defaults and
    constraints; referenced and embedded models as their own plain models; titled as `cls`.

    Example:
        ```python
        @app.get("/books/{id}", response_model=Book.__pydantic_model__)
        ```
    """
    found = _PLAIN.get(cls)
    if found is not None:
        return found
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for name, finfo in cls.__pydantic_fields__.items():
        plain = copy.copy(finfo)
        plain.annotation = _plain_annotation(finfo.annotation)
        annotations[name] = plain.annotation
        namespace[name] = plain
    title = cls.model_config.get("title") or cls.__name__
    namespace.update(
        __annotations__=annotations,
        __module__=cls.__module__,
        __qualname__=cls.__qualname__,
        __doc__=cls.__doc__,
        model_config=ConfigDict(title=title, arbitrary_types_allowed=True),
    )
    built: type[BaseModel] = type(cls.__name__, (BaseBSONModel,), namespace)
    _PLAIN[cls] = built
    return built


def _plain_annotation(annotation: Any) -> Any:
    """`annotation` with every odmantic model in it replaced by its plain model."""
    if isinstance(annotation, type) and schema_of(annotation) is not None:
        return plain_model(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if not args:
        return annotation
    if origin is Annotated:
        inner = _plain_annotation(args[0])
        return Annotated.__class_getitem__((inner, *annotation.__metadata__))  # pyright: ignore[reportAttributeAccessIssue]
    plain = tuple(_plain_annotation(arg) for arg in args)
    if plain == args:
        return annotation
    if origin is Union:
        return Union[plain]  # noqa: UP007
    if origin is types.UnionType:
        return functools.reduce(operator.or_, plain)
    if hasattr(annotation, "copy_with"):
        return annotation.copy_with(plain)
    return origin[plain] if origin is not None else annotation


__all__ = ["plain_model"]
