"""The class's own code under the lab: real runs, their processes and threads, and containment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, LabServer, pid_alive

from app.control.errors import LabError
from app.control.runs import Runs
from app.settings import Settings

EXAMPLES = ROOT / "app" / "run" / "examples"


@pytest.fixture(scope="module")
def runner() -> Iterator[LabServer]:
    """A server whose runs have a small memory limit (to test it); runs are niced, so a loaded
    machine makes them slow: their time limit leaves room."""
    s = LabServer(
        env={
            "PTLAB_MAX_PROCESSES": "12",
            "PTLAB_MAX_THREADS": "16",
            "PTLAB_RUN_SECONDS": "40",
            "PTLAB_RUN_MEMORY_MIB": "512",
        }
    ).start()
    try:
        yield s
    finally:
        s.stop()
        assert not s.leftovers()


@pytest.fixture(autouse=True)
def _no_run_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that failed with its run still going must not make the next ones find the lab busy."""
    yield
    if "runner" in request.fixturenames:
        s = request.getfixturevalue("runner")
        run = s.get("/api/runs")["run"]
        if run and run["status"] != "exited":
            s.request("DELETE", "/api/runs", None, s.auth)
            s.finished_run()


def _start(s: LabServer, code: str, name: str = "main.py", expect: int = 201) -> dict[str, Any]:
    return s.control("POST", "/api/runs", {"code": code, "name": name}, expect=expect)


def _run_procs(s: LabServer, rid: int) -> list[dict[str, Any]]:
    return [p for p in s.state()["processes"] if p.get("run") == rid and p["status"] == "running"]


