"""ODMantic 1.1's `instance.__fields_modified__`: a mutable set of field names, as a view over
the model's own change tracking."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from typing_extensions import Self


class ChosenFields(set[str]):
    """The tracked field names after 1.1 code changed `__fields_modified__`."""


class FieldsModified(set[str]):
    """`instance.__fields_modified__` (ODMantic 1.1): a set of field names whose changes are
    written back to the instance's change tracking."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Any, names: set[str]) -> None:
        super().__init__(names)
        self._owner = owner

    def _written_back(self) -> None:
        self._owner.__odmantic_set_modified__(set(self))

    def __repr__(self) -> str:
        return repr(set(self))

    def add(self, name: str) -> None:
        super().add(name)
        self._written_back()

    def discard(self, name: object) -> None:
        super().discard(name)
        self._written_back()

    def remove(self, name: str) -> None:
        super().remove(name)
        self._written_back()

    def pop(self) -> str:
        name = super().pop()
        self._written_back()
        return name

    def clear(self) -> None:
        super().clear()
        self._written_back()

    def update(self, *others: Iterable[str]) -> None:
        super().update(*others)
        self._written_back()

    def difference_update(self, *others: Iterable[Any]) -> None:
        super().difference_update(*others)
        self._written_back()

    def intersection_update(self, *others: Iterable[Any]) -> None:
        super().intersection_update(*others)
        self._written_back()

    def symmetric_difference_update(self, other: Iterable[str]) -> None:
        super().symmetric_difference_update(other)
        self._written_back()

    def __ior__(self, other: AbstractSet[str]) -> Self:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __isub__(self, other: AbstractSet[Any]) -> Self:  # type: ignore[misc]
        self.difference_update(other)
        return self

    def __iand__(self, other: AbstractSet[Any]) -> Self:  # type: ignore[misc]
        self.intersection_update(other)
        return self

    def __ixor__(self, other: AbstractSet[str]) -> Self:  # type: ignore[override,misc]
        self.symmetric_difference_update(other)
        return self


__all__ = ["ChosenFields", "FieldsModified"]
