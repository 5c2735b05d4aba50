# generated from tests/_async/test_validation.py by codegen; do not edit
"""Validators generated from the models: `configure_database(..., validation=...)`, through the
real replica set in both twins."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import WriteError

from odmantic import Field, Model, SyncEngine

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


def _options(engine: SyncEngine, name: str) -> dict[str, Any]:
    found = engine.database.command("listCollections", filter={"name": name})
    options: dict[str, Any] = found["cursor"]["firstBatch"][0]["options"]
    return options


def test_the_collection_is_created_with_the_models_validator(engine: SyncEngine) -> None:
    engine.configure_database([Gamer], validation="error")
    options = _options(engine, "validated_gamers")
    assert options["validator"] == {"$jsonSchema": Gamer.model_bson_schema()}
    assert (options["validationLevel"], options["validationAction"]) == ("moderate", "error")


def test_an_existing_collection_gets_the_validator(engine: SyncEngine) -> None:
    engine.save(Gamer(name="a"))
    engine.configure_database([Gamer], validation="warn", validation_level="strict")
    options = _options(engine, "validated_gamers")
    assert (options["validationLevel"], options["validationAction"]) == ("strict", "warn")


def test_a_document_the_model_cannot_load_is_refused(engine: SyncEngine) -> None:
    engine.configure_database([Gamer], validation="error")
    with pytest.raises(WriteError) as refused:
        engine.get_collection(Gamer).insert_one({"name": "a", "level": -1})
    assert refused.value.code == DOCUMENT_VALIDATION_FAILURE


def test_warn_keeps_the_document(engine: SyncEngine) -> None:
    engine.configure_database([Gamer], validation="warn")
    engine.get_collection(Gamer).insert_one({"level": "high"})
    assert engine.get_collection(Gamer).count_documents({}) == 1


def test_moderate_lets_an_invalid_document_be_updated(engine: SyncEngine) -> None:
    engine.get_collection(Gamer).insert_one({"level": "high"})  # before the validator
    engine.configure_database([Gamer], validation="error")
    updated = engine.get_collection(Gamer).update_one({}, {"$set": {"level": "higher"}})
    assert updated.modified_count == 1


def test_a_polymorphic_collection_validates_each_class(engine: SyncEngine) -> None:
    engine.configure_database([Circle], validation="error")
    engine.save_all([Shape(name="s"), Circle(name="c", radius=2.0)])
    with pytest.raises(WriteError):
        engine.get_collection(Shape).insert_one({"name": "c", "_t": "Circle"})


def test_an_unknown_validation_action_is_refused(engine: SyncEngine) -> None:
    with pytest.raises(ValueError, match="validation is 'error', 'warn' or None"):
        engine.configure_database([Gamer], validation="strict")  # type: ignore[arg-type]


def test_an_unknown_validation_level_is_refused_before_anything_is_sent(
    engine: SyncEngine,
) -> None:
    with pytest.raises(ValueError, match="validation_level 'moderate' or 'strict'"):
        engine.configure_database([Gamer], validation_level="loose")  # type: ignore[arg-type]
    assert "validated_gamers" not in engine.database.list_collection_names()
