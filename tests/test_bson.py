"""Tests for odmantic.bson: BSON field types, datetime/Decimal handling, annotation rewriting."""

from __future__ import annotations

import collections.abc
import decimal
import json
import re
import typing
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union

import bson
import bson.binary
import bson.decimal128
import bson.int64
import bson.regex
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model
from pydantic_core import PydanticSerializationError, core_schema

from odmantic._internal.annotations import substitute_bson_types
from odmantic.bson import (
    BSON_CONTEXT,
    Binary,
    Decimal128,
    Int64,
    Long,
    ObjectId,
    Regex,
    WithBsonSerializer,
)

OID_HEX = "5f85f36d6dfecacc68428a46"


def make_model(**fields: Any) -> type[BaseModel]:
    """A model whose field annotations went through substitute_bson_types."""
    definitions: dict[str, Any] = {}
    for name, spec in fields.items():
        annotation, default = spec if isinstance(spec, tuple) else (spec, ...)
        definitions[name] = (substitute_bson_types(annotation), default)
    return create_model("M", **definitions)


def bson_round_trip(
    model: type[BaseModel], instance: BaseModel, tz_aware: bool = False
) -> BaseModel:
    """Dump for MongoDB, encode, decode as PyMongo would (a client with `tz_aware`), validate
    again."""
    raw = bson.encode(instance.model_dump(mode="python", context=BSON_CONTEXT))
    options: bson.CodecOptions[Any] = bson.CodecOptions(
        tz_aware=tz_aware, tzinfo=timezone.utc if tz_aware else None
    )
    return model.model_validate(bson.decode(raw, codec_options=options))


