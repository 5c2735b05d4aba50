"""Unit tests of Model / EmbeddedModel: primary keys, collections, documents, updates, tracking."""

import enum
import warnings
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Generic, Literal, Optional, TypeVar, cast

import bson
import bson.binary
import bson.decimal128
import bson.int64
import bson.regex
import pydantic
import pytest
from bson.decimal128 import Decimal128
from pydantic import BaseModel, ValidationError

from odmantic import EmbeddedModel, Field, Index, Model, ObjectId, Reference
from odmantic.config import ODMConfigDict
from odmantic.exceptions import DocumentParsingError
from odmantic.index import indexes_of

ModelT = TypeVar("ModelT", bound=Model)

# --------------------------------------------------------------------------- models


class Address(EmbeddedModel):
    city: str
    zip_code: str = Field(default="00000", key_name="zip")


class Geo(EmbeddedModel):
    lat: float = Field(key_name="la")
    address: Address = Field(key_name="addr")


class Person(Model):
    name: str = Field(key_name="n")
    geo: Geo = Field(key_name="g")
    addresses: list[Address] = Field(default_factory=list, key_name="addrs")
    main: Optional[Address] = Field(default=None, key_name="m")
    others: Optional[list[Address]] = Field(default=None, key_name="o")
    backup: Address | None = Field(default=None, key_name="b")
    plain: Address | None = None


class Player(Model):
    name: str
    level: int = Field(default=0, ge=0)
    tags: list[str] = []
    address: Address | None = None


class Item(Model):
    sku: str = Field(primary_field=True)
    qty: int = 0


class Author(Model):
    name: str


class Book(Model):
    title: str
    author: Author = Reference(key_name="author_id")


class Note(Model):
    text: str
    writer: Author = Reference()


def person() -> Person:
    return Person(
        name="ann",
        geo=Geo(lat=1.5, address=Address(city="Paris", zip_code="75001")),
        addresses=[Address(city="Lyon"), Address(city="Nice", zip_code="06000")],
        main=Address(city="Lille", zip_code="59000"),
        others=[Address(city="Metz", zip_code="57000")],
        backup=Address(city="Brest"),
        plain=Address(city="Pau", zip_code="64000"),
    )


# --------------------------------------------------------------------------- primary key


def test_generated_id_is_objectid_stored_as__id() -> None:
    p = Player(name="a")
    assert isinstance(p.id, bson.ObjectId)
    assert Player.__primary_field__ == "id"
    doc = p.model_dump_doc()
    assert doc["_id"] == p.id
    assert "id" not in doc
    assert Player(name="b").id != p.id


def test_generated_id_parsed_from__id() -> None:
    oid = bson.ObjectId()
    p = Player.model_validate_doc({"_id": oid, "name": "a", "level": 2, "tags": []})
    assert p.id == oid
    assert p.level == 2


def test_custom_primary_field() -> None:
    assert "id" not in Item.model_fields
    assert Item.__primary_field__ == "sku"
    item = Item(sku="abc", qty=3)
    assert item.model_dump_doc() == {"_id": "abc", "qty": 3}
    back = Item.model_validate_doc({"_id": "xyz", "qty": 1})
    assert back.sku == "xyz"
    assert back.qty == 1


def test_reassigning_primary_key_is_refused() -> None:
    p = Player(name="a")
    old = p.id
    with pytest.raises(NotImplementedError, match="Player: reassigning the primary key 'id'"):
        p.id = ObjectId()
    assert p.id == old
    item = Item(sku="a")
    with pytest.raises(NotImplementedError, match="Item: reassigning the primary key 'sku'"):
        item.sku = "b"
    assert item.sku == "a"


# --------------------------------------------------------------------------- collections


def test_collection_name_strips_model_suffix() -> None:
    class UserModel(Model):
        name: str

    assert +UserModel == "user"
    assert UserModel.__collection__ == "user"


def test_collection_name_snake_case() -> None:
    class CamelCaseThing(Model):
        x: int

    class HTTPRequestLog(Model):
        x: int

    assert +CamelCaseThing == "camel_case_thing"
    assert +HTTPRequestLog == "http_request_log"
    assert +Player == "player"


def test_collection_name_from_config() -> None:
    class Custom(Model):
        model_config = ODMConfigDict(collection="my_things")
        x: int

    assert +Custom == "my_things"


def test_embedded_model_has_no_collection() -> None:
    with pytest.raises(TypeError):
        +Address  # noqa: B018  # pyright: ignore[reportUnusedExpression]


# --------------------------------------------------------------------------- key names


