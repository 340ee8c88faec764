"""Join the OS view (/proc samples) with what workers report, into wire-format views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from ..control.lab import LabProcess, describe_exit
from ..control.messages import StackRange, ThreadReport
from ..protocol import ExitView, ProcessView, RegionView, RegsView, StackView, ThreadView
from .memory_map import classify, clip_stack, parse_maps
from .sampling import ProcessSample, ThreadSample, exe_path


class RegionCache:
    """Classified regions per process, recomputed only when maps or stacks change."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[tuple[str, tuple[StackRange, ...]], list[RegionView]]] = {}
        self._exe: dict[int, str] = {}
        self._clipped: dict[int, dict[StackRange, tuple[int, int]]] = {}

    def regions(self, pid: int, maps: str, stacks: tuple[StackRange, ...]) -> tuple[list[RegionView], bool]:
        """Regions for this maps text; second value says whether they differ from last time."""
        key = (maps, stacks)
        hit = self._cache.get(pid)
        if hit is not None and hit[0] == key:
            # Keep the newest key: after a worker re-sends its threads the
            # ranges are equal but new objects, and only identical ones
            # compare without calling __eq__ for each.
            self._cache[pid] = (key, hit[1])
            return hit[1], False
        if pid not in self._exe:
            self._exe[pid] = exe_path(pid) or ""
        classified = classify(parse_maps(maps), stacks, [self._exe[pid]] if self._exe[pid] else [])
        views = [
            RegionView(
                start=r.start, end=r.end, perms=r.perms, kind=r.kind, path=r.path, guard=r.guard, tid=r.tid
            )
            for r in classified
        ]
        changed = hit is None or hit[1] != views
        if not changed:
            views = hit[1]  # same content: keep the old list, so comparing frames is an identity check
        self._cache[pid] = (key, views)
        self._clipped[pid] = {}
        return views, changed

    def clipped(self, pid: int, stack: StackRange) -> tuple[int, int]:
        """A reported stack clipped to this process's current regions (cached until they change)."""
        cache = self._clipped.setdefault(pid, {})
        if stack not in cache:
            hit = self._cache.get(pid)
            cache[stack] = clip_stack(stack, hit[1] if hit else [])
        return cache[stack]

    def forget(self, keep: set[int]) -> None:
        """Drop cached processes not in ``keep``."""
        for pid in list(self._cache):
            if pid not in keep:
                self._cache.pop(pid, None)
                self._exe.pop(pid, None)
                self._clipped.pop(pid, None)


Clip = Callable[[StackRange], tuple[int, int]]


def exited_view(proc: LabProcess, last: ProcessView | None) -> ProcessView:
    """A process that is gone keeps its last picture, marked exited with its cause."""
    code, sig, reason = (
        describe_exit(proc.exit_code)
        if proc.exit_code is not None
        else (None, None, proc.exit_reason or "gone")
    )
    base = last or ProcessView(
        pid=proc.pid, ppid=0, name="?", state="X", status="exited", rss=0, started=proc.started, threads=[]
    )
    return base.model_copy(
        update={
            "status": "exited",
            "state": "X",
            "threads": [],
            "exit": ExitView(code=code, signal=sig, reason=reason),
        }
    )


class Reported(NamedTuple):
    """What a thread's view takes from its worker's report (compared to tell whether it changed)."""

    activity: str
    name: str | None
    stack: tuple[int, int, int] | None  # start and end clipped to the maps, and the guard


def _reported(w: ThreadReport | None, clip: Clip) -> Reported | None:
    if w is None:
        return None
    stack = (*clip(w.stack), w.guard) if w.stack_end > w.stack_start else None
    return Reported(w.activity, w.name, stack)


