"""Which Host names this server answers to: the guard against DNS rebinding.

A page on attacker.example can make its own name resolve to 127.0.0.1 and then
talk to ptlab from the teacher's browser as if it were same-origin. Every such
request still carries ``Host: attacker.example``, so requests (HTTP and
websocket) for a host this server is not are refused before any route runs.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

import psutil
from starlette.types import ASGIApp, Receive, Scope, Send

from ..settings import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def split_host(value: str) -> tuple[str, int | None]:
    """``"Example.org:8000"`` -> ``("example.org", 8000)``; ``"[::1]:80"`` -> ``("::1", 80)``."""
    value = value.strip().lower()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return host, int(port) if port.isdigit() else None


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """Host names we answer to: loopback, the bound address (each interface's if a wildcard), settings'."""
    names: set[str] = set(LOOPBACK_NAMES)
    if settings.host in ("0.0.0.0", "::"):
        for addrs in psutil.net_if_addrs().values():
            names.update(a.address.split("%")[0].lower() for a in addrs if _is_ip(a.address.split("%")[0]))
    else:
        names.add(settings.host.lower())
    if settings.public_url:
        names.add(split_host(urlsplit(settings.public_url).netloc)[0])
    names.update(h.lower() for h in settings.allowed_hosts)
    return frozenset(names)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def origin_matches(origin: str, hosts: Iterable[str], port: int) -> bool:
    """A browser Origin that is this server: an allowed host on this server's port."""
    parts = urlsplit(origin)
    host, origin_port = split_host(parts.netloc)
    default = 443 if parts.scheme == "https" else 80
    return host in hosts and (origin_port or default) == port


class HostGuard:
    """ASGI middleware: a request whose Host is not one of ours gets 400 (HTTP) or is closed (websocket)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        host, _ = split_host(raw)
        if host in self.hosts:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "unknown host"})
            return
        body = json.dumps(
            {
                "error": "bad_host",
                "message": f"this server does not answer to host {raw[:100]!r} (a DNS-rebinding guard); "
                "if the name is yours, add it to PTLAB_ALLOWED_HOSTS",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
