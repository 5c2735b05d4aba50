# generated from examples/_async/tour.py by codegen; do not edit
"""A tour of the engine: save, find, update, count, a transaction and a delete.

The tour is written once, for the coroutine engine; the blocking twin of this file is
generated.
"""

from __future__ import annotations

from pymongo import MongoClient

from examples.models import Guild, Player, Stats
from odmantic import SyncEngine, query


def tour(uri: str, database: str, say: object = print) -> list[str]:
    """Run the tour against the MongoDB at `uri`; return the lines it printed."""
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        say(line)  # type: ignore[operator]

    engine = SyncEngine(client=MongoClient(uri), database=database)
    log(f"engine: {type(engine).__name__} on database {database!r}")

    horde = Guild(name="Horde")
    engine.save(Player(name="Leeroy", level=60, guild=horde, stats=Stats(strength=9)))
    engine.save_all(
        [Player(name=f"Recruit {i}", level=i, guild=horde) for i in range(1, 6)]
    )
    log(f"saved {engine.count(Player)} players in guild {horde.name!r}")

    top = engine.find(Player, Player.level > 3, sort=query.desc(Player.level))
    log("level > 3, best first: " + ", ".join(f"{p.name} ({p.level})" for p in top))

    leeroy = engine.find_one(Player, Player.name == "Leeroy")
    assert leeroy is not None
    log(
        f"found {leeroy.name}: guild joined from its collection -> "
        f"{leeroy.guild.name!r}"
    )
    leeroy.level += 1
    engine.save(leeroy)
    log(f"levelled up {leeroy.name} to {leeroy.level} (only 'level' sent)")

    with engine.transaction() as transaction:
        transaction.save(Player(name="Jenkins", guild=horde))
        transaction.commit()
    jenkins = engine.count(Player, Player.name == "Jenkins")
    log(f"transaction committed: {jenkins} Jenkins")

    with engine.transaction() as transaction:
        transaction.save(Player(name="Ghost", guild=horde))
    ghosts = engine.count(Player, Player.name == "Ghost")
    log(f"transaction block exited: committed {ghosts} Ghost")

    removed = engine.remove(Player, Player.level < 3)
    log(f"removed {removed} low-level players; {engine.count(Player)} remain")
    engine.database.client.drop_database(database)
    engine.close()
    return lines
