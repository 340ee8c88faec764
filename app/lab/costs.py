"""Measure what threads and processes cost, inside a lab worker (standard library only).

Every figure is a median of repeated runs with its low/high, measured here
and now on this machine; nothing is assumed. CPython's GIL bends two
textbook claims and the notes say so: threads of one process do not run
Python code on two cores at once, and a thread hand-over also hands over
the GIL.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

PING_ROUNDS = 1000
CPU_WORK = 600_000  # loop steps of one CPU-bound task (~30 ms on a 2020s core)


class Cancelled(Exception):
    """The presenter cancelled the run, or it ran out of time."""


def _noop() -> None:
    pass


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


def _echo(r: int, w: int) -> None:
    for _ in range(PING_ROUNDS):
        os.read(r, 1)
        os.write(w, b"p")


def pingpong(across_processes: bool) -> float:
    """Seconds per round trip of one byte over two pipes, to a thread or to a forked process."""
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    try:
        if across_processes:
            pid = os.fork()
            if pid == 0:
                _echo(a_r, b_w)
                os._exit(0)
            done: Callable[[], object] = lambda: os.waitpid(pid, 0)  # noqa: E731
        else:
            t = threading.Thread(target=_echo, args=(a_r, b_w))
            t.start()
            done = t.join
        t0 = time.perf_counter()
        for _ in range(PING_ROUNDS):
            os.write(a_w, b"p")
            os.read(b_r, 1)
        dt = time.perf_counter() - t0
        done()
        return dt / PING_ROUNDS
    finally:
        for fd in (a_r, a_w, b_r, b_w):
            os.close(fd)


def _cpu_task(steps: int) -> int:
    x = 0
    for i in range(steps):
        x = (x + i * i) % 1000003
    return x


def _cpu_in_child(steps: int, w: int) -> None:
    t0 = time.thread_time()
    _cpu_task(steps)
    os.write(w, f"{time.thread_time() - t0:.6f}\n".encode())


class CostRun:
    """All measurements, in order, checking ``stop`` and ``deadline`` between samples."""

    def __init__(self, stop: threading.Event, budget_s: float) -> None:
        self.stop = stop
        self.deadline = time.monotonic() + budget_s
        self.rows: list[dict[str, Any]] = []

    def check(self) -> None:
        """Give up between two samples if cancelled or out of time."""
        if self.stop.is_set() or time.monotonic() > self.deadline:
            raise Cancelled

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
        self.rows.append(stat(self.repeat(5, lambda: pingpong(False)), "s", "switch", "threads"))
        self.rows.append(stat(self.repeat(5, lambda: pingpong(True)), "s", "switch", "processes"))

    # ---- CPU-bound work and the GIL ---------------------------------------
    def cpu(self, n: int) -> None:
        def one() -> float:
            t0 = time.perf_counter()
            _cpu_task(CPU_WORK)
            return time.perf_counter() - t0

        def threads() -> tuple[float, list[float]]:
            cpu: list[float] = []

            def task() -> None:
                c0 = time.thread_time()
                _cpu_task(CPU_WORK)
                cpu.append(time.thread_time() - c0)

            ts = [threading.Thread(target=task) for _ in range(n)]
            t0 = time.perf_counter()
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            return time.perf_counter() - t0, cpu

        def processes() -> tuple[float, list[float]]:
            r, w = os.pipe()
            t0 = time.perf_counter()
            pids = []
            for _ in range(n):
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    _cpu_in_child(CPU_WORK, w)
                    os._exit(0)
                pids.append(pid)
            for pid in pids:
                os.waitpid(pid, 0)
            wall = time.perf_counter() - t0
            os.close(w)
            with os.fdopen(r) as f:
                cpu = [float(x) for x in f.read().split()]
            return wall, cpu

        base = self.repeat(3, one)
        t_runs = [threads() for _ in self.repeat(3, lambda: 0.0)]
        p_runs = [processes() for _ in self.repeat(3, lambda: 0.0)]
        solo = statistics.median(base)
        self.rows.append(stat(base, "s", "cpu", "one_task"))
        self.rows.append(stat([w for w, _ in t_runs], "s", "cpu", f"{n}_threads_wall"))
        self.rows.append(stat([w for w, _ in p_runs], "s", "cpu", f"{n}_processes_wall"))
        # speed-up over running the n tasks one after another
        self.rows.append(stat([n * solo / w for w, _ in t_runs], "x", "cpu", "threads_speedup"))
        self.rows.append(stat([n * solo / w for w, _ in p_runs], "x", "cpu", "processes_speedup"))
        # each task's share of a core while it was running: CPU time / wall time
        self.rows.append(stat([c / w for w, cs in t_runs for c in cs], "share", "cpu", "thread_cpu_share"))
        self.rows.append(stat([c / w for w, cs in p_runs for c in cs], "share", "cpu", "process_cpu_share"))


def measure(stop: threading.Event, budget_s: float = 9.0) -> dict[str, Any]:
    """Run every measurement; returns rows, and whether it was cut short."""
    run = CostRun(stop, budget_s)
    cancelled = False
    t0 = time.perf_counter()
    try:
        run.creation()
        run.memory()
        run.switch()
        run.cpu(max(2, min(4, os.cpu_count() or 2)))
    except Cancelled:
        cancelled = True
    return {
        "rows": run.rows,
        "cancelled": cancelled,
        "seconds": round(time.perf_counter() - t0, 3),
        "cpus": os.cpu_count() or 1,
    }
