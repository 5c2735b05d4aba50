"""References to other models: `Reference()` marks a field, `Lazy[Model]` keeps it unjoined.

A reference field holds another `Model`'s instance (or a list of them) in Python and stores
its primary key (or the list of keys) in MongoDB. An eager reference (`author: Author`) is
joined with `$lookup` when the document is read; a lazy one (`author: Lazy[Author]`) is not:
it holds the key, and `engine.fetch(book.author)` reads the document when you need it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic_core import PydanticUndefined

from odmantic._internal.lazy import Lazy
from odmantic.field import ODMReferenceInfo

OnDelete = Literal["nothing", "deny", "cascade", "nullify", "pull"]
"""What deleting a referenced document does to the documents that reference it."""

ON_DELETE_RULES: tuple[str, ...] = ("nothing", "deny", "cascade", "nullify", "pull")

FieldT = TypeVar("FieldT")


def Reference(
    *,
    key_name: str | None = None,
    on_delete: OnDelete = "nothing",
    depth: int | None = None,
    index: bool = True,
    default: Any = PydanticUndefined,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """Mark a field as a reference to another Model (or a list of them).

    The document stores the referenced instance's primary key under `key_name` (default: the
    field name), a list of keys for `list[Author]`; reading joins the referenced documents
    with `$lookup` (unless the field is `Lazy[Author]`); saving saves the referenced
    instances first.

    Args:
        key_name: the key of the field in the MongoDB document.
        on_delete: what deleting a referenced document does to the documents referencing it:
            "nothing" (ODMantic 1.1's behaviour), "deny" (the delete raises
            `ReferencedDocumentError` and deletes nothing), "cascade" (they are deleted too,
            their own rules applied), "nullify" (an `Optional` reference is set to null) or
            "pull" (the key is pulled from a list of references).
        depth: how many levels of a model referencing itself (directly or through others)
            are joined when reading (default: the engine's `reference_depth`, 3); deeper
            references must be `Lazy`.
        index: `configure_database` creates an index on the stored key(s), so that joins,
            queries and delete rules do not scan the collection.
        default: the value when none is given (`None` for an Optional reference); without
            one, the field is required, as in ODMantic 1.1.
        default_factory: builds the value when none is given (`list` for a list).

    Example:
        ```python
        class Book(Model):
            title: str
            author: Author = Reference(on_delete="cascade")
            reviewers: list[Author] = Reference(default_factory=list)
            publisher: Lazy[Publisher] | None = Reference(default=None, on_delete="nullify")
        ```
    """
    if on_delete not in ON_DELETE_RULES:
        raise ValueError(f"Reference(on_delete={on_delete!r}): use one of {ON_DELETE_RULES}")
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool) or depth < 1):
        raise ValueError(f"Reference(depth={depth!r}): a depth is an int of at least 1")
    defaults: dict[str, Any] = {}
    if default is not PydanticUndefined:
        defaults["default"] = default
    if default_factory is not None:
        defaults["default_factory"] = default_factory
    return ODMReferenceInfo(key_name, on_delete, depth, index, defaults)


def through(reference: Any, field: FieldT) -> FieldT:
    """A field of the referenced model, read through a reference, for queries and sorts.

    `Book.author.name` reads the same for an eager reference; `through` is the form type
    checkers accept for every reference, lists and `Lazy` ones included (they see
    `Book.authors` as a list). The read looks the referenced documents up; a list of
    references matches when any of its documents does.

    Args:
        reference: the reference field (`Book.authors`).
        field: a field of the referenced model (`Author.name`).

    Returns:
        the field, read through the reference (typed as `field`).

    Raises:
        TypeError: `reference` is no reference, or `field` is not of the model it references.

    Example:
        ```python
        by_name = query.eq(through(Book.authors, Author.name), "Le Guin")
        books = await engine.find(Book, by_name, sort=through(Book.authors, Author.name))
        ```
    """
    proxy: Any = reference
    result: FieldT = proxy.__odmantic_through__(field)
    return result


__all__ = ["Reference", "Lazy", "through", "OnDelete", "ON_DELETE_RULES"]
