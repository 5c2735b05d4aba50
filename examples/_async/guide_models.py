"""Guide: models and fields.

docs/guides/models.md shows each section and its output; the test compares
what this prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ValidationError

from odmantic import (
    AIOEngine,
    EmbeddedModel,
    Field,
    Index,
    Lazy,
    Model,
    Reference,
    WithBsonSerializer,
)
from odmantic.bson import Binary, Int64

# --8<-- [end:imports]


# --8<-- [start:declare]
class Player(Model):
    name: str
    level: int = 0
    # --8<-- [end:declare]


# --8<-- [start:types]
class Order(Model):
    model_config = {"collection": "guide_orders"}

    total: Decimal
    placed: datetime
    views: Int64 = Int64(0)
    lines: list[str] = []
    notes: str | None = None
    # --8<-- [end:types]


# --8<-- [start:defaults]
class Ticket(Model):
    model_config = {"collection": "guide_tickets"}

    title: str
    status: Literal["open", "closed"] = "open"
    labels: list[str] = Field(default_factory=list)
    assignee: str | None = None
    # --8<-- [end:defaults]


# --8<-- [start:keys]
class Country(Model):
    model_config = {"collection": "guide_countries"}

    code: str = Field(primary_field=True)
    name: str = Field(key_name="n")
    # --8<-- [end:keys]


# --8<-- [start:constraints]
class Character(Model):
    model_config = {"collection": "guide_characters"}

    name: str = Field(min_length=2, max_length=20)
    level: int = Field(default=1, ge=1, le=100)
    email: str = Field(default="", regex=r"^$|^[^@]+@[^@]+$")
    # --8<-- [end:constraints]


# --8<-- [start:embedded]
class Address(EmbeddedModel):
    street: str
    city: str


class Customer(Model):
    model_config = {"collection": "guide_customers"}

    name: str
    address: Address
    previous: list[Address] = []
    # --8<-- [end:embedded]


# --8<-- [start:references]
class Studio(Model):
    model_config = {"collection": "guide_studios"}

    name: str


class Film(Model):
    model_config = {"collection": "guide_films"}

    title: str
    studio: Studio = Reference(on_delete="cascade")
    cast: list[Customer] = Reference(default_factory=list)
    sequel: Lazy[Film] | None = Reference(default=None)
    # --8<-- [end:references]


# --8<-- [start:config]
class Event(Model):
    model_config = {
        "collection": "guide_events",
        "extra": "allow",
        "indexes": lambda: [Index(Event.kind, Event.at, name="kind_at")],
    }

    kind: str = Field(index=True)
    at: datetime
    # --8<-- [end:config]


# --8<-- [start:bson]
class Measure(Model):
    model_config = {"collection": "guide_measures"}

    sensor: Binary
    count: Int64
    reading: Annotated[float, WithBsonSerializer(str)]
    # --8<-- [end:bson]


async def main(engine: AIOEngine) -> None:
    """Every section of the models guide, in order."""
    # --8<-- [start:declare-use]
    player = Player(name="Leeroy")
    print(Player.__collection__)
    print(player.name, player.level, type(player.id).__name__)
    print(player.model_dump_doc(exclude={"id"}))
    # --8<-- [end:declare-use]

    # --8<-- [start:types-use]
    order = Order(total=Decimal("9.99"), placed=datetime(2024, 5, 1, 12, 30, 0, 123456))
    await engine.save(order)
    stored = await engine.get_collection(Order).find_one({"_id": order.id})
    assert stored is not None
    for key in ("total", "placed", "views", "lines", "notes"):
        print(key, repr(stored[key]))
    # --8<-- [end:types-use]

    # --8<-- [start:defaults-use]
    first = Ticket(title="Printer on fire")
    second = Ticket(title="Coffee machine", status="closed")
    first.labels.append("urgent")
    print(first.status, first.labels, first.assignee)
    print(second.status, second.labels)
    # --8<-- [end:defaults-use]

    # --8<-- [start:keys-use]
    france = Country(code="FR", name="France")
    await engine.save(france)
    print(await engine.get_collection(Country).find_one({}))
    print(Country.name == "France")
    found = await engine.find_one(Country, Country.code == "FR")
    print(found)
    # --8<-- [end:keys-use]

    # --8<-- [start:constraints-use]
    try:
        Character(name="X", level=101)
    except ValidationError as error:
        for problem in error.errors():
            print(problem["loc"], problem["msg"])
    hero = Character(name="Thrall")
    try:
        hero.level = 0
    except ValidationError as error:
        print(error.errors()[0]["msg"], "- level is still", hero.level)
    # --8<-- [end:constraints-use]

    # --8<-- [start:embedded-use]
    home = Address(street="1 Main St", city="Springfield")
    alice = Customer(name="Alice", address=home)
    await engine.save(alice)
    in_town = await engine.find(Customer, Customer.address.city == "Springfield")
    print([customer.name for customer in in_town])
    print(alice.model_dump_doc(include={"address"}))
    # --8<-- [end:embedded-use]

    # --8<-- [start:references-use]
    aliens = await engine.save(Film(title="Aliens", studio=Studio(name="Fox")))
    alien = Film(title="Alien", studio=aliens.studio, cast=[alice], sequel=Lazy(aliens))
    await engine.save(alien)
    stored = await engine.get_collection(Film).find_one({"title": "Alien"}, {"_id": 0})
    assert stored is not None
    print({key: type(value).__name__ for key, value in stored.items()})
    # --8<-- [end:references-use]

    # --8<-- [start:config-use]
    await engine.configure_database([Event])
    indexes = await engine.get_collection(Event).index_information()
    print(sorted(indexes))
    event = Event.model_validate(
        {"kind": "login", "at": datetime(2024, 5, 1), "ip": "::1"}
    )
    await engine.save(event)
    print(await engine.get_collection(Event).find_one({}, {"_id": 0}))
    # --8<-- [end:config-use]

    # --8<-- [start:bson-use]
    measure = Measure(sensor=Binary(b"\x01\x02", 5), count=Int64(3), reading=0.1)
    await engine.save(measure)
    raw = await engine.get_collection(Measure).find_one({}, {"_id": 0})
    print(raw)
    print(measure.model_dump(exclude={"id"}))
    # --8<-- [end:bson-use]

    # --8<-- [start:raw]
    document = {"_id": "DE", "n": "Germany"}
    print(Country.model_validate_doc(document))
    await engine.get_collection(Country).insert_one(document)
    print(await engine.count(Country))
    # --8<-- [end:raw]
