"""Migrations without I/O: the files of a migrations folder, their checksums, what `up`,
`down` and `status` do given what is recorded, and the module `new` writes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from odmantic.field import Field
from odmantic.model import Model

RECORDS = "odmantic_migrations"
"""The collection recording the migrations applied."""
LOCKS = "odmantic_migrations_lock"
"""The collection holding the lock of `odmantic migrate up` and `down`."""
_FILE = re.compile(r"^(\d{4})_(\d{8}_\d{6})_([a-z0-9_]+)\.py$")


class MigrationRecord(Model):
    """A migration applied: its name, when, and the checksum of its file then."""

    model_config = {"collection": RECORDS}

    name: str = Field(unique=True)
    applied: datetime
    checksum: str


@dataclass(frozen=True)
class MigrationFile:
    """One migration module of the folder."""

    path: Path
    number: int
    name: str

    @property
    def checksum(self) -> str:
        """The SHA-256 of the file (a change after it was applied shows in `status`)."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def matches(self, wanted: str) -> bool:
        """Whether `wanted` names this migration: its whole name, its number or its title."""
        title = _FILE.match(self.path.name)
        return wanted in (self.name, self.path.name, f"{self.number:04d}") or bool(
            title and title.group(3) == wanted
        )


def migration_files(folder: Path) -> list[MigrationFile]:
    """The migrations of `folder`, in order (`NNNN_YYYYMMDD_HHMMSS_title.py`).

    Raises:
        ValueError: two files with one number.
    """
    found = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        match = _FILE.match(path.name)
        if match:
            found.append(MigrationFile(path, int(match.group(1)), path.stem))
    numbers = [f.number for f in found]
    duplicated = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicated:
        raise ValueError(f"{folder}: two migrations numbered {duplicated[0]:04d}; renumber one")
    return found


def new_file(folder: Path, title: str, now: datetime, is_async: bool) -> tuple[Path, str]:
    """The path and text of a new migration `title` (after the last one of `folder`).

    Raises:
        ValueError: a title that is not a lowercase identifier.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    if not slug:
        raise ValueError(f"migration name {title!r}: use letters, digits and underscores")
    number = max((f.number for f in migration_files(folder)), default=0) + 1
    path = folder / f"{number:04d}_{now:%Y%m%d_%H%M%S}_{slug}.py"
    return path, _template(slug, now, is_async)


def _template(title: str, now: datetime, is_async: bool) -> str:
    engine, transaction = ("AIOEngine", "AIOTransaction")
    if not is_async:
        engine, transaction = ("SyncEngine", "SyncTransaction")
    define = "async def" if is_async else "def"
    return f'''"""Migration {title}, created {now:%Y-%m-%d %H:%M} UTC."""

from odmantic import {engine}
from odmantic.session import {transaction}

# Runs in a transaction when the deployment has them. Set to False for a long rewrite
# (MongoDB limits a transaction to 60 seconds and its writes to the oplog's size).
transactional = True


{define} up(engine: {engine} | {transaction}) -> None:
    """Bring the database to this migration's schema."""


{define} down(engine: {engine} | {transaction}) -> None:
    """Undo `up`."""
'''


@dataclass(frozen=True)
class Status:
    """Where each migration stands.

    Attributes:
        applied: applied, file unchanged.
        changed: applied, but the file changed since.
        pending: not applied, in order.
        missing: recorded as applied, but no file has its name.
    """

    applied: list[tuple[MigrationFile, MigrationRecord]]
    changed: list[tuple[MigrationFile, MigrationRecord]]
    pending: list[MigrationFile]
    missing: list[MigrationRecord]


def status(files: Sequence[MigrationFile], records: Sequence[MigrationRecord]) -> Status:
    """Compare the folder with what is recorded."""
    by_name: Mapping[str, MigrationRecord] = {r.name: r for r in records}
    applied, changed, pending = [], [], []
    for file in files:
        record = by_name.get(file.name)
        if record is None:
            pending.append(file)
        elif record.checksum == file.checksum:
            applied.append((file, record))
        else:
            changed.append((file, record))
    names = {f.name for f in files}
    missing = [r for r in records if r.name not in names]
    return Status(applied, changed, pending, missing)


def to_apply(files: Sequence[MigrationFile], state: Status, to: str | None) -> list[MigrationFile]:
    """The pending migrations `up` applies, in order (up to `to`, included).

    Raises:
        ValueError: `to` names no pending migration.
    """
    if to is None:
        return list(state.pending)
    for index, file in enumerate(state.pending):
        if file.matches(to):
            return state.pending[: index + 1]
    known = any(f.matches(to) for f in files)
    why = "is applied already" if known else "is not a migration of the folder"
    raise ValueError(f"--to {to}: {why}")


def to_revert(
    files: Sequence[MigrationFile], records: Sequence[MigrationRecord], steps: int
) -> list[tuple[MigrationFile, MigrationRecord]]:
    """The last `steps` migrations applied, the latest first, with their files.

    Raises:
        ValueError: `steps` below 1, or a migration to revert whose file is gone.
    """
    if steps < 1:
        raise ValueError(f"--steps {steps}: revert at least one migration")
    latest = sorted(records, key=lambda r: (r.applied, r.name), reverse=True)[:steps]
    by_name = {f.name: f for f in files}
    result = []
    for record in latest:
        file = by_name.get(record.name)
        if file is None:
            raise ValueError(f"{record.name} is applied but its file is gone: cannot revert it")
        result.append((file, record))
    return result


__all__ = [
    "RECORDS",
    "LOCKS",
    "MigrationRecord",
    "MigrationFile",
    "Status",
    "migration_files",
    "new_file",
    "status",
    "to_apply",
    "to_revert",
]