def test_dump_doc_applies_key_names_recursively() -> None:
    p = person()
    doc = p.model_dump_doc()
    assert doc == {
        "_id": p.id,
        "n": "ann",
        "g": {"la": 1.5, "addr": {"city": "Paris", "zip": "75001"}},
        "addrs": [{"city": "Lyon", "zip": "00000"}, {"city": "Nice", "zip": "06000"}],
        "m": {"city": "Lille", "zip": "59000"},
        "o": [{"city": "Metz", "zip": "57000"}],
        "b": {"city": "Brest", "zip": "00000"},
        "plain": {"city": "Pau", "zip": "64000"},
    }


def test_validate_doc_reads_key_names_recursively() -> None:
    p = person()
    back = Person.model_validate_doc(p.model_dump_doc())
    assert back == p
    assert back.geo.address.zip_code == "75001"
    assert back.addresses[1].zip_code == "06000"
    assert back.others is not None and back.others[0].zip_code == "57000"


def test_validate_doc_with_none_optionals() -> None:
    oid = bson.ObjectId()
    raw = {
        "_id": oid,
        "n": "bob",
        "g": {"la": 0.0, "addr": {"city": "X", "zip": "1"}},
        "addrs": [],
        "m": None,
        "o": None,
        "b": None,
        "plain": None,
    }
    p = Person.model_validate_doc(raw)
    assert p.id == oid
    assert p.main is None and p.others is None and p.backup is None and p.plain is None
    assert p.model_dump_doc() == raw


def test_dump_doc_none_optionals_with_defaults() -> None:
    p = Person(name="c", geo=Geo(lat=2, address=Address(city="Y")))
    doc = p.model_dump_doc()
    assert doc["m"] is None and doc["o"] is None and doc["b"] is None and doc["plain"] is None
    assert doc["addrs"] == []
    assert doc["g"] == {"la": 2.0, "addr": {"city": "Y", "zip": "00000"}}


def test_dump_doc_include() -> None:
    p = person()
    assert p.model_dump_doc(include={"name"}) == {"n": "ann"}
    assert p.model_dump_doc(include={"id", "backup"}) == {
        "_id": p.id,
        "b": {"city": "Brest", "zip": "00000"},
    }


def test_python_names_not_document_keys_in_model_dump() -> None:
    p = person()
    dumped = p.model_dump()
    assert "name" in dumped and "n" not in dumped
    assert dumped["geo"]["address"]["zip_code"] == "75001"


# --------------------------------------------------------------------------- parsing errors


def test_parsing_error_names_model_fields_and_id() -> None:
    oid = bson.ObjectId()
    raw = {"_id": oid, "name": 12, "level": "high", "tags": []}
    with pytest.raises(DocumentParsingError) as info:
        Player.model_validate_doc(raw)
    err = info.value
    assert isinstance(err, ValueError)
    message = str(err)
    assert message.startswith("2 validation errors for Player\nname\n")  # as ODMantic 1.1
    assert "level" in message and message == str(err.inner)
    assert err.model is Player
    assert err.primary_value == oid
    locs = {e["loc"][0] for e in err.errors}
    assert locs == {"name", "level"}


def test_parsing_error_missing_required_field() -> None:
    oid = bson.ObjectId()
    with pytest.raises(DocumentParsingError) as info:
        Player.model_validate_doc({"_id": oid})
    assert "name" in str(info.value)
    assert "Player" in str(info.value)


def test_parsing_error_in_embedded_field() -> None:
    raw = person().model_dump_doc()
    raw["g"]["addr"]["city"] = 5
    with pytest.raises(DocumentParsingError) as info:
        Person.model_validate_doc(raw)
    assert "city" in str(info.value)
    assert "Person" in str(info.value)


class WithFactory(Model):
    name: str
    stamps: list[int] = Field(default_factory=list)


class WithFactoryAllowed(Model):
    model_config = ODMConfigDict(parse_doc_with_default_factories=True)
    name: str
    stamps: list[int] = Field(default_factory=list)


def test_default_factory_missing_in_doc_refused() -> None:
    oid = bson.ObjectId()
    with pytest.raises(DocumentParsingError) as info:
        WithFactory.model_validate_doc({"_id": oid, "name": "a"})
    assert "stamps" in str(info.value)
    assert "WithFactory" in str(info.value)
    ok = WithFactory.model_validate_doc({"_id": oid, "name": "a", "stamps": [1]})
    assert ok.stamps == [1]


def test_default_factory_missing_allowed_by_config() -> None:
    oid = bson.ObjectId()
    p = WithFactoryAllowed.model_validate_doc({"_id": oid, "name": "a"})
    assert p.stamps == []
    assert p.id == oid


