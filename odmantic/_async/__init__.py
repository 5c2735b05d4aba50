"""The engine layer: the engine facade, sessions and transactions, cursors, the executor and
the adapter (the only module whose code differs between the twins).

Two twin packages hold it: the coroutine one is written by hand, the blocking one is generated
from it by `codegen` (never edit the generated one).
"""

from typing import Final

IS_ASYNC: Final = True