def thread_view(proc: LabProcess, t: ThreadSample, report: Reported | None) -> ThreadView:
    """One thread as /proc shows it (the OS's truth), joined with its worker's report.

    Built with model_construct: every field comes typed from the sampler or a report already
    validated at the socket, and validating again cost a third of a counting lab's tick.
    """
    stack = None
    activity, name = "unknown", None
    if report is not None:
        activity, py, clipped = report
        name = py if activity == "user" else None
        if clipped is not None:
            start, end, guard = clipped
            stack = StackView.model_construct(start=start, end=end, guard=guard)
    regs = None
    if t.regs is not None:
        regs = RegsView.model_construct(sp=t.regs.sp, pc=t.regs.pc, syscall=t.regs.syscall)
    return ThreadView.model_construct(
        tid=t.tid,
        name=t.name,
        state=t.state,
        cpu=t.cpu,
        utime=t.utime,
        stime=t.stime,
        vcsw=t.vcsw,
        ivcsw=t.ivcsw,
        load=t.load,
        main=t.tid == proc.pid,
        activity=activity,
        py_name=name,
        stack=stack,
        regs=regs,
        history=None,
        history_cpus=None,
    )


def thread_views(proc: LabProcess, sample: ProcessSample, clip: Clip) -> list[ThreadView]:
    """Threads as /proc lists them, each joined with its worker's report."""
    return [thread_view(proc, t, _reported(proc.threads.get(t.tid), clip)) for t in sample.threads]


class _Kept(NamedTuple):
    """What one thread's view was made from, and the view."""

    sample: ThreadSample
    report: ThreadReport | None  # the worker's report object, as it came
    regions: list[RegionView]  # the regions its stack was clipped to (kept while unchanged)
    reported: Reported | None
    view: ThreadView


class ThreadCache:
    """Each thread's view, kept while the sample and the report it was made from stay the same.

    With every thread counting, a process changes every tick but only the threads that ran
    did: the others keep their view object, so neither it nor its dump is made again. Their
    stacks are not clipped again either while the report and the regions are the same objects
    (a worker re-sends its threads only when one starts or ends).
    """

    def __init__(self) -> None:
        self._kept: dict[int, dict[int, _Kept]] = {}

    def views(
        self, proc: LabProcess, sample: ProcessSample, clip: Clip, regions: list[RegionView]
    ) -> list[ThreadView]:
        """The process's threads, as thread_views makes them, old views kept where nothing changed."""
        kept = self._kept.get(proc.pid, {})
        fresh: dict[int, _Kept] = {}
        reports = proc.threads
        for t in sample.threads:
            w = reports.get(t.tid)
            hit = kept.get(t.tid)
            if hit is not None and hit.report is w and hit.regions is regions:
                if hit.sample is t:
                    fresh[t.tid] = hit
                else:
                    fresh[t.tid] = hit._replace(sample=t, view=thread_view(proc, t, hit.reported))
                continue
            report = _reported(w, clip)
            if hit is not None and hit.sample is t and hit.reported == report:
                view = hit.view  # a new report or new regions, the same stack once clipped
            else:
                view = thread_view(proc, t, report)
            fresh[t.tid] = _Kept(t, w, regions, report, view)
        self._kept[proc.pid] = fresh
        return [k.view for k in fresh.values()]

    def forget(self, keep: set[int]) -> None:
        """Drop the threads of processes not in ``keep``."""
        for pid in [p for p in self._kept if p not in keep]:
            del self._kept[pid]


def process_view(
    proc: LabProcess,
    sample: ProcessSample | None,
    regions: list[RegionView],
    last: ProcessView | None,
    page: tuple[int | None, bool | None] = (None, None),
    clip: Clip | None = None,
    threads: ThreadCache | None = None,
) -> ProcessView:
    """One lab process as the class sees it: /proc's sample joined with its worker's reports."""
    if sample is None or not proc.alive:
        return exited_view(proc, last)
    frame, exclusive = page
    counter = None
    if proc.counter:
        counter = proc.counter.model_copy(update={"frame": frame, "exclusive": exclusive})
    if clip is None:
        clip = functools.partial(clip_stack, regions=regions)
    return ProcessView(
        pid=proc.pid,
        ppid=sample.ppid,
        parent=proc.parent,
        name=sample.name,
        state=sample.state,
        status="running",
        rss=sample.rss,
        started=proc.started,
        threads=threads.views(proc, sample, clip, regions) if threads else thread_views(proc, sample, clip),
        counter=counter,
        regions=regions,
        exit=None,
        races=list(proc.races),
        stepped=proc.stepped,
        run=proc.run,
        probe=proc.probe,
        inner_pid=proc.inner_pid,
    )