def naive_utc(value: Any) -> Any:
    """`value` with every datetime in it naive UTC, as PyMongo decodes them by default."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, dict):
        return {key: naive_utc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [naive_utc(item) for item in value]
    return value


# --------------------------------------------------------------------------- ObjectId


class WithId(BaseModel):
    id: ObjectId


def test_object_id_from_bson_object_id_is_not_copied() -> None:
    oid = bson.ObjectId()
    assert WithId(id=oid).id is oid  # pyright: ignore[reportArgumentType]
    assert TypeAdapter(ObjectId).validate_python(oid) is oid


def test_object_id_from_str_and_bytes() -> None:
    from_str = WithId(id=OID_HEX).id  # pyright: ignore[reportArgumentType]
    assert type(from_str) is bson.ObjectId
    assert from_str == bson.ObjectId(OID_HEX)
    assert WithId(id=OID_HEX.upper()).id == bson.ObjectId(OID_HEX)  # pyright: ignore[reportArgumentType]
    oid = bson.ObjectId()
    assert WithId(id=oid.binary).id == oid  # pyright: ignore[reportArgumentType]
    assert WithId.model_validate_json(json.dumps({"id": OID_HEX})).id == bson.ObjectId(OID_HEX)


def test_object_id_isinstance_of_subclass() -> None:
    assert isinstance(WithId(id=OID_HEX).id, ObjectId)  # pyright: ignore[reportArgumentType]
    assert isinstance(bson.ObjectId(), ObjectId)
    assert not isinstance(OID_HEX, ObjectId)
    assert issubclass(ObjectId, bson.ObjectId)


@pytest.mark.parametrize(
    "bad",
    ["xyz", OID_HEX[:-1], OID_HEX + "0", "z" * 24, b"short", b"x" * 13, 42, None, 1.5, [1]],
)
def test_object_id_rejections(bad: Any) -> None:
    with pytest.raises(ValidationError) as exc_info:
        WithId(id=bad)
    errors = exc_info.value.errors()
    assert len(errors) == 1
    assert errors[0]["type"] == "object_id"
    assert errors[0]["loc"] == ("id",)
    assert errors[0]["input"] == bad
    assert errors[0]["msg"].startswith("Invalid ObjectId: expected an ObjectId")
    assert repr(bad)[:20] in str(exc_info.value)


def test_object_id_json_rejection() -> None:
    with pytest.raises(ValidationError) as exc_info:
        WithId.model_validate_json('{"id": "xyz"}')
    (error,) = exc_info.value.errors()
    assert error["type"] == "object_id"
    assert error["input"] == "xyz"
    assert "'xyz'" in str(exc_info.value)
    with pytest.raises(ValidationError):
        WithId.model_validate_json('{"id": 12}')


def test_object_id_dump() -> None:
    oid = bson.ObjectId(OID_HEX)
    model = WithId(id=oid)  # pyright: ignore[reportArgumentType]
    assert model.model_dump() == {"id": oid}
    assert model.model_dump()["id"] is oid
    assert model.model_dump(mode="json") == {"id": OID_HEX}
    assert model.model_dump_json() == f'{{"id":"{OID_HEX}"}}'
    assert WithId.model_validate_json(model.model_dump_json()) == model
    assert TypeAdapter(ObjectId).dump_python(oid, mode="json") == OID_HEX  # pyright: ignore[reportArgumentType]


def test_object_id_json_schema() -> None:
    expected_keys = {"type": "string", "format": "objectid", "pattern": "^[0-9a-f]{24}$"}
    schema = TypeAdapter(ObjectId).json_schema()
    assert schema.items() >= expected_keys.items()
    assert all(re.fullmatch(schema["pattern"][1:-1], ex) for ex in schema["examples"])
    modes: tuple[Literal["validation", "serialization"], ...] = ("validation", "serialization")
    for mode in modes:
        model_schema = WithId.model_json_schema(mode=mode)
        assert model_schema["properties"]["id"].items() >= expected_keys.items()
        assert model_schema["required"] == ["id"]
    nullable: Any = ObjectId | None
    opt_model = create_model("Opt", ref=(nullable, None))
    ref_schema = opt_model.model_json_schema()
    assert {"type": "null"} in ref_schema["properties"]["ref"]["anyOf"]


# --------------------------------------------------------------------------- Int64


def test_int64() -> None:
    assert Long is Int64
    adapter = TypeAdapter(Int64)
    existing = bson.int64.Int64(7)
    assert adapter.validate_python(existing) is existing
    converted = adapter.validate_python(5)
    assert type(converted) is bson.int64.Int64 and converted == 5
    assert isinstance(converted, Int64)
    assert type(adapter.validate_json("12")) is bson.int64.Int64
    assert adapter.dump_python(converted) is converted
    assert adapter.dump_json(converted) == b"5"
    assert adapter.dump_python(converted, mode="json") == 5
    assert adapter.json_schema() == {"type": "integer", "format": "int64"}
    # stored as BSON int64 (type 0x12) even for small values
    assert bson.encode({"v": converted})[4] == 0x12
    for bad in ("abc", 2**63, -(2**63) - 1, 1.5, None):
        with pytest.raises(ValidationError) as exc_info:
            adapter.validate_python(bad)
        assert exc_info.value.errors()[0]["type"] == "int64"
    with pytest.raises(ValidationError):
        adapter.validate_json(str(2**63))


# --------------------------------------------------------------------------- Decimal128


def test_decimal128() -> None:
    adapter = TypeAdapter(Decimal128)
    existing = bson.decimal128.Decimal128("1.50")
    assert adapter.validate_python(existing) is existing
    cases: list[tuple[Any, str]] = [
        (Decimal("1.50"), "1.50"),
        ("2.5", "2.5"),
        (3, "3"),
        (0.1, "0.1"),
        (-(10**20), "-100000000000000000000"),
    ]
    for value, expected in cases:
        result = adapter.validate_python(value)
        assert type(result) is bson.decimal128.Decimal128
        assert str(result) == expected
        assert result.to_decimal() == Decimal(expected)
    assert str(adapter.validate_json('"1.25"')) == "1.25"
    assert str(adapter.validate_json("1.25")) == "1.25"
    assert adapter.dump_python(existing) is existing  # pyright: ignore[reportArgumentType]
    assert adapter.dump_python(existing, mode="json") == "1.50"  # pyright: ignore[reportArgumentType]
    assert adapter.dump_json(existing) == b'"1.50"'  # pyright: ignore[reportArgumentType]
    assert adapter.json_schema(mode="serialization") == {"type": "string", "format": "decimal"}
    assert {"type": "number"} in adapter.json_schema()["anyOf"]
    for bad in ("abc", True, None, [1], "1" * 40):
        with pytest.raises(ValidationError) as exc_info:
            adapter.validate_python(bad)
        assert exc_info.value.errors()[0]["type"] == "decimal128"


# --------------------------------------------------------------------------- Binary


def test_binary() -> None:
    adapter = TypeAdapter(Binary)
    existing = bson.binary.Binary(b"\x00\x01", 4)
    assert adapter.validate_python(existing) is existing
    for raw in (b"\xffdata", bytearray(b"\xffdata")):
        result = adapter.validate_python(raw)
        assert type(result) is bson.binary.Binary
        assert result.subtype == 0 and bytes(result) == b"\xffdata"
    assert adapter.dump_python(existing) is existing  # pyright: ignore[reportArgumentType]
    # JSON holds the UTF-8 text of the data, as in ODMantic 1.1.
    assert adapter.dump_python(existing, mode="json") == "\x00\x01"  # pyright: ignore[reportArgumentType]
    assert adapter.dump_json(bson.binary.Binary(b"caf\xc3\xa9")) == '"café"'.encode()  # pyright: ignore[reportArgumentType]
    assert adapter.validate_json('"café"') == bson.binary.Binary("café".encode())
    with pytest.raises(PydanticSerializationError, match="not UTF-8 text has no JSON form"):
        adapter.dump_json(bson.binary.Binary(b"\xffdata"))  # pyright: ignore[reportArgumentType]
    assert adapter.json_schema() == {"type": "string", "format": "binary"}
    for bad in ("text", 1, None):
        with pytest.raises(ValidationError) as exc_info:
            adapter.validate_python(bad)
        assert exc_info.value.errors()[0]["type"] == "binary"
    with pytest.raises(ValidationError) as exc_info:
        adapter.validate_json("12")
    assert exc_info.value.errors()[0]["type"] == "binary"


def test_binary_from_pymongo_bytes() -> None:
    model = make_model(data=Binary)
    stored = bson.decode(bson.encode({"data": bson.binary.Binary(b"abc")}))
    assert type(stored["data"]) is bytes  # PyMongo decodes subtype 0 to bytes
    again = model.model_validate(stored)
    assert again.data == bson.binary.Binary(b"abc")  # type: ignore[attr-defined]
    assert bson_round_trip(model, again) == again


# --------------------------------------------------------------------------- Regex


def test_regex() -> None:
    adapter = TypeAdapter(Regex)
    existing = bson.regex.Regex("^a", "i")
    assert adapter.validate_python(existing) is existing
    from_pattern = adapter.validate_python(re.compile("^b", re.IGNORECASE))
    assert type(from_pattern) is bson.regex.Regex
    assert from_pattern.pattern == "^b" and from_pattern.flags & re.IGNORECASE
    from_str = adapter.validate_python("^c")
    assert from_str.pattern == "^c" and from_str.flags == re.UNICODE  # compiled, as 1.1
    assert adapter.validate_json('"^d"').pattern == "^d"
    assert adapter.dump_python(existing) is existing  # pyright: ignore[reportArgumentType]
    assert adapter.dump_python(existing, mode="json") == "^a"  # pyright: ignore[reportArgumentType]
    assert adapter.dump_json(existing) == b'"^a"'  # pyright: ignore[reportArgumentType]
    assert adapter.json_schema() == {"type": "string", "format": "regex"}
    with pytest.raises(ValidationError) as exc_info:
        adapter.validate_python(12)
    assert exc_info.value.errors()[0]["type"] == "regex"
    decoded = bson.decode(bson.encode({"r": existing}))
    assert adapter.validate_python(decoded["r"]) == existing


# --------------------------------------------------------------------------- datetime


def test_datetime_naive_is_utc_and_truncated() -> None:
    model = make_model(at=datetime)
    value = model(at=datetime(2021, 3, 4, 5, 6, 7, 891234)).at  # type: ignore[attr-defined]
    assert value == datetime(2021, 3, 4, 5, 6, 7, 891000)
    assert value.tzinfo is None


def test_datetime_aware_stays_aware_in_utc() -> None:
    model = make_model(at=datetime)
    plus_two = timezone(timedelta(hours=2))
    value = model(at=datetime(2021, 3, 4, 1, 0, 0, 123999, tzinfo=plus_two)).at  # type: ignore[attr-defined]
    assert value == datetime(2021, 3, 3, 23, 0, 0, 123000, tzinfo=timezone.utc)
    assert value.tzinfo is timezone.utc
    utc = model(at=datetime(2021, 3, 4, tzinfo=timezone.utc)).at  # type: ignore[attr-defined]
    assert utc == datetime(2021, 3, 4, tzinfo=timezone.utc) and utc.tzinfo is timezone.utc
    with pytest.raises(ValidationError, match="out of range"):
        model(at=datetime(1, 1, 1, tzinfo=plus_two))
    from_json = model.model_validate_json('{"at": "2021-03-04T01:00:00.5+02:00"}')
    assert from_json.at == datetime(2021, 3, 3, 23, 0, 0, 500000, tzinfo=timezone.utc)  # type: ignore[attr-defined]


def test_datetime_nested() -> None:
    model = make_model(
        many=(Optional[list[datetime]], None),  # noqa: UP045
        by_key=(dict[str, datetime], {}),
        pep604=(typing.List[datetime] | None, None),  # noqa: UP006
    )
    aware = datetime(2020, 1, 1, 12, 0, 0, 1999, tzinfo=timezone(timedelta(hours=-5)))
    instance = model(many=[aware], by_key={"a": aware}, pep604=[aware])
    expected = datetime(2020, 1, 1, 17, 0, 0, 1000, tzinfo=timezone.utc)
    assert instance.many == [expected]  # type: ignore[attr-defined]
    assert instance.by_key == {"a": expected}  # type: ignore[attr-defined]
    assert instance.pep604 == [expected]  # type: ignore[attr-defined]
    assert model().many is None  # type: ignore[attr-defined]
    assert bson_round_trip(model, instance, tz_aware=True) == instance


def test_datetime_bson_round_trip_is_identity() -> None:
    model = make_model(at=datetime)
    instance = model(at=datetime(1950, 6, 7, 8, 9, 10, 999999))
    assert bson_round_trip(model, instance) == instance


def test_datetime_constraints_from_annotated_still_apply() -> None:
    floor = datetime(2000, 1, 1)
    model = make_model(at=Annotated[datetime, Field(gt=floor, description="when")])
    assert model(at=datetime(2001, 1, 1, 0, 0, 0, 1500)).at == datetime(2001, 1, 1, 0, 0, 0, 1000)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as exc_info:
        model(at=datetime(1999, 1, 1))
    assert exc_info.value.errors()[0]["type"] == "greater_than"
    assert model.model_json_schema()["properties"]["at"]["description"] == "when"


# --------------------------------------------------------------------------- Decimal


def test_decimal_dumps_as_decimal128_only_with_bson_context() -> None:
    model = make_model(price=Decimal, prices=(list[Decimal], []))
    instance = model(price="12.30", prices=[Decimal("1.5"), 2])
    assert instance.price == Decimal("12.30")  # type: ignore[attr-defined]
    plain = instance.model_dump()
    assert type(plain["price"]) is Decimal
    assert instance.model_dump(mode="json") == {"price": "12.30", "prices": ["1.5", "2"]}
    for_bson = instance.model_dump(mode="python", context=BSON_CONTEXT)
    assert for_bson["price"] == bson.decimal128.Decimal128("12.30")
    assert all(type(p) is bson.decimal128.Decimal128 for p in for_bson["prices"])
    merged_context = instance.model_dump(context={**BSON_CONTEXT, "other": 1})
    assert type(merged_context["price"]) is bson.decimal128.Decimal128
    assert type(instance.model_dump(context={"other": 1})["price"]) is Decimal
    decoded = bson.decode(bson.encode(for_bson))
    assert type(decoded["price"]) is bson.decimal128.Decimal128
    again = model.model_validate(decoded)
    assert again == instance
    assert str(again.price) == "12.30"  # type: ignore[attr-defined]


def test_decimal_validation_errors_and_constraints() -> None:
    model = make_model(price=Annotated[Decimal, Field(ge=0)])
    with pytest.raises(ValidationError) as exc_info:
        model(price="abc")
    assert [e["type"] for e in exc_info.value.errors()] == ["decimal_parsing"]
    with pytest.raises(ValidationError) as exc_info:
        model(price=-1)
    assert [e["type"] for e in exc_info.value.errors()] == ["greater_than_equal"]
    from_d128 = model(price=bson.decimal128.Decimal128("4.20")).price  # type: ignore[attr-defined]
    assert type(from_d128) is Decimal and from_d128 == Decimal("4.20")
    assert model.model_json_schema()["properties"]["price"]["anyOf"][0]["minimum"] == 0


def test_optional_decimal_none() -> None:
    model = make_model(price=(Decimal | None, None))
    assert model().model_dump(context=BSON_CONTEXT) == {"price": None}


# --------------------------------------------------------------------------- WithBsonSerializer


class AsciiStr(str, WithBsonSerializer):
    """A str limited to ASCII characters, stored as bytes."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(cls.validate, core_schema.str_schema())

    @classmethod
    def validate(cls, value: str) -> AsciiStr:
        if not value.isascii():
            raise ValueError("only ASCII characters are allowed")
        return cls(value)

    @classmethod
    def __bson__(cls, value: Any) -> Any:
        return value.encode("ascii")


