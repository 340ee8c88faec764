"""The experiments a scene's reveal runs on the real lab, each returning the figures it measured."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psutil

from ..control.errors import LabError
from ..control.experiments import Experiments
from ..control.lab import Lab
from ..lab.costs import BUSY_SHARE, cpu_busy
from ..observe.registers import parse_syscall
from .model import (
    CostsReveal,
    CpuReveal,
    IpcReveal,
    RaceReveal,
    RegistersReveal,
    ResponseReveal,
    Reveal,
    SteppedReveal,
    SwitchSweepReveal,
    WatchReveal,
)

# The line about each run, in English; the page says it in its own language from `note` and `params`.
NOTES = {
    "pid": "pid {pid}",
    "watch": "pid {pid}, {s:g} s",
    "cpu": "pid {pid}; other programs used {other} % of the CPUs",
    "ipc": "{kind}: {a} → {b}: {text}",
    "stepped": "{n} increments finished",
    "registers": "pid {pid}: the stack pointers of {n} waiting threads",
}


@dataclass
class Measured:
    """What one reveal measured: its named figures, a line about the run, and whether to trust it."""

    figures: dict[str, float]
    note: str
    params: dict[str, str | float]
    reliable: bool = True

    @property
    def detail(self) -> str:
        """The line about the run, in English."""
        return NOTES[self.note].format(**self.params)


@dataclass
class Stage:
    """What a reveal runs on: the lab, its experiments, and the scene's processes in setup order."""

    lab: Lab
    experiments: Experiments
    pids: list[int]

    def pid(self, index: int) -> int:
        """The scene's process at ``index`` (the model checked it is within the setup)."""
        return self.pids[index]

    def counter(self, pid: int) -> int:
        """A process's counter as its worker last reported it."""
        proc = self.lab.get_running(pid)
        return proc.counter.value if proc.counter else 0


async def cores_used(pid: int, seconds: float) -> tuple[float, float]:
    """Cores a process used over ``seconds`` (its CPU time over the wall time, from /proc), and the
    share of all CPUs the rest of the machine used meanwhile (as the costs panel measures it)."""
    try:
        p = psutil.Process(pid)
        t0, c0, busy0 = time.monotonic(), sum(p.cpu_times()[:2]), cpu_busy()[0]
        await asyncio.sleep(seconds)
        t1, c1, busy1 = time.monotonic(), sum(p.cpu_times()[:2]), cpu_busy()[0]
    except psutil.Error as exc:
        raise LabError("not_running", f"process {pid} ended while it was measured") from exc
    wall = t1 - t0
    other = max(0.0, (busy1 - busy0) - (c1 - c0)) / ((os.cpu_count() or 1) * wall)
    return round((c1 - c0) / wall, 2), round(other, 3)


async def race(stage: Stage, r: RaceReveal) -> Measured:
    """N threads, K racy increments each, of the process's shared counter."""
    pid = stage.pid(r.process)
    run = await stage.experiments.race(pid, r.threads, r.increments, r.lock)
    return Measured({"actual": run.actual, "expected": run.expected, "lost": run.lost}, "pid", {"pid": pid})


async def watch(stage: Stage, r: WatchReveal) -> Measured:
    """How much a process's counter grows in a few seconds."""
    pid = stage.pid(r.process)
    before = stage.counter(pid)
    await asyncio.sleep(r.seconds)
    return Measured({"delta": stage.counter(pid) - before}, "watch", {"pid": pid, "s": r.seconds})


async def cpu(stage: Stage, r: CpuReveal) -> Measured:
    """The cores a process's threads use together; unreliable when other programs took the CPUs."""
    pid = stage.pid(r.process)
    cores, other = await cores_used(pid, r.seconds)
    params: dict[str, str | float] = {"pid": pid, "other": round(100 * other)}
    return Measured({"cores": cores}, "cpu", params, reliable=other < BUSY_SHARE)


async def ipc(stage: Stage, r: IpcReveal) -> Measured:
    """One message from one process to another."""
    a, b = stage.pid(r.sender), stage.pid(r.receiver)
    sent = await stage.experiments.ipc(r.kind, a, b, r.message)
    params: dict[str, str | float] = {"kind": r.kind, "a": a, "b": b, "text": repr(sent.received)}
    return Measured({"bytes": len(sent.received.encode())}, "ipc", params)


# (figure, numerator row, denominator row) of the costs table
RATIOS = (
    ("creation_ratio", "fork", "thread"),
    ("memory_ratio", "fork_uss", "thread_uss"),
    ("switch_ratio", "processes", "threads"),
)


