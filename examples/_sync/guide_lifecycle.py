# generated from examples/_async/guide_lifecycle.py by codegen; do not edit
"""Guide: the model lifecycle.

docs/guides/lifecycle.md shows each section and its output; the test compares what this
prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from datetime import datetime

from odmantic import Field, Model, SyncEngine, after_save, before_delete, before_save
from odmantic.exceptions import RevisionConflictError
from odmantic.update import inc

# --8<-- [end:imports]


# --8<-- [start:polymorphic]
class Vehicle(Model):
    model_config = {"collection": "guide_vehicles", "polymorphic": True}

    name: str
    km: int = 0


class Car(Vehicle):
    doors: int = 4


class Truck(Vehicle):
    model_config = {"type_name": "truck"}

    load: float
    # --8<-- [end:polymorphic]


# --8<-- [start:hooks]
class Post(Model):
    model_config = {"collection": "guide_posts"}

    title: str
    published: bool = False
    edited: datetime | None = None

    @before_save
    def stamp(self) -> None:
        if not self.title.strip():
            raise ValueError("a post needs a title")
        self.edited = datetime(
            2024, 5, 1
        )  # a fixed date, so that the output is the same

    @after_save
    def announce(self) -> None:
        print("saved:", self.title)

    @before_delete
    def keep_published(self) -> None:
        if self.published:
            raise PermissionError(f"{self.title!r} is published")

    # --8<-- [end:hooks]


# --8<-- [start:revision]
class Account(Model):
    model_config = {"collection": "guide_accounts"}

    owner: str
    balance: int = 0
    version: int = Field(default=0, revision=True)
    # --8<-- [end:revision]


def main(engine: SyncEngine) -> None:
    """Every section of the lifecycle guide, in order."""
    # --8<-- [start:polymorphic-use]
    engine.save_all(
        [Car(name="Beetle", doors=2), Truck(name="Actros", load=18.0), Car(name="Golf")]
    )
    every = engine.find(Vehicle, sort=Vehicle.name)
    print([(type(v).__name__, v.name) for v in every])
    print([c.name for c in engine.find(Car, sort=Car.name)])
    print(engine.count(Vehicle, Car.doors > 2))
    raw = engine.get_collection(Vehicle).find_one({"name": "Actros"}, {"_id": 0})
    print(raw)
    # --8<-- [end:polymorphic-use]

    # --8<-- [start:hooks-use]
    post = engine.save(Post(title="Hello"))
    print(post.edited)
    try:
        engine.save_all([Post(title="Second"), Post(title=" ")])
    except ValueError as error:
        print("refused:", error)
    print(sorted(p.title for p in engine.find(Post)))
    # --8<-- [end:hooks-use]

    # --8<-- [start:hooks-transaction]
    with engine.transaction() as transaction:
        transaction.save(Post(title="Draft"))
        print("before the commit")
    print("after the commit")
    # --8<-- [end:hooks-transaction]

    # --8<-- [start:hooks-queries]
    post.published = True
    engine.save(post)
    try:
        engine.delete(post)
    except PermissionError as error:
        print(error)
    try:
        engine.remove(Post, Post.title == "Draft")
    except TypeError as error:
        print(str(error).split(":")[0])
    print(engine.remove(Post, Post.title == "Draft", hooks=False))
    # --8<-- [end:hooks-queries]

    # --8<-- [start:revision-use]
    engine.save(Account(owner="Ada", balance=100))
    mine = engine.find_one(Account)
    theirs = engine.find_one(Account)
    assert mine is not None and theirs is not None
    mine.balance += 50
    engine.save(mine)
    theirs.balance -= 30
    try:
        engine.save(theirs)
    except RevisionConflictError as error:
        print("conflict:", error.expected, error.stored)
    # --8<-- [end:revision-use]

    # --8<-- [start:revision-retry]
    fresh = engine.find_one(Account, Account.id == theirs.id)
    assert fresh is not None
    fresh.balance -= 30
    engine.save(fresh)
    engine.update_one(Account, Account.id == fresh.id, update=inc(Account.balance, 1))
    stored = engine.find_one(Account)
    assert stored is not None
    print(stored.balance, stored.version)
    # --8<-- [end:revision-retry]
