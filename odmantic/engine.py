"""The engines, their cursors and sessions, under the names ODMantic 1.1 code imports."""

from typing import Union

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.synchronous.client_session import ClientSession

from odmantic._async.bound import AIOSessionBase
from odmantic._async.cursor import AIOCursor
from odmantic._async.engine import AIOEngine
from odmantic._async.session import AIOSession, AIOTransaction
from odmantic._sync.bound import SyncSessionBase
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.engine import SyncEngine
from odmantic._sync.session import SyncSession, SyncTransaction

AIOSessionType = Union[AsyncClientSession, AIOSession, AIOTransaction, None]
"""What the `session` argument of `AIOEngine` methods takes."""

SyncSessionType = Union[ClientSession, SyncSession, SyncTransaction, None]
"""What the `session` argument of `SyncEngine` methods takes."""

__all__ = [
    "AIOEngine",
    "AIOCursor",
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "AIOSessionType",
    "SyncEngine",
    "SyncCursor",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
    "SyncSessionType",
]
