"""Runs of the class's own Python code: started, watched, contained and ended as whole trees.

A run's first process is ``python -u script.py`` in a session of its own, with
ptlab's probe on its PYTHONPATH (``app/run/bootstrap``), so every Python
process it starts — by fork, spawn, forkserver or subprocess — reports its
threads and answers for their stacks like a lab worker. Processes without
the probe (a program it execs) are still found, as members of the session,
and drawn from /proc alone.

Containment, checked every 50 ms by a watchdog: the wall-time limit
(PTLAB_RUN_SECONDS), the lab's caps (PTLAB_MAX_PROCESSES processes in the
run, PTLAB_MAX_THREADS threads in any one of them), and RLIMIT_AS
(PTLAB_RUN_MEMORY_MIB) set in each process before it starts. Ending a run
stops every process of its session first (SIGSTOP: a fork bomb cannot fork
while stopped), then kills them all, and the server (a subreaper) reaps them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from ..procfs import read_stat
from ..protocol import RunView
from ..settings import Settings
from .errors import LabError
from .lab import PROJECT_ROOT, Lab

BOOTSTRAP = Path(__file__).resolve().parent.parent / "run" / "bootstrap"
WATCH_S = 0.05
# What is kept of a run's output: the end (a traceback is at the end); the rest is counted.
CONSOLE_KEEP = 64 * 1024
FRAME_CONSOLE = 4 * 1024
# A process of the run that has not said hello by then has no probe: it is drawn from /proc alone.
PROBE_GRACE_S = 1.0
TRACEBACK = re.compile(r"Traceback \(most recent call last\):\n(?:.*\n)*?\S.*(?:\n|$)")


class Console:
    """A run's stdout and stderr as they came, bounded: the last CONSOLE_KEEP bytes are kept."""

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.kept = 0
        self.total = 0
        self.dropped = 0

    def add(self, data: bytes) -> None:
        """Append output; drop the oldest beyond the bound, counting it."""
        self.total += len(data)
        self.chunks.append(data)
        self.kept += len(data)
        while self.kept > CONSOLE_KEEP and self.chunks:
            extra = self.kept - CONSOLE_KEEP
            head = self.chunks[0]
            if len(head) <= extra:
                self.chunks.popleft()
                self.kept -= len(head)
                self.dropped += len(head)
            else:
                self.chunks[0] = head[extra:]
                self.kept -= extra
                self.dropped += extra

    def text(self, last: int = CONSOLE_KEEP) -> str:
        """The kept output (its last ``last`` bytes), with a note when some was dropped."""
        data = b"".join(self.chunks)[-last:]
        note = ""
        if self.dropped or len(data) < self.kept:
            note = f"[ptlab: output cut: {self.total - len(data)} of {self.total} bytes not shown]\n"
        return note + data.decode("utf-8", "replace")


def session_members(sid: int, zombies: bool = False) -> list[tuple[int, int, int, str]]:
    """(pid, ppid, threads, state) of every live process in session ``sid``, from /proc.

    ``zombies``: also those that ended and wait to be reaped (they are still there, just not alive).
    """
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = read_stat(int(entry))
        if st is not None and st.session == sid and (zombies or st.state not in ("Z", "X")):
            out.append((int(entry), st.ppid, st.num_threads, st.state))
    return out


def _limits(memory_mib: int) -> None:
    # In the child, before exec: a session of its own (so the whole tree can be found and
    # ended), an address-space limit, and the lab's niceness.
    os.setsid()
    limit = memory_mib << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.nice(10)


class Run:
    """One run of user code."""

    def __init__(self, rid: int, name: str, popen: subprocess.Popen[bytes], limits: dict[str, float]) -> None:
        self.id = rid
        self.name = name
        self.popen = popen
        self.pid = popen.pid
        self.started = time.time()
        self.t0 = time.monotonic()
        self.ended: float | None = None
        self.reason: str | None = None
        self.console = Console()
        self.limits = limits
        self.members: list[tuple[int, int, int, str]] = []
        self.seen: dict[int, float] = {}  # pid -> when the watchdog first saw it
        self.shown = 0  # members when the view was last sent
        self.version = 0

    def view(self, console: int = CONSOLE_KEEP) -> RunView:
        """The run as the page shows it."""
        text = self.console.text(console)
        tracebacks = TRACEBACK.findall(text)  # within what is sent: a frame's 4 KiB, or all that is kept
        code = self.popen.returncode
        return RunView(
            id=self.id,
            name=self.name,
            pid=self.pid,
            status="exited" if self.ended is not None else "running",
            started=self.started,
            seconds=round((self.ended or time.monotonic()) - self.t0, 2),
            exit_code=code,
            reason=self.reason,
            traceback=tracebacks[-1].strip() if tracebacks else None,
            console=text,
            console_bytes=self.console.total,
            dropped=self.console.dropped,
            processes=len(self.members),
            limits=self.limits,
        )


