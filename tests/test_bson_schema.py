"""`Model.model_bson_schema()` decided without a database: the schema of each kind of field."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import pytest
from bson.decimal128 import Decimal128
from pydantic import computed_field

from odmantic import EmbeddedModel, Field, Lazy, Model, ObjectId, Reference
from odmantic.bson import Regex
from odmantic.update import push


class Mood(enum.Enum):
    HAPPY = 1
    SAD = 2


class Inner(EmbeddedModel):
    value: int = Field(key_name="v")


class Target(Model):
    name: str


INT = ["int", "long"]


@pytest.mark.parametrize(
    ("annotation", "field", "expected"),
    [
        (str, Field(), {"bsonType": "string"}),
        (str, Field(min_length=1, max_length=3), {"bsonType": "string", "minLength": 1, "maxLength": 3}),
        (int, Field(), {"bsonType": INT}),
        (int, Field(ge=0, lt=10), {"bsonType": INT, "minimum": 0, "maximum": 10, "exclusiveMaximum": True}),
        (float, Field(gt=0), {"bsonType": ["double", *INT], "minimum": 0, "exclusiveMinimum": True}),
        (bool, Field(), {"bsonType": "bool"}),
        (Decimal, Field(), {"bsonType": "decimal"}),
        (datetime, Field(), {"bsonType": "date"}),
        (date, Field(), {"bsonType": "date"}),
        (timedelta, Field(), {"bsonType": ["double", *INT]}),
        (ObjectId, Field(), {"bsonType": "objectId"}),
        (bytes, Field(), {"bsonType": "binData"}),
        (uuid.UUID, Field(), {"bsonType": "binData"}),
        (Regex, Field(), {"bsonType": "regex"}),
        (Literal["a", "b"], Field(), {"enum": ["a", "b"]}),
        (Mood, Field(), {"enum": [1, 2]}),
        (int | None, Field(), {"bsonType": [*INT, "null"]}),
        (Literal["a"] | None, Field(), {"enum": ["a", None]}),
        (list[str], Field(max_length=2), {"bsonType": "array", "items": {"bsonType": "string"}, "maxItems": 2}),
        (set[int], Field(), {"bsonType": "array", "items": {"bsonType": INT}, "uniqueItems": True}),
        (tuple[int, str], Field(), {"bsonType": "array", "items": [{"bsonType": INT}, {"bsonType": "string"}], "minItems": 2, "maxItems": 2}),
        (dict[str, int], Field(), {"bsonType": "object", "additionalProperties": {"bsonType": INT}}),
        (Any, Field(), {}),
        (int | str, Field(), {"bsonType": [*INT, "string"]}),
        (Inner, Field(), {"bsonType": "object", "properties": {"v": {"bsonType": INT}}, "required": ["v"]}),
        (Target, Reference(), {"bsonType": "objectId"}),
        (list[Target], Reference(), {"bsonType": "array", "items": {"bsonType": "objectId"}}),
        (Lazy[Target], Reference(), {"bsonType": "objectId"}),
    ],
)  # fmt: skip
def test_each_field_type_has_its_bson_schema(
    annotation: Any, field: Any, expected: dict[str, Any]
) -> None:
    model: Any = type(
        "Holder", (Model,), {"__annotations__": {"value": annotation}, "value": field}
    )
    assert model.model_bson_schema()["properties"]["value"] == expected


def test_required_keys_are_the_fields_without_default_and_the_primary_key() -> None:
    class Player(Model):
        name: str = Field(key_name="n")
        level: int = 0
        tags: list[str] = Field(default_factory=list)

    assert Player.model_bson_schema()["required"] == ["_id", "n", "tags"]


def test_extra_forbid_closes_the_document() -> None:
    class Closed(Model):
        model_config = {"extra": "forbid"}

        name: str

    assert Closed.model_bson_schema()["additionalProperties"] is False


def test_a_polymorphic_collection_is_the_union_of_its_classes() -> None:
    class Pet(Model):
        model_config = {"polymorphic": True}

        name: str

    class Fish(Pet):
        fins: int

    variants = Pet.model_bson_schema()["anyOf"]
    assert [v["properties"]["_t"] for v in variants] == [{"enum": ["Pet"]}, {"enum": ["Fish"]}]
    assert "_t" not in variants[0]["required"] and "_t" in variants[1]["required"]


class Access(enum.IntFlag):
    READ = 1
    WRITE = 2


def test_a_flag_accepts_its_combinations() -> None:
    class Grant(Model):
        access: Access

    assert Grant.model_bson_schema()["properties"]["access"] == {"bsonType": INT}


def test_a_computed_field_is_an_open_property() -> None:
    class Closed(Model):
        model_config = {"extra": "forbid"}

        side: int

        @computed_field  # type: ignore[prop-decorator]
        @property
        def area(self) -> int:
            return self.side**2

    assert Closed.model_bson_schema()["properties"]["area"] == {}


@pytest.mark.parametrize(
    ("annotation", "field", "expected"),
    [
        (Decimal, Field(ge=Decimal("0.5")), {"bsonType": "decimal", "minimum": Decimal128("0.5")}),
        (timedelta, Field(ge=timedelta(minutes=1)), {"bsonType": ["double", *INT], "minimum": 60.0}),
        (int, Field(le=10**20), {"bsonType": INT}),  # beyond 64 bits: left open
    ],
)  # fmt: skip
def test_bounds_are_stored_as_bson_holds_them(
    annotation: Any, field: Any, expected: dict[str, Any]
) -> None:
    model: Any = type(
        "Bounded", (Model,), {"__annotations__": {"value": annotation}, "value": field}
    )
    assert model.model_bson_schema()["properties"]["value"] == expected


def test_push_to_a_set_is_refused_since_its_items_are_unique() -> None:
    class Tagged(Model):
        tags: set[str] = set()

    with pytest.raises(TypeError, match="use add_to_set"):
        push(Tagged.tags, "x")
