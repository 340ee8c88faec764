"""The race in slow motion, on real threads: gates, lost updates, the lock, and a real deadlock."""

from __future__ import annotations

import threading
import time
from typing import Any

from support import LabServer, pid_alive


def _step(lab: LabServer, pid: int, thread: int | None, expect: int = 200) -> dict[str, Any]:
    return lab.control("POST", f"/api/processes/{pid}/stepped/step", {"thread": thread}, expect=expect)


def _proc_state(pid: int, tid: int) -> str:
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def _until(check: Any, what: str, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_load_load_store_store_loses_exactly_one_update(lab: LabServer) -> None:
    pid = lab.spawn()
    run = lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "race"}, expect=201)["run"]
    start = run["counter"]
    assert [t["next"] for t in run["threads"]] == ["load", "load"]
    tids = [t["tid"] for t in run["threads"]]
    # the stepped threads are real threads of the process, shown with their stacks
    shown = {t["tid"]: t for t in lab.process(pid)["threads"]}
    assert all(shown[tid]["activity"] == "stepped" and shown[tid]["stack"] for tid in tids)
    # A loads, B loads, A adds and stores, B adds and stores
    for who in (1, 2, 1, 1, 2):
        _step(lab, pid, who)
    last = _step(lab, pid, 2)
    assert last["step"] == {"thread": 2, "step": "store", "blocked": False, "value": start + 1}
    run = last["run"]
    loads = [e["value"] for e in run["log"] if e["step"] == "load"]
    stores = [e["value"] for e in run["log"] if e["step"] == "store"]
    assert loads == [start, start] and stores == [start + 1, start + 1]  # both read 41, both wrote 42
    assert run["counter"] == start + 1 and run["expected"] == start + 2  # one update lost
    assert [t["tmp"] for t in run["threads"]] == [start + 1, start + 1]  # each thread's own tmp
    assert [t["next"] for t in run["threads"]] == ["done", "done"]
    # the counter the card shows is the same real counter
    assert _until(lambda: lab.process(pid)["counter"]["value"] == start + 1, "counter shown")
    ended = lab.control("DELETE", f"/api/processes/{pid}/stepped", expect=200)
    assert ended["run"] is None
    assert _until(lambda: not set(tids) & {t["tid"] for t in lab.process(pid)["threads"]}, "threads end")


def test_with_the_lock_the_second_thread_waits_and_nothing_is_lost(lab: LabServer) -> None:
    pid = lab.spawn()
    run = lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "lock"}, expect=201)["run"]
    start, tids = run["counter"], [t["tid"] for t in run["threads"]]
    _step(lab, pid, 1)  # A takes the lock
    second = _step(lab, pid, 2)  # B tries, and blocks in the kernel
    assert second["step"]["blocked"] is True
    b = second["run"]["threads"][1]
    assert b["waiting"] == "lock" and second["run"]["threads"][0]["holds"] == ["lock"]
    assert _proc_state(pid, tids[1]) == "S"
    # their registers tell them apart: A waits at its gate (poll on a pipe), B in the lock (futex)
    # (read when a thread has run: the picture may show B at its gate for a tick or two more)
    if lab.get("/api/state")["server"]["registers"]:
        gate, lock = ("poll", "ppoll", "select", "pselect6"), ("futex", "futex_waitv")

        def calls() -> dict[int, str] | None:
            regs = {t["tid"]: t["regs"] for t in lab.process(pid)["threads"]}
            a, b = regs.get(tids[0]), regs.get(tids[1])
            return {tids[0]: a["syscall"], tids[1]: b["syscall"]} if a and b else None

        _until(lambda: (c := calls()) and c[tids[0]] in gate and c[tids[1]] in lock, "A in poll, B in futex")
    refused = _step(lab, pid, 2, expect=409)
    assert "blocked waiting for lock" in refused["message"] and "thread 1 holds" in refused["message"]
    for _ in range(4):  # A: load, add, store, release
        _step(lab, pid, 1)
    # releasing let B through on its own: it now stands at its load
    run = _until(
        lambda: (r := lab.process(pid)["stepped"])["threads"][1]["next"] == "load" and r, "B gets the lock"
    )
    assert run["threads"][1]["waiting"] is None and run["threads"][1]["holds"] == ["lock"]
    for _ in range(4):
        _step(lab, pid, None)  # auto: only B can move
    run = lab.process(pid)["stepped"]
    assert run["counter"] == start + 2 == run["expected"]  # none lost
    lab.control("DELETE", f"/api/processes/{pid}/stepped", expect=200)


