# generated from tests/_async/test_references.py by codegen; do not edit
"""References: `$lookup` joins (two levels deep) and saving referenced instances first."""

from __future__ import annotations

from datetime import datetime

import pytest
from bson import ObjectId

from odmantic import SyncEngine, query
from odmantic.exceptions import DocumentParsingError
from tests.models import Author, Book, Publisher, Review


def _book() -> Book:
    publisher = Publisher(name="Pub", founded=datetime(2001, 2, 3, 4, 5, 6, 789000))
    return Book(title="Dune", pages=412, author=Author(name="Herbert", publisher=publisher))


def test_save_saves_references_first_and_stores_keys(engine: SyncEngine) -> None:
    book = engine.save(_book())
    assert engine.count(Publisher) == 1
    assert engine.count(Author) == 1
    raw = engine.get_collection(Book).find_one({"_id": book.id})
    assert raw is not None and raw["author_id"] == book.author.id
    raw_author = engine.get_collection(Author).find_one({"_id": book.author.id})
    assert raw_author is not None and raw_author["publisher"] == book.author.publisher.id


def test_find_joins_nested_references(engine: SyncEngine) -> None:
    book = engine.save(_book())
    found = engine.find_one(Book, Book.id == book.id)
    assert found == book
    assert found is not None and found.author.publisher.name == "Pub"
    listed = list(engine.find(Book, Book.author == book.author))
    assert listed == [book]
    streamed = [b for b in engine.find(Book, sort=Book.title)]
    assert streamed == [book]


def test_referenced_instances_are_clean_after_load(engine: SyncEngine) -> None:
    book = engine.save(_book())
    found = engine.find_one(Book, Book.id == book.id)
    assert found is not None
    nothing_changed: dict[str, set[str]] = {"book": set(), "author": set(), "publisher": set()}
    assert {
        "book": found.__odmantic_fields_to_save__(),
        "author": found.author.__odmantic_fields_to_save__(),
        "publisher": found.author.publisher.__odmantic_fields_to_save__(),
    } == nothing_changed
    found.author.publisher.name = "Renamed"
    assert found.author.publisher.__odmantic_fields_to_save__() == {"name"}
    engine.save(found)
    stored = engine.find_one(Publisher, Publisher.id == book.author.publisher.id)
    assert stored is not None and stored.name == "Renamed"


def test_reference_query_by_instance_and_in(engine: SyncEngine) -> None:
    first = engine.save(_book())
    second = engine.save(_book())
    assert engine.count(Book, query.in_(Book.author, [first.author])) == 1
    assert engine.count(Book, Book.author != first.author) == 1
    assert engine.count(Book, query.not_in(Book.author, [first.author, second.author])) == 0


def test_dangling_reference_names_the_field(engine: SyncEngine) -> None:
    book = engine.save(_book())
    engine.delete(book.author)
    with pytest.raises(DocumentParsingError, match="author") as info:
        engine.find_one(Book)
    assert "Referenced document not found for foreign key 'author_id'" in str(info.value)
    assert info.value.primary_value == book.id


def test_save_all_with_shared_reference_writes_it_once(engine: SyncEngine) -> None:
    author = Author(name="Shared", publisher=Publisher(name="P"))
    books = [Book(title=f"b{i}", author=author) for i in range(3)]
    engine.save_all(books)
    assert engine.count(Author) == 1
    assert engine.count(Book) == 3
    assert {b.author.id for b in engine.find(Book)} == {author.id}


def test_unknown_reference_id_in_raw_document(engine: SyncEngine) -> None:
    engine.get_collection(Book).insert_one(
        {"_id": ObjectId(), "title": "x", "pages": 1, "price": "1", "author_id": ObjectId()}
    )
    with pytest.raises(
        DocumentParsingError, match="Referenced document not found for foreign key 'author_id'"
    ):
        engine.find(Book).to_list()


def test_optional_reference_stored_as_null(engine: SyncEngine) -> None:
    book = _book()
    engine.save_all([Review(text="none", book=None), Review(text="some", book=book)])
    raw = engine.get_collection(Review).find_one({"text": "none"})
    assert raw is not None and raw["book"] is None
    reviews = {r.text: r for r in engine.find(Review)}
    assert reviews["none"].book is None
    assert reviews["some"].book == book
    engine.delete(book)
    with pytest.raises(
        DocumentParsingError, match="Referenced document not found for foreign key 'book'"
    ):
        engine.find_one(Review, Review.text == "some")