def test_validate_doc_refuses_non_dict() -> None:
    with pytest.raises(DocumentParsingError):
        Player.model_validate_doc(["not", "a", "doc"])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- model_update


class PlayerPatch(BaseModel):
    name: str | None = None
    level: int | None = None


def test_model_update_with_dict() -> None:
    p = Player(name="a", level=1)
    result = p.model_update({"name": "b", "level": 5})
    assert result is p
    assert p.name == "b" and p.level == 5


def test_model_update_with_pydantic_model_exclude_unset_default() -> None:
    p = Player(name="a", level=3)
    p.model_update(PlayerPatch(name="z"))
    assert p.name == "z"
    assert p.level == 3  # unset in the patch: untouched


def test_model_update_exclude_unset_false() -> None:
    p = Player(name="a", level=3)
    with pytest.raises(ValidationError):
        # level=None would be applied and is invalid for an int field
        p.model_update(PlayerPatch(name="z"), exclude_unset=False)
    assert p.name == "a" and p.level == 3
    p.model_update(PlayerPatch(name="z", level=None), exclude_unset=False, exclude_none=True)
    assert p.name == "z" and p.level == 3


def test_model_update_exclude_defaults() -> None:
    p = Player(name="a", level=3)
    p.model_update(PlayerPatch(name="q", level=None), exclude_defaults=True)
    assert p.name == "q" and p.level == 3


def test_model_update_include_exclude() -> None:
    p = Player(name="a", level=1)
    p.model_update({"name": "b", "level": 9}, include={"level"})
    assert p.name == "a" and p.level == 9
    p.model_update({"name": "c", "level": 10}, exclude={"level"})
    assert p.name == "c" and p.level == 9
    p.model_update(PlayerPatch(name="d", level=11), include={"name"})
    assert p.name == "d" and p.level == 9


def test_model_update_exclude_none_dict() -> None:
    p = Player(name="a", address=Address(city="X"))
    p.model_update({"address": None, "name": "n"}, exclude_none=True)
    assert p.address == Address(city="X")
    assert p.name == "n"


def test_model_update_refuses_primary_key_change() -> None:
    p = Player(name="a")
    old = p.id
    with pytest.raises(ValueError, match="primary"):
        p.model_update({"id": ObjectId()})
    assert p.id == old
    item = Item(sku="x")
    with pytest.raises(ValueError):
        item.model_update({"sku": "y"})
    assert item.sku == "x"
    # same value is fine
    p.model_update({"id": old, "name": "ok"})
    assert p.name == "ok"


def test_model_update_is_atomic() -> None:
    p = Player(name="a", level=1)
    with pytest.raises(ValidationError):
        p.model_update({"name": "b", "level": -5})
    assert p.name == "a" and p.level == 1
    with pytest.raises(ValidationError):
        p.model_update({"name": "b", "level": "not an int"})
    assert p.name == "a" and p.level == 1


def test_model_update_ignores_unknown_keys_like_odmantic() -> None:
    p = Player(name="a")
    p.model_update({"nope": 1, "name": "b"})
    assert p.name == "b"
    assert not hasattr(p, "nope")


def test_model_update_validates_and_converts() -> None:
    p = Player(name="a")
    p.model_update({"level": "7", "address": {"city": "Q"}})
    assert p.level == 7
    assert p.address == Address(city="Q")


def _loaded(model: type[ModelT], raw: dict[str, Any]) -> ModelT:
    """An instance as the engines load it: parsed, then marked clean."""
    instance = model.model_validate_doc(raw)
    instance.__odmantic_mark_clean__()
    return instance


def test_parsed_instance_has_everything_to_save() -> None:
    p = Player.model_validate_doc({"_id": bson.ObjectId(), "name": "a", "level": 0, "tags": []})
    assert p.__odmantic_fields_to_save__() is None


def test_model_update_marks_fields_modified() -> None:
    p = _loaded(Player, {"_id": bson.ObjectId(), "name": "a", "level": 0, "tags": []})
    p.model_update({"level": 4})
    fields = p.__odmantic_fields_to_save__()
    assert fields is not None
    assert "level" in fields and "name" not in fields


# --------------------------------------------------------------------------- copy


def test_model_copy_update_and_deep() -> None:
    p = Player(name="a", tags=["x"], address=Address(city="C"))
    shallow = p.model_copy()
    assert shallow == p
    assert shallow.tags is p.tags
    deep = p.model_copy(deep=True)
    assert deep == p
    assert deep.tags is not p.tags
    assert deep.address is not p.address
    deep.tags.append("y")
    assert p.tags == ["x"]
    changed = p.model_copy(update={"name": "b"})
    assert changed.name == "b" and p.name == "a"
    assert changed.id == p.id
    new_id = ObjectId()
    other = p.model_copy(update={"id": new_id})
    assert other.id == new_id and p.id != new_id


