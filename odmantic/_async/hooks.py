"""Running the hooks of model instances around the engine's writes (the decisions of which
hooks run, and in what order, are `odmantic._internal.hooks`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from odmantic._async import adapter
from odmantic._internal.hooks import Hook, has_hooks, with_hooks
from odmantic._internal.write_plan import Mode, SavePlan, plan_saves
from odmantic.hooks import HookKind


async def run_before(instances: Sequence[Any], kind: HookKind) -> dict[int, BaseException]:
    """Run the `before_*` hooks of each instance; return the failures by instance (`id()`):
    an instance whose hook raised is not written, the others are."""
    after: HookKind = "after_save" if kind == "before_save" else "after_delete"
    for _, hooks in with_hooks(instances, after):  # refused before anything is written
        for hook in hooks:
            adapter.check_hook(hook)
    failures: dict[int, BaseException] = {}
    for instance, hooks in with_hooks(instances, kind):
        try:
            await run(instance, hooks)
        except Exception as exc:  # the write of this instance is cancelled, then it propagates
            failures[id(instance)] = exc
    return failures


async def plan_saves_with_hooks(
    instances: Sequence[Any], mode: Mode
) -> tuple[SavePlan, dict[int, BaseException]]:
    """The plan of a save, its `before_save` hooks run: without the instances they refused
    (and those referencing them), with the references they added. Also returns the refusals."""
    saves = plan_saves(instances, mode)
    planned = saves.instances
    if not any(
        has_hooks(model, "before_save", "after_save") for model in {type(i) for i in planned}
    ):
        return saves, {}
    refused = await run_before(planned, "before_save")
    saves = plan_saves(instances, mode)  # the hooks may have added references
    before = {id(instance) for instance in planned}
    added = [i for i in saves.instances if id(i) not in before]
    if added:
        refused.update(await run_before(added, "before_save"))
    return (saves.without(refused.keys()) if refused else saves), refused


async def run_after_saves(saves: SavePlan, session: Any) -> None:
    """The `after_save` hooks of the instances of `saves` that are stored as they are now."""
    if any(has_hooks(model, "after_save") for model in {type(i) for i in saves.instances}):
        await run_after(saves.saved(), "after_save", session)


async def run_after(instances: Sequence[Any], kind: HookKind, session: Any) -> None:
    """Run the `after_*` hooks of each instance, or, inside an odmantic transaction, once it
    commits (never if it aborts)."""
    pairs = with_hooks(instances, kind)
    if not pairs:
        return
    defer = getattr(session, "_defer_after_commit", None)
    if defer is not None:
        defer(pairs)
        return
    await run_all(pairs)


async def run_all(pairs: Sequence[tuple[Any, tuple[Hook, ...]]]) -> None:
    """Run hooks already chosen, instance by instance: an instance's failing hook does not
    keep the others' from running; the first error is raised once all have run."""
    first: BaseException | None = None
    for instance, hooks in pairs:
        try:
            await run(instance, hooks)
        except Exception as exc:
            first = first or exc
    if first is not None:
        raise first


async def run(instance: Any, hooks: tuple[Hook, ...]) -> None:
    """Run `hooks` on `instance`, in order."""
    for hook in hooks:
        await adapter.call_hook(hook, instance)
