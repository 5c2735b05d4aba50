"""Guide: performance (docs/guides/performance.md shows each section and its output;
the test compares what this prints with the guide's output blocks).

The commands sent are observed with PyMongo's command monitoring, on a second client
that connects to the server of the engine given to `main`."""

from __future__ import annotations

# --8<-- [start:imports]
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pymongo import AsyncMongoClient, monitoring

from odmantic import AIOEngine, Field, Model, query

# --8<-- [end:imports]


# --8<-- [start:model]
class Track(Model):
    model_config = {"collection": "guide_tracks"}

    title: str
    artist: str = Field(index=True)
    plays: int = 0
    tags: list[str] = []


class TrackTitle(BaseModel):
    title: str
    # --8<-- [end:model]


# --8<-- [start:listener]
class CommandLog(monitoring.CommandListener):
    """Keeps the commands a client sends (PyMongo calls `started` for each one)."""

    def __init__(self) -> None:
        self.sent: list[Mapping[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append(event.command)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> list[Mapping[str, Any]]:
        """The commands sent since the last call (a command's first key is its name)."""
        sent, self.sent = self.sent, []
        return sent

    def tally(self) -> dict[str, int]:
        """How many commands of each name were sent since the last call."""
        return dict(Counter(next(iter(command)) for command in self.take()))

    # --8<-- [end:listener]


async def main(engine: AIOEngine) -> None:
    """Every section of the performance guide, in order."""
    # --8<-- [start:monitor]
    commands = CommandLog()
    # a client of the engine's server (in your code: the URI you connect to)
    topology = engine.database.client.topology_description
    host, port = next(iter(topology.server_descriptions()))
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        host, port, event_listeners=[commands]
    )
    watched = AIOEngine(client, engine.database_name)
    print(await watched.count(Track), commands.tally())
    # --8<-- [end:monitor]

    # --8<-- [start:save_all]
    tracks = [
        Track(title=f"Track {n}", artist=f"Artist {n % 10}", tags=["rock"])
        for n in range(1000)
    ]
    await watched.save_all(tracks)
    print("save_all:", commands.tally())
    for track in tracks[:10]:
        track.plays += 1
        await watched.save(track)
    print("10 saves:", commands.tally())
    for track in tracks:
        track.plays += 1
    await watched.save_all(tracks)
    print("save_all:", commands.tally())
    # --8<-- [end:save_all]

    # --8<-- [start:partial]
    loaded = await watched.find_one(Track, Track.title == "Track 1")
    assert loaded is not None
    commands.take()  # forget the find
    loaded.plays += 1
    loaded.tags.append("live")
    await watched.save(loaded)
    for command in commands.take():
        print([update["u"] for update in command["updates"]])
    await watched.save(loaded)  # nothing changed since
    print(commands.tally())
    # --8<-- [end:partial]

    # --8<-- [start:projection]
    titles = await watched.find(
        Track, Track.artist == "Artist 1", sort=Track.title, projection=TrackTitle
    ).to_list()
    (find,) = commands.take()
    print(len(titles), titles[0].title, find["projection"])
    # --8<-- [end:projection]

    # --8<-- [start:stream]
    plays = 0
    async for track in watched.find(Track):  # one instance at a time
        plays += track.plays
    print("stream:", plays, commands.tally())
    everything = await watched.find(Track).to_list()
    print("to_list:", len(everything), commands.tally())
    # --8<-- [end:stream]

    # --8<-- [start:limit]
    top = await watched.find(Track, sort=query.desc(Track.plays), limit=3).to_list()
    print(len(top), top[0].title)
    page = await watched.find(Track, sort=Track.title, skip=20, limit=10).to_list()
    print(len(page), page[0].title)
    for find in commands.take():
        print({key: find.get(key) for key in ("sort", "skip", "limit")})
    print(await watched.count(Track, Track.plays > 1), commands.tally())
    # --8<-- [end:limit]

    # --8<-- [start:indexes]
    await watched.configure_database([Track])
    print(commands.tally())
    await watched.configure_database([Track])  # at the next start: nothing changes
    indexes = await watched.get_collection(Track).index_information()
    print(sorted(indexes), indexes["artist_1"]["key"])
    # --8<-- [end:indexes]
    await watched.close()
