"""The agent that runs inside every lab process.

A lab process is a small Python program, started by the server (or forked
from another lab process), that obeys commands arriving on a Unix socket:
start a thread, stop a thread, fork, exit. It reports what only it can know:
each thread's native TID and real stack range (from glibc), and the address
and value of its process-local counter.

Only the main thread ever talks to the server, so a new process shows exactly
one thread until the class asks for more. It must stay importable without the
rest of the package (it is started with ``python -m app.lab.agent``) and
start fast, so it uses the standard library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import importlib
import json
import mmap
import os
import select
import signal
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.lab.activities import ACTIVITIES, MEASUREMENTS
from app.lab.commands import (
    Cancel,
    Costs,
    Exit,
    Fork,
    IpcListen,
    IpcSend,
    Race,
    Response,
    ShmAttach,
    ShmRun,
    Stack,
    StartThread,
    Step,
    StepEnd,
    StepStart,
    StopThread,
    SwitchSweep,
    Sync,
    from_wire,
)
from app.lab.experiments import (
    MAX_MESSAGE,
    FileLock,
    Inbox,
    SharedSegment,
    racy_increments,
    send_message,
)
from app.lab.stacks import python_stack
from app.lab.stepped import Slot, SteppedRun

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
# Commands after which the worker's threads (or the mappings it reports) may have changed.
CHANGES_THREADS = (
    StartThread,
    Fork,
    Race,
    ShmRun,
    ShmAttach,
    Costs,
    Response,
    SwitchSweep,
    StepStart,
    StepEnd,
)
# An experiment may run this long before its threads give up on their own.
EXPERIMENT_MAX_S = 10.0
# An IPC receiver waits this long for its message (the server gives up after 3 s).
INBOX_MAX_S = 10.0
# How often the agent wakes to report while an experiment runs or a message
# is awaited: ten times a second matches the sampler.
TICK_S = 0.1
# Otherwise the main thread sleeps until a command, a thread's nudge (it
# ended, or changed the counter) or a child's exit wakes it, so an idle lab
# process really is idle in /proc, as a textbook's would be. This is only a
# safety net for what nothing announces.
IDLE_S = 5.0
# Increments per second of a thread in "count" activity: slow enough that a
# class can read the number, fast enough to see it move.
COUNT_RATE_HZ = 4
MAX_LINE = 64 * 1024

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.pthread_self.restype = ctypes.c_ulong
_libc.pthread_getattr_np.argtypes = [ctypes.c_ulong, ctypes.c_void_p]
_libc.pthread_attr_getstack.argtypes = [
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.POINTER(ctypes.c_size_t),
]
_libc.pthread_attr_getguardsize.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
_libc.pthread_attr_destroy.argtypes = [ctypes.c_void_p]
_libc.pthread_setname_np.argtypes = [ctypes.c_ulong, ctypes.c_char_p]


def current_stack() -> tuple[int, int, int]:
    """Return (start, end, guard size) of the calling thread's stack, as glibc knows it."""
    attr = ctypes.create_string_buffer(256)  # larger than pthread_attr_t on every ABI
    if _libc.pthread_getattr_np(_libc.pthread_self(), attr) != 0:
        raise OSError(ctypes.get_errno(), "pthread_getattr_np failed")
    try:
        addr = ctypes.c_void_p()
        size = ctypes.c_size_t()
        guard = ctypes.c_size_t()
        _libc.pthread_attr_getstack(attr, ctypes.byref(addr), ctypes.byref(size))
        _libc.pthread_attr_getguardsize(attr, ctypes.byref(guard))
        start = addr.value or 0
        return start, start + size.value, guard.value
    finally:
        _libc.pthread_attr_destroy(attr)


def set_thread_name(name: str) -> None:
    """Name the calling OS thread so /proc/PID/task/TID/comm shows it (15 bytes max)."""
    _libc.pthread_setname_np(_libc.pthread_self(), name.encode()[:15])


# 1 MiB: hashing it takes about a millisecond, during which this thread holds
# no GIL (hashlib lets go of it for anything over 2 KiB).
GIL_FREE_BUFFER = 1 << 20


