"""The 10 Hz loop: sample the lab, build views, diff them into a frame, hand it on.

Each tick: reap, read /proc for every lab process, join with worker reports,
diff against the previous tick, serialise once, and give the text to the
``publish`` callback (the web side's broadcaster). Nothing here knows about
websockets or clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import platform
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..control.commands import Focus
from ..control.experiments import Experiments
from ..control.lab import Lab, LabProcess
from ..control.messages import StackRange
from ..control.runs import FRAME_CONSOLE, Runs
from ..host import this_host
from ..lesson.runner import LessonRunner
from ..protocol import HostView, ProcessView, Role, ServerInfo, Snapshot, encode_regions
from ..settings import Settings
from .dumps import LANE, ViewDumps
from .history import History
from .joined import KeptParts
from .lanes import LANE_SECONDS, Lanes
from .pages import CounterPages
from .patches import diff_process
from .registers import registers_readable
from .sampling import Sampler, frames_readable
from .views import RegionCache, ThreadCache, process_view

log = logging.getLogger("ptlab.frames")
SNAPSHOT_EVENTS = 20
# Even when nothing moved, a process's view is rebuilt this often (staggered
# by PID): the counter's physical page can change under it (the kernel
# migrates or merges pages) without any report or /proc stat saying so.
RECHECK_TICKS = 50
# A thread's lane history goes out in GET /api/state only: streamed, each
# frame's ``load`` is the next point, and a viewer draws its own lanes.
NO_HISTORY = {"threads": {"__all__": LANE}}
# One encoder for every frame: json.dumps with options builds a new one on each call.
_FRAME_TEXT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


QUIET = '"changed":[],"removed":[],"events":[]'


def frame_text(frame: dict[str, Any]) -> str:
    """A frame as JSON, as ``_FRAME_TEXT`` writes it: a quiet one (nothing changed) from a template.

    Nearly every frame of a quiet lab is quiet, and the encoder, called once a tick with the
    caches cold, took 50 µs of a 1 x 1 lab's 400 µs tick for those 90 bytes.
    """
    if len(frame) == 6 and not (frame["changed"] or frame["removed"] or frame["events"]):
        return f'{{"type":"frame","seq":{frame["seq"]},"ts":{frame["ts"]!r},{QUIET}}}'
    return _FRAME_TEXT(frame)


def host_view() -> HostView:
    """Whose kernel this server's figures belong to."""
    host = this_host()
    return HostView(kind=host.kind, name=host.name, kernel=platform.release())