def test_with_bson_serializer_only_under_bson_context() -> None:
    model = make_model(name=AsciiStr, names=(list[AsciiStr], []))
    instance = model(name="abc", names=["x", "y"])
    assert type(instance.name) is AsciiStr  # type: ignore[attr-defined]
    assert instance.model_dump() == {"name": "abc", "names": ["x", "y"]}
    assert instance.model_dump_json() == '{"name":"abc","names":["x","y"]}'
    assert instance.model_dump(context=BSON_CONTEXT) == {"name": b"abc", "names": [b"x", b"y"]}
    with pytest.raises(ValidationError, match="only ASCII"):
        model(name="é")
    bson.encode(instance.model_dump(context=BSON_CONTEXT))


def test_with_bson_serializer_keeps_user_serializer() -> None:
    class Upper(str, WithBsonSerializer):
        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
            return core_schema.str_schema(
                serialization=core_schema.plain_serializer_function_ser_schema(str.upper)
            )

        @classmethod
        def __bson__(cls, value: Any) -> Any:
            return {"wrapped": value}

    model = make_model(v=Upper)
    instance = model(v="abc")
    assert instance.model_dump() == {"v": "ABC"}
    assert instance.model_dump(context=BSON_CONTEXT) == {"v": {"wrapped": "abc"}}


