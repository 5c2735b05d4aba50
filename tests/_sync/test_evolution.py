# generated from tests/_async/test_evolution.py by codegen; do not edit
"""Schema evolution through the real replica set in both twins: the drift check
(`check_documents`) and `odmantic.migration.rewrite`."""

from __future__ import annotations

from typing import Any

import pytest

from odmantic import Field, Model, Reference, SyncEngine
from odmantic.exceptions import DocumentRewriteError
from odmantic.migration import rewrite


class Knight(Model):
    model_config = {"collection": "evolving_knights"}

    name: str
    level: int = 0


class KnightV1(Model):
    """The same collection as the model stored it before `level` existed."""

    model_config = {"collection": "evolving_knights"}

    name: str
    lvl: int = 0


class KnightV2(Model):
    model_config = {"collection": "evolving_knights"}

    name: str
    level: int
    version: int = Field(default=2, key_name="v")


class Castle(Model):
    model_config = {"collection": "evolving_castles"}

    lord: Knight = Reference()


def test_check_counts_the_documents_that_do_not_load(engine: SyncEngine) -> None:
    collection = engine.get_collection(Knight)
    collection.insert_many([{"name": "a"}, {"name": 1}, {"level": 2}, {"name": "b", "level": "x"}])  # fmt: skip
    report = engine.check_documents(Knight)
    assert (report.checked, report.failed, report.ok) == (4, 3, False)
    assert {f.field: f.count for f in report.fields} == {"name": 2, "level": 1}


def test_check_gives_example_ids_and_errors(engine: SyncEngine) -> None:
    inserted = engine.get_collection(Knight).insert_one({"level": 2})
    report = engine.check_documents(Knight)
    assert report.fields[0].examples == [(inserted.inserted_id, "Key 'name' not found in document")]


def test_check_counts_the_items_of_a_list_under_its_field(engine: SyncEngine) -> None:
    class Squad(Model):
        model_config = {"collection": "evolving_squads"}

        ranks: list[int]

    engine.get_collection(Squad).insert_one({"ranks": [1, "two", "three"]})
    report = engine.check_documents(Squad)
    assert [(f.field, f.count) for f in report.fields] == [("ranks", 1)]


def test_check_counts_every_failing_field_of_a_document(engine: SyncEngine) -> None:
    engine.get_collection(Knight).insert_one({"level": "high"})  # no name, bad level
    report = engine.check_documents(Knight)
    assert sorted((f.field, f.count) for f in report.fields) == [("level", 1), ("name", 1)]


def test_check_keeps_to_the_queries_and_the_limit(engine: SyncEngine) -> None:
    engine.get_collection(Knight).insert_many([{"name": "a", "level": n} for n in range(10)])
    report = engine.check_documents(Knight, Knight.level >= 5, limit=3)
    assert (report.checked, report.ok) == (3, True)


def test_check_joins_references(engine: SyncEngine) -> None:
    engine.save(Castle(lord=Knight(name="arthur")))
    engine.get_collection(Castle).insert_one({"lord": "not a key"})
    report = engine.check_documents(Castle)
    assert (report.checked, report.failed) == (2, 1)


def test_rewrite_with_a_dict_transform(engine: SyncEngine) -> None:
    engine.save_all([KnightV1(name=str(n), lvl=n) for n in range(5)])

    def move_level(document: dict[str, Any]) -> dict[str, Any]:
        level = document.pop("lvl")
        return {**document, "level": level, "v": 2}

    report = rewrite(engine, KnightV2, move_level, batch_size=2)
    assert (report.read, report.written, report.batches) == (5, 5, 3)
    assert sorted(k.level for k in engine.find(KnightV2)) == [0, 1, 2, 3, 4]


