"""odmantic: a MongoDB object-document mapper on pydantic v2 and PyMongo.

`AIOEngine` is the asynchronous engine (PyMongo's `AsyncMongoClient`, or Motor); `SyncEngine` is
its blocking twin (`pymongo.MongoClient`), generated from the same source.
"""

from odmantic._async.engine import AIOEngine
from odmantic._sync.engine import SyncEngine
from odmantic.bson import ObjectId, WithBsonSerializer
from odmantic.change_stream import ChangeEvent
from odmantic.field import Field
from odmantic.hooks import after_delete, after_save, before_delete, before_save
from odmantic.index import Index
from odmantic.model import EmbeddedModel, Model
from odmantic.reference import Lazy, Reference

__version__ = "2.0.0.dev0"

__all__ = [
    "AIOEngine",
    "SyncEngine",
    "Model",
    "EmbeddedModel",
    "Field",
    "Reference",
    "Lazy",
    "Index",
    "ChangeEvent",
    "ObjectId",
    "WithBsonSerializer",
    "before_save",
    "after_save",
    "before_delete",
    "after_delete",
    "__version__",
]
