"""Errors raised by odmantic: each names the model, the field and the document at fault."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from pydantic import ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails

from odmantic._internal.schema import ModelSchema


class StoredInstance(Protocol):
    """What the engine errors read of a Model instance: its schema and its primary key."""

    __odmantic_schema__: ClassVar[ModelSchema]

    def __odmantic_primary_value__(self) -> Any:
        """The value of the instance's primary key."""
        ...


def _describe(instance: StoredInstance) -> str:
    schema = type(instance).__odmantic_schema__
    return (
        f"{schema.name} instance with primary key {instance.__odmantic_primary_value__()!r} "
        f"in collection {schema.collection!r}"
    )


class ModelDefinitionError(TypeError, ValueError):
    """A model class is defined wrongly; the message names the model and the field.

    Both a TypeError (what ODMantic 1.1 raised) and a ValueError, so either `except` catches it.
    """


class BaseEngineException(Exception):
    """Base class of the errors raised by an engine about one instance of a model."""

    def __init__(self, message: str, model: type[Any]) -> None:
        self.model = model
        super().__init__(message)


class BaseEngineInstanceException(BaseEngineException):
    """An engine error about one instance: carries the instance."""

    def __init__(self, message: str, instance: StoredInstance) -> None:
        self.instance = instance
        super().__init__(message, type(instance))


class DocumentNotFoundError(BaseEngineInstanceException):
    """The instance was expected in the database (to delete it) but no document has its key;
    or a `Lazy` reference was fetched whose document is gone (`instance` is then None, `key`
    the reference's key).

    Attributes:
        key: the primary key that found no document.
    """

    def __init__(self, instance: StoredInstance) -> None:
        super().__init__(f"Document not found for {_describe(instance)}", instance)
        self.key = instance.__odmantic_primary_value__()

    @classmethod
    def for_key(cls, model: type[Any], key: Any) -> DocumentNotFoundError:
        """The error of a fetched reference whose document is gone.

        Example:
            ```python
            raise DocumentNotFoundError.for_key(Author, book.author.id)
            ```
        """
        schema = getattr(model, "__odmantic_schema__", None)
        where = f" in collection {schema.collection!r}" if schema is not None else ""
        error = cls.__new__(cls)
        error.instance, error.key = None, key  # type: ignore[assignment]
        message = f"Document not found for {model.__name__} with primary key {key!r}{where}"
        BaseEngineException.__init__(error, message, model)
        return error


class RevisionConflictError(BaseEngineInstanceException):
    """Another writer changed the document since the instance was loaded (its revision field,
    `Field(revision=True)`, moved on): nothing of the instance was written. The instance keeps
    its changes: load the document again, apply them, and save.

    For `save_all`, `failures` lists every conflicting instance (the first one is `instance`);
    the others were written.

    Attributes:
        key: the primary key of the document.
        expected: the revision the instance was loaded with.
        stored: the revision stored now (None: the document was deleted).
        failures: each conflicting instance, with its expected and stored revisions.
    """

    def __init__(self, failures: list[tuple[StoredInstance, int | None, int | None]]) -> None:
        instance, expected, stored = failures[0]
        self.key = instance.__odmantic_primary_value__()
        self.expected = expected
        self.stored = stored
        self.failures = failures
        now = "was deleted" if stored is None else f"is at revision {stored}"
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(
            f"{_describe(instance)} was changed by another writer: loaded at revision "
            f"{expected}, the stored document {now}; nothing of it was written{more}",
            instance,
        )


class ShardKeyChangedError(BaseEngineException, ValueError):
    """A stored instance of a sharded model was saved with a shard key field changed: nothing
    was written. A document's shard key places it on its shard; to move it, delete the
    instance and insert a copy with the new value (see the sharding guide).

    Attributes:
        field: the name of the shard key field changed.
        key: the primary key of the document.
        stored: the value stored.
        value: the instance's new value.
    """

    def __init__(self, model: type[Any], field: str, key: Any, stored: Any, value: Any) -> None:
        self.field = field
        self.key = key
        self.stored = stored
        self.value = value
        super().__init__(
            f"{model.__name__}.{field} is part of the shard key of collection "
            f"{model.__odmantic_schema__.collection!r}: the instance with primary key {key!r} "
            f"changed it from {stored!r} to {value!r}; nothing was written (delete the "
            "instance and insert a copy with the new value to move it)",
            model,
        )


class DocumentRewriteError(BaseEngineException):
    """`odmantic.migration.rewrite` sent a batch the server refused in part (a validator, a
    unique index): the other documents of the batch, and the batches before, were written.

    Attributes:
        refused: each refused document's `_id` and the server's reason.
    """

    def __init__(self, model: type[Any], refused: list[tuple[Any, str]]) -> None:
        self.refused = refused
        shown = "; ".join(f"_id {key!r}: {reason}" for key, reason in refused[:5])
        more = f" (and {len(refused) - 5} more)" if len(refused) > 5 else ""
        super().__init__(
            f"rewrite({model.__name__}) of collection {model.__odmantic_schema__.collection!r}: "
            f"the server refused {len(refused)} document{'s' if len(refused) != 1 else ''}: "
            f"{shown}{more}",
            model,
        )


class ReferencedDocumentError(BaseEngineException):
    """A delete refused by a `Reference(on_delete="deny")`: documents still reference the
    document deleted; nothing was deleted.

    Attributes:
        model: the model of the document that was to be deleted.
        referencing_model: the model whose documents reference it.
        field: the referencing field's dotted name (`lines.product`).
        referencing_id: the primary key of one referencing document.
    """

    def __init__(
        self, model: type[Any], referencing_model: type[Any], field: str, referencing_id: Any
    ) -> None:
        self.referencing_model = referencing_model
        self.field = field
        self.referencing_id = referencing_id
        super().__init__(
            f"cannot delete the {model.__name__} document: {referencing_model.__name__}."
            f"{field} references it (on_delete='deny'), in the {referencing_model.__name__} "
            f"document with primary key {referencing_id!r}; nothing was deleted",
            model,
        )


