# generated from odmantic/_async/configure.py by codegen; do not edit
"""What `configure_database` sends: indexes, change stream pre-images, sharding (each decided
by `odmantic._internal` before anything is sent)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pymongo
from pymongo.errors import OperationFailure
from pymongo.synchronous.client_session import ClientSession
from pymongo.synchronous.collection import Collection
from pymongo.synchronous.database import Database

from odmantic._internal.schema import ModelSchema
from odmantic._internal.server_errors import (
    INDEX_CONFLICTS,
    NAMESPACE_EXISTS,
    NAMESPACE_NOT_FOUND,
)
from odmantic._internal.sharding import refuse_unique_indexes, shard_commands, shard_key_index
from odmantic.index import conflicting_index, family_indexes


def create_indexes(
    collection: Collection[Any],
    indexes: Sequence[pymongo.IndexModel],
    update_existing: bool,
    session: ClientSession | None,
) -> None:
    """Create `indexes`; with `update_existing`, drop and recreate an index whose options
    differ (otherwise the conflict is raised)."""
    for index in indexes:
        try:
            collection.create_indexes([index], session=session)
        except OperationFailure as exc:
            if exc.code not in INDEX_CONFLICTS or not update_existing:
                raise
            info = collection.index_information(session=session)
            collection.drop_index(conflicting_index(info, index), session=session)
            collection.create_indexes([index], session=session)


def set_options(
    database: Database[Any],
    name: str,
    options: dict[str, Any],
    session: ClientSession | None,
) -> None:
    """Set collection `options` (a validator, change stream pre-images) on the collection
    `name`, created with them if it does not exist yet."""
    try:
        database.command({"collMod": name, **options}, session=session)
    except OperationFailure as exc:
        if exc.code != NAMESPACE_NOT_FOUND:
            raise
        try:
            database.create_collection(name, session=session, **options)
        except OperationFailure as again:
            if again.code != NAMESPACE_EXISTS:  # created meanwhile: modify it
                raise
            database.command({"collMod": name, **options}, session=session)


def check_sharded_cluster(
    database: Database[Any], models: Sequence[type[Any]]
) -> list[dict[str, Any]]:
    """The sharding commands for `models` (raises before anything is written when a model
    cannot be sharded or the server is not a mongos)."""
    schemas = [model.__odmantic_schema__ for model in models]
    for model, schema in zip(models, schemas, strict=True):
        if schema.shard_key:  # (a model without one is refused by `shard_commands`)
            refuse_unique_indexes(schema, family_indexes(model))
    hello = database.command("hello")
    return shard_commands(hello, schemas, database.name)


def shard(
    database: Database[Any],
    schemas: Sequence[ModelSchema],
    commands: list[dict[str, Any]],
    session: ClientSession | None,
) -> None:
    """Create the index of each shard key, then send the sharding `commands` to the admin
    database."""
    for schema in schemas:
        collection = database[str(schema.collection)]
        collection.create_index(shard_key_index(schema), session=session)
    admin = database.client.admin
    for command in commands:  # admin commands: never in the caller's transaction
        admin.command(command)
