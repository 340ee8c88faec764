"""Who may control the lab: the presenter token, the page's origin, and a per-client rate."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..settings import Settings
from .hosts import LOOPBACK_NAMES, origin_matches, split_host

COOKIE = "ptlab_token"


class AuthError(Exception):
    """Control refused: ``unauthorized`` (no token), ``forbidden`` (wrong one), ``locked`` (too many)."""

    def __init__(
        self, code: Literal["unauthorized", "forbidden", "locked"], message: str, retry_after: int = 0
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class Lockout:
    """Wrong tokens per client address: a few are free, then each one makes the address wait twice as long.

    While an address waits, its requests are refused without looking at the
    token they carry, so guessing costs time, not just requests: at most
    FREE + 12 guesses in the first hour from one address (waits of 1, 2, 4 …
    2 048 s), then one an hour. A quiet day forgets an address's failures.
    """

    FREE = 10
    MAX_WAIT = 3600.0
    FORGET_AFTER = 24 * 3600.0  # longer than the longest wait, or waiting it out would reset the count

    def __init__(self, max_keys: int = 4096) -> None:
        self.max_keys = max_keys
        self.entries: dict[str, tuple[int, float, float]] = {}  # address -> (failures, locked until, last)

    def wait(self, address: str, now: float | None = None) -> float:
        """Seconds ``address`` must still wait before its next token is looked at (0: none)."""
        now = time.monotonic() if now is None else now
        entry = self.entries.get(address)
        if entry is None:
            return 0.0
        if now - entry[2] > self.FORGET_AFTER:
            del self.entries[address]
            return 0.0
        return max(0.0, entry[1] - now)

    def failed(self, address: str, now: float | None = None) -> None:
        """Count one wrong token from ``address``."""
        now = time.monotonic() if now is None else now
        if address not in self.entries and len(self.entries) >= self.max_keys:
            self.entries = {a: e for a, e in self.entries.items() if e[1] > now}  # keep only the locked
        failures = self.entries.get(address, (0, 0.0, now))[0] + 1
        over = failures - self.FREE
        until = now + min(self.MAX_WAIT, 2.0 ** (over - 1)) if over > 0 else 0.0
        self.entries[address] = (failures, until, now)

    def succeeded(self, address: str) -> None:
        """The right token: forget the address's failures."""
        self.entries.pop(address, None)


def client_host(scope: Mapping[str, object]) -> str:
    """The peer's network address of a request or websocket (``?`` where the server cannot tell):
    what lockouts, rate limits and the voters' cap are counted by."""
    client = scope.get("client")
    return str(client[0]) if isinstance(client, tuple | list) and client else "?"


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so timing does not reveal the token."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def presented_token(headers: Mapping[str, str], cookies: Mapping[str, str]) -> str | None:
    """The token a request carries: ``Authorization: Bearer`` first, then the page's cookie."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return cookies.get(COOKIE)


def check_presenter(
    headers: Mapping[str, str], cookies: Mapping[str, str], settings: Settings, lockout: Lockout, address: str
) -> None:
    """Like ``check_token``, but an address that sent too many wrong tokens waits, and its wait grows."""
    wait = lockout.wait(address)
    if wait > 0:
        raise AuthError(
            "locked",
            f"too many wrong tokens from {address}; try again in {math.ceil(wait)} s",
            math.ceil(wait),
        )
    try:
        check_token(headers, cookies, settings)
    except AuthError as exc:
        if exc.code == "forbidden":  # a wrong token is a guess; no token at all is not
            lockout.failed(address)
        raise
    lockout.succeeded(address)


def check_token(headers: Mapping[str, str], cookies: Mapping[str, str], settings: Settings) -> None:
    """Raise AuthError unless the request carries the presenter token."""
    given = presented_token(headers, cookies)
    if given is None:
        raise AuthError(
            "unauthorized",
            "control needs the presenter token: send 'Authorization: Bearer TOKEN' "
            "or open the page once with ?token=TOKEN",
        )
    if not token_matches(given, settings.token):
        raise AuthError("forbidden", "the presenter token is wrong")


def origin_allowed(
    headers: Mapping[str, str], settings: Settings, hosts: frozenset[str] | None = None
) -> bool:
    """A websocket from a browser must come from this server's own page or an allowed origin.

    "Own" means an allowed host on this server's port, compared with the
    allowed hosts, never with the request's own Host header (which a
    rebinding page controls). Clients that send no Origin (scripts, tests)
    are not browsers, so no other site can be riding on a visitor's cookie.
    """
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin in settings.allowed_origins:
        return True
    _, port = split_host(headers.get("host", ""))
    return origin_matches(origin, hosts if hosts is not None else LOOPBACK_NAMES, port or settings.port)


class RateLimits:
    """One token bucket per client key, with a bounded number of keys."""

    def __init__(self, rate: float, burst: float, max_keys: int = 1024) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self.buckets: dict[str, RateLimit] = {}

    def allow(self, key: str) -> bool:
        """Take one token from ``key``'s bucket."""
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self.buckets.clear()  # forgetting is safe: a fresh bucket is still bounded
            bucket = self.buckets[key] = RateLimit(self.rate, self.burst)
        return bucket.allow()


@dataclass
class RateLimit:
    """Token bucket: ``rate`` commands per second, bursts up to ``burst``; starts full."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float | None = None  # when tokens were last counted

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def allow(self, now: float | None = None) -> bool:
        """Take one token if there is one."""
        now = time.monotonic() if now is None else now
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
