"""Start a real ptlab server on a free loopback port, and check nothing outlives it.

Shared by the tests and benchmarks/.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.control.lab import become_subreaper  # noqa: E402
from app.procfs import read_stat  # noqa: E402
from app.protocol import decode_regions  # noqa: E402

# If a server is SIGKILLed, its orphans come to us rather than to an init that
# may not reap them, so the tests can prove they are gone and reap them.
become_subreaper()
TOKEN = "test-presenter-token"
# Every ptlab server the tests started: the session's leftover check counts only what these started
# (a teacher's own server may run beside the suite, and its workers are none of the suite's business).
SERVERS: set[int] = set()
# Debian's Chromium, as root and offline: these flags keep it from phoning home at every start.
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


RUN_SOCK = re.compile(rb"(?:^|\0)PTLAB_RUN_SOCK=@ptlab-(\d+)-")


def server_of(pid: int) -> int | None:
    """The ptlab server a process belongs to: a lab worker (``app.lab.agent SOCK SERVER``), a run's
    keeper or init (``app/run/init.py CONFIG``), or a process of a run (its probe's socket, in its
    environment); None for anything else, or a process gone."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"app.lab.agent" in args:
            return int(args[args.index(b"app.lab.agent") + 2])
        keeper = next((i for i, a in enumerate(args) if a.endswith(b"app/run/init.py")), None)
        if keeper is not None:
            return int(json.loads(args[keeper + 1])["server"])
        found = RUN_SOCK.search(Path(f"/proc/{pid}/environ").read_bytes())
        return int(found.group(1)) if found else None
    except (OSError, IndexError, ValueError, KeyError, TypeError):
        return None


def wait_no_workers(lab: LabServer, timeout: float = 2.0) -> bool:
    """True once no process is left below the server (helpers such as multiprocessing's
    resource tracker exit a moment after the process that started them)."""
    deadline = time.monotonic() + timeout
    while lab.workers() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not lab.workers()


def skip_unless_quiet(threshold: float = 0.25, seconds: float = 0.5) -> None:
    """Skip, saying why, when other programs keep the CPUs busy: a figure that needs idle CPUs would
    fail or pass on luck. ``threshold`` is the share of all CPUs, as the costs panel measures it."""
    import pytest

    from app.lesson.reveals import cores_used

    _, other = asyncio.run(cores_used(os.getpid(), seconds))
    if other >= threshold:
        pytest.skip(f"the machine is busy: other programs used {other:.0%} of its CPUs just before")


def as_user(user: str) -> tuple[list[str], str]:
    """The command that starts this venv's Python code as ``user`` (setpriv drops root in place, so
    the PID is the server's own), and the PYTHONPATH it needs; ValueError saying why it cannot."""
    import pwd
    import sysconfig

    if os.geteuid() != 0:
        raise ValueError("the suite is not running as root, so it cannot become another user")
    if shutil.which("setpriv") is None:
        raise ValueError("setpriv (util-linux) is not installed")
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise ValueError(f"there is no user {user!r}") from None
    # The venv's interpreter may live where the user cannot go (pyenv under /root): the system's
    # Python of the same minor version loads the same compiled packages.
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths = sysconfig.get_paths()
    path = os.pathsep.join(dict.fromkeys([paths["purelib"], paths["platlib"], str(ROOT)]))
    drop = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", "--"]
    runs_itself = "import os, sys, fastapi, app.cli; assert os.access(sys.executable, os.X_OK)"
    for python in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        # it must also be able to start itself again: the lab's workers are ``sys.executable``
        check = subprocess.run(
            [*drop, python, "-c", runs_itself],
            env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"},
            cwd="/",
            capture_output=True,
            timeout=60,
        )
        if check.returncode == 0:
            return [*drop, python], path
    raise ValueError(f"{user} can run no {version} that loads this venv's packages from {path}")


