"""ODMantic 1.1's `instance.__fields_modified__`: a mutable set of field names, as a view over
the model's own change tracking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ChosenFields(set[str]):
    """The tracked field names after 1.1 code changed `__fields_modified__`."""


def _live(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of `set`, applied to the instance's tracking as it is now (a view read earlier
    may be stale), then written back to it."""

    def on_the_tracking(self: FieldsModified, *args: Any) -> Any:
        set.clear(self)
        set.update(self, self._owner.__odmantic_names_modified__())
        result = method(self, *args)
        self._owner.__odmantic_set_modified__(set(self))
        return self if result is None and method.__name__.startswith("__i") else result

    on_the_tracking.__name__ = method.__name__
    on_the_tracking.__doc__ = f"`set.{method.__name__}`, written back to the change tracking."
    return on_the_tracking


class FieldsModified(set[str]):
    """`instance.__fields_modified__` (ODMantic 1.1): a set of field names whose changes are
    written back to the instance's change tracking (they choose what the next save writes)."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Any, names: set[str]) -> None:
        super().__init__(names)
        self._owner = owner

    def __repr__(self) -> str:
        return repr(set(self))

    add = _live(set.add)
    discard = _live(set.discard)
    remove = _live(set.remove)
    pop = _live(set.pop)
    clear = _live(set.clear)
    update = _live(set.update)
    difference_update = _live(set.difference_update)
    intersection_update = _live(set.intersection_update)
    symmetric_difference_update = _live(set.symmetric_difference_update)
    __ior__ = _live(set.__ior__)
    __isub__ = _live(set.__isub__)
    __iand__ = _live(set.__iand__)
    __ixor__ = _live(set.__ixor__)


__all__ = ["ChosenFields", "FieldsModified"]
