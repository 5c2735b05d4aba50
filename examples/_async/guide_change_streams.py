"""Guide: change streams.

docs/guides/change_streams.md shows each section and its output; the test compares what
this prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from typing import Any

from odmantic import AIOEngine, EmbeddedModel, Field, Model
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


async def main(engine: AIOEngine) -> None:
    # --8<-- [start:watch]
    async with engine.watch(Order) as stream:
        order = await engine.save(Order(customer="Ada", total=30))
        order.total = 45
        order.address = Address(city="Lyon")
        await engine.save(order)
        async for event in stream:
            assert event.document is not None and event.id == order.id
            print(event.operation, event.document.total, event.updated_fields)
            if event.operation == "update":
                break
    # --8<-- [end:watch]

    # --8<-- [start:filter]
    stream = engine.watch(Order, Order.total >= 100, operations=["insert", "replace"])
    async with stream:
        await engine.save_all(
            [Order(customer="Bo", total=20), Order(customer="Cy", total=120)]
        )
        async for event in stream:
            assert event.document is not None
            print(event.operation, event.document.customer)
            break
    # --8<-- [end:filter]

    # --8<-- [start:resume]
    async with engine.watch(Order, operations=["insert"]) as stream:
        await engine.save_all([Order(customer=name) for name in ("Di", "Ed", "Flo")])
        first = await anext(stream)
        assert first.document is not None
        print("read", first.document.customer)
        token = stream.resume_token  # store it: a database, a file...

    async with engine.watch(Order, operations=["insert"], resume_after=token) as stream:
        rest = [await anext(stream) for _ in range(2)]
        print("after resuming:", [e.document.customer for e in rest if e.document])
    # --8<-- [end:resume]

    await pre_images(engine)
    await parsing(engine)


async def pre_images(engine: AIOEngine) -> None:
    # --8<-- [start:pre-images]
    await engine.configure_database([Order])  # enables the pre-images of guide_orders
    order = await engine.save(Order(customer="Gus", total=10))
    stream = engine.watch(Order, full_document_before_change="whenAvailable")
    async with stream:
        order.total = 99
        await engine.save(order)
        event = await anext(stream)
        assert event.before is not None and event.document is not None
        print(event.before.total, "->", event.document.total)
    # --8<-- [end:pre-images]


async def parsing(engine: AIOEngine) -> None:
    # --8<-- [start:parsing]
    async with engine.watch(Order, operations=["insert"]) as stream:
        raw: Any = {"customer": "Hal", "t": "a lot"}  # another writer, not a number
        await engine.get_collection(Order).insert_one(raw)
        await engine.save(Order(customer="Ivy"))
        async for event in stream:
            try:
                print(event.document and event.document.customer)
            except DocumentParsingError as error:
                print("skipped:", error.errors[0]["loc"], error.errors[0]["type"])
                continue
            break
    # --8<-- [end:parsing]
