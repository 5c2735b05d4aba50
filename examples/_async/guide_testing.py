"""Guide: testing your code with odmantic.testing (docs/guides/testing.md shows each
section). This module is also a test module as a user would write it (the plugin, an
`engine` fixture, three tests), which tests/test_testing.py runs with pytest. `main`
runs the other sections and prints what they show, which the test of the guides
compares with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError

from odmantic import AIOEngine, Field, Model
from odmantic.exceptions import DuplicateKeyError

# --8<-- [end:imports]


# --8<-- [start:models]
class Book(Model):
    model_config = {"collection": "guide_testing_books"}

    title: str
    isbn: str = Field(unique=True)
    stock: int = 0


class Sale(Model):
    model_config = {"collection": "guide_testing_sales"}

    isbn: str
    # --8<-- [end:models]


# --8<-- [start:conftest]
pytest_plugins = ["odmantic.testing"]


@pytest.fixture
async def engine(mongo_uri: str, database_name: str) -> AsyncIterator[AIOEngine]:
    """An engine on a fresh database of the test server, closed after the test."""
    engine = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
    yield engine
    await engine.close()
    # --8<-- [end:conftest]


# --8<-- [start:tests]
async def test_a_second_book_with_the_same_isbn_is_refused(engine: AIOEngine) -> None:
    await engine.configure_database([Book])
    await engine.insert(Book(title="Dune", isbn="9780441013593"))
    with pytest.raises(DuplicateKeyError):
        await engine.insert(Book(title="Dune II", isbn="9780441013593"))
    assert await engine.count(Book) == 1


async def test_each_test_has_a_database_of_its_own(engine: AIOEngine) -> None:
    assert await engine.count(Book) == 0  # the book of the test above is gone
    # --8<-- [end:tests]


# --8<-- [start:fail-next]
async def fail_next(engine: AIOEngine, command: str, code: int, times: int = 1) -> None:
    """Make the server answer the next `times` commands named `command` with the error
    `code`, whoever sends them; then the fail point switches itself off."""
    await engine.client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode={"times": times},
        data={"failCommands": [command], "errorCode": code},
    )
    # --8<-- [end:fail-next]


# --8<-- [start:transaction-test]
async def test_a_sale_that_fails_changes_no_stock(engine: AIOEngine) -> None:
    dune = await engine.insert(Book(title="Dune", isbn="9780441013593", stock=2))
    await fail_next(engine, "insert", 13)  # 13: Unauthorized
    with pytest.raises(OperationFailure):
        async with engine.transaction() as transaction:
            dune.stock -= 1
            await transaction.save(dune)  # an update: it succeeds...
            await transaction.insert(Sale(isbn=dune.isbn))  # ...this insert fails
    stored = await engine.find_one(Book, Book.id == dune.id)
    assert stored is not None and stored.stock == 2  # the update was rolled back
    # --8<-- [end:transaction-test]


async def standalone() -> None:
    """A server of its own, outside pytest."""
    # --8<-- [start:standalone]
    from odmantic.testing import MongoServer

    with MongoServer() as server:  # a private mongod, deleted when the block ends
        engine = AIOEngine(client=AsyncMongoClient(server.uri), database="demo")
        await engine.insert(Book(title="Dune", isbn="9780441013593"))
        print(await engine.count(Book), server.replica_set, server.running)
        await engine.close()
    print(server.running)
    # --8<-- [end:standalone]


async def main(engine: AIOEngine) -> None:
    """The sections of the testing guide that print, in order."""
    # --8<-- [start:fail-point]
    await fail_next(engine, "insert", 13)
    try:
        await engine.insert(Book(title="Dune", isbn="9780441013593"))
    except OperationFailure as error:
        print(type(error).__name__, error.code)
    print(await engine.count(Book))
    # --8<-- [end:fail-point]

    # --8<-- [start:translated]
    for code in (112, 2):  # WriteConflict, BadValue
        await fail_next(engine, "insert", code)
        try:
            await engine.insert(Book(title="Emma", isbn="9780141439587"))
        except Exception as error:
            print(code, type(error).__module__, type(error).__name__)
    # --8<-- [end:translated]

    # --8<-- [start:retried]
    await fail_next(engine, "insert", 189, times=3)  # 189: PrimarySteppedDown
    await engine.insert(Book(title="Ubik", isbn="9780547572291"))
    print(await engine.count(Book))

    impatient = AIOEngine(
        client=engine.client, database=engine.database_name, retry_writes_for=0
    )
    await fail_next(engine, "insert", 189, times=2)
    try:
        await impatient.insert(Book(title="Emma", isbn="9780141439587"))
    except PyMongoError as error:
        print(type(error).__name__, error.has_error_label("RetryableWriteError"))
    # --8<-- [end:retried]

    await standalone()
