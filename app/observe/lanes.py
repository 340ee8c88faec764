"""Each thread's recent CPU use, tick by tick: what the CPU lanes draw and /api/state reports.

Only bookkeeping of figures the sampler already read (schedstat run time
per tick, the CPU a thread last ran on); nothing here reads /proc.

Kept per process as runs of ticks: a process whose view is the same object as the tick before
(nothing about it changed, so neither did its threads' loads) only lengthens its last run. A tick
of a still lab costs one identity check per process, not one step per thread (256 at 32 × 8); a
run's loads are read from its view only when a lane is asked for (GET /api/state).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..protocol import ProcessView, ThreadView

LANE_SECONDS = 30


@dataclass
class _Run:
    """Ticks in a row over which a process's view stayed the same object: from ``start`` up to
    the next run's start (the last run: up to now)."""

    view: ProcessView
    start: int
    loads: dict[int, tuple[float, int]] | None = None  # tid → (load, cpu), made when a lane is asked

    def load(self, tid: int) -> tuple[float, int] | None:
        """The thread's (load, cpu) over the run; None if it was not there."""
        if self.loads is None:
            self.loads = {t.tid: (t.load, t.cpu) for t in self.view.threads}
        return self.loads.get(tid)


class Lanes:
    """The last ``ticks`` loads and CPUs of every thread, oldest first."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks
        self._procs: dict[int, deque[_Run]] = {}
        self._tick = 0

    def record(self, views: dict[int, ProcessView]) -> None:
        """Add this tick's load and CPU of every running thread; forget processes that are gone.

        A still process costs one identity check: its last run grows by being the last. A
        changed one costs one new run; runs that slid out of the window go then.
        """
        self._tick = tick = self._tick + 1
        for pid, view in views.items():
            runs = self._procs.get(pid)
            if runs is None:
                runs = self._procs[pid] = deque()
            elif runs[-1].view is view:
                continue
            runs.append(_Run(view, tick))
            while len(runs) > 1 and runs[1].start <= tick - self.ticks + 1:  # wholly out of the window
                runs.popleft()
        if len(views) != len(self._procs):
            for pid in [pid for pid in self._procs if pid not in views]:
                del self._procs[pid]

    def lane(self, pid: int, tid: int) -> tuple[list[float], list[int]] | None:
        """One thread's loads and CPUs, oldest first, since it was first seen (None: not known).

        A thread's lane starts at the oldest of the unbroken runs that show it, up to now:
        one that went and came back starts a new lane.
        """
        runs = self._procs.get(pid)
        if runs is None or runs[-1].load(tid) is None:
            return None
        first = len(runs) - 1
        while first > 0 and runs[first - 1].load(tid) is not None:
            first -= 1
        since = max(self._tick - self.ticks + 1, runs[first].start)
        loads: list[float] = []
        cpus: list[int] = []
        for i in range(first, len(runs)):
            run = runs[i]
            end = runs[i + 1].start if i + 1 < len(runs) else self._tick + 1
            n = end - max(run.start, since)
            if n <= 0:
                continue
            pair = run.load(tid)
            assert pair is not None  # every run from ``first`` on shows the thread
            load, cpu = pair
            loads += [load] * n
            cpus += [cpu] * n
        return loads, cpus

    def thread(self, pid: int, t: ThreadView) -> ThreadView:
        """The thread with its lane filled in (as /api/state sends it)."""
        lane = self.lane(pid, t.tid)
        if lane is None:
            return t
        return t.model_copy(update={"history": lane[0], "history_cpus": lane[1]})

    def process(self, p: ProcessView) -> ProcessView:
        """The process with every thread's lane filled in."""
        return p.model_copy(update={"threads": [self.thread(p.pid, t) for t in p.threads]})
