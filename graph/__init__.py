"""The domain and its storage: models, the store port, and the adapters.

Nothing here imports `api`, `schema` or `seeds`; the GraphQL layer sees only the port.
"""
