"""Hooks: model methods the engines call around the writes of each instance.

Decorate a method of a model with `before_save`, `after_save`, `before_delete` or
`after_delete`. A hook takes the instance only; it is a plain method, or, for `AIOEngine`, an
`async def` (`SyncEngine` refuses one with a `TypeError` naming it). Hooks are inherited: a
parent's run first, then the class's own, in the order they are defined.

`save`, `save_all`, `insert`, `insert_all` and `delete` run them once per instance, in the
engines, sessions and transactions. A `before_*` hook may change the instance (what it sets is
written in the same write); an exception in it cancels that instance's write and propagates.
Inside a transaction the `after_*` hooks run once it commits, and not at all if it aborts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

HookKind = Literal["before_save", "after_save", "before_delete", "after_delete"]
HOOK_KINDS: tuple[HookKind, ...] = ("before_save", "after_save", "before_delete", "after_delete")

MethodT = TypeVar("MethodT", bound=Callable[..., Any])


def _mark(method: MethodT, kind: HookKind) -> MethodT:
    if not callable(method):
        raise TypeError(f"@{kind} decorates a method of a model, got {method!r}")
    kinds = getattr(method, "__odmantic_hooks__", ())
    method.__odmantic_hooks__ = (*kinds, kind)  # type: ignore[attr-defined]  # stackable
    return method


def before_save(method: MethodT) -> MethodT:
    """Run the method before the instance is saved or inserted.

    Example:
        ```python
        class Post(Model):
            title: str
            updated_at: datetime | None = None

            @before_save
            def touch(self) -> None:
                self.updated_at = datetime.now(timezone.utc)
        ```
    """
    return _mark(method, "before_save")


def after_save(method: MethodT) -> MethodT:
    """Run the method once the instance is saved or inserted (after the commit, in a transaction).

    Example:
        ```python
        class Post(Model):
            title: str

            @after_save
            async def announce(self) -> None:
                await queue.put(self.id)
        ```
    """
    return _mark(method, "after_save")


def before_delete(method: MethodT) -> MethodT:
    """Run the method before the instance's document is deleted (raise to keep it).

    Example:
        ```python
        class Post(Model):
            locked: bool = False

            @before_delete
            def refuse_locked(self) -> None:
                if self.locked:
                    raise PermissionError(f"post {self.id} is locked")
        ```
    """
    return _mark(method, "before_delete")


def after_delete(method: MethodT) -> MethodT:
    """Run the method once the instance's document is deleted (after the commit, in a
    transaction).

    Example:
        ```python
        class Upload(Model):
            path: str

            @after_delete
            def remove_file(self) -> None:
                os.remove(self.path)
        ```
    """
    return _mark(method, "after_delete")


__all__ = ["before_save", "after_save", "before_delete", "after_delete", "HookKind", "HOOK_KINDS"]
