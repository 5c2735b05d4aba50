"""BSON types as pydantic v2 types, and how the values of model fields are stored in MongoDB.

How a field's Python type is stored (by PyMongo, as BSON) and dumped to JSON:

| Python (model field type) | BSON (what PyMongo stores) | JSON (`model_dump(mode="json")`) |
|---|---|---|
| `ObjectId` | objectId | 24-character lowercase hex `str` |
| `Int64` / `Long` | int64 ("long") | `int` |
| `int` | int32, or int64 if too large | `int` |
| `float` | double | `float` |
| `Decimal128` | decimal128 | `str` (e.g. `"1.50"`) |
| `decimal.Decimal` | decimal128 | `str` (pydantic's default) |
| `Binary` | binData (any subtype) | its UTF-8 text, a `str` |
| `bytes` | binData subtype 0 | pydantic's default |
| `Regex` | regex | the pattern, a `str` (flags dropped) |
| `datetime.datetime` | UTC datetime (millisecond precision) | ISO 8601 `str` (naive, UTC) |
| `str` / `bool` / `None` | string / bool / null | unchanged |
| `list` / `tuple` / `set` | array | array |
| `dict` / embedded models | embedded document | object |

`ObjectId`, `Int64`, `Decimal128`, `Binary` and `Regex` are subclasses of the
`bson` classes that only add pydantic support.  Validation returns instances of the
*bson* classes (values decoded by PyMongo are kept as they are, without a copy); the
subclasses also answer `isinstance()` for those bson instances, so
`isinstance(bson.ObjectId(), odmantic.bson.ObjectId)` is true.

Plain Python types that need a BSON-specific treatment are handled in model fields without
anything to declare: a `decimal.Decimal` field is stored as decimal128 and read back as a
`Decimal`, a `datetime` field is stored in UTC to the millisecond, and a `WithBsonSerializer`
field (a subclass, or `Annotated[T, WithBsonSerializer(f)]`) is stored as its serializer
returns.

Dumping a model for MongoDB is `model.model_dump(mode="python", context=BSON_CONTEXT)`; a
plain `model_dump()` keeps the Python types (`Decimal` stays `Decimal`).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import bson
import bson.binary
import bson.decimal128
import bson.int64
import bson.regex
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "BSON_CONTEXT",
    "Binary",
    "Decimal128",
    "Int64",
    "Long",
    "ObjectId",
    "Regex",
    "WithBsonSerializer",
    "BsonSerializer",
    "BaseBSONModel",
    "BSON_TYPES_ENCODERS",
]

_BSON_CONTEXT_KEY = "odmantic.bson"

BSON_CONTEXT: dict[str, Any] = {_BSON_CONTEXT_KEY: True}
"""Serialization context marking a dump meant for MongoDB.