def gil_free(stop: threading.Event) -> None:
    """CPU work done in C with the GIL released: threads doing this really run side by side."""
    data = os.urandom(GIL_FREE_BUFFER)  # on this thread's share of the heap
    while not stop.is_set():
        hashlib.sha256(data).digest()


@dataclass
class LabThread:
    """One thread the class asked for, as this process sees it."""

    activity: str
    stop: threading.Event = field(default_factory=threading.Event)
    ready: threading.Event = field(default_factory=threading.Event)
    tid: int = 0
    stack: tuple[int, int, int] = (0, 0, 0)
    error: str | None = None
    thread: threading.Thread | None = None
    job: Job | None = None  # set for threads of a race or shared-memory run
    done: int = 0
    job_id: str = ""  # set for the thread measuring costs
    result: dict[str, Any] | None = None
    slot: Slot | None = None  # set for the threads of a stepped scene


@dataclass
class Job:
    """One race or shared-memory run: its threads count into ``counter``."""

    kind: str  # "race" or "shm"
    counter: ctypes.c_long
    k: int
    lock: Any
    stop: threading.Event = field(default_factory=threading.Event)
    deadline: float = 0.0
    started: float = 0.0
    tids: list[int] = field(default_factory=list)
    done: int = 0
    finished: int = 0
    path: str = ""
    use_lock: bool = False
    counted_before: int = 0


