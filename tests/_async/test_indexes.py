"""configure_database: field indexes, Index objects, conflicts."""

from __future__ import annotations

import pymongo
import pytest
from pymongo.errors import OperationFailure

from odmantic import AIOEngine
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
