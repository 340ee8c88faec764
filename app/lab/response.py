"""Does a second thread make the answer come sooner? Measured inside a lab process.

Standard library only (it runs in a lab worker). A pinger, a process of its own (forked), sends a
byte at random moments and times the echo. The process answers it while it also computes:

- ``alone``: nothing else to do (the floor: a pipe's round trip);
- ``one_thread``: the work and the answers share one thread, so an answer waits for the chunk of
  work under way (here 40 ms of Python);
- ``gil_thread``: the work runs on a second thread in Python, which holds the GIL: the answering
  thread wakes at once in the kernel, then waits for the GIL, about one switch interval
  (``sys.getswitchinterval()``, 5 ms by default);
- ``gil_free_thread``: the second thread's work runs in C with the GIL released (hashing): the
  answer comes at once;
- ``process``: the work runs in another process: the answer comes at once too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import select
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .costs import BUSY_SHARE, OtherLoad

MODES = ("alone", "one_thread", "gil_thread", "gil_free_thread", "process")
CHUNK_S = 0.040  # one piece of work on the only thread: what an answer may have to wait for
PINGS = 25
GAP_S = (0.004, 0.020)  # between pings: random, so they land anywhere in the work


def _python_work(seconds: float) -> None:
    """Pure Python arithmetic for ``seconds``: it holds the GIL throughout."""
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(2000):
            x += i * i


def _pinger(ping_w: int, echo_r: int, out_w: int, pings: int, seed: int) -> None:
    """The forked pinger: ``pings`` round trips at random moments; their times (ns) to ``out_w``."""
    rng = random.Random(seed)
    times = []
    for _ in range(pings):
        time.sleep(rng.uniform(*GAP_S))
        t0 = time.perf_counter_ns()
        os.write(ping_w, b"p")
        if not os.read(echo_r, 1):
            break
        times.append(time.perf_counter_ns() - t0)
    os.write(out_w, (" ".join(map(str, times)) + "\n").encode())


def _answer_blocking(ping_r: int, echo_w: int, pings: int, stop: threading.Event) -> None:
    """Answer each ping as soon as this thread runs: it waits in read() between them."""
    for _ in range(pings):
        if stop.is_set() or not os.read(ping_r, 1):
            return
        os.write(echo_w, b"e")


def _answer_between_chunks(ping_r: int, echo_w: int, pings: int, stop: threading.Event) -> None:
    """One thread does everything: a chunk of work, then any ping that came meanwhile."""
    answered = 0
    while answered < pings and not stop.is_set():
        _python_work(CHUNK_S)
        while answered < pings and select.select([ping_r], [], [], 0)[0]:
            if not os.read(ping_r, 1):
                return
            os.write(echo_w, b"e")
            answered += 1


def _hash_work(done: threading.Event) -> None:
    buf = os.urandom(1 << 20)
    while not done.is_set():
        hashlib.sha256(buf).digest()  # C code: the GIL is released while it hashes


def _python_loop(done: threading.Event) -> None:
    while not done.is_set():
        _python_work(0.01)


def _one_mode(mode: str, stop: threading.Event, pings: int, seed: int) -> list[int]:
    """Round-trip times (ns) of ``pings`` pings while the process works as ``mode`` says."""
    ping_r, ping_w = os.pipe()
    echo_r, echo_w = os.pipe()
    out_r, out_w = os.pipe()
    helper: threading.Thread | None = None
    worker_pid = 0
    done = threading.Event()
    pinger = os.fork()
    if pinger == 0:  # the pinger: nothing but pipes and clocks, then gone
        try:
            _pinger(ping_w, echo_r, out_w, pings, seed)
        finally:
            os._exit(0)
    try:
        if mode in ("gil_thread", "gil_free_thread"):
            body: Callable[[threading.Event], None] = _python_loop if mode == "gil_thread" else _hash_work
            helper = threading.Thread(target=body, args=(done,), name="response-work", daemon=True)
            helper.start()
        elif mode == "process":
            worker_pid = os.fork()
            if worker_pid == 0:
                try:
                    _python_work(30.0)  # ended by the parent as soon as the pings are answered
                finally:
                    os._exit(0)
        if mode == "one_thread":
            _answer_between_chunks(ping_r, echo_w, pings, stop)
        else:
            _answer_blocking(ping_r, echo_w, pings, stop)
    finally:
        done.set()
        if worker_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker_pid, 9)
            os.waitpid(worker_pid, 0)
        if stop.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pinger, 9)
        for fd in (ping_w, echo_w):
            os.close(fd)  # the pinger sees the end if it still waits
        os.waitpid(pinger, 0)
        with os.fdopen(out_r, "rb") as f:
            os.close(out_w)
            line = f.read()
        for fd in (ping_r, echo_r):
            os.close(fd)
        if helper is not None:
            helper.join(1)
    return [int(x) for x in line.split()]


def _row(mode: str, times: list[int]) -> dict[str, Any]:
    ms = sorted(t / 1e6 for t in times)
    if not ms:
        return {"mode": mode, "n": 0, "p50": None, "p90": None, "max": None}
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return {"mode": mode, "n": len(ms), "p50": statistics.median(ms), "p90": p90, "max": ms[-1]}


def measure(stop: threading.Event, pings: int = PINGS) -> dict[str, Any]:
    """Every mode in turn; the answers' round-trip times and how busy the machine was meanwhile."""
    # the pinger's and the workers' CPU is the measurement's own: only the rest counts as load
    load = OtherLoad()
    rows = []
    for i, mode in enumerate(MODES):
        if stop.is_set():
            break
        rows.append(_row(mode, _one_mode(mode, stop, pings, seed=i)))
    wall, other = load.end()
    return {
        "rows": rows,
        "cancelled": stop.is_set(),
        "seconds": round(wall, 3),
        "switch_interval_ms": sys.getswitchinterval() * 1000,
        "chunk_ms": CHUNK_S * 1000,
        "cpus": len(os.sched_getaffinity(0)),
        "other_load": round(other, 3),
        "reliable": other < BUSY_SHARE and not stop.is_set(),
    }
