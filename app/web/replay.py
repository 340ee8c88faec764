"""Serving a recording instead of a lab: ``ptlab replay FILE``.

The page, the stream and the history routes work as for a live lab, from
the recording: the stream sends its first snapshot (marked ``replay``), the
history is the whole recording, and every command is refused (read_only).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from pydantic import BaseModel

from ..control.errors import LabError
from ..observe.history import History
from ..protocol import Command, Role, Snapshot
from ..recording import Recording


class ReplaySource:
    """What the routes and the stream ask of the frame builder, answered from a recording."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.history = History(seconds=float("inf"), max_bytes=1 << 62)
        for m in recording.messages:  # each read and checked once already, by recording.read
            self.history.add(m.keyframe, m.seq, m.ts, m.text, m.events)
        first = json.loads(recording.messages[0].text)
        first["server"]["replay"] = True
        self._first = Snapshot.model_validate(first)
        self.seq = self._first.seq
        self.lab = SimpleNamespace(live=list)  # no lab process is running
        self.experiments = SimpleNamespace(costs_result=self._first.costs)

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
