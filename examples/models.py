"""The models of the quickstart, shared by both twins."""

from __future__ import annotations

from odmantic import EmbeddedModel, Field, Model, Reference


class Guild(Model):
    name: str


class Stats(EmbeddedModel):
    strength: int = 1
    agility: int = 1


class Player(Model):
    name: str
    level: int = Field(default=0, ge=0)
    stats: Stats = Stats()
    guild: Guild = Reference()