class Runs:
    """Starts, watches and ends runs of user code; one at a time."""

    def __init__(self, lab: Lab, settings: Settings) -> None:
        self.lab = lab
        self.settings = settings
        self.current: Run | None = None
        self._ids = 0
        self.version = 0
        self._watch: asyncio.Task[None] | None = None
        # None until the server's real listening sockets are known (app/web/binding.py)
        self.listening_publicly: bool | None = None
        lab.adopt = self._adopt

    def changed(self) -> None:
        """The run's view changed: the next frame carries it."""
        self.version += 1

    async def start(self, code: str, name: str, args: list[str], trusted: bool = False) -> RunView:
        """Check the code compiles, then run it as a new process tree.

        From the page (not ``trusted``: ``ptlab run`` is) only where the settings allow code.
        """
        self.check_allowed(trusted)
        if self.current is not None and self.current.ended is None:
            raise LabError("busy", f"run {self.current.id} is still running; stop it first")
        try:
            compile(code, name, "exec")
        except SyntaxError as exc:
            where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
            raise LabError("syntax_error", f"{name}: {where}: {exc.msg}; nothing was run") from None
        except ValueError as exc:  # a NUL byte in the source
            raise LabError("syntax_error", f"{name}: {exc}; nothing was run") from None
        if len(self.lab.live()) >= self.settings.max_processes:
            raise LabError("cap_reached", "the lab is at PTLAB_MAX_PROCESSES; stop some processes first")
        self._ids += 1
        folder = Path(self.lab.private_dir()) / f"run-{self._ids}"
        folder.mkdir()
        script = folder / os.path.basename(name if name.endswith(".py") else f"{name}.py")
        script.write_text(code, encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(BOOTSTRAP), str(PROJECT_ROOT)])
        env["PTLAB_RUN_SOCK"] = self.lab.sock_path
        env["PYTHONUNBUFFERED"] = "1"
        memory = self.settings.run_memory_mib
        popen = subprocess.Popen(
            [sys.executable, "-u", str(script), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=str(folder),
            env=env,
            close_fds=True,
            preexec_fn=lambda: _limits(memory),
        )
        limits = {
            "seconds": self.settings.run_seconds,
            "memory_mib": memory,
            "processes": self.settings.max_processes,
            "threads": self.settings.max_threads,
        }
        run = self.current = Run(self._ids, script.name, popen, limits)
        proc = self.lab.record_user(popen.pid, None, run.id)
        proc.popen = popen
        self._read_output(run)
        self._watch = asyncio.create_task(self._watchdog(run))
        self.lab.events.add("process_started", pid=popen.pid, detail=f"run {run.id}: {script.name}")
        self.changed()
        return run.view()

    @property
    def code_allowed(self) -> bool:
        """Whether runs may be started from the page (``ptlab run`` may always start its script).

        PTLAB_ALLOW_CODE decides where it is set; otherwise only a server that listens on
        loopback alone, as found on its real sockets once it has bound (``listening_publicly``).
        """
        if self.settings.allow_code is not None:
            return self.settings.allow_code
        return self.listening_publicly is False

    def check_allowed(self, trusted: bool) -> None:
        """Refuse code from the page where it is not allowed (``trusted``: ``ptlab run``)."""
        if trusted or self.code_allowed:
            return
        if self.listening_publicly is None:
            why = "the server has not found which addresses it listens on yet"
        else:
            why = "the server listens on an address other machines can reach"
        raise LabError(
            "forbidden", f"running code from the page is off: {why} (PTLAB_ALLOW_CODE=1 allows it)"
        )

    async def stop(self, reason: str = "stopped by the presenter") -> RunView:
        """End the current run's whole process tree."""
        run = self.current
        if run is None:
            raise LabError("not_found", "there is no run to stop")
        if run.ended is None:
            await self._contain(run, reason)
        return run.view()

    def view(self, console: int = CONSOLE_KEEP) -> RunView | None:
        """The current (or last) run."""
        return self.current.view(console) if self.current else None

    async def shutdown(self) -> None:
        """End a run still going when the server stops."""
        if self.current is not None and self.current.ended is None:
            await self._contain(self.current, "the server stopped")

    # ---- watching ------------------------------------------------------------------
    def _read_output(self, run: Run) -> None:
        assert run.popen.stdout is not None
        fd = run.popen.stdout.fileno()
        os.set_blocking(fd, False)
        loop = asyncio.get_running_loop()

        def readable() -> None:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(fd)
                run.popen.stdout.close()  # type: ignore[union-attr]
                return
            run.console.add(data)
            self.changed()

        loop.add_reader(fd, readable)

    def _adopt(self, pid: int) -> int | None:
        """The run a process that says hello belongs to, if it is a member of the run's session."""
        run = self.current
        if run is None or run.ended is not None:
            return None
        st = read_stat(pid)
        return run.id if st is not None and st.session == run.pid else None

    async def _watchdog(self, run: Run) -> None:
        s = self.settings
        while run.ended is None:
            await asyncio.sleep(WATCH_S)
            self.lab.reap()
            everyone = session_members(run.pid, zombies=True)
            run.members = [m for m in everyone if m[3] not in ("Z", "X")]
            present = {pid for pid, _, _, _ in everyone}
            over = max((n for _, _, n, _ in run.members), default=0)
            if len(run.members) > s.max_processes:
                await self._contain(
                    run, f"process cap reached: more than {s.max_processes} processes (PTLAB_MAX_PROCESSES)"
                )
            elif over > s.max_threads:
                cap = f"a process had {over} threads (PTLAB_MAX_THREADS is {s.max_threads})"
                await self._contain(run, f"thread cap reached: {cap}")
            elif time.monotonic() - run.t0 > s.run_seconds:
                await self._contain(run, f"time limit reached: {s.run_seconds:g} s (PTLAB_RUN_SECONDS)")
            elif not run.members and run.popen.returncode is not None:
                self._finish(run)
            else:
                before = len(self.lab.procs)
                self._observe(run, present)
                if len(self.lab.procs) != before or len(run.members) != run.shown:
                    run.shown = len(run.members)
                    self.changed()

    def _observe(self, run: Run, present: set[int]) -> None:
        # Members that never said hello (no probe: a program it exec'd) are drawn from /proc alone.
        now = time.monotonic()
        for pid, ppid, _, _ in run.members:
            first = run.seen.setdefault(pid, now)
            proc = self.lab.procs.get(pid)
            if (proc is None or proc.status == "starting") and now - first > PROBE_GRACE_S:
                parent = ppid if ppid in self.lab.procs and ppid != pid else None
                self.lab.observe(pid, proc.parent if proc else parent, run.id)
        for proc in list(self.lab.procs.values()):
            if proc.run != run.id or not proc.alive:
                continue
            first = run.seen.setdefault(proc.pid, now)
            # reaped by its own parent in the run: gone from /proc (not a zombie the lab will reap)
            if proc.pid not in present and now - first > 0.2:
                self.lab.gone_elsewhere(proc)

    async def _contain(self, run: Run, reason: str) -> None:
        """Stop every process of the run's session, then kill them all, and reap them."""
        run.reason = reason
        deadline = time.monotonic() + 5.0
        # Stopped processes cannot fork: sweep until a pass finds none still running.
        while time.monotonic() < deadline:
            members = session_members(run.pid)
            running = [pid for pid, _, _, state in members if state != "T"]
            for pid in running:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            if not running:
                break
        while time.monotonic() < deadline:
            members = session_members(run.pid)
            if not members:
                break
            for pid, _, _, _ in members:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.lab.reap()
            await asyncio.sleep(0.01)
        self.lab.reap()
        self._finish(run)

    def _finish(self, run: Run) -> None:
        if run.ended is not None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            run.popen.wait(0)
        run.ended = time.monotonic()
        run.members = []
        for proc in list(self.lab.procs.values()):
            if proc.run == run.id and proc.alive:
                self.lab.gone_elsewhere(proc)
        self.changed()
