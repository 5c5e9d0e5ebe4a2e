"""The GraphQL schema: strawberry types, inputs, resolvers and per-request loaders.

It decides nothing and never touches storage: resolvers call the service (`graph.service`) as
the request's actor, and loaders read through its per-request `Reader`.

`schema.build.build_schema` builds it. This package imports none of its modules itself, so
that what needs only `schema.errors` (the `thememap` command's user and seed commands, through
api.auth) starts without building the whole schema.
"""