def test_model_copy_update_with_key_named_field() -> None:
    p = person()
    c = p.model_copy(update={"name": "zed"})
    assert c.model_dump_doc()["n"] == "zed"
    assert p.name == "ann"


# --------------------------------------------------------------------------- deprecated aliases


def test_deprecated_doc_and_parse_doc() -> None:
    p = Player(name="a")
    with pytest.warns(DeprecationWarning):
        doc = p.doc()
    assert doc == p.model_dump_doc()
    with pytest.warns(DeprecationWarning):
        back = Player.parse_doc(doc)
    assert back == p


def test_deprecated_update_and_copy() -> None:
    p = Player(name="a")
    with pytest.warns(DeprecationWarning):
        p.update({"name": "b"})
    assert p.name == "b"
    with pytest.warns(DeprecationWarning):
        c = p.copy(update={"level": 3})
    assert c.level == 3 and c.name == "b" and p.level == 0


def test_new_names_do_not_warn() -> None:
    p = Player(name="a")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Player.model_validate_doc(p.model_dump_doc())
        p.model_update({"name": "b"})
        copied = p.model_copy(update={"level": 1})
    assert (p.name, copied.level) == ("b", 1)


# --------------------------------------------------------------------------- dirty tracking


def test_fields_to_save_after_construction_is_everything() -> None:
    p = Player(name="a")
    assert p.__odmantic_fields_to_save__() is None
    p.name = "b"
    assert p.__odmantic_fields_to_save__() is None


def test_fields_to_save_after_parse_is_mutable_only() -> None:
    p = _loaded(Player, {"_id": bson.ObjectId(), "name": "a", "level": 0, "tags": []})
    fields = p.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == {"tags", "address"}
    p.level = 3
    fields = p.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == {"tags", "address", "level"}


def test_fields_to_save_immutable_model() -> None:
    class Flat(Model):
        a: int
        b: str
        c: datetime | None = None

    f = _loaded(Flat, {"_id": bson.ObjectId(), "a": 1, "b": "x", "c": None})
    fields = f.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == set()
    f.b = "y"
    fields = f.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == {"b"}


def test_failed_assignment_does_not_mark_field() -> None:
    p = _loaded(Player, {"_id": bson.ObjectId(), "name": "a", "level": 0, "tags": []})
    with pytest.raises(ValidationError):
        p.level = -1
    fields = p.__odmantic_fields_to_save__()
    assert fields is not None
    assert "level" not in fields
    assert p.level == 0


# --------------------------------------------------------------------------- extra="allow"


class Loose(Model):
    model_config = {"extra": "allow"}
    name: str


def test_extra_allow_round_trip() -> None:
    oid = bson.ObjectId()
    raw = {"_id": oid, "name": "a", "color": "red", "n": 3}
    obj = Loose.model_validate_doc(raw)
    assert obj.color == "red"  # type: ignore[attr-defined]
    assert obj.model_dump_doc() == raw
    built = Loose(name="b", size=4)  # type: ignore[call-arg]
    doc = built.model_dump_doc()
    assert doc["size"] == 4
    assert Loose.model_validate_doc(doc) == built


def test_extra_forbidden_by_default_is_ignored_or_refused() -> None:
    raw = {"_id": bson.ObjectId(), "name": "a", "level": 0, "tags": [], "junk": 1}
    p = Player.model_validate_doc(raw)
    assert "junk" not in p.model_dump_doc()


# --------------------------------------------------------------------------- inheritance


class BaseDoc(Model):
    model_config = ODMConfigDict(
        collection="base_docs",
        parse_doc_with_default_factories=True,
        indexes=lambda: [Index(BaseDoc.name, unique=True)],
        str_strip_whitespace=True,
    )
    name: str = Field(key_name="nm")
    created: list[int] = Field(default_factory=list)


class ChildDoc(BaseDoc):
    extra_value: int = 0


class Greeter:
    greeting: str = "hi"

    def greet(self) -> str:
        return f"{self.greeting} {self.name}"  # type: ignore[attr-defined]


class MixedDoc(Greeter, BaseDoc):
    pass


