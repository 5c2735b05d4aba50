"""Griffe extension: document the engine operations of sessions and transactions.

`AIOSessionBase.find = _in_session(lambda engine: engine.find)` (and its generated twin) is a
method at runtime, with the engine's signature and docstring without `session`. Static analysis
sees an attribute: this extension puts the runtime method in its place.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import griffe

_BASES = {"odmantic._async.engine.AIOSessionBase", "odmantic._sync.engine.SyncSessionBase"}


def _parameter(parameter: inspect.Parameter) -> griffe.Parameter:
    empty = inspect.Parameter.empty
    return griffe.Parameter(
        parameter.name,
        annotation=None if parameter.annotation is empty else str(parameter.annotation),
        kind=griffe.ParameterKind(parameter.kind.description),
        default=None if parameter.default is empty else repr(parameter.default),
    )


class SessionOperations(griffe.Extension):
    """Replace each `_in_session(...)` attribute of the session bases by the method it is."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if cls.path not in _BASES:
            return
        module_name, _, class_name = cls.path.rpartition(".")
        module = importlib.import_module(module_name)
        runtime = getattr(module, class_name)
        engine = module.AIOEngine if class_name.startswith("AIO") else module.SyncEngine
        for name, member in list(cls.members.items()):
            if not (
                isinstance(member, griffe.Attribute)
                and str(member.value).startswith("_in_session(")
            ):
                continue
            function = getattr(runtime, name)
            signature = inspect.signature(function)
            returns = signature.return_annotation
            method = griffe.Function(
                name,
                lineno=member.lineno,
                endlineno=member.endlineno,
                parameters=griffe.Parameters(*map(_parameter, signature.parameters.values())),
                returns=None if returns is inspect.Signature.empty else str(returns),
                docstring=griffe.Docstring(
                    inspect.cleandoc(function.__doc__ or ""), parser=griffe.Parser.google
                ),
            )
            if inspect.iscoroutinefunction(getattr(engine, name)):
                method.labels.add("async")
            cls.set_member(name, method)
