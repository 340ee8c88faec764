"""The switch sweep (lmbench's lat_ctx method) in a lab worker, and behind the REST route (no mocks)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import psutil
import pytest
from support import LabServer, skip_unless_quiet, wait_no_workers

from app import procfs
from app.lab import switch_sweep
from app.lab.switch_sweep import Stalled, ring, sizes


def own_threads() -> set[int]:
    """This process's Python threads (the ring's tasks and its timer are Python threads)."""
    return {t.ident for t in threading.enumerate() if t.ident is not None}


def new_threads(before: set[int]) -> set[int]:
    """Threads started since ``before`` that are still alive, once they had a second to end (a
    joined thread leaves a moment after Python's join returns). Threads of earlier tests that end
    meanwhile do not count: only new ones do."""
    deadline = time.monotonic() + 1
    while (left := own_threads() - before) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


def own_children() -> set[int]:
    """This process's children (the module's lab server among them), zombies included."""
    return {c.pid for c in psutil.Process().children()}


def test_sizes_run_from_nothing_past_the_last_cache_within_the_memory_cap() -> None:
    assert sizes(2, 32 << 20) == [0, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20]
    # several tasks reach the cap on all of them together first: 8 × 16 MiB = 128 MiB
    assert sizes(8, 32 << 20)[-1] == 16 << 20 and max(sizes(8, 32 << 20)) * 8 <= switch_sweep.MAX_TOGETHER
    # a small L3: four times it together is enough
    assert sizes(8, 2 << 20) == [0, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20]


def test_the_caches_pcid_and_pti_are_what_sysfs_and_cpuinfo_say() -> None:
    def read(path: str) -> str:
        return procfs.read_text(path).strip()

    caches = procfs.cpu_caches()
    root = procfs.CACHE_DIR
    for entry in os.listdir(root) if os.path.isdir(root) else []:
        if not entry.startswith("index"):
            continue
        level, kind, size = (read(f"{root}/{entry}/{f}") for f in ("level", "type", "size"))
        name = f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")
        assert caches[name] == procfs.parse_size(size)
    assert procfs.parse_size("32K") == 32768 and procfs.parse_size("32M") == 32 << 20
    assert procfs.parse_size("") is None and procfs.parse_size("K") is None
    with open("/proc/cpuinfo") as f:
        flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), None)
    assert procfs.pcid() == (None if flags is None else "pcid" in flags)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_ring_passes_the_token_and_leaves_nothing_behind(processes: bool) -> None:
    before, before_children = own_threads(), own_children()
    hop = ring(processes, 3, 4096, 20, sorted(os.sched_getaffinity(0))[0])
    assert 0 < hop < 0.01  # seconds per hop: a few µs, and never 10 ms on one CPU
    assert new_threads(before) == set()
    assert own_children() == before_children  # every forked task was reaped


def test_a_ring_restores_the_callers_cpus() -> None:
    mine = os.sched_getaffinity(0)
    ring(False, 2, 0, 10, sorted(mine)[-1])
    assert os.sched_getaffinity(0) == mine


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_task_that_dies_stalls_the_ring_which_says_so_and_ends(
    processes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = switch_sweep._hops

    def dies(r: int, w: int, ready: int, n: int, count: int, cpu: int) -> None:
        os.write(ready, b"r")
        hops(r, w, bytearray(n), 5)  # passes the token five times, then is gone: its pipe fills

    monkeypatch.setattr(switch_sweep, "_member", dies)
    before, before_children = own_threads(), own_children()
    t0 = time.monotonic()
    with pytest.raises(Stalled):
        ring(processes, 3, 4096, 50, sorted(os.sched_getaffinity(0))[0], limit_s=0.5)
    assert time.monotonic() - t0 < 5
    assert new_threads(before) == set()  # the timer and the tasks ended
    assert own_children() == before_children


def test_a_sweep_out_of_time_or_cancelled_says_so() -> None:
    out = switch_sweep.measure(threading.Event(), budget_s=0.0)
    assert out["timed_out"] is True and out["reliable"] is False and out["points"] == []
    stop = threading.Event()
    stop.set()
    out = switch_sweep.measure(stop)
    assert out["cancelled"] is True and out["timed_out"] is False and out["points"] == []
    assert out["caches"]["L3"] == procfs.cpu_caches().get("L3")


def test_the_sweep_runs_in_a_lab_process_one_at_a_time_can_be_cancelled_and_reaches_every_viewer(
    lab: LabServer,
) -> None:
    out: dict[str, Any] = {}
    t = threading.Thread(target=lambda: out.update(lab.control("POST", "/api/costs/switch", expect=200)))
    t.start()
    deadline = time.monotonic() + 15
    measuring = None
    while time.monotonic() < deadline and measuring is None:
        # the measuring process is on the page while it works, its thread named for the sweep
        measuring = next(
            (
                p["pid"]
                for p in lab.state()["processes"]
                if any(th["activity"] == "switch_sweep" for th in p["threads"])
            ),
            None,
        )
        time.sleep(0.05)
    assert measuring is not None
    # one measurement at a time: a second is refused, naming the process that measures
    status, body = lab.request("POST", "/api/costs/switch", None, lab.auth)
    assert status == 409 and body["error"] == "busy" and str(measuring) in body["message"], body
    time.sleep(3.0)  # the first points (half a second of them on a quiet machine)
    status, _ = lab.request("DELETE", "/api/costs", None, lab.auth)
    assert status == 200
    t.join(30)
    assert out["cancelled"] is True and out["reliable"] is False and out["pid"] == measuring
    assert out["points"], "a second of sweeping measured its first points"
    for p in out["points"]:
        assert p["tasks"] in (2, 8) and p["rounds"] >= switch_sweep.MIN_ROUNDS
        assert p["thread_spread"] >= 0 and p["process_spread"] >= 0 and p["overhead_us"] > 0
    assert out["points"][0]["bytes"] == 0
    assert out["caches"] == {k: procfs.cpu_caches().get(k) for k in ("L1d", "L2", "L3")}
    assert out["pcid"] == procfs.pcid() and out["pti"] == procfs.pti() and out["cpu"] == procfs.cpu_model()
    assert lab.get("/api/costs/switch")["ts"] == out["ts"]
    assert lab.state()["switch_sweep"]["pid"] == measuring
    assert wait_no_workers(lab)  # the measuring process and every task it forked ended and were reaped


def test_a_student_may_look_at_the_sweep_but_not_start_one(lab: LabServer) -> None:
    before = lab.get("/api/costs/switch")
    status, body = lab.request("POST", "/api/costs/switch", None, {})
    assert status == 401 and "token" in body["message"], body
    assert lab.get("/api/costs/switch") == before and not lab.workers()


@pytest.mark.alone
def test_the_lesson_asks_what_a_working_set_does_to_a_switch_and_measures_it(lab: LabServer) -> None:
    skip_unless_quiet()  # the sweep's figures are the answer: other programs would blur them
    try:
        ids = lab.control("POST", "/api/lesson/scenes/0", expect=200)["lesson"]["scenes"]
        lab.control("POST", f"/api/lesson/scenes/{ids.index('switch-sweep')}", expect=200)
        scene = lab.control("POST", "/api/lesson/reveal", expect=200)["lesson"]["scene"]
        figures = scene["revealed"]["figures"]
        assert set(figures) == {"small_ratio", "large_ratio", "growth"}
        sweep = lab.get("/api/costs/switch")
        assert not sweep["cancelled"] and not sweep["timed_out"]
        l3 = sweep["caches"]["L3"] or switch_sweep.L3_UNKNOWN
        for tasks in (2, 8):
            points = [p for p in sweep["points"] if p["tasks"] == tasks]
            assert [p["bytes"] for p in points] == sizes(tasks, l3)
            # reading 16 MiB costs more than reading nothing, switch or not
            assert points[-1]["overhead_us"] > 10 * points[0]["overhead_us"]
        two = [p for p in sweep["points"] if p["tasks"] == 2]
        assert figures["growth"] == round(max(two[-1]["process_us"], 0.1) / max(two[0]["process_us"], 0.1), 2)
        many = [p for p in sweep["points"] if p["tasks"] == 8][-1]
        if many["bytes"] * 8 > 2 * l3:
            # eight working sets that together overflow L3 twice: every switch refills a cache
            at_zero = max(two[0]["thread_us"], two[0]["process_us"])
            assert min(many["thread_us"], many["process_us"]) > 5 * at_zero
        right = [o["id"] for o in scene["question"]["options"] if o["correct"]]
        assert len(right) == 1
    finally:
        lab.control("DELETE", "/api/lesson", expect=200)
    assert wait_no_workers(lab)