class FrameBuilder:
    """Owns the current picture of the lab and turns each change of it into one frame."""

    def __init__(
        self,
        lab: Lab,
        experiments: Experiments,
        settings: Settings,
        publish: Callable[[str], None],
        focus: Focus | None = None,
        lesson: LessonRunner | None = None,
        runs: Runs | None = None,
    ) -> None:
        self.lab = lab
        self.runs = runs
        self._run_sent = 0
        self.lesson = lesson
        self._lesson_sent = lesson.version if lesson else 0
        self.experiments = experiments
        self.focus = focus or Focus()
        self._focus_sent = self.focus.version
        self.settings = settings
        self.publish = publish
        self.seq = 0
        self.views: dict[int, ProcessView] = {}
        self.regions = RegionCache()
        self.threads = ThreadCache()
        self.dumps = ViewDumps()
        self.sampler = Sampler()
        self.lanes = Lanes(round(LANE_SECONDS * settings.hz))
        self.history = History(seconds=settings.history_minutes * 60, max_bytes=settings.history_mib << 20)
        self._stacks: dict[int, tuple[StackRange, ...]] = {}  # as the maps were last forced for
        self._reported: dict[int, tuple[object, ...]] = {}  # each thread's (tid, activity, stack)
        self._threads_seen: dict[int, int] = {}  # the threads_version the two above are of
        self._versions: dict[int, int] = {}
        self._samples: dict[int, object] = {}
        self._inputs: dict[int, tuple[object, ...]] = {}
        self.pages = CounterPages(self.sampler.page)
        self._dumps: dict[int, dict[str, Any]] = {}  # last frame's views, as sent
        self._new_regions: set[int] = set()  # processes whose regions changed this tick
        self._last_event = 0
        # the measurement results last sent, by frame key: a new measurement is a new object
        self._measured_sent: dict[str, object] = {}
        self._task: asyncio.Task[None] | None = None
        self._snapshot_text: tuple[tuple[int, Role] | None, str] = (None, "")
        # each process's part of a snapshot, kept while its view is the same object
        self._parts: KeptParts[ProcessView] = KeptParts(lambda v: v.model_dump_json(exclude=NO_HISTORY))
        # the last 5 s of ticks at 10 Hz: a recent mean, so changes in load show quickly
        self.tick_seconds: deque[float] = deque(maxlen=50)
        self.server_info = ServerInfo(
            pid=os.getpid(),
            hz=settings.hz,
            max_processes=settings.max_processes,
            max_threads=settings.max_threads,
            cpus=os.cpu_count() or 1,
            pagemap=frames_readable(),
            registers=registers_readable(),
            code=runs.code_allowed if runs else False,
            isolation=runs.isolation if runs else None,
            host=host_view(),
        )

    # ---- loop -------------------------------------------------------------
    def start(self) -> None:
        """Start ticking at the configured rate."""
        self._task = asyncio.create_task(self._run(), name="ptlab-frames")

    async def stop(self) -> None:
        """Stop ticking and close the sampler's descriptors."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sampler.close()

    async def _run(self) -> None:
        period = 1.0 / self.settings.hz
        next_at = time.monotonic()
        while True:
            try:
                self.tick()
            except Exception:  # a bad tick must not stop the stream for everyone
                log.exception("tick failed")
            next_at += period
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind: skip, never burst
                next_at = time.monotonic()
                delay = 0
            await asyncio.sleep(delay)

    # ---- one tick -----------------------------------------------------------
    def collect(self, fresh: bool = False) -> dict[int, ProcessView]:
        """Read /proc for every lab process and join it with worker reports (``fresh``: maps too)."""
        self.lab.reap_if_due()
        self.sampler.next_tick()
        self._new_regions = set()
        self.pages.lab_is(self.lab.procs.keys())
        views: dict[int, ProcessView] = {}
        for proc in list(self.lab.procs.values()):
            view = self._view(proc, fresh)
            if view is not None:
                views[proc.pid] = view
        # every pid looked at this tick is in _versions: equal keys leave nothing to forget
        if views.keys() != self._versions.keys():
            keep = set(views)
            self.regions.forget(keep)
            self.threads.forget(keep)
            self.dumps.forget(keep)
            self.sampler.forget(keep)
            for cache in (
                self._stacks,
                self._reported,
                self._threads_seen,
                self._versions,
                self._samples,
                self._inputs,
                self.pages.kept,
            ):
                for pid in [p for p in cache if p not in keep]:
                    del cache[pid]
        return views

    def _view(self, proc: LabProcess, fresh: bool) -> ProcessView | None:
        """This tick's view of one process; the last one itself when nothing it is made of changed."""
        pid = proc.pid
        moved = self._versions.get(pid) != proc.version
        if moved:
            self._versions[pid] = proc.version
        if self._threads_seen.get(pid) != proc.threads_version:
            self._threads_seen[pid] = proc.threads_version
            stacks = tuple(t.stack for t in proc.threads.values()) + proc.inherited
            # a thread started or ended: its stack was (un)mapped, read the maps now
            force = fresh or self._stacks.get(pid) != stacks
            self._stacks[pid] = stacks
            self._reported[pid] = tuple((t.tid, t.activity, t.stack) for t in proc.threads.values())
        else:
            stacks, force = self._stacks[pid], fresh
        sample = self.sampler.sample(pid, force_maps=force) if proc.status == "running" else None
        last = self.views.get(pid)
        # The usual tick: the sampler saw nothing new, the worker said nothing new.
        still = last is not None and not (moved or force) and sample is self._samples.get(pid)
        if still and (sample is None or (self.seq + pid) % RECHECK_TICKS):
            return last
        self._samples[pid] = sample
        if sample is None:
            # a process still starting is not introduced yet: nothing true to show
            return None if proc.status == "starting" else process_view(proc, None, [], last)
        regions, regions_changed = self.regions.regions(proc.pid, sample.maps, stacks)
        if regions_changed:
            self._new_regions.add(proc.pid)
        counter = proc.counter
        # the counter's page: its frame where this server may read frames, and, for every user,
        # whether only this process maps it (copy-on-write without privileges)
        frame, exclusive = None, None
        if counter:
            recheck = not (self.seq + pid) % RECHECK_TICKS
            frame, exclusive = self.pages.page(pid, counter.address, force or recheck)
        frame = frame if self.server_info.pagemap else None
        inputs = (
            sample.ppid,
            sample.name,
            sample.state,
            sample.rss,
            sample.threads,
            frame,
            exclusive,
            counter,  # replaced, never changed in place, by each worker report
            len(proc.races),
            proc.races[-1] if proc.races else None,
            proc.stepped,  # replaced by each report, like the counter
            self._reported[pid],  # a new tuple only when the threads changed
        )
        if last is not None and not regions_changed and self._inputs.get(proc.pid) == inputs:
            return last  # the diff below is then an identity check
        self._inputs[proc.pid] = inputs
        clip = functools.partial(self.regions.clipped, proc.pid)
        return process_view(proc, sample, regions, last, (frame, exclusive), clip, self.threads)

    def _changes(
        self, views: dict[int, ProcessView]
    ) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """What changed since the last frame: whole views for new or just-exited processes, else patches."""
        changed: list[dict[str, Any]] = []
        dumps: dict[int, dict[str, Any]] = {}
        for pid, v in views.items():
            old = self.views.get(pid)
            if old is v:
                dumps[pid] = self._dumps[pid]
                continue
            dumps[pid] = d = self.dumps.dump(v)
            if old is None or old.status != v.status:
                changed.append(v.model_dump(mode="json", exclude=NO_HISTORY))  # whole: new, or just exited
                continue
            patch = diff_process(self._dumps[pid], d)
            if pid in self._new_regions:
                patch = patch or {"pid": pid, "patch": True}
                patch["regions"] = encode_regions(v.regions or [])
            if patch is not None:
                changed.append(patch)
        return changed, dumps

    def tick_now(self) -> None:
        """A tick at once, with /proc re-read: something just changed the lab."""
        self.tick(fresh=True)

    def tick(self, fresh: bool = False) -> dict[str, Any]:
        """Take one sample, publish what changed (as a Frame), return the frame.

        ``fresh`` re-reads every process's maps now rather than on its turn:
        after a command, whatever it mapped (a stack, shared memory) shows at once.
        """
        t0 = time.thread_time()  # CPU time of this (the event loop's) thread: the tick's real cost
        views = self.collect(fresh)
        changed, dumps = self._changes(views)
        removed = [pid for pid in self.views if pid not in views]
        events = [e.model_dump(mode="json") for e in self.lab.events.after(self._last_event)]
        if events:
            self._last_event = events[-1]["id"]
        self.views = views
        self._dumps = dumps
        self.lanes.record(views)
        self.seq += 1
        frame: dict[str, Any] = {
            "type": "frame",
            "seq": self.seq,
            "ts": time.time(),
            "changed": changed,
            "removed": removed,
            "events": events,
        }
        if self.focus.version != self._focus_sent:
            self._focus_sent = self.focus.version
            frame["focus"] = self.focus.view.model_dump(mode="json")
        if self.lesson is not None and self.lesson.version != self._lesson_sent:
            self._lesson_sent = self.lesson.version
            view = self.lesson.view()
            if view is None:
                frame["lesson_off"] = True
            else:
                frame["lesson"] = view.model_dump(mode="json")
        if self.runs is not None and self.runs.version != self._run_sent:
            self._run_sent = self.runs.version
            run = self.runs.view(FRAME_CONSOLE)
            if run is not None:
                frame["run"] = run.model_dump(mode="json")
        ex = self.experiments
        measured = {"costs": ex.costs_result, "switch_sweep": ex.switch_sweep_result}
        for key, result in measured.items():
            if result is not None and result is not self._measured_sent.get(key):
                self._measured_sent[key] = result
                frame[key] = result.model_dump(mode="json")
        # Built as plain dicts and dumped once for every client: the Frame model documents the shape.
        text = frame_text(frame)
        self.publish(text)
        if self.history.seconds > 0:
            self.history.add(False, self.seq, frame["ts"], text, events)
            if self.history.due(frame["ts"]):
                self.history.add(True, self.seq, frame["ts"], self.snapshot_json("viewer"))
        self.tick_seconds.append(time.thread_time() - t0)
        return frame

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The snapshot as sent on a websocket, serialised once per tick and role however many ask.

        Each process's part is kept while its view is the same object (a still process keeps its
        view from tick to tick): a snapshot of 32 still processes, for a joiner or the history's
        keyframe, joins kept text instead of serialising every region again.
        """
        key = (self.seq, role)
        if self._snapshot_text[0] != key:
            shell = self.snapshot(role).model_dump_json(exclude={"processes"})
            self._snapshot_text = (key, self._parts.snapshot(shell, self.views))
        return self._snapshot_text[1]

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The full current picture (``lanes``: with each thread's CPU history)."""
        views = list(self.views.values())
        return Snapshot(
            seq=self.seq,
            ts=time.time(),
            role=role,
            server=self.server_info,
            processes=[self.lanes.process(v) for v in views] if lanes else views,
            events=self.lab.events.latest(SNAPSHOT_EVENTS),
            costs=self.experiments.costs_result,
            switch_sweep=self.experiments.switch_sweep_result,
            focus=self.focus.view,
            lesson=self.lesson.view() if self.lesson else None,
            run=self.runs.view(FRAME_CONSOLE) if self.runs else None,
        )

    def tick_cpu_ms(self) -> float:
        """Mean CPU time of one tick over the recent ticks, ms."""
        ticks = list(self.tick_seconds)
        return 1000 * sum(ticks) / len(ticks) if ticks else 0.0
