"""Benchmark models, workloads and the timing harness.

Each workload is written once per side (ODM, raw driver) as a *generator body* that serves both
twins: ``x = yield call(...)`` means ``x = call(...)`` under the blocking twin and
``x = await call(...)`` under the async one (a yielded value that is not awaitable, such as a
Motor aggregation cursor, is passed straight back). :func:`drive_sync` and :func:`drive_async`
run a body; the sync/async difference lives in those two small functions only.

Data is prepared with a blocking :class:`pymongo.MongoClient` outside the timed region, for all
twins alike: collections are dropped, recreated and seeded before every timed run.
"""

from __future__ import annotations

import gc
import inspect
import random
import statistics
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import Field as PydanticField
from pymongo import ReturnDocument
from pymongo.database import Database

from odmantic import (
    AIOEngine,
    EmbeddedModel,
    Field,
    Lazy,
    Model,
    Reference,
    SyncEngine,
    before_save,
)
from odmantic._internal.read_plan import loader
from odmantic.config import ODMConfigDict
from odmantic.update import inc, set_

N_DOCS = 5_000
"""Documents in the collection for the bulk workloads."""
N_POINT_OPS = 300
"""Calls of the `find_one` and `save` workloads."""
N_COUNTS = 50
"""Calls of the `count` workload."""
N_REFERENCING = 1_000
"""Documents with a reference read by the `find_ref` workload."""
N_REFERENCED = 100
"""Distinct documents they reference."""
N_CHANGES = 10_000
"""Change events read by the `watch` workload (inserts, then as many updates)."""

_CITIES = ("Paris", "Lyon", "Berlin", "Madrid", "Oslo", "Rome", "Lisbon", "Vienna")


# -- models -------------------------------------------------------------------------------------


class BenchAddress(EmbeddedModel):
    """Embedded model of :class:`BenchItem`."""

    city: str
    zip_code: str


class BenchItem(Model):
    """str, int, float, datetime, list[str], an EmbeddedModel and an Optional field."""

    model_config = ODMConfigDict(collection="bench_items")

    name: str
    rank: int
    score: float
    created: datetime
    tags: list[str]
    address: BenchAddress
    note: str | None = None


class BenchOwner(Model):
    """Referenced by :class:`BenchPet`."""

    model_config = ODMConfigDict(collection="bench_owners")

    name: str
    city: str


class BenchPet(Model):
    """A model with a ``Reference()`` field (stored as the owner's ``_id`` under ``owner``)."""

    model_config = ODMConfigDict(collection="bench_pets")

    name: str
    age: int
    owner: BenchOwner = Reference()


class BenchWriter(Model):
    """Referenced by :class:`BenchBook` (a list of 3) and by :class:`BenchNote` (lazily)."""

    model_config = ODMConfigDict(collection="bench_writers")

    name: str


class BenchBook(Model):
    """A model with a list of references (``authors``: 3 writers)."""

    model_config = ODMConfigDict(collection="bench_books")

    title: str
    authors: list[BenchWriter] = Reference()


class BenchNote(Model):
    """A model with a lazy reference (never joined: ``engine.fetch_all`` reads them)."""

    model_config = ODMConfigDict(collection="bench_notes")

    text: str
    writer: Lazy[BenchWriter] = Reference()


class BenchLabel(Model):
    """Deleted with its records (``on_delete="cascade"`` on :class:`BenchRecord`)."""

    model_config = ODMConfigDict(collection="bench_labels")

    name: str


class BenchRecord(Model):
    """Deleted in cascade with its label."""

    model_config = ODMConfigDict(collection="bench_records")

    title: str
    label: BenchLabel = Reference(on_delete="cascade")


class BenchVehicle(BenchItem):
    """:class:`BenchItem`'s fields at the root of a polymorphic collection
    (``find_polymorphic``)."""

    model_config = ODMConfigDict(collection="bench_vehicles", polymorphic=True)


