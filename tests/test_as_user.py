"""ptlab as teachers run it: the server started as an ordinary user (``nobody``), not as root.

Skipped, saying why, where the suite cannot become another user (it does not run as root, or
no interpreter that user may run loads this venv's packages).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT, LabServer, as_user

from app.host import this_host

USER = "nobody"


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


@pytest.fixture(scope="module")
def plain() -> Iterator[LabServer]:
    """A server started as ``nobody`` by the README's means, with the suite's small caps."""
    try:
        as_user(USER)
    except ValueError as exc:
        pytest.skip(str(exc))
    s = LabServer(user=USER, env={"PTLAB_MAX_PROCESSES": "8", "PTLAB_RUN_SECONDS": "30"}).start()
    try:
        yield s
    finally:
        s.stop()
        left = s.leftovers()
        assert not left, f"lab processes outlived the server: {left}"
        assert not os.path.exists(s.tmp), "its private directory was not removed"


def test_the_server_and_its_lab_run_as_the_user_and_frames_are_withheld(plain: LabServer) -> None:
    import pwd

    uid = pwd.getpwnam(USER).pw_uid
    assert plain.proc is not None and _uid(plain.proc.pid) == uid
    pid = plain.spawn()
    assert _uid(pid) == uid
    state = plain.get("/api/state")
    assert state["server"]["pagemap"] is False  # what root alone adds
    # whose kernel the figures are: read by the user too (the container checks need no root)
    host = this_host()
    assert state["server"]["host"] == {"kind": host.kind, "name": host.name, "kernel": platform.release()}
    counter = plain.process(pid)["counter"]
    assert counter["frame"] is None and counter["exclusive"] is True


def test_copy_on_write_shows_by_the_exclusive_flag_as_the_child_writes(plain: LabServer) -> None:
    parent = plain.spawn()
    child = plain.spawn(parent=parent)
    p, c = plain.process(parent)["counter"], plain.process(child)["counter"]
    assert p["address"] == c["address"] and p["exclusive"] is False and c["exclusive"] is False
    plain.thread(child, "count")  # the child writes: its page becomes its own
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        c = plain.process(child)["counter"]
        if c["value"] > 0 and c["exclusive"]:
            break
        time.sleep(0.05)
    assert c["value"] > 0 and c["exclusive"] is True and c["frame"] is None
    plain.reset()


def test_threads_stacks_and_a_python_stack_need_no_root(plain: LabServer) -> None:
    pid = plain.spawn()
    tid = plain.thread(pid, "count")
    proc = plain.process(pid)
    threads = {t["tid"]: t for t in proc["threads"]}
    assert set(threads) == {pid, tid}
    stacks = {t: (v["stack"]["start"], v["stack"]["end"]) for t, v in threads.items() if v["stack"]}
    assert tid in stacks and stacks[tid][0] < stacks[tid][1]
    # each thread's stack lies in a region the process's own maps show
    assert any(r["start"] <= stacks[tid][0] and stacks[tid][1] <= r["end"] for r in proc["regions"])
    frames = [f["function"] for f in plain.get(f"/api/processes/{pid}/threads/{tid}/stack")["frames"]]
    assert "activity_count" in frames
    # registers too: the lab's processes are the server's own descendants, so ptrace access holds
    assert plain.get("/api/state")["server"]["registers"] is True
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        waiting = [t for t in plain.process(pid)["threads"] if t["state"] == "S" and t["regs"]]
        if len(waiting) >= 2:
            break
        time.sleep(0.1)
    assert len(waiting) >= 2, plain.process(pid)["threads"]
    for t in waiting:
        assert t["stack"]["start"] <= t["regs"]["sp"] <= t["stack"]["end"], t
    plain.reset()


def test_a_run_of_the_class_s_code_works_and_says_how_it_is_contained(plain: LabServer) -> None:
    code = (
        "import threading, os\n"
        "t = threading.Thread(target=lambda: print('thread says hi', os.getuid()), name='helper')\n"
        "t.start(); t.join()\n"
    )
    plain.control("POST", "/api/runs", {"code": code, "name": "mine.py"}, expect=201)
    run = plain.finished_run()
    import pwd

    assert run["exit_code"] == 0 and f"thread says hi {pwd.getpwnam(USER).pw_uid}" in run["console"]
    health = plain.get("/api/health")["isolation"]
    # namespaces (with a user namespace, as not root) or the watchdog alone, and why: said either way
    assert (health["namespaces"] is True and health["user"] is True) or health["why"]


def test_doctor_as_the_user_says_what_it_withholds() -> None:
    try:
        python, path = as_user(USER)
    except ValueError as exc:
        pytest.skip(str(exc))
    out = subprocess.run(
        [*python, "-m", "app", "doctor", "--json"],
        env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin", "HOME": "/"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    found = {f["topic"]: f for f in json.loads(out.stdout)["findings"]}
    assert found["frames"]["verdict"] == "limited" and "exclusively mapped" in found["frames"]["says"]
    assert "ordinary user" in found["user"]["says"] and json.loads(out.stdout)["user"] == USER
    # the server's own children are readable to it: registers are not withheld from an ordinary user
    assert found["registers"]["verdict"] == "ok", found["registers"]
