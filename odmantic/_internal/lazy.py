"""`Lazy[Model]`: a reference that is never joined (public as `odmantic.Lazy`)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, get_args, overload

from pydantic import BaseModel, GetCoreSchemaHandler, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError, core_schema

# Bound to pydantic's class: `odmantic.model` imports this module (a `Model` in practice).
ReferencedT = TypeVar("ReferencedT", bound=BaseModel)


class Lazy(Generic[ReferencedT]):
    """A reference that is never joined: it holds the referenced document's primary key.

    Declare the field `author: Lazy[Author] = Reference()` (or `list[Lazy[Author]]`). Build
    one from an instance (`Lazy(author)`, which saving the owner also saves) or from a primary
    key (`Lazy(author_id)`); a field of that type also accepts the instance or the key
    themselves. `await engine.fetch(book.author)` reads the referenced document.

    Attributes:
        id: the referenced document's primary key.
        model: the referenced model, once known (set when the field validates the value).
        instance: the instance it was built from, if any (saved with the owner).

    Example:
        ```python
        book = Book(title="Dune", author=Lazy(frank))
        await engine.save(book)  # saves frank first
        author = await engine.fetch(book.author)
        ```
    """

    __slots__ = ("id", "model", "instance")

    id: Any
    model: type[ReferencedT] | None
    instance: ReferencedT | None

    @overload
    def __init__(self, value: ReferencedT) -> None: ...

    @overload
    def __init__(self, value: Any, model: type[ReferencedT]) -> None: ...

    @overload
    def __init__(self: Lazy[Any], value: Any) -> None: ...

    def __init__(self, value: Any, model: type[ReferencedT] | None = None) -> None:
        if isinstance(value, Lazy):
            self.id, self.model, self.instance = value.id, model or value.model, value.instance
        elif callable(primary_key := getattr(value, "__odmantic_primary_key__", None)):
            self.id, self.model, self.instance = primary_key(), type(value), value
        else:
            self.id, self.model, self.instance = value, model, None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lazy):
            return bool(self.id == other.id) and (
                self.model is None or other.model is None or self.model is other.model
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        name = self.model.__name__ if self.model is not None else "?"
        return f"Lazy({name}, id={self.id!r})"

    def __odmantic_bson_query_value__(self) -> Any:
        """What a query compares the reference with: the primary key."""
        return self.id

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate a `Lazy`, an instance of the model or its primary key; dump the key."""
        arguments = get_args(source)
        target: Any = arguments[0] if arguments else None
        known: Any = target  # None while unknown: `Lazy(key, None)` keeps it so
        key_schema = _key_schema(target, handler)
        validate_key = TypeAdapter(_key_annotation(target)).validate_python

        def validate(value: Any) -> Lazy[Any]:
            if isinstance(value, Lazy):
                if value.model is not None and target is not None and value.model is not target:
                    raise PydanticCustomError(
                        "odmantic::lazy_model",
                        "a Lazy reference to {given} where {expected} is expected",
                        {"given": value.model.__name__, "expected": target.__name__},
                    )
                return value if value.model is not None else Lazy(value.id, known)
            if target is not None and isinstance(value, target):
                return Lazy(value)
            try:
                return Lazy(validate_key(value), known)
            except ValidationError as exc:
                raise PydanticCustomError(
                    "odmantic::lazy_value",
                    "a {model} instance, a Lazy reference or a primary key is expected ({reason})",
                    {
                        "model": getattr(target, "__name__", "model"),
                        "reason": exc.errors(include_url=False)[0]["msg"],
                    },
                ) from None

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _dump_key, return_schema=key_schema
            ),
            json_schema_input_schema=key_schema,
        )


def _dump_key(value: Any) -> Any:
    return value.id if isinstance(value, Lazy) else value


def _key_annotation(target: Any) -> Any:
    """The type of `target`'s primary key (Any when unknown yet)."""
    schema = getattr(target, "__odmantic_schema__", None)
    primary = getattr(schema, "primary", None)
    if primary is None:
        return Any
    return target.__pydantic_fields__[primary.name].annotation


def _key_schema(target: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    annotation = _key_annotation(target)
    if annotation is Any:
        return core_schema.any_schema()
    return handler.generate_schema(annotation)


__all__ = ["Lazy", "ReferencedT"]
