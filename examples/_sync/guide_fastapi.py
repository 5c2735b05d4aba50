# generated from examples/_async/guide_fastapi.py by codegen; do not edit
"""Guide: a FastAPI app (docs/guides/fastapi.md shows each section; `run` drives the
app with FastAPI's TestClient and prints what it answers, which the test compares with
the guide's output blocks)."""

from __future__ import annotations

# --8<-- [start:imports]
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi_pagination import Page, add_pagination
from pydantic import BaseModel, NonNegativeInt
from pymongo import MongoClient

from odmantic import Field, Model, ObjectId, SyncEngine
from odmantic.exceptions import DuplicateKeyError

# --8<-- [end:imports]
# isort: split
# What only the guide's test needs (JSON output, TestClient).
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

# isort: split
# fastapi-pagination's function is `apaginate` for a coroutine engine, `paginate` for a
# blocking one, whose lifespan runs in a thread (see the `app` line).
# --8<-- [start:twin-imports]
from fastapi.concurrency import contextmanager_in_threadpool
from fastapi_pagination.ext.odmantic import paginate

# --8<-- [end:twin-imports]


# --8<-- [start:models]
class Book(Model):
    model_config = {"collection": "guide_books"}

    title: str
    isbn: str = Field(unique=True)
    stock: NonNegativeInt = 0


class BookCreate(BaseModel):
    """What a client sends to create a book: no id, the database gives one."""

    title: str
    isbn: str
    stock: NonNegativeInt = 0


class BookPatch(BaseModel):
    """What a client may change; the fields it leaves out keep their values."""

    title: str | None = None
    stock: NonNegativeInt | None = None
    # --8<-- [end:models]


# --8<-- [start:lifespan]
class Settings(BaseModel):
    """Where the data lives (a real app reads it from its environment)."""

    mongo_uri: str = "mongodb://localhost:27017"
    database: str = "bookshop"


settings = Settings()


@contextmanager
def lifespan(app: FastAPI) -> Iterator[None]:
    """Open the engine when the app starts, close it when the app stops."""
    engine = SyncEngine(
        client=MongoClient(settings.mongo_uri), database=settings.database
    )
    engine.configure_database([Book])  # creates the unique index on isbn
    app.state.engine = engine
    yield
    engine.close()
    # --8<-- [end:lifespan]


# The blocking twin's lifespan is a plain context manager: it gets its own `app` line.
# --8<-- [start:app]
app = FastAPI(lifespan=lambda app: contextmanager_in_threadpool(lifespan(app)))
# --8<-- [end:app]


# --8<-- [start:dependency]
def get_engine(request: Request) -> SyncEngine:
    """The engine opened by the lifespan."""
    engine: SyncEngine = request.app.state.engine
    return engine


Engine = Annotated[SyncEngine, Depends(get_engine)]
# --8<-- [end:dependency]


# --8<-- [start:create]
@app.post("/books", status_code=201)
def create_book(body: BookCreate, engine: Engine) -> Book:
    """Store a new book; 409 if a book with its ISBN exists."""
    book = Book(**body.model_dump())
    try:
        return engine.insert(book)
    except DuplicateKeyError as error:
        raise HTTPException(409, f"a book with ISBN {body.isbn} exists") from error
    # --8<-- [end:create]


