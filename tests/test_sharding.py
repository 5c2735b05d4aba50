"""Shard keys decided without a database: what a model may declare, and what
`configure_database(shard=True)` sends to a mongos."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from odmantic import EmbeddedModel, Field, Index, Model
from odmantic._internal.sharding import refuse_unique_indexes, shard_commands
from odmantic.bson import Regex
from odmantic.exceptions import ModelDefinitionError
from odmantic.index import family_indexes


class Event(Model):
    model_config = {"collection": "events", "shard_key": ("tenant", "at")}

    tenant: str
    at: datetime


class Hashed(Model):
    model_config = {"collection": "hashed", "shard_key": {"tenant": "hashed"}}

    tenant: str


class Animal(Model):
    model_config = {"polymorphic": True, "shard_key": ("owner",)}

    owner: str


class Dog(Animal):
    pass


MONGOS = {"msg": "isdbgrid", "ok": 1.0}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"shard_key": ("nope",)}, "shard key field 'nope' is not a field of Bad"),
        ({"shard_key": ("tags",)}, "Bad.tags: a shard key field cannot hold an array"),
        ({"shard_key": ("pattern",)}, "Bad.pattern: a shard key field cannot hold a regular"),
        ({"shard_key": {"a": "hashed", "b": "hashed"}}, "one hashed field at most"),
        ({"shard_key": ("a", "a")}, "names each field once"),
        ({"shard_key": {"a": 2}}, "a tuple of field names"),
        ({"shard_key": 3}, "a tuple of field names"),
        ({"shard_key": ("version",)}, "Bad.version: the revision field changes with every write"),
    ],
)
def test_a_shard_key_is_checked_when_the_class_is_defined(
    config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=re.escape(message)):

        class Bad(Model):
            model_config = config  # type: ignore[assignment]

            a: int = 0
            b: int = 0
            tags: list[str] = []
            pattern: Regex | None = None
            version: int = Field(default=0, revision=True)


def test_a_polymorphic_subclass_keeps_its_roots_shard_key() -> None:
    assert [f.name for f, _ in Dog.__odmantic_schema__.shard_key] == ["owner"]
    with pytest.raises(ModelDefinitionError, match="set model_config\\['shard_key'\\] on the root"):

        class Cat(Animal):
            model_config = {"shard_key": ("id",)}


def test_an_embedded_model_has_no_shard_key() -> None:
    with pytest.raises(ModelDefinitionError, match="an EmbeddedModel has none"):

        class Address(EmbeddedModel):
            model_config = {"shard_key": ("city",)}

            city: str


@pytest.mark.parametrize(
    ("models", "sent"),
    [
        (
            [Event],
            [
                {"enableSharding": "db"},
                {"shardCollection": "db.events", "key": {"tenant": 1, "at": 1}},
            ],
        ),
        (
            [Hashed],
            [
                {"enableSharding": "db"},
                {"shardCollection": "db.hashed", "key": {"tenant": "hashed"}},
            ],
        ),
        (
            [Animal, Dog],  # one collection, sharded once
            [{"enableSharding": "db"}, {"shardCollection": "db.animal", "key": {"owner": 1}}],
        ),
    ],
)
def test_a_mongos_is_sent_the_sharding_commands(
    models: list[type[Model]], sent: list[dict[str, Any]]
) -> None:
    assert shard_commands(MONGOS, [m.__odmantic_schema__ for m in models], "db") == sent


@pytest.mark.parametrize(
    ("hello", "named"),
    [({"setName": "rs0", "ok": 1.0}, "replica set 'rs0'"), ({"ok": 1.0}, "a standalone server")],
)
def test_sharding_is_refused_off_a_sharded_cluster(hello: dict[str, Any], named: str) -> None:
    with pytest.raises(RuntimeError, match=f"not connected to a sharded cluster .*{named}"):
        shard_commands(hello, [Event.__odmantic_schema__], "db")


def test_sharding_a_model_without_a_shard_key_is_refused() -> None:
    class Plain(Model):
        name: str

    with pytest.raises(TypeError, match="Plain has no shard key"):
        shard_commands(MONGOS, [Plain.__odmantic_schema__], "db")


def test_a_unique_index_must_start_with_the_shard_key() -> None:
    class Account(Model):
        model_config = {
            "shard_key": ("tenant",),
            "indexes": lambda: [Index(Account.tenant, Account.email, unique=True)],
        }

        tenant: str
        email: str
        login: str = Field(unique=True)

    indexes = family_indexes(Account)
    prefixed = [i for i in indexes if i.document["name"] != "login_1"]
    refuse_unique_indexes(Account.__odmantic_schema__, prefixed)  # tenant first: kept
    with pytest.raises(TypeError, match="Account's unique index 'login_1' on \\['login'\\]"):
        refuse_unique_indexes(Account.__odmantic_schema__, indexes)
