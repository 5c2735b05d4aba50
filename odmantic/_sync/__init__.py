# generated from odmantic/_async/__init__.py by codegen; do not edit
"""The engine layer: engine, sessions, transactions, cursors and the driver adapter.

`odmantic/_sync` is the hand-written source; `odmantic/_sync` is generated from it by `codegen`.
"""
