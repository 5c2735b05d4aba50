"""Guide: queries (docs/guides/queries.md shows each section and its output; the test
compares what this prints with the guide's output blocks)."""

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
    """Every section of the queries guide, in order."""
    theramore = Town(name="Theramore")
    await engine.save_all(
        [
            Hero(name="Leeroy", level=60, tags=["paladin"]),
            Hero(name="Jaina", level=55, tags=["mage", "leader"], town=theramore),
            Hero(name="Rexxar", level=40, tags=["hunter"]),
        ]
    )

    # --8<-- [start:compare]
    strong = await engine.find(Hero, Hero.level > 50)
    print(sorted(hero.name for hero in strong))
    print(Hero.level > 50)
    # --8<-- [end:compare]

    # --8<-- [start:combine]
    leaders = await engine.find(
        Hero, query.all_(Hero.tags, ["leader"]) & (Hero.level >= 55)
    )
    print([hero.name for hero in leaders])
    either = await engine.count(Hero, query.or_(Hero.level < 45, Hero.name == "Jaina"))
    print(either)
    # --8<-- [end:combine]

    # --8<-- [start:operators]
    print(await engine.count(Hero, query.match(Hero.name, "^J")))
    print(await engine.count(Hero, query.in_(Hero.tags, ["mage", "hunter"])))
    print(await engine.count(Hero, Hero.town.name == "Theramore"))
    print(await engine.count(Hero, query.nor_(Hero.level > 55, Hero.level < 45)))
    # --8<-- [end:operators]

    # --8<-- [start:sort]
    ranked = await engine.find(Hero, sort=query.desc(Hero.level), limit=2)
    print([(hero.name, hero.level) for hero in ranked])
    by_name = (Hero.name, query.desc(Hero.level))
    page = await engine.find(Hero, sort=by_name, skip=1, limit=1)
    print([hero.name for hero in page])
    # --8<-- [end:sort]

    # --8<-- [start:raw]
    raw = await engine.find(Hero, {"tags": {"$size": 2}})
    print([hero.name for hero in raw])
    print(await engine.count(Hero, {"tags": {"$size": 1}}, Hero.level > 50))
    # --8<-- [end:raw]

    # --8<-- [start:stream]
    async for hero in engine.find(Hero, sort=Hero.name):
        print(hero.name, hero.__fields_modified__)
    # --8<-- [end:stream]