class BenchCar(BenchVehicle):
    """The subclass every document of ``find_polymorphic`` is."""


class BenchHooked(BenchItem):
    """:class:`BenchItem` with one ``before_save`` hook (``save_all_hooks``)."""

    model_config = ODMConfigDict(collection="bench_items")

    @before_save
    def check(self) -> None:
        if self.rank < 0:
            raise ValueError("rank")


class BenchRevised(BenchItem):
    """:class:`BenchItem` with a revision field (``save_revised``)."""

    model_config = ODMConfigDict(collection="bench_items")

    version: int = Field(default=0, revision=True)


class BenchSharded(BenchItem):
    """:class:`BenchItem` with a shard key (``save_sharded``)."""

    model_config = ODMConfigDict(collection="bench_items", shard_key=("name", "created"))


class PlainAddress(BaseModel):
    """:class:`BenchAddress` as a plain pydantic model (the floor's)."""

    city: str
    zip_code: str


class PlainItem(BaseModel):
    """:class:`BenchItem` as a plain pydantic model, `_id` by alias: what the floor lines build
    and validate around raw PyMongo, with no ODM code."""

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True)

    id: ObjectId = PydanticField(alias="_id")
    name: str
    rank: int
    score: float
    created: datetime
    tags: list[str]
    address: PlainAddress
    note: str | None = None


_PLAIN_ITEMS = TypeAdapter(list[PlainItem])

ITEMS = BenchItem.__collection__
VEHICLES = BenchVehicle.__collection__
OWNERS = BenchOwner.__collection__
PETS = BenchPet.__collection__
WRITERS = BenchWriter.__collection__
BOOKS = BenchBook.__collection__
NOTES = BenchNote.__collection__
LABELS = BenchLabel.__collection__
RECORDS = BenchRecord.__collection__

N_BOOK_AUTHORS = 3
"""References in each book's list (``find_ref_list``)."""
N_LAZY = 1_000
"""Lazy references fetched by ``fetch_all``."""
N_CASCADE = 1_000
"""Records deleted in cascade with their label (``cascade_delete``)."""

BOOK_PIPELINE: list[dict[str, Any]] = [
    {"$lookup": {"from": WRITERS, "localField": "authors", "foreignField": "_id", "as": "authors"}}
]
"""The fastest hand-written join of a list of references (it does not keep their order)."""

PET_PIPELINE: list[dict[str, Any]] = [
    {"$lookup": {"from": OWNERS, "localField": "owner", "foreignField": "_id", "as": "owner"}},
    {"$set": {"owner": {"$first": "$owner"}}},
]
"""The raw equivalent of ``engine.find(BenchPet)``: a join written by hand in its fastest form
(``$set`` + ``$first``; ``$unwind`` returns the same documents about 3x slower on MongoDB 6.0)."""


# -- data ---------------------------------------------------------------------------------------


