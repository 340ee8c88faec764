"""Pause, rewind, export and replay, in Chromium against real servers and real lab processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support import CHROMIUM, ROOT, TOKEN, LabServer, free_port

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# What a page shows of the lab, as plain data: PIDs, TIDs, regions and counter values.
PICTURE = """() => {
  const s = window.ptlab.tm.view();
  return [...s.processes.values()].filter((p) => p.status === 'running').map((p) => ({
    pid: p.pid,
    tids: p.threads.map((t) => t.tid),
    regions: (p.regions || []).map((r) => [r.start, r.end, r.kind]),
    counter: p.counter ? p.counter.value : null,
  })).sort((a, b) => a.pid - b.pid);
}"""


def picture(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The same, from a snapshot of /api/state."""
    return sorted(
        (
            {
                "pid": p["pid"],
                "tids": [t["tid"] for t in p["threads"]],
                # as a page holds them: JavaScript numbers (the vsyscall page lies above 2**53)
                "regions": [[float(r["start"]), float(r["end"]), r["kind"]] for r in p["regions"]],
                "counter": p["counter"]["value"] if p["counter"] else None,
            }
            for p in state["processes"]
            if p["status"] == "running"
        ),
        key=lambda x: x["pid"],
    )


def picture_at(page: Any, seq: int) -> list[dict[str, Any]]:
    """What a replaying page shows once moved to the moment of frame ``seq``."""
    at = page.evaluate(f"() => window.ptlab.tm.rec.messages.find((m) => m.seq >= {seq}).ts")
    page.evaluate(f"() => window.ptlab.tm.seek({at})")
    shown = page.evaluate(PICTURE)
    for p in shown:
        p["regions"] = [[float(a), float(b), k] for a, b, k in p["regions"]]
    return shown


@contextmanager
def page_of(browser, url: str, explore: bool = False) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        if explore:
            ctx.add_init_script("localStorage.setItem('ptlab.explore', '1')")
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector("#conn[data-status=live]")
        page.errors = errors  # type: ignore[attr-defined]
        yield page
    finally:
        ctx.close()


