"""The GraphQL schema: strawberry types, inputs, resolvers and per-request loaders.

It talks to storage only through the store port (`graph.store.Store`).
"""

from schema.build import build_schema

__all__ = ["build_schema"]
