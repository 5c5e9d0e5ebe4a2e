"""The embedded adapter (SQLite on local disk): the default store."""

from graph.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
