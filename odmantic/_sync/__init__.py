# generated from odmantic/_async/__init__.py by codegen; do not edit
"""The engine layer: engine, sessions, transactions, cursors and the driver adapter.

Two twin packages hold it: the coroutine one is written by hand, the blocking one is generated
from it by `codegen` (never edit the generated one).
"""
