"""What ODMantic 1.1 code relies on, without a server: behaviours, names, messages, reprs."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Optional

import bson
import bson.regex
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.version import version_short

import odmantic
from odmantic import EmbeddedModel, Field, Model, Reference, WithBsonSerializer, query
from odmantic._internal.annotations import substitute_bson_types
from odmantic._internal.schema import schema_of
from odmantic.bson import BSON_TYPES_ENCODERS, BaseBSONModel, Decimal128, ObjectId, Regex
from odmantic.exceptions import DocumentParsingError, ModelDefinitionError
from tests.models import Rect


class Tree(Model):
    name: str
    weight: Decimal128 = Field(default_factory=lambda: bson.Decimal128("1.5"))


class Part(EmbeddedModel):
    n: int


class Machine(Model):
    parts: tuple[Part, ...] = ()
    name: str = ""


class Author(Model):
    name: str


class Book(Model):
    title: str
    author: Author = Reference()


def test_model_update_keeps_what_a_model_validator_derives() -> None:
    rect = Rect(width=2, height=3)
    rect.__odmantic_mark_clean__()
    rect.model_update({"width": 5})
    assert rect.area == 15
    assert rect.__odmantic_fields_to_save__() == {"width", "area"}


def test_json_validation_with_generated_defaults() -> None:
    tree = Tree.model_validate_json('{"name": "Oak"}')
    assert isinstance(tree.id, bson.ObjectId) and tree.weight == bson.Decimal128("1.5")
    trees = TypeAdapter(list[Tree]).validate_json('[{"name": "Oak"}, {"name": "Elm"}]')
    assert [t.name for t in trees] == ["Oak", "Elm"]
    assert Tree.model_validate_json(tree.model_dump_json()) == tree


def test_with_bson_serializer_as_an_annotation() -> None:
    class Measure(Model):
        value: Annotated[float, WithBsonSerializer(str)]

    measure = Measure(value=1.5)
    assert measure.model_dump_doc()["value"] == "1.5"
    assert measure.model_dump()["value"] == 1.5
    with pytest.raises(TypeError, match="takes the function"):
        WithBsonSerializer()


def test_pattern_fields_validate_from_bson_regex() -> None:
    class Rule(Model):
        pattern: re.Pattern[str]

    stored = bson.decode(bson.encode(Rule(pattern=re.compile("a.*b", re.I)).model_dump_doc()))
    assert isinstance(stored["pattern"], bson.regex.Regex)
    rule = Rule.model_validate_doc(stored)
    assert rule.pattern == re.compile("a.*b", re.I)
    assert Rule(pattern=bson.regex.Regex("^x")).pattern.pattern == "^x"  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_dump_doc_shapes_and_signatures() -> None:
    machine = Machine(parts=(Part(n=1), Part(n=2)), name="m")
    assert machine.model_dump_doc()["parts"] == [{"n": 1}, {"n": 2}]
    assert machine.model_dump_doc({"name"}) == {"name": "m"}
    machine.model_update(patch_object={"name": "n"})
    assert machine.name == "n"
    with pytest.warns(DeprecationWarning), pytest.raises(NotImplementedError, match="include"):
        machine.copy(include={"name"})


def test_extra_values_are_dumped_as_bson() -> None:
    class Loose(Model):
        model_config = {"extra": "allow"}
        a: int

    loose = Loose(a=1, price=Decimal("1.50"))  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    assert loose.model_dump_doc()["price"] == bson.Decimal128("1.50")


def test_query_helpers_take_odmantic_11_parameter_names() -> None:
    assert Book.title.in_(value=["a"]) == {"title": {"$in": ["a"]}}  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    assert query.not_in(Book.title, sequence=["a"]) == {"title": {"$nin": ["a"]}}


def test_reprs_and_operand_shapes_of_11() -> None:
    author = Author(name="A")
    assert repr(author).startswith("Author(id=ObjectId(")
    assert list(Author.model_fields) == ["name", "id"]
    assert repr(query.QueryExpression()) == "QueryExpression()"
    assert repr(query.SortExpression()) == "SortExpression()"
    both = query.and_(Book.title == "a", Book.title == "b")
    assert isinstance(both["$and"], tuple) and len(both["$and"]) == 2
    assert isinstance(query.or_(Book.title == "a", Book.title == "b")["$or"], tuple)


def test_reference_fields_refuse_other_operators() -> None:
    with pytest.raises(AttributeError, match="operator lt not allowed for ODMReference fields"):
        Book.author.lt  # type: ignore[attr-defined]  # noqa: B018  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(AttributeError, match="operator gt not allowed"):
        Book.author > 1  # type: ignore[operator]  # noqa: B015  # pyright: ignore[reportOperatorIssue]
    assert query.in_(Book.author, [Author(name="x")])["author"]["$in"][0] is not None


def test_a_field_of_the_referenced_model_is_queried_through_the_reference() -> None:
    # ODMantic 1.1 raised NotImplementedError; the read now looks the authors up.
    assert query.eq(Book.author.name, "x") == {"author.name": {"$eq": "x"}}


def test_names_that_11_code_imports() -> None:
    from odmantic.engine import (  # noqa: F401
        AIOCursor,
        AIOSession,
        AIOSessionBase,
        AIOSessionType,
        AIOTransaction,
        SyncCursor,
        SyncSession,
        SyncSessionBase,
        SyncSessionType,
        SyncTransaction,
    )

    class Out(BaseBSONModel):
        id: ObjectId
        weight: Decimal128

    out = Out(id=bson.ObjectId("5f85f36d6dfecacc68428a46"), weight=bson.Decimal128("2.5"))  # pyright: ignore[reportArgumentType]
    assert out.model_dump_json() == '{"id":"5f85f36d6dfecacc68428a46","weight":"2.5"}'
    assert BSON_TYPES_ENCODERS[bson.ObjectId] is str


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ("bad_default", r"Unhandled field definition Bad: typing.Optional\[int\] = 'a'"),
        ("embedded_list_primary", "generic type of embedded models as a primary field"),
        ("validate_assignment", "'validate_assignment' is enforced to True by ODMantic"),
        ("frozen", "configuration attribute 'frozen' from Pydantic is not supported"),
        ("unknown_config", "unknown configuration attribute 'whatever'"),
        ("no_annotation", "field a is defined without type annotation"),
        ("id_exists", "can't automatically generate a primary field since an 'id' field"),
        ("embedded_primary", "cannot define a primary field in Bad embedded document"),
        ("duplicated_key", "Duplicated key_name: k in Bad"),
        ("collection_dollar", "Invalid collection name for Bad: cannot contain '\\$'"),
        ("collection_empty", "Invalid collection name for Bad: cannot be empty"),
        ("collection_system", "Invalid collection name for Bad: cannot start with 'system.'"),
    ],
)
def test_definition_errors_contain_11_messages(build: str, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        DEFINITIONS[build]()


def _bad_default() -> None:
    class Bad(Model):
        f: Optional[int] = "a"  # type: ignore[assignment]  # noqa: UP045  # pyright: ignore[reportAssignmentType]


def _embedded_list_primary() -> None:
    class Bad(Model):
        parts: list[Part] = Field(primary_field=True)


def _config(key: str, value: object = True) -> None:
    class Bad(Model):
        model_config = {key: value}  # type: ignore[misc]  # pyright: ignore[reportAssignmentType]
        a: int


def _collection(name: str) -> None:
    class Bad(Model):
        model_config = {"collection": name}
        a: int


def _no_annotation() -> None:
    class Bad(Model):
        a = Field(default=1)  # type: ignore[pydantic-field]  # pyright: ignore[reportGeneralTypeIssues]


def _id_exists() -> None:
    class Bad(Model):
        id: int  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]


def _embedded_primary() -> None:
    class Bad(EmbeddedModel):
        a: int = Field(primary_field=True)


def _duplicated_key() -> None:
    class Bad(Model):
        a: int = Field(key_name="k")
        b: int = Field(key_name="k")


DEFINITIONS: dict[str, Callable[[], None]] = {
    "bad_default": _bad_default,
    "embedded_list_primary": _embedded_list_primary,
    "validate_assignment": lambda: _config("validate_assignment"),
    "frozen": lambda: _config("frozen"),
    "unknown_config": lambda: _config("whatever"),
    "no_annotation": _no_annotation,
    "id_exists": _id_exists,
    "embedded_primary": _embedded_primary,
    "duplicated_key": _duplicated_key,
    "collection_dollar": lambda: _collection("a$b"),
    "collection_empty": lambda: _collection(""),
    "collection_system": lambda: _collection("system.x"),
}


def test_primary_key_messages_of_11() -> None:
    author = Author(name="a")
    with pytest.raises(NotImplementedError, match="Reassigning a new primary key is not supported"):
        author.id = ObjectId()  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(ValueError, match="Updating the primary key is not supported"):
        author.model_update({"id": ObjectId()})


def test_find_argument_messages_of_11() -> None:
    engine = odmantic.SyncEngine()
    with pytest.raises(ValueError, match="limit has to be a strict positive value or None"):
        engine.find(Author, limit=0)
    with pytest.raises(ValueError, match="skip has to be a positive integer"):
        engine.find(Author, skip=-1)
    with pytest.raises(TypeError, match="sort has to be a Model field or asc, desc descriptors"):
        engine.find(Author, sort=1)
    with pytest.raises(TypeError, match="sort elements have to be Model fields or asc, desc"):
        engine.find(Author, sort=(Author.name, 1))
    with pytest.raises(ValueError, match="database name cannot contain"):
        odmantic.SyncEngine(database="a.b")


# --- issue 20: 1.1 code that broke -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"key_name": "_id"},
            "cannot specify key_name='_id' without defining the field as primary",
        ),
        (
            {"primary_field": True, "key_name": "code"},
            "cannot specify a primary field with a custom key_name",
        ),
    ],
)
def test_field_refuses_a_bad_key_name_when_called(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Field(**options)  # type: ignore[arg-type]


def test_a_field_default_that_does_not_validate_fails_only_when_used() -> None:
    with pytest.warns(UserWarning, match="Reading.value: the default 3 does not validate"):

        class Reading(Model):
            value: Optional[int] = Field(3, gt=5)  # noqa: UP045

    with pytest.raises(ValidationError, match="greater than 5"):
        Reading()  # type: ignore[call-arg]  # positional Field default (PEP 681)
    assert Reading(value=6).value == 6


def test_field_with_ellipsis_and_a_default_factory() -> None:
    class Counter(Model):
        value: int = Field(..., default_factory=lambda: 3)

    assert Counter().value == 3


def test_messages_of_11_for_references_and_callables() -> None:
    with pytest.raises(ModelDefinitionError, match="without a Reference assigned"):

        class Shelf(Model):
            author: Author

    with pytest.raises(ModelDefinitionError, match="fields are not supported"):

        class Hook(Model):
            call: Callable[[], int]


def test_an_unknown_name_on_a_reference_proxy_is_an_attribute_error() -> None:
    assert not hasattr(Book.author, "does_not_exist")
    assert getattr(Book.author, "does_not_exist", None) is None
    with pytest.raises(
        AttributeError, match="operator does_not_exist not allowed for ODMReference"
    ):
        Book.author.does_not_exist  # type: ignore[attr-defined]  # noqa: B018  # pyright: ignore[reportAttributeAccessIssue]


def test_a_model_without_docstring_documents_nothing() -> None:
    class Plain(Model):
        name: str

    class Part(EmbeddedModel):
        size: int

    assert (Plain.__doc__, Part.__doc__) == ("", "")
    assert inspect.getdoc(Plain) == ""
    assert inspect.getdoc(Author) == ""


def test_a_regex_field_refuses_an_invalid_pattern() -> None:
    class Rule(Model):
        pattern: Regex

    with pytest.raises(ValidationError, match="Invalid Pattern value"):
        Rule(pattern="^((")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert Rule(pattern="^a").pattern.pattern == "^a"  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


@pytest.mark.parametrize(
    ("annotation", "value", "words"),
    [
        (ObjectId, "zz", "Invalid ObjectId"),
        (Decimal128, "abc", "Invalid Decimal128 value"),
        (Decimal, "abc", "Invalid decimal string"),
        (Regex, 5, "Invalid Pattern value"),
    ],
)
def test_invalid_bson_input_says_so_in_11s_words(
    annotation: object, value: object, words: str
) -> None:
    adapter: TypeAdapter[object] = TypeAdapter(substitute_bson_types(annotation))
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python(value)
    assert len(raised.value.errors()) == 1  # one clean error per field
    assert words in raised.value.errors()[0]["msg"]


def test_pydantic_model_of_11_is_a_fastapi_response_model() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    plain = Book.__pydantic_model__
    assert issubclass(plain, BaseModel) and schema_of(plain) is None
    assert plain.model_json_schema()["title"] == "Book"
    assert plain.model_fields["author"].annotation is Author.__pydantic_model__
    app = FastAPI()
    book = Book(title="Dune", author=Author(name="Frank"))

    @app.get("/book", response_model=Book.__pydantic_model__)
    def read() -> Book:
        return book

    body = TestClient(app).get("/book").json()
    assert body == {
        "title": "Dune",
        "author": {"name": "Frank", "id": str(book.author.id)},
        "id": str(book.id),
    }


ONE = ObjectId("64b000000000000000000001")
HOME = {"city": "x", "zip": "z"}
V = version_short()  # pydantic's own errors link to its documentation, as in 1.1


class LineItem(EmbeddedModel):
    sku: str
    qty: int


class Where(EmbeddedModel):
    city: str
    zip: str


class Order(Model):
    ref: str
    items: list[LineItem]
    ship_to: Optional[Where] = None


class Stock(Model):
    bins: dict[str, LineItem]


class Customer(Model):
    name: str
    rank: int
    home: Where
    tags: list[str] = Field(default_factory=list)


# What ODMantic 1.1 renders, measured by running it on these very models and documents.
PARSING_ERRORS_OF_11 = [
    pytest.param(
        Customer,
        {"_id": ONE, "name": "a", "tags": [], "home": HOME},
        (
            "1 validation error for Customer\n"
            "rank\n"
            "  Key 'rank' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]"
        ),
        id="missing-field",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "name": "a", "rank": 1, "home": HOME},
        (
            "1 validation error for Customer\n"
            "tags\n"
            "  Key 'tags' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]"
        ),
        id="missing-default-factory",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "name": "a", "home": HOME},
        (
            "2 validation errors for Customer\n"
            "rank\n"
            "  Key 'rank' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]\n"
            "tags\n"
            "  Key 'tags' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]"
        ),
        id="missing-factory-and-plain",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "tags": [], "home": HOME},
        (
            "2 validation errors for Customer\n"
            "name\n"
            "  Key 'name' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]\n"
            "rank\n"
            "  Key 'rank' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...city': 'x', 'zip': 'z'}},"
            " input_type=dict]"
        ),
        id="missing-two",
    ),
    pytest.param(
        Customer,
        {"name": "a", "rank": 1, "tags": [], "home": HOME},
        (
            "1 validation error for Customer\n"
            "id\n"
            "  Key '_id' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'name': 'a', 'rank': 1, ...city': 'x', 'zip': 'z'}},"
            " input_type=dict]"
        ),
        id="missing-id",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "name": "a", "rank": 1, "tags": [], "home": {"city": "x"}},
        (
            "1 validation error for Customer\n"
            "home.zip\n"
            "  Key 'zip' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'city': 'x'}, input_type=dict]"
        ),
        id="missing-embedded",
    ),
    pytest.param(
        Order,
        {"_id": ONE, "ref": "r", "items": [{"sku": "a", "qty": 1}, {"qty": 2}]},
        (
            "1 validation error for Order\n"
            "items.[1].sku\n"
            "  Key 'sku' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'qty': 2}, input_type=dict]"
        ),
        id="missing-in-list",
    ),
    pytest.param(
        Stock,
        {"_id": ONE, "bins": {"a": {"qty": 1}}},
        (
            "1 validation error for Stock\n"
            'bins.["a"].sku\n'
            "  Key 'sku' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'qty': 1}, input_type=dict]"
        ),
        id="missing-in-dict",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "name": "a", "rank": "abc", "tags": [], "home": HOME},
        (
            "1 validation error for Customer\n"
            "rank\n"
            "  Input should be a valid integer, unable to parse string as an integer"
            " [type=int_parsing, input_value='abc', input_type=str]\n"
            f"    For further information visit https://errors.pydantic.dev/{V}/v/int_parsing"
        ),
        id="wrong-type",
    ),
    pytest.param(
        Order,
        {"_id": ONE, "ref": "r", "items": [{"sku": "a", "qty": "x"}]},
        (
            "1 validation error for Order\n"
            "items.0.qty\n"
            "  Input should be a valid integer, unable to parse string as an integer"
            " [type=int_parsing, input_value='x', input_type=str]\n"
            f"    For further information visit https://errors.pydantic.dev/{V}/v/int_parsing"
        ),
        id="wrong-type-in-list",
    ),
    pytest.param(
        Order,
        {"_id": ONE, "ref": "r", "items": {"sku": "a", "qty": 1}},
        (
            "1 validation error for Order\n"
            "items\n"
            "  Incorrect generic embedded model value '{'sku': 'a', 'qty': 1}'"
            " [type=odmantic::incorrect_generic_embedded_model_value, input_value={'_id':"
            " ObjectId('64b0000... {'sku': 'a', 'qty': 1}}, input_type=dict]"
        ),
        id="dict-for-list",
    ),
    pytest.param(
        Stock,
        {"_id": ONE, "bins": [{"sku": "a", "qty": 1}]},
        (
            "1 validation error for Stock\n"
            "bins\n"
            "  Incorrect generic embedded model value '[{'sku': 'a', 'qty': 1}]'"
            " [type=odmantic::incorrect_generic_embedded_model_value, input_value={'_id':"
            " ObjectId('64b0000...{'sku': 'a', 'qty': 1}]}, input_type=dict]"
        ),
        id="list-for-dict",
    ),
    pytest.param(
        Order,
        {"_id": ONE, "ref": "r", "items": [], "ship_to": {"city": "x"}},
        (
            "1 validation error for Order\n"
            "ship_to\n"
            "  Incorrect generic embedded model value '{'city': 'x'}'"
            " [type=odmantic::incorrect_generic_embedded_model_value, input_value={'_id':"
            " ObjectId('64b0000...ship_to': {'city': 'x'}}, input_type=dict]"
        ),
        id="optional-embedded",
    ),
    pytest.param(
        Customer,
        {"_id": ONE, "rank": "abc", "tags": [], "home": {"city": 3}},
        (
            "2 validation errors for Customer\n"
            "name\n"
            "  Key 'name' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'_id': ObjectId('64b0000...[], 'home': {'city': 3}},"
            " input_type=dict]\n"
            "home.zip\n"
            "  Key 'zip' not found in document [type=odmantic::key_not_found_in_document,"
            " input_value={'city': 3}, input_type=dict]"
        ),
        id="missing-and-wrong",
    ),
]


@pytest.mark.parametrize(("model", "raw", "text"), PARSING_ERRORS_OF_11)
def test_a_parsing_error_reads_as_in_11(
    model: type[Model], raw: dict[str, object], text: str
) -> None:
    with pytest.raises(DocumentParsingError, match=re.escape(text)) as info:
        model.model_validate_doc(raw)
    error = info.value
    assert str(error) == text == str(error.inner) == repr(error)
    assert isinstance(error, ValueError) and error.model is model
    assert error.primary_value == raw.get("_id")
    assert error.errors == error.inner.errors(include_url=False)


def test_a_parsing_error_has_11s_details() -> None:
    with pytest.raises(DocumentParsingError, match=r"items\.\[1\]\.sku") as info:
        Order.model_validate_doc({"_id": ONE, "ref": "r", "items": [{"sku": "a", "qty": 1}, {}]})
    assert info.value.inner.errors(include_url=False) == [
        {
            "type": "odmantic::key_not_found_in_document",
            "loc": ("items", "[1]", key),
            "msg": f"Key '{key}' not found in document",
            "input": {},
            "ctx": {"key_name": key},
        }
        for key in ("sku", "qty")
    ]
    raw = {"_id": ONE, "ref": "r", "items": 3}
    with pytest.raises(DocumentParsingError, match="Incorrect generic embedded model value '3'"):
        Order.model_validate_doc(raw)
    with pytest.raises(DocumentParsingError) as generic:
        Stock.model_validate_doc({"_id": ONE, "bins": [1]})
    assert generic.value.errors[0].get("ctx") == {"value": [1]}
    assert generic.value.errors[0]["type"] == "odmantic::incorrect_generic_embedded_model_value"
    optional = Order.model_validate_doc({"_id": ONE, "ref": "r", "items": [], "ship_to": None})
    assert optional.ship_to is None  # 1.1 refuses a stored null here: loading it is kept


@pytest.mark.parametrize(
    ("build", "words", "error"),
    [
        (
            lambda: Field(1, default_factory=int),
            "cannot specify both default and default_factory",
            TypeError,
        ),
        (
            lambda: Field(primary_field=True, key_name="x"),
            "custom key_name,key_name='_id' enforced",
            ValueError,
        ),
    ],
)
def test_more_texts_of_11(build: Callable[[], object], words: str, error: type) -> None:
    with pytest.raises(error, match=re.escape(words)):
        build()


class Addr(EmbeddedModel):
    city: str


class Home(Model):
    addr: Addr
    title: str


def test_proxy_texts_of_11() -> None:
    with pytest.raises(AttributeError, match="attribute nope not found in Addr"):
        Home.addr.nope  # type: ignore[attr-defined]  # noqa: B018  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(AttributeError, match="operator nope not allowed for ODMField fields"):
        Home.title.nope  # type: ignore[attr-defined]  # noqa: B018  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(
        ModelDefinitionError, match=re.escape("typing.Callable fields are not supported")
    ):

        class Hook(Model):
            call: Callable[[], int]


def test_a_fields_modified_view_read_earlier_is_not_stale() -> None:
    author = Author(name="a")
    author.__fields_modified__.clear()
    view = author.__fields_modified__
    author.name = "b"
    view.add("id")
    assert author.__fields_modified__ == {"name", "id"}