def test_pausing_freezes_the_class_while_the_counter_counts_on_in_the_lab(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    lab.thread(pid, "count")
    with (
        page_of(browser, lab.url + f"/?token={lab.token}") as presenter,
        page_of(browser, lab.url + "/") as viewer,
    ):
        presenter.wait_for_selector(f"#diagram .card[data-pid='{pid}']")
        time.sleep(1.5)  # some history to rewind
        presenter.keyboard.press("k")
        viewer.wait_for_selector("body.tm-open", timeout=5_000)  # the class follows
        shown = viewer.evaluate(f"() => window.ptlab.tm.view().processes.get({pid}).counter.value")
        in_lab = lab.process(pid)["counter"]["value"]
        time.sleep(2.0)
        assert viewer.evaluate(f"() => window.ptlab.tm.view().processes.get({pid}).counter.value") == shown
        assert lab.process(pid)["counter"]["value"] >= in_lab + 4  # four a second, still counting
        assert viewer.text_content("#conn").startswith("PAUSED")
        # back in time: the step to the previous event shows the process's start, before its thread
        presenter.keyboard.press(",")
        presenter.keyboard.press(",")
        presenter.wait_for_function(
            f"() => window.ptlab.tm.view().processes.get({pid})?.threads.length === 1"
        )
        viewer.wait_for_function(f"() => window.ptlab.tm.view().processes.get({pid})?.threads.length === 1")
        # one time base: counted back from when the pause began, so a step forward shows less, not more
        ago = lambda: float(presenter.text_content("#conn").split("−")[1].split()[0])  # noqa: E731
        back = ago()
        time.sleep(1.2)  # the live "now" moves on meanwhile
        assert ago() == back
        at = presenter.evaluate("ptlab.tm.at")
        presenter.keyboard.press(".")
        presenter.wait_for_function(f"ptlab.tm.at > {at}")
        assert ago() <= back
        presenter.keyboard.press("l")
        viewer.wait_for_selector("body:not(.tm-open)", timeout=5_000)
        assert viewer.text_content("#conn") != "" and not viewer.text_content("#conn").startswith("PAUSED")
        assert presenter.errors == [] and viewer.errors == []


def _export(lab: LabServer, path: Path, query: str = "") -> bytes:
    with urllib.request.urlopen(lab.url + "/api/history/export" + query, timeout=20) as r:
        assert r.headers["Content-Type"] == "application/gzip"
        data = r.read()
    path.write_bytes(data)
    return data


@contextmanager
def replaying(path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "replay", str(path), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PTLAB_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the replay server did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_recorded_lesson_replays_the_same_picture_at_the_same_moment(
    browser, lab: LabServer, tmp_path: Path
) -> None:
    # a short scripted lesson: a process, a counting thread, a fork, a busy thread, one thread stopped
    a = lab.spawn()
    counting = lab.thread(a, "count")
    time.sleep(0.6)
    b = lab.spawn(parent=a)
    lab.thread(b, "busy")
    time.sleep(0.8)
    middle = lab.state()  # the live picture at its frame (seq)
    time.sleep(0.6)
    lab.control("DELETE", f"/api/processes/{a}/threads/{counting}", expect=200)
    time.sleep(0.6)
    file = tmp_path / "lesson.ptlab"
    _export(lab, file)
    with replaying(file) as url, page_of(browser, url + "/") as page:
        page.wait_for_selector("body.tm-open")
        assert page.text_content("#conn").startswith("REPLAY")
        assert picture_at(page, middle["seq"]) == picture(middle)
        # drawn: a card for each process of that moment (ones just ended linger, marked)
        cards = len(middle["processes"])
        page.wait_for_function(f"document.querySelectorAll('#diagram .card').length === {cards}")
        # nothing in a replay can be changed, and the page offers no button that could only fail
        assert page.evaluate("document.body.classList.contains('read-only')")
        assert not page.locator(".controls").is_visible() and not page.locator("#toggle-lab").is_visible()
        status, body = _post(url + "/api/processes", lab.token)
        assert status in (401, 403, 409) and body
        assert page.errors == []


def _post(url: str, token: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, method="POST", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("bm90IGd6aXA=", "not gzip-compressed"),  # "not gzip"
        ("H4sIAAAAAAAA/w==", "truncated or corrupted"),  # a gzip header and nothing after
    ],
)
def test_a_bad_file_dropped_on_the_page_is_refused_and_the_lab_untouched(
    browser, lab: LabServer, content: str, says: str
) -> None:
    pid = lab.spawn()
    with page_of(browser, lab.url + f"/?token={lab.token}") as page:
        page.evaluate(
            f"""async () => {{
              const bytes = Uint8Array.from(atob('{content}'), (c) => c.charCodeAt(0));
              await window.ptlab.tm.openFile(new File([bytes], 'bad.ptlab'));
            }}"""
        )
        toast = page.text_content("#toasts")
        assert "bad.ptlab" in toast and says in toast
        assert page.evaluate("() => window.ptlab.tm.paused") is False  # still live
    assert [p["pid"] for p in lab.state()["processes"] if p["status"] == "running"] == [pid]


def test_the_history_and_export_routes_validate_their_ranges(lab: LabServer) -> None:
    lab.spawn()
    time.sleep(0.5)
    h = lab.get("/api/history")
    assert h["start"] <= h["end"] and h["keyframes"] >= 1 and not h["replay"]
    assert any(m["kind"] == "process_started" for m in h["marks"])
    for query in (f"?start={h['end'] + 60}", f"?start={h['end']}&end={h['start']}", "?start=x", "?from=1"):
        status, body = lab.request("GET", "/api/history/export" + query, None, {})
        assert status == 422 and body["error"] == "invalid_request" and body["message"], (query, body)


def test_a_bad_recording_stops_replay_at_the_start_with_its_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ptlab"
    bad.write_bytes(b"\x1f\x8b" + b"\x00" * 10)
    r = subprocess.run(
        [sys.executable, "-m", "app", "replay", str(bad), "--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert r.returncode == 2 and "bad.ptlab" in r.stderr and "corrupted" in r.stderr


def test_the_html_export_replays_offline_with_no_server(browser, lab: LabServer, tmp_path: Path) -> None:
    a = lab.spawn()
    lab.thread(a, "count")
    time.sleep(0.8)
    middle = lab.state()
    time.sleep(0.5)
    page_file = tmp_path / "lesson.html"
    with urllib.request.urlopen(lab.url + "/api/history/export.html", timeout=20) as r:
        assert r.headers["Content-Type"].startswith("text/html")
        assert ".html" in r.headers["Content-Disposition"]
        page_file.write_bytes(r.read())
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        asked: list[str] = []
        ctx.route("http://**/*", lambda route: (asked.append(route.request.url), route.abort()))
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_selector("body.tm-open", timeout=10_000)
        assert page.text_content("#conn").startswith("REPLAY")
        assert picture_at(page, middle["seq"]) == picture(middle)
        page.wait_for_selector(f"#diagram .card[data-pid='{a}']")
        assert errors == [] and asked == []  # drawn from the file alone: nothing fetched from anywhere
    finally:
        ctx.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_every_route_answers_a_replay_in_the_error_shape_never_500(lab: LabServer, tmp_path: Path) -> None:
    pid = lab.spawn()
    time.sleep(0.5)
    file = tmp_path / "short.ptlab"
    _export(lab, file)
    with replaying(file) as url:
        spec = json.loads(urllib.request.urlopen(url + "/openapi.json", timeout=10).read())
        answers = {}
        for path, methods in spec["paths"].items():
            concrete = path.replace("{pid}", str(pid)).replace("{tid}", str(pid)).replace("{index}", "0")
            for method in methods:
                req = urllib.request.Request(url + concrete, method=method.upper(), headers=AUTH)
                try:
                    with urllib.request.urlopen(req, timeout=20) as r:
                        answers[f"{method} {path}"] = (r.status, None)
                except urllib.error.HTTPError as exc:
                    answers[f"{method} {path}"] = (exc.code, json.loads(exc.read()).get("error"))
    assert all(status < 500 for status, _ in answers.values()), answers
    assert all(error for status, error in answers.values() if status >= 400), answers
    # the stack of a thread a recording shows: there is no live process to ask
    assert answers["get /api/processes/{pid}/threads/{tid}/stack"] == (409, "read_only")
    assert answers["get /api/state"][0] == answers["get /api/health"][0] == 200
    assert answers["post /api/reset"] == answers["delete /api/runs"] == (409, "read_only")
