"""Join the OS view (/proc samples) with what workers report, into wire-format views."""

from __future__ import annotations

from collections.abc import Callable

from ..control.lab import LabProcess, describe_exit
from ..control.messages import StackRange
from ..protocol import ExitView, ProcessView, RegionView, RegsView, StackView, ThreadView
from .memory_map import classify, clip_stack, parse_maps
from .sampling import ProcessSample, exe_path


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


def thread_views(proc: LabProcess, sample: ProcessSample, clip: Clip) -> list[ThreadView]:
    """Threads as /proc lists them (the OS's truth), each joined with its worker's report."""
    threads: list[ThreadView] = []
    for t in sample.threads:
        w = proc.threads.get(t.tid)
        stack = None
        if w is not None and w.stack_end > w.stack_start:
            start, end = clip(w.stack)
            stack = StackView(start=start, end=end, guard=w.guard)
        regs = None
        if t.regs is not None:
            regs = RegsView(sp=t.regs.sp, pc=t.regs.pc, syscall=t.regs.syscall)
        threads.append(
            ThreadView(
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
                activity=w.activity if w is not None else "unknown",
                py_name=w.name if w is not None and w.activity == "user" else None,
                stack=stack,
                regs=regs,
            )
        )
    return threads


def process_view(
    proc: LabProcess,
    sample: ProcessSample | None,
    regions: list[RegionView],
    last: ProcessView | None,
    page: tuple[int | None, bool | None] = (None, None),
    clip: Clip | None = None,
) -> ProcessView:
    """One lab process as the class sees it: /proc's sample joined with its worker's reports."""
    if sample is None or not proc.alive:
        return exited_view(proc, last)
    frame, exclusive = page
    counter = None
    if proc.counter:
        counter = proc.counter.model_copy(update={"frame": frame, "exclusive": exclusive})
    return ProcessView(
        pid=proc.pid,
        ppid=sample.ppid,
        parent=proc.parent,
        name=sample.name,
        state=sample.state,
        status="running",
        rss=sample.rss,
        started=proc.started,
        threads=thread_views(proc, sample, clip or (lambda s: clip_stack(s, regions))),
        counter=counter,
        regions=regions,
        races=list(proc.races),
        stepped=proc.stepped,
        run=proc.run,
        probe=proc.probe,
        inner_pid=proc.inner_pid,
    )
