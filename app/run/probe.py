"""The probe inside a user's Python process (standard library only).

It tells the server what /proc cannot: each thread's Python name and its real
stack range (glibc's), and it answers for each thread's live Python stack. It
names every OS thread after its Python thread (pthread_setname_np), so /proc
shows the names the program gave. It runs on a thread of its own, named
``ptlab-probe``, which the page labels as ptlab's, not the program's.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import sys
import threading
from typing import Any

from app.lab.activities import PROBE_NAME
from app.lab.agent import current_stack, set_thread_name
from app.lab.stacks import python_stack

MAX_LINE = 64 * 1024


class Probe:
    """What one process of a run reports, and the thread that reports it."""

    def __init__(self, sock_path: str) -> None:
        self.sock_path = sock_path
        self.lock = threading.Lock()
        self.threads: dict[int, dict[str, Any]] = {}
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.parent: int | None = None  # the process this one was forked from, in the run

    # ---- on the program's threads ------------------------------------------
    def thread_started(self, name: str, activity: str = "user") -> None:
        """Record the calling thread: its TID, its Python name and its stack."""
        if threading.get_native_id() != os.getpid():
            set_thread_name(name)  # not the main thread's: that is the process's own name in /proc
        try:
            start, end, guard = current_stack()
        except OSError:
            start = end = guard = 0
        with self.lock:
            self.threads[threading.get_native_id()] = {
                "tid": threading.get_native_id(),
                "activity": activity,
                "name": name,
                "stack_start": start,
                "stack_end": end,
                "guard": guard,
            }
        self.nudge()

    def thread_ended(self, tid: int) -> None:
        """Forget a thread that finished."""
        with self.lock:
            self.threads.pop(tid, None)
        self.nudge()

    def nudge(self) -> None:
        """Wake the probe thread: there is news."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self.wake_w, b"!")

    # ---- on the probe's own thread -------------------------------------------
    def describe(self, kind: str) -> dict[str, Any]:
        """The hello/threads message: every thread this process knows of."""
        with self.lock:
            threads = [dict(t) for t in self.threads.values()]
        for t in threads:
            t["activity"] = "main" if t["tid"] == os.getpid() else t["activity"]
        return {
            "type": kind,
            "pid": os.getpid(),
            "ppid": os.getppid(),
            # the server admits a process whose parent it already knows (a fork, a spawn, a subprocess)
            "lab_parent": self.parent or os.getppid(),
            "counter": None,
            "threads": threads,
            "inherited": [],
        }

    def serve(self) -> None:
        """Connect, introduce this process, then report thread changes and answer for stacks.

        The server may hang up at any moment (the run ended, the server stopped): the probe then
        ends quietly. Its own traceback must never land in the program's console.
        """
        self.thread_started(PROBE_NAME, "probe")
        with (
            contextlib.suppress(OSError, ValueError),
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock,
        ):
            self._serve(sock)

    def _serve(self, sock: socket.socket) -> None:
        path = self.sock_path
        sock.connect(
            "\0" + path[1:] if path.startswith("@") else path
        )  # none: the program runs on, unobserved
        send = lambda msg: sock.sendall(json.dumps(msg, separators=(",", ":")).encode() + b"\n")  # noqa: E731
        send(self.describe("hello"))
        buf = b""
        while True:
            readable, _, _ = select.select([sock, self.wake_r], [], [], 5.0)
            if self.wake_r in readable:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self.wake_r, 4096):
                        pass
                send(self.describe("threads"))
            if sock in readable:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
                if len(buf) > MAX_LINE and b"\n" not in buf:
                    return
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    send(self.answer(json.loads(line)))

    def answer(self, msg: dict[str, Any]) -> dict[str, Any]:
        """The reply to one command: only ``stack`` and ``sync`` are a probe's business."""
        rid = msg.get("id")
        try:
            if msg.get("op") == "stack":
                return {"type": "reply", "id": rid, "ok": True, "result": python_stack(int(msg["tid"]))}
            if msg.get("op") == "sync":
                return {"type": "reply", "id": rid, "ok": True, "result": {}}
            raise ValueError(f"a user program's process does not take {msg.get('op')!r}")
        except (ValueError, KeyError, TypeError) as exc:
            return {"type": "reply", "id": rid, "ok": False, "error": str(exc)}

    def start(self) -> None:
        """Start the probe thread (a daemon: it never keeps the program alive)."""
        threading.Thread(target=self.serve, name=PROBE_NAME, daemon=True).start()

    def after_fork(self, parent: int) -> None:
        """In a forked child: only the forking thread exists here; start a probe of its own."""
        with contextlib.suppress(OSError):
            os.close(self.wake_r)
            os.close(self.wake_w)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.lock = threading.Lock()
        me = threading.current_thread()
        self.threads = {}
        self.parent = parent
        self.thread_started(me.name if me is not threading.main_thread() else "MainThread")
        self.start()


_probe: Probe | None = None


def install() -> None:
    """Arm the probe in this process: hook thread starts, re-arm after fork, start reporting."""
    global _probe
    if _probe is not None:
        return
    probe = _probe = Probe(os.environ["PTLAB_RUN_SOCK"])
    probe.thread_started("MainThread", "main")
    original = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

    def _bootstrap_inner(self: threading.Thread) -> None:
        tid = threading.get_native_id()
        if self.name != PROBE_NAME:
            probe.thread_started(self.name)
        try:
            original(self)
        finally:
            probe.thread_ended(tid)

    threading.Thread._bootstrap_inner = _bootstrap_inner  # type: ignore[attr-defined]
    # a forked child's parent is the process that forked it, just now
    os.register_at_fork(after_in_child=lambda: probe.after_fork(os.getppid()))
    probe.start()
    sys.modules.setdefault("ptlab_probe", sys.modules[__name__])