class Agent:
    """Command loop of one lab process; everything here runs on its main thread except thread bodies."""

    def __init__(self, sock_path: str, server_pid: int, lab_parent: int | None) -> None:
        self.sock_path = sock_path
        self.server_pid = server_pid
        self.lab_parent = lab_parent
        self.allowed_ppids = {server_pid} | ({lab_parent} if lab_parent else set())
        self.handlers = self._handlers()
        # The process-local counter every thread of this process shares, on a
        # page of its own (private anonymous memory: heap) so that nothing else
        # writes that page. After a fork the child's copy sits at the same
        # virtual address, and /proc/PID/pagemap shows the physical page stays
        # shared until one of them writes it (copy-on-write).
        self.page = mmap.mmap(-1, mmap.PAGESIZE, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self.counter = ctypes.c_long.from_buffer(self.page, 0)
        # written once, so the page is this process's own from the start (an untouched page reads
        # as the kernel's zero page, which every process shares: it would look like a fork's)
        self.counter.value = 0
        # increments made by `count` threads, so a race that overlaps them still knows what to expect
        self.counted = 0
        self.jobs: dict[str, Job] = {}
        self.segments: dict[str, SharedSegment] = {}
        self.inboxes: dict[str, Inbox] = {}
        self.reported_shm: list[tuple[str, int]] = []
        # Stacks of the parent's other threads, copied by fork: mapped here,
        # but no thread of this process runs on them.
        self.inherited: list[dict[str, int]] = []
        self.counter_lock = threading.Lock()
        self.last_tid = 0
        self.threads: dict[int, LabThread] = {}
        self.ended: list[dict[str, Any]] = []  # thread ends not yet reported
        self.ended_lock = threading.Lock()
        self.children: dict[int, int | None] = {}  # forked child PID -> its pidfd (readable once it exits)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.sock: socket.socket | None = None
        self.buf = b""
        self.reported_counter: tuple[int, int] | None = None
        self.stepped: SteppedRun | None = None
        self.reported_stepped: dict[str, Any] | None = None

    # ---- connection -------------------------------------------------------
    def connect(self) -> None:
        """Open a fresh connection to the server and introduce this process."""
        if self.sock is not None:
            self.sock.close()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # "@name" is the server's abstract-namespace socket (no file: nothing outlives the server)
        self.sock.connect("\0" + self.sock_path[1:] if self.sock_path.startswith("@") else self.sock_path)
        self.buf = b""
        self.send({"type": "hello", **self.describe()})
        self.reported_counter = (self.counter.value, self.last_tid)

    def send(self, msg: dict[str, Any]) -> None:
        """Write one JSON line to the server."""
        assert self.sock is not None
        self.sock.sendall(json.dumps(msg, separators=(",", ":")).encode() + b"\n")

    def describe(self) -> dict[str, Any]:
        """Everything the server cannot read from /proc: stacks, activities, the counter."""
        start, end, guard = current_stack()
        main = {
            "tid": threading.get_native_id(),
            "activity": "main",
            "stack_start": start,
            "stack_end": end,
            "guard": guard,
        }
        lab = [
            {
                "tid": t.tid,
                "activity": t.activity,
                "stack_start": t.stack[0],
                "stack_end": t.stack[1],
                "guard": t.stack[2],
            }
            for t in self.threads.values()
        ]
        return {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "lab_parent": self.lab_parent,
            "counter": self.counter_state(),
            "threads": [main, *lab],
            "inherited": self.inherited,
        }

    def counter_state(self) -> dict[str, int]:
        """Address and value of the shared counter, and which thread touched it last."""
        return {
            "address": ctypes.addressof(self.counter),
            "value": self.counter.value,
            "last_tid": self.last_tid,
            "shm": [seg.state() for seg in self.segments.values()],
        }

    def nudge(self) -> None:
        """Wake the main thread (from any thread): something it reports has changed."""
        # A full pipe means the main thread is already due to wake.
        with contextlib.suppress(BlockingIOError):
            os.write(self.wake_w, b"!")

    # ---- thread bodies ----------------------------------------------------
    def _thread_main(self, lt: LabThread) -> None:
        lt.tid = threading.get_native_id()
        set_thread_name(f"lab-{lt.activity}")
        try:
            lt.stack = current_stack()
        except OSError as exc:  # never seen on glibc; report rather than hide
            lt.error = str(exc)
        lt.ready.set()
        reason, detail = "stopped", None
        try:
            if lt.activity in MEASUREMENTS:
                # imported on demand: the costs import multiprocessing and psutil
                lt.result = importlib.import_module(MEASUREMENTS[lt.activity]).measure(lt.stop)
            elif lt.job is not None:
                job = lt.job
                lt.done = racy_increments(job.counter, job.k, job.lock, job.stop, job.deadline)
            elif lt.slot is not None and self.stepped is not None:
                self.stepped.body(lt.slot)
            else:
                # each activity is a function of its own, so the thread's live stack names it
                getattr(self, "activity_" + lt.activity.replace("-", "_"))(lt)
        except BaseException as exc:  # a lab thread that dies must be shown, not lost
            reason, detail = "error", repr(exc)
        with self.ended_lock:
            self.ended.append({"tid": lt.tid, "reason": reason, "detail": detail})
        self.nudge()

    def activity_idle(self, lt: LabThread) -> None:
        """Sleep until stopped: a thread that exists but does nothing."""
        lt.stop.wait()

    def activity_count(self, lt: LabThread) -> None:
        """Add one to the process's counter a few times a second, under the counter's lock."""
        while not lt.stop.wait(1 / COUNT_RATE_HZ):
            with self.counter_lock:
                self.counter.value += 1
                self.counted += 1
                self.last_tid = lt.tid
            self.nudge()

    def activity_busy(self, lt: LabThread) -> None:
        """Pure Python CPU work (it holds the GIL); checks the stop flag every few thousand steps."""
        x = 0
        while not lt.stop.is_set():
            for i in range(20000):
                x = (x + i * i) % 1000003

    def activity_gil_free(self, lt: LabThread) -> None:
        """CPU work in C with the GIL released."""
        gil_free(lt.stop)

    def activity_raise(self, lt: LabThread) -> None:
        """Raise after a second: an uncaught exception ends only its own thread, not the process."""
        if not lt.stop.wait(1.0):
            raise RuntimeError(f"thread {lt.tid} raised on purpose")

    def start_thread(
        self, activity: str, job: Job | None = None, job_id: str = "", slot: Slot | None = None
    ) -> dict[str, Any]:
        """Start one lab thread and wait until it knows its TID and stack."""
        if activity not in ACTIVITIES and job is None and not job_id and slot is None:
            raise ValueError(f"unknown activity {activity!r}; choose one of {', '.join(ACTIVITIES)}")
        lt = LabThread(activity=activity, job=job, job_id=job_id, slot=slot)
        th = threading.Thread(target=self._thread_main, args=(lt,), daemon=True)
        lt.thread = th
        th.start()
        if not lt.ready.wait(5):
            lt.stop.set()
            raise RuntimeError("thread did not start within 5 s")
        self.threads[lt.tid] = lt
        return {"tid": lt.tid, "stack_start": lt.stack[0], "stack_end": lt.stack[1], "guard": lt.stack[2]}

    def stop_thread(self, tid: int) -> dict[str, Any]:
        """Ask one lab thread to finish and join it."""
        lt = self.threads.get(tid)
        if lt is None:
            raise ValueError(f"thread {tid} is not a lab thread of process {os.getpid()}")
        lt.stop.set()
        assert lt.thread is not None
        lt.thread.join(2)
        if lt.thread.is_alive():
            raise RuntimeError(f"thread {tid} did not stop within 2 s")
        # Gone now, not at the next housekeeping: a report sent before then
        # must not bring it back (housekeeping still reports its end).
        del self.threads[tid]
        return {"tid": tid}

    # ---- experiments ------------------------------------------------------
    def start_job(self, job_id: str, job: Job, n: int, activity: str) -> dict[str, Any]:
        """Start ``n`` threads that all count into ``job.counter``."""
        if any(j.kind == job.kind for j in self.jobs.values()):
            raise RuntimeError(f"a {job.kind} run is already going in process {os.getpid()}")
        job.started = time.perf_counter()
        job.deadline = time.monotonic() + EXPERIMENT_MAX_S
        self.jobs[job_id] = job
        for _ in range(n):
            job.tids.append(self.start_thread(activity, job)["tid"])
        return {"tids": job.tids}

    def start_measuring(self, activity: str, job_id: str) -> dict[str, Any]:
        """Run a measurement (costs, response) on a thread of this process; reported when done."""
        if any(t.activity in MEASUREMENTS for t in self.threads.values()):
            raise RuntimeError("a measurement is already running here")
        result = self.start_thread(activity, None, job_id)
        return {"tid": result["tid"]}

    def race(self, job_id: str, n: int, k: int, use_lock: bool) -> dict[str, Any]:
        """N threads, K racy increments each, of one counter shared by the threads."""
        if not (1 <= n <= 64 and 1 <= k <= 10_000_000):
            raise ValueError("race needs 1..64 threads and 1..10 000 000 increments")
        # The race runs on the counter the card shows, from 0, under the same lock the `count`
        # threads take: what the class watches is what the panel reports.
        with self.counter_lock:
            self.counter.value = 0
            job = Job("race", self.counter, k, self.counter_lock if use_lock else None, use_lock=use_lock)
            job.counted_before = self.counted
        return self.start_job(job_id, job, n, "race")

    def shm_run(self, job_id: str, path: str, k: int, use_lock: bool) -> dict[str, Any]:
        """One thread doing K racy increments of a counter in shared memory."""
        seg = self.attach(path)
        lock = FileLock(path) if use_lock else None
        job = Job("shm", seg.counter, k, lock, path=path, use_lock=use_lock)
        return self.start_job(job_id, job, 1, "shm")

    # ---- the stepped race ---------------------------------------------------
    def step_start(self, mode: str, n: int, rounds: int) -> dict[str, Any]:
        """Start a stepped scene: ``n`` threads, each held at its first gate."""
        if self.stepped is not None:
            raise RuntimeError(f"a stepped scene is already running in process {os.getpid()}; end it first")
        run = SteppedRun(mode, n, rounds, self.counter, self.nudge)
        self.stepped = run
        try:
            for slot in run.slots:
                self.start_thread("stepped", slot=slot)
            run.wait_ready()
        except (RuntimeError, OSError):
            self.step_end()
            raise
        return run.state()

    def step(self, which: int | None) -> dict[str, Any]:
        """Let one stepped thread (1-based, or None: the next that can move) do its next step."""
        if self.stepped is None:
            raise RuntimeError(f"no stepped scene is running in process {os.getpid()}")
        entry = self.stepped.step(which)
        if entry["step"] == "store":
            with self.counter_lock:
                self.last_tid = self.stepped.slots[entry["thread"] - 1].tid
        return {"step": entry, "run": self.stepped.state()}

    def step_end(self) -> dict[str, Any]:
        """End the stepped scene; threads blocked on a lock cannot be ended, only their process."""
        run = self.stepped
        if run is None:
            return {"ended": 0}
        blocked = run.end()
        stuck = {s.tid for s in blocked}
        ended = 0
        for tid, lt in list(self.threads.items()):
            if lt.slot is not None and tid not in stuck and lt.thread is not None:
                lt.thread.join(2)
                ended += 1
        if blocked:
            names = " and ".join(str(s.index) for s in blocked)
            raise RuntimeError(
                f"thread {names} {'is' if len(blocked) == 1 else 'are'} blocked on a lock for good "
                "(a deadlock): no thread can release it, only ending the process frees them"
            )
        self.stepped = None
        return {"ended": ended}

    def report_stepped(self) -> None:
        """Send where the stepped threads stand, if that changed since the last report."""
        state = self.stepped.state() if self.stepped is not None else None
        if state is not None:
            state.pop("log")  # the log only grows with steps, whose replies carry it
        if state != self.reported_stepped:
            self.reported_stepped = state
            self.send({"type": "stepped", "run": self.stepped.state() if self.stepped else None})

    def attach(self, path: str) -> SharedSegment:
        """Map a shared-memory segment (once); it then shows in /proc/PID/maps as shared."""
        if path not in self.segments:
            self.segments[path] = SharedSegment(path)
        return self.segments[path]

    def finish_jobs(self) -> None:
        """Report runs whose threads have all ended."""
        for job_id, job in list(self.jobs.items()):
            if job.finished < len(job.tids):
                continue
            del self.jobs[job_id]
            if isinstance(job.lock, FileLock):
                job.lock.close()
            result = {
                "type": "job_done",
                "job": job_id,
                "kind": job.kind,
                "threads": len(job.tids),
                "increments": job.k,
                "lock": job.use_lock,
                "expected": job.done,
                "seconds": round(time.perf_counter() - job.started, 4),
                "cancelled": job.stop.is_set() or job.done < job.k * len(job.tids),
            }
            if job.kind == "race":
                with self.counter_lock:
                    result["actual"] = job.counter.value
                    # `count` threads that ran meanwhile added updates of their own
                    result["expected"] = job.done + self.counted - job.counted_before
            else:
                result["path"] = job.path
            self.send(result)

    def ipc_listen(self, xfer: str, kind: str, path: str) -> dict[str, Any]:
        """Get ready to receive one message (the server made the FIFO or chose the path)."""
        self.inboxes[xfer] = Inbox(kind, path, xfer)
        return {}

    def poll_inboxes(self) -> None:
        """Report every message that has arrived."""
        for xfer, box in list(self.inboxes.items()):
            data = box.poll()
            if data is None:
                if time.monotonic() - box.created > INBOX_MAX_S:  # the server gave up on it long ago
                    box.close()
                    del self.inboxes[xfer]
                continue
            box.close()
            del self.inboxes[xfer]
            self.send(
                {
                    "type": "ipc_received",
                    "xfer": xfer,
                    "kind": box.kind,
                    "text": data[:MAX_MESSAGE].decode("utf-8", "replace"),
                    "bytes": len(data),
                }
            )

    # ---- fork -------------------------------------------------------------
    def fork(self) -> dict[str, Any]:
        """Fork this process: the child keeps the same address space layout, with one thread."""
        parent_pid = os.getpid()
        # Hold the counter lock across fork so the child never inherits it
        # locked by a thread that does not exist there.
        with self.counter_lock, self.ended_lock:
            pid = os.fork()
            if pid == 0:
                self._after_fork_in_child(parent_pid)
                return {}
        try:
            self.children[pid] = os.pidfd_open(pid)
        except OSError:  # no pidfds here: the main loop polls instead
            self.children[pid] = None
        return {"pid": pid}

    def _after_fork_in_child(self, parent_pid: int) -> None:
        # Only the forking (main) thread exists in the child: the lab threads
        # of the parent are gone, their bookkeeping must go too. Their stacks
        # are still mapped (fork copies the whole address space): say so.
        self.inherited = [
            {"stack_start": t.stack[0], "stack_end": t.stack[1], "guard": t.stack[2]}
            for t in self.threads.values()
        ] + self.inherited
        self.counter_lock = threading.Lock()
        self.ended_lock = threading.Lock()
        self.threads = {}
        self.ended = []
        for fd in [self.wake_r, self.wake_w, *(f for f in self.children.values() if f is not None)]:
            os.close(fd)  # the parent's: its threads' nudges and its children are not ours
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.children = {}
        self.jobs = {}
        if self.stepped is not None:
            self.stepped.forget_in_child()
        self.stepped = None  # its threads stayed behind in the parent
        self.reported_stepped = None
        for box in self.inboxes.values():
            box.close()
        self.inboxes = {}
        self.lab_parent = parent_pid
        self.allowed_ppids = {self.server_pid, parent_pid}
        # Its parent's death (the server's, once it is adopted) wakes it, even from SIGSTOP, to see
        # whether it still has a lab: SIGKILL would take a forked child down with its parent, which
        # the lab shows living on, adopted; without any signal a stopped child outlived the server.
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGCONT, 0, 0, 0)
        raise _ForkedChild

    # ---- main loop --------------------------------------------------------
    def handle(self, raw: Any) -> None:
        """Check one command, run its handler, and reply with its result or error."""
        rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        try:
            rid, cmd = from_wire(raw)
            if isinstance(cmd, Exit):
                self.send({"type": "reply", "id": rid, "ok": True, "result": {}})
                raise SystemExit(cmd.code)
            result = self.handlers[type(cmd)](cmd)
        except (ValueError, RuntimeError, KeyError, TypeError, OSError) as exc:
            self.send({"type": "reply", "id": rid, "ok": False, "error": str(exc)})
            return
        # Counters and threads go out before the reply, so whoever awaited the
        # reply already holds values at least as new as the moment it was sent.
        self.report_counter()
        self.report_stepped()
        if isinstance(cmd, CHANGES_THREADS):
            self.send({"type": "threads", **self.describe()})
        self.send({"type": "reply", "id": rid, "ok": True, "result": result})

    def _handlers(self) -> dict[type, Callable[[Any], dict[str, Any]]]:
        """One handler per command (Exit is handled where the reply must precede the exit)."""
        return {
            StartThread: lambda c: self.start_thread(c.activity),
            StopThread: lambda c: self.stop_thread(c.tid),
            Fork: lambda c: self.fork(),
            Race: lambda c: self.race(c.job, c.threads, c.increments, c.lock),
            ShmRun: lambda c: self.shm_run(c.job, c.path, c.increments, c.lock),
            ShmAttach: lambda c: self.attach(c.path).state(),
            Cancel: lambda c: self.cancel(),
            Costs: lambda c: self.start_measuring("costs", c.job),
            Response: lambda c: self.start_measuring("response", c.job),
            SwitchSweep: lambda c: self.start_measuring("switch_sweep", c.job),
            IpcListen: lambda c: self.ipc_listen(c.xfer, c.kind, c.path),
            IpcSend: lambda c: (send_message(c.kind, c.path, c.text.encode()), {})[1],
            Sync: lambda c: {},
            Stack: lambda c: python_stack(c.tid),
            StepStart: lambda c: self.step_start(c.mode, c.threads, c.rounds),
            Step: lambda c: self.step(c.thread),
            StepEnd: lambda c: self.step_end(),
        }

    def cancel(self) -> dict[str, Any]:
        """Tell every running experiment (and a measurement) to stop early."""
        measuring = [t for t in self.threads.values() if t.activity in MEASUREMENTS]
        for job in self.jobs.values():
            job.stop.set()
        for t in measuring:
            t.stop.set()
        return {"cancelled": len(self.jobs) + len(measuring)}

    def report_counter(self) -> None:
        """Send the counters (own and shared segments) if they changed since the last report."""
        shm = [(path, seg.counter.value) for path, seg in self.segments.items()]
        now = (self.counter.value, self.last_tid)
        if now != self.reported_counter or shm != self.reported_shm:
            self.reported_counter = now
            self.reported_shm = shm
            self.send({"type": "counter", **self.counter_state()})

    def housekeeping(self) -> None:
        """Report ended threads, counter changes and reaped children; leave if the server is gone."""
        if os.getppid() not in self.allowed_ppids:
            raise SystemExit(0)  # server died and we were adopted elsewhere
        with self.ended_lock:
            ended, self.ended = self.ended, []
        for e in ended:
            lt = self.threads.pop(e["tid"], None)
            if lt is not None and lt.thread is not None:
                lt.thread.join(1)
            if lt is not None and lt.job is not None:
                # an experiment's thread: its run reports once, for all of them
                lt.job.done += lt.done
                lt.job.finished += 1
                continue
            if lt is not None and lt.job_id:
                self.send(
                    {
                        "type": "job_done",
                        "job": lt.job_id,
                        "kind": lt.activity,
                        lt.activity: lt.result,
                        "error": e["detail"],
                    }
                )
                continue
            self.send({"type": "thread_exit", **e})
        if ended:
            self.send({"type": "threads", **self.describe()})
        self.finish_jobs()
        self.poll_inboxes()
        self.report_counter()
        self.report_stepped()
        for child in list(self.children):
            try:
                done, status = os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                self._forget_child(child)
                continue
            if done:
                self._forget_child(child)
                code = os.waitstatus_to_exitcode(status)
                self.send({"type": "child_exit", "pid": child, "code": code})

    def _forget_child(self, pid: int) -> None:
        fd = self.children.pop(pid, None)
        if fd is not None:
            os.close(fd)

    def _wait_time(self) -> float:
        """How long the main loop may sleep: briefly while something must be polled, else long."""
        polled = (
            self.jobs
            or self.inboxes  # a file inbox cannot be waited on, and each one expires
            or any(fd is None for fd in self.children.values())
            or any(t.activity in MEASUREMENTS for t in self.threads.values())
        )
        return TICK_S if polled else IDLE_S

    def run(self) -> None:
        """Serve commands until told to exit or the server goes away."""
        self.connect()
        next_tick = time.monotonic() + TICK_S
        while True:
            assert self.sock is not None
            timeout = max(0.0, min(next_tick, time.monotonic() + self._wait_time()) - time.monotonic())
            # Messages arriving through a FIFO or socket wake us at once; a
            # file cannot be waited on and is looked for at each tick.
            inboxes = [fd for box in self.inboxes.values() if (fd := box.fileno()) is not None]
            exits = [fd for fd in self.children.values() if fd is not None]
            readable, _, _ = select.select([self.sock, self.wake_r, *inboxes, *exits], [], [], timeout)
            woken = self.wake_r in readable or any(fd in readable for fd in exits)
            if self.wake_r in readable:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self.wake_r, 4096):
                        pass
            if any(fd in readable for fd in inboxes):
                self.poll_inboxes()
            if self.sock in readable:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise SystemExit(0)  # server closed our line: it is gone or wants us gone
                self.buf += chunk
                if len(self.buf) > MAX_LINE and b"\n" not in self.buf:
                    raise SystemExit(2)
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    self.handle(json.loads(line))
            if woken or time.monotonic() >= next_tick:
                self.housekeeping()
                next_tick = time.monotonic() + self._wait_time()


class _ForkedChild(Exception):
    """Unwinds the parent's command handling in a fresh child so it can run its own loop."""


def _set_process_name(name: str) -> None:
    _libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``python -m app.lab.agent SOCKET SERVER_PID``."""
    args = sys.argv[1:] if argv is None else argv
    sock_path, server_pid = args[0], int(args[1])
    # Die with the server even if it is SIGKILLed; then check it did not die
    # before the request took effect.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != server_pid:
        return
    # Ctrl-C in the server's terminal reaches us too; the server ends us itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _set_process_name("ptlab-worker")
    # Forking a threaded process is the point of the lab, not an accident.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    agent = Agent(sock_path, server_pid, None)
    while True:
        try:
            agent.run()
            return
        except _ForkedChild:
            # Now in a freshly forked child: carry on with its own loop, same agent object.
            _set_process_name("ptlab-worker")
            continue
        except (BrokenPipeError, ConnectionResetError, ConnectionRefusedError, FileNotFoundError):
            return


if __name__ == "__main__":
    try:
        main()
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 0)
    os._exit(0)
