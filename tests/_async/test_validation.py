"""Validators generated from the models: `configure_database(..., validation=...)`, through the
real replica set in both twins."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import WriteError

from odmantic import AIOEngine, Field, Model

DOCUMENT_VALIDATION_FAILURE = 121


class Gamer(Model):
    model_config = {"collection": "validated_gamers"}

    name: str
    level: int = Field(default=0, ge=0)


class Shape(Model):
    model_config = {"collection": "validated_shapes", "polymorphic": True}

    name: str


class Circle(Shape):
    radius: float


async def _options(engine: AIOEngine, name: str) -> dict[str, Any]:
    found = await engine.database.command("listCollections", filter={"name": name})
    options: dict[str, Any] = found["cursor"]["firstBatch"][0]["options"]
    return options


async def test_the_collection_is_created_with_the_models_validator(engine: AIOEngine) -> None:
    await engine.configure_database([Gamer], validation="error")
    options = await _options(engine, "validated_gamers")
    assert options["validator"] == {"$jsonSchema": Gamer.model_bson_schema()}
    assert (options["validationLevel"], options["validationAction"]) == ("moderate", "error")


async def test_an_existing_collection_gets_the_validator(engine: AIOEngine) -> None:
    await engine.save(Gamer(name="a"))
    await engine.configure_database([Gamer], validation="warn", validation_level="strict")
    options = await _options(engine, "validated_gamers")
    assert (options["validationLevel"], options["validationAction"]) == ("strict", "warn")


async def test_a_document_the_model_cannot_load_is_refused(engine: AIOEngine) -> None:
    await engine.configure_database([Gamer], validation="error")
    with pytest.raises(WriteError) as refused:
        await engine.get_collection(Gamer).insert_one({"name": "a", "level": -1})
    assert refused.value.code == DOCUMENT_VALIDATION_FAILURE


async def test_warn_keeps_the_document(engine: AIOEngine) -> None:
    await engine.configure_database([Gamer], validation="warn")
    await engine.get_collection(Gamer).insert_one({"level": "high"})
    assert await engine.get_collection(Gamer).count_documents({}) == 1


async def test_moderate_lets_an_invalid_document_be_updated(engine: AIOEngine) -> None:
    await engine.get_collection(Gamer).insert_one({"level": "high"})  # before the validator
    await engine.configure_database([Gamer], validation="error")
    updated = await engine.get_collection(Gamer).update_one({}, {"$set": {"level": "higher"}})
    assert updated.modified_count == 1


async def test_a_polymorphic_collection_validates_each_class(engine: AIOEngine) -> None:
    await engine.configure_database([Circle], validation="error")
    await engine.save_all([Shape(name="s"), Circle(name="c", radius=2.0)])
    with pytest.raises(WriteError):
        await engine.get_collection(Shape).insert_one({"name": "c", "_t": "Circle"})


async def test_an_unknown_validation_action_is_refused(engine: AIOEngine) -> None:
    with pytest.raises(ValueError, match="validation is 'error', 'warn' or None"):
        await engine.configure_database([Gamer], validation="strict")  # type: ignore[arg-type]


async def test_an_unknown_validation_level_is_refused_before_anything_is_sent(
    engine: AIOEngine,
) -> None:
    with pytest.raises(ValueError, match="validation_level 'moderate' or 'strict'"):
        await engine.configure_database([Gamer], validation_level="loose")  # type: ignore[arg-type]
    assert "validated_gamers" not in await engine.database.list_collection_names()
