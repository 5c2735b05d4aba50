"""Guide: references.

docs/guides/references.md shows each section and its output; the test compares what this
prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from odmantic import AIOEngine, Field, Model, ObjectId, Reference, query
from odmantic.exceptions import DocumentParsingError

# --8<-- [end:imports]


# --8<-- [start:declare]
class Publisher(Model):
    model_config = {"collection": "guide_publishers"}

    name: str


class Author(Model):
    model_config = {"collection": "guide_authors"}

    name: str
    publisher: Publisher | None = Reference()


class Book(Model):
    model_config = {"collection": "guide_ref_books"}

    title: str
    author: Author = Reference(key_name="author_id")
    pages: int = Field(default=0, ge=0)
    # --8<-- [end:declare]


async def main(engine: AIOEngine) -> None:
    """Every section of the references guide, in order."""
    # --8<-- [start:save]
    penguin = Publisher(name="Penguin")
    orwell = Author(name="George Orwell", publisher=penguin)
    book = Book(title="1984", author=orwell, pages=328)
    await engine.save(book)  # saves the publisher, then the author, then the book
    print(await engine.count(Publisher), await engine.count(Author))
    stored = await engine.get_collection(Book).find_one({"_id": book.id})
    assert stored is not None
    print(sorted(stored), stored["author_id"] == orwell.id)
    # --8<-- [end:save]

    # --8<-- [start:read]
    found = await engine.find_one(Book, Book.title == "1984")
    assert found is not None
    assert found.author.publisher is not None
    print(found.author.name, "/", found.author.publisher.name)
    # --8<-- [end:read]

    # --8<-- [start:query]
    farm = Book(title="Animal Farm", author=orwell, pages=112)
    await engine.save(farm)
    by_orwell = await engine.find(Book, Book.author == orwell, sort=Book.title)
    print([b.title for b in by_orwell])
    print(Book.author == ObjectId("5f85f36d6dfecacc68428a46"))
    print(await engine.count(Book, query.in_(Book.author, [orwell])))
    # --8<-- [end:query]

    # --8<-- [start:shared]
    huxley = Author(name="Aldous Huxley", publisher=None)
    novels = [
        Book(title=title, author=huxley) for title in ("Island", "Brave New World")
    ]
    await engine.save_all(novels)
    print(await engine.count(Author, Author.name == "Aldous Huxley"))
    print(
        await engine.get_collection(Author).find_one(
            {"name": "Aldous Huxley"}, {"_id": 0}
        )
    )
    # --8<-- [end:shared]

    # --8<-- [start:change]
    huxley.name = "A. Huxley"
    await engine.save(novels[0])  # saves the changed author with the book
    again = await engine.find_one(Book, Book.title == "Brave New World")
    assert again is not None
    print(again.author.name)
    # --8<-- [end:change]

    # --8<-- [start:dangling]
    await engine.delete(huxley)
    try:
        print([book.title for book in await engine.find(Book, Book.title == "Island")])
    except DocumentParsingError as error:
        problem = error.errors[0]
        print(error.model.__name__, problem["loc"], problem["msg"])
    await engine.remove(Book, Book.author == huxley.id)
    print(await engine.count(Book))
    # --8<-- [end:dangling]
