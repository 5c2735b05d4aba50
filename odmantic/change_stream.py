"""`ChangeEvent`: one change of a collection watched with `engine.watch`, in the model's terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic

from bson.timestamp import Timestamp

from odmantic._internal.change_events import (
    EventReader,
    FullDocument,
    FullDocumentBeforeChange,
    OperationType,
)
from odmantic.model import ModelT

_UNREAD: Any = object()


class ChangeEvent(Generic[ModelT]):
    """One change of the watched collection, read into the model: what `engine.watch` yields.

    The document and the pre-image are parsed when first read: a document that does not
    validate raises `DocumentParsingError` for this event only, and the stream goes on.

    Attributes:
        operation: `"insert"`, `"update"`, `"replace"`, `"delete"`, or a change of the
            collection itself (`"drop"`, `"rename"`, `"dropDatabase"`, `"invalidate"`).
        raw: the driver's event, as MongoDB sent it.

    Example:
        ```python
        async with engine.watch(Player, operations=["update"]) as stream:
            async for event in stream:
                print(event.operation, event.id, event.updated_fields)
        ```
    """

    __slots__ = ("raw", "operation", "_reader", "_document", "_before", "_updated")

    def __init__(self, raw: Mapping[str, Any], reader: EventReader) -> None:
        self.raw = raw
        self.operation: OperationType | str = raw.get("operationType", "")
        self._reader = reader
        self._document: Any = _UNREAD
        self._before: Any = _UNREAD
        self._updated: Any = _UNREAD

    @property
    def id(self) -> Any:
        """The primary key of the document changed (parsed by the primary field's type); None
        for a change of the collection itself."""
        return self._reader.key(self.raw.get("documentKey"))

    @property
    def document(self) -> ModelT | None:
        """The document after the change (an insert, a replace, an update when the stream
        asked for it with `full_document`), as an instance; None otherwise.

        Raises:
            DocumentParsingError: the document does not validate as the model.
        """
        if self._document is _UNREAD:
            self._document = self._reader.document(self.raw.get("fullDocument"))
        return self._document  # type: ignore[no-any-return]

    @property
    def before(self) -> ModelT | None:
        """The document before the change (its pre-image), when the stream asked for it with
        `full_document_before_change` and the collection records pre-images
        (`model_config["change_stream_pre_images"]`); None otherwise.

        Raises:
            DocumentParsingError: the pre-image does not validate as the model.
        """
        if self._before is _UNREAD:
            self._before = self._reader.document(self.raw.get("fullDocumentBeforeChange"))
        return self._before  # type: ignore[no-any-return]

    @property
    def updated_fields(self) -> dict[str, Any]:
        """For an update: the fields set, by their path as the model names them
        (`"address.city"`, `"tags.2"` for a list item), each value parsed by its field's
        type; keys that are no field of the model keep their key and stored value.

        Raises:
            DocumentParsingError: a value does not validate as its field.
        """
        if self._updated is _UNREAD:
            description = self.raw.get("updateDescription") or {}
            fields = description.get("updatedFields") or {}
            self._updated = self._reader.updated(fields, self.id, self._stored_as())
        return self._updated  # type: ignore[no-any-return]

    @property
    def removed_fields(self) -> list[str]:
        """For an update: the fields unset, by their path as the model names them."""
        description = self.raw.get("updateDescription") or {}
        model = self._stored_as()
        return [self._reader.path(p, model)[0] for p in description.get("removedFields") or ()]

    def _stored_as(self) -> type[Any]:
        """The class of the document changed (a subclass, in a polymorphic collection)."""
        raw = self.raw.get("fullDocument") or self.raw.get("fullDocumentBeforeChange")
        return self._reader.stored_as(raw)

    @property
    def resume_token(self) -> Mapping[str, Any]:
        """The token to resume a stream right after this event (`watch(resume_after=...)`)."""
        token: Mapping[str, Any] = self.raw["_id"]
        return token

    @property
    def cluster_time(self) -> Timestamp | None:
        """When the change happened, as the server's operation time."""
        return self.raw.get("clusterTime")

    def __repr__(self) -> str:
        model = self._reader.model.__name__
        return f"ChangeEvent[{model}]({self.operation!r}, id={self.id!r})"


__all__ = ["ChangeEvent", "OperationType", "FullDocument", "FullDocumentBeforeChange"]
