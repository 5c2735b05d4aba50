# generated from odmantic/_async/__init__.py by codegen; do not edit
"""The engine layer: the engine facade, sessions and transactions, cursors, the executor and
the adapter (the only module whose code differs between the twins).

Two twin packages hold it: the coroutine one is written by hand, the blocking one is generated
from it by `codegen` (never edit the generated one).
"""
