"""Serving a recording instead of a lab: ``ptlab replay FILE``.

The page, the stream and the history routes work as for a live lab, from
the recording: the stream sends its first snapshot (marked ``replay``), the
history is the whole recording, and every command is refused (read_only).
The recording stays packed as it came (app/recording.py): the history is its
index, and an export unpacks what it needs in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..control.errors import LabError
from ..observe.history import Mark
from ..protocol import (
    Command,
    CostsView,
    LessonView,
    PyStackView,
    RelayView,
    Role,
    RunView,
    ServerInfo,
    Snapshot,
    SwitchSweepView,
)
from ..recording import MAX_FILE_BYTES, HostFacts, Message, Recording, write
from .binding import Listener
from .broadcast import Broadcaster


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


READ_ONLY = "this is a recording being replayed: nothing in it can be changed"


@dataclass
class ReplayLab:
    """A recording behind the web layer's door (a ``LabPort``): its first picture, its past, and no lab."""

    recording: Recording
    replay: bool = True
    relay: bool = False

    def __post_init__(self) -> None:
        self.history = PackedHistory(self.recording)
        first = self.recording.first
        self._first = first.model_copy(update={"server": first.server.model_copy(update={"replay": True})})

    @property
    def server_info(self) -> ServerInfo:
        """The facts of the server that recorded it."""
        return self._first.server

    @property
    def seq(self) -> int:
        """The first picture's sequence number: nothing moves on."""
        return self._first.seq

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The recording's first picture."""
        return self._first.model_copy(update={"role": role})

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The first picture, as the stream sends it."""
        return self.snapshot(role).model_dump_json()

    def unready(self) -> str | None:
        """A recording always has its first picture."""
        return None

    def relay_view(self) -> RelayView | None:
        """Not a relay."""
        return None

    def running(self) -> int:
        """No lab process runs in a replay."""
        return 0

    def tick_ms(self) -> float:
        """Nothing is sampled."""
        return 0.0

    def costs(self) -> CostsView | None:
        """The costs the first picture shows, if any."""
        return self._first.costs

    def switch_sweep(self) -> SwitchSweepView | None:
        """The switch sweep the first picture shows, if any."""
        return self._first.switch_sweep

    def run_view(self) -> RunView | None:
        """The run the first picture shows, if any."""
        return self._first.run

    def run_code(self) -> str | None:
        """The source of the current (or last) run."""
        return None  # a recording keeps what the page showed, not the source

    def lesson(self) -> LessonView | None:
        """The lesson the first picture shows, if any."""
        return self._first.lesson

    def host_facts(self) -> HostFacts:
        """A recording keeps the facts of the machine it was made on."""
        return self.recording.header.host

    async def python_stack(self, pid: int, tid: int) -> PyStackView:
        """A recording has no live process to ask."""
        raise LabError("read_only", f"{READ_ONLY}; there is no live thread {tid} to ask for its stack")

    async def run(self, cmd: Command) -> BaseModel:
        """Refuse, saying why."""
        raise LabError("read_only", READ_ONLY)

    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int:
        """Nobody votes on a recording."""
        raise LabError("read_only", READ_ONLY)

    def bound(self, listeners: list[Listener]) -> bool:
        """A recording runs no code."""
        return False


@asynccontextmanager
async def replay_lab(recording: Recording, broadcaster: Broadcaster) -> AsyncIterator[ReplayLab]:
    """Serve ``recording``: joining clients get its first picture."""
    lab = ReplayLab(recording)
    broadcaster.snapshot = lab.snapshot_json
    try:
        yield lab
    finally:
        broadcaster.close()
