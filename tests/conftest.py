"""Test-suite wiring: the ``odmantic.testing`` plugin provides a real, throwaway MongoDB.

Fixtures: ``mongo_uri`` (session; ``ODMANTIC_TEST_MONGO_URI`` or a single-node replica set
started on first use), ``database_name`` (per test, dropped afterwards) and
``odmantic_mongo_client`` (session, sync PyMongo client).
"""

pytest_plugins = ["odmantic.testing"]
