"""The cost of a context switch against the working set, measured in a lab process (lmbench's lat_ctx).

Standard library only (it runs in a lab worker). Tasks stand in a ring of pipes, all pinned to one
CPU; a token goes round, and each task, when the token reaches it, passes it on and reads its own
working set of N bytes before it waits again. The same harness runs the tasks as threads of this process and
as forked processes. Passing the token and reading N bytes cost something without any switch, so
one task does exactly that work alone, with a pipe to itself, and its time per hop is subtracted
(lat_ctx's overhead): what remains is the switch, and the cache refill it causes.

The textbook's claim that a process switch is heavier came from CPUs that flushed the TLB on every
change of address space; with PCID the kernel keeps other processes' translations, so at small
working sets a process switch costs what a thread switch does. What both pay, once the tasks'
working sets together pass a cache, is refilling that cache: the sweep shows where.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import threading
import time
from typing import Any

from app import procfs
from app.lab.costs import BUSY_SHARE, Budget, Cancelled, OtherLoad, die_with_parent

TASKS = (2, 8)  # two tasks (the textbook's switch), and several (lat_ctx's 8p)
REPS = 5  # timed samples per point and kind
SAMPLE_S = 0.03  # aim of one timed sample: long against the clock, short against the budget
MIN_ROUNDS = 8  # at large working sets: 3 rounds of 2 tasks swung a median by 4 times here
MAX_ROUNDS = 2000
FIRST = 4096  # the smallest working set after 0; each next one is 4 times larger
L3_UNKNOWN = 8 << 20  # where sysfs lists no L3, sweep as if it were this large
MAX_TOGETHER = 128 << 20  # all tasks' working sets together at most: memory a classroom laptop spares
# Each task's at most: beyond it the one task's own pass over its working set (the overhead taken
# off) comes from memory too and is ten times the switch, whose figure drowns in its noise.
MAX_EACH = 16 << 20
BUDGET_S = 30.0


def working_set(n: int) -> bytearray:
    """n bytes, every one written: real pages of this task's own, not the kernel's shared zero page."""
    return bytearray(b"\x02") * n


def sizes(tasks: int, l3: int) -> list[int]:
    """Working sets per task: 0, then 4 KiB growing 4 times until all tasks' together are four
    times L3 (within MAX_EACH and MAX_TOGETHER)."""
    top = min(MAX_TOGETHER, max(4 * l3, 4 << 20))
    out, n = [0], FIRST
    while n * tasks <= top and n <= MAX_EACH:
        out.append(n)
        n *= 4
    return out


def _hops(r: int, w: int, buf: bytearray, count: int) -> None:
    # splice(2) waits for the token and passes it on in one system call, as in the costs panel's
    # ping-pong: Python's own work is most of a hop at size 0, and read + write here made a round
    # trip 1.2–1.8 times perf's, splice 1.0–1.25 times. The working set is read after the token
    # left; each task still reads it once between being switched in and out.
    splice, find = os.splice, buf.find
    for _ in range(count):
        splice(r, w, 1)
        find(b"\x01")  # every byte of the working set read (memchr for a byte it does not hold)


def alone(n: int, rounds: int) -> float:
    """Seconds per hop of one task passing a token to itself and reading n bytes: no switch at all.

    The token goes from one pipe to another and back (splice cannot take a pipe to itself): the
    same call per hop as in the ring, never waiting.
    """
    buf = working_set(n)
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    splice, find = os.splice, buf.find

    def there_and_back(k: int) -> None:
        for _ in range(k):
            splice(a_r, b_w, 1)
            find(b"\x01")
            splice(b_r, a_w, 1)
            find(b"\x01")

    try:
        os.write(a_w, b"t")
        there_and_back(max(1, rounds // 20))  # warm: its pages and the cache
        k = max(1, rounds // 2)
        t0 = time.perf_counter()
        there_and_back(k)
        return (time.perf_counter() - t0) / (2 * k)
    finally:
        for fd in (a_r, a_w, b_r, b_w):
            os.close(fd)


class Stalled(RuntimeError):
    """A task of the ring stopped passing the token (it failed, or the machine stopped it)."""


def _wake(pipes: list[tuple[int, int]]) -> None:
    """Make every wait on the ring's pipes fail from now on, and wake the tasks already waiting.

    The pipes' open file descriptions are shared by the ring's threads and forked tasks alike, so
    O_NONBLOCK set here reaches all of them: a task's next splice finds nothing to take, or no room,
    and fails (EAGAIN) instead of waiting for a token that a dead task will never pass. A token put
    in each pipe wakes a task waiting for one; a full pipe (its reader dead) is emptied instead,
    which wakes the task waiting for room. (An empty pipe is not read: that would take back the
    token before the woken task ran, and it would wait again.)
    """
    for r, w in pipes:
        for fd in (r, w):
            with contextlib.suppress(OSError):
                os.set_blocking(fd, False)
    for r, w in pipes:
        try:
            os.write(w, b"x")
        except BlockingIOError:
            with contextlib.suppress(OSError):
                os.read(r, 1 << 16)
        except OSError:
            pass


def _member(r: int, w: int, ready: int, n: int, count: int, cpu: int) -> None:
    """A task of the ring other than the measuring one: pinned, its own working set, then its hops."""
    os.sched_setaffinity(0, {cpu})  # this thread only (Linux)
    buf = working_set(n)
    os.write(ready, b"r")
    with contextlib.suppress(BlockingIOError):  # the ring stalled and was woken to end (_wake)
        _hops(r, w, buf, count)


def _launch(
    processes: bool,
    pipes: list[tuple[int, int]],
    ready_w: int,
    n: int,
    count: int,
    cpu: int,
    threads: list[threading.Thread],
    pids: list[int],
) -> None:
    """Start the ring's other tasks (threads, or forked processes), each noted as soon as it runs:
    whoever ends the ring must find every one, even if a later one failed to start."""
    me = os.getpid()
    tasks = len(pipes)
    for i in range(1, tasks):
        args = (pipes[i][0], pipes[(i + 1) % tasks][1], ready_w, n, count, cpu)
        if processes:
            pid = os.fork()
            if pid == 0:
                try:
                    die_with_parent(me)
                    _member(*args)
                finally:
                    os._exit(0)
            pids.append(pid)
        else:
            t = threading.Thread(target=_member, args=args, daemon=True)
            t.start()
            threads.append(t)


def _go_round(
    pipes: list[tuple[int, int]], ready_r: int, buf: bytearray, warm: int, rounds: int
) -> float | None:
    """Seconds the first task's timed hops took, once every task made its working set; None when
    the ring was woken to end (a task stopped passing the token)."""
    tasks = len(pipes)
    try:
        got = 0
        while got < tasks - 1:  # every working set made before the clock starts
            got += len(os.read(ready_r, tasks))
        r, w = pipes[0][0], pipes[1 % tasks][1]
        os.write(w, b"t")
        _hops(r, w, buf, warm)
        t0 = time.perf_counter()
        _hops(r, w, buf, rounds)
        dt = time.perf_counter() - t0
        os.read(r, 1)  # the token's last round
        return dt
    except BlockingIOError:
        return None  # woken to end


def ring(processes: bool, tasks: int, n: int, rounds: int, cpu: int, limit_s: float = 10.0) -> float:
    """Seconds per hop of a token going round ``tasks`` tasks pinned to ``cpu``, each reading n bytes
    per hop: this thread is the first task; the others are threads of this process, or forked
    processes (``processes``). A ring that stalls for ``limit_s`` is woken to end, and raises Stalled."""
    pipes = [os.pipe() for _ in range(tasks)]  # task i reads pipes[i], writes pipes[i + 1]
    ready_r, ready_w = os.pipe()
    every = [*pipes, (ready_r, ready_w)]
    warm = max(1, rounds // 10)
    count = warm + rounds + 1  # each other task's hops: the first task's, and the token's way home
    threads: list[threading.Thread] = []
    pids: list[int] = []
    mask = os.sched_getaffinity(0)
    # A task that died (a forked one killed, a thread out of memory) leaves the others waiting on
    # their pipes for ever, and its own pipe fills (16 spliced tokens): after limit_s, wake them all.
    fired = threading.Event()

    def rescue() -> None:
        fired.set()  # first: the measuring task must not take a woken run for a finished one
        _wake(every)

    stalled = threading.Timer(limit_s, rescue)
    ran = False  # the token went round every time: each task has done all its hops
    try:
        os.sched_setaffinity(0, {cpu})
        _launch(processes, pipes, ready_w, n, count, cpu, threads, pids)
        buf = working_set(n)
        stalled.start()
        dt = _go_round(pipes, ready_r, buf, warm, rounds)
        stalled.cancel()
        if fired.is_set() or dt is None:
            raise Stalled(f"a task of the ring of {tasks} stopped passing the token")
        ran = True
        return dt / (rounds * tasks)
    finally:
        stalled.cancel()
        if stalled.ident is not None:
            stalled.join()  # it ends at once once cancelled: no thread of the sweep outlives it
        _end(every, threads, pids, woken=not ran)
        for fds in every:
            for fd in fds:
                os.close(fd)
        os.sched_setaffinity(0, mask)


def _end(pipes: list[tuple[int, int]], threads: list[threading.Thread], pids: list[int], woken: bool) -> None:
    """Wait for the ring's other tasks. After a full run they have ended or are about to; when the
    ring was cut (``woken``: it stalled, or an error), any still waiting is woken to end, and a
    forked one that will not is killed: 2 s at most."""
    if not woken:
        for t in threads:
            t.join()
        for pid in pids:
            os.waitpid(pid, 0)
        return
    deadline = time.monotonic() + 2.0
    left = set(pids)
    while True:
        for pid in list(left):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                left.discard(pid)
        if not left and not any(t.is_alive() for t in threads):
            return
        if time.monotonic() > deadline:
            break
        _wake(pipes)
        time.sleep(0.01)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _rounds(per_hop: float, tasks: int) -> int:
    return max(MIN_ROUNDS, min(MAX_ROUNDS, int(SAMPLE_S / (per_hop * tasks))))


class Sweep(Budget):
    """Every point of the sweep, checking ``stop`` and the deadline between samples."""

    def __init__(self, stop: threading.Event, budget_s: float) -> None:
        super().__init__(stop, budget_s)
        self.points: list[dict[str, Any]] = []

    def point(self, tasks: int, n: int, cpu: int) -> None:
        """One working set with ``tasks`` tasks: the overhead alone, then threads and processes in turn."""
        self.check()
        guess = alone(n, 50)
        over = []
        for _ in range(REPS):
            self.check()
            over.append(alone(n, _rounds(guess, 1)))
        overhead = statistics.median(over)
        # a hop with a switch costs a few µs more than one without; refilling n bytes up to n / 2 GB/s
        rounds = _rounds(overhead + 3e-6 + n / 2e9, tasks)
        hops: dict[bool, list[float]] = {False: [], True: []}
        for i in range(REPS):
            for processes in (bool(i % 2), not i % 2):  # which kind goes first alternates
                self.check()
                hops[processes].append(ring(processes, tasks, n, rounds, cpu))
        us = {k: [(h - overhead) * 1e6 for h in v] for k, v in hops.items()}
        self.points.append(
            {
                "bytes": n,
                "tasks": tasks,
                "thread_us": round(statistics.median(us[False]), 3),
                "process_us": round(statistics.median(us[True]), 3),
                "thread_spread": round(max(us[False]) - min(us[False]), 3),
                "process_spread": round(max(us[True]) - min(us[True]), 3),
                "overhead_us": round(overhead * 1e6, 3),
                "rounds": rounds,
            }
        )


def machine() -> dict[str, Any]:
    """What the figures depend on: the CPU, its caches, PCID and the kernel's page-table isolation."""
    caches = procfs.cpu_caches()
    return {
        "caches": {k: caches.get(k) for k in ("L1d", "L2", "L3")},
        "pcid": procfs.pcid(),
        "pti": procfs.pti(),
        "cpu": procfs.cpu_model(),
    }


def measure(stop: threading.Event, budget_s: float = BUDGET_S) -> dict[str, Any]:
    """The whole sweep: small working sets first, two tasks before several; cut short keeps its points."""
    info = machine()
    l3 = info["caches"]["L3"] or L3_UNKNOWN
    cpu = sorted(os.sched_getaffinity(0))[0]
    sweep = Sweep(stop, budget_s)
    load = OtherLoad()
    try:
        for tasks in TASKS:
            for n in sizes(tasks, l3):
                sweep.point(tasks, n, cpu)
    except Cancelled:
        pass
    wall, other = load.end()
    return {
        **info,
        "points": sweep.points,
        "cancelled": sweep.cut == "cancelled",
        "timed_out": sweep.cut == "time",
        "budget": budget_s,
        "seconds": round(wall, 3),
        "cpus": os.cpu_count() or 1,
        "other_load": round(other, 3),
        "reliable": sweep.cut is None and other < BUSY_SHARE,
    }
