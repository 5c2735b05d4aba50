"""A model of every supported field type, validated by the server with the `$jsonSchema` the
model generates (`tests/test_validator_property.py`, `tests/_async/test_validation.py`)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from odmantic import EmbeddedModel, Field, Lazy, Model, ObjectId, Reference
from odmantic.bson import Regex


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Part(EmbeddedModel):
    label: str = Field(key_name="l", min_length=1)
    quantity: int = Field(ge=0)


class Owner(Model):
    model_config = {"collection": "validated_owners"}

    name: str


class Everything(Model):
    model_config = {"collection": "validated_everything", "extra": "forbid"}

    text: str = Field(max_length=20)
    count: int = Field(ge=-1000, le=10**12)
    ratio: float
    flag: bool
    amount: Decimal
    at: datetime
    day: date
    span: timedelta
    key: uuid.UUID
    blob: bytes
    reference_id: ObjectId
    pattern: Regex
    color: Color
    kind: Literal["a", "b"]
    tags: list[str] = Field(max_length=5)
    unique: set[int]
    frozen: frozenset[str]
    pair: tuple[int, str]
    many: tuple[int, ...]
    part: Part
    parts: list[Part]
    scores: dict[str, int]
    owner: Owner = Reference()
    owners: list[Owner] = Reference()
    lazy: Lazy[Owner] = Reference()
    maybe: int | None = None
    note: str | None = Field(default=None, key_name="n")
