"""Sessions and transactions of both twins: `AIOSession`/`AIOTransaction`, `SyncSession`/`SyncTransaction`."""

from odmantic._async.session import AIOSession, AIOSessionBase
from odmantic._async.transaction import AIOTransaction
from odmantic._sync.session import SyncSession, SyncSessionBase
from odmantic._sync.transaction import SyncTransaction

__all__ = [
    "AIOSession",
    "AIOSessionBase",
    "AIOTransaction",
    "SyncSession",
    "SyncSessionBase",
    "SyncTransaction",
]