async def costs(stage: Stage, r: CostsReveal) -> Measured:
    """Thread and process costs, as ratios; unreliable when the machine was busy."""
    measured = await stage.experiments.costs()
    med = {row.name: row.median for row in measured.rows}
    figures = {name: round(med[a] / med[b], 2) for name, a, b in RATIOS if med.get(a) and med.get(b)}
    return Measured(figures, "pid", {"pid": measured.pid}, measured.reliable)


async def stepped(stage: Stage, r: SteppedReveal) -> Measured:
    """The stepped race's result, once every thread has finished."""
    proc = stage.lab.procs.get(stage.pid(0)) if stage.pids else None
    run = proc.stepped if proc is not None else None
    if run is None or run.expected is None:
        raise LabError("invalid_request", "no stepped race is running in this scene's process")
    going = sum(t.next != "done" for t in run.threads)
    if going:
        raise LabError(
            "not_finished",
            f"step the threads to the end first: {going} of {len(run.threads)} are not done",
        )
    figures = {"lost": run.expected - run.counter, "counter": run.counter, "expected": run.expected}
    return Measured(figures, "stepped", {"n": sum(t.rounds for t in run.threads)})


async def registers(stage: Stage, r: RegistersReveal) -> Measured:
    """Where each waiting thread's stack pointer points, read from the kernel for each of them."""
    pid = stage.pid(r.process)
    proc = stage.lab.get_running(pid)
    stacks = {tid: t.stack for tid, t in proc.threads.items() if t.stack.end > t.stack.start}
    own = not_own = 0
    for tid, stack in stacks.items():
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall", "rb") as f:
                regs = parse_syscall(f.read())
        except PermissionError:
            raise LabError(
                "forbidden", "this machine's kernel withholds the lab's registers (ptrace)"
            ) from None
        except OSError:
            continue  # the thread ended meanwhile
        if regs is None:
            continue  # running: its registers are in the CPU, not saved
        if stack.start <= regs.sp <= stack.end:
            own += 1
        else:
            not_own += 1
    if own + not_own == 0:
        raise LabError("not_finished", f"no thread of process {pid} was waiting: try again")
    figures = {"own_stack": own, "not_own": not_own, "threads": own + not_own}
    return Measured(figures, "registers", {"pid": pid, "n": own + not_own})


# (figure, mode) of the response-time measurement: each mode's median round trip
RESPONSE_FIGURES = (
    ("one_thread_ms", "one_thread"),
    ("gil_thread_ms", "gil_thread"),
    ("gil_free_ms", "gil_free_thread"),
    ("process_ms", "process"),
)


async def response(stage: Stage, r: ResponseReveal) -> Measured:
    """How soon a process answers while it computes, each way; unreliable when the machine was busy."""
    measured = await stage.experiments.response()
    p50 = {row.mode: row.p50 for row in measured.rows}
    figures = {name: round(p50[mode], 3) for name, mode in RESPONSE_FIGURES if p50.get(mode) is not None}
    figures["switch_ms"] = measured.switch_interval_ms
    return Measured(figures, "pid", {"pid": measured.pid}, measured.reliable)


# A switch cheaper than this (or below zero once the work without a switch is taken off) counts as
# this much, so that a ratio stays finite: the page's chart floors it alike (static/js/layout/sweep.js).
FLOOR_US = 0.1


async def switch_sweep(stage: Stage, r: SwitchSweepReveal) -> Measured:
    """A switch's cost against the working set, as ratios from the ring of two tasks."""
    measured = await stage.experiments.switch_sweep()
    two = sorted((p for p in measured.points if p.tasks == 2), key=lambda p: p.bytes)
    if not two or two[0].bytes != 0:
        raise LabError("measurement_failed", "the sweep ended before its first point: measure again")
    first, last = two[0], two[-1]

    def ratio(a: float, b: float) -> float:
        return round(max(a, FLOOR_US) / max(b, FLOOR_US), 2)

    figures = {
        "small_ratio": ratio(first.process_us, first.thread_us),
        "large_ratio": ratio(last.process_us, last.thread_us),
        "growth": ratio(last.process_us, first.process_us),
    }
    return Measured(figures, "pid", {"pid": measured.pid}, measured.reliable)


REVEALS: dict[str, Callable[[Stage, Any], Awaitable[Measured]]] = {
    "race": race,
    "watch": watch,
    "cpu": cpu,
    "ipc": ipc,
    "costs": costs,
    "stepped": stepped,
    "registers": registers,
    "response": response,
    "switch_sweep": switch_sweep,
}


async def measure(stage: Stage, reveal: Reveal) -> Measured:
    """Run a reveal's experiment."""
    return await REVEALS[reveal.experiment](stage, reveal)
