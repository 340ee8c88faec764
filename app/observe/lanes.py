"""Each thread's recent CPU use, tick by tick: what the CPU lanes draw and /api/state reports.

Only bookkeeping of figures the sampler already read (schedstat run time
per tick, the CPU a thread last ran on); nothing here reads /proc.
"""

from __future__ import annotations

from collections import deque

from ..protocol import ProcessView, ThreadView

LANE_SECONDS = 30


class Lanes:
    """The last ``ticks`` loads and CPUs of every thread, oldest first."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks
        self._lanes: dict[int, tuple[deque[float], deque[int]]] = {}

    def record(self, views: dict[int, ProcessView]) -> None:
        """Add this tick's load and CPU of every running thread; forget threads that are gone."""
        seen: set[int] = set()
        for view in views.values():
            for t in view.threads:
                lane = self._lanes.get(t.tid)
                if lane is None:
                    lane = self._lanes[t.tid] = (deque(maxlen=self.ticks), deque(maxlen=self.ticks))
                lane[0].append(t.load)
                lane[1].append(t.cpu)
                seen.add(t.tid)
        if len(seen) != len(self._lanes):
            for tid in [tid for tid in self._lanes if tid not in seen]:
                del self._lanes[tid]

    def thread(self, t: ThreadView) -> ThreadView:
        """The thread with its lane filled in (as /api/state sends it)."""
        lane = self._lanes.get(t.tid)
        if lane is None:
            return t
        return t.model_copy(update={"history": list(lane[0]), "history_cpus": list(lane[1])})

    def process(self, p: ProcessView) -> ProcessView:
        """The process with every thread's lane filled in."""
        return p.model_copy(update={"threads": [self.thread(t) for t in p.threads]})
