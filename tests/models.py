"""Models shared by the engine tests of both twins."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import model_validator

from odmantic import EmbeddedModel, Field, Index, Model, Reference, query
from odmantic.config import ODMConfigDict


class Address(EmbeddedModel):
    city: str
    zip_code: str = Field(default="00000", key_name="zip")


class Player(Model):
    name: str
    level: int = Field(default=0, ge=0)
    tags: list[str] = []
    address: Address | None = None


class Publisher(Model):
    name: str
    founded: datetime | None = None


class Author(Model):
    name: str
    publisher: Publisher = Reference()


class Book(Model):
    title: str
    pages: int = 0
    price: Decimal = Decimal("0")
    author: Author = Reference(key_name="author_id")


class Account(Model):
    model_config = ODMConfigDict(
        collection="accounts",
        indexes=lambda: [Index(Account.region, query.desc(Account.score), name="region_score")],
    )
    email: str = Field(unique=True)
    region: str = Field(default="eu", index=True)
    score: int = 0


class Tagged(Model):
    code: str = Field(primary_field=True)
    label: str = Field(key_name="lbl")


class Review(Model):
    text: str
    book: Book | None = Reference()


class OnlyKey(Model):
    key: str = Field(primary_field=True)


class Rect(Model):
    """A field derived by a model validator."""

    width: int
    height: int
    area: int = 0

    @model_validator(mode="after")
    def _derive_area(self) -> Rect:
        self.__dict__["area"] = self.width * self.height  # pyright: ignore[reportIndexIssue]
        return self
