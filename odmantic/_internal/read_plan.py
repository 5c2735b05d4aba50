"""What a find, a projection or an aggregation asks MongoDB, and how results are parsed (no I/O)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, get_args

from pydantic import BaseModel, ValidationError

from odmantic._internal.arguments import check_model, check_window
from odmantic._internal.document import key_not_found, list_validator, validator
from odmantic._internal.joins import AcrossReferences, across_references, lookup_stages
from odmantic._internal.polymorphism import class_of, family_filter, has_subclasses, with_family
from odmantic._internal.references import DEFAULT_DEPTH, has_joins, has_references
from odmantic._internal.schema import ModelSchema, foreign_path, model_class_in, schema_of, walk
from odmantic.exceptions import DocumentParsingError
from odmantic.query import Queries, build_filter, build_sort

if TYPE_CHECKING:
    from odmantic.model import Model, ModelT

OutputT = TypeVar("OutputT")
Parse = Callable[[dict[str, Any]], OutputT]


@dataclass(frozen=True)
class Read:
    """One request: a `find` (with `projection`), or an aggregation `pipeline` when set."""

    filter: dict[str, Any]
    sort: list[tuple[str, int]] | None = None
    skip: int = 0
    limit: int | None = None
    projection: dict[str, Any] | None = None
    pipeline: list[dict[str, Any]] | None = None

    def find_arguments(self, whole: bool) -> dict[str, Any]:
        """The keyword arguments of the driver's `find` for this read; `whole`: all the results
        are wanted at once, so the server sends them in as few batches as fit (rather than a
        first batch of 101)."""
        return {
            "filter": self.filter,
            "projection": self.projection,
            "sort": self.sort,
            "skip": self.skip,
            "limit": self.limit or 0,
            "batch_size": batch_size(whole),
        }

    def describe(self) -> str:
        """A short description for reprs."""
        if self.pipeline is not None and self.projection is None and not self.filter:
            return f"pipeline={self.pipeline!r}"
        return f"filter={self.filter!r}, sort={self.sort!r}, skip={self.skip}, limit={self.limit}"


PAUSE_GC_FROM = 1_000
"""Results from which parsing a whole list pauses the garbage collector (see `Parser.all`)."""

WHOLE_BATCH = 1_000_000
"""The batch size asked for when a cursor is read whole: the server caps a batch at 16 MB."""


SCAN_BATCH = 1_000
"""The batch size of a scan of a whole collection (a drift check, a rewrite): smaller batches
than the server's 16 MB ones decode about twice as fast, and keep memory flat."""


def batch_size(whole: bool) -> int:
    """The batch size a cursor asks for (0: the server's, for streaming)."""
    return WHOLE_BATCH if whole else 0


def find_request(
    model: type[ModelT],
    queries: Sequence[Queries],
    sort: Any,
    skip: Any,
    limit: Any,
    projection: type[OutputT] | None,
    depth: int = DEFAULT_DEPTH,
) -> tuple[Read, Parser[Any]]:
    """What `find` asks (`Read`) and how it parses the results (`depth`: the levels of a
    cycle of references joined, unless a field says).

    Raises:
        TypeError: `model` is no `Model` subclass, a bad `sort`, or a projection field that
            `model` lacks.
        ValueError: a bad `skip` or `limit`.
    """
    check_model(model)
    check_window(model, skip, limit)
    schema, order = model.__odmantic_schema__, build_sort(sort)
    filter_ = with_family(model, build_filter(queries))
    if projection is None:
        return find_read(schema, filter_, order, skip, limit, depth=depth), loader(model)
    keys, parser = projection_of(schema, projection)
    return find_read(schema, filter_, order, skip, limit, keys, depth=depth), parser