def free_port() -> int:
    """A TCP port nobody listens on right now.

    Under pytest-xdist each worker draws from its own range below Linux's ephemeral ports
    (32768-60999): a port the kernel handed one worker could otherwise be handed to the other
    between its release and the server's bind (seen: "address already in use").
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.removeprefix("gw").isdigit():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    low = 20000 + 3000 * (int(worker.removeprefix("gw")) % 4)
    for _ in range(200):
        port = random.randrange(low, low + 3000)
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))  # free on every address, loopback included
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}..{low + 2999}")


def pid_alive(pid: int) -> bool:
    """True if the PID exists and is not a zombie."""
    st = read_stat(pid)
    return st is not None and st.state != "Z"


def rss(pid: int) -> int:
    """Resident memory of a process, bytes."""
    return psutil.Process(pid).memory_info().rss


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` in the process tree (none if ``pid`` is gone)."""
    try:
        return {c.pid for c in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


@dataclass
class LabServer:
    """A real ``python -m app`` process bound to 127.0.0.1."""

    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT  # where it is started: the checkout, or anywhere for an installed ptlab
    args: list[str] = field(default_factory=list)  # after ptlab's own flags: a command, say ``run x.py``
    user: str = ""  # started as this user (as_user), not as the suite's
    token: str = TOKEN
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    seen: set[int] = field(default_factory=set)
    log_path: Path | None = None
    tmp: str = ""

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The websocket stream URL."""
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def auth(self) -> dict[str, str]:
        """Headers that make a request the presenter's."""
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, timeout: float = 15.0) -> LabServer:
        """Start the server and wait until /api/health answers."""
        self.port = self.port or free_port()
        env = dict(os.environ)
        # The server's private directory goes in here, so it is removed even
        # when a test SIGKILLs the server and it cannot clean up after itself.
        self.tmp = tempfile.mkdtemp(prefix="ptlab-test-")
        env.update({"PTLAB_TOKEN": self.token, "PTLAB_LOG_LEVEL": "warning", "TMPDIR": self.tmp})
        python = [sys.executable]
        if self.user:
            python, env["PYTHONPATH"] = as_user(self.user)
            shutil.chown(self.tmp, self.user)
            env["HOME"] = self.tmp
        env.update(self.env)
        log_dir = ROOT / "test-artifacts"
        log_dir.mkdir(exist_ok=True)
        self.log_path = log_dir / f"server-{self.port}.log"
        with open(self.log_path, "wb") as log:  # the server keeps its own copy
            self.proc = subprocess.Popen(
                [*python, "-m", "app", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
                cwd=self.cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        SERVERS.add(self.proc.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise RuntimeError(f"server exited early: {self.log_path.read_text()}")
            try:
                self.get("/api/health")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)  # it answers ~0.8 s after its start: a 0.1 s poll added 50 ms to each of ~55
        self.stop()
        raise RuntimeError("server did not answer /api/health in time")

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One HTTP request; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=40) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        payload = json.loads(raw) if raw else None
        self._remember(payload)
        return status, payload

    def get(self, path: str) -> Any:
        """GET that must succeed."""
        status, payload = self.request("GET", path)
        assert status == 200, (status, payload)
        return payload

    def control(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        """A presenter request; checks the status when ``expect`` is given.

        Waits out the server's per-client rate limit (429), which flood and
        fuzz tests deliberately spend.
        """
        deadline = time.monotonic() + 5
        while True:
            status, payload = self.request(method, path, body, self.auth)
            if status != 429 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if expect is not None:
            assert status == expect, (status, payload)
        return payload

    def reset(self) -> None:
        """End every lab process."""
        self.control("POST", "/api/reset", expect=200)

    def spawn(self, parent: int | None = None) -> int:
        """Start (or fork) a lab process; its PID."""
        body = {"parent": parent} if parent else None
        return self.control("POST", "/api/processes", body, expect=201)["pid"]

    def thread(self, pid: int, activity: str = "idle") -> int:
        """Start a thread; its TID."""
        return self.control("POST", f"/api/processes/{pid}/threads", {"activity": activity}, expect=201)[
            "tid"
        ]

    def state(self) -> dict[str, Any]:
        """GET /api/state, each process's compact region table expanded into region dicts."""
        st = self.get("/api/state")
        for p in st["processes"]:
            if isinstance(p.get("regions"), dict):
                p["regions"] = decode_regions(p["regions"])
        return st

    def process(self, pid: int) -> dict[str, Any]:
        """One process from /api/state."""
        for p in self.state()["processes"]:
            if p["pid"] == pid:
                return p
        raise KeyError(pid)

    def finished_run(self, timeout: float = 20.0) -> dict[str, Any]:
        """Wait until the current run of user code has ended; that run (GET /api/runs)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get("/api/runs")["run"]
            if run["status"] == "exited":
                return run
            time.sleep(0.05)
        raise AssertionError("the run did not end")

    def alive_below(self) -> list[int]:
        """Processes alive below the server now (zombies not counted)."""
        assert self.proc is not None
        return sorted(p for p in descendants(self.proc.pid) if pid_alive(p))

    def _remember(self, payload: Any) -> None:
        if isinstance(payload, dict):
            if "pid" in payload and isinstance(payload["pid"], int):
                self.seen.add(payload["pid"])
            for p in payload.get("processes", []) if isinstance(payload.get("processes"), list) else []:
                self.seen.add(p["pid"])

    def workers(self) -> set[int]:
        """Live processes below the server right now."""
        assert self.proc is not None
        return {p for p in descendants(self.proc.pid) if pid_alive(p)}

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float:
        """Signal the server, wait for it; return seconds until every lab process was gone."""
        if self.proc is None or self.proc.poll() is not None:
            if self.tmp:
                shutil.rmtree(self.tmp, ignore_errors=True)
            return 0.0
        self.seen |= self.workers()
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.tmp, ignore_errors=True)
            said = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
            raise AssertionError(f"the server did not exit {timeout} s after signal {sig}:\n{said}") from None
        deadline = t0 + timeout
        # Gone means gone from /proc: dead and reaped, not a zombie.
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in self.seen):
            self.reap_adopted()
            time.sleep(0.01)
        took = time.monotonic() - t0
        shutil.rmtree(self.tmp, ignore_errors=True)
        return took

    def reap_adopted(self) -> None:
        """Reap lab processes orphaned to us (we are a subreaper) when the server died hard."""
        for pid in self.seen:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)

    def leftovers(self) -> list[int]:
        """Lab PIDs ever seen that still exist, alive or as zombies."""
        return sorted(p for p in self.seen if os.path.exists(f"/proc/{p}"))


@dataclass
class Burst:
    """What a burst of pipelined requests got back."""

    replies: list[tuple[int, bytes]]  # (status, body), in no particular order
    sent_s: float  # from the first byte written until every request was written
    answered_s: float  # from the first byte written until the last reply was read


async def burst(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    n: int,
    conns: int = 50,
    timeout: float = 60,
    body: bytes = b"",
) -> Burst:
    """Offer ``n`` requests at once: open ``conns`` keep-alive connections, write
    each one's share back to back (HTTP/1.1 pipelining), then read the replies.

    A client library spends a millisecond or more of its own CPU per request,
    so on two cores it cannot offer a thousand requests in one second; raw
    bytes can, and the server then meets the whole load at once.
    """
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"127.0.0.1:{port}", **headers}.items())
    request = f"{method} {path} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    shares = [n // conns + (i < n % conns) for i in range(conns)]

    async def replies(reader: asyncio.StreamReader, k: int) -> list[tuple[int, bytes]]:
        got = []
        for _ in range(k):
            header = await reader.readuntil(b"\r\n\r\n")
            lines = header.decode("latin-1").split("\r\n")
            fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
            body = await reader.readexactly(int(fields.get("content-length", "0")))
            got.append((int(lines[0].split()[1]), body))
        return got

    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        for _ in range(conns):
            streams.append(await asyncio.open_connection("127.0.0.1", port))
        t0 = time.monotonic()
        for (_, writer), k in zip(streams, shares, strict=True):
            writer.write(request * k)
        await asyncio.gather(*(w.drain() for _, w in streams))
        sent = time.monotonic() - t0
        per_conn = await asyncio.wait_for(
            asyncio.gather(*(replies(r, k) for (r, _), k in zip(streams, shares, strict=True))), timeout
        )
    finally:
        for _, writer in streams:
            writer.close()
    return Burst([x for xs in per_conn for x in xs], sent, time.monotonic() - t0)


# No CSS animation or transition still running (a card's entry takes 0.7 s); endless ones aside.
SETTLED = """() => document.getAnimations().every(
  (a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)"""


# An animation that ends is at its last frame from then on: jumping there is what waiting shows
FINISH = """() => document.getAnimations().forEach((a) => {
  if (a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity) a.finish();
})"""


def settle(page: Any, timeout: float = 5000) -> None:
    """Bring the page to where its animations end: what is measured is where it stays.

    Once what was asked of the page is drawn, the animations and transitions it started are
    finished at once (an entry or a caption's flash took 0.7-1.2 s of each measurement); whatever
    the next frames start is waited for."""
    drawn(page)
    page.evaluate(FINISH)
    drawn(page)
    page.wait_for_function(SETTLED, timeout=timeout)


def drawn(page: Any) -> None:
    """Wait until the page has drawn a frame after everything asked of it so far: its redraws are
    queued for the next animation frame, and a callback queued now runs after them."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def step(page: Any, pid: int, key: str) -> None:
    """Press a stepping key (1, 2…) and wait until the stepped threads of ``pid`` show its effect:
    a key pressed before the last one's step is seen may be refused as one step too many."""
    threads = f"JSON.stringify(ptlab.state.processes.get({pid}).stepped.threads)"
    before = page.evaluate(threads)
    page.keyboard.press(key)
    page.wait_for_function(f"{threads} !== {before!r}", timeout=10_000)


@contextmanager
def opened(
    browser: Any, server: LabServer, presenter: bool, size: tuple[int, int] = (1280, 720)
) -> Iterator[Any]:
    """A page of its own (fresh cookies and storage), live on the stream; closed afterwards.

    Its uncaught errors collect in ``page.errors``.
    """
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + (f"/?token={server.token}" if presenter else "/"))
        page.wait_for_selector("#conn[data-status=live]", timeout=10_000)
        page.errors = errors
        yield page
    finally:
        ctx.close()


def replies(ws: Any, n: int) -> list[dict[str, Any]]:
    """The next ``n`` acks or errors on a websocket (frames in between are skipped)."""
    out: list[dict[str, Any]] = []
    while len(out) < n:
        msg = json.loads(ws.recv(timeout=10))
        if msg["type"] in ("ack", "error"):
            out.append(msg)
    return out


def page_cookie(port: int, source: str = "127.0.0.1") -> str:
    """Load the page from ``source`` (a loopback address of its own) and keep its voter cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/")
        resp = conn.getresponse()
        resp.read()
        cookie = SimpleCookie(resp.getheader("set-cookie", ""))
        return cookie["ptlab_voter"].value
    finally:
        conn.close()


def vote(
    port: int, source: str, cookie: str, choice: str, question: str = "fork-counter", times: int = 1
) -> dict[str, Any]:
    """``times`` votes over a websocket of its own from ``source``; the last reply."""
    from websockets.sync.client import connect as ws_connect

    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    headers = {"Cookie": f"ptlab_voter={cookie}"}
    with ws_connect(f"ws://127.0.0.1:{port}/ws", sock=sock, additional_headers=headers, max_size=None) as ws:
        ws.recv()
        for i in range(times):
            ws.send(json.dumps({"type": "vote", "id": f"v{i}", "question": question, "choice": choice}))
        return replies(ws, times)[-1]


@dataclass
class RedisServer:
    """Debian's redis-server on a free loopback port, nothing saved to disk; stopped and started again
    on the same port (a restart, as a relay sees it)."""

    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """What PTLAB_REDIS_URL and ``ptlab relay --redis`` are given."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start it and wait until it answers PING."""
        self.port = self.port or free_port()
        # nothing written to disk: a restart starts empty, as a crashed Redis without persistence
        ephemeral = ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", *ephemeral],
            cwd=tempfile.gettempdir(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def command(self, *words: str) -> bytes:
        """One command (inline, words without spaces), and the first line of its reply."""
        with socket.create_connection(("127.0.0.1", self.port), 5) as s:
            s.sendall(" ".join(words).encode() + b"\r\n")
            return s.recv(4096).split(b"\r\n")[0]

    def stop(self) -> None:
        """Kill it (as a crash would) and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
