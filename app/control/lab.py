"""Start, command, watch and end the lab processes.

The server never runs lab threads itself: every process and thread the class
sees lives in a worker (``app.lab.agent``), a child of the server or forked
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
import os
import re
import secrets
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
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..lab.commands import Exit, Fork, Stack, StartThread, StopThread, WorkerCommand, to_wire
from ..procfs import inner_ids, read_stat
from ..protocol import CounterView, PyFrameView, PyStackView, RaceView, SteppedView
from ..settings import Settings
from .admission import Admission
from .errors import LabError
from .events import EventLog
from .messages import (
    ChildExit,
    CounterMessage,
    Describe,
    Empty,
    Forked,
    Hello,
    IpcReceived,
    JobDone,
    PyStack,
    Reply,
    StackRange,
    SteppedMessage,
    ThreadExit,
    ThreadReport,
    ThreadStarted,
    WorkerMessage,
    parse_message,
)

PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# How long an exited process stays on screen: long enough to see it grey out and its memory empty,
# short enough that the picture never shows memory the OS has already taken back.
EXITED_LINGER_S = 2.0
HELLO_TIMEOUT_S = 10.0
CALL_TIMEOUT_S = 5.0
MAX_WORKER_LINE = 256 * 1024


R = TypeVar("R", bound=BaseModel)


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
    threads: dict[int, ThreadReport] = field(default_factory=dict)
    counter: CounterView | None = None
    exit_code: int | None = None
    exit_reason: str = ""
    exited_at: float | None = None
    reserved_threads: int = 0
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    hello: asyncio.Future[None] | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    races: deque[RaceView] = field(default_factory=lambda: deque(maxlen=6))
    stepped: SteppedView | None = None
    run: int | None = None  # the run of user code it belongs to (app/control/runs.py); None: a lab worker
    probe: bool = True  # False: no probe inside (not a Python process): drawn from /proc alone
    # In a run's own PID namespace: its PID there, and its threads' TIDs there -> ours (the probe
    # reports what it sees; the lab shows and signals by ours). None: our namespace.
    inner_pid: int | None = None
    inner_tids: dict[int, int] = field(default_factory=dict)
    # stacks of threads of a parent, copied by fork; no thread here runs on them (tid 0)
    inherited: tuple[StackRange, ...] = ()
    # Bumped by every change to what the worker reported (threads, counter,
    # races, status): the frame builder rebuilds a view only when it moved.
    version: int = 0
    # Bumped, with ``version``, only when the threads or inherited stacks change: a counting
    # process's counter moves every tick, its threads rarely, and their stacks cost a look.
    threads_version: int = 0

    def changed(self) -> None:
        """Say that something this record shows has changed."""
        self.version += 1

    def threads_changed(self) -> None:
        """Say that its threads (or the stacks it inherited) changed."""
        self.threads_version += 1
        self.version += 1

    @property
    def alive(self) -> bool:
        """True until the process is known to have exited."""
        return self.status != "exited"


def _peer_pid(writer: asyncio.StreamWriter) -> int:
    sock = writer.get_extra_info("socket")
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[0]


def _peer_alive(writer: asyncio.StreamWriter, pid: int) -> bool:
    try:
        return not writer.is_closing() and _peer_pid(writer) == pid
    except OSError:
        return False


def _real_ppid(pid: int) -> int | None:
    st = read_stat(pid)
    return st.ppid if st else None


def child_environment() -> dict[str, str]:
    """The server's environment without its own settings (PTLAB_TOKEN among them): what children get.

    A child's environment is readable by every process of the same user, the class's own
    code among them; the server's own is not (it is not dumpable: app/web/app.py).
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("PTLAB_")}


def _ignore(proc: LabProcess, msg: WorkerMessage) -> None:
    pass


STALE = re.compile(r"^ptlab-(\d+)-")