def family_pipeline(model: type[Any], pipeline: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """An `aggregate` pipeline of `model`'s documents: in a polymorphic collection, a leading
    `$match` keeps those of `model` and its subclasses."""
    family = family_filter(model)
    return list(pipeline) if family is None else [{"$match": family}, *pipeline]


def find_one_arguments(model: type[Any], queries: Sequence[Queries], sort: Any) -> dict[str, Any]:
    """The driver's `find_one` arguments (a model without references, no projection)."""
    return {"filter": with_family(model, build_filter(queries)), "sort": build_sort(sort)}


def find_one_needs_cursor(
    schema: ModelSchema, projection: type[Any] | None, queries: Sequence[Queries], sort: Any
) -> bool:
    """Whether `find_one` reads through `find` (a join of references, a projection, or a
    query across references) rather than the driver's `find_one`."""
    if has_joins(schema) or projection is not None:
        return True
    return _across(schema, build_filter(queries), build_sort(sort)) is not None


def _across(
    schema: ModelSchema, filter_: dict[str, Any], sort: list[tuple[str, int]] | None
) -> AcrossReferences | None:
    if not has_references(schema):
        return None
    return across_references(schema, filter_, sort)


def count_request(
    model: type[ModelT], queries: Sequence[Queries]
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """What `count` asks: a filter for the driver's `count_documents`, or the pipeline counting
    through references (then the filter is unused).

    Raises:
        TypeError: `model` is no `Model` subclass.
    """
    check_model(model)
    filter_ = with_family(model, build_filter(queries))
    across = _across(model.__odmantic_schema__, filter_, None)
    if across is None:
        return filter_, None
    return filter_, [*across.stages, {"$match": across.filter}, {"$count": "n"}]


def joined_literal(
    schema: ModelSchema, document: dict[str, Any], depth: int = DEFAULT_DEPTH
) -> list[dict[str, Any]] | None:
    """The pipeline joining what `document` references, as `find` does (MongoDB 5.1+: a
    `$documents` stage of the document itself, so it is not read again), or None: the model
    has no references."""
    if not has_joins(schema):
        return None
    return [{"$documents": {"$literal": [document]}}, *lookup_stages(schema, depth)]


def find_read(
    schema: ModelSchema,
    filter_: dict[str, Any],
    sort: list[tuple[str, int]] | None,
    skip: int,
    limit: int | None,
    projection: dict[str, Any] | None = None,
    *,
    depth: int = DEFAULT_DEPTH,
) -> Read:
    """The read of a `find`: a plain find, or a pipeline joining the referenced documents
    (and looking up those a query or a sort reads fields of)."""
    lookups = lookup_stages(schema, depth) if projection is None else []
    across = _across(schema, filter_, sort)
    if not lookups and across is None:
        return Read(filter_, sort, skip, limit, projection)
    stages: list[dict[str, Any]] = [] if across is None else list(across.stages)
    order = sort if across is None else across.sort
    stages.append({"$match": filter_ if across is None else across.filter})
    if order:
        stages.append({"$sort": dict(order)})
    if skip:
        stages.append({"$skip": skip})
    if limit:
        stages.append({"$limit": limit})
    if across is not None:
        stages.append({"$unset": across.temporary})
    if projection is not None:
        stages.append({"$project": projection})
    return Read(filter_, sort, skip, limit, None, stages + lookups)


@dataclass(frozen=True)
class Parser(Generic[OutputT]):
    """How a cursor turns stored documents into results: `one` while streaming, `all` for a
    whole list (`batch` when there is a quicker way than `one` per document)."""

    one: Parse[OutputT]
    batch: Callable[[list[dict[str, Any]]], list[OutputT]] | None = None

    def all(self, documents: list[dict[str, Any]]) -> list[OutputT]:
        """Parse a whole list: through `batch` when there is one (a failing document is then
        parsed again alone, so that the error is that document's own).

        The garbage collector is paused meanwhile: building thousands of instances (and the
        referenced ones) makes no cycle to collect, but would trigger collections that walk
        every object of the process, a third of the time of a large read.
        """
        paused = len(documents) >= PAUSE_GC_FROM and gc.isenabled()
        if paused:
            gc.disable()
        try:
            if self.batch is not None:
                try:
                    return self.batch(documents)
                except ValidationError:
                    pass
            one = self.one
            return [one(document) for document in documents]
        finally:
            if paused:
                gc.enable()


def loader(model: type[ModelT]) -> Parser[ModelT]:
    """Parse stored documents as `model` instances, remembered as stored (built once per
    model class); in a polymorphic collection, each as the class it names."""
    if model.__odmantic_schema__.discriminator is not None and has_subclasses(model):
        return _family_loader(model)
    # Keyed by the validator too: `model_rebuild()` replaces it.
    return _cached_loader(cast(Any, model), model.__pydantic_validator__)


@lru_cache(maxsize=512)
def _cached_loader(model: Any, validator: Any) -> Parser[Any]:
    return Parser(model.__odmantic_loader__(), model.__odmantic_list_loader__())


def _own_loader(model: Any) -> Parser[Any]:
    return _cached_loader(model, model.__pydantic_validator__)


def _family_loader(model: Any) -> Parser[Any]:
    """Documents of a polymorphic collection, each as the class its discriminator names: a
    whole list is validated one call per class."""

    def one(raw_doc: dict[str, Any]) -> Any:
        return _own_loader(class_of(model, raw_doc)).one(raw_doc)

    key = model.__odmantic_schema__.discriminator[0]

    def batch(raw_docs: list[dict[str, Any]]) -> list[Any]:
        if raw_docs and type(raw_docs[0]) is dict:
            named = {raw_doc.get(key) for raw_doc in raw_docs if type(raw_doc) is dict}
            if len(named) == 1:  # one class (the usual case): no look-up per document
                return _own_loader(class_of(model, raw_docs[0])).all(raw_docs)
        classes = [class_of(model, raw_doc) for raw_doc in raw_docs]
        groups: dict[Any, list[int]] = {}
        for index, found in enumerate(classes):
            groups.setdefault(found, []).append(index)
        if len(groups) == 1:
            return _own_loader(classes[0]).all(raw_docs) if classes else []
        results: list[Any] = [None] * len(raw_docs)
        for found, indexes in groups.items():
            parsed = _own_loader(found).all([raw_docs[i] for i in indexes])
            for index, instance in zip(indexes, parsed, strict=True):
                results[index] = instance
        return results

    return Parser(one, batch)


def projection_of(
    schema: ModelSchema, output: type[OutputT]
) -> tuple[dict[str, Any], Parser[OutputT]]:
    """The keys to fetch for instances of `output` (a pydantic model whose fields are fields
    of the model, by name), and the parser of the projected documents.

    Raises:
        TypeError: `output` is not a pydantic model, or has a field the model lacks or holds
            as a reference; the message names both models and the field.
    """
    if not (isinstance(output, type) and issubclass(output, BaseModel)):
        raise TypeError(f"projection must be a pydantic model class, got {output!r}")
    keys: dict[str, str] = {}
    for name in output.model_fields:
        field = schema.fields.get(name)
        if field is None or field.kind == "reference":
            what = "has no field" if field is None else "holds a reference in"
            raise TypeError(
                f"projection {output.__name__}: {schema.name} {what} {name!r}; a projection's "
                f"fields must be fields of {schema.name} (matched by name)"
            )
        target = field.target
        if (
            field.kind == "embedded"
            and target is not None
            and field.reshaped
            and _holds_other_model(output.model_fields[name].annotation, target)
        ):
            raise TypeError(
                f"projection {output.__name__}: {name!r} must hold {target.name} like "
                f"{schema.name}.{name}, whose stored documents use {target.name}'s key names"
            )
        keys[field.key_name] = name
    projection: dict[str, Any] = {key: 1 for key in keys}
    if "_id" not in keys:
        projection["_id"] = 0
    own = schema_of(output)
    validate = output.__pydantic_validator__.validate_python
    same_names = own is None and all(key == name for key, name in keys.items())

    def parse(raw: dict[str, Any]) -> OutputT:
        values = raw if same_names else {keys[k]: v for k, v in raw.items() if k in keys}
        try:
            return validate(values, by_name=own is not None)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise _projection_error(output, keys, raw, exc) from None

    # When the projected documents are the values themselves, a whole list validates at once.
    return projection, Parser(parse, list_validator(output) if same_names else None)


def _holds_other_model(annotation: Any, target: ModelSchema) -> bool:
    """Whether `annotation` holds pydantic models but not the one of `target` (dicts and `Any`
    take the stored documents as they are)."""
    if model_class_in(annotation, target) is not None:
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_other_model(argument, target) for argument in get_args(annotation))


def _projection_error(
    output: type[Any], keys: dict[str, str], raw: dict[str, Any], exc: ValidationError
) -> DocumentParsingError:
    """The error of a projected document that does not validate: its missing keys, if any."""
    by_name = {name: key for key, name in keys.items()}
    missing = [
        key_not_found(err["loc"], by_name[str(err["loc"][0])], raw)
        for err in exc.errors()
        if err["type"] == "missing" and len(err["loc"]) == 1 and err["loc"][0] in by_name
    ]
    if missing:
        return DocumentParsingError(missing, output, raw.get("_id"))
    return DocumentParsingError([], output, raw.get("_id"), inner=exc)


def distinct_of(model: type[Model], field: Any) -> tuple[str, Parse[Any]]:
    """The key path of `field` for a `distinct` of `model`'s documents, and the parser of the
    values found.

    Raises:
        TypeError: `field` is not a field of `model` (or of a parent class, unchanged), or is
            a reference.
    """
    parse = getattr(field, "__odmantic_parse_stored__", None)
    if parse is None:
        raise TypeError(f"distinct({model.__name__}) takes a field (Model.field), got {field!r}")
    key, origin = str(+field), field.__odmantic_root_schema__()
    schema = model.__odmantic_schema__
    # In a polymorphic collection, a subclass's field is read through that subclass.
    owner = origin if schema.discriminator is not None and origin.discriminator else schema
    fields = walk(owner, key, through_lists=True)
    if fields is None or foreign_path(model, origin, key, through_lists=True) is not None:
        raise TypeError(
            f"distinct({model.__name__}) takes one of {model.__name__}'s fields, got {field!r}"
        )
    if fields[-1].kind == "reference":
        raise TypeError(
            f"distinct({model.__name__}, {field!r}): the field is a reference; distinct values "
            f"of references are not supported (query the distinct ids with "
            f"engine.get_collection({model.__name__}).distinct({key!r}))"
        )
    return key, parse


def output_parser(output: type[OutputT] | None) -> Parser[Any]:
    """Parse aggregation results as `output` instances (`model_validate_doc` for odmantic
    models), or keep the dicts when `output` is None."""
    if output is None:
        return Parser(dict)
    if schema_of(output) is not None:
        return Parser(output.model_validate_doc)  # type: ignore[attr-defined]
    return Parser(validator(output), list_validator(output))


__all__ = [
    "WHOLE_BATCH",
    "SCAN_BATCH",
    "batch_size",
    "find_one_needs_cursor",
    "joined_literal",
    "Read",
    "Parser",
    "find_read",
    "loader",
    "projection_of",
    "output_parser",
    "distinct_of",
]
