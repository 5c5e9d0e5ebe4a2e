"""Both adapters checked against the ports by the type checker (mypy, strict over graph/):
an adapter that drifts from `Store` or `Transaction` fails `make check`, not a user."""

from __future__ import annotations

from graph.embedded.store import EmbeddedStore
from graph.embedded.transaction import EmbeddedTransaction
from graph.neo4j.store import Neo4jStore
from graph.neo4j.transaction import Neo4jTransaction
from graph.store import Store
from graph.transaction import Transaction


def embedded_store(adapter: EmbeddedStore) -> Store:
    return adapter


def neo4j_store(adapter: Neo4jStore) -> Store:
    return adapter


def embedded_transaction(tx: EmbeddedTransaction) -> Transaction:
    return tx


def neo4j_transaction(tx: Neo4jTransaction) -> Transaction:
    return tx
