"""Guide: references.

docs/guides/references.md shows each section and its output; the test compares what this
prints with the guide's output blocks."""

from __future__ import annotations

# --8<-- [start:imports]
from odmantic import (
    AIOEngine,
    EmbeddedModel,
    Field,
    Lazy,
    Model,
    ObjectId,
    Reference,
    query,
)
from odmantic.exceptions import DocumentParsingError, ReferencedDocumentError
from odmantic.reference import through

# --8<-- [end:imports]


# --8<-- [start:declare]
class Publisher(Model):
    model_config = {"collection": "guide_publishers"}

    name: str


class Author(Model):
    model_config = {"collection": "guide_authors"}

    name: str
    publisher: Publisher | None = Reference(default=None)


class Book(Model):
    model_config = {"collection": "guide_ref_books"}

    title: str
    author: Author = Reference(key_name="author_id")
    pages: int = Field(default=0, ge=0)
    co_authors: list[Author] = Reference(default_factory=list)
    # --8<-- [end:declare]


# --8<-- [start:embedded]
class Printing(EmbeddedModel):
    printer: Publisher = Reference()
    copies: int


class Edition(Model):
    model_config = {"collection": "guide_editions"}

    book: Book = Reference()
    printings: list[Printing] = []
    # --8<-- [end:embedded]


# --8<-- [start:lazy]
class Review(Model):
    model_config = {"collection": "guide_reviews"}

    text: str
    book: Lazy[Book] = Reference()
    # --8<-- [end:lazy]


# --8<-- [start:rules]
class Member(Model):
    model_config = {"collection": "guide_members"}

    name: str


class Loan(Model):
    model_config = {"collection": "guide_loans"}

    book: Book = Reference(on_delete="cascade")
    member: Member = Reference(on_delete="deny")
    # --8<-- [end:rules]


# --8<-- [start:cycles]
class Topic(Model):
    model_config = {"collection": "guide_topics"}

    name: str
    parent: Topic | None = Reference(default=None, depth=2)
    # --8<-- [end:cycles]


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
    huxley = Author(name="Aldous Huxley")
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

    # --8<-- [start:lists]
    orwell_again = await engine.find_one(Author, Author.name == "George Orwell")
    assert orwell_again is not None
    tales = Book(title="Tales", author=orwell_again, co_authors=[Author(name="Ann")])
    await engine.save(tales)
    tales.co_authors.append(orwell_again)  # sent as a $push of orwell's key
    await engine.save(tales)
    loaded = await engine.find_one(Book, Book.title == "Tales")
    assert loaded is not None
    print([author.name for author in loaded.co_authors])
    # --8<-- [end:lists]

    # --8<-- [start:embedded-use]
    edition = Edition(book=loaded, printings=[Printing(printer=penguin, copies=500)])
    await engine.save(edition)
    raw = await engine.get_collection(Edition).find_one({})
    assert raw is not None
    print(raw["printings"][0]["printer"] == penguin.id)
    found_edition = await engine.find_one(Edition)
    assert found_edition is not None
    print(found_edition.printings[0].printer.name, found_edition.book.title)
    # --8<-- [end:embedded-use]

    # --8<-- [start:lazy-use]
    await engine.save(Review(text="Grim", book=Lazy(loaded)))
    review = await engine.find_one(Review)
    assert review is not None
    print(review.book == Lazy(loaded), review.book.instance)
    book_of_review = await engine.fetch(review.book)
    print(book_of_review.title)
    # --8<-- [end:lazy-use]

    # --8<-- [start:across]
    by_name = await engine.find(
        Book, Book.author.name == "George Orwell", sort=Book.title
    )
    print([b.title for b in by_name])
    with_ann = query.eq(through(Book.co_authors, Author.name), "Ann")
    print([b.title for b in await engine.find(Book, with_ann)])
    ordered = await engine.find(Book, sort=(Book.author.name, Book.title))
    print([b.title for b in ordered])
    # --8<-- [end:across]

    # --8<-- [start:rules-use]
    alice = Member(name="Alice")
    await engine.save(Loan(book=loaded, member=alice))
    try:
        await engine.delete(alice)
    except ReferencedDocumentError as error:
        print(error.referencing_model.__name__, error.field)
    await engine.delete(loaded)  # its loans are deleted with it
    print(await engine.count(Loan), await engine.count(Member))
    # --8<-- [end:rules-use]

    # --8<-- [start:cycles-use]
    science = Topic(name="Science")
    physics = Topic(name="Physics", parent=science)
    optics = await engine.save(Topic(name="Optics", parent=physics))
    found_topic = await engine.find_one(Topic, Topic.id == optics.id)
    assert found_topic is not None and found_topic.parent is not None
    grandparent = found_topic.parent.parent
    print(found_topic.parent.name, grandparent.name if grandparent else None)
    # --8<-- [end:cycles-use]

    # --8<-- [start:indexes]
    await engine.configure_database([Book, Edition])
    book_indexes = await engine.get_collection(Book).index_information()
    print(sorted(book_indexes))
    edition_indexes = await engine.get_collection(Edition).index_information()
    print(sorted(edition_indexes))
    # --8<-- [end:indexes]
