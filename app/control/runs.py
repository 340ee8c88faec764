"""Runs of the class's own Python code: started, watched, contained and ended as whole trees.

A run starts as ``app/run/init.py``: a keeper that dies with the server, and
the run's init, which starts ``python -u script.py`` with ptlab's probe on its
PYTHONPATH (``app/run/bootstrap``), so every Python process the program starts
— by fork, spawn, forkserver or subprocess — reports its threads and answers
for their stacks like a lab worker. Processes without the probe (a program it
execs) are still found, below the init, and drawn from /proc alone.

Where the kernel allows (checked once at start: ``isolation``), the run has
PID and mount namespaces of its own (and a user namespace when the server is
not root): it sees only its own processes, cannot signal the server or read
its memory, and everything in it dies with its init. Elsewhere the init is a
child subreaper, and the watchdog below is the only wall.

Containment, checked every 50 ms by the watchdog: the wall-time limit
(PTLAB_RUN_SECONDS), the lab's caps (PTLAB_MAX_PROCESSES processes in the run,
PTLAB_MAX_THREADS threads in any one of them), and the run's memory as a whole
(PTLAB_RUN_MEMORY_MIB: RSS summed, confirmed by PSS so pages a fork shares
count once); RLIMIT_AS in each process is a backstop with room for the
thread cap's stacks. Ending a run kills its init (in a namespace the kernel
kills the rest), then stops every process still there (SIGSTOP: a fork bomb
cannot fork while stopped) and kills them all, and the server (a subreaper)
reaps them. The run ends when its program ends, and takes with it whatever
the program left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..lab.activities import PROBE_NAME
from ..procfs import inner_ids, read_stat
from ..protocol import Isolation, RunView
from ..settings import Settings
from . import run_tree
from .errors import LabError
from .lab import PROJECT_ROOT, Lab, child_environment
from .run_tree import Member

BOOTSTRAP = Path(__file__).resolve().parent.parent / "run" / "bootstrap"
INIT = Path(__file__).resolve().parent.parent / "run" / "init.py"
WATCH_S = 0.05
# What is kept of a run's output: the end (a traceback is at the end); the rest is counted.
CONSOLE_KEEP = 64 * 1024
FRAME_CONSOLE = 4 * 1024
# A process of the run that has not said hello by then has no probe: it is drawn from /proc alone.
PROBE_GRACE_S = 1.0
# The init starts the program at once; longer than this, something is wrong.
START_S = 5.0
TRACEBACK = re.compile(r"Traceback \(most recent call last\):\n(?:.*\n)*?\S.*(?:\n|$)")
MIB = 1 << 20
# glibc gives each thread a stack of RLIMIT_STACK (8 MiB) and a malloc arena of 64 MiB of address
# space (up to 8 per CPU). Two arenas, and room for the thread cap's stacks, keep address space from
# running out before the thread cap or the run's memory limit is reached: with the arenas of 16 it
# once failed at 20 threads, below a cap of 32.
ARENAS = 2
ARENA = 64 * MIB
# the interpreter, its libraries and their mappings
BASE_ADDRESS_SPACE = 256 * MIB


class Watcher(Protocol):
    """Someone besides the page who follows a run: ``ptlab run``'s terminal."""

    def output(self, data: bytes) -> None:
        """What the program printed, as it came."""

    def ended(self, run: RunView) -> None:
        """The run is over (all its output was given first)."""

    def failed(self, message: str) -> None:
        """The program could not be started at all."""


@dataclass(frozen=True)
class Script:
    """A program to run. ``path``: a file of the presenter's own (``ptlab run``), run where it is,
    from ``cwd``, as ``python path`` would; without one, the code is written to a file of its own."""

    code: str
    name: str
    args: tuple[str, ...] = ()
    path: Path | None = None
    cwd: Path | None = None
    watcher: Watcher | None = None


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