def test_with_bson_serializer_base_requires_override() -> None:
    class Missing(WithBsonSerializer):
        pass

    with pytest.raises(NotImplementedError):
        Missing.__bson__(1)


# --------------------------------------------------------------------------- substitute_bson_types


@pytest.mark.parametrize(
    "annotation",
    [
        int,
        str,
        bytes,
        Optional[int],  # noqa: UP045
        Union[int, str],  # noqa: UP007
        int | None,
        list[int],
        typing.List[int],  # noqa: UP006
        dict[str, list[int]],
        typing.Dict[str, int],  # noqa: UP006
        tuple[int, ...],
        tuple[()],
        collections.abc.Sequence[int],
        collections.abc.Mapping[str, float],
        Annotated[int, Field(gt=0)],
        Literal["a", "b"],
        ObjectId,
        Int64,
        "datetime",
        typing.ForwardRef("datetime"),
        list["datetime"],
        type[datetime],
        typing.Callable[[datetime], int],
        Any,
        BaseModel,
    ],
)
def test_substitute_returns_same_object_when_nothing_changes(annotation: Any) -> None:
    assert substitute_bson_types(annotation) is annotation


def test_sets_are_dumped_as_arrays_for_mongodb() -> None:
    adapter: TypeAdapter[frozenset[Decimal]] = TypeAdapter(
        substitute_bson_types(frozenset[Decimal])
    )
    dumped = adapter.dump_python(frozenset({Decimal("1.5")}), context=BSON_CONTEXT)
    assert dumped == [bson.decimal128.Decimal128("1.5")]
    assert adapter.dump_python(frozenset({Decimal("1.5")})) == frozenset({Decimal("1.5")})


