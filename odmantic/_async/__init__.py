"""The engine layer: engine, sessions, transactions, cursors and the driver adapter.

Two twin packages hold it: the coroutine one is written by hand, the blocking one is generated
from it by `codegen` (never edit the generated one).
"""

from typing import Final

IS_ASYNC: Final = True
