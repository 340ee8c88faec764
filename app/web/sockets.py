"""The websocket protocol ptlab runs under uvicorn: uvicorn's own, with a bounded kernel send buffer.

A viewer that stops reading (a laptop lid closed, a phone on a train) must not
pin memory in the server. ptlab's broadcaster holds at most one frame per
viewer, and uvicorn's ``send`` waits while the transport's buffer is over its
high-water mark (64 KiB), but Linux grows a TCP socket's send buffer by
itself up to ``net.ipv4.tcp_wmem``'s maximum (4 MiB here), so a stalled
viewer could still hold megabytes, and take minutes of ~1 KB frames to fill,
before latest-frame-wins began. Setting SO_SNDBUF turns that autotuning off
for the socket and bounds it: the kernel holds at most twice the value.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def bounded_websocket_protocol(send_buffer: int) -> type[WebSocketsSansIOProtocol]:
    """uvicorn's websocket protocol whose sockets get SO_SNDBUF = ``send_buffer`` on upgrade."""

    class BoundedWebSocketProtocol(WebSocketsSansIOProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            super().connection_made(transport)

    return BoundedWebSocketProtocol