def test_inheritance_fields_and_key_names() -> None:
    assert set(ChildDoc.model_fields) == {"id", "name", "created", "extra_value"}
    c = ChildDoc(name="x", extra_value=2)
    doc = c.model_dump_doc()
    assert doc == {"_id": c.id, "nm": "x", "created": [], "extra_value": 2}
    assert ChildDoc.model_validate_doc(doc) == c
    assert ChildDoc.__primary_field__ == "id"


def test_inheritance_collection_not_inherited() -> None:
    assert +BaseDoc == "base_docs"
    assert +ChildDoc == "child_doc"
    assert +MixedDoc == "mixed_doc"


def test_inheritance_config_inherited() -> None:
    c = ChildDoc(name="  spaced  ")
    assert c.name == "spaced"
    parsed = ChildDoc.model_validate_doc({"_id": bson.ObjectId(), "nm": "a"})
    assert parsed.created == []
    with pytest.raises(ValidationError):
        c.extra_value = "nope"  # type: ignore[assignment]  # validate_assignment still on


def test_inheritance_indexes_inherited() -> None:
    base = [i.document for i in indexes_of(BaseDoc.__odmantic_schema__)]
    child = [i.document for i in indexes_of(ChildDoc.__odmantic_schema__)]
    assert base == child
    assert len(child) == 1
    assert dict(child[0]["key"]) == {"nm": 1}
    assert child[0]["unique"] is True


def test_inheritance_with_plain_mixin() -> None:
    m = MixedDoc(name="bob")
    assert m.greet() == "hi bob"
    assert "name" in MixedDoc.model_fields
    doc = m.model_dump_doc()
    assert doc["nm"] == "bob"
    assert MixedDoc.model_validate_doc(doc) == m
    assert [i.document["key"] for i in indexes_of(MixedDoc.__odmantic_schema__)] == [
        i.document["key"] for i in indexes_of(BaseDoc.__odmantic_schema__)
    ]
    assert MixedDoc.model_validate_doc({"_id": bson.ObjectId(), "nm": "x"}).created == []


def test_child_field_proxies_use_parent_key_names() -> None:
    assert +ChildDoc.name == "nm"  # type: ignore[operator]
    assert (ChildDoc.name == "a") == {"nm": {"$eq": "a"}}  # type: ignore[comparison-overlap]


# --------------------------------------------------------------------------- aliases


class Aliased(Model):
    model_config = {"populate_by_name": True}
    full_name: str = Field(alias="fullName")
    city: str = Field(alias="town", key_name="c")


def test_alias_distinct_from_key_name() -> None:
    a = Aliased(fullName="Ann", town="Rome")
    assert a.full_name == "Ann" and a.city == "Rome"
    b = Aliased(full_name="Ann", city="Rome")  # type: ignore[call-arg]
    assert b.full_name == "Ann" and b.city == "Rome"
    doc = a.model_dump_doc()
    assert doc == {"_id": a.id, "full_name": "Ann", "c": "Rome"}
    assert a.model_dump(by_alias=True)["fullName"] == "Ann"
    assert a.model_dump(by_alias=True)["town"] == "Rome"
    back = Aliased.model_validate_doc(doc)
    assert back == a
    assert +Aliased.city == "c"  # type: ignore[operator]
    assert +Aliased.full_name == "full_name"  # type: ignore[operator]


# --------------------------------------------------------------------------- validation


def test_validate_assignment_is_on() -> None:
    p = Player(name="a")
    with pytest.raises(ValidationError):
        p.level = "many"  # type: ignore[assignment]
    with pytest.raises(ValidationError):
        p.level = -1
    p.level = "5"  # type: ignore[assignment]
    assert p.level == 5


def test_validate_default_is_on() -> None:
    with pytest.warns(UserWarning, match=r"BadDefault\.n: the default 'x' does not validate"):

        class BadDefault(Model):
            n: int = Field(default="x")

    with pytest.raises(ValidationError):
        BadDefault()
    assert BadDefault(n=1).n == 1


class Const(Model):
    kind: str = Field("fixed", const=True)
    mode: Literal["a", "b"] = "a"


def test_const_field() -> None:
    c = Const()  # type: ignore[call-arg]
    assert c.kind == "fixed"
    assert Const(kind="fixed").kind == "fixed"
    with pytest.raises(ValidationError):
        Const(kind="other")
    with pytest.raises(ValidationError):
        c.kind = "other"
    assert c.kind == "fixed"
    with pytest.raises(DocumentParsingError):
        Const.model_validate_doc({"_id": bson.ObjectId(), "kind": "other", "mode": "a"})


ValueT = TypeVar("ValueT")


class GenericConst(Model, Generic[ValueT]):
    value: ValueT
    kind: str = Field("fixed", const=True)


