"""Fail points of the test server (`configureFailPoint`, enabled by `odmantic.testing`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from odmantic import AIOEngine


@asynccontextmanager
async def fail_point(engine: AIOEngine, mode: Any, **data: Any) -> AsyncIterator[None]:
    """Make the server fail commands (`failCommand`) while the block runs."""
    admin = engine.client.admin
    await admin.command("configureFailPoint", "failCommand", mode=mode, data=data)
    try:
        yield
    finally:
        await admin.command("configureFailPoint", "failCommand", mode="off")
