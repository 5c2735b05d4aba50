"""The engines and their cursors: `AIOEngine`/`AIOCursor` and the generated `SyncEngine`/`SyncCursor`."""

from odmantic._async.cursor import AIOCursor
from odmantic._async.engine import AIOEngine
from odmantic._sync.cursor import SyncCursor
from odmantic._sync.engine import SyncEngine

__all__ = ["AIOEngine", "AIOCursor", "SyncEngine", "SyncCursor"]
