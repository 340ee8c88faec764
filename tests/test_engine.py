"""The core engine against a real server, real workers and /proc."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import websockets
from support import LabServer, descendants, pid_alive, skip_unless_quiet

from app.observe.memory_map import parse_maps
from app.procfs import parse_stat, read_stat
from app.protocol import decode_regions


def proc_tids(pid: int) -> set[int]:
    return {int(t) for t in os.listdir(f"/proc/{pid}/task")}


def wait_for(pred: Any, timeout: float = 3.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.fixture
def three(lab: LabServer) -> tuple[int, list[int], dict[str, Any]]:
    """A lab process with an idle, a count and a busy thread: (pid, their TIDs, its view)."""
    pid = lab.spawn()
    tids = [lab.thread(pid, a) for a in ("idle", "count", "busy")]
    view = wait_for(lambda: (q := lab.process(pid)) and len(q["threads"]) == 4 and q)
    return pid, tids, view


def test_a_lab_process_is_a_real_child_of_the_server(lab: LabServer, three: tuple) -> None:
    pid, _, _ = three
    assert pid_alive(pid) and read_stat(pid).ppid == lab.proc.pid


def test_the_threads_shown_are_the_threads_in_proc(three: tuple) -> None:
    pid, tids, p = three
    assert {t["tid"] for t in p["threads"]} == proc_tids(pid) == {pid, *tids}


def test_the_main_thread_has_the_process_id(three: tuple) -> None:
    pid, _, p = three
    assert [t["tid"] for t in p["threads"] if t["main"]] == [pid]


def test_each_thread_shows_its_activity(three: tuple) -> None:
    _, _, p = three
    assert {t["activity"] for t in p["threads"]} == {"main", "idle", "count", "busy"}


def test_each_thread_has_its_name_from_proc(three: tuple) -> None:
    pid, _, p = three
    for t in p["threads"]:
        with open(f"/proc/{pid}/task/{t['tid']}/stat") as f:
            assert f.read().split(")")[0].endswith(t["name"])


def test_each_stack_lies_inside_a_real_mapping(three: tuple) -> None:
    pid, _, p = three
    raw = parse_maps(Path(f"/proc/{pid}/maps").read_text())
    for t in p["threads"]:
        s = t["stack"]
        assert s and any(r.start <= s["start"] and s["end"] <= r.end for r in raw), t


def test_each_thread_has_a_stack_of_its_own(three: tuple) -> None:
    _, _, p = three
    assert len({t["stack"]["start"] for t in p["threads"]}) == 4
    for t in p["threads"]:
        own = [r for r in p["regions"] if r["tid"] == t["tid"] and not r["guard"]]
        assert own and own[0]["kind"] == "stack", t


def test_a_busy_thread_burns_cpu_in_the_worker(lab: LabServer, three: tuple) -> None:
    pid, _, p = three
    busy = next(t for t in p["threads"] if t["activity"] == "busy")
    time.sleep(0.5)
    busy2 = next(t for t in lab.process(pid)["threads"] if t["tid"] == busy["tid"])
    assert busy2["utime"] + busy2["stime"] > busy["utime"] + busy["stime"]


def _cores_used(pid: int, tids: list[int], seconds: float) -> float:
    """CPU time the threads used together over ``seconds`` of wall time, in cores (from /proc)."""

    def cpu() -> float:
        stats = [parse_stat(Path(f"/proc/{pid}/task/{tid}/stat").read_text()) for tid in tids]
        return sum(s.utime + s.stime for s in stats)

    c0, t0 = cpu(), time.monotonic()
    time.sleep(seconds)
    return (cpu() - c0) / (time.monotonic() - t0)


@pytest.mark.alone
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two threads can run at once only on two CPUs or more")
def test_gil_free_threads_run_side_by_side_and_busy_ones_take_turns(lab: LabServer) -> None:
    skip_unless_quiet()  # two threads on two CPUs need the CPUs
    free = lab.spawn()
    free_tids = [lab.thread(free, "gil-free") for _ in range(2)]
    free_cores = _cores_used(free, free_tids, 2.0)
    lab.request("DELETE", f"/api/processes/{free}", None, lab.auth)  # the busy pair gets the CPUs alone
    bound = lab.spawn()
    bound_tids = [lab.thread(bound, "busy") for _ in range(2)]
    bound_cores = _cores_used(bound, bound_tids, 2.0)
    # hashing in C with the GIL released: more than one core's worth together
    assert free_cores > 1.2, free_cores
    # Python code holds the GIL: together about one core, however many CPUs there are
    assert bound_cores < 1.1, bound_cores


def test_regions_have_textbook_kinds_and_match_maps(lab: LabServer) -> None:
    pid = lab.spawn()
    p = lab.process(pid)
    kinds = {r["kind"] for r in p["regions"]}
    assert {"code", "data", "heap", "stack"} <= kinds
    raw = parse_maps(Path(f"/proc/{pid}/maps").read_text())
    heap = [r for r in raw if r.path == "[heap]"]
    assert heap and any(r["start"] == heap[0].start and r["kind"] == "heap" for r in p["regions"])


def test_count_thread_moves_the_shared_counter(lab: LabServer) -> None:
    pid = lab.spawn()
    tid = lab.thread(pid, "count")
    c = wait_for(lambda: (q := lab.process(pid)["counter"]) and q["value"] >= 2 and q)
    assert c["last_tid"] == tid and c["address"] > 0


def test_fork_keeps_counter_address_and_diverges(lab: LabServer) -> None:
    parent = lab.spawn()
    lab.thread(parent, "count")
    wait_for(lambda: lab.process(parent)["counter"]["value"] >= 2)
    child = lab.spawn(parent=parent)
    c = lab.process(child)
    p = lab.process(parent)
    assert c["parent"] == parent and c["ppid"] == parent
    assert c["counter"]["address"] == p["counter"]["address"]
    # only the forking thread survives a fork
    assert [t["tid"] for t in c["threads"]] == [child] and proc_tids(child) == {child}
    start = c["counter"]["value"]
    assert start >= 2  # the child starts with the parent's value...
    time.sleep(0.6)
    # ...but the parent's counting thread did not come along: values diverge
    assert lab.process(child)["counter"]["value"] == start
    assert lab.process(parent)["counter"]["value"] > start


def test_stop_thread_and_process(lab: LabServer) -> None:
    pid = lab.spawn()
    tid = lab.thread(pid)
    lab.control("DELETE", f"/api/processes/{pid}/threads/{tid}", expect=200)
    assert tid not in proc_tids(pid)
    err = lab.control("DELETE", f"/api/processes/{pid}/threads/{pid}", expect=409)
    assert err["error"] == "main_thread"
    lab.control("DELETE", f"/api/processes/{pid}", expect=200)
    assert not pid_alive(pid)
    p = wait_for(lambda: [q for q in lab.state()["processes"] if q["pid"] == pid])[0]
    assert p["status"] == "exited" and p["exit"]["code"] == 0


def test_control_without_a_token_is_unauthorized_and_changes_nothing(lab: LabServer) -> None:
    before = lab.workers()
    for path in ("/api/processes", "/api/reset"):
        status, body = lab.request("POST", path)
        assert status == 401 and "token" in body["message"], path
    assert lab.workers() == before


def test_a_wrong_token_is_forbidden_and_changes_nothing(lab: LabServer) -> None:
    before = lab.workers()
    status, body = lab.request("POST", "/api/processes", headers={"Authorization": "Bearer nope-nope"})
    assert status == 403 and body["error"] == "forbidden"
    assert lab.workers() == before


def test_reading_needs_no_token(lab: LabServer) -> None:
    assert lab.request("GET", "/api/state")[0] == 200


BAD_INPUT = [
    ("POST", "/api/processes/{pid}/threads", {"activity": "dance"}, 422),
    ("POST", "/api/processes/{pid}/threads", {"activity": "idle", "x": 1}, 422),
    ("POST", "/api/processes", {"parent": -5}, 422),
    ("POST", "/api/processes", {"parent": 1}, 404),  # init is not ours: never touched
    ("POST", "/api/processes/1/threads", None, 404),
    ("DELETE", "/api/processes/1", None, 404),
    ("DELETE", "/api/processes/{pid}/threads/1", None, 404),
    ("POST", "/api/processes/abc/threads", None, 422),
]


@pytest.mark.parametrize(("method", "path", "body", "code"), BAD_INPUT)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    lab: LabServer, method: str, path: str, body: Any, code: int
) -> None:
    pid = lab.spawn()
    status, payload = lab.request(method, path.format(pid=pid), body, lab.auth)
    assert status == code and payload["message"], (status, payload)
    assert [p["pid"] for p in lab.state()["processes"] if p["status"] == "running"] == [pid]
    assert proc_tids(pid) == {pid}


def test_the_thread_cap_holds(lab: LabServer) -> None:
    pid = lab.spawn()
    for _ in range(9):  # PTLAB_MAX_THREADS=10 in this module, main thread included
        lab.thread(pid)
    status, body = lab.request("POST", f"/api/processes/{pid}/threads", {"activity": "idle"}, lab.auth)
    assert status == 409 and body["error"] == "cap_reached" and "PTLAB_MAX_THREADS" in body["message"]
    assert len(proc_tids(pid)) == 10


def test_the_process_cap_holds(lab: LabServer) -> None:
    for _ in range(12):  # PTLAB_MAX_PROCESSES=12
        lab.spawn()
    status, body = lab.request("POST", "/api/processes", None, lab.auth)
    assert status == 409 and body["error"] == "cap_reached"
    assert len(lab.workers()) == 12


def test_a_stopped_thread_frees_its_place_at_once(lab: LabServer) -> None:
    pid = lab.spawn()
    tids = [lab.thread(pid) for _ in range(9)]  # at the cap of 10
    for _ in range(5):
        lab.control("DELETE", f"/api/processes/{pid}/threads/{tids.pop()}", expect=200)
        tids.append(lab.thread(pid))  # no ghost of the stopped one may hold the place
    assert proc_tids(pid) == {pid, *tids}


def test_concurrent_spawns_up_to_the_cap_all_succeed(lab: LabServer) -> None:
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda _: lab.request("POST", "/api/processes", None, lab.auth), range(12)))
    assert [status for status, _ in results] == [201] * 12, results  # PTLAB_MAX_PROCESSES=12
    assert len(lab.workers()) == 12


def test_worker_killed_from_outside_is_shown_and_reaped(lab: LabServer) -> None:
    pid = lab.spawn()
    os.kill(pid, signal.SIGKILL)
    p = wait_for(lambda: [q for q in lab.state()["processes"] if q["pid"] == pid and q["status"] == "exited"])
    assert p[0]["exit"]["signal"] == signal.SIGKILL and "SIGKILL" in p[0]["exit"]["reason"]
    assert not os.path.exists(f"/proc/{pid}")  # reaped, not a zombie
    assert lab.get("/api/health")["ok"] is True


async def _ws_session(lab: LabServer) -> None:
    headers = lab.auth
    async with websockets.connect(lab.ws_url, additional_headers=headers) as ws:
        snap = json.loads(await ws.recv())
        assert snap["type"] == "snapshot" and snap["role"] == "presenter"
        await ws.send(json.dumps({"type": "command", "id": "a1", "command": {"op": "spawn_process"}}))
        first_seen: dict[int, dict[str, Any]] = {}
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            # a client that fell behind (a loaded machine) gets a snapshot instead of the frames it missed
            for p in msg.get("changed", msg.get("processes", [])):
                first_seen.setdefault(p["pid"], p)
            if msg["type"] == "ack" and msg["id"] == "a1":
                pid = msg["result"]["pid"]
                break
        # the frame showing the new process came before the ack, with its regions
        assert pid in first_seen and first_seen[pid]["regions"]
        assert {r["kind"] for r in decode_regions(first_seen[pid]["regions"])} >= {
            "code",
            "data",
            "heap",
            "stack",
        }
        await ws.send(
            json.dumps(
                {
                    "type": "command",
                    "id": "a2",
                    "command": {"op": "spawn_thread", "pid": pid, "activity": "count"},
                }
            )
        )
        # every TID the stream has shown for the process (a later patch may name only the threads
        # that changed, so one message alone does not list them all)
        threads_seen: set[int] = set()
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            for p in msg.get("changed", msg.get("processes", [])):
                if p["pid"] == pid:
                    threads_seen |= set(p.get("tids") or [t["tid"] for t in p.get("threads", [])])
            if msg["type"] == "ack" and msg["id"] == "a2":
                tid = msg["result"]["tid"]
                break
        # the new thread was already on the stream when the ack came
        assert tid in threads_seen
        assert tid in proc_tids(pid)
        # errors carry the request id and change nothing
        await ws.send(
            json.dumps({"type": "command", "id": "bad", "command": {"op": "spawn_thread", "pid": -1}})
        )
        await ws.send("{not json")
        await ws.send(json.dumps({"type": "command", "id": "u", "command": {"op": "format_disk"}}))
        errors = []
        while len(errors) < 3:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if msg["type"] == "error":
                errors.append(msg)
        assert [e["id"] for e in errors] == ["bad", None, "u"]
        assert errors[1]["error"] == "bad_json" and errors[0]["error"] == "invalid_request"
        assert proc_tids(pid) == {pid, tid}


async def _patches(lab: LabServer, pid: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    async with websockets.connect(lab.ws_url) as ws:
        await ws.recv()
        await asyncio.sleep(0.6)  # let maps settle
        quiet: list[dict[str, Any]] = []
        for _ in range(15):
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            quiet += [p for p in msg["changed"] if p["pid"] == pid]
        await asyncio.to_thread(lab.thread, pid, "idle")
        after: list[dict[str, Any]] = []
        # frames sent before the thread existed may still be on their way (a loaded machine); the
        # new TID and the re-read maps may come in different ticks' patches
        for _ in range(30):
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            after += [p for p in msg["changed"] if p["pid"] == pid]
            if any("regions" in p for p in after) and any("tids" in p for p in after):
                break
        return quiet, after


def test_frames_are_small_patches_and_resend_regions_only_when_maps_change(lab: LabServer) -> None:
    pid = lab.spawn()
    lab.thread(pid, "count")  # the counter moves: the process changes every few ticks
    quiet, after = asyncio.run(_patches(lab, pid))
    assert quiet and all(p.get("patch") is True for p in quiet)
    assert not any("regions" in p for p in quiet), "regions re-sent although the maps did not change"
    assert any("counter" in p for p in quiet)
    # a new thread maps a new stack: the regions come again, and the new TID list
    assert any("regions" in p for p in after) and any(len(p.get("tids", ())) == 3 for p in after)


def test_websocket_commands_and_frames(lab: LabServer) -> None:
    asyncio.run(_ws_session(lab))


async def _viewer_cannot_control(lab: LabServer) -> None:
    async with websockets.connect(lab.ws_url) as ws:
        snap = json.loads(await ws.recv())
        assert snap["role"] == "viewer"
        await ws.send(json.dumps({"type": "command", "id": "x", "command": {"op": "spawn_process"}}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if msg["type"] == "error":
                assert msg["error"] == "forbidden" and msg["id"] == "x"
                break
    # a page on another origin never controls, even with the presenter's cookie
    hdrs = {"Origin": "http://evil.example", "Cookie": f"ptlab_token={lab.token}"}
    async with websockets.connect(lab.ws_url, additional_headers=hdrs) as ws:
        assert json.loads(await ws.recv())["role"] == "viewer"


def test_viewer_and_foreign_origin_cannot_control(lab: LabServer) -> None:
    before = lab.workers()
    asyncio.run(_viewer_cannot_control(lab))
    assert lab.workers() == before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_worker_outlives_the_server(sig: int) -> None:
    s = LabServer().start()
    try:
        pids = [s.spawn() for _ in range(3)]
        for p in pids:
            s.thread(p, "busy")
            s.thread(p, "idle")
        grandchild = s.spawn(parent=pids[0])
        everyone = s.workers()
        assert set(pids) | {grandchild} <= everyone
    finally:
        took = s.stop(sig)
    assert s.leftovers() == [], f"after {signal.Signals(sig).name}: {s.leftovers()}"
    assert took < 2.0, f"lab processes took {took:.2f}s to go after {signal.Signals(sig).name}"
    assert not any(os.path.exists(f"/proc/{p}") for p in everyone)
    assert descendants(s.proc.pid) == set()


async def _token_in_ws_url(lab: LabServer) -> dict[str, Any]:
    async with websockets.connect(f"{lab.ws_url}?token={lab.token}") as ws:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return msg


def test_a_token_in_the_websocket_url_is_refused_with_a_clear_error(lab: LabServer) -> None:
    msg = asyncio.run(_token_in_ws_url(lab))
    assert msg["type"] == "error" and msg["error"] == "token_in_url" and "Authorization" in msg["message"]


def test_each_thread_has_a_live_python_stack_read_in_its_own_process(lab: LabServer) -> None:
    pid = lab.spawn()
    counting = lab.thread(pid, "count")
    stack = lab.get(f"/api/processes/{pid}/threads/{counting}/stack")
    assert stack["pid"] == pid and stack["tid"] == counting
    functions = [f["function"] for f in stack["frames"]]
    # outermost first: the thread's body, then its activity, waiting between increments
    main_body = next(f for f in stack["frames"] if f["function"] == "_thread_main")
    assert main_body["file"] == "app/lab/agent.py" and main_body["line"] > 0
    assert "lt" in main_body["locals"] and "LabThread" in main_body["locals"]["lt"]
    assert functions.index("_thread_main") < functions.index("activity_count") < functions.index("wait")
    # each activity shows its own function, read from that very thread
    for activity in ("busy", "idle"):
        tid = lab.thread(pid, activity)
        names = [f["function"] for f in lab.get(f"/api/processes/{pid}/threads/{tid}/stack")["frames"]]
        assert f"activity_{activity}" in names and "activity_count" not in names, names
    # the main thread is answering this very request
    main = lab.get(f"/api/processes/{pid}/threads/{pid}/stack")
    assert "handle" in [f["function"] for f in main["frames"]]
    assert all(len(v) <= 80 for f in main["frames"] for v in f["locals"].values())  # bounded reprs
    # not a thread of this process, not a lab process: refused, saying which
    for path in (f"/api/processes/{pid}/threads/1/stack", "/api/processes/1/threads/1/stack"):
        status, body = lab.request("GET", path, None, {})
        assert status == 404 and body["error"] == "not_found", body
