# generated from examples/_async/guide_quickstart.py by codegen; do not edit
"""Guide: getting started.

docs/guides/quickstart.md shows each section and its output; the test compares
what this prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from pymongo import MongoClient

from odmantic import EmbeddedModel, Field, Model, SyncEngine, query

# --8<-- [end:imports]
# isort: split
from examples._sync.guide_engine import same_server


# --8<-- [start:models]
class Stats(EmbeddedModel):
    strength: int = 0
    stamina: int = 0


class Player(Model):
    model_config = {"collection": "quickstart_players"}

    name: str
    level: int = Field(default=1, ge=1)
    stats: Stats = Stats()
    # --8<-- [end:models]


def connect(uri: str) -> SyncEngine:
    """The engine of the page's "connect" section."""
    # --8<-- [start:connect]
    # uri: your server's connection string, such as "mongodb://localhost:27017"
    engine = SyncEngine(client=MongoClient(uri), database="quickstart")
    # --8<-- [end:connect]
    return engine


def main(engine: SyncEngine) -> None:
    """Every section of the getting-started guide, in order."""
    engine.count(Player)  # connects, so that the server's address is known
    own = connect(same_server(engine))
    own.close()

    # --8<-- [start:save]
    leeroy = Player(name="Leeroy", level=60, stats=Stats(strength=9))
    engine.save(leeroy)
    recruits = [Player(name=f"Recruit {n}", level=n) for n in range(1, 4)]
    engine.save_all(recruits)
    print(engine.count(Player))
    # --8<-- [end:save]

    # --8<-- [start:find]
    strong = engine.find(Player, Player.level >= 2, sort=query.desc(Player.level))
    print([(player.name, player.level) for player in strong])
    found = engine.find_one(Player, Player.stats.strength > 5)
    assert found is not None
    print(found.name, found.stats)
    # --8<-- [end:find]

    # --8<-- [start:change]
    leeroy.level += 1
    leeroy.stats.stamina = 3
    engine.save(leeroy)  # sends only level and stats.stamina
    again = engine.find_one(Player, Player.name == "Leeroy")
    print(again == leeroy, again.level if again else None)
    # --8<-- [end:change]

    # --8<-- [start:delete]
    engine.delete(leeroy)
    removed = engine.remove(Player, Player.level < 3)
    print(removed, engine.count(Player))
    # --8<-- [end:delete]
