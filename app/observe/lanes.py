"""Each thread's recent CPU use, tick by tick: what the CPU lanes draw and /api/state reports.

Only bookkeeping of figures the sampler already read (schedstat run time
per tick, the CPU a thread last ran on); nothing here reads /proc.

Kept per process as runs of ticks: a process whose view is the same object as the tick before
(nothing about it changed, so neither did its threads' loads) only lengthens its last run. A tick
of a still lab costs one step per process, not one per thread (256 at 32 × 8).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..protocol import ProcessView, ThreadView

LANE_SECONDS = 30


@dataclass
class _Run:
    """Ticks in a row over which a process's view stayed the same object."""

    view: ProcessView
    loads: dict[int, tuple[float, int]]  # tid → (load, cpu) over the run
    ticks: int = 1


@dataclass
class _Process:
    runs: deque[_Run] = field(default_factory=deque)
    ticks: int = 0  # over all its runs: at most the lanes' length
    first_seen: dict[int, int] = field(default_factory=dict)  # tid → its first tick, counted from the end


class Lanes:
    """The last ``ticks`` loads and CPUs of every thread, oldest first."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks
        self._procs: dict[int, _Process] = {}
        self._tick = 0

    def record(self, views: dict[int, ProcessView]) -> None:
        """Add this tick's load and CPU of every running thread; forget processes that are gone."""
        self._tick += 1
        for pid, view in views.items():
            proc = self._procs.get(pid)
            if proc is None:
                proc = self._procs[pid] = _Process()
            last = proc.runs[-1] if proc.runs else None
            if last is not None and last.view is view:
                last.ticks += 1
            else:
                loads = {t.tid: (t.load, t.cpu) for t in view.threads}
                for tid in [tid for tid in proc.first_seen if tid not in loads]:
                    del proc.first_seen[tid]  # gone: a thread that comes back starts a new lane
                for tid in loads:
                    proc.first_seen.setdefault(tid, self._tick)
                proc.runs.append(_Run(view, loads))
            proc.ticks += 1
            while proc.ticks > self.ticks:  # the oldest tick falls off the lanes
                first = proc.runs[0]
                first.ticks -= 1
                proc.ticks -= 1
                if not first.ticks:
                    proc.runs.popleft()
        if len(views) != len(self._procs):
            for pid in [pid for pid in self._procs if pid not in views]:
                del self._procs[pid]

    def lane(self, pid: int, tid: int) -> tuple[list[float], list[int]] | None:
        """One thread's loads and CPUs, oldest first, since it was first seen (None: not known)."""
        proc = self._procs.get(pid)
        if proc is None or tid not in proc.first_seen or tid not in proc.runs[-1].loads:
            return None
        # ticks before the thread appeared are not its lane
        skip = max(0, proc.ticks - (self._tick - proc.first_seen[tid] + 1))
        loads: list[float] = []
        cpus: list[int] = []
        for run in proc.runs:
            n = run.ticks
            if skip >= n:
                skip -= n
                continue
            n -= skip
            skip = 0
            load, cpu = run.loads[tid]
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
