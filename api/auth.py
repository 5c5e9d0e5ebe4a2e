"""API tokens: high-entropy random strings, of which only a SHA-256 hash is stored.

A fast hash is right here (unlike passwords): a token carries 256 bits of randomness,
so it cannot be guessed from its hash, and every request must check one quickly. The
stored hash is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import HTTPConnection

from api.ratelimit import FailureLimiter
from graph.models import User
from graph.service import Service

PREFIX = "tm_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(service: Service, user_id: str) -> str:
    """A new token for the user, replacing any earlier one; shown once, stored hashed."""
    token = new_token()
    await service.set_token_hash(user_id, hash_token(token))
    return token


async def authenticate(service: Service, token: str) -> User | None:
    digest = hash_token(token)
    found = await service.user_by_token_hash(digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0]


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def client_address(request: HTTPConnection) -> str:
    """The address failed authentications are counted against: the peer's, unless the peer is a
    trusted proxy (THEMEMAP_TRUSTED_PROXIES), whose X-Forwarded-For names the client: the nearest
    address in it that is not itself a trusted proxy. Anyone else's X-Forwarded-For is ignored, so
    a client cannot choose the address it is counted against."""
    trusted = request.app.state.settings.trusted_proxies
    peer = request.client.host if request.client else "unknown"
    if not _within(peer, trusted):
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _within(address, trusted):
            return address
    return forwarded[0] if forwarded else peer


def _within(address: str, networks: list[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


async def authenticate_client(service: Service, limiter: FailureLimiter, address: str, token: str) -> User | None:
    """`authenticate`, counting a bad token against the client's address; raises RateLimited
    (before looking the token up) once the address has failed too often."""
    limiter.check(address)
    user = await authenticate(service, token)
    if user is None:
        limiter.fail(address)
    return user