def _watch(s: LabServer, rid: int, want: Any, timeout: float = 8.0) -> list[dict[str, Any]]:
    """Poll /api/state until ``want(processes)`` holds for the run's processes; return them."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        seen = _run_procs(s, rid)
        if want(seen):
            return seen
        time.sleep(0.1)
    raise AssertionError(
        f"not seen in time; last: {[(p['pid'], [t['name'] for t in p['threads']]) for p in seen]}"
    )


def _names(procs: list[dict[str, Any]]) -> list[str]:
    return sorted(t["name"] for p in procs for t in p["threads"])


def _four_adders_with_stacks(procs: list[dict[str, Any]]) -> bool:
    adders = [t for p in procs for t in p["threads"] if t["name"].startswith("adder-")]
    return len(adders) == 4 and all(t["stack"] and t["activity"] == "user" for t in adders)


def test_a_threading_race_shows_its_named_threads_and_ends_clean(runner: LabServer) -> None:
    run = _start(runner, (EXAMPLES / "threading_race.py").read_text(), "threading_race.py")["run"]
    # each named thread with its real stack and its live Python stack, in the program's own function
    # (/proc shows a new thread a moment before the run's probe has said where its stack is)
    procs = _watch(runner, run["id"], _four_adders_with_stacks)
    assert len(procs) == 1 and procs[0]["probe"] is True
    adders = [t for t in procs[0]["threads"] if t["name"].startswith("adder-")]
    assert sorted(t["py_name"] for t in adders) == [f"adder-{i}" for i in range(1, 5)]  # Python's own names
    stack = runner.get(f"/api/processes/{procs[0]['pid']}/threads/{adders[0]['tid']}/stack")
    assert "add" in [f["function"] for f in stack["frames"]]
    probe = [t for t in procs[0]["threads"] if t["name"] == "ptlab-probe"]
    assert len(probe) == 1 and probe[0]["activity"] == "probe"  # ptlab's own thread, labelled as such
    done = runner.finished_run()
    assert done["exit_code"] == 0 and "updates lost" in done["console"] and done["reason"] is None
    assert runner.alive_below() == [] and not pid_alive(run["pid"])


@pytest.mark.parametrize(
    ("example", "processes", "threads"),
    [
        ("lock_fix.py", 1, ["locked-1", "locked-2", "locked-3", "locked-4"]),
        ("thread_pool.py", 1, ["pool_0", "pool_1", "pool_2"]),
        ("fork_pipe.py", 2, []),
        ("shared_memory.py", 3, []),
        ("deadlock.py", 1, ["left", "right"]),
    ],
)
def test_each_built_in_example_runs_end_to_end(
    runner: LabServer, example: str, processes: int, threads: list[str]
) -> None:
    run = _start(runner, (EXAMPLES / example).read_text(), example)["run"]
    procs = _watch(
        runner,
        run["id"],
        lambda ps: len(ps) >= processes and set(threads) <= set(_names(ps)),
    )
    assert all(p["probe"] for p in procs)
    done = runner.finished_run()
    assert done["exit_code"] == 0, done["console"]
    assert runner.alive_below() == []
    time.sleep(0.3)
    assert _run_procs(runner, run["id"]) == []


def test_a_spawn_pool_s_children_appear_with_their_threads_and_stacks(runner: LabServer) -> None:
    run = _start(runner, (EXAMPLES / "pool.py").read_text(), "pool.py")["run"]
    try:
        # the parent, the resource tracker and three fresh interpreters, each with a probe
        procs = _watch(runner, run["id"], lambda ps: len(ps) >= 4, timeout=10)

        def workers() -> list[int]:
            # the pool's workers, once each has reached its loop (multiprocessing's `worker`)
            found = []
            for child in _run_procs(runner, run["id"]):
                if child["parent"] != run["pid"]:
                    continue
                main = next(t for t in child["threads"] if t["main"])
                if main["stack"] is None:
                    continue  # drawn from /proc before its probe said hello: not yet in its loop
                stack = runner.request("GET", f"/api/processes/{child['pid']}/threads/{main['tid']}/stack")[1]
                if "worker" in [f["function"] for f in stack.get("frames", [])]:
                    found.append(child["pid"])
            return found

        deadline = time.monotonic() + 8
        while len(workers()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers()) == 3, [(p["pid"], p["name"]) for p in procs]
        done = runner.finished_run()
        assert done["exit_code"] == 0 and "computed 25" in done["console"]
        assert runner.alive_below() == []
    finally:
        runner.request("DELETE", "/api/runs", None, runner.auth)  # ended already, or ended now


def test_a_syntax_error_is_shown_with_its_line_and_runs_nothing(runner: LabServer) -> None:
    before = runner.get("/api/runs")["run"]
    err = _start(runner, "x = 1\nprint('hi'\n", "broken.py", expect=422)
    assert (
        err["error"] == "syntax_error" and "line 2" in err["message"] and "nothing was run" in err["message"]
    )
    assert runner.get("/api/runs")["run"] == before


def test_an_endless_loop_is_ended_at_the_time_limit() -> None:
    s = LabServer(env={"PTLAB_RUN_SECONDS": "2"}).start()
    try:
        _start(s, "while True:\n    pass\n", "loop.py")
        done = s.finished_run(15)
        assert "time limit reached: 2 s" in done["reason"] and 2 <= done["seconds"] < 4
        assert s.alive_below() == []
    finally:
        s.stop()


def test_a_2_gib_allocation_fails_inside_the_memory_limit(runner: LabServer) -> None:
    _start(runner, "data = bytearray(2 << 30)\nprint('allocated')\n", "big.py")
    done = runner.finished_run()
    assert done["exit_code"] == 1 and "MemoryError" in (done["traceback"] or ""), done
    assert "allocated" not in done["console"]


@pytest.mark.alone  # within 2 s: a bound a second worker's load would stretch
def test_a_fork_bomb_ends_within_2_s_with_every_descendant_reaped(runner: LabServer) -> None:
    code = (
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        time.sleep(0.01)\n"
    )
    _start(runner, code, "bomb.py")
    t0 = time.monotonic()
    done = runner.finished_run(10)
    took = time.monotonic() - t0
    assert "process cap" in done["reason"] and took < 2.0, (done["reason"], took)
    assert runner.alive_below() == []
    assert max(runner.request("GET", "/api/health")[0] for _ in range(3)) == 200


def test_a_print_flood_is_cut_with_a_note(runner: LabServer) -> None:
    _start(
        runner,
        "import sys\nline = 'x' * 99 + '\\n'\nfor _ in range(500_000):\n    sys.stdout.write(line)\n",
        "flood.py",
    )
    done = runner.finished_run(30)
    assert done["exit_code"] == 0 and done["console_bytes"] == 50_000_000
    assert done["dropped"] > 49_000_000 and "[ptlab: output cut" in done["console"]
    assert len(done["console"]) < 80 * 1024


def test_stop_ends_the_whole_tree(runner: LabServer) -> None:
    code = "import os, time\nfor _ in range(3):\n    if os.fork() == 0:\n        break\ntime.sleep(60)\n"
    run = _start(runner, code, "tree.py")["run"]
    _watch(runner, run["id"], lambda ps: len(ps) >= 4)
    stopped = runner.control("DELETE", "/api/runs", expect=200)["run"]
    assert stopped["status"] == "exited" and "stopped" in stopped["reason"]
    assert runner.alive_below() == []


def test_running_code_is_refused_to_viewers_and_off_a_loopback_bind_without_the_setting(
    runner: LabServer,
) -> None:
    status, _ = runner.request("POST", "/api/runs", {"code": "print(1)"}, {})
    assert status == 401
    # for the presenter: only once the server is known to listen on loopback alone, unless
    # PTLAB_ALLOW_CODE says otherwise (a public plain-uvicorn server: tests/test_hostile.py)
    lab = types.SimpleNamespace()
    default = Runs(lab, Settings(token="a-token-of-our-own"))  # type: ignore[arg-type]
    allowed = Runs(lab, Settings(token="a-token-of-our-own", allow_code=True))  # type: ignore[arg-type]
    refused = Runs(lab, Settings(token="a-token-of-our-own", allow_code=False))  # type: ignore[arg-type]
    seen = []
    for publicly in (None, False, True):
        for runs in (default, allowed, refused):
            runs.listening_publicly = publicly
        seen.append((default.code_allowed, allowed.code_allowed, refused.code_allowed))
    assert seen == [(False, True, False), (True, True, False), (False, True, False)]
    with pytest.raises(LabError, match="not found which addresses"):
        default.listening_publicly = None
        default.check_allowed(trusted=False)
    default.check_allowed(trusted=True)  # ptlab run's own script


def test_ptlab_run_server_runs_a_script_on_a_running_server(runner: LabServer, tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text(
        "import threading\n"
        "t = threading.Thread(target=print, args=('from a thread',), name='helper')\n"
        "t.start(); t.join()\n"
        "raise SystemExit(3)\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "app", "run", "--server", runner.url, str(script)],
        cwd=ROOT,
        env={**os.environ, "PTLAB_TOKEN": runner.token},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 3 and "from a thread" in out.stdout, (out.stdout, out.stderr)


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="Debian's chromium is not installed")
def test_the_code_panel_runs_an_example_and_shows_its_output(browser, runner: LabServer) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(runner.url + f"/?token={runner.token}")
        page.wait_for_selector("#conn[data-status=live]")
        page.keyboard.press("x")
        page.wait_for_selector(".editor .hljs-keyword")  # highlighted Python, offline
        # how runs are contained here, said plainly
        isolated = runner.get("/api/health")["isolation"]["namespaces"]
        note = page.locator(".code-isolation")
        assert note.get_attribute("data-isolated") == str(isolated).lower()
        assert ("PID namespace of its own" if isolated else "not isolated") in note.inner_text()
        page.select_option(".examples", "thread_pool.py")
        assert "ThreadPoolExecutor" in page.inner_text(".editor")
        page.click(".code-buttons .run")
        # the run's threads appear in the lab with the names the program gave them
        page.wait_for_function(
            "[...ptlab.state.processes.values()]"
            ".some(p => p.run && p.threads.some(t => t.name === 'pool_2'))",
            timeout=10_000,
        )
        # and the cards call them by those names, not "user"
        page.wait_for_function(
            "[...document.querySelectorAll('#diagram .thread text')]"
            ".some(t => t.textContent.includes('pool_2'))",
            timeout=10_000,
        )
        page.wait_for_selector(".console[data-status=exited]", timeout=20_000)
        assert "5 squared is 25" in page.inner_text(".console")
        assert "exited with code 0" in page.inner_text(".code-status")
        # the stage, empty again, says what ended and where the output is
        page.wait_for_function(
            "document.querySelector('#diagram .empty')?.textContent"
            ".includes('thread_pool.py has ended: exited with code 0')",
            timeout=10_000,
        )
        # a viewer cannot run code: the command needs the presenter
        viewer = ctx.browser.new_context().new_page()
        viewer.goto(runner.url + "/")
        viewer.wait_for_selector("#conn[data-status=live]")
        refused = viewer.evaluate(
            "() => ptlab.conn.command({op: 'run_start', code: 'print(1)'}).then(() => 'ran', e => e.code)"
        )
        assert refused == "forbidden"
        viewer.context.close()
        assert errors == []
    finally:
        ctx.close()


def test_a_process_without_a_probe_is_drawn_from_proc_alone(runner: LabServer) -> None:
    code = "import subprocess\nsubprocess.run(['sleep', '3'])\nprint('slept')\n"
    run = _start(runner, code, "shell.py")["run"]
    procs = _watch(runner, run["id"], lambda ps: any(not p["probe"] for p in ps))
    sleeper = next(p for p in procs if not p["probe"])
    assert sleeper["name"] == "sleep" and sleeper["parent"] == run["pid"]
    assert [t["activity"] for t in sleeper["threads"]] == ["unknown"] and sleeper["regions"]
    done = runner.finished_run()
    assert done["exit_code"] == 0 and "slept" in done["console"]


def test_code_from_the_page_is_refused_on_a_public_bind_without_the_setting() -> None:
    from app.control.errors import LabError
    from app.control.runs import Runs
    from app.settings import Settings

    class NoLab:
        adopt = None

    public = Settings(host="0.0.0.0", token="a-token-of-our-own")
    with pytest.raises(LabError) as info:
        Runs(NoLab(), public).check_allowed(trusted=False)  # type: ignore[arg-type]
    assert info.value.code == "forbidden" and "PTLAB_ALLOW_CODE" in info.value.message
    Runs(NoLab(), public).check_allowed(trusted=True)  # ptlab run's own script is always run
    allowed = Settings(host="0.0.0.0", token="a-token-of-our-own", allow_code=True)
    Runs(NoLab(), allowed).check_allowed(trusted=False)  # type: ignore[arg-type]


FORKSERVER_POOL = """
import multiprocessing as mp, time
from concurrent.futures import ProcessPoolExecutor

def slow(x):
    time.sleep(1.5)
    return x * x

if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("forkserver")) as ex:
        print(list(ex.map(slow, range(4))))
"""


def test_a_forkserver_process_pool_is_followed_through_its_server(runner: LabServer) -> None:
    run = _start(runner, FORKSERVER_POOL, "forkserver_pool.py")["run"]

    def grandchildren(ps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # the pool's workers are forked by the forkserver, itself a child of the script
        children = {p["pid"] for p in ps if p["parent"] == run["pid"]}
        return [p for p in ps if p["parent"] in children]

    procs = _watch(runner, run["id"], lambda ps: len(grandchildren(ps)) == 2)
    assert all(
        p["probe"] and "ptlab-probe" in [t["name"] for t in p["threads"]] for p in grandchildren(procs)
    )
    done = runner.finished_run()
    assert done["exit_code"] == 0 and "[0, 1, 4, 9]" in done["console"]
    assert runner.alive_below() == []
