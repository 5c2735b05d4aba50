"""What the metaclass adds to the field types pydantic built: BSON behaviour, const checks,
references stored as their primary key, functions held by the class left out of documents."""

from __future__ import annotations

import types
from typing import Annotated, Any, get_args, get_origin

from pydantic import (
    AfterValidator,
)

from odmantic._internal.annotations import substitute_bson_types
from odmantic.field import ODMFieldInfo, ODMReferenceInfo

FieldInfoODM = ODMFieldInfo | ODMReferenceInfo


def _const_validator(owner: str, name: str, default: Any) -> AfterValidator:
    def check(value: Any) -> Any:
        if value != default:
            raise ValueError(f"{owner}.{name} is constant: it must be {default!r}")
        return value

    check.odmantic_const = True  # type: ignore[attr-defined]
    return AfterValidator(check)


def is_const_check(item: object) -> bool:
    """Whether a field's metadata item is the check `Field(const=True)` added."""
    return getattr(getattr(item, "func", None), "odmantic_const", False) is True


_FUNCTION_TYPES = frozenset(
    {types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.LambdaType}
)


def rewrite_field_types(cls: type[Any], infos: dict[str, FieldInfoODM]) -> bool:
    """Add BSON behaviour and const checks to the pydantic fields; True if any was changed."""
    changed = False
    for name, finfo in cls.__pydantic_fields__.items():
        info = infos.get(name)
        # A subclass gets copies of its parents' fields, rewritten already.
        if (
            isinstance(info, ODMFieldInfo)
            and info.pydantic_kwargs.get("_const")
            and not any(is_const_check(item) for item in finfo.metadata)
        ):
            finfo.metadata.append(_const_validator(cls.__name__, name, finfo.default))
            changed = True
        annotation = finfo.annotation
        if annotation in _FUNCTION_TYPES and not finfo.exclude:
            # A function held by the class (`describe_: FunctionType = describe`, with
            # arbitrary_types_allowed) is not data: left out of documents, as ODMantic 1.1.
            finfo.exclude = True
            changed = True
            continue
        substituted = substitute_bson_types(annotation)
        if substituted is not annotation:
            if get_origin(substituted) is Annotated and get_args(substituted)[0] is annotation:
                # Keep the BSON marker after the Field constraints, so they stay in pydantic-core.
                present = {(type(m), repr(m)) for m in finfo.metadata}
                added = [m for m in substituted.__metadata__ if (type(m), repr(m)) not in present]
                finfo.metadata.extend(added)
            else:
                finfo.annotation = substituted
            changed = True
    return changed


__all__ = ["rewrite_field_types", "is_const_check"]
