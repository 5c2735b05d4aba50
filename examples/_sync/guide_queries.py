# generated from examples/_async/guide_queries.py by codegen; do not edit
"""Guide: queries (docs/guides/queries.md shows each section and its output; the test
compares what this prints with the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from odmantic import EmbeddedModel, Model, Reference, SyncEngine, query
from odmantic.reference import through

# --8<-- [end:imports]


# --8<-- [start:model]
class Mount(Model):
    model_config = {"collection": "guide_mounts"}

    name: str
    speed: int


class Town(EmbeddedModel):
    name: str


class Item(EmbeddedModel):
    name: str
    count: int = 1


class Hero(Model):
    model_config = {"collection": "guide_heroes"}

    name: str
    level: int = 0
    tags: list[str] = []
    town: Town = Town(name="Paris")
    bag: list[Item] = []
    guild: str | None = None
    mount: Mount | None = Reference(default=None)
    # --8<-- [end:model]


def main(engine: SyncEngine) -> None:
    """Every section of the queries guide, in order."""
    # --8<-- [start:heroes]
    leeroy = Hero(name="Leeroy", level=60, tags=["paladin"], bag=[Item(name="chicken")])
    jaina = Hero(
        name="Jaina",
        level=55,
        tags=["mage", "leader"],
        town=Town(name="Theramore"),
        bag=[Item(name="potion", count=3)],
        guild="Kirin Tor",
    )
    rexxar = Hero(
        name="Rexxar",
        level=40,
        tags=["hunter"],
        bag=[Item(name="potion"), Item(name="arrow", count=50)],
    )
    engine.save_all([leeroy, jaina, rexxar])
    # --8<-- [end:heroes]

    # --8<-- [start:compare]
    strong = engine.find(Hero, Hero.level > 50)
    print(sorted(hero.name for hero in strong))
    print(Hero.level > 50)
    others = engine.find(Hero, Hero.name != "Leeroy")
    print(sorted(hero.name for hero in others))
    print(query.ne(Hero.name, "Leeroy"))
    # --8<-- [end:compare]

    # --8<-- [start:combine]
    leaders = engine.find(Hero, query.all_(Hero.tags, ["leader"]) & (Hero.level >= 55))
    print([hero.name for hero in leaders])
    either = engine.count(Hero, query.or_(Hero.level < 45, Hero.name == "Jaina"))
    print(either)
    # --8<-- [end:combine]

    # --8<-- [start:and-nor]
    both = query.and_(Hero.level > 45, Hero.town.name == "Paris")
    print([hero.name for hero in engine.find(Hero, both)])
    print(engine.count(Hero, Hero.level > 45, Hero.town.name == "Paris"))
    print(engine.count(Hero, query.nor_(Hero.level > 55, Hero.level < 45)))
    # --8<-- [end:and-nor]

    # --8<-- [start:in]
    print(engine.count(Hero, query.in_(Hero.tags, ["mage", "hunter"])))
    print(engine.count(Hero, query.not_in(Hero.name, ["Jaina", "Rexxar"])))
    # --8<-- [end:in]

    # --8<-- [start:match]
    print(engine.count(Hero, query.match(Hero.name, "^J")))
    print(engine.count(Hero, Hero.town.name == "Theramore"))
    # --8<-- [end:match]

    # --8<-- [start:exists]
    # A document written by another program: it has no "guild" key at all.
    engine.get_collection(Hero).insert_one({"name": "Thrall", "level": 50})
    print(engine.count(Hero, query.eq(Hero.guild, None)))
    no_key = engine.find(Hero, query.exists(Hero.guild, False))
    print([(hero.name, hero.guild, hero.tags) for hero in no_key])
    print(engine.remove(Hero, query.exists(Hero.guild, False)))
    # --8<-- [end:exists]

    # --8<-- [start:lists]
    print(engine.count(Hero, query.all_(Hero.tags, ["mage", "leader"])))
    print(engine.count(Hero, query.size(Hero.tags, 1)))
    potions = query.elem_match(Hero.bag, Item.name == "potion", Item.count >= 2)
    print([hero.name for hero in engine.find(Hero, potions)])
    # --8<-- [end:lists]

    # --8<-- [start:sort]
    ranked = engine.find(Hero, sort=query.desc(Hero.level), limit=2)
    print([(hero.name, hero.level) for hero in ranked])
    by_town = (query.asc(Hero.town.name), query.desc(Hero.level))
    print([hero.name for hero in engine.find(Hero, sort=by_town)])
    page = engine.find(Hero, sort=Hero.name, skip=1, limit=1)
    print([hero.name for hero in page])
    # --8<-- [end:sort]

    # --8<-- [start:across]
    leeroy.mount = Mount(name="Charger", speed=100)
    rexxar.mount = Mount(name="Wolf", speed=120)
    engine.save_all([leeroy, rexxar])
    speed = through(Hero.mount, Mount.speed)  # Hero.mount.speed, typed
    fast = engine.find(Hero, query.gt(speed, 110))
    print([hero.name for hero in fast])
    by_speed = engine.find(Hero, query.ne(Hero.mount, None), sort=speed)
    print([(hero.name, hero.mount.name if hero.mount else None) for hero in by_speed])
    # --8<-- [end:across]

    # --8<-- [start:raw]
    every_20 = engine.find(Hero, {"level": {"$mod": [20, 0]}}, sort=Hero.name)
    print([hero.name for hero in every_20])
    print(engine.count(Hero, {"level": {"$mod": [20, 0]}}, Hero.level > 50))
    # --8<-- [end:raw]

    # --8<-- [start:stream]
    for hero in engine.find(Hero, sort=Hero.name):
        print(hero.name, hero.__fields_modified__)
    # --8<-- [end:stream]
