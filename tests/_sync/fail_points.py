# generated from tests/_async/fail_points.py by codegen; do not edit
"""Fail points of the test server (`configureFailPoint`, enabled by `odmantic.testing`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from odmantic import SyncEngine


@contextmanager
def fail_point(engine: SyncEngine, mode: Any, **data: Any) -> Iterator[None]:
    """Make the server fail commands (`failCommand`) while the block runs."""
    admin = engine.client.admin
    admin.command("configureFailPoint", "failCommand", mode=mode, data=data)
    try:
        yield
    finally:
        admin.command("configureFailPoint", "failCommand", mode="off")