Pass it as `model.model_dump(mode="python", context=BSON_CONTEXT)`.  Serializers that only
apply to BSON documents (`Decimal` -> `Decimal128`, `WithBsonSerializer`) check
`info.context`: either this very object, or any dict holding `"odmantic.bson": True`
(so a caller can merge it with its own context keys).  Do not mutate it.
"""


def is_bson_context(context: Any) -> bool:
    """Tell whether a serialization context (`info.context`) asks for BSON values."""
    if context is BSON_CONTEXT:
        return True
    return isinstance(context, dict) and context.get(_BSON_CONTEXT_KEY) is True


class _BsonTypeMeta(type):
    """Metaclass making `isinstance(bson_value, OurSubclass)` look at the bson base class.

    Validation returns the bson instances unchanged (no copy), so without this
    `isinstance(bson.ObjectId(), odmantic.bson.ObjectId)` would be false.
    """

    _bson_class: type

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._bson_class)


def _invalid(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)  # pyright: ignore[reportArgumentType]


def _fast_path_schema(
    bson_class: type,
    convert: core_schema.CoreSchema,
    *,
    error: str,
    message: str,
    serialization: core_schema.SerSchema,
    json_schema: core_schema.CoreSchema | None = None,
) -> core_schema.CoreSchema:
    """Instances of `bson_class` (as PyMongo decodes them) pass in Rust; others go to `convert`.

    Instances also pass in JSON mode: defaults (a generated `id`) are validated in that mode too.
    """

    def either(other: core_schema.CoreSchema) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [core_schema.is_instance_schema(bson_class), other],
            mode="left_to_right",
            custom_error_type=error,
            custom_error_message=message,
        )

    return core_schema.json_or_python_schema(
        json_schema=either(convert if json_schema is None else json_schema),
        python_schema=either(convert),
        serialization=serialization,
    )


# --------------------------------------------------------------------------- ObjectId

_OBJECT_ID_ERROR = "object_id"
_OBJECT_ID_MESSAGE = "Invalid ObjectId: expected an ObjectId, a 24-character hex string or 12 bytes"
_OBJECT_ID_RE = re.compile(r"[0-9a-fA-F]{24}")


def _object_id_from_str_or_bytes(value: Any) -> bson.ObjectId:
    if isinstance(value, str):
        if _OBJECT_ID_RE.fullmatch(value) is not None:
            return bson.ObjectId(value)
    elif isinstance(value, bytes) and len(value) == 12:
        return bson.ObjectId(value)
    raise _invalid(_OBJECT_ID_ERROR, _OBJECT_ID_MESSAGE)


class ObjectId(bson.ObjectId, metaclass=_BsonTypeMeta):
    """A MongoDB ObjectId usable as a pydantic field type.

    Validation accepts a `bson.ObjectId` (returned as is, no copy), a 24-character
    hexadecimal `str` or 12 `bytes`; anything else fails with an `object_id` error.
    The value stays an ObjectId in python mode and is dumped as a lowercase hex `str` in
    JSON mode.  Its JSON schema is a string with `format: objectid`.

    Example:
        ```python

        class Book(Model):
            author_id: ObjectId
        ```
    """

    _bson_class: ClassVar[type] = bson.ObjectId

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Rust fast path for bson.ObjectId instances, Python fallback for str/bytes."""
        from_other = core_schema.no_info_plain_validator_function(_object_id_from_str_or_bytes)
        return _fast_path_schema(
            bson.ObjectId,
            from_other,
            error=_OBJECT_ID_ERROR,
            message=_OBJECT_ID_MESSAGE,
            serialization=core_schema.to_string_ser_schema(when_used="json-unless-none"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The same string schema in validation and serialization modes."""
        return {
            "type": "string",
            "format": "objectid",
            "pattern": "^[0-9a-f]{24}$",
            "examples": ["5f85f36d6dfecacc68428a46"],
        }


# --------------------------------------------------------------------------- Int64

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INT64_ERROR = "int64"
_INT64_MESSAGE = f"Invalid Int64: expected an integer between {_INT64_MIN} and {_INT64_MAX}"


def _to_int64(value: int) -> bson.int64.Int64:
    return bson.int64.Int64(value)


class Int64(bson.int64.Int64, metaclass=_BsonTypeMeta):
    """A 64-bit integer stored as BSON int64 ("long"), usable as a pydantic field type.

    Validation keeps `bson.int64.Int64` instances as they are (PyMongo decodes every
    BSON int64 to one) and converts other integers (as pydantic's `int` accepts them) to
    `Int64`, so that small values are still stored as int64 rather than int32.  Values out
    of the signed 64-bit range are rejected.  JSON: a plain `int`.
    """

    _bson_class: ClassVar[type] = bson.int64.Int64

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Rust fast path for Int64 instances, int validation plus conversion otherwise."""
        from_int = core_schema.no_info_after_validator_function(
            _to_int64, core_schema.int_schema(ge=_INT64_MIN, le=_INT64_MAX)
        )
        return _fast_path_schema(
            bson.int64.Int64,
            from_int,
            error=_INT64_ERROR,
            message=_INT64_MESSAGE,
            serialization=core_schema.simple_ser_schema("int"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """An integer with OpenAPI format `int64`."""
        return {"type": "integer", "format": "int64"}


Long = Int64
"""Alias of `Int64` (BSON calls the int64 type "long")."""


# --------------------------------------------------------------------------- Decimal128

_DECIMAL128_ERROR = "decimal128"
_DECIMAL128_MESSAGE = (
    "Invalid Decimal128 value: expected a Decimal128, a Decimal, an int, a float or a decimal "
    "string representable in 34 digits"
)


def _to_decimal128(value: Any) -> bson.decimal128.Decimal128:
    if isinstance(value, bool):
        raise _invalid(_DECIMAL128_ERROR, _DECIMAL128_MESSAGE)
    if isinstance(value, float):
        value = repr(value)
    elif isinstance(value, int):
        value = decimal.Decimal(value)
    elif not isinstance(value, (str, decimal.Decimal)):
        raise _invalid(_DECIMAL128_ERROR, _DECIMAL128_MESSAGE)
    try:
        return bson.decimal128.Decimal128(value)
    except (decimal.DecimalException, ValueError, TypeError):
        raise _invalid(_DECIMAL128_ERROR, _DECIMAL128_MESSAGE) from None


class Decimal128(bson.decimal128.Decimal128, metaclass=_BsonTypeMeta):
    """A BSON decimal128 value, usable as a pydantic field type.

    Validation keeps `bson.decimal128.Decimal128` instances as they are and converts a
    `Decimal`, an `int`, a decimal `str` or a `float` (through its shortest `repr`,
    so `0.1` gives `Decimal128("0.1")`); values needing more than 34 significant digits
    or out of the decimal128 exponent range are rejected.  JSON: a `str` such as
    `"1.50"`.  To work with `decimal.Decimal` in Python instead, annotate the field
    with `Decimal`: it is stored as decimal128 too.
    """

    _bson_class: ClassVar[type] = bson.decimal128.Decimal128

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Rust fast path for Decimal128 instances, Python conversion otherwise."""
        convert = core_schema.no_info_plain_validator_function(_to_decimal128)
        return _fast_path_schema(
            bson.decimal128.Decimal128,
            convert,
            error=_DECIMAL128_ERROR,
            message=_DECIMAL128_MESSAGE,
            serialization=core_schema.to_string_ser_schema(when_used="json-unless-none"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A number or a decimal string as input, a decimal string as output."""
        string: JsonSchemaValue = {"type": "string", "format": "decimal"}
        if handler.mode == "serialization":
            return string
        return {"anyOf": [{"type": "number"}, string]}


# --------------------------------------------------------------------------- Binary

_BINARY_ERROR = "binary"
_BINARY_MESSAGE = "Invalid Binary: expected a Binary, bytes or a bytearray"
_BINARY_JSON_MESSAGE = "Invalid Binary: expected a string (its UTF-8 bytes are the data)"


def _binary_from_bytes(value: Any) -> bson.binary.Binary:
    if isinstance(value, (bytes, bytearray)):
        binary: bson.binary.Binary = bson.binary.Binary(bytes(value))
        return binary
    raise _invalid(_BINARY_ERROR, _BINARY_MESSAGE)


def _binary_from_text(value: str) -> bson.binary.Binary:
    try:
        binary: bson.binary.Binary = bson.binary.Binary(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise _invalid(_BINARY_ERROR, _BINARY_JSON_MESSAGE) from None
    return binary


def _binary_to_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(
            "Binary data that is not UTF-8 text has no JSON form (JSON holds a Binary as its "
            "UTF-8 text, as ODMantic 1.1 does); store text in a str field, or dump it with "
            "base64 in a field serializer"
        ) from None


class Binary(bson.binary.Binary, metaclass=_BsonTypeMeta):
    """BSON binary data, usable as a pydantic field type.

    In python mode, validation keeps `bson.binary.Binary` instances as they are (with
    their subtype) and wraps `bytes`/`bytearray` into a subtype-0 `Binary` (PyMongo
    decodes subtype-0 binary data to plain `bytes`).  `str` is not accepted in python mode.

    JSON (as in ODMantic 1.1): the data as UTF-8 text (data that is not UTF-8 cannot be dumped
    to JSON); the subtype is not part of the JSON form, and JSON input (a string) gives a
    subtype-0 `Binary` of its UTF-8 bytes.
    """

    _bson_class: ClassVar[type] = bson.binary.Binary

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Rust fast path for Binary instances, bytes wrapping or UTF-8 encoding otherwise."""
        return _fast_path_schema(
            bson.binary.Binary,
            core_schema.no_info_plain_validator_function(_binary_from_bytes),
            error=_BINARY_ERROR,
            message=_BINARY_MESSAGE,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _binary_to_text, when_used="json-unless-none"
            ),
            json_schema=core_schema.no_info_after_validator_function(
                _binary_from_text, core_schema.str_schema(strict=True)
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A string of binary format, as in ODMantic 1.1."""
        return {"type": "string", "format": "binary"}


# --------------------------------------------------------------------------- Regex

_REGEX_ERROR = "regex"
_REGEX_MESSAGE = (
    "Invalid Pattern value: expected a bson Regex, a compiled re.Pattern or a str holding a "
    "valid regular expression"
)


def _regex_from_other(value: Any) -> bson.regex.Regex[Any]:
    if isinstance(value, str):
        try:  # as ODMantic 1.1: compiled (a pattern that does not compile is refused)
            return bson.regex.Regex.from_native(re.compile(value))
        except re.error as exc:
            raise _invalid(_REGEX_ERROR, f"{_REGEX_MESSAGE} ({exc})") from None
    if isinstance(value, re.Pattern):
        return bson.regex.Regex.from_native(value)
    raise _invalid(_REGEX_ERROR, _REGEX_MESSAGE)


def _regex_pattern(value: Any) -> Any:
    pattern = value.pattern if isinstance(value, (bson.regex.Regex, re.Pattern)) else value
    return pattern.decode() if isinstance(pattern, bytes) else pattern


class Regex(bson.regex.Regex[Any], metaclass=_BsonTypeMeta):
    """A BSON regular expression, usable as a pydantic field type.

    Validation keeps `bson.regex.Regex` instances (what PyMongo decodes) as they are,
    converts a compiled `re.Pattern` with `bson.regex.Regex.from_native` (flags kept)
    and a `str` pattern to a flag-less `Regex`.  The pattern is not compiled: MongoDB
    uses PCRE syntax.  JSON: the pattern string only (flags are not part of the JSON form).
    """

    _bson_class: ClassVar[type] = bson.regex.Regex

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Rust fast path for bson Regex instances, Python conversion otherwise."""
        convert = core_schema.no_info_plain_validator_function(_regex_from_other)
        return _fast_path_schema(
            bson.regex.Regex,
            convert,
            error=_REGEX_ERROR,
            message=_REGEX_MESSAGE,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _regex_pattern, when_used="json-unless-none"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A regular expression string."""
        return {"type": "string", "format": "regex"}


# --------------------------------------------------------------------------- user types


@dataclass(frozen=True)
class BsonSerializer:
    """`Annotated` marker applying `to_bson` to the value when dumped for MongoDB.

    Built by `WithBsonSerializer(function)` (ODMantic 1.1's form); other dumps
    (`model_dump()`, JSON) are not affected.
    """

    to_bson: Callable[[Any], Any]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """The field's own schema, with a serializer that applies `to_bson` for MongoDB."""
        schema = handler(source)
        to_bson = self.to_bson

        def serialize(
            value: Any,
            nxt: core_schema.SerializerFunctionWrapHandler,
            info: core_schema.SerializationInfo[Any],
        ) -> Any:
            if is_bson_context(info.context):
                return to_bson(value)
            return nxt(value)

        return with_serializer(schema, serialize)


def with_serializer(
    schema: core_schema.CoreSchema, serialize: core_schema.WrapSerializerFunction
) -> core_schema.CoreSchema:
    """`schema` dumped through `serialize(value, nxt, info)`; `nxt` is the schema's own dump."""
    previous = cast("core_schema.SerSchema | None", schema.get("serialization"))
    inner = None if previous is None else core_schema.any_schema(serialization=previous)
    wrapped = core_schema.wrap_serializer_function_ser_schema(
        serialize, info_arg=True, schema=inner
    )
    return cast(core_schema.CoreSchema, {**schema, "serialization": wrapped})


class WithBsonSerializer:
    """A specific BSON representation for a field: `Annotated[T, WithBsonSerializer(f)]`, or
    a base class for user types.

    `Annotated[float, WithBsonSerializer(str)]` (ODMantic 1.1's form) stores `str(value)`
    in MongoDB; validation and the other dumps are those of `float`.

    Subclasses define the classmethod `__bson__(cls, value) -> Any`; when a model is dumped
    for MongoDB (under `BSON_CONTEXT`), the field value is passed through it.  Other
    dumps (`model_dump()`, JSON) are not affected.  Validation is defined as usual with
    pydantic's `__get_pydantic_core_schema__`.  The class has no state (empty
    `__slots__`), so it mixes in with builtin bases.

    Example:
        ```python

        class AsciiStr(str, WithBsonSerializer):
            @classmethod
            def __get_pydantic_core_schema__(cls, source, handler):
                return core_schema.no_info_after_validator_function(
                    cls.validate, core_schema.str_schema()
                )

            @classmethod
            def validate(cls, value: str) -> "AsciiStr":
                if not value.isascii():
                    raise ValueError("only ASCII characters are allowed")
                return cls(value)

            @classmethod
            def __bson__(cls, value: Any) -> Any:
                return value.encode("ascii")  # stored as BSON binary data
        ```
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is WithBsonSerializer:
            if len(args) != 1 or kwargs or not callable(args[0]):
                raise TypeError(
                    "WithBsonSerializer() takes the function giving the BSON value: "
                    "Annotated[float, WithBsonSerializer(str)]"
                )
            return BsonSerializer(args[0])
        return super().__new__(cls)

    @classmethod
    def __bson__(cls, value: Any) -> Any:
        """Return the BSON representation of `value` (to be defined by subclasses).

        Example:
            ```python
            class Celsius(float, WithBsonSerializer):
                @classmethod
                def __bson__(cls, value: Any) -> Any:
                    return f"{value:.1f}C"  # stored as "21.5C"
            ```
        """
        raise NotImplementedError(f"{cls.__qualname__} must define the __bson__ classmethod")


def _decimal128_to_decimal(value: bson.decimal128.Decimal128) -> decimal.Decimal:
    return value.to_decimal()


def _regex_to_pattern(value: bson.regex.Regex[Any]) -> Any:
    return value.pattern


BSON_TYPES_ENCODERS: dict[type, Callable[[Any], Any]] = {
    bson.ObjectId: str,
    bson.decimal128.Decimal128: _decimal128_to_decimal,
    bson.regex.Regex: _regex_to_pattern,
}
"""JSON encoders of the BSON types for pydantic's `json_encoders` (ODMantic 1.1's name)."""


class BaseBSONModel(BaseModel):
    """A plain pydantic model (not stored) whose fields can hold BSON types (ODMantic 1.1's name).

    The odmantic.bson types already validate and dump to JSON by themselves; this base also
    sets `BSON_TYPES_ENCODERS` as `json_encoders`, as ODMantic 1.1 did.

    Example:
        ```python
        class PlayerOut(BaseBSONModel):
            id: ObjectId
            name: str
        ```
    """

    model_config = ConfigDict(json_encoders=BSON_TYPES_ENCODERS)
