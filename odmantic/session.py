"""Sessions and transactions of both twins: `AIOSession`/`AIOTransaction`, `SyncSession`/`SyncTransaction`."""

from odmantic._async.engine import AIOSession, AIOSessionBase, AIOTransaction
from odmantic._sync.engine import SyncSession, SyncSessionBase, SyncTransaction

__all__ = [
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
]
