"""Open the store adapter the settings name. The only place `api` picks an adapter."""

from __future__ import annotations

from api.settings import Settings
from graph.store import Store


class StoreUnavailable(RuntimeError):
    """The configured store cannot be used; the message says what to check."""


def make_store(settings: Settings) -> Store:
    if settings.store == "embedded":
        from graph.embedded import EmbeddedStore

        return EmbeddedStore(settings.data_dir)
    raise StoreUnavailable(
        f"THEMEMAP_STORE={settings.store!r}: the neo4j adapter is not available in this version; "
        "use THEMEMAP_STORE=embedded."
    )
