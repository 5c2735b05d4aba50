"""The `$lookup` stages of `odmantic.reference`, read off the model schemas (no server)."""

from __future__ import annotations

from typing import Optional

import pytest

from odmantic import Model, Reference
from odmantic.reference import lookup_stages
from tests.models import Author, Book, Player, Review


def _join(key: str, collection: str, nested: list[dict[str, object]] | None = None) -> list[object]:
    joined = f"__odm_joined_{key}"
    lookup: dict[str, object] = {
        "from": collection,
        "localField": key,
        "foreignField": "_id",
        "as": joined,
    }
    if nested:
        lookup["pipeline"] = nested
    found = {"$first": f"${joined}"}
    missing = {"$cond": [{"$eq": [f"${key}", None]}, None, "$$REMOVE"]}
    return [
        {"$lookup": lookup},
        {"$set": {key: {"$cond": [{"$gt": [{"$size": f"${joined}"}, 0]}, found, missing]}}},
        {"$unset": joined},
    ]


def test_a_model_without_references_has_no_stages() -> None:
    assert lookup_stages(Player.__odmantic_schema__) == []


def test_stages_join_by_key_name_and_nest_the_deeper_references() -> None:
    publisher = _join("publisher", "publisher")
    assert lookup_stages(Author.__odmantic_schema__) == publisher
    assert lookup_stages(Book.__odmantic_schema__) == _join("author_id", "author", publisher)  # type: ignore[arg-type]
    assert lookup_stages(Review.__odmantic_schema__) == _join(
        "book",
        "book",
        _join("author_id", "author", publisher),  # type: ignore[arg-type]
    )


def test_stages_are_fresh_copies() -> None:
    stages = lookup_stages(Book.__odmantic_schema__)
    stages[0]["$lookup"]["from"] = "tampered"
    assert lookup_stages(Book.__odmantic_schema__)[0]["$lookup"]["from"] == "author"


def test_a_cycle_of_references_cannot_be_joined() -> None:
    class Node(Model):
        name: str
        parent: Optional[Node] = Reference()  # noqa: UP045 (a forward reference)

    assert Node.__odmantic_schema__.fields["parent"].target is Node.__odmantic_schema__
    with pytest.raises(TypeError, match="cyclic references cannot be loaded: Node -> Node"):
        lookup_stages(Node.__odmantic_schema__)
