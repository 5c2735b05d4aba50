"""Schema evolution without I/O: the tally of a drift check (`engine.check_documents`), what a
`rewrite` batch sends, and the progress shown on a terminal."""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _field
from typing import IO, Any

from bson import encode
from pydantic import ValidationError
from pymongo import ReplaceOne

from odmantic._internal.sharding import target
from odmantic.exceptions import DocumentParsingError, DocumentRewriteError

EXAMPLES = 3
"""Example documents kept for each failing field."""


@dataclass
class FieldFailures:
    """The stored documents whose value of one field does not load.

    Attributes:
        field: the field's path as the model names it (`"address.city"`), or `"(document)"`
            for an error about the whole document.
        count: how many documents fail on it.
        examples: a few of them: their `_id` and the error.
    """

    field: str
    count: int = 0
    examples: list[tuple[Any, str]] = _field(default_factory=list)


@dataclass
class CheckReport:
    """What `engine.check_documents` found.

    Attributes:
        model: the model's name.
        checked: documents read.
        failed: documents that do not load as the model.
        fields: for each failing field, its failures (most frequent first).
    """

    model: str
    checked: int = 0
    failed: int = 0
    fields: list[FieldFailures] = _field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every document checked loads."""
        return self.failed == 0

    def __str__(self) -> str:
        lines = [f"{self.model}: {_count(self.checked)} checked, {self.failed} failing"]
        for failures in self.fields:
            lines.append(f"  {failures.field}: {_count(failures.count)}")
            lines += [f"    _id {key!r}: {message}" for key, message in failures.examples]
        return "\n".join(lines)


def drift_errors(
    model: type[Any], raw: dict[str, Any], error: DocumentParsingError
) -> list[tuple[str, str]]:
    """Every reason `raw` does not load as `model`, by field path as the model names it (the
    items of a list under the list's field).

    `error` reports a document's missing keys alone, as ODMantic 1.1 does; a drift check
    wants its other errors too: those of the validation behind it (`__cause__`).
    """
    details: list[Any] = list(error.errors)
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        shown = {d["loc"] for d in details}
        details += [
            d
            for d in cause.errors(include_url=False)
            if d["type"] != "missing" and d["loc"] not in shown
        ]
    return [(_named(error.model or model, d["loc"]), str(d["msg"])) for d in details]


def _named(model: type[Any], loc: tuple[Any, ...]) -> str:
    """A location of a validation error (key names, list indexes) as the model's field path."""
    schema = getattr(model, "__odmantic_schema__", None)
    names = []
    for part in loc:
        if isinstance(part, int):
            continue
        field = None
        if schema is not None:
            field = next((f for f in schema.fields.values() if part in (f.key_name, f.name)), None)
        names.append(field.name if field is not None else str(part))
        schema = field.target if field is not None and field.kind == "embedded" else None
    return ".".join(names) or "(document)"


def _count(number: int) -> str:
    return f"{number} document{'' if number == 1 else 's'}"


class CheckTally:
    """Counts the documents of a drift check as they are read (no document is kept)."""

    def __init__(self, model: type[Any]) -> None:
        self.report = CheckReport(model.__name__)
        self._by_field: dict[str, FieldFailures] = {}

    def passed(self) -> None:
        """One more document loaded."""
        self.report.checked += 1

    def failed(self, errors: list[tuple[str, str]], key: Any) -> None:
        """One more document (primary key `key`) did not load, for `errors` (each field's
        path and message, see `drift_errors`)."""
        self.report.checked += 1
        self.report.failed += 1
        seen: set[str] = set()
        for path, message in errors:
            if path in seen:
                continue
            seen.add(path)
            failures = self._by_field.setdefault(path, FieldFailures(path))
            failures.count += 1
            if len(failures.examples) < EXAMPLES:
                failures.examples.append((key, message))

    def done(self) -> CheckReport:
        """The report, fields by decreasing count."""
        self.report.fields = sorted(self._by_field.values(), key=lambda f: -f.count)
        return self.report


Transform = Callable[[Any], Any]
"""A `rewrite` transform: stored dict to new dict, or old model instance to new instance."""


@dataclass
class RewriteReport:
    """What `rewrite` did.

    Attributes:
        read: documents read.
        written: documents replaced (a transform returning its input unchanged writes nothing).
        batches: bulk writes sent.
    """

    read: int = 0
    written: int = 0
    batches: int = 0


class Rewriter:
    """Turns stored documents into the `ReplaceOne`s of one batch with `transform`."""

    def __init__(self, model: type[Any], transform: Transform) -> None:
        self.model = model
        self.transform = transform
        self.takes = _model_parameter(transform)

    def argument(self, raw: dict[str, Any]) -> Any:
        """What the transform takes for the stored document `raw`: the document itself (it
        may change it in place: `replacement` compares with a snapshot), or it loaded as the
        old model.

        Raises:
            DocumentParsingError: the old model cannot load the document.
        """
        return raw if self.takes is None else self.takes.model_validate_doc(raw)

    def replacement(self, stored: bytes, raw: dict[str, Any], new: Any) -> ReplaceOne[Any] | None:
        """The replacement of the document (`stored`: its BSON before the transform, `raw`:
        it decoded) by what the transform returned, or None: nothing changed.

        Raises:
            TypeError: the transform returned neither a dict nor a model instance.
            ValueError: the transform changed the document's `_id`.
        """
        if hasattr(new, "model_dump_doc"):
            primary = type(new).__odmantic_schema__.primary
            given = primary is not None and primary.name in new.model_fields_set
            new = new.model_dump_doc()
            if not given:  # a new instance built without its key: the document's own
                new["_id"] = raw["_id"]
        if not isinstance(new, dict):
            raise TypeError(
                f"rewrite({self.model.__name__}): the transform returned {type(new).__name__} "
                f"for the document {raw['_id']!r}, expected a dict (the new document) or a model "
                "instance"
            )
        new.setdefault("_id", raw["_id"])
        if new["_id"] != raw["_id"]:
            raise ValueError(
                f"rewrite({self.model.__name__}): the transform changed the _id of the document "
                f"{raw['_id']!r} to {new['_id']!r}; a document's _id never changes (insert a new "
                "document and delete the old one instead)"
            )
        if encode(new) == stored:  # a change in place shows too
            return None
        where = target(self.model, raw, None) if self.model.__odmantic_schema__.shard_key else None
        return ReplaceOne(where or {"_id": raw["_id"]}, new)


def refused_rewrites(
    model: type[Any], keys: list[Any], details: dict[str, Any]
) -> DocumentRewriteError:
    """The error of a rewrite batch the server refused in part: each refused document's `_id`
    and the server's reason (the other documents of the batch were written)."""
    refused = [
        (keys[error["index"]], str(error.get("errmsg"))) for error in details.get("writeErrors", [])
    ]
    return DocumentRewriteError(model, refused)


def _model_parameter(transform: Transform) -> type[Any] | None:
    """The model class a transform takes (its first parameter's annotation), None for a dict."""
    try:
        parameters = list(inspect.signature(transform).parameters.values())
        hints = inspect.get_annotations(transform, eval_str=True) if parameters else {}
    except (TypeError, ValueError, NameError):
        return None
    annotation = hints.get(parameters[0].name) if parameters else None
    if isinstance(annotation, type) and hasattr(annotation, "__odmantic_schema__"):
        return annotation
    return None


class Progress:
    """A progress line on a terminal (standard error), redrawn at most ten times a second;
    nothing when the stream is not a terminal."""

    def __init__(self, label: str, total: int | None, stream: IO[str] | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.shown = self.stream.isatty()
        self._last = 0.0

    def advance(self, count: int = 1) -> None:
        """`count` more items done."""
        self.done += count
        now = time.monotonic()
        if self.shown and now - self._last > 0.1:
            self._last = now
            self._draw()

    def close(self) -> None:
        """The last state, then a new line."""
        if self.shown:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if self.total:
            filled = int(30 * min(self.done / self.total, 1))
            bar = "#" * filled + "-" * (30 - filled)
            line = f"\r{self.label} [{bar}] {self.done}/{self.total}"
        else:
            line = f"\r{self.label} {self.done}"
        self.stream.write(line)
        self.stream.flush()


__all__ = [
    "FieldFailures",
    "CheckReport",
    "CheckTally",
    "drift_errors",
    "RewriteReport",
    "Rewriter",
    "Transform",
    "Progress",
    "refused_rewrites",
]
