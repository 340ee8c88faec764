"""A run of strangers' code stays inside its limits (issue 20, item 7), with namespaces where the kernel
allows them and without: every test runs against both a server that isolates runs and one told not to."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support import LabServer, pid_alive

DAEMON = """\
import os, sys, time, threading
if os.fork() == 0:
    os.setsid()                      # out of the run's session
    if os.fork() == 0:               # and out from under its parent
        print("daemon", os.getpid(), flush=True)
        for _ in range({children}):
            if os.fork() == 0:
                for _ in range({threads}):
                    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                time.sleep(60)
            time.sleep(0.02)
        time.sleep(60)
    os._exit(0)
time.sleep({main_s})
print("main exits", flush=True)
"""


@pytest.fixture(scope="module", params=["namespaces", "fallback"])
def runner(request: pytest.FixtureRequest) -> Iterator[LabServer]:
    env = {"PTLAB_RUN_SECONDS": "30", "PTLAB_MAX_PROCESSES": "12", "PTLAB_RUN_MEMORY_MIB": "256"}
    if request.param == "fallback":
        env["PTLAB_RUN_NAMESPACES"] = "0"
    s = LabServer(env=env).start()
    isolation = s.get("/api/health")["isolation"]
    if request.param == "namespaces" and not isolation["namespaces"]:
        s.stop()
        pytest.skip(f"this kernel refuses namespaces: {isolation['why']}")
    try:
        yield s
    finally:
        s.stop()
        assert not s.leftovers()


def _run(s: LabServer, code: str, args: list[str] | None = None) -> dict[str, Any]:
    """Run ``code`` and wait for its end; the finished run."""
    s.control("POST", "/api/runs", {"code": code, "name": "t.py", "args": args or []}, expect=201)
    return s.finished_run(30)


def _still_shown_running(s: LabServer) -> list[int]:
    """Processes /api/state still shows running, once a tick has drawn the run's end (≤ 2 s)."""
    deadline = time.monotonic() + 2
    while True:
        running = [p["pid"] for p in s.state()["processes"] if p["status"] != "exited"]
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)


def test_isolation_is_said_in_health_and_in_the_snapshot(runner: LabServer) -> None:
    health = runner.get("/api/health")["isolation"]
    assert runner.get("/api/state")["server"]["isolation"] == health
    if "PTLAB_RUN_NAMESPACES" in runner.env:
        assert health == {"namespaces": False, "user": False, "why": "PTLAB_RUN_NAMESPACES=0"}
    else:
        assert health["namespaces"] and health["user"] == (os.geteuid() != 0)


def test_a_quiet_double_forked_setsid_daemon_ends_with_its_program(runner: LabServer) -> None:
    run = _run(runner, DAEMON.format(children=0, threads=0, main_s=0.3))
    out = run["console"]
    assert "main exits" in out and "daemon" in out, out
    assert (
        run["exit_code"] == 0 and run["reason"] == "the program ended; 1 of its processes was ended with it"
    )
    assert runner.alive_below() == []
    assert _still_shown_running(runner) == []


def test_a_daemon_that_grows_past_the_caps_is_caught_by_them(runner: LabServer) -> None:
    # 21 processes of 40 threads each once ran on, unseen, after their run said "exited"
    # the program stays while its daemon grows: with 0.3 s, a loaded machine had forked fewer than
    # the cap's 12 children when it ended, and the run ended them as the program's leftovers
    run = _run(runner, DAEMON.format(children=21, threads=39, main_s=3))
    assert run["reason"] and "cap reached" in run["reason"], run
    assert runner.alive_below() == []
    assert _still_shown_running(runner) == []


