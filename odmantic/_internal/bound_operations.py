"""The engine's methods bound to a session or a transaction: each one written once, in the
engine's class body, and run by a session with `session=` set to the session (no I/O here)."""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

E = TypeVar("E")
F = TypeVar("F", bound=Callable[..., Any])
_SESSION_ARG = re.compile(r"\n *session: run inside this session or transaction\.")
_ENGINE_CALL = re.compile(r"\bengine\.(?=\w+\()")


class _PickedName:
    """Stands for the engine when `pick` is called at class creation: records the method it
    reads, so that `find = in_session(lambda engine: engine.count)` is refused."""

    def __init__(self) -> None:
        self.name: str | None = None

    def __getattr__(self, name: str) -> None:
        self.name = name


class EngineOperation(Generic[F]):
    """An engine method read from a session or a transaction: the same method, run with
    `session=` set to it; its signature and docstring are the engine's, without `session`.

    Built by `operations_of(AIOEngine)`: `find = in_session(lambda engine: engine.find)`, where
    the function only gives type checkers the engine method's type (overloads included).
    """

    def __init__(self, engine_class: type[Any], pick: Callable[[Any], Any]) -> None:
        self._engine_class = engine_class
        self._pick = pick
        self._function: Callable[..., Any] | None = None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        picked = _PickedName()
        self._pick(picked)
        if picked.name != name:
            raise TypeError(
                f"{owner.__qualname__}.{name} picks the engine's {picked.name!r}: write "
                f"{name} = in_session(lambda engine: engine.{name})"
            )
        engine_method = getattr(self._engine_class, name)
        signature = inspect.signature(engine_method)
        parameters = [p for p in signature.parameters.values() if p.name != "session"]

        def operation(scope: Any, *args: Any, **kwargs: Any) -> Any:
            if "session" in kwargs:
                raise TypeError(
                    f"{type(scope).__name__}.{name}() runs in its own session: drop session="
                )
            # Looked up on the engine itself: a subclass's override runs in sessions too.
            return getattr(scope.engine, name)(*args, session=scope, **kwargs)

        if inspect.iscoroutinefunction(engine_method):
            operation = _as_coroutine_function(operation)
        operation.__name__, operation.__qualname__ = name, f"{owner.__qualname__}.{name}"
        operation.__module__ = owner.__module__
        doc = _SESSION_ARG.sub("", engine_method.__doc__ or "")
        operation.__doc__ = _ENGINE_CALL.sub("session.", doc)
        operation.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        self._function = operation

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Callable[..., Any]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> F: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        assert self._function is not None, "an EngineOperation must be a class attribute"
        if instance is None:
            return self._function
        return types.MethodType(self._function, instance)


def _as_coroutine_function(operation: Callable[..., Any]) -> Callable[..., Any]:
    """`operation`, returning the engine's coroutine, as a coroutine function itself (as the
    engine's method is, for `inspect.iscoroutinefunction` and frameworks that check it)."""

    async def coroutine_operation(scope: Any, *args: Any, **kwargs: Any) -> Any:
        return await operation(scope, *args, **kwargs)

    return coroutine_operation


def operations_of(engine_class: type[E]) -> Callable[[Callable[[E], F]], EngineOperation[F]]:
    """The builder of session operations for `engine_class` (see `EngineOperation`).

    Example:
        ```python
        in_session = operations_of(AIOEngine)

        class AIOSessionBase(SessionScope):
            find = in_session(lambda engine: engine.find)
        ```
    """

    def in_session(pick: Callable[[E], F]) -> EngineOperation[F]:
        return EngineOperation(engine_class, pick)

    return in_session


__all__ = ["EngineOperation", "operations_of"]