def isolation() -> Isolation:
    """What this kernel lets a run have: tried once, in a throwaway process (app/run/init.py --check)."""
    try:
        out = subprocess.run(
            [sys.executable, "-I", "-S", str(INIT), "--check"],
            capture_output=True,
            text=True,
            timeout=10,
            env=child_environment(),
        )
        return Isolation.model_validate_json(out.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        return Isolation(namespaces=False, why=f"the check did not run: {exc}")


def address_space(settings: Settings) -> int:
    """RLIMIT_AS for each process of a run: its memory, and room for the thread cap's stacks."""
    stack = 8 * MIB
    return (
        (settings.run_memory_mib * MIB)
        + (settings.max_threads + 1) * stack
        + ARENAS * ARENA
        + BASE_ADDRESS_SPACE
    )


def check_syntax(code: str, name: str) -> None:
    """Refuse code that does not compile, saying where: nothing is run."""
    try:
        compile(code, name, "exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        raise LabError("syntax_error", f"{name}: {where}: {exc.msg}; nothing was run") from None
    except ValueError as exc:  # a NUL byte in the source
        raise LabError("syntax_error", f"{name}: {exc}; nothing was run") from None


def run_environment(sock_path: str) -> dict[str, str]:
    """The program's environment: the server's, without its settings (the token), with the probe."""
    env = child_environment()
    env["PYTHONPATH"] = os.pathsep.join([str(BOOTSTRAP), str(PROJECT_ROOT)])
    env["PTLAB_RUN_SOCK"] = sock_path
    env["PYTHONUNBUFFERED"] = "1"
    env["MALLOC_ARENA_MAX"] = str(ARENAS)
    return env


class Run:
    """One run of user code: the keeper (our child), its init, and the program below it."""

    def __init__(
        self,
        rid: int,
        script: Script,
        popen: subprocess.Popen[bytes],
        limits: dict[str, float],
        init: int,
        main: int,
        report: int,
    ) -> None:
        self.id = rid
        self.name = script.name
        self.code = script.code
        self.watcher = script.watcher
        self.popen = popen  # the keeper: it exits as the program did
        self.init = init
        self.pid = main
        self.report = report  # the keeper's last word: how the program ended, and what it left
        self.init_fd: int | None = None  # a pidfd of the init, so a reused PID is never killed
        with contextlib.suppress(OSError):
            self.init_fd = os.pidfd_open(init)
        self.isolated = inner_ids(main) is not None  # in a PID namespace below ours
        self.started = time.time()
        self.t0 = time.monotonic()
        self.ended: float | None = None
        self.reason: str | None = None
        self.console = Console()
        self.limits = limits
        self.members: list[Member] = []
        self.known: set[int] = set()  # every process of the run seen alive and not yet gone
        self.seen: dict[int, float] = {}  # pid -> when the watchdog first saw it
        self.shown = 0  # members when the view was last sent
        self.memory = 0
        self.ending: asyncio.Event | None = None  # set once its containment has begun; fired when done

    def view(self, console: int = CONSOLE_KEEP) -> RunView:
        """The run as the page shows it."""
        text = self.console.text(console)
        tracebacks = TRACEBACK.findall(text)  # within what is sent: a frame's 4 KiB, or all that is kept
        return RunView(
            id=self.id,
            name=self.name,
            pid=self.pid,
            status="exited" if self.ended is not None else "running",
            started=self.started,
            seconds=round((self.ended or time.monotonic()) - self.t0, 2),
            exit_code=self.popen.returncode,
            reason=self.reason,
            traceback=tracebacks[-1].strip() if tracebacks else None,
            console=text,
            console_bytes=self.console.total,
            dropped=self.console.dropped,
            processes=len(self.members),
            limits=self.limits,
            isolated=self.isolated,
            memory=self.memory,
        )

    def left(self) -> int:
        """How many processes the program left running when it ended (the keeper's report; -1: none)."""
        try:
            return int(json.loads(os.read(self.report, 4096))["left"])
        except (OSError, ValueError, KeyError, TypeError):
            return -1

    def close(self) -> None:
        """Let go of the init's pidfd and the keeper's report."""
        for fd in (self.init_fd, self.report):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.init_fd = None


class Runs:
    """Starts, watches and ends runs of user code; one at a time."""

    def __init__(self, lab: Lab, settings: Settings, isolation: Isolation | None = None) -> None:
        self.lab = lab
        self.settings = settings
        self.isolation = isolation or Isolation(namespaces=False, why="not checked")
        self.current: Run | None = None
        self._ids = 0
        self.version = 0
        self._watch: asyncio.Task[None] | None = None
        # None until the server's real listening sockets are known (app/web/binding.py)
        self.listening_publicly: bool | None = None
        lab.adopt = self._adopt
        lab.reaped_other = self._reaped

    def changed(self) -> None:
        """The run's view changed: the next frame carries it."""
        self.version += 1

    async def start(self, code: str, name: str, args: list[str], trusted: bool = False) -> RunView:
        """Check the code compiles, then run it as a new process tree.

        From the page (not ``trusted``: ``ptlab run`` is) only where the settings allow code.
        """
        self.check_allowed(trusted)
        return await self.start_script(Script(code=code, name=name, args=tuple(args)))

    async def start_script(self, script: Script) -> RunView:
        """Run a script as a new process tree (the caller has checked that it may)."""
        code, name = script.code, script.name
        if self.current is not None and self.current.ended is None:
            raise LabError("busy", f"run {self.current.id} is still running; stop it first")
        check_syntax(code, name)
        if len(self.lab.live()) >= self.settings.max_processes:
            raise LabError("cap_reached", "the lab is at PTLAB_MAX_PROCESSES; stop some processes first")
        self._ids += 1
        if script.path is None:
            folder = Path(self.lab.private_dir()) / f"run-{self._ids}"
            folder.mkdir()
            path = folder / os.path.basename(name if name.endswith(".py") else f"{name}.py")
            path.write_text(code, encoding="utf-8")
            script = dataclasses.replace(script, name=path.name, path=path, cwd=folder)
        popen, report, go = self._launch(script)
        try:
            init, main = await self._started(popen)
            os.write(go, b"g")  # both found: the program may exec now
        except LabError:
            os.close(report)
            with contextlib.suppress(OSError):
                popen.kill()  # its init and program die with it (parent-death signal)
            popen.wait()
            assert popen.stdout is not None
            popen.stdout.close()
            raise
        finally:
            os.close(go)  # (on failure its end of file tells the waiting program to give up)
        s = self.settings
        limits = {
            "seconds": s.run_seconds,
            "memory_mib": s.run_memory_mib,
            "processes": s.max_processes,
            "threads": s.max_threads,
        }
        run = self.current = Run(self._ids, script, popen, limits, init, main, report)
        self.lab.record_user(main, None, run.id)
        self._read_output(run)
        self._watch = asyncio.create_task(self._watchdog(run))
        self.lab.events.add("process_started", pid=main, detail=f"run {run.id}: {script.name}")
        self.changed()
        return run.view()

    def _launch(self, script: Script) -> tuple[subprocess.Popen[bytes], int, int]:
        """Start the run's keeper (app/run/init.py) for ``script``: it, the pipe of its last report,
        and the pipe on which the server lets the program start."""
        config = {
            "server": os.getpid(),
            "namespaces": self.isolation.namespaces,
            "address_space": address_space(self.settings),
            "shm_bytes": self.settings.run_memory_mib * MIB,
            "nice": 10,
        }
        program = [sys.executable, "-u", str(script.path), *script.args]
        report, config["report_fd"] = os.pipe()
        os.set_blocking(report, False)
        config["go_fd"], go = os.pipe()
        popen = subprocess.Popen(
            [sys.executable, "-I", "-S", str(INIT), json.dumps(config), "--", *program],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=str(script.cwd),
            env=run_environment(self.lab.sock_path),
            close_fds=True,
            pass_fds=(config["report_fd"], config["go_fd"]),
        )
        os.close(config["report_fd"])
        os.close(config["go_fd"])
        return popen, report, go

    async def _started(self, popen: subprocess.Popen[bytes]) -> tuple[int, int]:
        """The run's init and its program, once both exist (the init starts the program at once)."""
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            procs = run_tree.scan()
            init = next((p.pid for p in procs.values() if p.ppid == popen.pid), None)
            main = next((p.pid for p in procs.values() if init and p.ppid == init), None)
            if init and main:
                return init, main
            if popen.poll() is not None:
                break
            await asyncio.sleep(0.005)
        raise LabError("start_failed", "the run's init did not start its program")

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
        raise LabError("forbidden", f"running code from the page is off: {why} (PTLAB_ALLOW_CODE=1 allows)")

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

    def code(self) -> str | None:
        """The source of the current (or last) run."""
        return self.current.code if self.current else None

    async def shutdown(self) -> None:
        """End a run still going when the server stops."""
        if self.current is not None and self.current.ended is None:
            await self._contain(self.current, "the server stopped")

    # ---- watching ------------------------------------------------------------------
    def _read_output(self, run: Run) -> None:
        assert run.popen.stdout is not None
        fd = run.popen.stdout.fileno()
        os.set_blocking(fd, False)
        asyncio.get_running_loop().add_reader(fd, self._read_some, run)

    def _read_some(self, run: Run) -> bytes | None:
        """What the run's output pipe holds now (b"": nothing yet); None at its end, closing it."""
        out = run.popen.stdout
        if out is None or out.closed:
            return None
        try:
            data = os.read(out.fileno(), 1 << 16)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(out.fileno())  # before its number is free
            out.close()
            return None
        run.console.add(data)
        if run.watcher is not None:
            run.watcher.output(data)
        self.changed()
        return data

    def _drain(self, run: Run) -> None:
        """Read what the ended program left in the pipe, so the console (and terminal) has its last words."""
        out = run.popen.stdout
        if out is None or out.closed:
            return
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(out.fileno())
        for _ in range(64):  # at most 4 MiB: a pipe holds far less once its writers are gone
            if not self._read_some(run):
                break

    def _adopt(self, pid: int) -> int | None:
        """The run a process that says hello belongs to, if it descends from the run's init."""
        run = self.current
        if run is None or run.ended is not None:
            return None
        return run.id if pid in run.known or run_tree.is_below(pid, run.init) else None

    def _reaped(self, pid: int, code: int) -> None:
        """The server reaped a child that is no lab process: a run's keeper gives the program's exit."""
        run = self.current
        if run is not None and pid == run.popen.pid and run.popen.returncode is None:
            run.popen.returncode = code

    def _over_a_limit(self, run: Run) -> str | None:
        """Why the run must be ended now, if it must (the page translates each wording by its pattern:
        RUN_REASONS in static/js/panels/captions.js)."""
        s = self.settings
        if len(run.members) > s.max_processes:
            return f"process cap reached: more than {s.max_processes} processes (PTLAB_MAX_PROCESSES)"
        own = max((self._own_threads(m) for m in run.members), default=0)
        if own > s.max_threads:
            return f"thread cap reached: a process had {own} threads (PTLAB_MAX_THREADS is {s.max_threads})"
        limit = s.run_memory_mib * MIB
        if run.memory > limit:
            # RSS counts a page shared after fork once per process: PSS divides it among them
            held = sum(run_tree.pss(m.pid) for m in run.members)
            if held > limit:
                return (
                    f"memory limit reached: the run held {held // MIB} MiB "
                    f"(PTLAB_RUN_MEMORY_MIB is {s.run_memory_mib})"
                )
        if time.monotonic() - run.t0 > s.run_seconds:
            return f"time limit reached: {s.run_seconds:g} s (PTLAB_RUN_SECONDS)"
        return None

    def _own_threads(self, m: run_tree.Member) -> int:
        """A member's threads that are the program's: its probe's is ptlab's. Known once the probe
        said hello; before, it is found by its name, read only when the count passes the cap (a
        busy server heard the hello after the program had started its 31 threads, and counted 33)."""
        if self._probes(m.pid):
            return m.threads - 1
        if m.threads <= self.settings.max_threads:
            return m.threads
        return m.threads - run_tree.named_threads(m.pid, PROBE_NAME)

    def _probes(self, pid: int) -> int:
        proc = self.lab.procs.get(pid)
        return 1 if proc is not None and proc.probe and proc.writer is not None else 0

    async def _watchdog(self, run: Run) -> None:
        while run.ended is None:
            await asyncio.sleep(WATCH_S)
            self.lab.reap()
            everyone = run_tree.members(run_tree.scan(), run.init, run.known)
            run.members = [m for m in everyone if m.alive]
            run.known = {m.pid for m in run.members}
            run.memory = sum(m.rss for m in run.members)
            reason = self._over_a_limit(run)
            if reason is not None:
                await self._contain(run, reason)
            elif run.popen.returncode is not None:
                # the program ended: the run ends, and takes with it whatever the program left
                left = run.left()
                left = len(run.members) if left < 0 else left
                were = "was" if left == 1 else "were"
                why = f"the program ended; {left} of its processes {were} ended with it" if left else None
                await self._contain(run, why)
            else:
                before = len(self.lab.procs)
                self._observe(run, {m.pid for m in everyone})
                if len(self.lab.procs) != before or len(run.members) != run.shown:
                    run.shown = len(run.members)
                    self.changed()

    def _observe(self, run: Run, present: set[int]) -> None:
        # Members that never said hello (no probe: a program it exec'd) are drawn from /proc alone.
        now = time.monotonic()
        for m in run.members:
            first = run.seen.setdefault(m.pid, now)
            proc = self.lab.procs.get(m.pid)
            if (proc is None or proc.status == "starting") and now - first > PROBE_GRACE_S:
                parent = m.ppid if m.ppid in self.lab.procs and m.ppid != m.pid else None
                self.lab.observe(m.pid, proc.parent if proc else parent, run.id)
        for proc in list(self.lab.procs.values()):
            if proc.run != run.id or not proc.alive:
                continue
            first = run.seen.setdefault(proc.pid, now)
            # reaped by its own parent in the run: gone from /proc (not a zombie the lab will reap)
            if proc.pid not in present and now - first > 0.2:
                self.lab.gone_elsewhere(proc)

    async def _contain(self, run: Run, reason: str | None) -> None:
        """Kill the run's init, then stop every process still in the run, then kill them all, and reap.

        In a namespace, the init's death kills the rest at once; without one, the sweeps do.
        """
        # The watchdog and a stop (the presenter's, the server's) can both come here: the first one
        # ends the run and gives its reason; the other waits for it.
        if run.ending is not None:
            await run.ending.wait()
            return
        run.ending = asyncio.Event()
        try:
            await self._end(run, reason)
        finally:
            run.ending.set()

    async def _end(self, run: Run, reason: str | None) -> None:
        run.reason = reason
        if run.init_fd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(run.init_fd, signal.SIGKILL)
        deadline = time.monotonic() + 5.0

        def still() -> list[Member]:
            found = run_tree.members(run_tree.scan(), run.init, run.known)
            run.known |= {m.pid for m in found}
            return [m for m in found if m.alive]

        # Stopped processes cannot fork: sweep until a pass finds none still running.
        while time.monotonic() < deadline:
            running = [m.pid for m in still() if m.state != "T"]
            for pid in running:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            if not running:
                break
        while time.monotonic() < deadline:
            left = still()
            if not left:
                break
            for m in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(m.pid, signal.SIGKILL)
            self.lab.reap()
            await asyncio.sleep(0.01)
        with contextlib.suppress(OSError):
            run.popen.kill()
        # Ended means gone: the keeper reaped (by us) and the init with it, even on a loaded machine.
        while time.monotonic() < deadline and not self._gone(run):
            self.lab.reap()
            await asyncio.sleep(0.01)
        self._finish(run)

    def _gone(self, run: Run) -> bool:
        if run.popen.returncode is None:
            with contextlib.suppress(ChildProcessError):
                run.popen.poll()
        init = read_stat(run.init)
        return run.popen.returncode is not None and (init is None or init.state in ("Z", "X"))

    def _finish(self, run: Run) -> None:
        if run.ended is not None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired, ChildProcessError):
            run.popen.wait(0.5)
        run.ended = time.monotonic()
        self._drain(run)
        run.members = []
        run.close()
        for proc in list(self.lab.procs.values()):
            if proc.run == run.id and proc.alive:
                self.lab.gone_elsewhere(proc)
        self.changed()
        if run.watcher is not None:
            run.watcher.ended(run.view())
