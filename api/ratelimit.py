"""A limit on failed authentications per client address: after `limit` failures within
`window` seconds, that address's requests carrying a token are refused (HTTP 429,
RATE_LIMITED, Retry-After) until the oldest failure leaves the window. In memory, per
process: enough to slow token guessing against one server."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.responses import JSONResponse

from api.errors import error_response

MAX_ADDRESSES = 10_000
"""The most addresses tracked; past it, the one whose last failure is oldest is forgotten."""


class RateLimited(Exception):
    def __init__(self, retry_after: float, limit: int, window: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            f"Too many failed authentications from your address (limit {limit} in {window:g} s); "
            f"retry after {self.retry_after} s with a valid token."
        )

    def response(self) -> JSONResponse:
        """HTTP 429 with Retry-After."""
        return error_response(
            429, "RATE_LIMITED", str(self), headers={"Retry-After": str(self.retry_after)}, retryAfter=self.retry_after
        )


class FailureLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        """Addresses by their last failure, oldest first."""

    def check(self, address: str) -> None:
        """Raise RateLimited while `address` has used up its failures."""
        failures = self._recent(address)
        if len(failures) >= self.limit:
            raise RateLimited(failures[0] + self.window - self.clock(), self.limit, self.window)

    def fail(self, address: str) -> None:
        """Count a failure; the table never holds more than MAX_ADDRESSES, at constant cost."""
        if address not in self._failures and len(self._failures) >= MAX_ADDRESSES:
            self._failures.popitem(last=False)
        self._failures.setdefault(address, deque(maxlen=self.limit)).append(self.clock())
        self._failures.move_to_end(address)

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.get(address, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures
