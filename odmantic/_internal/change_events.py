"""Change streams without I/O: the pipeline and options `engine.watch` sends, and how a driver
change event is read into a model's terms (key names mapped back, values parsed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any, Literal, get_args

from odmantic._internal.joins import refuse_across_references
from odmantic._internal.polymorphism import class_of, family_filter
from odmantic._internal.read_plan import loader
from odmantic.exceptions import DocumentParsingError
from odmantic.query import Queries, build_filter

if TYPE_CHECKING:
    from odmantic._internal.read_plan import Parser
    from odmantic._internal.schema import ModelSchema

OperationType = Literal[
    "insert",
    "update",
    "replace",
    "delete",
    "drop",
    "rename",
    "dropDatabase",
    "invalidate",
]
"""The operation of a change: on a document (`insert`, `update`, `replace`, `delete`) or on the
stream's collection (`drop`, `rename`, `dropDatabase`, then `invalidate`, which ends the stream)."""

FullDocument = Literal["default", "updateLookup", "whenAvailable", "required"]
"""What an `update` event carries as `fullDocument`: nothing (`default`), the document as it is
when the event is read (`updateLookup`), or its post-image (`whenAvailable`, `required`: needs
pre- and post-images enabled on the collection)."""

FullDocumentBeforeChange = Literal["off", "whenAvailable", "required"]
"""Whether events carry the document as it was before the change (its pre-image)."""

OPERATIONS: frozenset[str] = frozenset(get_args(OperationType))
DOCUMENT_OPERATIONS = ("insert", "update", "replace", "delete")
_LOGICAL = ("$and", "$or", "$nor")


@dataclass(frozen=True)
class WatchRequest:
    """What `collection.watch` is given for `model`: the pipeline and the driver's keyword
    arguments."""

    model: type[Any]
    pipeline: list[dict[str, Any]]
    options: dict[str, Any]

    def resumed(self, token: Mapping[str, Any]) -> WatchRequest:
        """The same stream opened again after the event of `token` (nothing lost nor sent
        twice)."""
        options = {
            k: v
            for k, v in self.options.items()
            if k not in ("resume_after", "start_after", "start_at_operation_time")
        }
        return WatchRequest(self.model, self.pipeline, {**options, "resume_after": token})


def watch_request(
    model: type[Any],
    queries: Sequence[Queries],
    operations: Iterable[str] | None,
    full_document: str | None,
    full_document_before_change: str | None,
    options: dict[str, Any],
) -> WatchRequest:
    """The pipeline of `engine.watch(model, *queries, operations=...)`: the queries apply to the
    full document, a polymorphic subclass keeps to its own documents.

    Raises:
        ValueError: an operation that is no change stream operation.
        TypeError: a query through a reference, or one that cannot apply to the full document.
    """
    filter_ = build_filter(queries)
    refuse_across_references(model, filter_, "watch")
    conditions: list[dict[str, Any]] = []
    _check_choice(model, "full_document", full_document, FullDocument)
    _check_choice(
        model, "full_document_before_change", full_document_before_change, FullDocumentBeforeChange
    )
    if operations is not None:
        if isinstance(operations, str):
            raise TypeError(
                f"watch({model.__name__}): operations is a list of operation types "
                f"(operations=[{operations!r}]), got {operations!r}"
            )
        wanted = list(dict.fromkeys(operations))
        unknown = sorted(set(wanted) - OPERATIONS)
        if unknown:
            raise ValueError(
                f"watch({model.__name__}): operations are among {sorted(OPERATIONS)}, got {unknown}"
            )
        conditions.append({"operationType": {"$in": wanted}})
    if filter_:
        conditions.append(_on_full_document(model, filter_))
    family = family_filter(model)
    if family is not None:
        conditions.append(_of_family(family))
    pipeline = [{"$match": _all(conditions)}] if conditions else []
    arguments = {k: v for k, v in options.items() if v is not None}
    if full_document is not None:
        arguments["full_document"] = full_document
    if full_document_before_change is not None:
        arguments["full_document_before_change"] = full_document_before_change
    return WatchRequest(model, pipeline, arguments)


def _check_choice(model: type[Any], name: str, value: str | None, choices: Any) -> None:
    if value is not None and value not in get_args(choices):
        raise ValueError(
            f"watch({model.__name__}): {name} is one of {list(get_args(choices))} or None, "
            f"got {value!r}"
        )


