"""Errors raised by odmantic: each names the model, the field and the document at fault."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

if TYPE_CHECKING:
    from odmantic.model import Model


class ModelDefinitionError(TypeError, ValueError):
    """A model class is defined wrongly; the message names the model and the field.

    Both a TypeError (what ODMantic 1.1 raised) and a ValueError, so either `except` catches it.
    """


class BaseEngineException(Exception):
    """Base class of the errors raised by an engine about one instance of a model."""

    def __init__(self, message: str, model: type[Model]) -> None:
        self.model: type[Model] = model
        super().__init__(message)


class BaseEngineInstanceException(BaseEngineException):
    """An engine error about one instance: carries the instance."""

    def __init__(self, message: str, instance: Model) -> None:
        self.instance: Model = instance
        super().__init__(message, type(instance))


class DocumentNotFoundError(BaseEngineInstanceException):
    """The instance was expected in the database (to delete it) but no document has its key."""

    def __init__(self, instance: Model) -> None:
        model = type(instance)
        super().__init__(
            f"Document not found for {model.__name__} instance with primary key "
            f"{instance.__primary_value__()!r} in collection {model.__collection__!r}",
            instance,
        )


class DuplicateKeyError(BaseEngineInstanceException):
    """Saving the instance clashed with a unique index (the primary key or a `unique` field).

    Attributes:
        driver_error: the PyMongo error.
        details: the server's error document for this write (with `keyValue`), if known.
    """

    def __init__(
        self,
        instance: Model,
        driver_error: Exception,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.driver_error = driver_error
        if details is None:
            raw = getattr(driver_error, "details", None)
            details = raw if isinstance(raw, dict) else {}
        self.details = details
        model = type(instance)
        key = details.get("keyValue")
        clash = f" on {key!r}" if key else ""
        reason = details.get("errmsg") or str(driver_error)
        super().__init__(
            f"Duplicate key error{clash} while saving {model.__name__} instance with primary key "
            f"{instance.__primary_value__()!r} in collection {model.__collection__!r}: {reason}",
            instance,
        )


class DocumentParsingError(ValueError):
    """A document read from MongoDB does not validate as the model.

    Carries the error details (`errors`), the `model`, the raw document's `_id`
    (`primary_value`) and pydantic's `ValidationError` (`inner`, None when the document was
    refused before validation, e.g. for a missing `_id`); the message names each failing field.
    """

    def __init__(
        self,
        errors: list[ErrorDetails],
        model: type[Any],
        primary_value: Any,
        *,
        inner: ValidationError | None = None,
    ) -> None:
        self.errors = errors
        self.model = model
        self.primary_value = primary_value
        self.inner = inner
        lines = [
            f"{len(errors)} error(s) while parsing a {model.__name__} document "
            f"(_id={primary_value!r}):"
        ]
        for err in errors:
            loc = ".".join(str(part) for part in err.get("loc", ())) or "<document>"
            lines.append(f"  {loc}: {err.get('msg', '')} [type={err.get('type', '')}]")
        super().__init__("\n".join(lines))


__all__ = [
    "ModelDefinitionError",
    "BaseEngineException",
    "BaseEngineInstanceException",
    "DocumentNotFoundError",
    "DuplicateKeyError",
    "DocumentParsingError",
]