def test_rewrite_with_a_model_transform(engine: SyncEngine) -> None:
    engine.save(KnightV1(name="lancelot", lvl=7))

    def upgrade(old: KnightV1) -> KnightV2:
        return KnightV2(id=old.id, name=old.name.title(), level=old.lvl)

    rewrite(engine, KnightV2, upgrade)
    stored = engine.get_collection(KnightV2).find_one({}, {"_id": 0})
    assert stored == {"name": "Lancelot", "level": 7, "v": 2}


def test_a_model_transform_keeps_the_documents_id(engine: SyncEngine) -> None:
    stored = engine.save(KnightV1(name="gawain", lvl=2))

    def upgrade(old: KnightV1) -> KnightV2:
        return KnightV2(name=old.name, level=old.lvl)  # no id given: the document's own

    rewrite(engine, KnightV2, upgrade)
    found = engine.find_one(KnightV2)
    assert found is not None and found.id == stored.id


def test_a_transform_cannot_change_the_id(engine: SyncEngine) -> None:
    engine.save(Knight(name="a"))
    with pytest.raises(ValueError, match="_id never changes"):
        rewrite(engine, Knight, lambda document: {**document, "_id": 1})


def test_an_async_transform_is_awaited(engine: SyncEngine) -> None:
    engine.save(Knight(name="a"))

    def promote(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "level": 5}

    rewrite(engine, Knight, promote)
    found = engine.find_one(Knight)
    assert found is not None and found.level == 5


def test_a_change_made_in_place_is_written(engine: SyncEngine) -> None:
    engine.get_collection(Knight).insert_one({"name": "a", "level": 1, "deeds": {"n": 1}})

    def in_place(document: dict[str, Any]) -> dict[str, Any]:
        document["deeds"]["n"] += 1  # a nested value changed where it is
        return document

    report = rewrite(engine, Knight, in_place)
    stored = engine.get_collection(Knight).find_one({})
    assert report.written == 1 and stored is not None and stored["deeds"] == {"n": 2}


def test_an_unchanged_document_is_not_written(engine: SyncEngine) -> None:
    engine.save_all([Knight(name="a"), Knight(name="b")])
    report = rewrite(engine, Knight, lambda document: document)
    assert (report.read, report.written, report.batches) == (2, 0, 0)


def test_an_interrupted_rewrite_run_again_finishes_the_rest(engine: SyncEngine) -> None:
    engine.save_all([KnightV1(name=str(n), lvl=n) for n in range(10)])
    calls: list[str] = []

    def move_level(document: dict[str, Any]) -> dict[str, Any]:
        calls.append(document["name"])
        if len(calls) == 6:
            raise KeyboardInterrupt  # the operator stops the first run
        return {"_id": document["_id"], "name": document["name"], "level": document["lvl"], "v": 2}

    unmigrated = {"v": {"$ne": 2}}
    with pytest.raises(KeyboardInterrupt):
        rewrite(engine, KnightV2, move_level, unmigrated, batch_size=4)
    report = rewrite(engine, KnightV2, move_level, unmigrated, batch_size=4)
    assert report.read == 6  # the 4 written by the first run's first batch are not read again
    assert engine.count(KnightV2) == 10


def test_rewrite_runs_in_a_transaction(engine: SyncEngine) -> None:
    engine.save(Knight(name="a"))
    with engine.transaction() as transaction:
        rewrite(transaction, Knight, lambda document: {**document, "level": 9})
        transaction.abort()
    stored = engine.find_one(Knight)
    assert stored is not None and stored.level == 0


def test_a_transform_must_return_a_document(engine: SyncEngine) -> None:
    engine.save(Knight(name="a"))
    with pytest.raises(TypeError, match="the transform returned int"):
        rewrite(engine, Knight, lambda document: 3)


def test_documents_the_server_refuses_are_named(engine: SyncEngine) -> None:
    first = engine.save(Knight(name="a"))
    engine.configure_database([Knight], validation="error")
    with pytest.raises(DocumentRewriteError, match="refused 1 document: _id") as refused:
        rewrite(engine, Knight, lambda document: {**document, "level": "high"})
    assert refused.value.refused[0][0] == first.id
