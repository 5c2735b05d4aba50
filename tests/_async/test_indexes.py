"""configure_database: field indexes, Index objects, conflicts."""

from __future__ import annotations

import pymongo
import pytest
from pymongo.errors import OperationFailure

from odmantic import AIOEngine, Field, Model, Reference
from tests.models import Account, Player


async def test_configure_database_creates_field_and_model_indexes(engine: AIOEngine) -> None:
    await engine.configure_database([Account])
    info = await engine.get_collection(Account).index_information()
    assert info["email_1"]["unique"] is True
    assert info["region_1"]["key"] == [("region", 1)]
    assert info["region_score"]["key"] == [("region", 1), ("score", -1)]
    await engine.configure_database([Account])  # idempotent


async def test_configure_database_of_a_model_without_indexes_creates_only_id(
    engine: AIOEngine,
) -> None:
    await engine.configure_database([Player])
    info = await engine.get_collection(Player).index_information()
    assert set(info) <= {"_id_"}


async def test_index_conflict_fails_unless_update_requested(engine: AIOEngine) -> None:
    collection = engine.get_collection(Account)
    await collection.create_index([("email", pymongo.ASCENDING)], name="email_1")
    with pytest.raises(OperationFailure):
        await engine.configure_database([Account])
    await engine.configure_database([Account], update_existing_indexes=True)
    info = await collection.index_information()
    assert info["email_1"]["unique"] is True


class Keeper(Model):
    model_config = {"collection": "indexed_keepers"}

    name: str


class Beast(Model):
    model_config = {"collection": "indexed_beasts", "polymorphic": True}

    keeper: Keeper = Reference()
    tag: str = Field(default="", index=True)


class Lion(Beast):
    mane: bool = True


async def test_an_inherited_index_is_the_roots_whichever_class_configures(
    engine: AIOEngine,
) -> None:
    await engine.configure_database([Beast, Lion])
    await engine.configure_database([Lion])
    info = await engine.get_collection(Beast).index_information()
    assert "partialFilterExpression" not in info["tag_1"]
    assert "partialFilterExpression" not in info["keeper_1"]
