"""Models with hooks, shared by both twins' tests; `CALLS` records what ran, in order."""

from __future__ import annotations

from datetime import datetime

from odmantic import Model, Reference, after_delete, after_save, before_delete, before_save

CALLS: list[str] = []


class Stamped(Model):
    model_config = {"collection": "hook_stamped"}

    name: str
    updated: datetime | None = None

    @before_save
    def stamp(self) -> None:
        CALLS.append(f"before_save {self.name}")
        if self.name == "refused":
            raise ValueError("refused by its hook")
        self.updated = datetime(2024, 1, 1)

    @after_save
    def saved(self) -> None:
        CALLS.append(f"after_save {self.name}")

    @before_delete
    def check(self) -> None:
        CALLS.append(f"before_delete {self.name}")
        if self.name == "kept":
            raise PermissionError("kept by its hook")

    @after_delete
    def deleted(self) -> None:
        CALLS.append(f"after_delete {self.name}")


class Child(Stamped):
    model_config = {"collection": "hook_child"}

    @before_save
    def first_own(self) -> None:
        CALLS.append("child first")

    @before_save
    def second_own(self) -> None:
        CALLS.append("child second")


class AsyncHooked(Model):
    model_config = {"collection": "hook_async"}

    name: str

    @before_save
    async def remember(self) -> None:
        CALLS.append(f"async before_save {self.name}")


class Parent(Model):
    model_config = {"collection": "hook_parent"}

    name: str


class Kid(Model):
    model_config = {"collection": "hook_kid"}

    name: str
    parent: Parent = Reference(on_delete="cascade")

    @before_delete
    def leaving(self) -> None:
        CALLS.append(f"before_delete {self.name}")

    @after_delete
    def left(self) -> None:
        CALLS.append(f"after_delete {self.name}")


class Holder(Model):
    model_config = {"collection": "hook_holder"}

    item: Stamped = Reference()


class Loud(Model):
    model_config = {"collection": "hook_loud"}

    name: str

    @after_save
    def shout(self) -> None:
        CALLS.append(f"after_save {self.name}")
        if self.name == "boom":
            raise RuntimeError("after_save failed")
