"""Guide: the engine (docs/guides/engine.md shows each section and its output; the test
compares what this prints with the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from odmantic import AIOEngine, Field, Model
from odmantic.exceptions import DocumentNotFoundError, DuplicateKeyError

# --8<-- [end:imports]


# --8<-- [start:model]
class Player(Model):
    model_config = {"collection": "guide_players"}

    name: str = Field(unique=True)
    level: int = 0
    items: list[str] = []
    # --8<-- [end:model]


def same_server(engine: AIOEngine) -> str:
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


async def create(uri: str) -> None:
    """An engine of its own, created and closed."""
    # --8<-- [start:create]
    engine = AIOEngine(client=AsyncMongoClient(uri), database="game")
    print(engine.database_name)
    await engine.close()
    # --8<-- [end:create]


async def main(engine: AIOEngine) -> None:
    """Every section of the engine guide, in order."""
    # Connects: the client now knows the server's address.
    await engine.configure_database([Player])
    await create(same_server(engine))

    # --8<-- [start:save]
    leeroy = Player(name="Leeroy")
    returned = await engine.save(leeroy)
    print(returned is leeroy, await engine.count(Player))
    leeroy.level = 60
    await engine.save(leeroy)  # the same document, updated
    print(await engine.count(Player), (await engine.find_one(Player)) == leeroy)
    # --8<-- [end:save]

    # --8<-- [start:save-all]
    team = [Player(name=name) for name in ("Jaina", "Thrall", "Rexxar")]
    await engine.save_all(team)
    print(await engine.count(Player))
    # --8<-- [end:save-all]

    # --8<-- [start:insert]
    copy = Player(id=leeroy.id, name="Impostor")
    try:
        await engine.insert(copy)
    except DuplicateKeyError as error:
        print(type(error).__name__, error.model.__name__)
    stored = await engine.find_one(Player, Player.id == leeroy.id)
    print(stored.name if stored else None)
    # --8<-- [end:insert]

    # --8<-- [start:find]
    strong = await engine.find(Player, Player.level > 10)
    print([player.name for player in strong])
    first = await engine.find_one(Player, sort=Player.name)
    nobody = await engine.find_one(Player, Player.name == "Arthas")
    print(first.name if first else None, nobody)
    print(await engine.count(Player, Player.level == 0))
    # --8<-- [end:find]

    # --8<-- [start:delete]
    await engine.delete(leeroy)
    try:
        await engine.delete(leeroy)
    except DocumentNotFoundError as error:
        print(type(error).__name__)
    removed = await engine.remove(Player, Player.name != "Jaina")
    print(removed, await engine.count(Player))
    # --8<-- [end:delete]

    await wire(engine)


async def wire(engine: AIOEngine) -> None:
    """The sections about what is sent: an engine whose client prints its writes."""
    uri = same_server(engine)
    # --8<-- [start:wire-engine]
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        uri, event_listeners=[PrintWrites()]
    )
    watched = AIOEngine(client=client, database=engine.database_name)
    # --8<-- [end:wire-engine]

    # --8<-- [start:wire-save]
    velen = Player(name="Velen")
    await watched.save(velen)
    velen.level = 5
    velen.items.append("staff")
    await watched.save(velen)
    await watched.save(velen)  # nothing changed: nothing sent
    # --8<-- [end:wire-save]

    # --8<-- [start:wire-save-all]
    recruits = [Player(name=f"Recruit {n}") for n in range(1, 4)]
    await watched.save_all(recruits)
    recruits[0].level = 2
    await watched.save_all(recruits)
    # --8<-- [end:wire-save-all]

    # --8<-- [start:wire-remove]
    await watched.delete(velen)
    await watched.remove(Player, Player.level == 0)
    # --8<-- [end:wire-remove]
    await watched.close()