# --8<-- [start:list]
@app.get("/books")
def list_books(
    engine: Engine,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[Book]:
    """Books by title: at most `limit` of them, after the first `skip`."""
    by_title = (Book.title, Book.id)  # the id, unique, orders books of the same title
    return engine.find(Book, sort=by_title, skip=skip, limit=limit).to_list()
    # --8<-- [end:list]


# fastapi-pagination's function is `apaginate` for a coroutine engine, `paginate` for a
# blocking one.
# --8<-- [start:pages]
@app.get("/books/pages")
def book_pages(engine: Engine) -> Page[Book]:
    """A page of books by title (query parameters `page` and `size`)."""
    page: Page[Book] = paginate(engine, Book, sort=(Book.title, Book.id))
    return page


add_pagination(app)
# --8<-- [end:pages]


# --8<-- [start:read]
@app.get("/books/{book_id}")
def read_book(book_id: ObjectId, engine: Engine) -> Book:
    """The book with this id; 404 if there is none."""
    book = engine.find_one(Book, Book.id == book_id)
    if book is None:
        raise HTTPException(404, "no such book")
    return book
    # --8<-- [end:read]


# --8<-- [start:update]
@app.patch("/books/{book_id}")
def update_book(book_id: ObjectId, patch: BookPatch, engine: Engine) -> Book:
    """Change the fields the client sent; 404 if there is no such book."""
    book = engine.find_one(Book, Book.id == book_id)
    if book is None:
        raise HTTPException(404, "no such book")
    book.model_update(patch, exclude_none=True)
    return engine.save(book)  # sends the changed fields only
    # --8<-- [end:update]


# --8<-- [start:delete]
@app.delete("/books/{book_id}", status_code=204)
def delete_book(book_id: ObjectId, engine: Engine) -> None:
    """Delete the book with this id; 404 if there is none."""
    if not engine.remove(Book, Book.id == book_id, just_one=True):
        raise HTTPException(404, "no such book")
    # --8<-- [end:delete]


# What the guide's output blocks show: the requests below, sent in order.
def dumps(value: Any, indent: str = "") -> str:
    """JSON on one line if it fits, else one item (or key) a line."""
    text = json.dumps(value)
    if len(indent) + len(text) <= 80 or not isinstance(value, (list, dict)):
        return text
    inner = indent + "  "
    if isinstance(value, list):
        lines = [inner + dumps(item, inner) for item in value]
        return "[\n" + ",\n".join(lines) + "\n" + indent + "]"
    lines = [
        f"{inner}{json.dumps(key)}: {dumps(item, inner)}" for key, item in value.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n" + indent + "}"


def show(response: Response, body: bool = True) -> None:
    """Print the request, the status code and the JSON answer (unless `body` is false);
    ids (new on every run) are printed `<id>`."""
    request = response.request
    path = re.sub("[0-9a-f]{24}", "<id>", request.url.path)
    query = f"?{request.url.query.decode()}" if request.url.query else ""
    print(request.method, path + query, response.status_code)
    if body and response.content:
        print(dumps(json.loads(re.sub("[0-9a-f]{24}", "<id>", response.text))))


def send_requests(client: TestClient) -> None:
    """The requests of each step of the guide, in order."""
    dune = client.post(
        "/books", json={"title": "Dune", "isbn": "9780441013593", "stock": 2}
    )
    show(dune)
    show(client.post("/books", json={"title": "Dune II", "isbn": "9780441013593"}))
    for title, isbn in [("Ubik", "9780547572291"), ("Emma", "9780141439587")]:
        client.post("/books", json={"title": title, "isbn": isbn, "stock": 1})
    show(client.get("/books", params={"skip": 1, "limit": 2}))
    show(client.get("/books/pages", params={"page": 2, "size": 2}))
    dune_path = f"/books/{dune.json()['id']}"
    show(client.get(dune_path))
    show(client.get(f"/books/{ObjectId()}"))
    show(client.get("/books/42"), body=False)
    show(client.patch(dune_path, json={"stock": 5}))
    show(client.delete(dune_path))
    show(client.delete(dune_path))


# --8<-- [start:test-client]
def run(mongo_uri: str, database_name: str) -> None:
    """Start the app on `database_name` of `mongo_uri`, send it the guide's requests."""
    settings.mongo_uri = mongo_uri
    settings.database = database_name
    with TestClient(app) as client:  # runs the lifespan: the engine opens here
        send_requests(client)
    # the block has ended: the lifespan closed the engine
    # --8<-- [end:test-client]