def test_substitute_rewrites_nested_types() -> None:
    assert substitute_bson_types(datetime) is not datetime
    assert typing.get_origin(substitute_bson_types(datetime)) is Annotated
    rewritten = substitute_bson_types(dict[str, Optional[tuple[datetime, Decimal]]])  # noqa: UP045
    assert typing.get_origin(rewritten) is dict
    key, value = typing.get_args(rewritten)
    assert key is str
    (inner, none) = typing.get_args(value)
    assert none is type(None)
    for arg, base in zip(typing.get_args(inner), (datetime, Decimal), strict=True):
        assert typing.get_origin(arg) is Annotated and typing.get_args(arg)[0] is base
    seq = substitute_bson_types(collections.abc.Sequence[datetime])
    assert typing.get_origin(seq) is collections.abc.Sequence
    typing_list = substitute_bson_types(typing.List[Decimal])  # noqa: UP006
    assert typing.get_origin(typing_list) is list
    assert substitute_bson_types(bson.ObjectId) is ObjectId
    assert substitute_bson_types(list[bson.int64.Int64]) == list[Int64]


def test_substitute_keeps_annotated_metadata_and_is_idempotent() -> None:
    field = Field(description="d")
    rewritten = substitute_bson_types(Annotated[list[datetime], field, "x"])
    assert rewritten.__metadata__ == (field, "x")
    assert substitute_bson_types(rewritten) is rewritten
    direct = substitute_bson_types(Annotated[Decimal, "meta"])
    assert direct.__metadata__[0] == "meta"
    assert substitute_bson_types(direct) is direct
    once = substitute_bson_types(AsciiStr | None)
    assert substitute_bson_types(once) is once