def remove_stale() -> list[str]:
    """Remove the private directories and shared-memory segments of ptlab servers that are gone.

    A server killed outright (SIGKILL) cannot clean up after itself; its
    leftovers carry its PID in their names, and a PID that no longer runs
    ptlab is safe to clean up after.
    """
    removed = []
    for base in {tempfile.gettempdir(), "/dev/shm"}:
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            m = STALE.match(name)
            if m is None or int(m.group(1)) == os.getpid() or _runs_ptlab(int(m.group(1))):
                continue
            path = os.path.join(base, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            removed.append(path)
    return removed


def _runs_ptlab(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"app" in f.read()  # python -m app, ptlab, uvicorn app.main:app
    except OSError:
        return False


def _prctl(option: int, value: int) -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(option, value, 0, 0, 0) == 0


def become_subreaper() -> bool:
    """Adopt orphaned lab processes (a forked child whose parent ended) so we can reap them."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def stop_being_dumpable() -> bool:
    """Make this process's /proc files (environ with the token, mem) readable by root alone.

    Other processes of the same user, the class's own code among them, could read them otherwise.
    Children are dumpable again from their exec, so the server still reads theirs.
    """
    return _prctl(PR_SET_DUMPABLE, 0)


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
        self.events = EventLog()
        self._call_ids = itertools.count(1)
        self._reserved = 0
        self.admission = Admission(settings.spawn_parallel, settings.spawn_queue)
        # experiments' results, which arrive on their own after the command's reply
        self.waiters: dict[str, asyncio.Future[JobDone | IpcReceived]] = {}
        self._dir: str | None = None
        self._server: asyncio.AbstractServer | None = None
        # which run of user code a process saying hello belongs to, if any (set by Runs)
        self.adopt: Callable[[int], int | None] | None = None
        # told the exit code of every child reaped that is not a lab process
        self.reaped_other: Callable[[int, int], None] | None = None
        # Whether a reap can find anything: a child ended since the last one (SIGCHLD said so,
        # where it can be watched), or an ended process is still shown. The tick asks ten times
        # a second; waitpid and the walk over the processes were a tenth of a quiet 1 x 1 tick.
        self._child_ended = True
        self._sigchld_watched = False
        self._lingering: set[int] = set()  # exited, still shown for EXITED_LINGER_S
        self.sock_path = ""
        # one handler per worker message type
        self._handlers: dict[str, Callable[[LabProcess, Any], None]] = {
            "hello": _ignore,  # a second hello on one connection means nothing
            "threads": self._on_threads,
            "counter": self._on_counter,
            "stepped": self._on_stepped,
            "reply": self._on_reply,
            "thread_exit": self._on_thread_exit,
            "job_done": self._on_result,
            "ipc_received": self._on_result,
            "child_exit": self._on_child_exit,
        }

    # ---- lifecycle --------------------------------------------------------
    async def start(self) -> None:
        """Open the private socket workers connect to."""
        become_subreaper()
        remove_stale()
        # An abstract-namespace socket: it has no file, so a server killed outright leaves none
        # behind. Anyone local may connect, but SO_PEERCRED admits only processes we started.
        self.sock_path = f"@ptlab-{os.getpid()}-{secrets.token_hex(8)}"
        self._server = await asyncio.start_unix_server(
            self._on_connect, path="\0" + self.sock_path[1:], limit=MAX_WORKER_LINE
        )
        # only where the loop may own signals (its main thread); elsewhere every tick reaps
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGCHLD, self._child_signalled)
            self._sigchld_watched = True

    def _child_signalled(self) -> None:
        self._child_ended = True

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
        if self._sigchld_watched:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGCHLD)
            self._sigchld_watched = False
        if self._server is not None:
            self._server.close()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def private_dir(self) -> str:
        """A 0700 directory for FIFOs and files of IPC runs, made when first needed.

        Named after this server's PID, so a later server can tell it is stale
        (``remove_stale``) if this one is killed before it can remove it.
        """
        if self._dir is None or not os.path.isdir(self._dir):
            self._dir = tempfile.mkdtemp(prefix=f"ptlab-{os.getpid()}-")
            os.chmod(self._dir, 0o700)
        return self._dir

    # ---- queries ----------------------------------------------------------
    def live(self) -> list[LabProcess]:
        """Lab processes that have not exited (including ones still starting)."""
        return [p for p in self.procs.values() if p.alive]

    def get_running(self, pid: int) -> LabProcess:
        """The running lab process with this PID, or a clear error."""
        p = self.procs.get(pid)
        if p is None:
            raise LabError("not_found", f"{pid} is not a lab process")
        if p.status != "running":
            raise LabError("not_running", f"lab process {pid} is {p.status}")
        return p

    # ---- actions ----------------------------------------------------------
    def _reserve_process(self) -> None:
        if len(self.live()) + self._reserved >= self.settings.max_processes:
            raise LabError(
                "cap_reached",
                f"at most {self.settings.max_processes} lab processes may run at once "
                "(PTLAB_MAX_PROCESSES); stop one first",
            )
        self._reserved += 1

    async def spawn_process(self, parent: int | None = None) -> int:
        """Start a new worker, or fork ``parent``; return the new PID once it has said hello."""
        if parent is not None:
            self.get_running(parent)
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
            # The cap is checked first, so a request that could never run is
            # refused at once instead of waiting its turn to be refused.
            async with self.admission.turn():
                if parent is None:
                    return await self._spawn_new(release)
                return await self._fork(self.get_running(parent), release)
        finally:
            release()

    async def _spawn_new(self, recorded: Callable[[], None]) -> int:
        env = child_environment()
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        popen = subprocess.Popen(
            [sys.executable, "-m", "app.lab.agent", self.sock_path, str(os.getpid())],
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
        self.events.add("process_started", pid=proc.pid)
        return proc.pid

    async def _fork(self, parent: LabProcess, recorded: Callable[[], None]) -> int:
        pid = (await self.call(parent, Fork(), Forked)).pid
        proc = self.procs.get(pid) or self._record(pid, parent.pid)
        recorded()
        await self._await_hello(proc)
        self.events.add("process_forked", pid=pid, parent=parent.pid)
        return pid

    def record_user(self, pid: int, parent: int | None, run: int) -> LabProcess:
        """Expect a hello from a process of a run of user code (its probe connects by itself)."""
        proc = self._record(pid, parent)
        proc.run = run
        return proc

    def observe(self, pid: int, parent: int | None, run: int) -> LabProcess:
        """Show a process of a run that has no probe: everything about it comes from /proc."""
        proc = self.procs.get(pid) or self._record(pid, parent)
        proc.run, proc.probe, proc.status = run, False, "running"
        inner = inner_ids(pid)
        proc.inner_pid = inner[0] if inner is not None else None
        with contextlib.suppress(OSError):
            proc.pidfd = proc.pidfd or os.pidfd_open(pid)
        if proc.hello is not None and not proc.hello.done():
            proc.hello.cancel()
        proc.changed()
        self.events.add("process_started", pid=pid, detail=f"run {run}: no probe, /proc only")
        return proc

    def gone_elsewhere(self, proc: LabProcess) -> None:
        """A process of a run that another process of the run reaped: gone, its status not ours to read."""
        # the page translates this wording (DETAILS in static/js/panels/captions.js)
        self._mark_exited(proc, None, "ended (its parent collected its exit status)")

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
            raise LabError("start_failed", f"lab process {proc.pid} did not start: {exc}") from exc

    async def python_stack(self, pid: int, tid: int) -> PyStackView:
        """A thread's live Python stack, asked of its own process."""
        proc = self.get_running(pid)
        if tid not in proc.threads and tid != pid:
            raise LabError("not_found", f"{tid} is not a thread of lab process {pid}")
        inner = {outer: inner for inner, outer in proc.inner_tids.items()}
        asked = inner.get(tid, proc.inner_pid if tid == pid and proc.inner_pid else tid)
        stack = await self.call(proc, Stack(tid=asked), PyStack)
        return PyStackView(
            pid=pid,
            tid=tid,
            frames=[PyFrameView(**f.model_dump()) for f in stack.frames],
        )

    async def spawn_thread(self, pid: int, activity: str) -> int:
        """Start a thread in a lab process; return its TID."""
        proc = self.get_running(pid)
        if len(proc.threads) + proc.reserved_threads >= self.settings.max_threads:
            raise LabError(
                "cap_reached",
                f"at most {self.settings.max_threads} threads per lab process, main thread included "
                "(PTLAB_MAX_THREADS)",
            )
        proc.reserved_threads += 1
        try:
            started = await self.call(proc, StartThread(activity=activity), ThreadStarted)
        finally:
            proc.reserved_threads -= 1
        proc.threads[started.tid] = ThreadReport(**started.model_dump(), activity=activity)
        proc.threads_changed()
        self.events.add("thread_started", pid=pid, tid=started.tid, detail=activity)
        return started.tid

    async def stop_thread(self, pid: int, tid: int) -> None:
        """Stop one lab thread; the main thread ends only with its process."""
        proc = self.get_running(pid)
        t = proc.threads.get(tid)
        if t is None:
            raise LabError("not_found", f"{tid} is not a thread of lab process {pid}")
        if t.activity == "main":
            raise LabError("main_thread", f"thread {tid} is the main thread; stop process {pid} instead")
        if t.activity in ("race", "shm", "costs"):
            raise LabError("experiment", f"thread {tid} is part of an experiment; cancel the experiment")
        await self.call(proc, StopThread(tid=tid), Empty)
        proc.threads.pop(tid, None)
        proc.threads_changed()

    async def stop_process(self, pid: int, code: int = 0) -> None:
        """Ask a lab process to exit with ``code``; kill it if it does not within a second."""
        proc = self.procs.get(pid)
        if proc is None or not proc.alive:
            raise LabError("not_found", f"{pid} is not a running lab process")
        with contextlib.suppress(LabError):
            if proc.status == "running":
                await self.call(proc, Exit(code=code), Empty, timeout=1.0)
        if not await self._wait_gone(proc, 1.0):
            self._signal(proc, signal.SIGKILL)
            await self._wait_gone(proc, 1.0)

    async def reset(self) -> int:
        """End every lab process."""
        live = self.live()
        await asyncio.gather(*(self.stop_process(p.pid) for p in live), return_exceptions=True)
        self.events.add("reset", detail=str(len(live)))
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
    async def _send(self, proc: LabProcess, line: bytes) -> None:
        if proc.writer is None or proc.writer.is_closing():
            raise LabError("not_running", f"lab process {proc.pid} is not connected")
        try:
            proc.writer.write(line)
            await proc.writer.drain()
        except OSError as exc:  # it hung up between the check and the write: ended, or ending
            raise LabError("process_gone", f"lab process {proc.pid} went away") from exc

    async def call(
        self, proc: LabProcess, cmd: WorkerCommand, reply: type[R], timeout: float = CALL_TIMEOUT_S
    ) -> R:
        """Send one command to a worker and wait for its reply, parsed as ``reply``."""
        rid = str(next(self._call_ids))
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        proc.pending[rid] = fut
        try:
            await self._send(proc, to_wire(cmd, rid))
            result = await asyncio.wait_for(fut, timeout)
        except TimeoutError as exc:
            raise LabError("timeout", f"lab process {proc.pid} did not answer {cmd.op}") from exc
        finally:
            proc.pending.pop(rid, None)
        try:
            return reply.model_validate(result)
        except ValidationError as exc:
            raise LabError(
                "worker_refused", f"lab process {proc.pid} answered {cmd.op} oddly: {exc}"
            ) from exc

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        proc: LabProcess | None = None
        try:
            line = await asyncio.wait_for(reader.readline(), HELLO_TIMEOUT_S)
            hello = parse_message(line)
            if not isinstance(hello, Hello):
                return
            proc = self._admit(hello, _peer_pid(writer), writer)
            if proc is None:
                return
            while line := await reader.readline():
                msg = parse_message(line)
                self._handlers[msg.type](proc, msg)
        except (TimeoutError, ValueError, ConnectionError, asyncio.IncompleteReadError, OSError):
            # ValueError covers pydantic's ValidationError: a worker that says
            # something malformed is cut off like one that hangs up.
            pass
        finally:
            writer.close()
            if proc is not None:
                for fut in proc.pending.values():
                    if not fut.done():
                        fut.set_exception(LabError("process_gone", f"lab process {proc.pid} went away"))
                self.reap()

    def _admit(self, hello: Hello, peer: int, writer: asyncio.StreamWriter) -> LabProcess | None:
        """Accept a worker's hello only from the process it claims to be, and one we started.

        A run's process in a PID namespace of its own claims the PID it sees there; the kernel's
        NSpid for its real PID (SO_PEERCRED's, in ours) must say the same.
        """
        pid = peer
        inner = None
        if hello.pid != peer:
            inner = inner_ids(peer)
            if inner is None or inner[0] != hello.pid:
                return None
        proc = self.procs.get(pid)
        if proc is None:
            # A forked child may say hello before its parent's fork reply arrives. The parent a
            # namespaced process names is in its namespace: its real parent is the one to check.
            lab_parent = _real_ppid(pid) if inner is not None else hello.lab_parent
            parent_proc = self.procs.get(lab_parent) if lab_parent else None
            run = self.adopt(pid) if self.adopt is not None else None
            if parent_proc is None or not parent_proc.alive or _real_ppid(pid) != parent_proc.pid:
                if run is None:
                    return None
                parent_proc = None  # a process of a run whose parent the lab does not show
            proc = self._record(pid, parent_proc.pid if parent_proc else None)
            proc.run = parent_proc.run if parent_proc is not None else run
        late = proc.status == "running" and not proc.probe and proc.writer is None
        if proc.status != "starting" and not late:
            return None  # a process whose probe was slower than the run's patience is welcome still
        proc.probe = True
        with contextlib.suppress(OSError):
            proc.pidfd = proc.pidfd or os.pidfd_open(pid)
        proc.writer = writer
        proc.status = "running"
        if inner is not None:
            proc.inner_pid, proc.inner_tids = inner
        self._on_threads(proc, hello)
        assert proc.hello is not None
        if not proc.hello.done():
            proc.hello.set_result(None)
        return proc

    # ---- what workers say -------------------------------------------------
    def _on_threads(self, proc: LabProcess, msg: Describe) -> None:
        threads = msg.threads
        if proc.inner_pid is not None:
            threads = self._outer_threads(proc, threads)
        proc.threads = {t.tid: t for t in threads}
        proc.counter = msg.counter
        proc.inherited = tuple(StackRange(0, s.stack_start, s.stack_end, s.guard) for s in msg.inherited)
        proc.threads_changed()

    def _outer_threads(self, proc: LabProcess, threads: list[ThreadReport]) -> list[ThreadReport]:
        """A namespaced process's threads with our TIDs (a thread already gone is left out)."""
        if any(t.tid not in proc.inner_tids for t in threads):
            fresh = inner_ids(proc.pid)
            proc.inner_tids = fresh[1] if fresh is not None else {}
        return [
            ThreadReport.model_validate({**t.model_dump(), "tid": proc.inner_tids[t.tid]})
            for t in threads
            if t.tid in proc.inner_tids
        ]

    def _on_counter(self, proc: LabProcess, msg: CounterMessage) -> None:
        proc.counter = CounterView.model_validate(msg.model_dump(exclude={"type"}))
        proc.changed()

    def _on_stepped(self, proc: LabProcess, msg: SteppedMessage) -> None:
        proc.stepped = msg.run
        proc.changed()

    def _on_reply(self, proc: LabProcess, msg: Reply) -> None:
        fut = proc.pending.get(str(msg.id))
        if fut is None or fut.done():
            return
        if msg.ok:
            fut.set_result(msg.result)
        else:
            fut.set_exception(LabError("worker_refused", str(msg.error)))

    def _on_thread_exit(self, proc: LabProcess, msg: ThreadExit) -> None:
        proc.threads.pop(msg.tid, None)
        proc.threads_changed()
        detail = msg.reason if msg.detail is None else f"error: {msg.detail}"
        self.events.add("thread_stopped", pid=proc.pid, tid=msg.tid, detail=detail)

    def _on_result(self, proc: LabProcess, msg: JobDone | IpcReceived) -> None:
        fut = self.waiters.get(msg.job if isinstance(msg, JobDone) else msg.xfer)
        if fut is not None and not fut.done():
            fut.set_result(msg)

    def _on_child_exit(self, proc: LabProcess, msg: ChildExit) -> None:
        child = self.procs.get(msg.pid)
        if child is not None and child.alive:
            self._mark_exited(child, msg.code)

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

    def reap_if_due(self) -> None:
        """``reap``, when it can find something: a child ended since the last reap, or an
        ended process is still shown (always, where SIGCHLD could not be watched)."""
        if self._child_ended or self._lingering or not self._sigchld_watched:
            self.reap()

    def reap(self) -> None:
        """Collect exit statuses of every child that ended; forget long-gone lab processes.

        Every child of the server is a lab process or was adopted from one
        (we are a subreaper: orphaned forks, multiprocessing helpers), so
        waiting for any child reaps them all. A forked child whose lab parent
        lives is reaped by that parent, which tells us.
        """
        self._child_ended = False  # before waiting: a child that ends meanwhile sets it again
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            proc = self.procs.get(pid)
            if proc is None and self.reaped_other is not None:
                self.reaped_other(pid, os.waitstatus_to_exitcode(status))  # a run's keeper, say
            if proc is not None and proc.alive:
                self._mark_exited(proc, os.waitstatus_to_exitcode(status))
            elif proc is not None and proc.popen is not None and proc.popen.returncode is None:
                proc.popen.returncode = os.waitstatus_to_exitcode(status)  # shown gone already; its code now
        now = time.time()
        for pid in list(self._lingering):
            proc = self.procs.get(pid)
            if proc is None or proc.alive:  # gone already, or the PID is another process's now
                self._lingering.discard(pid)
            elif proc.exited_at is not None and now - proc.exited_at > EXITED_LINGER_S:
                del self.procs[pid]
                self._lingering.discard(pid)

    def _mark_exited(self, proc: LabProcess, code: int | None, why: str = "") -> None:
        # ``code`` None: its exit status went to another process (``why`` says so)
        if proc.popen is not None and code is not None:
            proc.popen.returncode = code  # we reaped it; stop Popen from trying again
        reason = describe_exit(code)[2] if code is not None else why
        proc.exit_code = code
        proc.exit_reason = reason
        proc.status = "exited"
        proc.exited_at = time.time()
        self._lingering.add(proc.pid)
        proc.threads = {}
        proc.threads_changed()
        self._close(proc)
        proc.gone.set()
        if proc.hello is not None and not proc.hello.done():
            proc.hello.set_exception(LabError("start_failed", reason))
            proc.hello.exception()  # mark retrieved; _await_hello reports it
        self.events.add("process_exited", pid=proc.pid, parent=proc.parent, detail=reason)

    def _close(self, proc: LabProcess) -> None:
        if proc.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(proc.pidfd)
            proc.pidfd = None
        if proc.writer is not None:
            proc.writer.close()
            proc.writer = None
