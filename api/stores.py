"""Open the store adapter the settings name. The only place `api` picks an adapter."""

from __future__ import annotations

from api.settings import Settings
from graph.store import Store


def make_store(settings: Settings) -> Store:
    if settings.store == "neo4j":
        from graph.neo4j import Neo4jStore

        return Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            settings.neo4j_retry_seconds,
        )
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir)
