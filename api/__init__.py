"""The HTTP service: settings, the Starlette app and its lifespan, and the `thememap` CLI."""
