"""The engine layer: engine, sessions, transactions, cursors and the driver adapter.

`odmantic/_async` is the hand-written source; `odmantic/_sync` is generated from it by `codegen`.
"""

from typing import Final

IS_ASYNC: Final = True
