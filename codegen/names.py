"""The ONE rename table of the generator (plus a tiny prose table for docstrings and comments).

``RENAMES`` is unasync's own token table extended with ``ADDED``. Every key is a whole identifier
(``Name`` node, attribute name, import name or dotted-module component) except dotted keys such as
``pymongo.asynchronous``, which match a whole dotted name. The same table, applied as whole words,
rewrites string literals and comments.

Entries of ``ADDED`` that are not already in unasync's base must fire somewhere in the source tree
(see ``codegen.run.check_unfired``); base entries and ``PROSE`` entries are exempt.
"""

from __future__ import annotations

from typing import cast

import unasync

BASE: dict[str, str] = dict(cast("dict[str, str]", unasync._ASYNC_TO_SYNC))

ADDED: dict[str, str] = {
    "anext": "next",
    "aiter": "iter",
    "AsyncMongoClient": "MongoClient",
    "AsyncDatabase": "Database",
    "AsyncCollection": "Collection",
    "AsyncClientSession": "ClientSession",
    "AsyncCursor": "Cursor",
    "AsyncCommandCursor": "CommandCursor",
    "AIOEngine": "SyncEngine",
    "AIOSession": "SyncSession",
    "AIOSessionBase": "SyncSessionBase",
    "AIOTransaction": "SyncTransaction",
    "AIOCursor": "SyncCursor",
    "AsyncIterator": "Iterator",  # also in unasync's base: exempt from the must-fire check
    "AsyncIterable": "Iterable",  # idem
    "asynccontextmanager": "contextmanager",  # idem
    "pymongo.asynchronous": "pymongo.synchronous",
    "_async": "_sync",
}

RENAMES: dict[str, str] = {**BASE, **ADDED}

# Entries that must fire at least once over the whole source tree.
MUST_FIRE: frozenset[str] = frozenset(k for k in ADDED if k not in BASE)

# Prose only (strings and comments): regex -> replacement, applied in order before RENAMES.
# Not subject to the must-fire check: prose changes too often for that to be useful.
PROSE: tuple[tuple[str, str], ...] = (
    (r"\bawait ", ""),  # ">>> await engine.find(...)" -> ">>> engine.find(...)"
    (r"\b([Aa])n async(?:hronous)? (?![aeiouAEIOU])", r"\1 "),  # "an async client" -> "a client"
    (
        r"\b[Aa]sync(?:hronous)?\b ?",
        "",
    ),  # "async with " -> "with ", "an async engine" -> "an engine"
)
