"""Guide: queries and sorting."""

from __future__ import annotations

from odmantic import AIOEngine, EmbeddedModel, Model, query


class Town(EmbeddedModel):
    name: str


class Hero(Model):
    model_config = {"collection": "guide_heroes"}

    name: str
    level: int = 0
    tags: list[str] = []
    town: Town = Town(name="Paris")


async def main(engine: AIOEngine) -> None:
    """Filters with operators, logical combinations, embedded paths and sorting."""
    await engine.save_all(
        [
            Hero(name="Leeroy", level=60, tags=["paladin"]),
            Hero(
                name="Jaina",
                level=55,
                tags=["mage", "leader"],
                town=Town(name="Theramore"),
            ),
            Hero(name="Rexxar", level=40, tags=["hunter"]),
        ]
    )
    strong = await engine.find(Hero, Hero.level > 50, sort=query.desc(Hero.level))
    assert [h.name for h in strong] == ["Leeroy", "Jaina"]
    mages = await engine.find(Hero, query.in_(Hero.tags, ["mage"]) | (Hero.level < 45))
    assert sorted(h.name for h in mages) == ["Jaina", "Rexxar"]
    assert await engine.count(Hero, Hero.town.name == "Theramore") == 1
    assert await engine.count(Hero, query.match(Hero.name, "^J")) == 1
