"""The GraphQL schema: strawberry types, inputs, resolvers and per-request loaders.

It decides nothing and never touches storage: resolvers call the service (`graph.service`) as
the request's actor, and loaders read through its per-request `Reader`.
"""

from schema.build import build_schema

__all__ = ["build_schema"]
