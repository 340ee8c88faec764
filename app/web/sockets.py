"""The websocket protocol ptlab runs under uvicorn: uvicorn's own, with a bounded kernel send buffer.

A viewer that stops reading (a laptop lid closed, a phone on a train) must not
pin memory in the server. ptlab's broadcaster holds at most one frame per
viewer, and uvicorn's ``send`` waits while the transport's buffer is over its
high-water mark (64 KiB), but Linux grows a TCP socket's send buffer by
itself up to ``net.ipv4.tcp_wmem``'s maximum (4 MiB here), so a stalled
viewer could still hold megabytes, and take minutes of ~1 KB frames to fill,
before latest-frame-wins began. Setting SO_SNDBUF turns that autotuning off
for the socket and bounds it: the kernel holds at most twice the value.

A message over the size limit is refused while it is read (its frame header
says its length), and the connection closed with 1009; first the client gets
the same ``too_large`` error message as the page's own check would send, so
every message has an answer.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from .ws import too_large

# How long a connection refused for a too-large message is read (and discarded) before it is closed.
LINGER_S = 2.0


class ExplainingServerProtocol(ServerProtocol):
    """websockets' server side, saying ``too_large`` in a text message before a 1009 close."""

    def fail(self, code: CloseCode | int, reason: str = "") -> None:
        if code == CloseCode.MESSAGE_TOO_BIG and self.state is OPEN and self.max_message_size is not None:
            self.send_frame(Frame(Opcode.TEXT, too_large(self.max_message_size).encode()))
        super().fail(code, reason)


def bounded_websocket_protocol(send_buffer: int) -> type[WebSocketsSansIOProtocol]:
    """uvicorn's websocket protocol whose sockets get SO_SNDBUF = ``send_buffer`` on upgrade."""

    class BoundedWebSocketProtocol(WebSocketsSansIOProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn builds its ServerProtocol itself; this one only adds to fail()
            self.conn.__class__ = ExplainingServerProtocol

        def handle_parser_exception(self) -> None:
            # As uvicorn's, but a lingering close: closing a socket with the rest of a too-large
            # message unread makes the kernel send a reset, and a reset can destroy the reply and
            # the close frame in the client's buffer before it reads them. So: send them, then a FIN,
            # and discard what still comes for a moment (the parser discards after a failure).
            assert self.conn.close_sent is not None
            if self.close_sent:
                return  # already lingering: uvicorn calls this again for every later chunk
            close = self.conn.close_sent
            self.queue.put_nowait(
                {"type": "websocket.disconnect", "code": close.code, "reason": close.reason}
            )
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(LINGER_S, self.transport.close)
            else:
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            super().connection_made(transport)

    return BoundedWebSocketProtocol
