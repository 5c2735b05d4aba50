"""The engines, their cursors and sessions, under the names ODMantic 1.1 code imports."""

from typing import Union

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.synchronous.client_session import ClientSession

from odmantic._async.change_stream import AIOChangeStream
from odmantic._async.cursor import AIOCursor
from odmantic._async.engine import AIOEngine, AIOSession, AIOSessionBase, AIOTransaction
from odmantic._sync.change_stream import SyncChangeStream
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.engine import SyncEngine, SyncSession, SyncSessionBase, SyncTransaction

AIOSessionType = Union[AsyncClientSession, AIOSession, AIOTransaction, None]
"""What the `session` argument of `AIOEngine` methods takes."""

SyncSessionType = Union[ClientSession, SyncSession, SyncTransaction, None]
"""What the `session` argument of `SyncEngine` methods takes."""

__all__ = [
    "AIOEngine",
    "AIOCursor",
    "AIOChangeStream",
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "AIOSessionType",
    "SyncEngine",
    "SyncCursor",
    "SyncChangeStream",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
    "SyncSessionType",
]