def item_docs(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` raw documents shaped like :class:`BenchItem` (ids included, datetimes in ms)."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    return [
        {
            "_id": ObjectId(),
            "name": f"item-{i}",
            "rank": i,
            "score": rng.random() * 100,
            "created": start + timedelta(seconds=i, milliseconds=rng.randrange(1000)),
            "tags": [f"tag{rng.randrange(20)}" for _ in range(3)],
            "address": {"city": rng.choice(_CITIES), "zip_code": f"{rng.randrange(10**5):05d}"},
            "note": None if i % 2 else f"note {i}",
        }
        for i in range(n)
    ]


def new_item(doc: dict[str, Any]) -> BenchItem:
    """A new (never saved) instance holding the values of a raw document."""
    fields = {key: value for key, value in doc.items() if key != "_id"}
    return BenchItem(id=doc["_id"], **fields)


@dataclass
class Prepared:
    """What a timed run needs, built before the clock starts."""

    docs: list[dict[str, Any]] = field(default_factory=list)
    instances: list[Any] = field(default_factory=list)
    plain: list[PlainItem] = field(default_factory=list)
    ids: list[ObjectId] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    threshold: int = 0
    start: Any = None
    """The cluster time from which a change stream reads the prepared changes."""


def _reset(db: Database[Any], *names: str) -> None:
    for name in names:
        db.drop_collection(name)
        db.create_collection(name)


def prepare_empty(db: Database[Any], n: int) -> Prepared:
    """Empty collection; ``n`` new instances and as many equal raw documents to write."""
    _reset(db, ITEMS)
    docs = item_docs(n)
    instances = [new_item(doc) for doc in item_docs(n)]
    plain = [PlainItem.model_validate(doc) for doc in item_docs(n)]
    return Prepared(docs=docs, instances=instances, plain=plain)


def prepare_seeded(db: Database[Any], n: int) -> Prepared:
    """``n`` stored documents; a random sample of ids (and loaded instances) to work on."""
    _reset(db, ITEMS)
    docs = item_docs(n)
    db[ITEMS].insert_many(docs)
    sample = random.Random(1).sample(docs, min(N_POINT_OPS, n))
    return Prepared(
        docs=docs,
        instances=[loader(BenchItem).one(doc) for doc in sample],
        ids=[doc["_id"] for doc in sample],
        ranks=[doc["rank"] for doc in sample],
        threshold=n // 2,
    )


def prepare_references(db: Database[Any], n: int) -> Prepared:
    """``N_REFERENCING`` pets referencing ``N_REFERENCED`` owners (``n`` is not used)."""
    _reset(db, OWNERS, PETS)
    owners = [
        {"_id": ObjectId(), "name": f"owner-{i}", "city": _CITIES[i % len(_CITIES)]}
        for i in range(N_REFERENCED)
    ]
    pets = [
        {
            "_id": ObjectId(),
            "name": f"pet-{i}",
            "age": i % 15,
            "owner": owners[i % N_REFERENCED]["_id"],
        }
        for i in range(N_REFERENCING)
    ]
    db[OWNERS].insert_many(owners)
    db[PETS].insert_many(pets)
    return Prepared()


def prepare_reference_lists(db: Database[Any], n: int) -> Prepared:
    """``n`` books, each with a list of 3 of ``N_REFERENCED`` writers."""
    _reset(db, WRITERS, BOOKS)
    writers = [{"_id": ObjectId(), "name": f"writer-{i}"} for i in range(N_REFERENCED)]
    books = [
        {
            "_id": ObjectId(),
            "title": f"book-{i}",
            "authors": [writers[(i + k) % N_REFERENCED]["_id"] for k in range(N_BOOK_AUTHORS)],
        }
        for i in range(n)
    ]
    db[WRITERS].insert_many(writers)
    db[BOOKS].insert_many(books)
    return Prepared()


def prepare_lazy(db: Database[Any], n: int) -> Prepared:
    """``N_LAZY`` notes, each with a lazy reference to its own writer; the notes are loaded
    (their references are what ``fetch_all`` reads; ``ids``: the writers' keys)."""
    _reset(db, WRITERS, NOTES)
    writers: list[dict[str, Any]] = [
        {"_id": ObjectId(), "name": f"writer-{i}"} for i in range(N_LAZY)
    ]
    notes = [{"_id": ObjectId(), "text": f"note-{i}", "writer": w["_id"]} for i, w in enumerate(writers)]  # fmt: skip
    db[WRITERS].insert_many(writers)
    db[NOTES].insert_many(notes)
    loaded = loader(BenchNote)
    return Prepared(instances=[loaded.one(note) for note in notes], ids=[w["_id"] for w in writers])


def prepare_cascade(db: Database[Any], n: int) -> Prepared:
    """One label with ``N_CASCADE`` records (``instances``: the loaded label)."""
    _reset(db, LABELS, RECORDS)
    key = ObjectId()
    label: dict[str, Any] = {"_id": key, "name": "label"}
    db[LABELS].insert_one(label)
    db[RECORDS].insert_many([{"title": f"r{i}", "label": key} for i in range(N_CASCADE)])
    db[RECORDS].create_index("label")
    return Prepared(instances=[loader(BenchLabel).one(label)], ids=[key])


def prepare_polymorphic(db: Database[Any], n: int) -> Prepared:
    """``n`` documents stored as :class:`BenchCar` in the polymorphic collection, and the same
    documents in the plain collection."""
    _reset(db, ITEMS, VEHICLES)
    docs = item_docs(n)
    db[ITEMS].insert_many(docs)
    db[VEHICLES].insert_many([{**doc, "_t": "BenchCar"} for doc in docs])
    return Prepared()


def prepare_hooked(db: Database[Any], n: int) -> Prepared:
    """Empty collection; ``n`` new hooked instances and as many plain ones."""
    _reset(db, ITEMS)
    hooked = [BenchHooked(**{k: v for k, v in doc.items() if k != "_id"}) for doc in item_docs(n)]  # fmt: skip
    return Prepared(instances=hooked, plain=[new_item(doc) for doc in item_docs(n)])  # type: ignore[misc]


def prepare_revised(db: Database[Any], n: int) -> Prepared:
    """``n`` stored documents (with a revision); loaded revisioned and plain instances."""
    _reset(db, ITEMS)
    docs = [{**doc, "version": 1} for doc in item_docs(n)]
    db[ITEMS].insert_many(docs)
    sample = random.Random(1).sample(docs, min(N_POINT_OPS, n))
    return Prepared(
        instances=[loader(BenchRevised).one(doc) for doc in sample],
        plain=[loader(BenchItem).one(doc) for doc in sample],  # type: ignore[misc]
    )


def prepare_sharded(db: Database[Any], n: int) -> Prepared:
    """``n`` stored documents; loaded instances of the sharded model and of the plain one."""
    _reset(db, ITEMS)
    docs = item_docs(n)
    db[ITEMS].insert_many(docs)
    sample = random.Random(1).sample(docs, min(N_POINT_OPS, n))
    return Prepared(
        instances=[loader(BenchSharded).one(doc) for doc in sample],
        plain=[loader(BenchItem).one(doc) for doc in sample],  # type: ignore[misc]
    )


def prepare_changes(db: Database[Any], n: int) -> Prepared:
    """``N_CHANGES`` changes of the items collection (inserts, then an update of each), and the
    cluster time they start at: each timed run reads them again from there."""
    _reset(db, ITEMS)
    start = db.command("hello")["operationTime"]
    db[ITEMS].insert_many(item_docs(N_CHANGES // 2))
    db[ITEMS].update_many({}, {"$inc": {"rank": 1}})
    return Prepared(start=start)


# -- workload bodies (``x = yield call`` is ``x = call`` or ``x = await call``) -----------------

Body = Callable[[Any, Prepared], Generator[Any, Any, None]]


def save_all_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``engine.save_all`` of new instances."""
    yield engine.save_all(p.instances)


def save_all_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``insert_many`` of the same documents."""
    yield db[ITEMS].insert_many(p.docs)


def save_all_floor(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """No ODM code: dump the plain pydantic instances, then ``insert_many`` (the floor)."""
    yield db[ITEMS].insert_many([item.model_dump(by_alias=True) for item in p.plain])


def find_floor(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """No ODM code: ``list(find({}))``, then a plain pydantic instance validated from each
    document (``PlainItem.model_validate``), as code around raw PyMongo builds its models."""
    documents = yield db[ITEMS].find({}).to_list(None)
    validate = PlainItem.model_validate
    [validate(document) for document in documents]


def find_list_floor(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """No ODM code: ``list(find({}))``, then pydantic validates the whole list in one call
    (``TypeAdapter(list[PlainItem])``): the least pydantic can do for these instances."""
    documents = yield db[ITEMS].find({}).to_list(None)
    _PLAIN_ITEMS.validate_python(documents)


def find_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the instances, as a list."""
    yield engine.find(BenchItem).to_list()


def find_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the documents, as a list (``list(find({}))``)."""
    yield db[ITEMS].find({}).to_list(None)


def find_one_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find_one`` by primary key, once per sampled id."""
    for oid in p.ids:
        yield engine.find_one(BenchItem, BenchItem.id == oid)


def find_one_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find_one({"_id": ...})``, once per sampled id."""
    collection = db[ITEMS]
    for oid in p.ids:
        yield collection.find_one({"_id": oid})


def save_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """Change one field of a loaded instance, then ``save`` it."""
    for instance in p.instances:
        instance.rank += 1
        yield engine.save(instance)


def save_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``update_one`` with ``$set`` of that one field."""
    collection = db[ITEMS]
    for oid, rank in zip(p.ids, p.ranks, strict=True):
        yield collection.update_one({"_id": oid}, {"$set": {"rank": rank + 1}})


def count_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``count`` with a filter."""
    for _ in range(N_COUNTS):
        yield engine.count(BenchItem, BenchItem.rank >= p.threshold)


def count_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``count_documents`` with the same filter."""
    collection = db[ITEMS]
    for _ in range(N_COUNTS):
        yield collection.count_documents({"rank": {"$gte": p.threshold}})


def find_ref_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the instances of a model with a reference (the engine joins with ``$lookup``)."""
    yield engine.find(BenchPet).to_list()


def find_ref_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The equivalent ``$lookup`` + ``$unwind`` aggregation, as a list."""
    cursor = yield db[PETS].aggregate(PET_PIPELINE)
    yield cursor.to_list(None)


def find_ref_list_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the books, each joined with its list of 3 writers (in order, duplicates kept)."""
    yield engine.find(BenchBook).to_list()


def find_ref_list_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The hand-written ``$lookup`` of the list, as dicts."""
    cursor = yield db[BOOKS].aggregate(BOOK_PIPELINE)
    yield cursor.to_list(None)


def fetch_all_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``engine.fetch_all`` of the notes' lazy references."""
    yield engine.fetch_all([note.writer for note in p.instances])


def fetch_all_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find({"_id": {"$in": ids}})`` of the same writers, as dicts."""
    yield db[WRITERS].find({"_id": {"$in": p.ids}}).to_list(None)


def cascade_delete_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``engine.delete`` of a label whose records are deleted in cascade (in a transaction)."""
    yield engine.delete(p.instances[0])


def cascade_delete_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The hand-written pair: ``delete_many`` of the records, then ``delete_one`` of the label."""
    yield db[RECORDS].delete_many({"label": p.ids[0]})
    yield db[LABELS].delete_one({"_id": p.ids[0]})


def find_polymorphic_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the documents of the polymorphic collection, read through its root."""
    yield engine.find(BenchVehicle).to_list()


def find_plain_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The same documents through a plain model (the reference line)."""
    yield engine.find(BenchItem).to_list()


def save_all_hooks_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``save_all`` of instances with one ``before_save`` hook."""
    yield engine.save_all(p.instances)


def save_all_plain_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``save_all`` of the same instances without hooks (the reference line)."""
    yield engine.save_all(p.plain)


def save_revised_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """Change one field of a loaded revisioned instance, then ``save`` it."""
    for instance in p.instances:
        instance.rank += 1
        yield engine.save(instance)


def save_unrevised_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The same without a revision (the reference line)."""
    for instance in p.plain:
        instance.rank += 1
        yield engine.save(instance)


def save_sharded_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """Change one field of a loaded instance of a sharded model, then ``save`` it."""
    for instance in p.instances:
        instance.rank += 1
        yield engine.save(instance)


def watch_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``engine.watch`` from the prepared time: each event's ``document`` as an instance."""
    stream = engine.watch(BenchItem, start_at_operation_time=p.start)
    seen = 0
    while seen < N_CHANGES:
        event = yield stream.try_next()
        if event is not None:
            assert event.document is not None
            seen += 1
    yield stream.close()


def watch_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``collection.watch`` from the prepared time: each change's ``fullDocument`` read."""
    stream = yield db[ITEMS].watch(start_at_operation_time=p.start, full_document="updateLookup")
    seen = 0
    while seen < N_CHANGES:
        change = yield stream.try_next()
        if change is not None:
            assert change["fullDocument"] is not None
            seen += 1
    yield stream.close()


class BenchName(BaseModel):
    """A projection of :class:`BenchItem`."""

    name: str
    rank: int


class CityCount(BaseModel):
    """An aggregation result."""

    city: str = PydanticField(alias="_id")
    count: int


CITY_GROUP: list[dict[str, Any]] = [{"$group": {"_id": "$address.city", "count": {"$sum": 1}}}]


def update_many_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``update_many`` of every document with a typed ``inc``."""
    yield engine.update_many(BenchItem, BenchItem.rank >= 0, update=inc(BenchItem.rank, 1))


def update_many_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``update_many`` with the same ``$inc``."""
    yield db[ITEMS].update_many({"rank": {"$gte": 0}}, {"$inc": {"rank": 1}})


def find_one_and_update_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find_one_and_update`` by id (returns the updated instance), once per sampled id."""
    for oid, rank in zip(p.ids, p.ranks, strict=True):
        yield engine.find_one_and_update(
            BenchItem, BenchItem.id == oid, update=set_(BenchItem.rank, rank + 1)
        )


def find_one_and_update_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find_one_and_update`` with ``ReturnDocument.AFTER``, once per sampled id."""
    collection = db[ITEMS]
    for oid, rank in zip(p.ids, p.ranks, strict=True):
        yield collection.find_one_and_update(
            {"_id": oid}, {"$set": {"rank": rank + 1}}, return_document=ReturnDocument.AFTER
        )


def find_projection_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """All the documents projected on two fields, as :class:`BenchName` instances."""
    yield engine.find(BenchItem, projection=BenchName).to_list()


def find_projection_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``find`` with the same projection, as a list."""
    yield db[ITEMS].find({}, {"name": 1, "rank": 1, "_id": 0}).to_list(None)


_NAME_LIST = TypeAdapter(list[BenchName])


def projection_floor_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """No ODM code: the raw find, then pydantic's own validation of the list as BenchName
    instances, the least any ODM returning pydantic models can do (a reference line)."""
    collection = engine.get_collection(BenchItem)
    documents = yield collection.find({}, {"name": 1, "rank": 1, "_id": 0}).to_list(None)
    _NAME_LIST.validate_python(documents)


def aggregate_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """A ``$group`` by city into :class:`CityCount` instances."""
    yield engine.aggregate(BenchItem, CITY_GROUP, output=CityCount).to_list()


def aggregate_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The same aggregation, as a list."""
    cursor = yield db[ITEMS].aggregate(CITY_GROUP)
    yield cursor.to_list(None)


def distinct_odm(engine: Any, p: Prepared) -> Generator[Any, Any, None]:
    """The distinct cities, parsed through the field's type."""
    for _ in range(N_COUNTS):
        yield engine.distinct(BenchItem, BenchItem.address.city)


def distinct_raw(db: Any, p: Prepared) -> Generator[Any, Any, None]:
    """``distinct("address.city")``."""
    for _ in range(N_COUNTS):
        yield db[ITEMS].distinct("address.city")


def drive_sync(body: Generator[Any, Any, None]) -> None:
    """Run a body for the blocking twin: every yielded value is sent straight back."""
    value: Any = None
    try:
        while True:
            value = body.send(value)
    except StopIteration:
        return


async def drive_async(body: Generator[Any, Any, None]) -> None:
    """Run a body for the async twin: yielded awaitables are awaited, other values sent back."""
    value: Any = None
    try:
        while True:
            step = body.send(value)
            value = (await step) if inspect.isawaitable(step) else step
    except StopIteration:
        return


@dataclass(frozen=True)
class Workload:
    """One line of the benchmark table."""

    name: str
    description: str
    target: float
    """Acceptable ODM/raw time ratio."""
    prepare: Callable[[Database[Any], int], Prepared]
    odm: Body
    raw: Body
    raw_is_odm: bool = False
    """The reference line is the ODM without the feature (it gets the engine, not the raw
    database)."""
    repeats_factor: int = 1
    """Timed runs per side are `repeats` times this: a tight target over network-bound work
    (two sides differing by microseconds per call) needs more runs to rise above the noise."""


WORKLOADS: tuple[Workload, ...] = (
    Workload("save_all", "save_all of N new instances vs insert_many", 2.0, prepare_empty,
             save_all_odm, save_all_raw),
    Workload("save_all_floor", "save_all of N new instances vs the pydantic floor (dump plain "
             "pydantic models + insert_many)", 1.2, prepare_empty, save_all_odm, save_all_floor),
    Workload("find", "find all N to a list vs list(find({}))", 3.5, prepare_seeded,
             find_odm, find_raw),
    Workload("find_floor", "find all N to a list vs the pydantic floor (list(find({})) + "
             "model_validate of each document)", 1.0, prepare_seeded, find_odm, find_floor),
    Workload("find_list_floor", "find all N to a list vs list(find({})) + one pydantic "
             "validation of the list", 1.2, prepare_seeded, find_odm, find_list_floor),
    Workload("find_one", f"find_one by id x{N_POINT_OPS} vs find_one({{'_id'}})", 1.1,
             prepare_seeded, find_one_odm, find_one_raw),
    Workload("save", f"change one field + save x{N_POINT_OPS} vs update_one $set", 1.1,
             prepare_seeded, save_odm, save_raw),
    Workload("count", f"count with a filter x{N_COUNTS} vs count_documents", 1.1,
             prepare_seeded, count_odm, count_raw),
    Workload("find_ref", f"find {N_REFERENCING} with a Reference() vs $lookup+$unwind", 3.5,
             prepare_references, find_ref_odm, find_ref_raw),
    Workload("find_ref_list", f"find N with a list of {N_BOOK_AUTHORS} references vs $lookup",
             2.0, prepare_reference_lists, find_ref_list_odm, find_ref_list_raw),
    Workload("fetch_all", f"fetch_all of {N_LAZY} Lazy references vs find $in", 1.2,
             prepare_lazy, fetch_all_odm, fetch_all_raw),
    Workload("cascade_delete", f"delete 1 with {N_CASCADE} referencing it in cascade vs "
             "delete_many + delete_one", 1.5, prepare_cascade, cascade_delete_odm,
             cascade_delete_raw),
    Workload("find_polymorphic", "find N through a polymorphic root vs a plain model", 1.1,
             prepare_polymorphic, find_polymorphic_odm, find_plain_odm, raw_is_odm=True),
    Workload("save_all_hooks", "save_all of N with a before_save hook vs without hooks", 1.1,
             prepare_hooked, save_all_hooks_odm, save_all_plain_odm, raw_is_odm=True),
    Workload("save_revised", f"revisioned one-field save x{N_POINT_OPS} vs unrevisioned", 1.1,
             prepare_revised, save_revised_odm, save_unrevised_odm, raw_is_odm=True),
    Workload("save_sharded", f"one-field save x{N_POINT_OPS} of a sharded model vs unsharded",
             1.05, prepare_sharded, save_sharded_odm, save_unrevised_odm, raw_is_odm=True,
             repeats_factor=3),
    Workload("watch", f"watch {N_CHANGES} inserts and updates into models vs "
             "collection.watch()", 1.3, prepare_changes, watch_odm, watch_raw),
    Workload("update_many", "update_many inc() of N vs update_many $inc", 1.2, prepare_seeded,
             update_many_odm, update_many_raw),
    Workload("find_one_and_update", f"find_one_and_update x{N_POINT_OPS} vs the raw call", 1.2,
             prepare_seeded, find_one_and_update_odm, find_one_and_update_raw),
    Workload("find_projection", "find N with a 2-field projection vs find(projection)", 1.2,
             prepare_seeded, find_projection_odm, find_projection_raw),
    Workload("projection_floor", "raw find + pydantic validation only (reference line)", 1.2,
             prepare_seeded, projection_floor_odm, find_projection_raw),
    Workload("aggregate", "$group by city into models vs aggregate", 1.2, prepare_seeded,
             aggregate_odm, aggregate_raw),
    Workload("distinct", f"distinct of a field x{N_COUNTS} vs distinct", 1.2, prepare_seeded,
             distinct_odm, distinct_raw),
)  # fmt: skip


# -- harness ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Twin:
    """An engine and the raw driver database it is compared with (same client)."""

    name: str
    engine: SyncEngine | AIOEngine
    raw_db: Any
    is_async: bool


@dataclass
class Measurement:
    """Timings (seconds) of one workload on one twin."""

    workload: str
    twin: str
    target: float
    odm_s: list[float] = field(default_factory=list)
    raw_s: list[float] = field(default_factory=list)

    @property
    def odm_ms(self) -> float:
        """Median ODM time in milliseconds."""
        return statistics.median(self.odm_s) * 1000

    @property
    def raw_ms(self) -> float:
        """Median raw-driver time in milliseconds."""
        return statistics.median(self.raw_s) * 1000

    @property
    def ratio(self) -> float:
        """Median ODM time / median raw time."""
        return self.odm_ms / self.raw_ms

    @property
    def passed(self) -> bool:
        """Whether the ratio is within the target."""
        return self.ratio <= self.target


async def _timed_run(twin: Twin, workload: Workload, odm: bool, prep_db: Database[Any], n: int) -> float:  # fmt: skip
    prepared = workload.prepare(prep_db, n)
    reference = twin.engine if workload.raw_is_odm else twin.raw_db
    body = workload.odm(twin.engine, prepared) if odm else workload.raw(reference, prepared)
    gc.collect()
    if twin.is_async:
        start = time.perf_counter()
        await drive_async(body)
        return time.perf_counter() - start
    start = time.perf_counter()
    drive_sync(body)
    return time.perf_counter() - start


async def measure_twin(
    twin: Twin,
    prep_db: Database[Any],
    *,
    workloads: Sequence[Workload] = WORKLOADS,
    n: int = N_DOCS,
    repeats: int = 5,
    progress: Callable[[str], object] = lambda _: None,
) -> list[Measurement]:
    """Time every workload on ``twin``: one warm-up of each side, then ``repeats`` runs of each,
    ODM and raw interleaved (the side that goes first alternates)."""
    results: list[Measurement] = []
    for workload in workloads:
        measurement = Measurement(workload.name, twin.name, workload.target)
        for odm in (True, False):
            await _timed_run(twin, workload, odm, prep_db, n)
        for repeat in range(repeats * workload.repeats_factor):
            for odm in (True, False) if repeat % 2 == 0 else (False, True):
                elapsed = await _timed_run(twin, workload, odm, prep_db, n)
                (measurement.odm_s if odm else measurement.raw_s).append(elapsed)
        progress(
            f"{twin.name:>5} {workload.name:<9} odm {measurement.odm_ms:8.1f} ms  "
            f"raw {measurement.raw_ms:8.1f} ms  ratio {measurement.ratio:5.2f}"
        )
        results.append(measurement)
    return results
