"""Start, command, watch and end the lab processes.

The server never runs lab threads itself: every process and thread the class
sees lives in a worker (``app.lab_worker``), a child of the server or forked
from another worker. Workers connect back over a Unix socket in a private
directory; the server checks each connection's peer PID with SO_PEERCRED and
keeps a pidfd for each, so it only ever signals processes it started, even if
a PID is reused.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import itertools
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .memory_map import StackRange
from .sampling import read_stat
from .settings import Settings

PR_SET_CHILD_SUBREAPER = 36
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# How long an exited process stays on screen, so the class sees it go.
EXITED_LINGER_S = 8.0
HELLO_TIMEOUT_S = 10.0
CALL_TIMEOUT_S = 5.0
MAX_WORKER_LINE = 256 * 1024


class LabError(Exception):
    """A refused or failed lab action; ``status`` is the HTTP status to answer with."""

    def __init__(self, error: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.status = status


@dataclass
class WorkerThread:
    """A thread as its worker reported it."""

    tid: int
    activity: str
    stack_start: int
    stack_end: int
    guard: int
    stack: StackRange = field(init=False)

    def __post_init__(self) -> None:
        # Built once: the sampler asks for it every tick.
        self.stack = StackRange(self.tid, self.stack_start, self.stack_end, self.guard)


@dataclass
class LabProcess:
    """The server's record of one lab process."""

    pid: int
    parent: int | None
    started: float
    popen: subprocess.Popen[bytes] | None = None
    writer: asyncio.StreamWriter | None = None
    pidfd: int | None = None
    status: str = "starting"  # starting → running → exited
    threads: dict[int, WorkerThread] = field(default_factory=dict)
    counter: dict[str, Any] | None = None
    exit_code: int | None = None
    exit_reason: str = ""
    exited_at: float | None = None
    reserved_threads: int = 0
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    hello: asyncio.Future[None] | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    races: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=6))
    # stacks of threads of a parent, copied by fork; no thread here runs on them (tid 0)
    inherited: tuple[StackRange, ...] = ()

    @property
    def alive(self) -> bool:
        """True until the process is known to have exited."""
        return self.status != "exited"


@dataclass
class LabEvent:
    """Something that happened to a lab process, for captions and logs."""

    id: int
    ts: float
    kind: str
    pid: int | None = None
    tid: int | None = None
    parent: int | None = None
    detail: str | None = None
    peer: int | None = None
    text: str | None = None
    result: dict[str, Any] | None = None


def _peer_pid(writer: asyncio.StreamWriter) -> int:
    sock = writer.get_extra_info("socket")
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[0]


def _counter(msg: dict[str, Any]) -> dict[str, Any]:
    shm = [
        {"path": str(x["path"]), "address": int(x["address"]), "value": int(x["value"])}
        for x in msg.get("shm", [])
    ]
    return {
        "address": int(msg["address"]),
        "value": int(msg["value"]),
        "last_tid": int(msg["last_tid"]),
        "shm": shm,
    }


def _peer_alive(writer: asyncio.StreamWriter, pid: int) -> bool:
    try:
        return not writer.is_closing() and _peer_pid(writer) == pid
    except OSError:
        return False


def _real_ppid(pid: int) -> int | None:
    st = read_stat(pid)
    return st.ppid if st else None


