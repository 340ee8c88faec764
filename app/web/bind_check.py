"""The public-bind rule, applied to the sockets this process really listens on.

Settings refuse a non-loopback PTLAB_HOST without a token of one's own, but plain
``uvicorn app.main:app --host 0.0.0.0`` binds where PTLAB_HOST never said. uvicorn
binds only after the app has started, so the check looks at the listening sockets
(psutil) for a few seconds after start, and stops the server if one is public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import sys

import psutil

from ..settings import Settings

MESSAGE = (
    "ptlab: refusing to listen on {addr} with a generated token: anyone on the network could read it "
    "from a shoulder or a log. Set PTLAB_TOKEN to a secret of your own (8 characters or more), "
    "or bind to 127.0.0.1."
)


def public_listeners(pid: int | None = None) -> list[str]:
    """Addresses of this process's listening TCP sockets that are not loopback."""
    out = []
    for conn in psutil.Process(pid).net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr:
            ip = ipaddress.ip_address(conn.laddr.ip.split("%")[0])
            if not ip.is_loopback:
                out.append(f"{conn.laddr.ip}:{conn.laddr.port}")
    return out


async def watch(settings: Settings, refused: list[str], seconds: float = 5.0) -> None:
    """For the first seconds after start: a public listener with a generated token stops the server."""
    if not settings.token_generated:
        return  # a token of one's own: any bind is allowed
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        found = public_listeners()
        if found:
            refused.append(MESSAGE.format(addr=", ".join(found)))
            print(refused[-1], file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down gracefully: lab and files cleaned up
            return
        await asyncio.sleep(0.1)