class IntConst(GenericConst[int]):
    pass


class SubConst(Const):
    pass


class FreedConst(Const):
    kind: str = "free"


def test_const_is_kept_by_subclasses_and_generic_parametrizations() -> None:
    for build in (
        lambda: GenericConst[int](value=1, kind="other"),
        lambda: IntConst(value=1, kind="other"),
        lambda: SubConst(kind="other"),
    ):
        with pytest.raises(ValidationError, match="is constant"):
            build()
    assert IntConst(value=1).kind == "fixed"  # type: ignore[call-arg]
    assert len(SubConst.__odmantic_schema__.fields["kind"].constraints) == 1  # not a second check
    assert FreedConst(kind="other").kind == "other"  # declared again without const=True


def test_field_constraints() -> None:
    class Constrained(Model):
        name: str = Field(min_length=2, max_length=4, regex=r"^[a-z]+$")
        tags: list[int] = Field(default_factory=list, min_items=0, max_items=2)
        score: float = Field(0, gt=-1, le=10, multiple_of=0.5)

    Constrained(name="abc", tags=[1], score=9.5)
    bad_arguments: list[dict[str, Any]] = [
        {"name": "a"},
        {"name": "abcde"},
        {"name": "AB"},
        {"name": "ab", "tags": [1, 2, 3]},
        {"name": "ab", "score": 10.5},
        {"name": "ab", "score": 0.3},
        {"name": "ab", "score": -1},
    ]
    for bad in bad_arguments:
        with pytest.raises(ValidationError):
            Constrained(**bad)


# --------------------------------------------------------------------------- BSON types


class Dated(Model):
    when: datetime
    price: Decimal
    maybe: Decimal | None = None


def test_datetime_stored_utc_truncated_to_ms() -> None:
    aware = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    d = Dated(when=aware, price=Decimal("1.5"))
    assert d.when == datetime(2024, 1, 2, 1, 4, 5, 678000, tzinfo=timezone.utc)
    assert d.when.tzinfo is timezone.utc  # aware stays aware, in UTC (as ODMantic 1.1)
    doc = d.model_dump_doc()
    assert doc["when"] == datetime(2024, 1, 2, 1, 4, 5, 678000, tzinfo=timezone.utc)
    naive = Dated(when=datetime(2024, 1, 2, 3, 4, 5, 999999), price=Decimal("0"))
    assert naive.model_dump_doc()["when"] == datetime(2024, 1, 2, 3, 4, 5, 999000)


def test_datetime_assignment_normalized() -> None:
    d = Dated(when=datetime(2020, 1, 1), price=Decimal(0))
    d.when = datetime(2020, 5, 5, 12, 0, 0, 123456, tzinfo=timezone.utc)
    assert d.when == datetime(2020, 5, 5, 12, 0, 0, 123000, tzinfo=timezone.utc)


def test_decimal_stored_as_decimal128() -> None:
    d = Dated(when=datetime(2020, 1, 1), price=Decimal("12.34"), maybe=Decimal("-0.5"))
    doc = d.model_dump_doc()
    assert isinstance(doc["price"], Decimal128)
    assert doc["price"] == Decimal128("12.34")
    assert doc["maybe"] == Decimal128("-0.5")
    assert d.model_dump()["price"] == Decimal("12.34")
    back = Dated.model_validate_doc(bson.decode(bson.encode(doc)))
    assert back.price == Decimal("12.34")
    assert isinstance(back.price, Decimal)
    assert back == d


def test_decimal_none_stays_none() -> None:
    d = Dated(when=datetime(2020, 1, 1), price=Decimal("1"))
    assert d.model_dump_doc()["maybe"] is None


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Painted(Model):
    color: Color = Color.RED


def test_enum_dumped_as_its_value_and_bson_encodable() -> None:
    p = Painted(color=Color.BLUE)
    doc = p.model_dump_doc()
    assert doc["color"] == "blue"
    bson.encode(doc)
    assert Painted.model_validate_doc(bson.decode(bson.encode(doc))) == p


# --------------------------------------------------------------------------- references


def test_reference_dumps_primary_key() -> None:
    author = Author(name="Hugo")
    book = Book(title="Les Misérables", author=author)
    doc = book.model_dump_doc()
    assert doc == {"_id": book.id, "title": "Les Misérables", "author_id": author.id}
    note = Note(text="t", writer=author)
    assert note.model_dump_doc()["writer"] == author.id


def test_reference_include_exclude() -> None:
    author = Author(name="Hugo")
    book = Book(title="T", author=author)
    assert book.model_dump_doc(include={"author"}) == {"author_id": author.id}
    assert book.model_dump_doc(include={"title"}) == {"title": "T"}


