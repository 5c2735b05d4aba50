# generated from examples/_async/guide_engine.py by codegen; do not edit
"""Guide: the engine (docs/guides/engine.md shows each section and its output; the test
compares what this prints with the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

from pymongo import MongoClient, monitoring

from odmantic import Field, Model, SyncEngine
from odmantic.exceptions import DocumentNotFoundError, DuplicateKeyError

# --8<-- [end:imports]


# --8<-- [start:model]
class Player(Model):
    model_config = {"collection": "guide_players"}

    name: str = Field(unique=True)
    level: int = 0
    items: list[str] = []
    # --8<-- [end:model]


def same_server(engine: SyncEngine) -> str:
    """The URI of the server `engine` talks to (for a second client with a listener)."""
    client: Any = engine.client  # PyMongo's or Motor's: both have `nodes`
    (host, port), *_ = client.nodes
    return f"mongodb://{host}:{port}/?directConnection=true"


# --8<-- [start:listener]
def hide_id(query: dict[str, Any]) -> dict[str, Any]:
    return {key: "<id>" if key == "_id" else value for key, value in query.items()}


class PrintWrites(monitoring.CommandListener):
    """Prints each write command the client sends (reads and handshakes aside)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        if event.command_name == "insert":
            print("insert", len(command["documents"]), "documents")
        elif event.command_name == "update":
            for update in command["updates"]:
                upsert = update["upsert"]
                print("update", hide_id(update["q"]), update["u"], f"{upsert=}")
        elif event.command_name == "delete":
            for delete in command["deletes"]:
                print("delete", hide_id(delete["q"]), f"limit={delete['limit']}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    # --8<-- [end:listener]


def create(uri: str) -> None:
    """An engine of its own, created and closed."""
    # --8<-- [start:create]
    engine = SyncEngine(client=MongoClient(uri), database="game")
    print(engine.database_name)
    engine.close()
    # --8<-- [end:create]


def main(engine: SyncEngine) -> None:
    """Every section of the engine guide, in order."""
    # Connects: the client now knows the server's address.
    engine.configure_database([Player])
    create(same_server(engine))

    # --8<-- [start:save]
    leeroy = Player(name="Leeroy")
    returned = engine.save(leeroy)
    print(returned is leeroy, engine.count(Player))
    leeroy.level = 60
    engine.save(leeroy)  # the same document, updated
    print(engine.count(Player), engine.find_one(Player) == leeroy)
    # --8<-- [end:save]

    # --8<-- [start:save-all]
    team = [Player(name=name) for name in ("Jaina", "Thrall", "Rexxar")]
    engine.save_all(team)
    print(engine.count(Player))
    # --8<-- [end:save-all]

    # --8<-- [start:insert]
    copy = Player(id=leeroy.id, name="Impostor")
    try:
        engine.insert(copy)
    except DuplicateKeyError as error:
        print(type(error).__name__, error.model.__name__)
    stored = engine.find_one(Player, Player.id == leeroy.id)
    print(stored.name if stored else None)
    # --8<-- [end:insert]

    # --8<-- [start:find]
    strong = engine.find(Player, Player.level > 10)
    print([player.name for player in strong])
    first = engine.find_one(Player, sort=Player.name)
    nobody = engine.find_one(Player, Player.name == "Arthas")
    print(first.name if first else None, nobody)
    print(engine.count(Player, Player.level == 0))
    # --8<-- [end:find]

    # --8<-- [start:delete]
    engine.delete(leeroy)
    try:
        engine.delete(leeroy)
    except DocumentNotFoundError as error:
        print(type(error).__name__)
    removed = engine.remove(Player, Player.name != "Jaina")
    print(removed, engine.count(Player))
    # --8<-- [end:delete]

    wire(engine)


def wire(engine: SyncEngine) -> None:
    """The sections about what is sent: an engine whose client prints its writes."""
    uri = same_server(engine)
    # --8<-- [start:wire-engine]
    client: MongoClient[Any] = MongoClient(uri, event_listeners=[PrintWrites()])
    watched = SyncEngine(client=client, database=engine.database_name)
    # --8<-- [end:wire-engine]

    # --8<-- [start:wire-save]
    velen = Player(name="Velen")
    watched.save(velen)
    velen.level = 5
    velen.items.append("staff")
    watched.save(velen)
    watched.save(velen)  # nothing changed: nothing sent
    # --8<-- [end:wire-save]

    # --8<-- [start:wire-save-all]
    recruits = [Player(name=f"Recruit {n}") for n in range(1, 4)]
    watched.save_all(recruits)
    recruits[0].level = 2
    watched.save_all(recruits)
    # --8<-- [end:wire-save-all]

    # --8<-- [start:wire-remove]
    watched.delete(velen)
    watched.remove(Player, Player.level == 0)
    # --8<-- [end:wire-remove]
    watched.close()
