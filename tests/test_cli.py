"""The `odmantic` command line, run as a user runs it (subprocesses) against the real mongod:
`check`, and `migrate new|up|down|status` with failing and concurrent runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

COMMAND = [sys.executable, "-m", "odmantic.cli"]

MODELS = """
from odmantic import Model

class Hero(Model):
    model_config = {"collection": "heroes"}
    name: str
    level: int = 0
"""


def odmantic(cwd: Path, uri: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `odmantic ARGUMENTS` in `cwd`, the URI given by the environment."""
    environment = {"ODMANTIC_MONGO_URI": uri, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [*COMMAND, *arguments], cwd=cwd, env=environment, capture_output=True, text=True
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a models module."""
    (tmp_path / "heroes.py").write_text(MODELS)
    return tmp_path


@pytest.fixture
def database(mongo_uri: str, database_name: str) -> Iterator[Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    yield client[database_name]
    client.close()


def write_migration(project: Path, uri: str, name: str, body: str, *options: str) -> Path:
    """`odmantic migrate new NAME`, then `body` as the module's text."""
    created = odmantic(project, uri, "migrate", "new", name, *options)
    assert created.returncode == 0, created.stderr
    path = project / created.stdout.strip()
    path.write_text(textwrap.dedent(body))
    return path


ADD_LEVEL = """
    from heroes import Hero

    async def up(engine):
        await engine.save(Hero(name="created by up"))

    async def down(engine):
        await engine.remove(Hero, Hero.name == "created by up")
"""


def test_new_writes_a_numbered_module_with_up_and_down(project: Path, mongo_uri: str) -> None:
    first = odmantic(project, mongo_uri, "migrate", "new", "add level")
    second = odmantic(project, mongo_uri, "migrate", "new", "rename", "--sync")
    names = [Path(p.stdout.strip()).name for p in (first, second)]
    assert names[0].startswith("0001_") and names[0].endswith("_add_level.py")
    assert (
        names[1].startswith("0002_")
        and "def up(engine: SyncEngine" in (project / second.stdout.strip()).read_text()
    )


def test_up_applies_and_down_reverts(project: Path, mongo_uri: str, database: Any) -> None:
    write_migration(project, mongo_uri, "seed", ADD_LEVEL)
    applied = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert applied.returncode == 0 and "applied 0001_" in applied.stdout
    assert database.heroes.count_documents({"name": "created by up"}) == 1
    reverted = odmantic(project, mongo_uri, "migrate", "down", "--database", database.name)
    assert reverted.returncode == 0 and database.heroes.count_documents({}) == 0


def test_status_lists_applied_pending_and_changed(
    project: Path, mongo_uri: str, database: Any
) -> None:
    first = write_migration(project, mongo_uri, "first", ADD_LEVEL)
    odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    write_migration(project, mongo_uri, "second", ADD_LEVEL)
    first.write_text(first.read_text() + "\n# edited after it was applied\n")
    shown = odmantic(project, mongo_uri, "migrate", "status", "--database", database.name)
    lines = [line.split()[0] for line in shown.stdout.splitlines()]
    assert lines == ["changed", "pending"]


def test_a_failing_migration_is_rolled_back_and_not_recorded(
    project: Path, mongo_uri: str, database: Any
) -> None:
    good = write_migration(project, mongo_uri, "good", ADD_LEVEL)
    bad = write_migration(
        project,
        mongo_uri,
        "bad",
        """
        from heroes import Hero

        def up(engine):
            engine.save(Hero(name="half done"))
            raise RuntimeError("something went wrong")

        def down(engine):
            pass
        """,
        "--sync",
    )
    failed = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert failed.returncode == 1
    assert f"migrations/{bad.name}" in failed.stderr and "something went wrong" in failed.stderr
    assert database.heroes.count_documents({"name": "half done"}) == 0  # rolled back
    assert [r["name"] for r in database.odmantic_migrations.find()] == [good.stem]


def test_the_next_up_starts_from_the_failed_migration(
    project: Path, mongo_uri: str, database: Any
) -> None:
    path = write_migration(project, mongo_uri, "flaky", "def up(engine):\n    raise ValueError('x')\n", "--sync")  # fmt: skip
    assert (
        odmantic(project, mongo_uri, "migrate", "up", "--database", database.name).returncode == 1
    )
    path.write_text(textwrap.dedent(ADD_LEVEL))
    again = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert again.returncode == 0 and f"applied {path.stem}" in again.stdout


def test_two_ups_at_once_apply_a_migration_once(
    project: Path, mongo_uri: str, database: Any
) -> None:
    write_migration(
        project,
        mongo_uri,
        "slow",
        """
        import time

        from heroes import Hero

        def up(engine):
            time.sleep(2)
            engine.save(Hero(name="applied"))

        def down(engine):
            pass
        """,
        "--sync",
    )
    environment = {"ODMANTIC_MONGO_URI": mongo_uri, "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen(
            [*COMMAND, "migrate", "up", "--database", database.name],
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(), run.stderr.read() if run.stderr else "") for run in runs]
    assert sorted(code for code, _ in outcomes) == [0, 1]
    assert any("holds the lock" in error for _, error in outcomes)
    assert database.heroes.count_documents({"name": "applied"}) == 1


