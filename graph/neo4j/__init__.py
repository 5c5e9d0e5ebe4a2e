"""The neo4j adapter: the store port in Cypher over the official async driver (Bolt)."""

from graph.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
