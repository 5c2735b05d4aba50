"""The checks of an engine method's arguments, before anything is sent."""

from __future__ import annotations

from typing import Any

from odmantic.model import Model

_FORBIDDEN_DB_CHARS = frozenset('/\\. "$')
_MAX_INT64 = 2**63


def check_database_name(database: Any) -> None:
    """Refuse a database name MongoDB refuses.

    Raises:
        ValueError: not a non-empty str, or holding one of `/ \\ . " $` or a space.
    """
    if not isinstance(database, str) or not database:
        raise ValueError(f"invalid database name {database!r}: it must be a non-empty str")
    forbidden = "".join(sorted(set(database) & _FORBIDDEN_DB_CHARS))
    if forbidden:
        raise ValueError(
            f"database name cannot contain: {' '.join(forbidden)} (invalid database name "
            f'{database!r}: none of / \\ . " $ or a space is allowed)'
        )


def check_model(model: Any) -> None:
    """Raises:
    TypeError: `model` is not a subclass of `Model`.
    """
    if not (isinstance(model, type) and issubclass(model, Model)) or model is Model:
        raise TypeError(f"expected a Model subclass, got {model!r}")


def check_instance(instance: Any) -> None:
    """Raises:
    TypeError: `instance` is not an instance of a `Model`.
    """
    if not isinstance(instance, Model):
        raise TypeError(f"expected a Model instance, got {type(instance).__name__}: {instance!r}")


def check_window(model: type[Model], skip: Any, limit: Any) -> None:
    """Raises:
    ValueError: `skip` is not an int from 0, or `limit` not None or an int from 1.
    """
    if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip < _MAX_INT64:
        raise ValueError(
            f"skip has to be a positive integer: find({model.__name__}) got skip={skip!r}"
        )
    if limit is not None and (
        not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit < _MAX_INT64
    ):
        raise ValueError(
            f"limit has to be a strict positive value or None: find({model.__name__}) got "
            f"limit={limit!r}"
        )


__all__ = ["check_database_name", "check_model", "check_instance", "check_window"]
