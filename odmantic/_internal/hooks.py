"""Which hooks a model class has, in the order they run (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from odmantic._internal.polymorphism import members_of
from odmantic.hooks import HOOK_KINDS, HookKind

Hook = Callable[[Any], Any]


_FOUND: dict[tuple[type[Any], str], tuple[Hook, ...]] = {}


def hooks_of(model: type[Any], kind: HookKind) -> tuple[Hook, ...]:
    """The hooks of `kind` of `model`: its parents' first, each class's in definition order
    (a method redefined by a subclass runs once, as redefined)."""
    found = _FOUND.get((model, kind))
    if found is None:
        found = _FOUND[(model, kind)] = _hooks_of(model, kind)
    return found


def _hooks_of(model: type[Any], kind: HookKind) -> tuple[Hook, ...]:
    names: list[str] = []
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if kind in getattr(value, "__odmantic_hooks__", ()) and name not in names:
                names.append(name)
    found = []
    for name in names:
        method = getattr(model, name)
        if kind in getattr(method, "__odmantic_hooks__", ()):
            found.append(method)
    return tuple(found)


def has_hooks(model: type[Any], *kinds: HookKind) -> bool:
    """Whether `model` has hooks of any of `kinds` (of any kind when none is given)."""
    return any(hooks_of(model, kind) for kind in kinds or HOOK_KINDS)


def with_hooks(instances: Sequence[Any], kind: HookKind) -> list[tuple[Any, tuple[Hook, ...]]]:
    """The instances that have hooks of `kind`, each with them."""
    found = []
    for instance in instances:
        hooks = hooks_of(type(instance), kind)
        if hooks:
            found.append((instance, hooks))
    return found


_SKIPPED: dict[str, tuple[HookKind, ...]] = {
    "remove": ("before_delete", "after_delete"),
    "update_one": ("before_save", "after_save"),
    "update_many": ("before_save", "after_save"),
    "find_one_and_update": ("before_save", "after_save"),
}


def refuse_skipped_hooks(model: Any, operation: str, hooks: bool) -> None:
    """Refuse a query-level write that would skip `model`'s hooks in silence.

    Raises:
        TypeError: the model has hooks the operation cannot run (it writes documents, not
            instances), naming them; `hooks=False` skips them knowingly.
    """
    if not hooks:
        return
    kinds = _SKIPPED[operation]
    found = list(
        dict.fromkeys(
            hook_name(hook)
            for member in members_of(model)  # in a polymorphic collection, its subclasses too
            for kind in kinds
            for hook in hooks_of(member, kind)
        )
    )
    if found:
        raise TypeError(
            f"{operation}({model.__name__}) would skip the hooks {', '.join(found)}: it writes "
            "documents, not instances. Load the instances and save or delete them, or pass "
            "hooks=False to skip the hooks knowingly"
        )


def hook_name(hook: Hook) -> str:
    """`Model.method`, for messages."""
    return getattr(hook, "__qualname__", repr(hook))


__all__ = ["Hook", "hooks_of", "has_hooks", "with_hooks", "hook_name", "refuse_skipped_hooks"]
