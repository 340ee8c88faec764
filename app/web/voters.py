"""Anonymous voter ids that a client cannot mint: signed by the server, handed out with the page.

A vote counts once per browser. If the browser's id were any string it chose,
one client could be fifty voters by sending fifty cookies (one filled all
2 000 places of a question in 3.5 s). So the id is a random value with an
HMAC under a key that exists only in this server process: a forged or
altered cookie is not a voter. A new id costs a page load, which anyone can
repeat; the ballot's per-address cap (PTLAB_VOTERS_PER_ADDRESS) bounds what
that buys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# The page's anonymous voter cookie: one vote per browser, not per tab or reload.
VOTER_COOKIE = "ptlab_voter"
_MAC_BYTES = 16  # 128 bits: not to be guessed


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class VoterIds:
    """Issues and checks voter ids under a key made when the server starts (a restart re-issues them)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    @property
    def key(self) -> bytes:
        """The signing key: a lab server hands it to its relays (through Redis), so they issue its ids."""
        return self._key

    def rekey(self, key: bytes) -> None:
        """Issue and check ids under ``key`` from now on (a relay, with its lab server's key)."""
        self._key = key

    def _mac(self, value: str) -> str:
        return _b64(hmac.new(self._key, value.encode(), hashlib.sha256).digest()[:_MAC_BYTES])

    def issue(self) -> str:
        """A new voter id, as the cookie carries it."""
        value = _b64(secrets.token_bytes(16))
        return f"{value}.{self._mac(value)}"

    def verify(self, cookie: str | None) -> str | None:
        """The voter id in ``cookie`` if this server issued it, else None."""
        if not cookie or len(cookie) > 100 or cookie.count(".") != 1:
            return None
        value, mac = cookie.split(".")
        return value if hmac.compare_digest(mac.encode(), self._mac(value).encode()) else None
