"""The sharing experiments, run by real lab processes: races, IPC messages, shared memory.

The server only sets the stage (a FIFO or a path in its private directory, a
segment in /dev/shm) and asks workers to act; every figure comes back from
the workers or is read from the shared memory itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import time

from ..lab.commands import (
    Cancel,
    Costs,
    IpcListen,
    IpcSend,
    Race,
    Response,
    ShmAttach,
    ShmRun,
    Step,
    StepEnd,
    StepStart,
    SwitchSweep,
    Sync,
)
from ..lab.experiments import SHM_SIZE
from ..protocol import (
    CancelResult,
    CostsView,
    IpcKind,
    IpcResult,
    RaceView,
    ResponseView,
    StepMode,
    SteppedView,
    StepResult,
    SwitchSweepView,
)
from .errors import LabError
from .lab import Lab, LabProcess
from .messages import CancelReply, Empty, IpcReceived, JobDone, StepReply

# A run's threads stop on their own after 10 s; wait a little longer for the report.
JOB_TIMEOUT_S = 30.0
# The switch sweep's own budget (app/lab/switch_sweep.py BUDGET_S), and time to report after it.
SWEEP_TIMEOUT_S = 60.0
IPC_TIMEOUT_S = 3.0
SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None


class Experiments:
    """Races, IPC and shared memory across the lab's processes."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self._ids = itertools.count(1)
        self.segments: dict[tuple[int, int], str] = {}
        self._busy: set[int] = set()
        self.costs_result: CostsView | None = None
        self.response_result: ResponseView | None = None
        self.switch_sweep_result: SwitchSweepView | None = None
        self._measuring_pid: int | None = None  # the fresh process a measurement (costs, response) runs in

    async def _job(
        self,
        proc: LabProcess,
        cmd: Race | ShmRun | Costs | Response | SwitchSweep,
        timeout: float = JOB_TIMEOUT_S,
    ) -> JobDone:
        """Start a run in a worker and wait for its report (``timeout`` s at most)."""
        job = f"j{next(self._ids)}"
        fut: asyncio.Future[JobDone | IpcReceived] = asyncio.get_running_loop().create_future()
        self.lab.waiters[job] = fut
        try:
            await self.lab.call(proc, dataclasses.replace(cmd, job=job), Empty)
            gone = asyncio.ensure_future(proc.gone.wait())
            done, _ = await asyncio.wait({fut, gone}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            gone.cancel()
            if fut not in done:
                raise LabError("experiment_failed", f"process {proc.pid} ended or did not report its run")
            done_msg = fut.result()
            assert isinstance(done_msg, JobDone)
            return done_msg
        finally:
            self.lab.waiters.pop(job, None)

    def _room_for(self, proc: LabProcess, threads: int) -> None:
        room = self.lab.settings.max_threads - len(proc.threads) - proc.reserved_threads
        if threads > room:
            raise LabError(
                "cap_reached",
                f"process {proc.pid} has room for {max(room, 0)} more threads (PTLAB_MAX_THREADS); "
                "stop some or use fewer",
            )

    async def race(self, pid: int, threads: int, increments: int, lock: bool) -> RaceView:
        """N threads of one process, K racy increments each; returns expected/actual/lost."""
        proc = self.lab.get_running(pid)
        self._room_for(proc, threads)
        if pid in self._busy:
            raise LabError("busy", f"process {pid} is already running an experiment")
        self._busy.add(pid)
        proc.reserved_threads += threads
        try:
            rep = await self._job(proc, Race(threads=threads, increments=increments, lock=lock))
        finally:
            proc.reserved_threads -= threads
            self._busy.discard(pid)
        result = _race_view(rep, rep.actual or 0, [pid])
        proc.races.append(result)
        proc.changed()
        self.lab.events.add("race_finished", pid=pid, result=result)
        return result

    async def step_start(self, pid: int, mode: StepMode, threads: int, rounds: int) -> StepResult:
        """Start a stepped scene: real threads, each waiting at its first gate."""
        proc = self.lab.get_running(pid)
        self._room_for(proc, threads)
        proc.reserved_threads += threads
        try:
            run = await self.lab.call(proc, StepStart(mode=mode, threads=threads, rounds=rounds), SteppedView)
        finally:
            proc.reserved_threads -= threads
        proc.stepped = run
        proc.changed()
        return StepResult(pid=pid, run=run)

    async def step(self, pid: int, thread: int | None) -> StepResult:
        """Let one stepped thread through its gate (None: the next that can move)."""
        proc = self.lab.get_running(pid)
        reply = await self.lab.call(proc, Step(thread=thread), StepReply)
        # The worker's `stepped` report went out before its reply and may be newer than the
        # reply's own picture (a thread let in by a release moves on its own): keep the report.
        return StepResult(pid=pid, step=reply.step, run=proc.stepped or reply.run)

    async def step_end(self, pid: int) -> StepResult:
        """End a stepped scene; a deadlocked one is refused, saying only ending the process frees it."""
        proc = self.lab.get_running(pid)
        await self.lab.call(proc, StepEnd(), Empty)
        proc.stepped = None
        proc.changed()
        return StepResult(pid=pid)

    async def cancel(self, pid: int) -> CancelResult:
        """Stop a process's running experiment early (its report says cancelled)."""
        proc = self.lab.get_running(pid)
        reply = await self.lab.call(proc, Cancel(), CancelReply)
        return CancelResult(pid=pid, cancelled=reply.cancelled)

    async def ipc(self, kind: IpcKind, sender: int, receiver: int, text: str) -> IpcResult:
        """Send ``text`` from one process to another through a FIFO, a Unix socket or a file."""
        if sender == receiver:
            raise LabError("invalid_request", "sender and receiver must be two different processes")
        src, dst = self.lab.get_running(sender), self.lab.get_running(receiver)
        xfer = f"x{next(self._ids)}"
        path = os.path.join(self.lab.private_dir(), f"ipc-{xfer}.{kind}")
        fut: asyncio.Future[JobDone | IpcReceived] = asyncio.get_running_loop().create_future()
        self.lab.waiters[xfer] = fut
        t0 = time.perf_counter()
        try:
            if kind == "pipe":
                os.mkfifo(path, 0o600)
            await self.lab.call(dst, IpcListen(xfer=xfer, kind=kind, path=path), Empty)
            await self.lab.call(src, IpcSend(kind=kind, path=path, text=text), Empty)
            try:
                got = await asyncio.wait_for(fut, IPC_TIMEOUT_S)
            except TimeoutError as exc:
                raise LabError("ipc_failed", f"process {receiver} did not receive the message") from exc
        finally:
            self.lab.waiters.pop(xfer, None)
            for p in (path, path + ".part"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(p)
        ms = round((time.perf_counter() - t0) * 1000, 2)
        assert isinstance(got, IpcReceived)
        self.lab.events.add("ipc_message", pid=sender, peer=receiver, detail=kind, text=got.text)
        return IpcResult(kind=kind, sender=sender, receiver=receiver, message=text, received=got.text, ms=ms)

    def _segment(self, a: int, b: int) -> str:
        key = (min(a, b), max(a, b))
        if key not in self.segments:
            base = SHM_DIR or self.lab.private_dir()
            assert base is not None
            path = os.path.join(base, f"ptlab-{os.getpid()}-{key[0]}-{key[1]}")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.ftruncate(fd, SHM_SIZE)
            finally:
                os.close(fd)
            self.segments[key] = path
        return self.segments[key]

    async def shm(self, pids: list[int], increments: int, lock: bool) -> RaceView:
        """Two processes each do K racy increments of one counter in shared memory."""
        a, b = pids
        if a == b:
            raise LabError("invalid_request", "shared memory needs two different processes")
        procs = [self.lab.get_running(a), self.lab.get_running(b)]
        if self._busy & {a, b}:
            raise LabError("busy", "one of these processes is already running an experiment")
        path = self._segment(a, b)
        fd = os.open(path, os.O_RDWR)
        try:
            os.pwrite(fd, bytes(8), 0)  # start from zero
            self._busy |= {a, b}
            try:
                # attach both first, so neither starts counting before the other can
                for p in procs:
                    await self.lab.call(p, ShmAttach(path=path), Empty)
                msg = ShmRun(path=path, increments=increments, lock=lock)
                reps = await asyncio.gather(*(self._job(p, msg) for p in procs))
                # the first to finish reported a value the other then changed
                for p in procs:
                    await self.lab.call(p, Sync(), Empty)
            finally:
                self._busy -= {a, b}
            actual = int.from_bytes(os.pread(fd, 8, 0), "little", signed=True)
        finally:
            os.close(fd)
        merged = JobDone(
            type="job_done",
            job="",
            kind="shm",
            threads=2,
            increments=increments,
            lock=lock,
            expected=sum(r.expected for r in reps),
            seconds=max(r.seconds for r in reps),
            cancelled=any(r.cancelled for r in reps),
        )
        result = _race_view(merged, actual, [a, b], path)
        self.lab.events.add("shm_finished", pid=a, peer=b, result=result)
        return result

    async def _measure_in_fresh(
        self, cmd: Costs | Response | SwitchSweep, timeout: float = JOB_TIMEOUT_S
    ) -> tuple[JobDone, int]:
        """Run a measurement in a fresh lab process (shown while it works), then end it."""
        if self._measuring_pid is not None:
            raise LabError("busy", f"a measurement is already running in process {self._measuring_pid}")
        pid = await self.lab.spawn_process()
        self._measuring_pid = pid
        try:
            return await self._job(self.lab.get_running(pid), cmd, timeout), pid
        finally:
            self._measuring_pid = None
            with contextlib.suppress(LabError):
                await self.lab.stop_process(pid)

    async def costs(self) -> CostsView:
        """Measure thread vs process costs in a fresh lab process (shown while it works), then end it."""
        rep, pid = await self._measure_in_fresh(Costs())
        if rep.costs is None:
            raise LabError("measurement_failed", f"the measurement failed: {rep.error}")
        self.costs_result = CostsView(**rep.costs.model_dump(), pid=pid, ts=time.time())
        self.lab.events.add("costs_finished", pid=pid)
        return self.costs_result

    async def response(self) -> ResponseView:
        """Measure how soon a process answers while it computes, each way, in a fresh lab process."""
        rep, pid = await self._measure_in_fresh(Response())
        if rep.response is None:
            raise LabError("measurement_failed", f"the measurement failed: {rep.error}")
        self.response_result = ResponseView(**rep.response.model_dump(), pid=pid, ts=time.time())
        return self.response_result

    async def switch_sweep(self) -> SwitchSweepView:
        """Measure a switch's cost against the working set (threads, processes) in a fresh lab process."""
        rep, pid = await self._measure_in_fresh(SwitchSweep(), SWEEP_TIMEOUT_S)
        if rep.switch_sweep is None:
            raise LabError("measurement_failed", f"the measurement failed: {rep.error}")
        self.switch_sweep_result = SwitchSweepView(**rep.switch_sweep.model_dump(), pid=pid, ts=time.time())
        self.lab.events.add("switch_sweep_finished", pid=pid)
        return self.switch_sweep_result

    async def cancel_costs(self) -> CancelResult:
        """Cut a running measurement short; what was measured so far is kept."""
        if self._measuring_pid is None:
            raise LabError("not_running", "no measurement is running")
        return await self.cancel(self._measuring_pid)

    def cleanup(self) -> None:
        """Remove every shared-memory segment the lab made."""
        for path in self.segments.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self.segments.clear()


def _race_view(rep: JobDone, actual: int, pids: list[int], path: str | None = None) -> RaceView:
    return RaceView(
        threads=rep.threads,
        increments=rep.increments,
        lock=rep.lock,
        expected=rep.expected,
        actual=actual,
        lost=rep.expected - actual,
        seconds=rep.seconds,
        cancelled=rep.cancelled,
        ts=time.time(),
        pids=pids,
        path=path,
    )
