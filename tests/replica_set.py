"""A throwaway 3-member replica set on loopback, for failover tests (`make test-failover`).

Example:
    with ReplicaSet() as replica_set:
        client = AsyncMongoClient(replica_set.uri)
        ...
        replica_set.step_down()  # the primary steps down; another member is elected
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from pymongo import MongoClient
from pymongo.errors import AutoReconnect, OperationFailure, PyMongoError

from odmantic.testing import find_mongod


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ReplicaSet:
    """Three `mongod` members of the replica set `rs-failover`, started and initiated."""

    def __init__(self, members: int = 3, name: str = "rs-failover") -> None:
        self.name = name
        self.ports = [_free_port() for _ in range(members)]
        self._directory = Path(tempfile.mkdtemp(prefix="odmantic-failover-"))
        self._processes: list[subprocess.Popen[bytes]] = []

    @property
    def uri(self) -> str:
        """The connection string of the whole replica set."""
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.ports)
        return f"mongodb://{hosts}/?replicaSet={self.name}"

    def start(self) -> None:
        """Start the members, initiate the set and wait for a writable primary."""
        mongod = find_mongod()
        for index, port in enumerate(self.ports):
            data = self._directory / f"m{index}"
            data.mkdir()
            command = [
                mongod, "--replSet", self.name, "--bind_ip", "127.0.0.1", "--port", str(port),
                "--dbpath", str(data), "--logpath", str(data / "mongod.log"), "--nounixsocket",
                "--wiredTigerCacheSizeGB", "0.25", "--oplogSize", "64",
                "--setParameter", "diagnosticDataCollectionEnabled=false",
                "--setParameter", "enableTestCommands=1",
            ]  # fmt: skip
            self._processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        first: MongoClient[dict[str, Any]] = MongoClient(
            port=self.ports[0], directConnection=True, serverSelectionTimeoutMS=20_000
        )
        with first:
            members = [
                {"_id": i, "host": f"127.0.0.1:{port}", "priority": 2 if i == 0 else 1}
                for i, port in enumerate(self.ports)
            ]
            first.admin.command(
                "replSetInitiate",
                {"_id": self.name, "members": members, "settings": {"electionTimeoutMillis": 2000}},
            )
        self.wait_for_primary()

    def wait_for_primary(self, timeout: float = 60) -> int:
        """Wait until a member is a writable primary; return its port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for port in self.ports:
                try:
                    client: MongoClient[dict[str, Any]] = MongoClient(
                        port=port, directConnection=True
                    )
                    with client:
                        if client.admin.command("hello").get("isWritablePrimary"):
                            return port
                except PyMongoError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"no primary elected in {timeout} s")

    def step_down(self, seconds: int = 10) -> None:
        """Make the current primary step down (it stays out of elections for `seconds`)."""
        port = self.wait_for_primary()
        client: MongoClient[dict[str, Any]] = MongoClient(port=port, directConnection=True)
        with client:
            try:
                client.admin.command("replSetStepDown", seconds, secondaryCatchUpPeriodSecs=5)
            except (AutoReconnect, OperationFailure):
                pass  # the primary closes its connections while stepping down

    def stop(self) -> None:
        """Stop the members and remove their data."""
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self._directory, ignore_errors=True)

    def __enter__(self) -> ReplicaSet:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