def test_reference_parsed_from_joined_document() -> None:
    author = Author(name="Hugo")
    raw = {"_id": bson.ObjectId(), "title": "T", "author_id": author.model_dump_doc()}
    book = Book.model_validate_doc(raw)
    assert book.author == author
    assert book.author.name == "Hugo"


def test_reference_missing_joined_document_is_a_parsing_error() -> None:
    oid = bson.ObjectId()
    with pytest.raises(
        DocumentParsingError, match="Referenced document not found for foreign key 'author_id'"
    ) as info:
        Book.model_validate_doc({"_id": oid, "title": "T"})
    assert str(info.value).startswith("1 validation error for Book\nauthor\n")
    assert info.value.primary_value == oid


def test_reference_is_not_a_mutable_field() -> None:
    author = Author(name="Hugo")
    raw = {"_id": bson.ObjectId(), "title": "T", "author_id": author.model_dump_doc()}
    book = _loaded(Book, raw)
    fields = book.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == set()


def test_field_default_none_makes_field_optional() -> None:
    class Opt(Model):
        x: int | None = Field(None)
        y: str | None = Field(default=None, key_name="why")

    o = Opt()  # type: ignore[call-arg]
    assert o.x is None and o.y is None
    assert o.model_dump_doc() == {"_id": o.id, "x": None, "why": None}


@pytest.mark.parametrize(
    "annotation, value",
    [
        (bson.ObjectId, bson.ObjectId()),
        (bson.int64.Int64, bson.int64.Int64(5)),
        (bson.decimal128.Decimal128, bson.decimal128.Decimal128("1.5")),
        (bson.binary.Binary, bson.binary.Binary(b"\x01", 128)),
        (bson.regex.Regex, bson.regex.Regex("^a", "i")),
    ],
    ids=["ObjectId", "Int64", "Decimal128", "Binary", "Regex"],
)
def test_plain_bson_classes_as_annotations(annotation: type, value: object) -> None:
    """`from bson import ObjectId` annotations work like the odmantic.bson ones."""
    model = cast(
        type[Model],
        type(
            "PlainBson",
            (Model,),
            {"__annotations__": {"value": annotation}, "__module__": __name__},
        ),
    )
    instance = model(value=value)  # type: ignore[call-arg]
    doc = instance.model_dump_doc()
    assert doc["value"] == value
    assert model.model_validate_doc(bson.decode(bson.encode(doc))) == instance


def test_constraints_on_decimal_and_datetime_fields() -> None:
    class Priced(Model):
        price: Decimal = Field(ge=0)
        at: datetime = Field(default=datetime(2020, 1, 1), gt=datetime(2000, 1, 1))

    p = Priced(price=Decimal("2.50"))
    assert p.model_dump_doc()["price"] == Decimal128("2.50")
    with pytest.raises(ValidationError):
        Priced(price=Decimal("-1"))
    with pytest.raises(ValidationError):
        Priced(price=Decimal("1"), at=datetime(1999, 1, 1))
    with pytest.raises(DocumentParsingError):
        Priced.model_validate_doc({"_id": bson.ObjectId(), "price": Decimal128("-3"), "at": p.at})


class Keyed(EmbeddedModel):
    a: int = Field(key_name="aa")


class Containers(Model):
    by_name: dict[str, Keyed] = {}
    seq: tuple[Keyed, ...] = ()
    pair: tuple[Keyed, Keyed] | None = None


def test_key_names_in_dict_and_tuple_of_embedded_models() -> None:
    c = Containers(
        by_name={"x": Keyed(a=1)}, seq=(Keyed(a=2), Keyed(a=3)), pair=(Keyed(a=4), Keyed(a=5))
    )
    doc = c.model_dump_doc()
    assert doc["by_name"] == {"x": {"aa": 1}}
    assert list(doc["seq"]) == [{"aa": 2}, {"aa": 3}]
    assert list(doc["pair"]) == [{"aa": 4}, {"aa": 5}]
    assert Containers.model_validate_doc(bson.decode(bson.encode(doc))) == c
    assert +Containers.seq.a == "seq.aa"  # type: ignore[attr-defined]


def test_private_attribute_not_tracked_as_field() -> None:
    class WithPrivate(Model):
        name: str
        _cache: int = pydantic.PrivateAttr(default=0)

    w = _loaded(WithPrivate, {"_id": bson.ObjectId(), "name": "a"})
    w._cache = 3
    assert w._cache == 3
    fields = w.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == set()


