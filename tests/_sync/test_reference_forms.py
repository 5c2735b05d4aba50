# generated from tests/_async/test_reference_forms.py by codegen; do not edit
"""References as applications use them: lists, inside embedded models, lazy ones, cycles,
queries across references, delete rules; through the real replica set in both twins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import ValidationError
from pymongo import MongoClient, monitoring
from pymongo.errors import OperationFailure
from typing_extensions import assert_type

from odmantic import Lazy, ObjectId, SyncEngine, query
from odmantic._internal.read_plan import find_request
from odmantic.exceptions import (
    DocumentNotFoundError,
    DocumentParsingError,
    ReferencedDocumentError,
)
from odmantic.reference import through
from odmantic.update import set_
from tests._sync.fail_points import fail_point
from tests.reference_models import (
    Album,
    Anthology,
    Borrowing,
    Category,
    Club,
    Credit,
    Folder,
    Label,
    Line,
    Member,
    Order,
    Part,
    Person,
    Shelf,
    Studio,
    Track,
    Volume,
    Writer,
)


class Commands(monitoring.CommandListener):
    """The commands sent, by name, with their bodies."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def named(self, name: str) -> list[dict[str, Any]]:
        return [body for sent, body in self.sent if sent == name]


@contextmanager
def watched(mongo_uri: str, database_name: str) -> Iterator[tuple[SyncEngine, Commands]]:
    """An engine whose client records the commands it sends."""
    commands = Commands()
    client: MongoClient[Any] = MongoClient(mongo_uri, event_listeners=[commands])
    engine = SyncEngine(client=client, database=database_name)
    try:
        yield engine, commands
    finally:
        engine.close()


# --- lists of references ----------------------------------------------------------------------
def test_a_list_of_references_keeps_its_order_and_duplicates(engine: SyncEngine) -> None:
    first, second = Writer(name="Le Guin"), Writer(name="Borges")
    engine.save(Anthology(title="Tales", writers=[second, first, second]))
    raw = engine.get_collection(Anthology).find_one({})
    assert raw is not None and raw["writers"] == [second.id, first.id, second.id]
    found = engine.find_one(Anthology)
    assert found is not None
    assert [w.name for w in found.writers] == ["Borges", "Le Guin", "Borges"]


def test_an_empty_list_of_references_stays_empty(engine: SyncEngine) -> None:
    engine.save(Anthology(title="Empty", writers=[]))
    found = engine.find_one(Anthology)
    assert found is not None and found.writers == []


def test_saving_the_owner_saves_the_listed_instances_first(engine: SyncEngine) -> None:
    engine.save(Anthology(title="New", writers=[Writer(name="a"), Writer(name="b")]))
    assert engine.count(Writer) == 2


def test_a_missing_listed_document_is_named_with_its_position(engine: SyncEngine) -> None:
    gone = Writer(name="gone")
    engine.save(Anthology(title="Holes", writers=[Writer(name="kept"), gone]))
    engine.delete(gone)
    with pytest.raises(DocumentParsingError) as info:
        engine.find_one(Anthology)
    (error,) = info.value.errors
    assert error["loc"] == ("writers", 1)
    assert error["type"] == "odmantic::referenced_document_not_found"


def test_appending_a_reference_sends_a_push_of_its_key(mongo_uri: str, database_name: str) -> None:
    with watched(mongo_uri, database_name) as (engine, commands):
        engine.save(Anthology(title="Grows", writers=[Writer(name="a")]))
        found = engine.find_one(Anthology)
        assert found is not None
        newcomer = engine.save(Writer(name="b"))
        commands.sent.clear()
        found.writers.append(newcomer)
        engine.save(found)
    (update,) = commands.named("update")
    assert update["updates"][0]["u"] == {"$push": {"writers": {"$each": [newcomer.id]}}}


# --- references inside embedded models -----------------------------------------------------
def test_embedded_references_are_stored_as_keys_and_joined(engine: SyncEngine) -> None:
    bolt, nut = Part(name="bolt"), Part(name="nut")
    order = Order(main=Line(part=bolt), lines=[Line(part=nut, qty=2)], spare=Line(part=bolt))
    engine.save(order)
    assert engine.count(Part) == 2
    raw = engine.get_collection(Order).find_one({})
    assert raw is not None
    assert (raw["main"]["part"], raw["lines"][0]["part"]) == (bolt.id, nut.id)
    found = engine.find_one(Order)
    assert found is not None and found == order
    assert found.spare is not None and found.spare.part.name == "bolt"


