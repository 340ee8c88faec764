"""What this server really listens on, found once uvicorn has bound, and the rules that depend on it.

Settings describe PTLAB_HOST and PTLAB_PORT, but plain ``uvicorn app.main:app
--host 0.0.0.0 --port 9001`` binds where they never said. uvicorn binds only
after the app has started, so the server looks at its own listening sockets
(psutil) in its first seconds, and then: a public listener with a generated
token stops the server; whether code may be run from the page is decided
(only on loopback, unless PTLAB_ALLOW_CODE says otherwise); and the URLs it
prints carry the real address and port.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from ..settings import Settings

MESSAGE = (
    "ptlab: refusing to listen on {addr} with a generated token: anyone on the network could read it "
    "from a shoulder or a log. Set PTLAB_TOKEN to a secret of your own (8 characters or more), "
    "or bind to 127.0.0.1."
)


@dataclass(frozen=True)
class Listener:
    """One listening TCP socket of this server."""

    ip: str
    port: int

    @property
    def public(self) -> bool:
        """Reachable from other machines: any address but loopback (a wildcard included)."""
        return not ipaddress.ip_address(self.ip.split("%")[0]).is_loopback

    def __str__(self) -> str:
        return f"[{self.ip}]:{self.port}" if ":" in self.ip else f"{self.ip}:{self.port}"


def listeners(pid: int | None = None) -> list[Listener]:
    """This process's listening TCP sockets."""
    return [
        Listener(c.laddr.ip, c.laddr.port)
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr
    ]


async def watch(
    settings: Settings, bound: Callable[[list[Listener]], None], refused: list[str], seconds: float = 5.0
) -> None:
    """Until uvicorn has bound (at most ``seconds``): hand its listeners to ``bound``, or refuse to run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        found = listeners()
        if found:
            public = [str(listener) for listener in found if listener.public]
            if public and settings.token_generated:
                refused.append(MESSAGE.format(addr=", ".join(public)))
                print(refused[-1], file=sys.stderr, flush=True)
                os.kill(
                    os.getpid(), signal.SIGTERM
                )  # uvicorn shuts down gracefully: lab and files cleaned up
            else:
                bound(found)
            return
        await asyncio.sleep(0.05)