def test_extra_field_assignment_is_tracked() -> None:
    obj = _loaded(Loose, {"_id": bson.ObjectId(), "name": "a", "color": "red"})
    fields = obj.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == set()
    obj.color = "blue"
    fields = obj.__odmantic_fields_to_save__()
    assert fields is not None
    assert set(fields) == {"color"}
    assert obj.model_dump_doc(include=fields) == {"color": "blue"}


def test_custom_primary_key_beside_a_plain_id_field() -> None:
    class WithId(Model):
        code: str = Field(primary_field=True)
        id: int = 0  # type: ignore[assignment]

    doc = WithId(code="c", id=5).model_dump_doc()
    assert doc == {"_id": "c", "id": 5}
    assert WithId.model_validate_doc(doc) == WithId(code="c", id=5)


def test_generated_id_comes_last_like_odmantic() -> None:
    class Ordered(Model):
        name: str
        level: int = 0

    assert list(Ordered.model_fields) == ["name", "level", "id"]


def test_model_config_exposes_odm_keys() -> None:
    class Configured(Model):
        model_config = ODMConfigDict(collection="cc")
        x: int = 0

    # .get: model_config is declared (by pydantic's BaseModel) as a ConfigDict, without the ODM keys
    assert Configured.model_config.get("collection") == "cc"
    assert Configured.model_config.get("parse_doc_with_default_factories") is False

    class Child(Configured):
        pass

    assert Child.model_config.get("collection") == "child"
    assert +Child == "child"


def test_key_name_equal_to_another_field_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Crossed\.a: key_name 'b' is the name of another field"):

        class Crossed(Model):
            a: int = Field(key_name="b")
            b: int = Field(key_name="c")


def test_reannotated_inherited_field_keeps_its_key_name() -> None:
    class Parent(Model):
        name: str = Field(key_name="n")

    class Child(Parent):
        name: str = "x"

    child = Child(name="y")
    doc = child.model_dump_doc()
    assert doc["n"] == "y"
    assert Child.model_validate_doc(doc) == child


def test_document_without_id_is_refused() -> None:
    with pytest.raises(DocumentParsingError, match="Key '_id' not found in document") as info:
        Player.model_validate_doc({"name": "a"})
    assert isinstance(info.value.inner, ValidationError)
    assert [(e["type"], e["loc"]) for e in info.value.inner.errors()] == [
        ("odmantic::key_not_found_in_document", ("id",))
    ]


class KeyNamed(Model):
    code: str = Field(primary_field=True)
    label: str = Field(key_name="lbl")


def test_missing_field_is_a_key_not_found_in_document() -> None:
    with pytest.raises(DocumentParsingError, match="Key 'lbl' not found in document") as info:
        KeyNamed.model_validate_doc({"_id": "A"})
    assert info.value.errors[0]["type"] == "odmantic::key_not_found_in_document"
    assert info.value.errors[0]["loc"] == ("label",)


def test_parsing_error_carries_pydantic_error() -> None:
    with pytest.raises(DocumentParsingError) as info:
        Player.model_validate_doc({"_id": ObjectId(), "name": 3})
    assert info.value.inner is not None
    assert info.value.inner.errors()[0]["loc"] == ("name",)


def test_joined_reference_missing_a_default_factory_key_is_refused() -> None:
    class Tagger(Model):
        name: str
        tags: list[str] = Field(default_factory=list)

    class Tagged(Model):
        tagger: Tagger = Reference()

    oid, ref = ObjectId(), ObjectId()
    with pytest.raises(DocumentParsingError, match=r"tagger\.tags") as info:
        Tagged.model_validate_doc({"_id": oid, "tagger": {"_id": ref, "name": "x"}})
    assert info.value.primary_value == oid


def test_a_list_of_optional_embedded_models_with_key_names_dumps_its_none_items() -> None:
    class Cell(EmbeddedModel):
        value: int = Field(key_name="v")

    class Grid(Model):
        cells: list[Cell | None] = []

    grid = Grid(cells=[None, Cell(value=1)])
    assert grid.model_dump_doc()["cells"] == [None, {"v": 1}]
    assert Grid.model_validate_doc(grid.model_dump_doc()) == grid


def test_a_polymorphic_model_that_forbids_extra_keys_loads_its_discriminator() -> None:
    class Closed(Model):
        model_config = {"polymorphic": True, "extra": "forbid"}

        name: str

    class Open(Closed):
        size: int = 0

    loaded = Closed.model_validate_doc({"_id": ObjectId(), "_t": "Open", "name": "a"})
    assert type(loaded) is Open and loaded.name == "a"
