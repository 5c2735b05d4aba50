"""Forward references between models (`captain: Lazy[Player]` declared before `Player`):
where their names are looked up."""

from __future__ import annotations

import sys
import weakref
from typing import Any, ForwardRef

_DEFINED: weakref.WeakValueDictionary[tuple[str, str], type[Any]] = weakref.WeakValueDictionary()
"""The models defined, by module and name: a forward reference resolves in its own module."""


def remember(cls: type[Any]) -> None:
    """Record a model class, for the forward references of its module."""
    _DEFINED[cls.__module__, cls.__name__] = cls


def declared_later(annotation: Any) -> bool:
    """Whether a field's annotation names a class not defined yet (pydantic left it
    unresolved)."""
    return isinstance(annotation, (ForwardRef, str))


def namespace_of(cls: type[Any]) -> dict[str, Any]:
    """The names a forward reference of `cls` may use: the models defined in its module (in a
    function's body too), then its module's globals (imports included); never a model of
    another module that merely has the same name."""
    module = sys.modules.get(cls.__module__)
    found = {name: c for (where, name), c in _DEFINED.items() if where == cls.__module__}
    return {**(vars(module) if module is not None else {}), **found}


__all__ = ["remember", "declared_later", "namespace_of"]
