"""Sessions and transactions of both twins: `AIOSession`/`AIOTransaction`, `SyncSession`/`SyncTransaction`."""

from odmantic._async.bound import AIOSessionBase
from odmantic._async.session import AIOSession, AIOTransaction
from odmantic._sync.bound import SyncSessionBase
from odmantic._sync.session import SyncSession, SyncTransaction

__all__ = [
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
]
