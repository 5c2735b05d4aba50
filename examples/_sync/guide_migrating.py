# generated from examples/_async/guide_migrating.py by codegen; do not edit
"""Guide: migrating from ODMantic 1.1 (docs/guides/migrating.md shows each section and
its output; the test compares what this prints with the guide's output blocks)."""

from __future__ import annotations

import warnings
from datetime import datetime

from pydantic import ValidationError

from odmantic import Field, Model, Reference, SyncEngine
from odmantic.bson import Decimal128


class Author(Model):
    model_config = {"collection": "guide_migrating_authors"}

    name: str


class Book(Model):
    model_config = {"collection": "guide_migrating_books"}

    title: str
    author: Author | None = Reference()


class Player(Model):
    model_config = {"collection": "guide_migrating_players"}

    name: str
    level: int = 0


class Match(Model):
    model_config = {"collection": "guide_migrating_matches"}

    played: datetime
    prize: Decimal128


def main(engine: SyncEngine) -> None:
    """Every section of the migration guide, in order."""
    engine.save(Player(name="Alice", level=3))

    # --8<-- [start:driver]
    collection = engine.get_collection(Player)  # the driver's collection
    raw = collection.find_one({"name": "Alice"})
    print(raw["level"] if raw else None)
    print([player.name for player in engine.find(Player)])
    players = engine.find(Player, Player.level > 1).to_list()
    print(len(players))
    # --8<-- [end:driver]

    # --8<-- [start:references]
    try:

        class Review(Model):
            book: Book | None  # a Model held without Reference()

    except TypeError as error:
        print(type(error).__name__, str(error).split(":")[0])
    book = engine.save(Book(title="Dune", author=Author(name="Herbert")))
    stored = engine.get_collection(Book).find_one({"_id": book.id})
    print(stored["author"] == book.author.id if stored and book.author else None)
    # --8<-- [end:references]

    # --8<-- [start:changes]
    alice = engine.find_one(Player, Player.name == "Alice")
    assert alice is not None
    collection.update_one({"_id": alice.id}, {"$set": {"level": 7}})  # elsewhere
    alice.name = "Alicia"
    engine.save(alice)  # sends {"$set": {"name": "Alicia"}} only
    after = collection.find_one({"_id": alice.id})
    print((after["name"], after["level"]) if after else None)
    alice.__fields_modified__.add("level")  # write this field as it is, as 1.1 did
    engine.save(alice)
    after = collection.find_one({"_id": alice.id})
    print((after["name"], after["level"]) if after else None)
    # --8<-- [end:changes]

    # --8<-- [start:values]
    match = Match.model_validate({"played": "2024-05-01T14:00:00+02:00", "prize": 3})
    print(match.played, repr(match.prize))
    engine.save(match)
    loaded = engine.find_one(Match, Match.id == match.id)
    print(loaded.played if loaded else None)
    # --8<-- [end:values]

    # --8<-- [start:defaults]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        class Settings(Model):
            volume: int = Field(default="loud")

    print([warning.category.__name__ for warning in caught])
    try:
        Settings()
    except ValidationError as error:
        print(type(error).__name__, error.error_count())
    # --8<-- [end:defaults]
