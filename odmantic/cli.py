"""The `odmantic` command: `check` (a drift check) and `migrate new|up|down|status`.

```text
odmantic check --uri URI --database DB package.module:Player
odmantic migrate new add_level
odmantic migrate up [--to NAME]
odmantic migrate down [--steps N]
odmantic migrate status
```

`--uri` defaults to `ODMANTIC_MONGO_URI`, `--path` (the migrations folder) to `migrations`.
Exit codes: 0 done, 1 a check found failing documents or a migration failed (or the lock is
held), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import inspect
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError

from odmantic._async.engine import AIOEngine
from odmantic._internal.deployment import has_transactions
from odmantic._internal.migrations import (
    LOCKS,
    MigrationFile,
    MigrationRecord,
    migration_files,
    new_file,
    status,
    to_apply,
    to_revert,
)
from odmantic._sync.engine import SyncEngine

URI_ENV_VAR = "ODMANTIC_MONGO_URI"
LOCK_FOR = timedelta(minutes=30)
"""How long the lock holds without being renewed: a running command renews it every 10
minutes, so only a crashed run's lock expires (after that long)."""


class Failed(Exception):
    """A command that cannot go on: its message is printed, the exit code is 1."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments (None: `sys.argv[1:]`).

    Returns:
        the exit code: 0 done, 1 failing documents, a failed migration or a held lock.
    """
    arguments = _parser().parse_args(argv)
    sys.path.insert(0, os.getcwd())  # `package.module:Model` and migrations import the project
    try:
        result: int = arguments.run(arguments)
    except Failed as failure:
        print(f"odmantic: {failure}", file=sys.stderr)
        return 1
    except (PyMongoError, ValueError) as error:  # the server, or an argument it refused
        print(f"odmantic: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odmantic", description=(__doc__ or "").split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def connection(command: argparse.ArgumentParser) -> None:
        command.add_argument("--uri", default=os.environ.get(URI_ENV_VAR), help=f"MongoDB URI (default: ${URI_ENV_VAR})")  # fmt: skip
        command.add_argument("--database", required=True, help="database name")

    check = commands.add_parser("check", help="report the documents that no longer load")
    connection(check)
    check.add_argument("model", help="the model, as package.module:Model")
    check.add_argument("--limit", type=int, default=None, help="check at most N documents")
    check.set_defaults(run=_check)

    migrate = commands.add_parser("migrate", help="create and run migrations")
    actions = migrate.add_subparsers(required=True, metavar="ACTION")
    new = actions.add_parser("new", help="write a new migration module")
    new.add_argument("name", help="what the migration does (add_level)")
    new.add_argument("--sync", action="store_true", help="plain def functions (SyncEngine)")
    new.set_defaults(run=_new)
    up = actions.add_parser("up", help="apply the pending migrations in order")
    up.add_argument("--to", default=None, help="stop after this migration")
    up.set_defaults(run=_up)
    down = actions.add_parser("down", help="revert the last migrations applied")
    down.add_argument("--steps", type=int, default=1, help="how many (default 1)")
    down.set_defaults(run=_down)
    state = actions.add_parser("status", help="list applied, pending and changed migrations")
    state.set_defaults(run=_status)
    for action in (new, up, down, state):
        action.add_argument("--path", type=Path, default=Path("migrations"), help="folder")
    for action in (up, down, state):
        connection(action)
    return parser


# --- check -----------------------------------------------------------------------------------
def _check(arguments: argparse.Namespace) -> int:
    model = _import_model(arguments.model)
    if arguments.limit is not None and arguments.limit < 1:
        raise Failed(f"--limit {arguments.limit}: check at least one document")
    with _client(arguments) as client:
        engine = SyncEngine(client=client, database=arguments.database)
        progress = sys.stderr.isatty()
        report = engine.check_documents(model, limit=arguments.limit, progress=progress)
    print(report)
    return 0 if report.ok else 1


def _import_model(spec: str) -> Any:
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise Failed(f"{spec!r}: give the model as package.module:Model")
    try:
        model = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise Failed(f"{spec}: {exc}") from exc
    if not hasattr(model, "__odmantic_schema__") or model.__odmantic_schema__.is_embedded:
        raise Failed(f"{spec} is not an odmantic Model")
    return model


def _client(arguments: argparse.Namespace) -> MongoClient[Any]:
    if not arguments.uri:
        raise Failed(f"no MongoDB URI: give --uri or set {URI_ENV_VAR}")
    return MongoClient(arguments.uri)


# --- migrate ---------------------------------------------------------------------------------
def _new(arguments: argparse.Namespace) -> int:
    folder: Path = arguments.path
    try:
        path, text = new_file(
            folder, arguments.name, datetime.now(timezone.utc), not arguments.sync
        )
    except ValueError as exc:
        raise Failed(str(exc)) from exc
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(path)
    return 0


def _status(arguments: argparse.Namespace) -> int:
    files = _files(arguments.path)
    with _client(arguments) as client:
        records = _records(SyncEngine(client=client, database=arguments.database))
    state = status(files, records)
    rows = [
        *((f.name, f"applied {r.applied:%Y-%m-%d %H:%M:%S}") for f, r in state.applied),
        *((f.name, f"changed since applied {r.applied:%Y-%m-%d %H:%M:%S}") for f, r in state.changed),
        *((f.name, "pending") for f in state.pending),
        *((r.name, "applied, file missing") for r in state.missing),
    ]  # fmt: skip
    for name, where in rows:
        print(f"{where:<40} {name}")
    if not rows:
        print(f"no migrations in {arguments.path}")
    return 0


def _up(arguments: argparse.Namespace) -> int:
    def pending(files: list[MigrationFile], records: list[MigrationRecord]) -> list[MigrationFile]:
        return to_apply(files, status(files, records), arguments.to)

    return _migrate(arguments, "up", pending)


def _down(arguments: argparse.Namespace) -> int:
    def latest(files: list[MigrationFile], records: list[MigrationRecord]) -> list[MigrationFile]:
        return [file for file, _ in to_revert(files, records, arguments.steps)]

    return _migrate(arguments, "down", latest)


def _migrate(
    arguments: argparse.Namespace,
    direction: str,
    choose: Callable[[list[MigrationFile], list[MigrationRecord]], list[MigrationFile]],
) -> int:
    """Run `direction` of the migrations `choose` picks, in order, holding the lock."""
    files = _files(arguments.path)
    with _client(arguments) as client, _Lock(client, arguments.database) as lock:
        engine = SyncEngine(client=client, database=arguments.database)
        engine.configure_database([MigrationRecord])  # one record a name
        records = _records(engine)
        try:
            chosen = choose(files, records)
        except ValueError as exc:
            raise Failed(str(exc)) from exc
        transactions = _has_transactions(client)
        for file in chosen:
            if lock.lost:
                raise Failed(f"the lock of {LOCKS} was lost (expired or taken): stopped before {file.name}")  # fmt: skip
            _run(arguments, client, file, direction, transactions)
            print(f"{'applied' if direction == 'up' else 'reverted'} {file.name}")
    if not chosen:
        print("nothing to apply" if direction == "up" else "nothing to revert")
    return 0


def _files(folder: Path) -> list[MigrationFile]:
    if not folder.is_dir():
        raise Failed(f"no migrations folder {folder} (give --path, or run `migrate new` first)")
    try:
        return migration_files(folder)
    except ValueError as exc:
        raise Failed(str(exc)) from exc


def _records(engine: SyncEngine) -> list[MigrationRecord]:
    return engine.find(MigrationRecord).to_list()


def _run(
    arguments: argparse.Namespace,
    client: MongoClient[Any],
    file: MigrationFile,
    direction: str,
    transactions: bool,
) -> None:
    """Run `up` or `down` of one migration and record it, in one transaction when the
    deployment has them (`transactions`) and the module does not say `transactional = False`.

    Raises:
        Failed: the migration raised: nothing of it is recorded (and, in a transaction,
            nothing of it is written).
    """
    module = _load(file)
    function = getattr(module, direction, None)
    if not callable(function):
        raise Failed(f"{file.path}: no {direction}() function")
    in_transaction = transactions and bool(getattr(module, "transactional", True))
    record = _bookkeeping(file, direction)
    try:
        if inspect.iscoroutinefunction(function):
            asyncio.run(_run_async(arguments, function, record, in_transaction))
        else:
            engine = SyncEngine(client=client, database=arguments.database)

            def work(scope: Any) -> None:
                function(scope)
                record(scope)

            if in_transaction:
                engine.with_transaction(work)
            else:
                work(engine)
    except Exception as exc:
        raise Failed(f"{file.path}: {direction}() failed: {type(exc).__name__}: {exc}") from exc


async def _run_async(
    arguments: argparse.Namespace,
    function: Callable[[Any], Any],
    record: Callable[[Any], Any],
    in_transaction: bool,
) -> None:
    """An `async def` migration: with an `AIOEngine` of its own (an event loop of its own)."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(arguments.uri)
    engine = AIOEngine(client=client, database=arguments.database)

    async def work(scope: Any) -> None:
        await function(scope)
        await record(scope)

    try:
        await (engine.with_transaction(work) if in_transaction else work(engine))
    finally:
        await client.close()


def _bookkeeping(file: MigrationFile, direction: str) -> Callable[[Any], Any]:
    """What records a migration `direction` ran, given the engine or transaction it ran in
    (a coroutine for the coroutine engine)."""
    if direction == "up":
        now = datetime.now(timezone.utc)
        record = MigrationRecord(name=file.name, applied=now, checksum=file.checksum)
        return lambda scope: scope.save(record)
    return lambda scope: scope.remove(MigrationRecord, MigrationRecord.name == file.name)


def _load(file: MigrationFile) -> Any:
    spec = importlib.util.spec_from_file_location(f"odmantic_migration_{file.number}", file.path)
    if spec is None or spec.loader is None:
        raise Failed(f"{file.path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs: pydantic resolves its models' annotations in it.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[spec.name]
        raise Failed(f"{file.path}: cannot import it: {type(exc).__name__}: {exc}") from exc
    return module


def _has_transactions(client: MongoClient[Any]) -> bool:
    return has_transactions(client.admin.command("hello"))


class _Lock:
    """The lock of `migrate up` and `down`: one document with an owner and an expiry, taken
    and released atomically, so that two runs at once cannot both apply migrations."""

    def __init__(self, client: MongoClient[Any], database: str) -> None:
        self.collection = client[database][LOCKS]
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, daemon=True)
        self.lost = False
        """The lock expired or was taken meanwhile (a clock far off, a run stalled for
        longer than `LOCK_FOR`): the run stops before its next migration."""

    def _beat(self) -> None:
        """Renew the lock while a migration runs (however long), until released."""
        while not self._stop.wait(LOCK_FOR.total_seconds() / 3):
            try:
                self.lost = self.lost or not self.renew()
            except PyMongoError:
                pass  # tried again at the next beat; the lock holds LOCK_FOR meanwhile

    def __enter__(self) -> _Lock:
        now = datetime.now(timezone.utc)
        try:  # takes a free or expired lock; the upsert clashes with a lock held by another
            self.collection.find_one_and_update(
                {"_id": "migrate", "expires": {"$lt": now}},
                {"$set": {"owner": self.owner, "expires": now + LOCK_FOR}},
                upsert=True,
            )
        except DuplicateKeyError:
            held = self.collection.find_one({"_id": "migrate"}) or {}
            raise Failed(
                f"another migration run holds the lock ({held.get('owner')}, until "
                f"{held.get('expires')}); wait for it, or delete the document "
                f"{{'_id': 'migrate'}} of {LOCKS} if that run crashed"
            ) from None
        self._heartbeat.start()
        return self

    def renew(self) -> bool:
        """Hold the lock `LOCK_FOR` longer; False if this run no longer holds it."""
        expires = datetime.now(timezone.utc) + LOCK_FOR
        renewed = self.collection.update_one(
            {"_id": "migrate", "owner": self.owner}, {"$set": {"expires": expires}}
        )
        return renewed.matched_count == 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._heartbeat.join()
        self.collection.delete_one({"_id": "migrate", "owner": self.owner})


if __name__ == "__main__":
    sys.exit(main())
