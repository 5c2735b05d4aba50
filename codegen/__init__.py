"""Generate the sync twin (``odmantic/_sync``, ``tests/_sync``) from the async sources.

Run ``python -m codegen`` to regenerate and ``python -m codegen --check`` to verify.
Nothing in the ``odmantic`` package imports this package.
"""
