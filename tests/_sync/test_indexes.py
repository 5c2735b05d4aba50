# generated from tests/_async/test_indexes.py by codegen; do not edit
"""configure_database: field indexes, Index objects, conflicts."""

from __future__ import annotations

import pymongo
import pytest
from pymongo.errors import OperationFailure

from odmantic import Field, Model, Reference, SyncEngine
from tests.models import Account, Player


def test_configure_database_creates_field_and_model_indexes(engine: SyncEngine) -> None:
    engine.configure_database([Account])
    info = engine.get_collection(Account).index_information()
    assert info["email_1"]["unique"] is True
    assert info["region_1"]["key"] == [("region", 1)]
    assert info["region_score"]["key"] == [("region", 1), ("score", -1)]
    engine.configure_database([Account])  # idempotent


def test_configure_database_of_a_model_without_indexes_creates_only_id(
    engine: SyncEngine,
) -> None:
    engine.configure_database([Player])
    info = engine.get_collection(Player).index_information()
    assert set(info) <= {"_id_"}


def test_index_conflict_fails_unless_update_requested(engine: SyncEngine) -> None:
    collection = engine.get_collection(Account)
    collection.create_index([("email", pymongo.ASCENDING)], name="email_1")
    with pytest.raises(OperationFailure):
        engine.configure_database([Account])
    engine.configure_database([Account], update_existing_indexes=True)
    info = collection.index_information()
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


def test_an_inherited_index_is_the_roots_whichever_class_configures(
    engine: SyncEngine,
) -> None:
    engine.configure_database([Beast, Lion])
    engine.configure_database([Lion])
    info = engine.get_collection(Beast).index_information()
    assert "partialFilterExpression" not in info["tag_1"]
    assert "partialFilterExpression" not in info["keeper_1"]