class DuplicateKeyError(BaseEngineInstanceException):
    """Writing the instance clashed with a unique index (the primary key or a `unique` field).

    For `save_all`/`insert_all`, `failures` lists every instance refused (the first one is
    `instance`); the others were written.

    Attributes:
        driver_error: the PyMongo error.
        details: the server's error document for this write (with `keyValue`), if known.
        failures: every instance refused, with its error document.
    """

    def __init__(
        self,
        instance: StoredInstance,
        driver_error: Exception,
        *,
        details: dict[str, Any] | None = None,
        failures: list[tuple[Any, dict[str, Any]]] | None = None,
    ) -> None:
        self.driver_error = driver_error
        if details is None:
            raw = getattr(driver_error, "details", None)
            details = raw if isinstance(raw, dict) else {}
        self.details = details
        self.failures = failures if failures is not None else [(instance, details)]
        lines = [_clash(instance, details, driver_error)]
        lines += [f"  and {_clash(other, error, None)}" for other, error in self.failures[1:]]
        super().__init__("\n".join(lines), instance)


def _clash(instance: StoredInstance, details: dict[str, Any], error: Exception | None) -> str:
    key = details.get("keyValue")
    clash = f" on {key!r}" if key else ""
    reason = details.get("errmsg") or str(error)
    return f"Duplicate key error{clash} while saving {_describe(instance)}: {reason}"


class DocumentWriteError(BaseEngineInstanceException):
    """Documents could not be written as they are (too large, an int over 64 bits, a string that
    is not valid UTF-8, nesting too deep...); the driver's error is the `__cause__`.

    Attributes:
        failures: every instance that was not written, with the reason (naming the field).
    """

    def __init__(self, failures: list[tuple[Any, str]]) -> None:
        self.failures = failures
        lines = [f"cannot write {_describe(i)}: {reason}" for i, reason in failures]
        super().__init__("\n".join(lines), failures[0][0])


class WriteConflictError(BaseEngineInstanceException):
    """Another transaction wrote the instance's document first (MongoDB's `WriteConflict`).

    Retry the whole transaction: `engine.with_transaction(callback)` does it. The driver error
    is the `__cause__`, and its labels are answered by `has_error_label`.
    """

    def __init__(self, instance: StoredInstance, driver_error: Exception) -> None:
        self.driver_error = driver_error
        super().__init__(
            f"Write conflict while saving {_describe(instance)}: another transaction wrote it "
            "first; retry the transaction (engine.with_transaction retries it for you)",
            instance,
        )

    def has_error_label(self, label: str) -> bool:
        """Whether the driver error carries `label` (e.g. "TransientTransactionError").

        Example:
            ```python
            try:
                await transaction.commit()
            except WriteConflictError as error:
                retry = error.has_error_label("TransientTransactionError")
            ```
        """
        return has_error_label(self.driver_error, label)


def has_error_label(error: BaseException, label: str) -> bool:
    """Whether `error` (or the driver error it wraps) carries the error label `label`."""
    while error is not None:
        check = getattr(error, "has_error_label", None)
        if check is not None and not isinstance(error, WriteConflictError):
            return bool(check(label))
        cause = getattr(error, "driver_error", None) or error.__cause__
        if cause is None or cause is error:
            return False
        error = cause
    return False


class DocumentParsingError(ValueError):
    """A document read from MongoDB does not validate as the model.

    Reads as ODMantic 1.1's: pydantic's text of `inner` ("1 validation error for Order", the
    location `items.[0].sku`, then "Key 'sku' not found in document [type=...,
    input_value=..., input_type=dict]"). As in 1.1, the keys a document lacks are reported
    first, and alone: a key missing has the type `odmantic::key_not_found_in_document`, a
    reference whose document is not found `odmantic::referenced_document_not_found`, a value
    that is not the list, dict or union of embedded models of its field
    `odmantic::incorrect_generic_embedded_model_value`; otherwise pydantic's own errors.

    Carries pydantic's `ValidationError` (`inner`, always set), its error details (`errors`),
    the `model` and the raw document's `_id` (`primary_value`).

    Args:
        errors: the errors, as pydantic's `InitErrorDetails` (ignored when `inner` is given).
        model: the model the document was parsed as.
        primary_value: the document's `_id`, if it has one.
        inner: the `ValidationError` already raised, if any.
    """

    def __init__(
        self,
        errors: list[InitErrorDetails],
        model: type[Any],
        primary_value: Any = None,
        *,
        inner: ValidationError | None = None,
    ) -> None:
        if inner is None:
            inner = ValidationError.from_exception_data(model.__name__, errors)
        self.inner = inner
        self.errors: list[ErrorDetails] = inner.errors(include_url=False)
        self.model = model
        self.primary_value = primary_value
        super().__init__(str(inner))

    def __repr__(self) -> str:
        return str(self)  # as ODMantic 1.1


__all__ = [
    "ModelDefinitionError",
    "BaseEngineException",
    "BaseEngineInstanceException",
    "DocumentNotFoundError",
    "DuplicateKeyError",
    "DocumentWriteError",
    "WriteConflictError",
    "DocumentParsingError",
    "ReferencedDocumentError",
    "RevisionConflictError",
    "ShardKeyChangedError",
    "DocumentRewriteError",
]