def test_opposite_lock_orders_deadlock_until_the_process_is_stopped(lab: LabServer) -> None:
    pid = lab.spawn()
    run = lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "deadlock"}, expect=201)["run"]
    tids = [t["tid"] for t in run["threads"]]
    assert [t["next"] for t in run["threads"]] == ["acquire L1", "acquire L2"]
    for who in (1, 2):
        assert _step(lab, pid, who)["step"]["blocked"] is False
    for who in (1, 2):
        assert _step(lab, pid, who)["step"]["blocked"] is True
    run = lab.process(pid)["stepped"]
    a, b = run["threads"]
    assert (a["holds"], a["waiting"], b["holds"], b["waiting"]) == (["L1"], "L2", ["L2"], "L1")
    assert [_proc_state(pid, tid) for tid in tids] == ["S", "S"]
    assert "deadlock" in _step(lab, pid, None, expect=409)["message"]
    refused = lab.control("DELETE", f"/api/processes/{pid}/stepped", expect=409)
    assert "only their process" in refused["message"] or "ending the process" in refused["message"]
    time.sleep(0.5)
    assert all(pid_alive(pid) and _proc_state(pid, tid) == "S" for tid in tids)  # still stuck
    lab.control("DELETE", f"/api/processes/{pid}", expect=200)
    assert _until(lambda: not pid_alive(pid), "the process ends")


def test_one_lock_order_never_deadlocks(lab: LabServer) -> None:
    pid = lab.spawn()
    lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "ordered"}, expect=201)
    _step(lab, pid, 1)  # A takes L1
    assert _step(lab, pid, 2)["step"]["blocked"] is True  # B waits for L1, holding nothing
    for _ in range(20):
        run = lab.process(pid)["stepped"]
        if all(t["next"] == "done" for t in run["threads"]):
            break
        _step(lab, pid, None)
    assert [t["rounds"] for t in run["threads"]] == [1, 1]
    lab.control("DELETE", f"/api/processes/{pid}/stepped", expect=200)


def test_stepping_is_validated(lab: LabServer) -> None:
    pid = lab.spawn()
    assert lab.control("POST", f"/api/processes/{pid}/stepped/step", {}, expect=409)["error"]
    bad = lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "deadlock", "threads": 3}, expect=409)
    assert "exactly 2 threads" in bad["message"]
    assert lab.control("POST", f"/api/processes/{pid}/stepped", {"mode": "chaos"}, expect=422)
    lab.control("POST", f"/api/processes/{pid}/stepped", {"threads": 3}, expect=201)
    again = lab.control("POST", f"/api/processes/{pid}/stepped", {}, expect=409)
    assert "already running" in again["message"]
    assert "there is no thread" not in str(_step(lab, pid, 3))
    lab.control("POST", f"/api/processes/{pid}/stepped/step", {"thread": 4}, expect=422)


def _stop_into(lab: LabServer, pid: int, answers: list[Any]) -> None:
    answers.append(lab.request("DELETE", f"/api/processes/{pid}", None, lab.auth))


def test_leaving_a_deadlock_the_presenter_is_stopping_moves_the_class_on(lab: LabServer) -> None:
    # The presenter presses "stop the process" and → at once: leaving the scene ends its process
    # too, and finding it already ended must not fail the move (the class stayed on the deadlock).
    lesson = lab.control("POST", "/api/lesson/scenes/0", expect=200)["lesson"]
    deadlock = lesson["scenes"].index("deadlock")
    try:
        for delay in (0.0, 0.005, 0.02, 0.05):  # the stop lands before, during or after the move
            lesson = lab.control("POST", f"/api/lesson/scenes/{deadlock}", expect=200)["lesson"]
            pid = lesson["scene"]["pids"][0]
            for who in (1, 2, 1, 2):
                _step(lab, pid, who)
            assert all(t["waiting"] for t in lab.process(pid)["stepped"]["threads"])  # stuck
            answers: list[Any] = []
            stop = threading.Thread(target=_stop_into, args=(lab, pid, answers))
            stop.start()
            time.sleep(delay)
            status, moved = lab.request("POST", f"/api/lesson/scenes/{deadlock + 1}", None, lab.auth)
            stop.join(10)
            assert status == 200 and moved["lesson"]["scene"]["index"] == deadlock + 1, (status, moved)
            assert answers and answers[0][0] in (200, 404), answers
    finally:
        lab.control("DELETE", "/api/lesson", expect=200)
