"""Sessions and transactions of both twins: `AIOSession`/`AIOTransaction`, `SyncSession`/`SyncTransaction`."""

from odmantic._async.session import AIOSession, AIOSessionBase, AIOTransaction
from odmantic._sync.session import SyncSession, SyncSessionBase, SyncTransaction

__all__ = [
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
]