def test_a_loaded_order_with_embedded_references_has_nothing_to_save(
    engine: SyncEngine,
) -> None:
    engine.save(Order(main=Line(part=Part(name="x"))))
    found = engine.find_one(Order)
    assert found is not None and found.__fields_modified__ == set()


# --- lazy references ------------------------------------------------------------------------
def test_a_lazy_reference_is_stored_as_its_key_and_not_joined(engine: SyncEngine) -> None:
    editor = Writer(name="Ed")
    engine.save(Anthology(title="Lazy", editor=Lazy(editor)))  # saves the editor too
    found = engine.find_one(Anthology)
    assert found is not None and found.editor is not None
    assert found.editor.id == editor.id and found.editor.instance is None
    fetched = engine.fetch(found.editor)
    assert_type(fetched, Writer)
    assert fetched.name == "Ed"


def test_a_lazy_reference_can_be_built_from_a_key(engine: SyncEngine) -> None:
    editor = engine.save(Writer(name="Key"))
    anthology = Anthology(title="By key", editor=editor.id)  # type: ignore[arg-type]
    assert anthology.editor == Lazy(editor)
    engine.save(anthology)
    assert anthology.editor is not None
    assert engine.fetch(anthology.editor).name == "Key"


def test_fetching_a_gone_document_names_the_model_and_key(engine: SyncEngine) -> None:
    with pytest.raises(DocumentNotFoundError, match="Writer with primary key ObjectId"):
        engine.fetch(Lazy(ObjectId(), Writer))


def test_fetch_all_keeps_the_order_with_one_query_per_model(
    mongo_uri: str, database_name: str
) -> None:
    with watched(mongo_uri, database_name) as (engine, commands):
        a, b = engine.save_all([Writer(name="a"), Writer(name="b")])
        commands.sent.clear()
        fetched = engine.fetch_all([Lazy(b), Lazy(a), Lazy(b)])
    assert [w.name for w in fetched] == ["b", "a", "b"]
    assert len(commands.named("find")) == 1


def test_sessions_and_transactions_fetch_too(engine: SyncEngine) -> None:
    writer = engine.save(Writer(name="s"))
    with engine.session() as session:
        assert session.fetch(Lazy(writer)).name == "s"
    with engine.transaction() as transaction:
        assert [w.name for w in transaction.fetch_all([Lazy(writer)])] == ["s"]


# --- cycles -----------------------------------------------------------------------------------
def _chain(engine: SyncEngine, length: int) -> Category:
    category = None
    for number in range(length):
        category = Category(name=f"c{number}", parent=category)
    assert category is not None
    return engine.save(category)


def test_a_self_reference_is_joined_to_its_depth(engine: SyncEngine) -> None:
    _chain(engine, 3)
    leaf = engine.find_one(Category, Category.name == "c2")
    assert leaf is not None and leaf.parent is not None and leaf.parent.parent is not None
    assert leaf.parent.parent.name == "c0"


def test_a_cycle_deeper_than_its_depth_says_how_to_go_lazy(engine: SyncEngine) -> None:
    _chain(engine, 4)
    with pytest.raises(DocumentParsingError, match=r"Lazy\[Category\]"):
        engine.find_one(Category, Category.name == "c3")


def test_a_lazy_self_reference_builds_a_tree_of_any_depth(engine: SyncEngine) -> None:
    folder = None
    for number in range(10):
        parent = None if folder is None else Lazy(folder)
        folder = engine.save(Folder(name=f"f{number}", parent=parent))
    assert folder is not None
    loaded = engine.find_one(Folder, Folder.name == "f9")
    assert loaded is not None and loaded.parent is not None
    assert engine.fetch(loaded.parent).name == "f8"


def test_two_models_can_reference_each_other(engine: SyncEngine) -> None:
    club = Club(name="Chess")
    member = engine.save(Member(name="Ana", club=club))
    club.captain = Lazy(member)
    engine.save(club)
    found = engine.find_one(Member)
    assert found is not None and found.club.captain is not None
    assert engine.fetch(found.club.captain).name == "Ana"