def test_the_token_is_not_in_a_runs_environment_nor_readable_from_the_server(runner: LabServer) -> None:
    assert runner.proc is not None
    code = (
        "import os, sys\n"
        "mine = {k: v for k, v in os.environ.items() if k.startswith('PTLAB_') and k != 'PTLAB_RUN_SOCK'}\n"
        "print('env:', mine)\n"
        "try:\n"
        "    print('environ:', open(f'/proc/{sys.argv[1]}/environ', 'rb').read())\n"
        "except OSError as exc:\n"
        "    print('environ refused:', type(exc).__name__)\n"
    )
    run = _run(runner, code, [str(runner.proc.pid)])
    assert "env: {}" in run["console"], run["console"]
    if "PTLAB_RUN_NAMESPACES" in runner.env and os.geteuid() == 0:
        return  # root reads any process's memory: without a namespace, a run as root sees all
    # a namespaced run has no such process to read; without one, the server is not dumpable
    assert runner.token not in run["console"] and "environ: b'" not in run["console"], run["console"]


def test_a_run_cannot_kill_the_server_or_escape_with_its_children(runner: LabServer) -> None:
    if "PTLAB_RUN_NAMESPACES" in runner.env:
        pytest.skip("without a PID namespace a run can signal the server: docs/security.md says so")
    assert runner.proc is not None
    code = (
        "import os, signal, sys, time\n"
        "kids = [os.fork() for _ in range(3)]\n"
        "if 0 in kids:\n"
        "    time.sleep(60)\n"
        "try:\n"
        "    os.kill(int(sys.argv[1]), signal.SIGKILL)\n"
        "    print('sent')\n"
        "except ProcessLookupError:\n"
        "    print('no such process here')\n"
        "print('my pid', os.getpid(), 'my parent', os.getppid())\n"
    )
    run = _run(runner, code, [str(runner.proc.pid)])
    assert runner.proc.poll() is None and runner.get("/api/health")["ok"]
    assert "my pid 2 my parent 1" in run["console"], run["console"]  # PID 2 under its own init
    assert runner.alive_below() == []


def test_memory_is_limited_for_the_run_as_a_whole(runner: LabServer) -> None:
    # four processes of 100 MiB each: each within its own address space, together over 256 MiB
    code = (
        "import os, time\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        break\n"
        "data = bytes(100 << 20) + b'x'\n"
        "time.sleep(20)\n"
    )
    run = _run(runner, code)
    assert run["reason"] and "memory limit reached" in run["reason"], run
    assert "PTLAB_RUN_MEMORY_MIB is 256" in run["reason"]
    assert runner.alive_below() == []


def test_threads_up_to_the_cap_start_and_the_cap_fires_before_memory_runs_out(runner: LabServer) -> None:
    # the main thread and 31 more: exactly the cap of 32 (the default), every one started
    start = (
        "import threading, time\n"
        "ts = [threading.Thread(target=time.sleep, args=({s},)) for _ in range({n})]\n"
    )
    joined = "for t in ts: t.start()\nfor t in ts: t.join()\nprint('all started')\n"
    ok = _run(runner, start.format(n=31, s=0.5) + joined)
    said = (ok["exit_code"], ok["reason"], ok["console"][-400:])
    assert ok["exit_code"] == 0 and "all started" in ok["console"], said
    # threads that stay: on a loaded machine, 45 starts 10 ms apart took longer than a 0.5 s sleep,
    # and the first had ended before the 33rd began
    over = _run(
        runner, start.format(n=45, s=5) + "for t in ts:\n    t.start()\n    time.sleep(0.01)\ntime.sleep(5)\n"
    )
    assert over["reason"] and "thread cap reached" in over["reason"], over
    assert "can't start new thread" not in over["console"]


def test_a_stopped_forked_lab_process_dies_with_a_killed_server() -> None:
    s = LabServer().start()
    try:
        parent = s.spawn()
        child = s.spawn(parent)
        os.kill(child, signal.SIGSTOP)
        assert s.proc is not None
        s.stop(signal.SIGKILL)
    finally:
        s.stop()
    assert not pid_alive(child) and s.leftovers() == []
