# generated from examples/_async/guide_change_streams.py by codegen; do not edit
"""Guide: change streams.

docs/guides/change_streams.md shows each section and its output; the test compares what
this prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

from odmantic import EmbeddedModel, Field, Model, SyncEngine
from odmantic.exceptions import DocumentParsingError

# --8<-- [end:imports]


# --8<-- [start:model]
class Address(EmbeddedModel):
    city: str


class Order(Model):
    model_config = {"collection": "guide_orders", "change_stream_pre_images": True}

    customer: str
    total: int = Field(default=0, key_name="t")
    address: Address | None = None
    # --8<-- [end:model]


def main(engine: SyncEngine) -> None:
    # --8<-- [start:watch]
    with engine.watch(Order) as stream:
        order = engine.save(Order(customer="Ada", total=30))
        order.total = 45
        order.address = Address(city="Lyon")
        engine.save(order)
        for event in stream:
            assert event.document is not None and event.id == order.id
            print(event.operation, event.document.total, event.updated_fields)
            if event.operation == "update":
                break
    # --8<-- [end:watch]

    # --8<-- [start:filter]
    stream = engine.watch(Order, Order.total >= 100, operations=["insert", "replace"])
    with stream:
        engine.save_all(
            [Order(customer="Bo", total=20), Order(customer="Cy", total=120)]
        )
        for event in stream:
            assert event.document is not None
            print(event.operation, event.document.customer)
            break
    # --8<-- [end:filter]

    # --8<-- [start:resume]
    with engine.watch(Order, operations=["insert"]) as stream:
        engine.save_all([Order(customer=name) for name in ("Di", "Ed", "Flo")])
        first = next(stream)
        assert first.document is not None
        print("read", first.document.customer)
        token = stream.resume_token  # store it: a database, a file...

    with engine.watch(Order, operations=["insert"], resume_after=token) as stream:
        rest = [next(stream) for _ in range(2)]
        print("after resuming:", [e.document.customer for e in rest if e.document])
    # --8<-- [end:resume]

    pre_images(engine)
    parsing(engine)


def pre_images(engine: SyncEngine) -> None:
    # --8<-- [start:pre-images]
    engine.configure_database([Order])  # enables the pre-images of guide_orders
    order = engine.save(Order(customer="Gus", total=10))
    stream = engine.watch(Order, full_document_before_change="whenAvailable")
    with stream:
        order.total = 99
        engine.save(order)
        event = next(stream)
        assert event.before is not None and event.document is not None
        print(event.before.total, "->", event.document.total)
    # --8<-- [end:pre-images]


def parsing(engine: SyncEngine) -> None:
    # --8<-- [start:parsing]
    with engine.watch(Order, operations=["insert"]) as stream:
        raw: Any = {"customer": "Hal", "t": "a lot"}  # another writer, not a number
        engine.get_collection(Order).insert_one(raw)
        engine.save(Order(customer="Ivy"))
        for event in stream:
            try:
                print(event.document and event.document.customer)
            except DocumentParsingError as error:
                print("skipped:", error.errors[0]["loc"], error.errors[0]["type"])
                continue
            break
    # --8<-- [end:parsing]
