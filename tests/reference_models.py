"""Models of the reference tests: lists, embedded references, lazy ones, cycles, delete rules.

Shared by both twins' tests (delete rules are read off every model defined, so the models are
defined once)."""

from __future__ import annotations

from typing import Optional

from odmantic import EmbeddedModel, Field, Index, Lazy, Model, Reference


class Writer(Model):
    model_config = {"collection": "ref_writer"}

    name: str


class Anthology(Model):
    model_config = {"collection": "ref_anthology"}

    title: str
    writers: list[Writer] = Reference(default_factory=list)
    editor: Lazy[Writer] | None = Reference(default=None)
    readers: list[Lazy[Writer]] = Reference(default_factory=list, index=False)


class Part(Model):
    model_config = {"collection": "ref_part"}

    name: str


class Line(EmbeddedModel):
    part: Part = Reference()
    qty: int = 1


class Order(Model):
    model_config = {"collection": "ref_order"}

    main: Line
    lines: list[Line] = []
    spare: Optional[Line] = None  # noqa: UP045


class Category(Model):
    model_config = {"collection": "ref_category"}

    name: str
    parent: Optional[Category] = Reference(default=None, depth=2)  # noqa: UP045


class Folder(Model):
    model_config = {"collection": "ref_folder"}

    name: str
    parent: Optional[Lazy[Folder]] = Reference(default=None)  # noqa: UP045


# Delete rules: a label owns albums (cascade), albums own tracks (cascade); a studio cannot go
# while albums are recorded there (deny); fans are pulled; a producer is nullified.
class Label(Model):
    model_config = {"collection": "rule_label"}

    name: str


class Studio(Model):
    model_config = {"collection": "rule_studio"}

    name: str


class Person(Model):
    model_config = {"collection": "rule_person"}

    name: str


class Credit(EmbeddedModel):
    person: Optional[Person] = Reference(default=None, on_delete="nullify")  # noqa: UP045
    role: str = "guest"


class Album(Model):
    model_config = {"collection": "rule_album"}

    title: str
    label: Label = Reference(on_delete="cascade")
    studio: Lazy[Studio] = Reference(on_delete="deny")
    fans: list[Person] = Reference(default_factory=list, on_delete="pull")
    producer: Optional[Person] = Reference(default=None, on_delete="nullify")  # noqa: UP045
    credits: list[Credit] = []


class Track(Model):
    model_config = {"collection": "rule_track"}

    title: str
    album: Album = Reference(on_delete="cascade")
    seconds: int = Field(default=0, ge=0)


# A cycle between two models: the club is declared first, naming a model defined after it.
class Club(Model):
    model_config = {"collection": "ref_club"}

    name: str
    captain: Optional[Lazy[Member]] = Reference(default=None)  # noqa: UP045


class Member(Model):
    model_config = {"collection": "ref_member"}

    name: str
    club: Club = Reference()


# A deny rule on a document that the same delete removes in cascade does not block it.
class Shelf(Model):
    model_config = {"collection": "rule_shelf"}

    name: str


class Volume(Model):
    model_config = {"collection": "rule_volume"}

    title: str
    shelf: Shelf = Reference(on_delete="cascade")


class Borrowing(Model):
    model_config = {"collection": "rule_borrowing", "indexes": lambda: [Index(Borrowing.volume, name="by_volume")]}  # fmt: skip

    shelf: Shelf = Reference(on_delete="cascade")
    volume: Volume = Reference(on_delete="deny")