# --- queries across references ---------------------------------------------------------------
def _anthologies(engine: SyncEngine) -> tuple[Writer, Writer]:
    borges, le_guin = Writer(name="Borges"), Writer(name="Le Guin")
    engine.save_all(
        [
            Anthology(title="Fictions", writers=[borges], editor=Lazy(le_guin)),
            Anthology(title="Earthsea", writers=[le_guin, borges]),
            Anthology(title="Aleph", writers=[borges], readers=[Lazy(le_guin)]),
        ]
    )
    return borges, le_guin


def test_a_query_reads_fields_of_listed_references(engine: SyncEngine) -> None:
    _anthologies(engine)
    found = engine.find(Anthology, query.eq(through(Anthology.writers, Writer.name), "Le Guin"))
    assert [a.title for a in found] == ["Earthsea"]


def test_a_query_reads_fields_of_lazy_references(engine: SyncEngine) -> None:
    _anthologies(engine)
    by_editor = query.eq(through(Anthology.editor, Writer.name), "Le Guin")
    assert engine.count(Anthology, by_editor) == 1
    by_reader = query.eq(through(Anthology.readers, Writer.name), "Le Guin")
    assert engine.count(Anthology, by_reader) == 1


def test_a_sort_reads_fields_of_references(engine: SyncEngine) -> None:
    engine.save_all([Order(main=Line(part=Part(name=n))) for n in ("nut", "bolt", "washer")])
    found = engine.find(Order, sort=Order.main.part.name)
    assert [o.main.part.name for o in found] == ["bolt", "nut", "washer"]


def test_find_one_reads_across_references(engine: SyncEngine) -> None:
    _anthologies(engine)
    found = engine.find_one(Anthology, query.eq(through(Anthology.editor, Writer.name), "Le Guin"))
    assert found is not None and found.title == "Fictions"


def test_matching_a_reference_by_its_key_needs_no_lookup(engine: SyncEngine) -> None:
    borges, _ = _anthologies(engine)
    assert engine.count(Anthology, query.eq(Anthology.writers, borges)) == 3
    read, _ = find_request(Anthology, [Anthology.writers == borges.id], None, 0, None, None)
    assert read.pipeline is not None and "$lookup" not in read.pipeline[0]


def test_a_lookup_across_references_uses_the_id_index(engine: SyncEngine) -> None:
    _anthologies(engine)
    by_editor = query.eq(through(Anthology.editor, Writer.name), "Le Guin")
    read, _ = find_request(Anthology, [by_editor], None, 0, None, None)
    command: dict[str, Any] = {"aggregate": "ref_anthology", "pipeline": read.pipeline}
    command["cursor"] = {}
    explained = engine.database.command("explain", command, verbosity="executionStats")
    lookups = [stage for stage in explained["stages"] if "$lookup" in stage]
    assert lookups and all(stage["indexesUsed"] == ["_id_"] for stage in lookups)


# --- indexes -------------------------------------------------------------------------------------
def test_reference_keys_are_indexed_unless_opted_out(engine: SyncEngine) -> None:
    engine.configure_database([Anthology, Order])
    anthology = engine.get_collection(Anthology).index_information()
    keys = {next(iter(spec["key"]))[0] for spec in anthology.values()}
    assert {"writers", "editor"} <= keys and "readers" not in keys
    order = engine.get_collection(Order).index_information()
    assert {"main.part", "lines.part", "spare.part"} <= {
        next(iter(spec["key"]))[0] for spec in order.values()
    }


# --- delete rules -------------------------------------------------------------------------------
def _catalogue(engine: SyncEngine) -> tuple[Label, Studio, Person, Album]:
    label, studio, fan = Label(name="Blue Note"), Studio(name="Abbey"), Person(name="fan")
    album = Album(
        title="Kind of Blue",
        label=label,
        studio=Lazy(studio),
        fans=[fan],
        producer=fan,
        credits=[Credit(person=fan)],
    )
    engine.save_all([Track(title=f"t{n}", album=album) for n in range(3)])
    return label, studio, fan, album


def test_deny_refuses_the_delete_and_deletes_nothing(engine: SyncEngine) -> None:
    _, studio, _, album = _catalogue(engine)
    with pytest.raises(ReferencedDocumentError) as info:
        engine.delete(studio)
    assert (info.value.model, info.value.referencing_model) == (Studio, Album)
    assert info.value.referencing_id == album.id and "Album.studio" in str(info.value)
    assert engine.count(Studio) == 1


def test_cascade_deletes_the_referencing_documents_recursively(engine: SyncEngine) -> None:
    label, _, _, _ = _catalogue(engine)
    engine.delete(label)
    assert (engine.count(Album), engine.count(Track)) == (0, 0)