def test_check_reports_the_documents_that_do_not_load(
    project: Path, mongo_uri: str, database: Any
) -> None:
    database.heroes.insert_many([{"name": "ok"}, {"name": "bad", "level": "high"}, {"level": 2}])
    checked = odmantic(project, mongo_uri, "check", "--database", database.name, "heroes:Hero")
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == "Hero: 3 documents checked, 2 failing"
    assert "level: 1 document" in checked.stdout and "name: 1 document" in checked.stdout


def test_check_exits_0_when_every_document_loads(
    project: Path, mongo_uri: str, database: Any
) -> None:
    database.heroes.insert_one({"name": "ok"})
    checked = odmantic(project, mongo_uri, "check", "--database", database.name, "heroes:Hero")
    assert (checked.returncode, checked.stdout.strip()) == (0, "Hero: 1 document checked, 0 failing")  # fmt: skip


def test_a_missing_uri_is_named(project: Path) -> None:
    environment = {"PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [*COMMAND, "check", "--database", "x", "heroes:Hero"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "give --uri or set ODMANTIC_MONGO_URI" in run.stderr


def test_a_missing_migrations_folder_is_named(project: Path, mongo_uri: str) -> None:
    run = odmantic(project, mongo_uri, "migrate", "up", "--database", "x", "--path", "nowhere")
    assert run.returncode == 1 and "no migrations folder nowhere" in run.stderr


def test_down_with_nothing_applied_says_so(project: Path, mongo_uri: str, database: Any) -> None:
    write_migration(project, mongo_uri, "first", ADD_LEVEL)
    run = odmantic(project, mongo_uri, "migrate", "down", "--database", database.name)
    assert (run.returncode, run.stdout.strip()) == (0, "nothing to revert")


def test_an_interrupted_rewrite_migration_run_again_finishes_once(
    project: Path, mongo_uri: str, database: Any
) -> None:
    database.heroes.insert_many([{"name": f"h{n}", "lvl": n} for n in range(10)])
    write_migration(
        project,
        mongo_uri,
        "move level",
        """
        from pathlib import Path

        from odmantic.migration import rewrite
        from heroes import Hero

        transactional = False  # a long rewrite: safe to run again instead
        seen = Path("seen.txt")

        def move(document):
            with seen.open("a") as log:
                log.write(document["name"] + "\\n")
            if len(seen.read_text().split()) == 7 and not Path("resumed").exists():
                Path("resumed").touch()
                raise KeyboardInterrupt  # the first run is stopped here
            document["level"] = document.pop("lvl")
            return document

        def up(engine):
            rewrite(engine, Hero, move, {"level": {"$exists": False}}, batch_size=3)

        def down(engine):
            pass
        """,
        "--sync",
    )
    first = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert first.returncode != 0 and database.odmantic_migrations.count_documents({}) == 0
    again = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert again.returncode == 0 and database.heroes.count_documents({"level": {"$exists": True}}) == 10  # fmt: skip
    seen = (project / "seen.txt").read_text().split()
    # The first run wrote two batches of 3 and stopped on the 7th: only 4 documents are read
    # again (the 7th, then the 3 never read).
    assert len(seen) == 7 + 4 and sorted(set(seen)) == sorted(f"h{n}" for n in range(10))


def test_a_migration_defines_the_old_model_for_a_typed_rewrite(
    project: Path, mongo_uri: str, database: Any
) -> None:
    database.heroes.insert_one({"name": "ada", "lvl": 4})
    write_migration(
        project,
        mongo_uri,
        "typed",
        """
        from __future__ import annotations

        from odmantic import Model
        from odmantic.migration import rewrite
        from heroes import Hero

        class OldHero(Model):
            model_config = {"collection": "heroes"}
            name: str
            lvl: int

        def upgrade(old: OldHero) -> Hero:
            return Hero(name=old.name, level=old.lvl)

        def up(engine):
            rewrite(engine, Hero, upgrade, {"lvl": {"$exists": True}})
        """,
        "--sync",
    )
    run = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert run.returncode == 0, run.stderr
    assert database.heroes.find_one({}, {"_id": 0}) == {"name": "ada", "level": 4}


def test_raw_driver_calls_in_a_migration_roll_back_with_it(
    project: Path, mongo_uri: str, database: Any
) -> None:
    database.heroes.insert_one({"name": "ada", "level": 1})
    write_migration(
        project,
        mongo_uri,
        "raw",
        """
        from heroes import Hero

        async def up(engine):
            collection = engine.get_collection(Hero)
            await collection.update_many(
                {}, {"$inc": {"level": 1}}, session=engine.get_driver_session()
            )
            raise RuntimeError("stop")
        """,
    )
    failed = odmantic(project, mongo_uri, "migrate", "up", "--database", database.name)
    assert failed.returncode == 1 and database.heroes.find_one({})["level"] == 1
