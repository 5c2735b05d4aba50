"""Guide: models and fields."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from odmantic import AIOEngine, EmbeddedModel, Field, Model, Reference


class Address(EmbeddedModel):
    city: str
    zip_code: str = Field(default="00000", key_name="zip")


class Publisher(Model):
    name: str


class Book(Model):
    model_config = {"collection": "guide_books"}

    title: str
    price: Decimal = Decimal("0")
    published: datetime | None = None
    tags: list[str] = []
    shop: Address | None = None
    publisher: Publisher = Reference()


async def main(engine: AIOEngine) -> None:
    """Save a book with its publisher, read it back, and look at the stored document."""
    book = Book(
        title="Dune", price=Decimal("9.99"), publisher=Publisher(name="Chilton")
    )
    await engine.save(book)  # saves the publisher first
    found = await engine.find_one(Book, Book.title == "Dune")
    assert found is not None and found == book and found.publisher.name == "Chilton"
    stored = await engine.get_collection(Book).find_one({"_id": book.id})
    assert stored is not None and stored["publisher"] == book.publisher.id
    assert Book.__odmantic_schema__.fields["shop"].kind == "embedded"