def _all(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _on_full_document(model: type[Any], filter_: dict[str, Any]) -> dict[str, Any]:
    """`filter_` applied to the events' `fullDocument` (its paths prefixed)."""
    moved: dict[str, Any] = {}
    for key, value in filter_.items():
        if key in _LOGICAL:
            moved[key] = [_on_full_document(model, item) for item in value]
        elif key.startswith("$"):
            raise TypeError(
                f"watch({model.__name__}): {key} cannot apply to a change event's document; "
                "use query expressions on fields"
            )
        else:
            moved[f"fullDocument.{key}"] = value
    return moved


def _of_family(family: dict[str, Any]) -> dict[str, Any]:
    """A subclass of a polymorphic collection: the changes of its own documents, told apart by
    the document after the change or, without one (a delete, an update read with
    `full_document="default"`), by the pre-image; a change that carries neither is kept (its
    class cannot be told)."""
    ((key, value),) = family.items()
    return {
        "$or": [
            {f"fullDocument.{key}": value},
            {"fullDocument": None, f"fullDocumentBeforeChange.{key}": value},
            {"fullDocument": None, "fullDocumentBeforeChange": None},
            {"operationType": {"$nin": list(DOCUMENT_OPERATIONS)}},
        ]
    }


class EventReader:
    """Reads the driver's change events of one model: documents, keys and field paths."""

    def __init__(self, model: type[Any]) -> None:
        self.model = model
        self.parser: Parser[Any] = loader(model)
        self._paths: dict[tuple[type[Any], str], tuple[str, Any]] = {}

    def document(self, raw: Mapping[str, Any] | None) -> Any:
        """`raw` as an instance (None stays None).

        Raises:
            DocumentParsingError: the document does not validate as the model.
        """
        return None if raw is None else self.parser.one(dict(raw))

    def key(self, raw_key: Mapping[str, Any] | None) -> Any:
        """The primary key of a `documentKey`, parsed by the primary field's type."""
        if raw_key is None or "_id" not in raw_key:
            return None
        primary = self.model.__odmantic_schema__.primary
        parse = getattr(getattr(self.model, primary.name), "__odmantic_parse_stored__", None)
        value = raw_key["_id"]
        try:
            return value if parse is None else parse(value)
        except TypeError:
            return value

    def stored_as(self, raw: Mapping[str, Any] | None) -> type[Any]:
        """The class of the document changed, by the discriminator of `raw` (the document
        after or before the change) in a polymorphic collection; the model otherwise."""
        if raw is None or self.model.__odmantic_schema__.discriminator is None:
            return self.model
        try:
            return class_of(self.model, dict(raw))
        except DocumentParsingError:  # an unknown class: its fields are the model's
            return self.model

    def path(self, key_path: str, model: type[Any] | None = None) -> tuple[str, Any]:
        """The field path of `key_path` as `model` (the watched one by default) names it, and
        the parser of its values (None where no field of the model is known there)."""
        model = self.model if model is None else model
        found = self._paths.get((model, key_path))
        if found is None:
            found = self._paths[model, key_path] = _resolve(model, key_path)
        return found

    def updated(
        self, fields: Mapping[str, Any], key: Any, model: type[Any] | None = None
    ) -> dict[str, Any]:
        """`updateDescription.updatedFields` in the names of `model` (the class of the
        document changed), values parsed.

        Raises:
            DocumentParsingError: a value does not validate as its field.
        """
        result: dict[str, Any] = {}
        for key_path, value in fields.items():
            name, parse = self.path(key_path, model)
            if parse is None:
                result[name] = value
                continue
            try:
                result[name] = parse(value)
            except TypeError as exc:
                error: Any = {
                    "type": "value_error",
                    "loc": tuple(name.split(".")),
                    "input": value,
                    "ctx": {"error": str(exc)},
                }
                raise DocumentParsingError([error], self.model, key) from exc
        return result


def _resolve(model: type[Any], key_path: str) -> tuple[str, Any]:
    names: list[str] = []
    schema: ModelSchema | None = model.__odmantic_schema__
    parts = key_path.split(".")
    for index, part in enumerate(parts):
        if part.isdigit() and names:  # an item of a list: the list field's items
            names.append(part)
            continue
        field = None if schema is None else _by_key(schema, part)
        if field is None:
            return ".".join([*names, *parts[index:]]), None
        names.append(field.name)
        schema = field.target if field.kind == "embedded" else None
    try:
        proxy = reduce(getattr, [n for n in names if not n.isdigit()], model)
    except AttributeError:  # a path through a list of embedded models: values left as stored
        return ".".join(names), None
    return ".".join(names), getattr(proxy, "__odmantic_parse_stored__", None)


def _by_key(schema: ModelSchema, key: str) -> Any:
    return next((f for f in schema.fields.values() if f.key_name == key), None)


__all__ = [
    "OperationType",
    "FullDocument",
    "FullDocumentBeforeChange",
    "OPERATIONS",
    "WatchRequest",
    "watch_request",
    "EventReader",
]
