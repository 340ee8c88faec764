"""Fan-out of snapshots and frames to websocket clients: the latest frame wins.

Clients that fall behind do not queue frames: a frame a client never read is
dropped, and since frames are differences it gets a fresh snapshot instead,
so a slow laptop never grows the server's memory or delays anyone else.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..protocol import Role

# Unsent replies (acks, errors) a client may have before its reader is paused.
MAX_OUTBOX = 64
# closes under way (hang_up): kept so they are not collected before they are done
_closing: set[asyncio.Task[None]] = set()


def spare_the_fan_out() -> None:
    """Keep the garbage collector's pauses out of the fan-out's tail of delivery lag.

    The fan-out allocates for every viewer on every frame, and the collector's default thresholds
    then pause the loop often enough to show in the tail (1 000 viewers, benchmarks/: p99 95 -> 80
    ms). What is alive at start is frozen out of every collection; reference counting still frees
    everything else at once. Called once the server is set up (the lab's, or a relay's).
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class Sender(Protocol):
    """What the broadcaster needs of a websocket: sending text, and bytes (a packed snapshot); closing."""

    async def send_text(self, data: str) -> None: ...

    async def send_bytes(self, data: bytes) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(eq=False)
class Client:
    """One connected websocket and what is waiting to be sent to it."""

    ws: Sender
    role: Role
    # its page unpacks gzip (?gz=1): snapshots go packed, as one binary message; frames stay text
    packed: bool = False
    need_snapshot: bool = True
    behind: bool = False  # it missed a frame and is waiting for a snapshot to catch up
    frame: str | None = None
    outbox: deque[str] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0
    sent: int = 0
    closed: bool = False
    # the message handed to the socket and not yet taken: its size, and since when
    sending: int = 0
    sending_since: float = 0.0
    drained: asyncio.Event = field(default_factory=asyncio.Event)

    def reply(self, text: str) -> None:
        """Queue a reply (ack or error). Replies are never dropped; ``room`` bounds them."""
        self.outbox.append(text)
        self.wake.set()

    async def room(self, timeout: float) -> bool:
        """Wait until fewer than MAX_OUTBOX replies are unsent; False if the client stopped reading.

        The websocket reader calls this before taking the next message, so a
        client that sends faster than it reads is slowed down, not buffered.
        """
        return await self._until(lambda: len(self.outbox) < MAX_OUTBOX, timeout)

    async def flush(self, timeout: float) -> bool:
        """Wait until every queued reply has been handed to the socket; False on timeout."""
        return await self._until(lambda: not self.outbox and not self.sending, timeout)

    async def _until(self, done: Callable[[], bool], timeout: float) -> bool:
        # the pump sets ``drained`` each time it has sent what was queued
        deadline = time.monotonic() + timeout
        while not done() and not self.closed:
            self.drained.clear()
            self.wake.set()
            try:
                await asyncio.wait_for(self.drained.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return False
        return True


def _no_picture(role: Role) -> str:
    raise RuntimeError("the broadcaster has no snapshot source yet")


class Broadcaster:
    """Every connected client, and the one frame (or snapshot) each is due next."""

    def __init__(self, snapshot: Callable[[Role], str | None] | None = None) -> None:
        # What a joining client gets first: set when the lab behind it is (app/web/live.py, replay.py,
        # relayed.py). None: no picture yet (a relay that lost its place); the client waits for one.
        self.snapshot: Callable[[Role], str | None] = snapshot or _no_picture
        # Also handed every frame (the feed to Redis for relays): each must return at once.
        self.taps: list[Callable[[str], None]] = []
        self.clients: set[Client] = set()
        self.dropped = 0  # by clients that have gone, too
        self._packed: dict[Role, tuple[str, bytes]] = {}

    def publish(self, text: str) -> None:
        """Hand one serialised frame to every client."""
        for tap in self.taps:
            tap(text)
        for c in self.clients:
            if c.need_snapshot:
                # The snapshot it is about to get already holds this; for a
                # client that fell behind, this frame is one more it missed.
                if c.behind:
                    c.dropped += 1
                    self.dropped += 1
                continue
            if c.frame is not None:
                # Latest frame wins: a frame it never read is dropped, and
                # since frames are differences, it gets a snapshot instead.
                c.dropped += 1
                self.dropped += 1
                c.frame = None
                c.need_snapshot = c.behind = True
            else:
                c.frame = text
            c.wake.set()

    def add(self, ws: Sender, role: Role, packed: bool = False) -> Client:
        """Register a client; its first message will be a snapshot (gzip-packed if ``packed``)."""
        c = Client(ws=ws, role=role, packed=packed)
        self.clients.add(c)
        c.wake.set()
        return c

    def remove(self, c: Client) -> None:
        """Forget a client."""
        c.closed = True
        c.wake.set()
        self.clients.discard(c)

    def close(self) -> None:
        """Release every client's pump."""
        for c in list(self.clients):
            c.closed = True
            c.wake.set()

    def resync(self) -> None:
        """Every client starts again from a snapshot (the frames it has may not lead on to the next)."""
        for c in self.clients:
            c.frame = None
            c.need_snapshot = True
            c.wake.set()

    def hang_up(self, code: int, reason: str) -> None:
        """Close every client's websocket (their pages show "reconnecting" and come back by themselves)."""
        for c in list(self.clients):
            c.need_snapshot, c.frame = False, None
            task = asyncio.get_running_loop().create_task(c.ws.close(code=code, reason=reason))
            _closing.add(task)
            task.add_done_callback(_closing.discard)

    async def pump(self, c: Client) -> None:
        """Send a client's replies, snapshots and frames until it is closed."""
        while not c.closed:
            await c.wake.wait()
            c.wake.clear()
            # The picture goes before the replies, so an ack never arrives
            # ahead of the frame showing what it did.
            text = None
            if c.need_snapshot:
                text = self.snapshot(c.role)
                if text is not None:
                    c.need_snapshot = c.behind = False
                    c.frame = None
                    if c.packed:
                        await self._send(c, self.pack(c.role, text))
                        c.sent += 1
                        text = None
            elif c.frame is not None:
                text, c.frame = c.frame, None
            if text is not None:
                await self._send(c, text)
                c.sent += 1
            while c.outbox and not c.closed:
                await self._send(c, c.outbox.popleft())
            c.drained.set()

    def pack(self, role: Role, text: str) -> bytes:
        """A snapshot gzip-packed, once per picture and role however many clients join meanwhile
        (the snapshot source hands out the same string until the picture changes)."""
        done = self._packed.get(role)
        if done is None or done[0] is not text:
            done = self._packed[role] = (text, gzip.compress(text.encode(), compresslevel=6, mtime=0))
        return done[1]

    @staticmethod
    async def _send(c: Client, data: str | bytes) -> None:
        # The send waits while the socket is full (uvicorn waits for its
        # transport to drain): meanwhile ``publish`` drops this client's frames.
        c.sending, c.sending_since = len(data), time.monotonic()
        try:
            if isinstance(data, bytes):
                await c.ws.send_bytes(data)
            else:
                await c.ws.send_text(data)
        finally:
            c.sending = 0

    def stalled(self, longer_than: float = 1.0) -> int:
        """Clients whose socket has not taken a message for ``longer_than`` seconds."""
        now = time.monotonic()
        return sum(1 for c in self.clients if c.sending and now - c.sending_since > longer_than)

    def held_bytes(self) -> int:
        """What ptlab holds for clients that their sockets have not taken: bounded per client."""
        return sum(c.sending + len(c.frame or "") + sum(len(r) for r in c.outbox) for c in self.clients)
