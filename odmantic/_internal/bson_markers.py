"""The `Annotated` markers that give standard Python types their BSON form: naive-UTC
millisecond datetimes, Decimal as Decimal128, patterns as BSON regexes, UUID, date and
timedelta codecs, and collections stored as arrays. `annotations.substitute_bson_types` puts
them on field annotations."""

from __future__ import annotations

import collections
import collections.abc
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any

import bson
import bson.binary
import bson.decimal128
import bson.regex
from pydantic import GetCoreSchemaHandler, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError, core_schema

from odmantic.bson import is_bson_context, with_serializer

# --------------------------------------------------------------------------- datetime


def _normalize_datetime(value: datetime) -> datetime:
    """A datetime as MongoDB stores it: truncated to milliseconds, in UTC. An aware value stays
    aware (converted to UTC), as in ODMantic 1.1; a naive one stays naive, taken as UTC."""
    if value.tzinfo is not None and value.tzinfo is not timezone.utc:
        try:
            value = value.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("datetime out of range once converted to UTC") from None
    microsecond = value.microsecond
    if microsecond % 1000:
        value = value.replace(microsecond=microsecond - microsecond % 1000)
    return value


class _BsonDatetime:
    """`Annotated` marker: naive-UTC, millisecond-precision datetimes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BsonDatetime"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_normalize_datetime, handler(source))


# --------------------------------------------------------------------------- Decimal


def _decimal_from_decimal128(value: Any) -> Any:
    if isinstance(value, bson.decimal128.Decimal128):
        return value.to_decimal()
    return value


def _validate_decimal(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    """A Decimal from a Decimal128 too; a value that is no decimal says so in ODMantic 1.1's
    words ("Invalid decimal string")."""
    try:
        return handler(_decimal_from_decimal128(value))
    except ValidationError as exc:
        if exc.errors()[0]["type"] not in ("decimal_parsing", "decimal_type"):
            raise
        raise PydanticCustomError(
            "decimal_parsing", "Invalid decimal string: input should be a valid decimal"
        ) from None


def _serialize_decimal(value: decimal.Decimal, info: core_schema.SerializationInfo[Any]) -> Any:
    if info.mode_is_json():
        return str(value)
    if is_bson_context(info.context):
        return bson.decimal128.Decimal128(value)
    return value


class _BsonDecimal:
    """`Annotated` marker: Decimal validated from Decimal128, dumped as Decimal128 for BSON."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BsonDecimal"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_wrap_validator_function(
            _validate_decimal,
            handler(source),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _serialize_decimal, info_arg=True, when_used="unless-none"
            ),
        )


# --------------------------------------------------------------------------- re.Pattern


def _pattern_from_regex(value: Any) -> Any:
    if isinstance(value, bson.regex.Regex):
        return value.try_compile()
    return value


class _BsonPattern:
    """`Annotated` marker: a compiled pattern also validates from a `bson.Regex` (as read)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BsonPattern"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_pattern_from_regex, handler(source))


# --------------------------------------------------------------------------- codecs


@dataclass(frozen=True)
class _BsonCodec:
    """`Annotated` marker for a type PyMongo cannot store as it is: `to_bson` turns the
    dumped value into a BSON value under BSON_CONTEXT, `from_bson` reads it back."""

    name: str
    to_bson: Callable[[Any], Any]
    from_bson: Callable[[Any], Any] | None = None

    def __repr__(self) -> str:
        return f"Bson{self.name}"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        if self.from_bson is not None:
            schema = core_schema.no_info_before_validator_function(self.from_bson, schema)
        to_bson = self.to_bson

        def serialize(
            value: Any,
            nxt: core_schema.SerializerFunctionWrapHandler,
            info: core_schema.SerializationInfo[Any],
        ) -> Any:
            dumped = nxt(value)
            return to_bson(dumped) if is_bson_context(info.context) else dumped

        return with_serializer(schema, serialize)


def _uuid_from_binary(value: Any) -> Any:
    if isinstance(value, bson.binary.Binary) and value.subtype == bson.binary.UUID_SUBTYPE:
        return value.as_uuid()
    return value


def _uuid_to_binary(value: Any) -> Any:
    return bson.binary.Binary.from_uuid(value) if isinstance(value, uuid.UUID) else value


def _date_from_datetime(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else value


def _date_to_datetime(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


# Below 2**52 microseconds (about 142 years), seconds in a double come back to the same
# microsecond: the division's rounding error stays under half a microsecond.
_EXACT_MICROSECONDS = 2**52


def _timedelta_to_seconds(value: Any) -> Any:
    if not isinstance(value, timedelta):
        return value
    if abs(value // timedelta(microseconds=1)) >= _EXACT_MICROSECONDS:
        raise ValueError(
            f"timedelta {value} is too large to store exactly (stored as seconds in a double: "
            "below about 142 years)"
        )
    return value.total_seconds()


class _BsonArray:
    """`Annotated` marker: a set (or deque) of `item` values, stored as an array."""

    __slots__ = ("item", "_adapter")

    def __init__(self, item: Any) -> None:
        self.item = item
        self._adapter: TypeAdapter[list[Any]] | None = None

    def __repr__(self) -> str:
        return f"BsonArray[{self.item!r}]"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)

        def serialize(
            value: Any,
            nxt: core_schema.SerializerFunctionWrapHandler,
            info: core_schema.SerializationInfo[Any],
        ) -> Any:
            if not is_bson_context(info.context):
                return nxt(value)
            if self._adapter is None:
                self._adapter = TypeAdapter(list[self.item])  # type: ignore[name-defined]
            return self._adapter.dump_python(list(value), context=info.context)

        return with_serializer(schema, serialize)


_UUID = _BsonCodec("UUID", _uuid_to_binary, _uuid_from_binary)
_DATE = _BsonCodec("Date", _date_to_datetime, _date_from_datetime)
_TIMEDELTA = _BsonCodec("Timedelta", _timedelta_to_seconds)
_ARRAY_ORIGINS: frozenset[Any] = frozenset(
    {set, frozenset, collections.deque, collections.abc.Set, collections.abc.MutableSet}
)

_BSON_DATETIME = _BsonDatetime()
_BSON_DECIMAL = _BsonDecimal()
_BSON_PATTERN = _BsonPattern()
_DATETIME_ANNOTATION: Any = Annotated[datetime, _BSON_DATETIME]
_DECIMAL_ANNOTATION: Any = Annotated[decimal.Decimal, _BSON_DECIMAL]
