"""odmantic's internals: nothing here is public API, and any of it may change in any release.

The modules below the engines (no I/O): model schemas and metaclass, BSON document checks,
what a read or a write sends and how its result is read, update checks, retry decisions and
the server error codes they name. The public modules (`odmantic.model`, `odmantic.query`...)
and the engines (`odmantic._async`, generated `odmantic._sync`) build on them.
"""
