# generated from examples/_async/guide_updates.py by codegen; do not edit
"""Guide: updates, projections, aggregation and distinct.

docs/guides/updates.md shows each section and its output; the test compares what this
prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

import pydantic
from pydantic import BaseModel

from odmantic import Field, Model, SyncEngine
from odmantic.update import inc, push, set_

# --8<-- [end:imports]


# --8<-- [start:model]
class Member(Model):
    model_config = {"collection": "guide_members"}

    name: str
    team: str
    points: int = Field(default=0, ge=0)
    badges: list[str] = []
    # --8<-- [end:model]


# --8<-- [start:member_name]
class MemberName(BaseModel):
    name: str
    # --8<-- [end:member_name]


# --8<-- [start:team_points]
class TeamPoints(BaseModel):
    team: str = pydantic.Field(alias="_id")
    points: int
    # --8<-- [end:team_points]


def main(engine: SyncEngine) -> None:
    """Every section of the updates guide, in order."""
    teams = [("a", "red"), ("b", "red"), ("c", "blue")]
    engine.save_all([Member(name=name, team=team) for name, team in teams])

    # --8<-- [start:update_many]
    result = engine.update_many(
        Member, Member.team == "red", update=inc(Member.points, 5)
    )
    print(result.matched, result.modified)
    # --8<-- [end:update_many]

    # --8<-- [start:find_one_and_update]
    winner = engine.find_one_and_update(
        Member,
        Member.name == "c",
        update=inc(Member.points, 7) & push(Member.badges, "mvp"),
    )
    print(winner.points if winner else None, winner.badges if winner else None)
    # --8<-- [end:find_one_and_update]

    # --8<-- [start:checked]
    try:
        set_(Member.points, -1)
    except ValueError as error:
        print(type(error).__name__, "Member.points" in str(error))
    # --8<-- [end:checked]

    # --8<-- [start:upsert]
    engine.update_one(
        Member, Member.name == "d", update=set_(Member.team, "green"), upsert=True
    )
    added = engine.find_one(Member, Member.name == "d")
    print(added.team if added else None, added.points if added else None)
    # --8<-- [end:upsert]

    # --8<-- [start:projection]
    cursor = engine.find(
        Member, Member.team == "red", sort=Member.name, projection=MemberName
    )
    print(cursor.to_list())
    # --8<-- [end:projection]

    # --8<-- [start:aggregate]
    group: list[dict[str, Any]] = [
        {"$group": {"_id": "$team", "points": {"$sum": "$points"}}},
        {"$sort": {"_id": 1}},
    ]
    totals = engine.aggregate(Member, group, output=TeamPoints).to_list()
    print([(total.team, total.points) for total in totals])
    # --8<-- [end:aggregate]

    # --8<-- [start:distinct]
    print(sorted(engine.distinct(Member, Member.team)))
    # --8<-- [end:distinct]