def test_substitute_literal_untouched_in_union() -> None:
    literal = Literal["a"]
    rewritten = substitute_bson_types(Union[literal, datetime])  # noqa: UP007
    assert typing.get_args(rewritten)[0] is literal


# --------------------------------------------------------------------------- property test

DECIMAL128_CONTEXT = bson.decimal128.create_decimal128_context()


@st.composite
def decimal128_values(draw: st.DrawFn) -> Decimal:
    digits = draw(st.integers(min_value=0, max_value=10**34 - 1))
    exponent = draw(st.integers(min_value=-6176, max_value=6111))
    sign = draw(st.sampled_from([1, -1]))
    return Decimal(sign * digits).scaleb(exponent, DECIMAL128_CONTEXT)


aware_or_naive_datetimes = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]
        ),
    ),
)

RoundTrip = make_model(at=datetime, amount=Decimal, many=(list[datetime | None], []))


@settings(max_examples=200, deadline=None)
@given(
    at=aware_or_naive_datetimes,
    amount=st.one_of(
        decimal128_values(),
        st.decimals(
            allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20
        ),
    ),
    many=st.lists(st.one_of(st.none(), aware_or_naive_datetimes), max_size=3),
)
def test_bson_round_trip_property(
    at: datetime, amount: Decimal, many: list[datetime | None]
) -> None:
    instance = RoundTrip(at=at, amount=amount, many=many)
    expected_at = at.astimezone(timezone.utc) if at.tzinfo else at
    expected_at = expected_at.replace(microsecond=expected_at.microsecond // 1000 * 1000)
    assert instance.at == expected_at  # type: ignore[attr-defined]
    assert instance.amount == amount  # type: ignore[attr-defined]
    # PyMongo gives naive UTC datetimes back (aware ones with a tz_aware client).
    again = bson_round_trip(RoundTrip, instance)
    assert naive_utc(again.model_dump(context=BSON_CONTEXT)) == naive_utc(
        instance.model_dump(context=BSON_CONTEXT)
    )


def test_decimal_context_matches_bson() -> None:
    # sanity check for the strategy above: its extremes are representable
    for value in (Decimal("9" * 34 + "E6111"), Decimal("1E-6176")):
        assert bson.decimal128.Decimal128(value).to_decimal() == value
    with pytest.raises(decimal.Inexact):
        bson.decimal128.Decimal128(Decimal("1" * 35))
