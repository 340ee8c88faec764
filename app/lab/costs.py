"""Measure what threads and processes cost, inside a lab worker (standard library only).

Every figure is a median of repeated runs with its low/high, measured here
and now on this machine; nothing is assumed. CPython's GIL bends two
textbook claims and the notes say so: threads of one process do not run
Python code on two cores at once, and a thread hand-over also hands over
the GIL.

Runs only in the lab process made for a measurement, which imports it on
demand; psutil (the machine's CPU times) is imported there too, so ordinary
workers stay standard-library only.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PING_ROUNDS = 2000
PING_WARMUP = 200  # round trips before timing: page faults after fork, caches
# Seconds of one core each CPU-bound task works: long enough that scheduling
# noise (a few ms) cannot change a speed-up's first digit.
TASK_S = 0.22
CPU_REPS = 4  # plausible A/B/C repetitions wanted
# Other programs using this share of all CPUs make speed-ups meaningless: the
# tasks did not have the cores they needed.
BUSY_SHARE = 0.25


class Cancelled(Exception):
    """The presenter cancelled the run, or it ran out of time."""


def _noop() -> None:
    pass


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a task forked for a measurement: be killed when the thread that forked it ends.

    Its siblings hold the other ends of its pipes, so the end of file that would free it never
    comes; a lab process killed mid-measurement (a reset, the server stopping) would leave it
    blocked for ever. Then check the parent did not end before the request took effect.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def stat(samples: list[float], unit: str, group: str, name: str) -> dict[str, Any]:
    """One row of the costs table: median, low, high and how many samples."""
    return {
        "group": group,
        "name": name,
        "median": statistics.median(samples),
        "low": min(samples),
        "high": max(samples),
        "n": len(samples),
        "unit": unit,
    }


def smaps_rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and USS (private clean + dirty) of a process, in bytes."""
    out = {"rss": 0, "pss": 0, "uss": 0}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                out[key.lower()] = int(rest.split()[0]) * 1024
            elif key in ("Private_Clean", "Private_Dirty"):
                out["uss"] += int(rest.split()[0]) * 1024
    return out


def _forward(src: int, dst: int, rounds: int) -> None:
    # splice(2) waits for the byte on one pipe and puts it on the other in one
    # system call: one Python call per hop, so the interpreter adds little to
    # what the kernel does (write + read in Python cost ~1.3 µs more per round
    # trip than in C here, a fifth of the whole).
    splice = os.splice
    for _ in range(rounds):
        splice(src, dst, 1)


def _echo(r: int, w: int, cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})  # this thread only (Linux): the other side stays where it is
    _forward(r, w, PING_WARMUP + PING_ROUNDS)


def pingpong(across_processes: bool, cpus: tuple[int, int]) -> float:
    """Seconds per round trip of one byte over two pipes, to a thread or a forked process.

    Each side is pinned (``cpus``: this side's CPU, the echo's), as ``perf bench
    sched pipe`` under taskset and lmbench's lat_ctx are: left to the scheduler,
    the figure says mostly whether the two sides happened to share a CPU.
    """
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    mask = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpus[0]})
    try:
        if across_processes:
            me = os.getpid()
            pid = os.fork()
            if pid == 0:
                try:
                    die_with_parent(me)
                    _echo(a_r, b_w, cpus[1])
                finally:
                    os._exit(0)
            done: Callable[[], object] = lambda: os.waitpid(pid, 0)  # noqa: E731
        else:
            t = threading.Thread(target=_echo, args=(a_r, b_w, cpus[1]))
            t.start()
            done = t.join
        os.write(a_w, b"p")  # the byte that goes round; each forward below is one round trip
        _forward(b_r, a_w, PING_WARMUP - 1)
        t0 = time.perf_counter()
        _forward(b_r, a_w, PING_ROUNDS)
        dt = time.perf_counter() - t0
        os.read(b_r, 1)  # its last trip back
        done()
        return dt / PING_ROUNDS
    finally:
        os.sched_setaffinity(0, mask)
        for fd in (a_r, a_w, b_r, b_w):
            os.close(fd)


def _cpu_task(steps: int) -> int:
    x = 0
    for i in range(steps):
        x = (x + i * i) % 1000003
    return x


def _timed_task(steps: int) -> float:
    """One CPU-bound task; the CPU time it took (this thread's own)."""
    t0 = time.thread_time()
    _cpu_task(steps)
    return time.thread_time() - t0


def calibrate() -> int:
    """Loop steps that take this machine about TASK_S seconds of one core."""
    steps = 50_000
    t0 = time.thread_time()
    _cpu_task(steps)
    return max(steps, int(steps * TASK_S / max(time.thread_time() - t0, 1e-4)))


