# generated from examples/_async/guide_schema.py by codegen; do not edit
"""Guide: schema evolution.

docs/guides/schema.md shows each section and its output; the test compares what this
prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

from pymongo.errors import WriteError

from odmantic import Field, Model, SyncEngine
from odmantic.migration import rewrite

# --8<-- [end:imports]


# --8<-- [start:models]
class PlayerV1(Model):
    """How last year's code stored players."""

    model_config = {"collection": "guide_players"}

    name: str
    lvl: int = 0


class Player(Model):
    """Today's model: `level` replaces `lvl`, with bounds."""

    model_config = {"collection": "guide_players"}

    name: str = Field(min_length=1)
    level: int = Field(ge=0, le=100)
    # --8<-- [end:models]


def main(engine: SyncEngine) -> None:
    engine.save_all([PlayerV1(name="Ada", lvl=3), PlayerV1(name="Bo", lvl=12)])

    # --8<-- [start:check]
    report = engine.check_documents(Player)
    print(report.checked, report.failed)
    for failures in report.fields:
        print(failures.field, failures.count, failures.examples[0][1])
    # --8<-- [end:check]

    # --8<-- [start:rewrite]
    def move_level(document: dict[str, Any]) -> dict[str, Any]:
        document["level"] = document.pop("lvl", 0)
        return document

    done = rewrite(engine, Player, move_level, {"level": {"$exists": False}})
    print(done)
    print(engine.check_documents(Player).ok)
    # --8<-- [end:rewrite]

    # --8<-- [start:typed]
    def upgrade(old: PlayerV1) -> Player:
        return Player(id=old.id, name=old.name, level=old.lvl)

    engine.save(PlayerV1(name="Cy", lvl=7))
    print(rewrite(engine, Player, upgrade, {"lvl": {"$exists": True}}))
    # --8<-- [end:typed]

    # --8<-- [start:schema]
    schema = Player.model_bson_schema()
    print(schema["required"])
    print(schema["properties"]["level"])
    # --8<-- [end:schema]

    # --8<-- [start:validate]
    engine.configure_database([Player], validation="error")
    engine.save(Player(name="Dee", level=1))  # what odmantic writes passes
    try:
        engine.get_collection(Player).insert_one({"name": "Eve", "level": "max"})
    except WriteError as error:
        print(error.code, error.details and error.details["errmsg"])
    # --8<-- [end:validate]
