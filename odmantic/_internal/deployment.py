"""What kind of deployment the server is, read from its `hello` reply (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_sharded_cluster(hello: Mapping[str, Any]) -> bool:
    """Whether the server answering `hello` is a mongos."""
    return hello.get("msg") == "isdbgrid"


def has_transactions(hello: Mapping[str, Any]) -> bool:
    """Whether the deployment answering `hello` runs transactions: a replica set member or a
    mongos (a standalone server does not)."""
    return "setName" in hello or is_sharded_cluster(hello)


__all__ = ["is_sharded_cluster", "has_transactions"]
