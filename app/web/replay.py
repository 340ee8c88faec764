"""Serving a recording instead of a lab: ``ptlab replay FILE``.

The page, the stream and the history routes work as for a live lab, from
the recording: the stream sends its first snapshot (marked ``replay``), the
history is the whole recording, and every command is refused (read_only).
The recording stays packed as it came (app/recording.py): the history is its
index, and an export unpacks what it needs in a thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace

from pydantic import BaseModel

from ..control.errors import LabError
from ..observe.history import Mark
from ..protocol import Command, Role, Snapshot
from ..recording import MAX_FILE_BYTES, HostFacts, Message, Recording, write


@dataclass
class PackedHistory:
    """A recording as the history routes see a live history: its span, its marks, its export."""

    recording: Recording
    entries: list[Message] = field(init=False)
    marks: list[Mark] = field(init=False)
    dropped: int = 0

    def __post_init__(self) -> None:
        self.entries = self.recording.messages
        self.marks = [
            Mark(e.get("ts", m.ts), m.seq, e.get("kind", ""), e.get("pid"), e.get("tid"))
            for m in self.entries
            for e in m.events
        ]

    @property
    def start(self) -> float:
        """The first message's time."""
        return self.entries[0].ts

    @property
    def end(self) -> float:
        """The last message's time."""
        return self.entries[-1].ts

    @property
    def seconds(self) -> float:
        """A recording keeps all of its span."""
        return float("inf")

    @property
    def bytes(self) -> int:
        """The packed file's size: what the server holds of it."""
        return len(self.recording.data)

    @property
    def max_bytes(self) -> int:
        """The largest file ``ptlab replay`` reads."""
        return MAX_FILE_BYTES

    def span(self, start: float | None = None, end: float | None = None) -> list[Message]:
        """The messages that rebuild ``start``..``end``: from the last keyframe at or before ``start``."""
        first = 0
        for i, m in enumerate(self.entries):
            if start is not None and m.ts > start:
                break
            if m.keyframe:
                first = i
        return [m for m in self.entries[first:] if end is None or m.ts <= end]

    async def export(self, start: float, end: float, host: HostFacts) -> bytes:
        """``start``..``end`` as a .ptlab file: the file itself when that is all of it."""
        if start <= self.start and end >= self.end:
            return self.recording.data
        chosen = self.span(start, end)
        wanted = {m.line for m in chosen}

        def pack() -> bytes:
            texts = self.recording.texts(wanted)
            return write(((m.ts, texts[m.line]) for m in chosen), host)

        return await asyncio.to_thread(pack)


class ReplaySource:
    """What the routes and the stream ask of the frame builder, answered from a recording."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.history = PackedHistory(recording)
        self._first = recording.first.model_copy(
            update={"server": recording.first.server.model_copy(update={"replay": True})}
        )
        self.seq = self._first.seq
        self.lab = SimpleNamespace(live=list)  # no lab process is running
        self.experiments = SimpleNamespace(costs_result=self._first.costs)
        self.server_info = self._first.server  # the facts of the server that recorded it

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The recording's first picture."""
        return self._first.model_copy(update={"role": role})

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The first picture, as the stream sends it."""
        return self.snapshot(role).model_dump_json()

    def tick_cpu_ms(self) -> float:
        """Nothing is sampled."""
        return 0.0


class ReadOnlyCommands:
    """The command service of a replay: every command is refused."""

    ops: frozenset[str] = frozenset()

    async def run(self, cmd: Command) -> BaseModel:
        """Refuse, saying why."""
        raise LabError("read_only", "this is a recording being replayed: nothing in it can be changed")
