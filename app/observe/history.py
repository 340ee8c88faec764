"""The recent past of the stream, kept for pausing, rewinding and export: keyframes and frames.

Every frame the server sends is kept as sent (zlib-compressed), and every
``keyframe_s`` a snapshot as a viewer would get it, so any moment can be
rebuilt by a page from the keyframe before it and the frames after that,
with the same code that follows the live stream. The oldest entries go
first, when they are older than ``seconds`` or the total passes ``max_bytes``;
what is left always starts with a keyframe. Nothing here reads /proc.
"""

from __future__ import annotations

import asyncio
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import recording

# Per entry, besides its compressed text: the tuple, the bytes object, floats and ints.
ENTRY_OVERHEAD = 160


@dataclass(frozen=True, slots=True)
class Entry:
    """One message of the stream as it went out: a keyframe (snapshot) or a frame."""

    keyframe: bool
    seq: int
    ts: float
    packed: bytes  # the JSON text, zlib level 1; or as it is, when short (it starts with "{")

    @property
    def text(self) -> str:
        """The message as it was sent."""
        if self.packed[:1] == b"{":  # zlib's output starts with 0x78, never with "{"
            return self.packed.decode()
        return zlib.decompress(self.packed).decode()


# Frames shorter than this are kept as they are: a quiet lab's frame (90 bytes) packs to
# about the same size, and setting up a compressor was a twentieth of its tick.
KEEP_AS_IS = 256


def pack(data: bytes, large: bool) -> bytes:
    """zlib level 1; a frame with a 4 KiB window and little memory; a short frame as it is.

    zlib.compress sets up 256 KiB of state each call: 70 µs here for a 90-byte idle frame,
    ten times a second, a sixth of a quiet lab's whole tick. A frame is small and its
    repeats are near (thread after thread): a 4 KiB window packs it as well, at a tenth of
    the cost. A snapshot (every 10 s) keeps the full window.
    """
    if large:
        return zlib.compress(data, 1)
    if len(data) < KEEP_AS_IS:
        return data
    packer = zlib.compressobj(1, zlib.DEFLATED, 12, 4)
    return packer.compress(data) + packer.flush()


@dataclass(frozen=True, slots=True)
class Mark:
    """An event on the timeline: what happened, when, to whom."""

    ts: float
    seq: int
    kind: str
    pid: int | None
    tid: int | None


@dataclass
class History:
    """Keyframes and frames of the last ``seconds``, at most ``max_bytes`` together."""

    seconds: float
    max_bytes: int
    keyframe_s: float = 10.0
    entries: deque[Entry] = field(default_factory=deque)
    marks: deque[Mark] = field(default_factory=deque)
    bytes: int = 0
    dropped: int = 0
    _last_keyframe: float = float("-inf")

    def due(self, ts: float) -> bool:
        """Whether the next message should be a keyframe (one every ``keyframe_s``, and the first)."""
        return ts - self._last_keyframe >= self.keyframe_s

    def add(self, keyframe: bool, seq: int, ts: float, text: str, events: list[dict] | None = None) -> None:
        """Keep one message (a snapshot when ``keyframe``), and the events it carried, then trim."""
        entry = Entry(keyframe, seq, ts, pack(text.encode(), keyframe))
        if keyframe:
            self._last_keyframe = ts
        self.entries.append(entry)
        self.bytes += len(entry.packed) + ENTRY_OVERHEAD
        for e in events or ():
            self.marks.append(Mark(e.get("ts", ts), seq, e.get("kind", ""), e.get("pid"), e.get("tid")))
        self._trim(ts)

    def _trim(self, now: float) -> None:
        entries = self.entries
        while entries and (self.bytes > self.max_bytes or entries[0].ts < now - self.seconds):
            self._pop()
        # What is kept must start with a keyframe: frames before it cannot be rebuilt.
        while entries and not entries[0].keyframe:
            self._pop()
        start = entries[0].ts if entries else now
        while self.marks and self.marks[0].ts < start:
            self.marks.popleft()

    def _pop(self) -> None:
        gone = self.entries.popleft()
        self.bytes -= len(gone.packed) + ENTRY_OVERHEAD
        self.dropped += 1

    @property
    def start(self) -> float | None:
        """When the kept past begins (its first keyframe), or None before the first."""
        return self.entries[0].ts if self.entries else None

    @property
    def end(self) -> float | None:
        """The newest message's time."""
        return self.entries[-1].ts if self.entries else None

    def span(self, start: float | None = None, end: float | None = None) -> Iterator[Entry]:
        """The messages that rebuild ``start``..``end``: from the last keyframe at or before ``start``."""
        entries = list(self.entries)
        first = 0
        if start is not None:
            for i, e in enumerate(entries):
                if e.ts > start:
                    break
                if e.keyframe:
                    first = i
        for e in entries[first:]:
            if end is not None and e.ts > end:
                break
            yield e

    async def export(self, start: float, end: float, host: recording.HostFacts) -> bytes:
        """``start``..``end`` as a .ptlab file (from the keyframe before ``start``)."""
        entries = list(self.span(start, end))  # taken here: the tick appends to the history meanwhile
        # Unpacking and packing 15 minutes takes a second: off the event loop, which serves the class.
        return await asyncio.to_thread(recording.write, ((e.ts, e.text) for e in entries), host)
