"""The suite runs against a real mongod started by odmantic.testing (or ODMANTIC_TEST_MONGO_URI)."""

pytest_plugins = ["odmantic.testing", "pytester"]
