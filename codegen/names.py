"""The ONE rename table of the generator (plus the words for the prose rules and the keep-marker).

``RENAMES`` is unasync's own token table extended with ``ADDED``. Every key is a whole identifier
(``Name`` node, attribute name, import name or dotted-module component) except dotted keys such as
``pymongo.asynchronous``, which match a whole dotted name. The same table, applied as whole words,
rewrites string literals and comments.

Entries of ``ADDED`` that are not already in unasync's base must fire somewhere in the source tree
(see ``codegen.run.check_unfired``); base entries are exempt.
"""

from __future__ import annotations

from typing import cast

import unasync

BASE: dict[str, str] = dict(cast("dict[str, str]", unasync._ASYNC_TO_SYNC))

ADDED: dict[str, str] = {
    "anext": "next",
    "aiter": "iter",
    "AsyncMongoClient": "MongoClient",
    "AsyncIOMotorClient": "MongoClient",  # Motor's client: PyMongo's blocking client in the twin
    "AsyncDatabase": "Database",
    "AsyncCollection": "Collection",
    "AsyncClientSession": "ClientSession",
    "AsyncCursor": "Cursor",
    "AsyncCommandCursor": "CommandCursor",
    "AsyncChangeStream": "ChangeStream",
    "AIOEngine": "SyncEngine",
    "AIOSession": "SyncSession",
    "AIOSessionBase": "SyncSessionBase",
    "AIOTransaction": "SyncTransaction",
    "AIOCursor": "SyncCursor",
    "AIOChangeStream": "SyncChangeStream",
    "AsyncIterator": "Iterator",  # also in unasync's base: exempt from the must-fire check
    "AsyncIterable": "Iterable",  # idem
    "asynccontextmanager": "contextmanager",  # idem
    "pymongo.asynchronous": "pymongo.synchronous",
    "_async": "_sync",
}

RENAMES: dict[str, str] = {**BASE, **ADDED}

# Entries that must fire at least once over the whole source tree.
MUST_FIRE: frozenset[str] = frozenset(k for k in ADDED if k not in BASE)

# Prose (strings and comments) is rewritten by `codegen.transform.rewrite_prose`: the table's
# renames first (whole words, fixing "an"/"a"), then "await" before code is dropped, an "async"
# adjective before a word is dropped (fixing the article), and a predicate "async" is replaced
# by these words. Anything left is caught by the final scan, which fails with file:line.
PREDICATES: dict[str, str] = {
    "asynchronous": "synchronous",
    "Asynchronous": "Synchronous",
    "async": "blocking",
    "Async": "Blocking",
}

KEEP_MARKER = "# codegen: keep"
"""Ends a line whose string literals must stay as written (the rare one naming the other twin)."""
