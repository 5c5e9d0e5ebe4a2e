"""Domain errors: every store raises these, and the GraphQL layer maps `code` to
`extensions.code` (DESIGN.md's error model). Messages say what was wrong and how to fix it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"No {kind} with id {id!r} exists; check the id.", kind=kind, id=id)


class Conflict(DomainError):
    code = "CONFLICT"


class StaleVersion(Conflict):
    def __init__(self, kind: str, id: str, expected: int, current: int) -> None:
        super().__init__(
            f"{kind} {id!r} is at version {current}, not {expected}: someone changed it since "
            "you read it. Re-read it and apply your change to the current version.",
            currentVersion=current,
            expectedVersion=expected,
        )


class LimitExceeded(DomainError):
    """The request asks for more than the service allows at once; the message and the
    extensions name the limit and its value."""

    code = "LIMIT_EXCEEDED"

    def __init__(self, message: str, limit: str, maximum: int, **extensions: Any) -> None:
        super().__init__(f"{message} (limit {limit} = {maximum}).", limit=limit, maximum=maximum, **extensions)


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class StoreUnavailable(DomainError):
    """The store cannot be reached or cannot write (server down, disk full, read-only
    files); the message says what to check. Raised when a store opens and by any
    operation meanwhile: the request failed whole, and retrying once the store is back works."""

    code = "UNAVAILABLE"
