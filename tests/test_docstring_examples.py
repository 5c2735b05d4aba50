"""The `>>>` examples of the query and update builders' docstrings run, and print what they say.

They need no database: each module's docstrings are run by `doctest` with the models below as
globals (the reference pages show these examples)."""

from __future__ import annotations

import doctest
from datetime import datetime
from types import ModuleType

import pytest

import odmantic.field
import odmantic.index
import odmantic.query
import odmantic.update
from odmantic import EmbeddedModel, Field, Index, Model, query
from odmantic.update import (
    add_to_set,
    current_date,
    inc,
    max_,
    min_,
    mul,
    pop,
    pull,
    push,
    set_,
    set_on_insert,
    unset,
)


class Item(EmbeddedModel):
    sku: str
    qty: int = 1


class Player(Model):
    name: str
    level: int = Field(default=0, ge=0)
    tags: list[str] = []
    items: list[Item] = []
    seen: datetime | None = None
    nickname: str | None = None


GLOBALS = {
    "Item": Item,
    "Player": Player,
    "Index": Index,
    "query": query,
    **{
        f.__name__: f
        for f in (set_, set_on_insert, unset, inc, mul, min_, max_, push, add_to_set, pull, pop)
    },
    "current_date": current_date,
}


@pytest.mark.parametrize(
    "module", [odmantic.query, odmantic.update, odmantic.field, odmantic.index], ids=str
)
def test_docstring_examples_print_what_they_show(module: ModuleType) -> None:
    results = doctest.testmod(
        module, extraglobs=GLOBALS, optionflags=doctest.NORMALIZE_WHITESPACE, report=True
    )
    assert results.attempted > 0 and results.failed == 0, results
