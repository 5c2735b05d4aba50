"""Property test through a real mongod: every storable annotation is saved and read back equal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import MongoClient

from odmantic import EmbeddedModel, Model, SyncEngine


class Tag(EmbeddedModel):
    name: str


class Stored(Model):
    numbers: set[int]
    names: frozenset[str]
    key: uuid.UUID
    keys: list[uuid.UUID]
    day: date
    span: timedelta
    amount: Decimal
    at: datetime
    tags: tuple[Tag, ...]


_INT64 = st.integers(-(2**63), 2**63 - 1)
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
_DECIMAL = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**20), max_value=10**20
)
# Stored as seconds in a double: exact below 2**52 microseconds (about 142 years).
_SPAN = st.timedeltas(min_value=-timedelta(days=52_000), max_value=timedelta(days=52_000))
_AT = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
)
STORED = st.builds(
    Stored,
    numbers=st.sets(_INT64, max_size=5),
    names=st.frozensets(_TEXT, max_size=5),
    key=st.uuids(),
    keys=st.lists(st.uuids(), max_size=3),
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    span=_SPAN,
    amount=_DECIMAL,
    at=_AT,
    tags=st.lists(st.builds(Tag, name=_TEXT), max_size=3).map(tuple),
)


@pytest.fixture
def engine(mongo_uri: str, database_name: str) -> Iterator[SyncEngine]:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_uri)
    yield SyncEngine(client=client, database=database_name)
    client.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(instance=STORED)
def test_saved_and_read_back_equal(engine: SyncEngine, instance: Stored) -> None:
    engine.save(instance)
    found = engine.find_one(Stored, Stored.id == instance.id)
    assert found == instance
    assert engine.find_one(Stored, Stored.key == instance.key, Stored.id == instance.id) == instance
