# generated from examples/_async/guide_updates.py by codegen; do not edit
"""Guide: typed updates, projections, aggregation and distinct."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from odmantic import Model, SyncEngine
from odmantic.update import inc, push, set_


class Member(Model):
    model_config = {"collection": "guide_members"}

    name: str
    team: str
    points: int = 0
    badges: list[str] = []


class MemberName(BaseModel):
    name: str


class TeamPoints(BaseModel):
    team: str = Field(alias="_id")
    points: int


def main(engine: SyncEngine) -> None:
    """Atomic updates, then read back only what is needed."""
    engine.save_all(
        [Member(name=n, team=t) for n, t in [("a", "red"), ("b", "red"), ("c", "blue")]]
    )
    result = engine.update_many(
        Member, Member.team == "red", update=inc(Member.points, 5)
    )
    assert result.modified == 2
    winner = engine.find_one_and_update(
        Member,
        Member.name == "c",
        update=inc(Member.points, 7) & push(Member.badges, "mvp"),
    )
    assert winner is not None and (winner.points, winner.badges) == (7, ["mvp"])
    engine.update_one(Member, Member.name == "a", update=set_(Member.team, "blue"))

    names = engine.find(
        Member, Member.team == "blue", sort=Member.name, projection=MemberName
    )
    assert [n.name for n in names] == ["a", "c"]
    group: list[dict[str, Any]] = [
        {"$group": {"_id": "$team", "points": {"$sum": "$points"}}},
        {"$sort": {"_id": 1}},
    ]
    totals = engine.aggregate(Member, group, output=TeamPoints).to_list()
    assert [(t.team, t.points) for t in totals] == [("blue", 12), ("red", 5)]
    assert sorted(engine.distinct(Member, Member.team)) == ["blue", "red"]