def become_subreaper() -> bool:
    """Adopt orphaned lab processes (a forked child whose parent ended) so we can reap them."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def describe_exit(code: int) -> tuple[int | None, int | None, str]:
    """Turn a waitstatus exit code (negative = signal) into (code, signal, reason)."""
    if code < 0:
        sig = -code
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return None, sig, f"killed by {name}"
    return code, None, "exited normally" if code == 0 else f"exited with code {code}"


class Lab:
    """All lab processes of this server, and the only code that starts or ends them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.procs: dict[int, LabProcess] = {}
        self.events: deque[LabEvent] = deque(maxlen=200)
        self._event_ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._reserved = 0
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.dir: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self.sock_path = ""

    # ---- lifecycle --------------------------------------------------------
    async def start(self) -> None:
        """Open the private socket workers connect to."""
        become_subreaper()
        self.dir = tempfile.mkdtemp(prefix="ptlab-")
        os.chmod(self.dir, 0o700)
        self.sock_path = os.path.join(self.dir, "lab.sock")
        self._server = await asyncio.start_unix_server(
            self._on_connect, path=self.sock_path, limit=MAX_WORKER_LINE
        )

    async def shutdown(self, grace: float = 0.8) -> None:
        """End every lab process and reap it: SIGTERM, then SIGKILL after ``grace`` seconds."""
        live = [p for p in self.procs.values() if p.alive]
        for p in live:
            self._signal(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(p.alive for p in live):
            self.reap()
            await asyncio.sleep(0.02)
        for p in live:
            if p.alive:
                self._signal(p, signal.SIGKILL)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and any(p.alive for p in live):
            self.reap()
            await asyncio.sleep(0.02)
        self.reap()
        for p in self.procs.values():
            self._close(p)
        if self._server is not None:
            self._server.close()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- queries ----------------------------------------------------------
    def live(self) -> list[LabProcess]:
        """Lab processes that have not exited (including ones still starting)."""
        return [p for p in self.procs.values() if p.alive]

    def get_running(self, pid: int) -> LabProcess:
        """The running lab process with this PID, or a clear error."""
        p = self.procs.get(pid)
        if p is None:
            raise LabError("not_found", f"{pid} is not a lab process", 404)
        if p.status != "running":
            raise LabError("not_running", f"lab process {pid} is {p.status}", 409)
        return p

    def events_after(self, last_id: int) -> list[LabEvent]:
        """Events newer than ``last_id``."""
        if not self.events or self.events[-1].id <= last_id:
            return []  # the usual tick: nothing happened, and the log holds up to 200
        return [e for e in self.events if e.id > last_id]

    def event(self, kind: str, **kw: Any) -> None:
        """Record something that happened, for captions."""
        self.events.append(LabEvent(next(self._event_ids), time.time(), kind, **kw))

    # ---- actions ----------------------------------------------------------
    def _reserve_process(self) -> None:
        if len(self.live()) + self._reserved >= self.settings.max_processes:
            raise LabError(
                "cap_reached",
                f"at most {self.settings.max_processes} lab processes may run at once "
                "(PTLAB_MAX_PROCESSES); stop one first",
                409,
            )
        self._reserved += 1

    async def spawn_process(self, parent: int | None = None) -> int:
        """Start a new worker, or fork ``parent``; return the new PID once it has said hello."""
        if parent is not None:
            parent_proc = self.get_running(parent)
        self._reserve_process()
        held = True

        def release() -> None:
            # Once the new process is recorded it counts itself (it is live),
            # so its reservation must stop counting, or concurrent spawns near
            # the cap would be refused for places that are free.
            nonlocal held
            if held:
                held = False
                self._reserved -= 1

        try:
            if parent is None:
                return await self._spawn_new(release)
            return await self._fork(parent_proc, release)
        finally:
            release()

    async def _spawn_new(self, recorded: Callable[[], None]) -> int:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        popen = subprocess.Popen(
            [sys.executable, "-m", "app.lab_worker", self.sock_path, str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            cwd=str(PROJECT_ROOT),
            env=env,
            close_fds=True,
        )
        # Set from here, not by the worker: its own start-up (imports) is the
        # costliest part, and forks inherit it.
        with contextlib.suppress(OSError):
            nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + self.settings.worker_nice)
            os.setpriority(os.PRIO_PROCESS, popen.pid, nice)
        proc = self._record(popen.pid, None)
        proc.popen = popen
        recorded()
        await self._await_hello(proc)
        self.event("process_started", pid=proc.pid)
        return proc.pid

    async def _fork(self, parent: LabProcess, recorded: Callable[[], None]) -> int:
        result = await self.call(parent, {"op": "fork"})
        pid = int(result["pid"])
        proc = self.procs.get(pid) or self._record(pid, parent.pid)
        recorded()
        await self._await_hello(proc)
        self.event("process_forked", pid=pid, parent=parent.pid)
        return pid

    def _record(self, pid: int, parent: int | None) -> LabProcess:
        proc = LabProcess(pid=pid, parent=parent, started=time.time())
        proc.hello = asyncio.get_running_loop().create_future()
        self.procs[pid] = proc
        return proc

    async def _await_hello(self, proc: LabProcess) -> None:
        assert proc.hello is not None
        try:
            await asyncio.wait_for(asyncio.shield(proc.hello), HELLO_TIMEOUT_S)
        except (TimeoutError, LabError) as exc:
            self._signal(proc, signal.SIGKILL)
            self.reap()
            raise LabError("start_failed", f"lab process {proc.pid} did not start: {exc}", 500) from exc

    async def spawn_thread(self, pid: int, activity: str) -> int:
        """Start a thread in a lab process; return its TID."""
        proc = self.get_running(pid)
        if len(proc.threads) + proc.reserved_threads >= self.settings.max_threads:
            raise LabError(
                "cap_reached",
                f"at most {self.settings.max_threads} threads per lab process, main thread included "
                "(PTLAB_MAX_THREADS)",
                409,
            )
        proc.reserved_threads += 1
        try:
            result = await self.call(proc, {"op": "start_thread", "activity": activity})
        finally:
            proc.reserved_threads -= 1
        tid = int(result["tid"])
        proc.threads[tid] = WorkerThread(
            tid, activity, int(result["stack_start"]), int(result["stack_end"]), int(result["guard"])
        )
        self.event("thread_started", pid=pid, tid=tid, detail=activity)
        return tid

    async def stop_thread(self, pid: int, tid: int) -> None:
        """Stop one lab thread; the main thread ends only with its process."""
        proc = self.get_running(pid)
        t = proc.threads.get(tid)
        if t is None:
            raise LabError("not_found", f"{tid} is not a thread of lab process {pid}", 404)
        if t.activity == "main":
            raise LabError("main_thread", f"thread {tid} is the main thread; stop process {pid} instead", 409)
        if t.activity in ("race", "shm", "costs"):
            raise LabError("experiment", f"thread {tid} is part of an experiment; cancel the experiment", 409)
        await self.call(proc, {"op": "stop_thread", "tid": tid})
        proc.threads.pop(tid, None)

    async def stop_process(self, pid: int, code: int = 0) -> None:
        """Ask a lab process to exit with ``code``; kill it if it does not within a second."""
        proc = self.procs.get(pid)
        if proc is None or not proc.alive:
            raise LabError("not_found", f"{pid} is not a running lab process", 404)
        with contextlib.suppress(LabError):
            if proc.status == "running":
                await self.call(proc, {"op": "exit", "code": code}, timeout=1.0)
        if not await self._wait_gone(proc, 1.0):
            self._signal(proc, signal.SIGKILL)
            await self._wait_gone(proc, 1.0)

    async def reset(self) -> int:
        """End every lab process."""
        live = self.live()
        await asyncio.gather(*(self.stop_process(p.pid) for p in live), return_exceptions=True)
        self.event("reset", detail=str(len(live)))
        return len(live)

    async def _wait_gone(self, proc: LabProcess, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while proc.alive and time.monotonic() < deadline:
            self.reap()
            if not proc.alive:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.gone.wait(), 0.02)
        return not proc.alive

    # ---- talking to workers ----------------------------------------------
    async def _send(self, proc: LabProcess, msg: dict[str, Any]) -> None:
        if proc.writer is None or proc.writer.is_closing():
            raise LabError("not_running", f"lab process {proc.pid} is not connected", 409)
        proc.writer.write(json.dumps(msg).encode() + b"\n")
        await proc.writer.drain()

    async def call(
        self, proc: LabProcess, msg: dict[str, Any], timeout: float = CALL_TIMEOUT_S
    ) -> dict[str, Any]:
        """Send one command to a worker and wait for its reply."""
        rid = str(next(self._call_ids))
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        proc.pending[rid] = fut
        try:
            await self._send(proc, {**msg, "id": rid})
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError as exc:
            raise LabError("timeout", f"lab process {proc.pid} did not answer {msg['op']}", 504) from exc
        finally:
            proc.pending.pop(rid, None)

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        proc: LabProcess | None = None
        try:
            line = await asyncio.wait_for(reader.readline(), HELLO_TIMEOUT_S)
            hello = json.loads(line)
            proc = self._admit(hello, _peer_pid(writer), writer)
            if proc is None:
                return
            while line := await reader.readline():
                self._on_message(proc, json.loads(line))
        except (TimeoutError, ValueError, ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()
            if proc is not None:
                for fut in proc.pending.values():
                    if not fut.done():
                        fut.set_exception(LabError("process_gone", f"lab process {proc.pid} went away", 409))
                self.reap()

    def _admit(self, hello: dict[str, Any], peer: int, writer: asyncio.StreamWriter) -> LabProcess | None:
        """Accept a worker's hello only from the process it claims to be, and one we started."""
        pid = int(hello.get("pid", 0))
        if hello.get("type") != "hello" or pid != peer:
            return None
        proc = self.procs.get(pid)
        if proc is None:
            # A forked child may say hello before its parent's fork reply arrives.
            parent = hello.get("lab_parent")
            parent_proc = self.procs.get(int(parent)) if parent else None
            if parent_proc is None or not parent_proc.alive or _real_ppid(pid) != parent_proc.pid:
                return None
            proc = self._record(pid, parent_proc.pid)
        if proc.status != "starting":
            return None
        with contextlib.suppress(OSError):
            proc.pidfd = os.pidfd_open(pid)
        proc.writer = writer
        proc.status = "running"
        self._update_threads(proc, hello)
        assert proc.hello is not None
        if not proc.hello.done():
            proc.hello.set_result(None)
        return proc

    def _update_threads(self, proc: LabProcess, msg: dict[str, Any]) -> None:
        proc.threads = {
            int(t["tid"]): WorkerThread(
                int(t["tid"]), str(t["activity"]), int(t["stack_start"]), int(t["stack_end"]), int(t["guard"])
            )
            for t in msg.get("threads", [])
        }
        if "counter" in msg:
            proc.counter = _counter(msg["counter"])
        proc.inherited = tuple(
            StackRange(0, int(s["stack_start"]), int(s["stack_end"]), int(s["guard"]))
            for s in msg.get("inherited", [])
        )

    def _on_message(self, proc: LabProcess, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "reply":
            fut = proc.pending.get(str(msg.get("id")))
            if fut is not None and not fut.done():
                if msg.get("ok"):
                    fut.set_result(msg.get("result") or {})
                else:
                    fut.set_exception(LabError("worker_refused", str(msg.get("error")), 409))
        elif kind == "threads":
            self._update_threads(proc, msg)
        elif kind == "counter":
            proc.counter = _counter(msg)
        elif kind == "thread_exit":
            tid = int(msg["tid"])
            proc.threads.pop(tid, None)
            detail = msg.get("reason") if msg.get("detail") is None else f"error: {msg['detail']}"
            self.event("thread_stopped", pid=proc.pid, tid=tid, detail=detail)
        elif kind in ("job_done", "ipc_received"):
            # Results of experiments arrive on their own, after the command's reply.
            fut = self.waiters.get(str(msg.get("job") or msg.get("xfer")))
            if fut is not None and not fut.done():
                fut.set_result(msg)
        elif kind == "child_exit":
            child = self.procs.get(int(msg["pid"]))
            if child is not None and child.alive:
                self._mark_exited(child, int(msg["code"]))

    # ---- ending and reaping ----------------------------------------------
    def _signal(self, proc: LabProcess, sig: int) -> None:
        """Signal a lab process through its pidfd (never a reused PID)."""
        with contextlib.suppress(OSError):
            if proc.pidfd is not None:
                signal.pidfd_send_signal(proc.pidfd, sig)
            elif proc.popen is not None and proc.popen.returncode is None:
                proc.popen.send_signal(sig)  # our own unreaped child: its PID cannot be reused
            elif proc.writer is not None and _peer_alive(proc.writer, proc.pid):
                # No pidfd (old kernel or seccomp): the open connection from
                # this very PID proves it is still the process we admitted.
                os.kill(proc.pid, sig)

    def reap(self) -> None:
        """Collect exit statuses of every child that ended; forget long-gone lab processes.

        Every child of the server is a lab process or was adopted from one
        (we are a subreaper: orphaned forks, multiprocessing helpers), so
        waiting for any child reaps them all. A forked child whose lab parent
        lives is reaped by that parent, which tells us.
        """
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            proc = self.procs.get(pid)
            if proc is not None and proc.alive:
                self._mark_exited(proc, os.waitstatus_to_exitcode(status))
        now = time.time()
        for proc in list(self.procs.values()):
            if not proc.alive and proc.exited_at is not None and now - proc.exited_at > EXITED_LINGER_S:
                del self.procs[proc.pid]

    def _mark_exited(self, proc: LabProcess, code: int) -> None:
        if proc.popen is not None:
            proc.popen.returncode = code  # we reaped it; stop Popen from trying again
        reason = describe_exit(code)[2]
        proc.exit_code = code
        proc.exit_reason = reason
        proc.status = "exited"
        proc.exited_at = time.time()
        proc.threads = {}
        self._close(proc)
        proc.gone.set()
        if proc.hello is not None and not proc.hello.done():
            proc.hello.set_exception(LabError("start_failed", reason, 500))
            proc.hello.exception()  # mark retrieved; _await_hello reports it
        self.event("process_exited", pid=proc.pid, parent=proc.parent, detail=reason)

    def _close(self, proc: LabProcess) -> None:
        if proc.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(proc.pidfd)
            proc.pidfd = None
        if proc.writer is not None:
            proc.writer.close()
            proc.writer = None
