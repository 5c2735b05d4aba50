"""Polymorphic collections, through the real replica set in both twins."""

from __future__ import annotations

import pytest

from odmantic import AIOEngine, Model
from odmantic.exceptions import DocumentParsingError, ModelDefinitionError
from odmantic.update import inc
from tests.polymorphic_models import Bike, Car, Garage, Parking, SportsCar, Truck, Vehicle


async def _fleet(engine: AIOEngine) -> tuple[Car, SportsCar, Truck, Vehicle]:
    car, sports = Car(name="car", doors=2), SportsCar(name="sports")
    truck, plain = Truck(name="truck", load=1.5), Vehicle(name="plain")
    await engine.save_all([car, sports, truck, plain])
    return car, sports, truck, plain


async def test_documents_store_their_class_in_the_shared_collection(engine: AIOEngine) -> None:
    await _fleet(engine)
    raw = await engine.get_collection(Vehicle).find({}, {"_id": 0, "_t": 1}).to_list(None)
    assert sorted(d["_t"] for d in raw) == ["Car", "SportsCar", "Vehicle", "truck"]
    assert Car.__collection__ == Truck.__collection__ == "poly_vehicles"


async def test_finding_the_root_gives_each_document_its_class(engine: AIOEngine) -> None:
    await _fleet(engine)
    found = await engine.find(Vehicle, sort=Vehicle.name)
    assert [type(v).__name__ for v in found] == ["Car", "Vehicle", "SportsCar", "Truck"]


async def test_finding_a_subclass_keeps_it_and_its_subclasses(engine: AIOEngine) -> None:
    await _fleet(engine)
    assert [type(c).__name__ for c in await engine.find(Car, sort=Car.name)] == [
        "Car",
        "SportsCar",
    ]
    assert (await engine.count(Car), await engine.count(Truck)) == (2, 1)


async def test_find_one_of_the_root_by_id_returns_the_subclass(engine: AIOEngine) -> None:
    _, sports, _, _ = await _fleet(engine)
    found = await engine.find_one(Vehicle, Vehicle.id == sports.id)
    assert isinstance(found, SportsCar) and found.top_speed == 300


async def test_a_subclass_field_queries_the_root_through_the_subclass(engine: AIOEngine) -> None:
    await _fleet(engine)
    assert [v.name for v in await engine.find(Vehicle, Car.doors > 2)] == ["sports"]


async def test_writes_and_reads_by_query_keep_to_the_subclass(engine: AIOEngine) -> None:
    await _fleet(engine)
    await engine.update_many(Car, update=inc(Car.km, 10))
    assert sorted((v.name, v.km) for v in await engine.find(Vehicle)) == [
        ("car", 10),
        ("plain", 0),
        ("sports", 10),
        ("truck", 0),
    ]
    assert sorted(await engine.distinct(Car, Car.name)) == ["car", "sports"]
    assert await engine.aggregate(Truck, [{"$count": "n"}]).to_list() == [{"n": 1}]
    assert await engine.remove(Car) == 2 and await engine.count(Vehicle) == 2


async def test_a_document_without_discriminator_loads_as_the_root(engine: AIOEngine) -> None:
    await engine.get_collection(Vehicle).insert_one({"name": "old"})
    found = await engine.find_one(Vehicle)
    assert type(found) is Vehicle


async def test_an_unknown_discriminator_names_the_value(engine: AIOEngine) -> None:
    await engine.get_collection(Vehicle).insert_one({"name": "x", "_t": "Boat"})
    with pytest.raises(DocumentParsingError, match="'Boat'"):
        await engine.find(Vehicle).to_list()


async def test_subclass_indexes_are_created_on_the_shared_collection(engine: AIOEngine) -> None:
    await engine.configure_database([Vehicle])
    assert "doors_1" in await engine.get_collection(Vehicle).index_information()


async def test_references_to_the_root_load_the_subclass(engine: AIOEngine) -> None:
    car, sports, truck, _ = await _fleet(engine)
    await engine.save(Garage(main=sports, fleet=[truck, car]))
    found = await engine.find_one(Garage)
    assert found is not None and isinstance(found.main, SportsCar)
    assert [type(v).__name__ for v in found.fleet] == ["Truck", "Car"]


def test_a_subclass_cannot_choose_another_collection() -> None:
    with pytest.raises(ModelDefinitionError, match="stored in its collection"):

        class Boat(Vehicle):
            model_config = {"collection": "boats"}


def test_non_polymorphic_inheritance_keeps_a_collection_per_class() -> None:
    class Base(Model):
        name: str

    class Derived(Base):
        extra: int = 0

    assert (Base.__collection__, Derived.__collection__) == ("base", "derived")
    assert "_t" not in Derived(name="d").model_dump_doc()


async def test_a_query_write_of_the_root_refuses_to_skip_a_subclass_hook(
    engine: AIOEngine,
) -> None:
    await engine.save(Bike(name="b"))
    with pytest.raises(TypeError, match="Bike.keep"):
        await engine.remove(Vehicle)
    assert await engine.count(Bike) == 1


async def test_a_subclass_unique_index_ignores_the_other_classes(engine: AIOEngine) -> None:
    await engine.configure_database([Vehicle])
    await engine.save_all([Truck(name="t1"), Truck(name="t2"), Bike(name="b", serial="s1")])
    assert await engine.count(Truck) == 2


async def test_a_delete_rule_on_the_root_applies_to_subclass_documents(
    engine: AIOEngine,
) -> None:
    car = Car(name="c")
    await engine.save(Parking(spot=1, vehicle=car))
    await engine.delete(car)
    assert await engine.count(Parking) == 0


async def test_an_upsert_of_a_subclass_stores_its_class(engine: AIOEngine) -> None:
    await engine.update_one(Car, Car.name == "new", update=inc(Car.km, 1), upsert=True)
    found = await engine.find_one(Vehicle, Vehicle.name == "new")
    assert type(found) is Car


async def test_distinct_of_the_root_reads_a_subclass_field(engine: AIOEngine) -> None:
    await _fleet(engine)
    assert sorted(await engine.distinct(Vehicle, Car.doors)) == [2, 4]