def cpu_busy() -> tuple[float, float]:
    """(busy, steal) seconds of all CPUs together since boot (psutil, from /proc/stat).

    Steal counts as busy: time the hypervisor gave to other machines is time
    these tasks could not run.
    """
    import psutil  # only the measuring process needs it: workers stay standard-library only

    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal, t.steal


def own_cpu() -> float:
    """CPU seconds of this process and its reaped children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class Run:
    """One timed run of the CPU-bound tasks, and what the rest of the machine did meanwhile."""

    wall: float
    cpu: list[float]  # each task's own CPU time
    other: float  # share of all CPUs that other programs used
    steal: float  # share of all CPUs the hypervisor took

    @classmethod
    def timed(cls, work: Callable[[], list[float]], after: Callable[[], None]) -> Run:
        """Time ``work`` (it returns each task's CPU time), then run ``after`` untimed; and the load."""
        busy0, steal0 = cpu_busy()
        own0 = own_cpu()
        t0 = time.perf_counter()
        try:
            cpu = work()
            wall = time.perf_counter() - t0
        finally:
            after()
        # Reaped children count in own_cpu only after waitpid: read the load after ``after``.
        busy1, steal1 = cpu_busy()
        own = own_cpu() - own0
        elapsed = time.perf_counter() - t0
        capacity = (os.cpu_count() or 1) * elapsed
        other = max(0.0, (busy1 - busy0) - own) / capacity
        return cls(wall, cpu, min(1.0, other), min(1.0, (steal1 - steal0) / capacity))


def speedup(run: Run) -> float:
    """How many times faster than one after another: the tasks' CPU time together over the wall time.

    Each task's own CPU time is how long it would take alone on a core, so
    this needs no separate one-task run to compare with. On a virtual machine
    whose host slows every CPU now and then, a one-task time taken a moment
    earlier made speed-ups swing (1.5× to 2.3× for the same two processes
    here); CPU time and wall time slow down together.
    """
    return sum(run.cpu) / run.wall


def implausible(one: Run, threads: Run, procs: Run, n: int, cpus: int) -> str | None:
    """Why a repetition cannot be right (None if it can): speed-ups or CPU shares beyond the machine."""
    most = min(n, cpus) * 1.15
    alone = one.cpu[0]
    for name, run in (("threads", threads), ("processes", procs)):
        if speedup(run) > most:
            return f"{name}' speed-up {speedup(run):.2f}× is above {min(n, cpus)} (tasks or CPUs)"
        if any(c / run.wall > 1.1 for c in run.cpu):
            return f"a task of the {name} run got more than one core"
        # the same work cannot take half, or twice, the CPU time it took alone
        if any(not 0.5 * alone < c < 2 * alone for c in run.cpu):
            return f"a task of the {name} run took {max(run.cpu):.3f} s of CPU, alone {alone:.3f} s"
    return None


class Budget:
    """A measurement's stop switch (the presenter's cancel) and deadline, checked between samples."""

    def __init__(self, stop: threading.Event, budget_s: float) -> None:
        self.stop = stop
        self.deadline = time.monotonic() + budget_s
        self.cut: str | None = None  # "cancelled" or "time" when the run was cut short

    def check(self) -> None:
        """Give up between two samples if cancelled or out of time (``cut`` says which)."""
        if self.stop.is_set():
            self.cut = "cancelled"
            raise Cancelled
        if time.monotonic() > self.deadline:
            self.cut = "time"
            raise Cancelled


LOAD_WINDOW_S = 0.25


class OtherLoad:
    """The share of all CPUs other programs use while a measurement runs: psutil's CPU times (the
    kernel's /proc/stat) less this process's own CPU time and its reaped children's."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.busy0, self.mine0 = cpu_busy()[0], own_cpu()

    def end(self) -> tuple[float, float]:
        """(seconds since it began, other programs' share of all CPUs meanwhile, 0..1).

        /proc/stat counts in clock ticks (10 ms): over a run cut within milliseconds one tick read
        500 % load. It first waits out a quarter of a second since it began, which keeps the error
        under 2 % of a core.
        """
        time.sleep(max(0.0, LOAD_WINDOW_S - (time.perf_counter() - self.t0)))
        wall = time.perf_counter() - self.t0
        busy = (cpu_busy()[0] - self.busy0) - (own_cpu() - self.mine0)
        return wall, min(1.0, max(0.0, busy) / ((os.cpu_count() or 1) * wall))


class CostRun(Budget):
    """All measurements, in order, checking ``stop`` and ``deadline`` between samples."""

    def __init__(self, stop: threading.Event, budget_s: float) -> None:
        super().__init__(stop, budget_s)
        self.rows: list[dict[str, Any]] = []
        self.discarded: list[str] = []  # why each implausible repetition was thrown away
        self.tasks = 0
        self.task_steps = 0
        self.other = 0.0
        self.steal = 0.0
        self.reliable = False

    def repeat(self, n: int, fn: Callable[[], float]) -> list[float]:
        """Run ``fn`` n times (or until time is up) and collect what it returns."""
        out = []
        for _ in range(n):
            self.check()
            out.append(fn())
        return out

    # ---- creation ---------------------------------------------------------
    def creation(self) -> None:
        def thread() -> float:
            t0 = time.perf_counter()
            t = threading.Thread(target=_noop)
            t.start()
            t.join()
            return time.perf_counter() - t0

        def fork() -> float:
            t0 = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            return time.perf_counter() - t0

        ctx = multiprocessing.get_context("spawn")

        def spawn() -> float:
            t0 = time.perf_counter()
            p = ctx.Process(target=_noop)
            p.start()
            p.join()
            return time.perf_counter() - t0

        self.rows.append(stat(self.repeat(40, thread), "s", "creation", "thread"))
        self.rows.append(stat(self.repeat(20, fork), "s", "creation", "fork"))
        self.rows.append(stat(self.repeat(4, spawn), "s", "creation", "spawn"))

    # ---- memory -----------------------------------------------------------
    def memory(self) -> None:
        """What a new thread, a forked copy and a spawned interpreter each add to memory."""
        self.thread_memory()
        self.fork_memory()
        self.spawn_memory()

    def thread_memory(self) -> None:
        me = os.getpid()
        deltas_uss, deltas_rss = [], []
        stops: list[threading.Event] = []
        threads: list[threading.Thread] = []
        try:
            for _ in range(5):
                self.check()
                before = smaps_rollup(me)
                ev = threading.Event()
                started = threading.Event()
                t = threading.Thread(target=lambda e=ev, s=started: (s.set(), e.wait()))
                t.start()
                started.wait()
                after = smaps_rollup(me)
                stops.append(ev)
                threads.append(t)
                deltas_uss.append(after["uss"] - before["uss"])
                deltas_rss.append(after["rss"] - before["rss"])
        finally:
            for ev in stops:
                ev.set()
            for t in threads:
                t.join()
        self.rows.append(stat(deltas_uss, "B", "memory", "thread_uss"))
        self.rows.append(stat(deltas_rss, "B", "memory", "thread_rss"))

    def fork_memory(self) -> None:
        fork_uss, fork_pss = [], []
        for _ in range(3):
            self.check()
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # an idle copy of this process: shares every page until written
                os.close(w)
                os.read(r, 1)
                os._exit(0)
            os.close(r)
            time.sleep(0.05)
            try:
                m = smaps_rollup(pid)
            finally:
                os.close(w)
                os.waitpid(pid, 0)
            fork_uss.append(m["uss"])
            fork_pss.append(m["pss"])
        self.rows.append(stat(fork_uss, "B", "memory", "fork_uss"))
        self.rows.append(stat(fork_pss, "B", "memory", "fork_pss"))

    def spawn_memory(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        spawn_uss = []
        for _ in range(2):
            self.check()
            p = ctx.Process(target=time.sleep, args=(10,))  # a fresh interpreter, idle
            p.start()
            try:
                time.sleep(0.3)
                assert p.pid is not None
                spawn_uss.append(smaps_rollup(p.pid)["uss"])
            finally:
                p.terminate()
                p.join(5)
        self.rows.append(stat(spawn_uss, "B", "memory", "spawn_uss"))

    # ---- context switch ---------------------------------------------------
    def switch(self) -> None:
        """Round trips with both sides pinned to one CPU, and across two CPUs when there are two."""
        mine = sorted(os.sched_getaffinity(0))
        one = (mine[0], mine[0])
        self.rows.append(stat(self.repeat(5, lambda: pingpong(False, one)), "s", "switch", "threads"))
        self.rows.append(stat(self.repeat(5, lambda: pingpong(True, one)), "s", "switch", "processes"))
        if len(mine) >= 2:
            two = (mine[0], mine[1])
            self.rows.append(
                stat(self.repeat(5, lambda: pingpong(True, two)), "s", "switch", "processes_cross")
            )

    # ---- CPU-bound work and the GIL ---------------------------------------
    def cpu(self, n: int) -> None:
        """n tasks at once, as threads and as processes, against one task alone: interleaved, checked.

        One task, the threads and the processes run in turn (rotating which goes
        first) so that a change in the machine's load hits all three alike, and
        each repetition's speed-ups use its own one-task time. A repetition the
        machine cannot have produced is discarded and measured again.
        """
        steps = calibrate()
        # Each task on a CPU of its own, as for the switches: woken together, tasks
        # may first land on one CPU (the waker's) until the balancer moves them,
        # which measured where the scheduler put them, not what they can do.
        mine = sorted(os.sched_getaffinity(0))
        bodies: dict[str, Callable[[], Run]] = {
            "one": lambda: Run.timed(lambda: [_timed_task(steps)], lambda: None),
            "threads": lambda: _tasks_as_threads(steps, n, mine),
            "processes": lambda: _tasks_as_processes(steps, n, mine),
        }
        good: list[dict[str, Run]] = []
        every: list[Run] = []
        attempt = 0
        while len(good) < CPU_REPS and attempt < CPU_REPS + 3:
            self.check()
            order = list(bodies)[attempt % 3 :] + list(bodies)[: attempt % 3]
            attempt += 1
            rep = {k: bodies[k]() for k in order}
            every.extend(rep.values())
            why = implausible(rep["one"], rep["threads"], rep["processes"], n, len(mine))
            if why is None:
                good.append(rep)
            else:
                self.discarded.append(why)
            if attempt >= 2 and statistics.median(r.other for r in every) >= 2 * BUSY_SHARE:
                break  # the machine is clearly busy: say so now rather than in ten seconds
        self.tasks, self.task_steps = n, steps
        self.other = statistics.median(r.other for r in every)
        self.steal = statistics.median(r.steal for r in every)
        self.reliable = len(good) >= 2 and self.other < BUSY_SHARE
        self.rows.extend(_cpu_rows(good, n))


def measure(stop: threading.Event, budget_s: float = 20.0) -> dict[str, Any]:
    """Run every measurement; returns rows, the machine's load and whether it was cut short."""
    run = CostRun(stop, budget_s)
    # the machine's load over the whole run: the reason to give when the CPU runs were never reached
    load = OtherLoad()
    try:
        run.creation()
        run.memory()
        run.switch()
        run.cpu(max(2, min(4, len(os.sched_getaffinity(0)))))
    except Cancelled:
        pass
    wall, other_all = load.end()
    return {
        "rows": run.rows,
        "cancelled": run.cut == "cancelled",
        "timed_out": run.cut == "time",
        "budget": budget_s,
        "seconds": round(wall, 3),
        "cpus": os.cpu_count() or 1,
        "tasks": run.tasks,
        "task_seconds": round(TASK_S, 3),
        "other_load": round(run.other if run.tasks else other_all, 3),
        "steal": round(run.steal, 3),
        "reliable": run.reliable and run.cut is None,
        "discarded": run.discarded,
    }


def _tasks_as_threads(steps: int, n: int, cpus: list[int]) -> Run:
    """n tasks as threads of this process, created first and released together.

    Creation is measured on its own (the creation rows), and must not blur how the work itself ran.
    """
    gate = threading.Event()
    cpu: list[float] = []

    def task(i: int) -> None:
        os.sched_setaffinity(0, {cpus[i % len(cpus)]})
        gate.wait()
        cpu.append(_timed_task(steps))

    ts = [threading.Thread(target=task, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()

    def work() -> list[float]:
        gate.set()
        for t in ts:
            t.join()
        return cpu

    return Run.timed(work, lambda: None)


def _tasks_as_processes(steps: int, n: int, cpus: list[int]) -> Run:
    """n tasks as forked processes, each waiting at a pipe until all are released together."""
    gate_r, gate_w = os.pipe()
    r, w = os.pipe()
    pids = []
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                os.sched_setaffinity(0, {cpus[i % len(cpus)]})
                os.close(r)
                os.close(gate_w)
                os.read(gate_r, 1)  # wait for the start
                os.write(w, f"{_timed_task(steps):.6f}\n".encode())
            finally:
                os._exit(0)
        pids.append(pid)
    os.close(gate_r)
    os.close(w)

    def work() -> list[float]:
        os.write(gate_w, b"g" * n)
        with os.fdopen(r) as f:
            return [float(line) for line in f]  # until every task has written and exited

    def reap() -> None:
        os.close(gate_w)
        for pid in pids:
            os.waitpid(pid, 0)

    return Run.timed(work, reap)


def _cpu_rows(good: list[dict[str, Run]], n: int) -> list[dict[str, Any]]:
    """The CPU-bound rows of the repetitions that were plausible (none if there were none)."""
    if not good:
        return []
    rows = [stat([r["one"].wall for r in good], "s", "cpu", "one_task")]
    for kind in ("threads", "processes"):
        rows.append(stat([r[kind].wall for r in good], "s", "cpu", f"{n}_{kind}_wall"))
        rows.append(stat([speedup(r[kind]) for r in good], "x", "cpu", f"{kind}_speedup"))
    # each task's share of a core while the run lasted: CPU time / wall time
    for kind, name in (("threads", "thread_cpu_share"), ("processes", "process_cpu_share")):
        rows.append(stat([c / r[kind].wall for r in good for c in r[kind].cpu], "share", "cpu", name))
    return rows
