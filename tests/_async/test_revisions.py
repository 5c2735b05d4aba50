"""Optimistic concurrency: `Field(revision=True)`, through the real replica set in both twins."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient

from odmantic import AIOEngine, Field, Model
from odmantic.exceptions import ModelDefinitionError, RevisionConflictError
from odmantic.update import inc
from tests._async.fail_points import fail_point


class Doc(Model):
    model_config = {"collection": "revision_docs"}

    name: str
    n: int = 0
    tags: list[str] = []
    version: int = Field(default=0, revision=True)


async def test_an_insert_sets_revision_1_and_each_save_adds_one(engine: AIOEngine) -> None:
    doc = await engine.insert(Doc(name="a"))
    doc.n = 1
    await engine.save(doc)
    stored = await engine.get_collection(Doc).find_one({})
    assert (doc.version, stored and stored["version"]) == (2, 2)


async def test_a_save_sends_its_changes_and_keeps_the_rest(engine: AIOEngine) -> None:
    await engine.save(Doc(name="a", tags=["x"]))
    loaded = await engine.find_one(Doc)
    assert loaded is not None
    # A raw write does not go through the engine: it leaves the revision as it is.
    await engine.get_collection(Doc).update_one({}, {"$set": {"name": "raw writer"}})
    loaded.tags.append("y")
    await engine.save(loaded)
    stored = await engine.get_collection(Doc).find_one({}, {"_id": 0})
    assert stored == {"name": "raw writer", "n": 0, "tags": ["x", "y"], "version": 2}


async def test_two_engines_saving_one_loaded_document_conflict_once(
    engine: AIOEngine, mongo_uri: str, database_name: str
) -> None:
    other = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
    await engine.save(Doc(name="a"))
    mine, theirs = await engine.find_one(Doc), await other.find_one(Doc)
    assert mine is not None and theirs is not None
    mine.n, theirs.n = 1, 2
    await engine.save(mine)
    with pytest.raises(RevisionConflictError) as info:
        await other.save(theirs)
    await other.close()
    assert (info.value.expected, info.value.stored, info.value.model) == (1, 2, Doc)
    assert (theirs.n, theirs.version) == (2, 1)  # it keeps its changes, to reload and retry
    stored = await engine.find_one(Doc)
    assert stored is not None and (stored.n, stored.version) == (1, 2)


async def test_save_all_reports_every_conflict_and_writes_the_rest(engine: AIOEngine) -> None:
    await engine.save_all([Doc(name=str(n)) for n in range(3)])
    stale = await engine.find(Doc, sort=Doc.name).to_list()
    fresh = await engine.find(Doc, sort=Doc.name).to_list()
    for doc in fresh[:2]:
        doc.n = 5
    await engine.save_all(fresh[:2])
    for doc in stale:
        doc.n = 9
    with pytest.raises(RevisionConflictError) as info:
        await engine.save_all(stale)
    assert len(info.value.failures) == 2
    assert sorted((d.name, d.n) for d in await engine.find(Doc)) == [("0", 5), ("1", 5), ("2", 9)]


async def test_a_delete_of_a_stale_instance_is_refused(engine: AIOEngine) -> None:
    await engine.save(Doc(name="a"))
    stale = await engine.find_one(Doc)
    assert stale is not None
    await engine.update_many(Doc, update=inc(Doc.n, 1))  # increments the revision too
    with pytest.raises(RevisionConflictError):
        await engine.delete(stale)
    assert await engine.count(Doc) == 1


async def test_a_save_retried_after_a_lost_answer_is_not_its_own_conflict(
    engine: AIOEngine,
) -> None:
    doc = await engine.save(Doc(name="a"))
    doc.n = 7
    concern = {"code": 262, "errmsg": "exceeded time limit"}
    async with fail_point(engine, {"times": 1}, failCommands=["update"], writeConcernError=concern):
        await engine.save(doc)  # applied, answered with an error, sent again: no conflict
    stored = await engine.find_one(Doc)
    assert stored is not None and (stored.n, stored.version) == (7, 2) and doc.version == 2


def test_a_model_has_one_int_revision_field() -> None:
    with pytest.raises(ModelDefinitionError, match="revision field is an int"):

        class Bad(Model):
            version: str = Field(default="0", revision=True)


async def test_a_document_stored_before_the_revision_field_saves_and_deletes(
    engine: AIOEngine,
) -> None:
    await engine.get_collection(Doc).insert_one({"name": "old", "n": 0, "tags": []})
    loaded = await engine.find_one(Doc)
    assert loaded is not None
    loaded.n = 3
    await engine.save(loaded)
    stored = await engine.get_collection(Doc).find_one({})
    assert stored is not None and (stored["n"], stored["version"], loaded.version) == (3, 1, 1)
    await engine.delete(loaded)
    assert await engine.count(Doc) == 0


async def test_saving_an_unloaded_instance_never_moves_the_revision_back(
    engine: AIOEngine,
) -> None:
    doc = await engine.save(Doc(name="a"))
    doc.n = 1
    await engine.save(doc)
    stale = await engine.find_one(Doc)
    assert stale is not None
    await engine.save(Doc(id=doc.id, name="overwritten"))  # a request body with its id
    stored = await engine.find_one(Doc)
    assert stored is not None and stored.version == 3
    stale.n = 9
    with pytest.raises(RevisionConflictError):
        await engine.save(stale)
