"""The `$lookup` stages joining references, read off the model schemas (no server)."""

from __future__ import annotations

from typing import Any, Optional

from odmantic import Lazy, Model, Reference
from odmantic._internal.document import TOO_DEEP
from odmantic._internal.joins import lookup_stages
from tests.models import Author, Book, Player


def _lookups(stages: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(collection, local key, number of nested stages) of each `$lookup`."""
    return [
        (s["$lookup"]["from"], s["$lookup"]["localField"], len(s["$lookup"].get("pipeline", [])))
        for s in stages
        if "$lookup" in s
    ]


def test_a_model_without_references_has_no_stages() -> None:
    assert lookup_stages(Player.__odmantic_schema__, 3) == []


def test_stages_join_by_key_name_and_nest_the_deeper_references() -> None:
    assert _lookups(lookup_stages(Author.__odmantic_schema__, 3)) == [("publisher", "publisher", 0)]
    assert _lookups(lookup_stages(Book.__odmantic_schema__, 3)) == [("author", "author_id", 3)]


def test_stages_are_fresh_copies() -> None:
    stages = lookup_stages(Book.__odmantic_schema__, 3)
    stages[0]["$lookup"]["from"] = "tampered"
    assert lookup_stages(Book.__odmantic_schema__, 3)[0]["$lookup"]["from"] == "author"


class Category(Model):
    name: str
    parent: Optional[Category] = Reference(depth=2)  # noqa: UP045 (a forward reference)


class Folder(Model):
    name: str
    parent: Optional[Lazy[Folder]] = Reference()  # noqa: UP045


def _depth(stages: list[dict[str, Any]]) -> int:
    """How many `$lookup` levels are nested."""
    lookups = [s["$lookup"] for s in stages if "$lookup" in s]
    return 0 if not lookups else 1 + _depth(lookups[0].get("pipeline", []))


def test_a_cycle_is_joined_to_its_depth_then_marked() -> None:
    stages = lookup_stages(Category.__odmantic_schema__, 3)
    assert _depth(stages) == 2
    assert TOO_DEEP in repr(stages)


def test_a_lazy_reference_is_never_joined() -> None:
    assert lookup_stages(Folder.__odmantic_schema__, 3) == []


def test_a_forward_reference_resolves_in_its_own_module() -> None:
    # Another module's model of the same name is already defined.
    other = type("Crew", (Model,), {"__annotations__": {"x": int}, "__module__": "elsewhere"})

    class Ship(Model):
        captain: Lazy[Crew] | None = Reference(default=None)  # noqa: F821

    class Crew(Model):
        name: str

    assert other is not Crew
    assert Ship.__odmantic_schema__.fields["captain"].target is Crew.__odmantic_schema__
