"""Property tests through a real mongod: the validator a model generates accepts everything
odmantic writes, and refuses a document the model could not load."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from bson import Binary, ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import MongoClient
from pymongo.errors import WriteError

from odmantic import SyncEngine, query
from odmantic.bson import Regex
from odmantic.exceptions import DocumentParsingError
from odmantic.update import inc, push, set_, unset
from tests.validated_models import Color, Everything, Owner, Part

DOCUMENT_VALIDATION_FAILURE = 121
"""The server refused a document its collection's validator does not accept."""

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
_INT = st.integers(-1000, 10**12)
_INT64 = st.integers(-(2**63), 2**63 - 1)
_AT = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
)
_PART = st.builds(Part, label=st.text(min_size=1, max_size=5), quantity=st.integers(0, 100))
EVERYTHING = st.builds(
    Everything,
    text=_TEXT,
    count=_INT,
    ratio=st.floats(allow_nan=False, allow_infinity=False),
    flag=st.booleans(),
    amount=st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
    at=_AT,
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    span=st.timedeltas(min_value=-timedelta(days=5_000), max_value=timedelta(days=5_000)),
    key=st.uuids(),
    blob=st.binary(max_size=8),
    reference_id=st.builds(ObjectId),
    pattern=st.sampled_from(["^a", "b+", "[0-9]{2}"]).map(Regex),
    color=st.sampled_from(Color),
    kind=st.sampled_from(["a", "b"]),
    tags=st.lists(_TEXT, max_size=5),
    unique=st.sets(_INT64, max_size=4),
    frozen=st.frozensets(_TEXT, max_size=4),
    pair=st.tuples(_INT64, _TEXT),
    many=st.lists(_INT64, max_size=4).map(tuple),
    part=_PART,
    parts=st.lists(_PART, max_size=3),
    scores=st.dictionaries(st.sampled_from(["x", "y", "z"]), _INT64, max_size=3),
    owner=st.builds(Owner, name=_TEXT),
    owners=st.lists(st.builds(Owner, name=_TEXT), max_size=2),
    lazy=st.builds(Owner, name=_TEXT),
    maybe=st.none() | _INT64,
    note=st.none() | _TEXT,
)
# Values of every BSON type, put in the place of a field's value.
_WRONG: list[Any] = [
    "text",
    7,
    2**40,
    1.5,
    True,
    None,
    [1, "a"],
    {"k": 1},
    datetime(2020, 1, 1),
    ObjectId(),
    b"\x00",
    re.compile("x"),
]


@pytest.fixture
def engine(mongo_uri: str, database_name: str) -> Iterator[SyncEngine]:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_uri)
    engine = SyncEngine(client=client, database=database_name)
    engine.configure_database([Everything], validation="error", validation_level="strict")
    yield engine
    client.close()


_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(instance=EVERYTHING, other=EVERYTHING)
def test_every_write_of_the_odm_passes_the_validator(
    engine: SyncEngine, instance: Everything, other: Everything
) -> None:
    engine.save(instance)  # new: whole
    for name in ("text", "count", "parts", "scores", "maybe", "note", "owners", "part"):
        setattr(instance, name, getattr(other, name))
    instance.tags.append("more") if len(instance.tags) < 5 else None
    engine.save(instance)  # stored: the changed paths only
    copies = [
        Everything.model_validate(i.model_dump() | {"id": ObjectId()}) for i in (other, instance)
    ]
    engine.save_all([other, copies[0]])
    engine.insert(copies[1])
    ids = [instance.id, other.id, *(c.id for c in copies)]
    assert engine.count(Everything, query.in_(Everything.id, ids)) == 4


@_SETTINGS
@given(instance=EVERYTHING, other=EVERYTHING)
def test_every_update_operator_passes_the_validator(
    engine: SyncEngine, instance: Everything, other: Everything
) -> None:
    engine.save_all([instance, other])
    by_id = Everything.id == instance.id
    engine.update_one(Everything, by_id, update=set_(Everything.part, other.part))
    engine.update_one(Everything, by_id, update=set_(Everything.at, other.at))
    engine.update_one(Everything, by_id, update=set_(Everything.owner, other.owner))
    engine.update_one(Everything, by_id, update=inc(Everything.count, 0))
    engine.update_one(Everything, by_id, update=unset(Everything.note) & unset(Everything.maybe))
    engine.update_many(Everything, by_id, update=set_(Everything.color, other.color))
    engine.update_one(Everything, by_id, update=push(Everything.parts, other.part))
    found = engine.find_one(Everything, by_id)
    assert found is not None and found.part == other.part


def _loads(instance: Everything, document: dict[str, Any]) -> bool:
    """Whether the model loads `document` as the engine reads it: its references joined."""
    joined = dict(document)
    if joined.get("owner") == instance.owner.id:
        joined["owner"] = instance.owner.model_dump_doc()
    if joined.get("owners") == [owner.id for owner in instance.owners]:
        joined["owners"] = [owner.model_dump_doc() for owner in instance.owners]
    try:
        Everything.model_validate_doc(joined)
    except DocumentParsingError:
        return False
    return True


# What a `$jsonSchema` cannot check, left open: a reference pointing to no document (only the
# type of its key is checked), a binary's subtype (a UUID field takes any binary).
_REFERENCES = {"owner", "owners", "lazy"}


def _checkable(field: str, wrong: Any) -> bool:
    if field in _REFERENCES and isinstance(wrong, ObjectId):
        return False
    return not (field == "key" and isinstance(wrong, bytes))


@_SETTINGS
@given(instance=EVERYTHING, field=st.sampled_from(sorted(Everything.__pydantic_fields__)))
def test_a_document_the_model_cannot_load_is_refused(
    engine: SyncEngine, instance: Everything, field: str
) -> None:
    document = instance.model_dump_doc()
    key = Everything.__odmantic_schema__.fields[field].key_name
    for wrong in [*_WRONG, Binary.from_uuid(uuid.uuid4())]:
        if not _checkable(field, wrong):
            continue
        changed = {**document, key: wrong}
        if not _loads(instance, changed):
            with pytest.raises(WriteError) as refused:
                engine.get_collection(Everything).insert_one(changed)
            # 53: an `_id` of a type MongoDB refuses for any collection
            assert refused.value.code in (DOCUMENT_VALIDATION_FAILURE, 53)


@_SETTINGS
@given(instance=EVERYTHING, field=st.sampled_from(sorted(Everything.__pydantic_fields__)))
def test_a_document_missing_a_required_key_is_refused(
    engine: SyncEngine, instance: Everything, field: str
) -> None:
    document = instance.model_dump_doc()
    key = Everything.__odmantic_schema__.fields[field].key_name
    missing = {k: v for k, v in document.items() if k != key}
    if key != "_id" and not _loads(instance, missing):  # the driver adds an `_id`
        with pytest.raises(WriteError) as refused:
            engine.get_collection(Everything).insert_one(missing)
        assert refused.value.code == DOCUMENT_VALIDATION_FAILURE
