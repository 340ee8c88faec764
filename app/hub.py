"""The sampling loop and the fan-out of snapshots and frames to websocket clients.

Each tick: reap, read /proc for every lab process, join with worker
reports, diff against the previous tick, and hand one serialized frame to
every client. Clients that fall behind do not queue frames: the newest wins,
and a client that missed one gets a fresh snapshot instead, so a slow laptop
never grows the server's memory or delays anyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from .experiments import Experiments
from .memory_map import StackRange
from .patches import diff_process
from .protocol import EventView, ProcessView, ServerInfo, Snapshot
from .sampling import Sampler, frames_readable
from .settings import Settings
from .views import RegionCache, process_view
from .workers import Lab, LabEvent

log = logging.getLogger("ptlab.hub")
MAX_OUTBOX = 64
SNAPSHOT_EVENTS = 20


class Sender(Protocol):
    """What the hub needs of a websocket: sending text."""

    async def send_text(self, data: str) -> None: ...


@dataclass(eq=False)
class Client:
    """One connected websocket and what is waiting to be sent to it."""

    ws: Sender
    role: str
    need_snapshot: bool = True
    frame: str | None = None
    outbox: deque[str] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0
    sent: int = 0
    closed: bool = False
    drained: asyncio.Event = field(default_factory=asyncio.Event)

    def reply(self, text: str) -> None:
        """Queue a reply (ack or error). Replies are never dropped; ``room`` bounds them."""
        self.outbox.append(text)
        self.wake.set()

    async def room(self, timeout: float) -> bool:
        """Wait until fewer than MAX_OUTBOX replies are unsent; False if the client stopped reading.

        The websocket reader calls this before taking the next message, so a
        client that sends faster than it reads is slowed down, not buffered.
        """
        deadline = time.monotonic() + timeout
        while len(self.outbox) >= MAX_OUTBOX and not self.closed:
            self.drained.clear()
            try:
                await asyncio.wait_for(self.drained.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return False
        return True


def event_view(e: LabEvent) -> EventView:
    """Wire form of a lab event."""
    return EventView.model_validate(e, from_attributes=True)


class Hub:
    """Owns the current picture of the lab and every client's stream."""

    def __init__(self, lab: Lab, settings: Settings, experiments: Experiments) -> None:
        self.lab = lab
        self.experiments = experiments
        self.settings = settings
        self.seq = 0
        self.views: dict[int, ProcessView] = {}
        self.clients: set[Client] = set()
        self.regions = RegionCache()
        self.sampler = Sampler()
        self._stacks: dict[int, tuple[StackRange, ...]] = {}
        self._inputs: dict[int, tuple[object, ...]] = {}
        self._dumps: dict[int, dict[str, Any]] = {}  # last frame's views, as sent
        self._new_regions: set[int] = set()  # processes whose regions changed this tick
        self._last_event = 0
        self._costs_sent = 0
        self._task: asyncio.Task[None] | None = None
        # the last 5 s of ticks at 10 Hz: a recent mean, so changes in load show quickly
        self.tick_seconds: deque[float] = deque(maxlen=50)
        self.dropped = 0  # by clients that have gone, too
        self.server_info = ServerInfo(
            pid=os.getpid(),
            hz=settings.hz,
            max_processes=settings.max_processes,
            max_threads=settings.max_threads,
            cpus=os.cpu_count() or 1,
            pagemap=frames_readable(),
        )

    # ---- loop -------------------------------------------------------------
    def start(self) -> None:
        """Start ticking at the configured rate."""
        self._task = asyncio.create_task(self._run(), name="ptlab-hub")

    async def stop(self) -> None:
        """Stop ticking and release every client's sender."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for c in list(self.clients):
            c.closed = True
            c.wake.set()
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

    def collect(self, fresh: bool = False) -> dict[int, ProcessView]:
        """Read /proc for every lab process and join it with worker reports (``fresh``: maps too)."""
        self.lab.reap()
        self.sampler.next_tick()
        self._new_regions = set()
        views: dict[int, ProcessView] = {}
        for proc in list(self.lab.procs.values()):
            stacks = tuple(t.stack for t in proc.threads.values()) + proc.inherited
            # a thread started or ended: its stack was (un)mapped, read the maps now
            force = fresh or self._stacks.get(proc.pid) != stacks
            self._stacks[proc.pid] = stacks
            sample = self.sampler.sample(proc.pid, force_maps=force) if proc.status == "running" else None
            last = self.views.get(proc.pid)
            if sample is None:
                if proc.status == "starting":
                    continue  # not introduced yet: nothing true to show
                views[proc.pid] = process_view(proc, None, [], last)
                continue
            regions, regions_changed = self.regions.regions(proc.pid, sample.maps, stacks)
            if regions_changed:
                self._new_regions.add(proc.pid)
            counter = proc.counter
            frame = (
                self.sampler.page_frame(proc.pid, counter["address"])
                if counter and self.server_info.pagemap
                else None
            )
            # Nothing the view is made of changed: reuse it (and the diff below is an identity check).
            inputs = (
                sample.ppid,
                sample.name,
                sample.state,
                sample.rss,
                sample.threads,
                frame,
                counter,  # replaced, never changed in place, by each worker report
                len(proc.races),
                proc.races[-1] if proc.races else None,
                tuple((t.tid, t.activity, t.stack) for t in proc.threads.values()),
            )
            if last is not None and not regions_changed and self._inputs.get(proc.pid) == inputs:
                views[proc.pid] = last
                continue
            self._inputs[proc.pid] = inputs
            clip = functools.partial(self.regions.clipped, proc.pid)
            views[proc.pid] = process_view(proc, sample, regions, last, frame, clip)
        keep = set(views)
        self.regions.forget(keep)
        self.sampler.forget(keep)
        for cache in (self._stacks, self._inputs):
            for pid in [p for p in cache if p not in keep]:
                del cache[pid]
        return views

    def tick(self, fresh: bool = False) -> dict[str, Any]:
        """Take one sample, broadcast what changed (as a Frame), return the frame.

        ``fresh`` re-reads every process's maps now rather than on its turn:
        after a command, whatever it mapped (a stack, shared memory) shows at once.
        """
        t0 = time.thread_time()  # CPU time of this (the event loop's) thread: the tick's real cost
        views = self.collect(fresh)
        changed: list[dict[str, Any]] = []
        dumps: dict[int, dict[str, Any]] = {}
        for pid, v in views.items():
            old = self.views.get(pid)
            if old is v:
                dumps[pid] = self._dumps[pid]
                continue
            dumps[pid] = d = v.model_dump(mode="json", exclude={"regions"})
            if old is None or old.status != v.status:
                changed.append(v.model_dump(mode="json"))  # whole: new, or just exited
                continue
            patch = diff_process(self._dumps[pid], d)
            if pid in self._new_regions:
                patch = patch or {"pid": pid, "patch": True}
                patch["regions"] = [r.model_dump(mode="json") for r in v.regions or []]
            if patch is not None:
                changed.append(patch)
        removed = [pid for pid in self.views if pid not in views]
        events = [event_view(e).model_dump(mode="json") for e in self.lab.events_after(self._last_event)]
        if events:
            self._last_event = events[-1]["id"]
        self.views = views
        self._dumps = dumps
        self.seq += 1
        frame: dict[str, Any] = {
            "type": "frame",
            "seq": self.seq,
            "ts": time.time(),
            "changed": changed,
            "removed": removed,
            "events": events,
        }
        if self.experiments.costs_version != self._costs_sent:
            self._costs_sent = self.experiments.costs_version
            frame["costs"] = self.experiments.costs_result
        # Built as plain dicts and dumped once for every client: the Frame model documents the shape.
        self._broadcast(json.dumps(frame, separators=(",", ":"), ensure_ascii=False))
        self.tick_seconds.append(time.thread_time() - t0)
        return frame

    # ---- clients ----------------------------------------------------------
    def snapshot(self, role: str = "viewer") -> Snapshot:
        """The full current picture."""
        events = [event_view(e) for e in list(self.lab.events)[-SNAPSHOT_EVENTS:]]
        return Snapshot(
            seq=self.seq,
            ts=time.time(),
            role=role,  # type: ignore[arg-type]
            server=self.server_info,
            processes=list(self.views.values()),
            events=events,
            costs=self.experiments.costs_result,  # type: ignore[arg-type]
        )

    def _broadcast(self, text: str) -> None:
        for c in self.clients:
            if c.need_snapshot:
                continue  # the snapshot it is about to get already holds this
            if c.frame is not None:
                # Latest frame wins: a frame it never read is dropped, and
                # since frames are differences, it gets a snapshot instead.
                c.dropped += 1
                self.dropped += 1
                c.frame = None
                c.need_snapshot = True
            else:
                c.frame = text
            c.wake.set()

    def add(self, ws: Sender, role: str) -> Client:
        """Register a client; its first message will be a snapshot."""
        c = Client(ws=ws, role=role)
        self.clients.add(c)
        c.wake.set()
        return c

    def remove(self, c: Client) -> None:
        """Forget a client."""
        c.closed = True
        c.wake.set()
        self.clients.discard(c)

    async def pump(self, c: Client) -> None:
        """Send a client's replies, snapshots and frames until it is closed."""
        while not c.closed:
            await c.wake.wait()
            c.wake.clear()
            # The picture goes before the replies, so an ack never arrives
            # ahead of the frame showing what it did.
            text = None
            if c.need_snapshot:
                c.need_snapshot = False
                c.frame = None
                text = self.snapshot(c.role).model_dump_json()
            elif c.frame is not None:
                text, c.frame = c.frame, None
            if text is not None:
                await c.ws.send_text(text)
                c.sent += 1
            while c.outbox and not c.closed:
                await c.ws.send_text(c.outbox.popleft())
            c.drained.set()

    def stats(self) -> dict[str, Any]:
        """Counters for health and benchmarks."""
        ticks = list(self.tick_seconds)
        return {
            "clients": len(self.clients),
            "dropped": self.dropped,
            "tick_cpu_ms_mean": 1000 * sum(ticks) / len(ticks) if ticks else 0.0,
        }