def test_pull_and_nullify_unlink_the_deleted_document(engine: SyncEngine) -> None:
    _, _, fan, _ = _catalogue(engine)
    assert engine.remove(Person, Person.name == "fan") == 1
    raw = engine.get_collection(Album).find_one({})
    assert raw is not None
    assert (raw["fans"], raw["producer"], raw["credits"][0]["person"]) == ([], None, None)


def test_a_failure_in_the_middle_of_a_cascade_leaves_nothing_half_done(
    engine: SyncEngine,
) -> None:
    label, _, _, _ = _catalogue(engine)
    # The deletes of tracks pass, the delete of the album fails: the transaction is aborted.
    albums = f"{engine.database_name}.rule_album"
    with fail_point(engine, {"times": 1}, failCommands=["delete"], errorCode=2, namespace=albums):
        with pytest.raises(OperationFailure):
            engine.delete(label)
    counts = [engine.count(m) for m in (Label, Album, Track)]
    assert counts == [1, 1, 3]


def test_a_delete_rule_runs_inside_the_callers_transaction(engine: SyncEngine) -> None:
    label, _, _, _ = _catalogue(engine)
    with engine.transaction() as transaction:
        transaction.delete(label)
        transaction.abort()
    assert engine.count(Track) == 3


def test_through_refuses_a_field_of_another_model() -> None:
    with pytest.raises(TypeError, match="is not a field of Writer"):
        through(Anthology.writers, Part.name)


def test_a_deny_on_a_document_deleted_in_the_same_cascade_does_not_block(
    engine: SyncEngine,
) -> None:
    shelf = Shelf(name="s")
    volume = Volume(title="v", shelf=shelf)
    engine.save(Borrowing(shelf=shelf, volume=volume))
    engine.delete(shelf)
    assert [engine.count(m) for m in (Shelf, Volume, Borrowing)] == [0, 0, 0]


def test_deleting_a_missing_document_with_rules_changes_nothing(engine: SyncEngine) -> None:
    _, _, _, album = _catalogue(engine)
    ghost = Label(name="ghost")
    engine.save(Album(title="orphan", label=ghost, studio=album.studio))
    engine.get_collection(Label).delete_one({"_id": ghost.id})  # gone behind our back
    with pytest.raises(DocumentNotFoundError):
        engine.delete(ghost)
    assert engine.count(Album) == 2  # the orphan was not deleted in cascade


def test_delete_rules_run_with_a_session_passed(engine: SyncEngine) -> None:
    label, _, _, _ = _catalogue(engine)
    with engine.session() as session:
        session.delete(label)
    assert engine.count(Track) == 0


def test_delete_rules_run_in_a_driver_sessions_transaction(engine: SyncEngine) -> None:
    label, _, _, _ = _catalogue(engine)
    with engine.session() as session:
        engine.delete(label, session=session.get_driver_session())
    assert engine.count(Track) == 0


def test_a_query_through_a_reference_is_refused_by_writes(engine: SyncEngine) -> None:
    _anthologies(engine)
    by_editor = query.eq(through(Anthology.editor, Writer.name), "Le Guin")
    with pytest.raises(TypeError, match="only find, find_one and count"):
        engine.remove(Anthology, by_editor)
    with pytest.raises(TypeError, match="through a reference"):
        engine.update_many(Anthology, by_editor, update=set_(Anthology.title, "x"))
    assert engine.count(Anthology) == 3


def test_a_lazy_reference_refuses_a_document() -> None:
    with pytest.raises(ValidationError, match="primary key is expected"):
        Anthology.model_validate({"title": "t", "editor": {"id": ObjectId(), "name": "x"}})


def test_a_declared_index_on_a_reference_key_replaces_the_automatic_one(
    engine: SyncEngine,
) -> None:
    engine.configure_database([Borrowing])
    indexes = engine.get_collection(Borrowing).index_information()
    assert "by_volume" in indexes and "volume_1" not in indexes and "shelf_1" in indexes


def test_an_instance_given_and_referenced_is_written_first(
    mongo_uri: str, database_name: str
) -> None:
    with watched(mongo_uri, database_name) as (engine, commands):
        writer = Writer(name="w")
        engine.save_all([Anthology(title="a", writers=[writer]), writer])
    inserted = [body["insert"] for name, body in commands.sent if name == "insert"]
    assert inserted == ["ref_writer", "ref_anthology"]
