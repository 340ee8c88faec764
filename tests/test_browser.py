"""The dashboard in a real headless Chromium (Debian's) against a real server."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import CHROMIUM, ROOT, LabServer, opened, settle, wait_no_workers

from app.settings import Settings

playwright = pytest.importorskip("playwright.sync_api")

ARTIFACTS = ROOT / "test-artifacts"
HANGUL = re.compile("[\uac00-\ud7a3]")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def screen_state(page) -> dict:
    """What the SVG shows, read back from the drawn elements."""
    return page.evaluate(
        """() => {
        const out = {};
        for (const card of document.querySelectorAll('#diagram .card')) {
          const pid = Number(card.dataset.pid);
          out[pid] = {
            status: card.dataset.status,
            kinds: [...card.querySelectorAll('.band')].map(b => b.dataset.kind),
            threads: [...card.querySelectorAll('.thread')].map(t => Number(t.dataset.tid)),
            stacks: [...card.querySelectorAll('.stack-slice')].map(s => [Number(s.dataset.tid), Number(s.dataset.start), Number(s.dataset.end)]),
            codeStart: Number(card.querySelector('.band[data-kind=code]')?.dataset.start),
            counter: card.querySelector('.counter')?.dataset.address,
            title: card.querySelector('.card-title').textContent,
          };
        }
        return out;
    }"""
    )


def test_spawn_process_and_thread_draws_real_boxes(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=True) as page:
        assert page.evaluate("document.body.dataset.role") == "presenter"
        page.click("[data-action=spawn_process]")
        page.wait_for_selector("#diagram .card[data-status=running]")
        pid = int(page.get_attribute("#diagram .card[data-status=running]", "data-pid"))
        page.select_option("#activity", "count")
        page.click("[data-action=spawn_thread]")
        page.wait_for_function(f"document.querySelectorAll('.card[data-pid=\"{pid}\"] .thread').length === 2")
        shot(page, "presenter-1x2")
        seen = screen_state(page)
        state = lab.process(pid)
        s = seen[str(pid)]
        assert {"code", "data", "heap", "stack"} <= set(s["kinds"])
        assert s["title"].endswith(str(pid))
        assert sorted(s["threads"]) == sorted(t["tid"] for t in state["threads"])
        # each thread has its own stack slice, at the addresses the server reports
        api_stacks = sorted((t["tid"], t["stack"]["start"], t["stack"]["end"]) for t in state["threads"])
        assert sorted(tuple(x) for x in s["stacks"]) == api_stacks
        assert len({x[1] for x in s["stacks"]}) == 2
        code = [r["start"] for r in state["regions"] if r["kind"] == "code"]
        assert s["codeStart"] == code[0]
        assert int(s["counter"]) == state["counter"]["address"]
        # the caption tells the textbook story of the new thread
        tid = next(t["tid"] for t in state["threads"] if not t["main"])
        page.wait_for_function(f"document.getElementById('caption').textContent.includes('{tid}')")
        assert "Stack" in page.text_content("#caption")
        assert page.errors == []


def test_keyboard_fork_and_stop(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=True) as page:
        page.keyboard.press("p")
        page.wait_for_selector("#diagram .card[data-status=running]")
        parent = int(page.get_attribute("#diagram .card[data-status=running]", "data-pid"))
        page.keyboard.press("f")
        page.wait_for_function(
            "document.querySelectorAll('#diagram .card[data-status=running]').length === 2"
        )
        page.wait_for_selector(".fork .fork-link", state="attached")
        child = int(page.get_attribute(".fork", "data-child"))
        assert lab.process(child)["parent"] == parent
        # the fork selected the child; Delete stops it and the card shows it exited
        page.keyboard.press("Delete")
        page.wait_for_selector(f".card[data-pid='{child}'][data-status=exited]")
        assert "exit" in page.text_content(f".card[data-pid='{child}'] .card-sub")


def test_viewer_has_no_working_controls(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    with opened(browser, lab, presenter=False) as page:
        page.wait_for_selector(f".card[data-pid='{pid}']")
        assert page.evaluate("document.body.dataset.role") == "viewer"
        assert not page.is_visible("[data-action=spawn_process]")
        assert page.is_disabled("[data-action=spawn_process]")
        page.keyboard.press("p")
        page.keyboard.press("t")
        # even straight from the console, the server refuses
        code = page.evaluate(
            "window.ptlab.conn.command({op: 'spawn_process'}).then(() => 'ok', (e) => e.code)"
        )
        assert code == "forbidden"
        page.wait_for_timeout(300)
        assert [p["pid"] for p in lab.state()["processes"] if p["status"] == "running"] == [pid]
        assert len(lab.process(pid)["threads"]) == 1
        shot(page, "viewer")


def test_the_page_opens_its_websocket_as_it_loads_and_keeps_just_that_one(browser, lab: LabServer) -> None:
    # opened by the page's head while its code loads (a round trip saved on a slow network), then
    # taken over by the code: one socket, not a second one beside it
    lab.spawn()
    clients = lab.get("/api/health")["clients"]
    context = browser.new_context()
    try:
        # who opened each socket: a classic script in the page (its head), or the modules
        context.add_init_script(
            "window.opened = []; const W = WebSocket; window.WebSocket = class extends W {"
            " constructor(...a) { super(...a); opened.push(document.currentScript ? 'head' : 'code'); } };"
        )
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(lab.url + "/")
        page.wait_for_selector("#conn[data-status=live]")
        page.wait_for_selector("#diagram .card")
        assert page.evaluate("window.opened") == ["head"]
        assert len(sockets) == 1, sockets
        assert lab.get("/api/health")["clients"] == clients + 1
    finally:
        context.close()


def test_the_page_says_whose_kernel_the_figures_are(browser, lab: LabServer) -> None:
    """Help names the server's kernel; inside a container a pill says so where the top bar has room."""
    import platform

    with opened(browser, lab, presenter=False) as page, opened(browser, lab, presenter=True) as teacher:
        page.keyboard.press("?")
        line = page.text_content("#help-host")
        assert platform.release() in line
        # this machine is no container (tests/test_host.py): no pill
        assert page.is_hidden("#host") and teacher.is_hidden("#host")
        fake = "h => { window.ptlab.state.server.host = h; window.dispatchEvent(new Event('resize')); }"
        host = {"kind": "container", "name": "docker", "kernel": "6.8.0-45-generic"}
        for p in (page, teacher):
            p.evaluate(fake, host)
        assert page.text_content("#host") == "in docker"
        assert "host's Linux kernel 6.8.0-45-generic" in page.text_content("#help-host")
        assert page.is_visible("#host")
        # a presenter's tools fill the bar at 1280 px: the pill gives way (help still says it) ...
        assert teacher.is_hidden("#host")
        assert teacher.evaluate("document.querySelector('.topbar').scrollWidth") <= 1280
        # ... and comes back in presentation mode, where the tools are hidden
        teacher.keyboard.press("Shift+F")
        teacher.wait_for_function("!document.getElementById('host').hidden", timeout=5000)
        assert page.errors == [] and teacher.errors == []


def test_the_page_takes_its_snapshot_packed_and_draws_it(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        received: list[str | bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda m: received.append(m)))
        page.goto(lab.url + "/")
        page.wait_for_selector(f"#diagram .card[data-pid='{pid}']")
        lab.thread(pid, "idle")  # a frame after the snapshot is applied to it
        page.wait_for_function(
            f"document.querySelectorAll(\"#diagram .card[data-pid='{pid}'] .thread\").length === 2"
        )
        assert isinstance(received[0], bytes) and received[0][:2] == b"\x1f\x8b"  # gzip
        assert all(isinstance(m, str) for m in received[1:])
    finally:
        ctx.close()


def test_language_switch_changes_captions_and_is_remembered(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=True) as page:
        page.click("[data-action=spawn_process]")
        page.wait_for_function("document.getElementById('caption').dataset.kind === 'process_started'")
        english = page.text_content("#caption")
        assert not HANGUL.search(english)
        page.click("#lang")
        korean = page.text_content("#caption")
        assert korean != english and HANGUL.search(korean)
        assert HANGUL.search(page.text_content("[data-action=spawn_process]"))
        # The bundled Hangul faces are served and parse, whatever fonts this machine has.
        for weight in (400, 700):
            faces = page.evaluate(
                "async w => (await document.fonts.load(`${w} 20px 'ptlab Hangul'`, '한국어 프로세스'))"
                ".map(f => [f.status, f.weight])",
                weight,
            )
            assert faces == [["loaded", str(weight)]], faces
        page.reload()
        page.wait_for_selector("#conn[data-status=live]")
        assert HANGUL.search(page.text_content("[data-action=spawn_process]"))
        shot(page, "korean")
        page.click("#lang")
        assert not HANGUL.search(page.text_content("[data-action=spawn_process]"))


def test_six_processes_of_eight_threads_fit_without_scrolling(browser) -> None:
    s = LabServer(env={"PTLAB_MAX_THREADS": "9"}).start()
    try:
        pids = [s.spawn() for _ in range(6)]
        for p in pids:
            for i in range(8):
                # one busy thread in all (a running chip), not one per process: six busy loops
                # would take both CPUs from every other test for the whole of this one
                busy = i == 2 and p == pids[0]
                s.thread(p, "busy" if busy else ("idle", "count")[i % 2] if i < 3 else "idle")
        with opened(browser, s, presenter=True) as page:
            for size in ((1280, 720), (1920, 1080)):
                page.set_viewport_size({"width": size[0], "height": size[1]})
                # every thread is drawn as a chip of its own, or counted in its card's "+N threads" chip
                page.wait_for_function(
                    "document.querySelectorAll('#diagram .thread').length + [...document.querySelectorAll('#diagram .thread-more')]"
                    ".reduce((n, e) => n + Number(e.dataset.count), 0) === 54"
                )
                settle(page)  # entry animations finished, and the picture laid out again for the new size
                shot(page, f"six-by-eight-{size[0]}x{size[1]}")
                m = page.evaluate(
                    """() => {
                    const de = document.documentElement;
                    const svg = document.getElementById('diagram').getBoundingClientRect();
                    const boxes = [...document.querySelectorAll('#diagram .card .card-bg')].map(r => r.getBoundingClientRect());
                    const chips = [...document.querySelectorAll('#diagram .thread .chip')].map(r => r.getBoundingClientRect());
                    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
                    let overlaps = 0;
                    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i], boxes[j])) overlaps++;
                    for (let i = 0; i < chips.length; i++) for (let j = i + 1; j < chips.length; j++) if (overlap(chips[i], chips[j])) overlaps++;
                    const inside = boxes.every(b => b.left >= svg.left - 1 && b.right <= svg.right + 1 && b.top >= svg.top - 1 && b.bottom <= svg.bottom + 1);
                    return {sw: de.scrollWidth, cw: de.clientWidth, sh: de.scrollHeight, ch: de.clientHeight,
                            cards: boxes.length, overlaps, inside,
                            base: parseFloat(getComputedStyle(de).fontSize)};
                }"""
                )
                assert m["cards"] == 6
                assert m["sw"] <= m["cw"] and m["sh"] <= m["ch"], m
                assert m["overlaps"] == 0 and m["inside"], m
                assert m["base"] >= 20
    finally:
        s.stop()
        assert s.leftovers() == []


def test_a_compact_card_follows_what_it_shows_of_its_process(browser, lab: LabServer) -> None:
    # A compact card is redrawn only when what it shows changed, not for every new counter value:
    # what it shows must still follow the process.
    pids = [lab.spawn() for _ in range(8)]  # too many for full cards at 1280 x 720: compact ones
    with opened(browser, lab, presenter=True) as page:
        page.set_viewport_size({"width": 1280, "height": 720})
        mini = f"#diagram .card.mini[data-pid='{pids[0]}']"
        page.wait_for_selector(mini)
        assert "count" not in page.locator(mini).text_content()
        for _ in range(2):
            lab.thread(pids[0], "count")  # its counter now changes every frame
        page.wait_for_function(
            f"(t => t.includes('3 threads') && t.includes('2 count'))(document.querySelector(`{mini}`).textContent)",
            timeout=5000,
        )
        counting = [t["tid"] for t in lab.process(pids[0])["threads"] if t["activity"] == "count"]
        page.wait_for_timeout(1000)  # past the new threads' entry animation, which redraws any card
        lab.control("DELETE", f"/api/processes/{pids[0]}/threads/{counting[-1]}", expect=200)
        page.wait_for_function(
            f"(t => t.includes('2 threads') && t.includes('1 count'))(document.querySelector(`{mini}`).textContent)",
            timeout=5000,
        )


def test_readme_screenshot(browser, lab: LabServer) -> None:
    """Three processes, one with four threads (a fork among them): the picture in the README."""
    a = lab.spawn()
    for activity in ("count", "busy", "idle"):
        lab.thread(a, activity)
    lab.spawn()
    lab.spawn(parent=a)
    with opened(browser, lab, presenter=True) as page:
        page.wait_for_function("document.querySelectorAll('#diagram .card').length === 3")
        settle(page)
        path = shot(page, "dashboard-1280x720")
        assert path.stat().st_size > 20_000


def test_race_from_the_panel_shows_expected_actual_lost(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    other = lab.spawn()
    with opened(browser, lab, presenter=True) as page:
        page.click(f".card[data-pid='{pid}'] .card-title")
        page.keyboard.press("e")
        page.wait_for_selector("#lab [data-exp=race]")
        page.select_option("#race-n", "4")
        page.select_option("#race-k", "20000")
        page.click("[data-exp=race]")
        page.wait_for_selector("#race-runs .run")
        run = page.eval_on_selector("#race-runs .run", "el => ({...el.dataset, text: el.textContent})")
        api = lab.process(pid)["races"][-1]
        assert int(run["expected"]) == api["expected"] == 80_000
        assert int(run["actual"]) == api["actual"] and int(run["lost"]) == api["lost"]
        assert f"{api['actual']:,}".replace(",", "\u202f") in run["text"]
        page.wait_for_function("document.getElementById('caption').dataset.kind === 'race_finished'")
        assert f"{api['lost']:,}".replace(",", "\u202f") in page.text_content("#caption")
        # an IPC message flies from one card to the other and is logged
        page.select_option("#ipc-to", str(other))
        page.fill("#ipc-text", "ping")
        page.click("[data-exp=ipc]")
        page.wait_for_selector(f".flight[data-from='{pid}'][data-to='{other}']", state="attached")
        page.wait_for_selector("#ipc-log li")
        assert "ping" in page.text_content("#ipc-log")
        shot(page, "experiments")
        assert page.errors == []


def measure_costs(page, timeout_ms: int) -> None:
    """Open the costs dialog, press Measure and wait for this run's table (not the last one's)."""
    page.keyboard.press("e")
    page.click("[data-exp=costs]")
    page.click("#costs-run")
    page.wait_for_selector("#costsdlg.running", state="attached")
    page.wait_for_selector("#costsdlg:not(.running) .costs-table", timeout=timeout_ms)
    # the page waited for the answer: no "no answer from the server" however long it took
    assert page.query_selector("#toasts .toast.error") is None, page.text_content("#toasts")


@pytest.mark.alone
def test_costs_table_shows_the_measured_figures(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=True) as page:
        measure_costs(page, 40_000)
        api = {r["name"]: r for r in lab.get("/api/costs")["rows"]}
        shown = page.eval_on_selector_all(
            ".costs-table tr[data-name]", "rows => rows.map(r => [r.dataset.name, Number(r.dataset.median)])"
        )
        assert {n for n, _ in shown} >= {"thread", "fork", "spawn", "threads_speedup", "processes_speedup"}
        for name, median in shown:
            assert median == api[name]["median"]
        costs = lab.get("/api/costs")
        load = page.text_content(".costs-load")
        # as the page rounds (JavaScript's Math.round: halves up, where Python's round goes to even)
        assert f"{math.floor(costs['other_load'] * 100 + 0.5)} %" in load
        # the GIL verdict only when the figures can carry it
        assert ("GIL" in page.text_content("#costsdlg .notes")) == costs["reliable"]
        # the notes under the table fit in the dialog at 1280×720, nothing cut off below
        box = page.eval_on_selector("#costsdlg .notes", "e => e.getBoundingClientRect().bottom")
        assert box <= page.eval_on_selector("#costsdlg", "e => e.getBoundingClientRect().bottom"), box
        shot(page, "costs")


def test_the_sweep_tab_draws_the_measured_curves_for_the_presenter_and_the_class(
    browser, lab: LabServer
) -> None:
    with opened(browser, lab, presenter=True) as page, opened(browser, lab, presenter=False) as viewer:
        page.keyboard.press("e")
        page.click("[data-exp=costs]")
        page.click("#costs-tab-sweep")
        assert page.get_attribute("#costs-tab-sweep", "aria-selected") == "true"
        if lab.get("/api/costs/switch") is None:
            assert page.query_selector("#costs-body .sweep-chart") is None  # nothing measured: no curves
        assert "sweep" in page.text_content("#costs-run")  # the button measures what the tab shows
        page.click("#costs-run")
        page.wait_for_selector("#costsdlg.running .costs-progress", state="attached")
        page.wait_for_function(
            "[...ptlab.state.processes.values()].some(p => p.threads.some(t => t.activity === 'switch_sweep'))",
            timeout=15_000,
        )
        # its first points: half a second on a quiet machine, and 1.5 s once gave none beside the other
        # pass's tests (the sweep pinned to a CPU they shared)
        page.wait_for_timeout(4_000)
        page.click("#costs-cancel")  # cut short: what was measured is drawn, and flagged
        page.wait_for_selector("#costsdlg:not(.running) .sweep-chart .sweep-line", timeout=30_000)
        sweep = lab.get("/api/costs/switch")
        assert sweep["cancelled"] and sweep["points"]
        drawn = page.eval_on_selector_all(
            ".sweep-chart circle", "cs => cs.map(c => [Number(c.dataset.bytes), Number(c.dataset.us)])"
        )
        # every point twice (threads, processes), at the figure the server measured
        expected = sorted(
            (p["bytes"], p[f"{kind}_us"]) for p in sweep["points"] for kind in ("thread", "process")
        )
        assert sorted(map(tuple, drawn)) == expected
        marks = page.eval_on_selector_all(".sweep-chart .cache-mark", "ms => ms.map(m => m.dataset.cache)")
        assert marks == [k for k, v in sweep["caches"].items() if v]
        assert page.query_selector("#costsdlg .costs-load.warn[role=alert]") is not None  # cancelled
        # the class has the same sweep: its dialog draws it too
        viewer.wait_for_function(f"ptlab.state.switchSweep && ptlab.state.switchSweep.ts === {sweep['ts']}")
        viewer.keyboard.press("e")
        viewer.evaluate("document.querySelector('[data-exp=costs]').click()")
        viewer.click("#costs-tab-sweep")
        assert viewer.is_disabled("#costs-run")
        n = viewer.eval_on_selector_all(".sweep-chart circle", "cs => cs.length")
        assert n == len(expected)
        assert page.errors == [] and viewer.errors == []
    assert wait_no_workers(lab)


@pytest.mark.alone
def test_a_busy_machine_gets_a_warning_not_a_verdict(browser, lab: LabServer) -> None:
    # one busy loop per CPU, as nice as the lab's own processes: half of every CPU goes to other
    # programs, which no figure may hide (at the server's priority they would take three quarters,
    # and the measurement twice as long to say the same)
    nice = str(Settings.model_fields["worker_nice"].default)
    hog = ["nice", "-n", nice, sys.executable, "-c", "while True: pass"]
    hogs = [subprocess.Popen(hog) for _ in range(os.cpu_count() or 1)]
    try:
        with opened(browser, lab, presenter=True) as page:
            measure_costs(page, 60_000)
            costs = lab.get("/api/costs")
            assert not costs["reliable"] and costs["other_load"] >= 0.25, costs
            warning = page.text_content(".costs-load.warn")
            # (the page rounds half up, Python's round() to even: either whole percent is the figure)
            share = costs["other_load"] * 100
            assert any(f"{p} %" in warning for p in (math.floor(share), math.ceil(share))), warning
            assert "unreliable" in warning
            doubtful = page.eval_on_selector_all(
                ".costs-table tr.doubtful", "rows => rows.map(r => r.dataset.name)"
            )
            assert "threads_speedup" in doubtful and "processes_speedup" in doubtful
            assert "GIL" not in page.text_content("#costsdlg .notes")  # no verdict drawn from these figures
            shot(page, "costs-busy")
    finally:
        for h in hogs:
            h.kill()
            h.wait()


def test_the_experiments_panel_measures_response_time_each_way(browser, lab: LabServer) -> None:
    lab.spawn()
    with opened(browser, lab, presenter=True) as page:
        page.keyboard.press("e")
        page.click("[data-exp=response]")
        rows = page.wait_for_selector("table.response", timeout=30_000)
        modes = rows.eval_on_selector_all("tr[data-mode]", "rs => rs.map(r => r.dataset.mode)")
        assert modes == ["alone", "one_thread", "gil_thread", "gil_free_thread", "process"]
        text = page.text_content("#exp-response")
        # the switch interval the figures are read against, named in words
        assert "switch interval" in text and "ms" in text, text
        pid = int(page.get_attribute("table.response", "data-pid"))
    assert lab.process(pid)["status"] == "exited"  # measured in a lab process of its own, then ended


def test_every_string_exists_in_both_languages(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=False) as page:
        missing = page.evaluate(
            """async () => {
            const m = await import('/static/js/i18n.js');
            return m.LANGS.flatMap((lang) => m.missingKeys(lang).map((k) => lang + ':' + k));
        }"""
        )
        assert missing == []
        # and nothing on the page shows an untranslated key
        assert "⟦" not in page.text_content("body")


def test_tooltips_are_built_from_the_current_state_when_shown(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    tid = lab.thread(pid, "count")
    with opened(browser, lab, presenter=True) as page:
        page.wait_for_selector(f".thread[data-tid='{tid}']")
        page.hover(f".card[data-pid='{pid}'] .band[data-kind=code]")
        tip = page.text_content("#tooltip")
        code = [r for r in lab.process(pid)["regions"] if r["kind"] == "code"]
        assert f"{len(code)}" in tip and hex(code[0]["start"]) in tip
        page.hover(f".thread[data-tid='{tid}']")
        first = page.text_content("#tooltip")
        assert str(tid) in first and "counter" in first
        # the counter moves four times a second: the same chip's tooltip, shown again, says so
        page.mouse.move(0, 0)
        page.wait_for_timeout(600)
        page.hover(f".thread[data-tid='{tid}']")
        assert page.text_content("#tooltip") != first
        assert page.errors == []


def test_toasts_merge_repeats_speak_the_language_and_never_pile_up(browser, lab: LabServer) -> None:
    for _ in range(12):  # the module's PTLAB_MAX_PROCESSES
        lab.spawn()
    with opened(browser, lab, presenter=True) as page:
        page.wait_for_function("document.querySelectorAll('#diagram .card').length === 12")
        for _ in range(3):
            page.keyboard.press("p")
        page.wait_for_function("document.querySelector('#toasts .toast .count')?.textContent === '×3'")
        toasts = page.locator("#toasts .toast")
        assert toasts.count() == 1
        text = toasts.first.text_content()
        assert "The lab is full" in text and "PTLAB_MAX_PROCESSES" in text  # the presenter may change it
        page.click("#lang")
        page.keyboard.press("p")
        page.wait_for_function(
            "[...document.querySelectorAll('#toasts .toast')].some(t => /[가-힣]/.test(t.textContent))"
        )
        page.evaluate("window.ptlab.controls.toasts.show('one'); window.ptlab.controls.toasts.show('two')")
        assert page.locator("#toasts .toast").count() == 2


def test_a_viewer_follows_the_presenters_selection_and_panel(browser, lab: LabServer) -> None:
    a, b = lab.spawn(), lab.spawn()
    with opened(browser, lab, presenter=True) as teacher, opened(browser, lab, presenter=False) as student:
        student.wait_for_function("document.querySelectorAll('#diagram .card').length === 2")
        teacher.click(f".card[data-pid='{a}'] .card-title")
        t0 = time.monotonic()
        student.wait_for_function(f"window.ptlab.controls.selection.pid === {a}", timeout=3000)
        assert time.monotonic() - t0 < 0.3 + 0.2  # 300 ms, and the test's own polling
        student.wait_for_selector(f".card.selected[data-pid='{a}']", timeout=1000)  # drawn at the next frame
        teacher.keyboard.press("e")  # the experiments panel
        student.wait_for_function("document.body.classList.contains('lab-open')", timeout=3000)
        # exploring on one's own: the presenter's next click no longer moves this screen
        student.click("#follow")
        teacher.click(f".card[data-pid='{b}'] .card-title")
        teacher.wait_for_function(f"window.ptlab.controls.selection.pid === {b}")
        student.wait_for_timeout(500)
        assert student.evaluate("window.ptlab.controls.selection.pid") == a
        student.click("#follow")  # and back: it catches up at once
        student.wait_for_function(f"window.ptlab.controls.selection.pid === {b}", timeout=3000)


def test_the_fork_arrow_starts_on_the_real_parent_and_its_label_covers_no_word(
    browser, lab: LabServer
) -> None:
    parent = lab.spawn()
    lab.thread(parent, "count")
    child = lab.spawn(parent=parent)
    with opened(browser, lab, presenter=True) as page:
        page.wait_for_selector(f".fork[data-child='{child}'] .fork-link", state="attached")
        # the previous test's processes linger 2 s after the reset; once they go, the cards glide
        page.wait_for_function("document.querySelectorAll('#diagram .card').length === 2", timeout=5000)
        settle(page)
        m = page.evaluate(
            """([parent, child]) => {
            const svg = document.getElementById('diagram');
            const fork = document.querySelector(`.fork[data-child='${child}']`);
            const path = fork.querySelector('.fork-link');
            const tail = path.getPointAtLength(0);
            const ctm = svg.getScreenCTM();
            const x = tail.x * ctm.a + ctm.e, y = tail.y * ctm.d + ctm.f;
            const card = document.querySelector(`.card[data-pid='${parent}'] .card-bg`).getBoundingClientRect();
            const label = fork.querySelector('.fork-label').getBoundingClientRect();
            const hits = [...document.querySelectorAll('#diagram .card text')].filter((t) => {
              const b = t.getBoundingClientRect();
              return Math.min(b.right, label.right) - Math.max(b.left, label.left) > 1 && Math.min(b.bottom, label.bottom) - Math.max(b.top, label.top) > 1;
            }).map((t) => t.textContent);
            return {onParent: x >= card.left && x <= card.right && y >= card.top && y <= card.bottom, hits, from: Number(fork.dataset.parent)};
        }""",
            [parent, child],
        )
        assert m["from"] == parent and m["onParent"], m
        assert m["hits"] == [], m


def test_cpu_lanes_show_a_busy_thread_and_the_class_follows(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    busy = lab.thread(pid, "busy")
    idle = lab.thread(pid, "idle")
    with opened(browser, lab, presenter=True) as page, opened(browser, lab, presenter=False) as viewer:
        page.keyboard.press("c")
        # the student's page follows the presenter into the lanes
        viewer.wait_for_selector("body.lanes-open #lanes .lane.thread", timeout=5_000)
        page.wait_for_function(
            f"(() => {{ const g = document.querySelector('#lanes .lane.thread[data-tid=\"{busy}\"]');"
            " return g && Number(g.dataset.load) >= 0.3 && g.querySelectorAll('path.bar').length > 0; })()",
            timeout=10_000,
        )
        page.wait_for_timeout(2_000)  # a couple of seconds of lane
        idle_bars = page.eval_on_selector_all(
            f"#lanes .lane.thread[data-tid='{idle}'] path.bar", "ps => ps.length"
        )
        idle_load = page.get_attribute(f"#lanes .lane.thread[data-tid='{idle}']", "data-load")
        # a sleeping thread draws no bar: at most its start-up, seen in one tick on a loaded
        # machine (the lanes are seeded from the history, which holds it); a bar every tick is 20
        assert idle_bars <= 1 and float(idle_load or 0) == 0, (idle_bars, idle_load)
        # the bars' CPUs are CPUs of this machine, and the legend names them
        cpus = {
            int(c)
            for c in page.eval_on_selector_all(
                f"[data-tid='{busy}'] path.bar", "ps => ps.map(p => p.dataset.cpu)"
            )
        }
        assert cpus and cpus <= set(range(os.cpu_count() or 1))
        # the process's total is its threads' loads added up
        total, loads = page.evaluate(
            f"""() => [Number(document.querySelector("#lanes .lane.process[data-pid='{pid}']").dataset.total),
                      [...document.querySelectorAll("#lanes .lane.thread[data-pid='{pid}']")].map(g => Number(g.dataset.load))]"""
        )  # read together: from one drawing
        assert abs(total - sum(loads)) < 0.02
        shot(page, "lanes")
        # /api/state carries each thread's recent history, one number per tick, and the CPU it ran on
        threads = {t["tid"]: t for t in lab.process(pid)["threads"]}
        hist = threads[busy]["history"]
        assert len(hist) >= 20 and len(threads[busy]["history_cpus"]) == len(hist)
        # a busy thread: a share of a core tick after tick (a quarter is what it got beside the
        # other pass's browser and servers on 2 CPUs), and once at least the 0.3 awaited above
        assert sum(hist[-20:]) / 20 >= 0.1 and max(hist[-20:]) >= 0.3, hist[-20:]
        # asleep: nothing but, at most, its start-up in one tick (as the page's lane above allows)
        assert sorted(threads[idle]["history"])[-2] <= 0.05, threads[idle]["history"]
        assert set(threads[busy]["history_cpus"]) <= set(range(os.cpu_count() or 1))
        # a student who joins late sees the last seconds at once, from the server's history
        with opened(browser, lab, presenter=False) as late:
            late.wait_for_selector("body.lanes-open #lanes .lane.thread", timeout=5_000)
            # (at 10 ticks a second, 30 points within a second are history, not what it saw live)
            late.wait_for_function(f"ptlab.book.points({busy}).length >= 30", timeout=1_000)
            assert late.evaluate("ptlab.state.seq") - late.evaluate("ptlab.book.seq") <= 1
            assert late.errors == []
        assert page.errors == [] and viewer.errors == []


def test_reset_asks_for_a_second_press_before_it_ends_everything(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    with opened(browser, lab, presenter=True) as page:
        page.wait_for_selector(f"#diagram .card[data-pid='{pid}']")
        page.keyboard.press("r")
        page.wait_for_selector(".toast.info")
        assert "again" in page.text_content(".toast.info")
        page.wait_for_timeout(500)
        assert lab.process(pid)["status"] == "running"  # one press changed nothing
        page.keyboard.press("r")
        page.wait_for_function(
            f"ptlab.state.processes.size === 0 || ptlab.state.processes.get({pid})?.status === 'exited'",
            timeout=10_000,
        )
        assert page.errors == []


def test_help_opens_at_its_top_on_a_720_px_projector(browser, lab: LabServer) -> None:
    with opened(browser, lab, presenter=True) as page:
        page.keyboard.press("?")
        page.wait_for_selector("#helpdlg[open]")
        assert page.evaluate("document.getElementById('helpdlg').scrollTop") == 0
        top = page.evaluate("document.querySelector('#helpdlg h2').getBoundingClientRect().top")
        assert 0 <= top < 720
        assert page.evaluate("document.getElementById('helpdlg').scrollHeight") > 720 * 0.5  # it could scroll


def test_without_frames_the_card_tells_copy_on_write_from_the_exclusive_flag(browser, lab: LabServer) -> None:
    # what a server that is not root sends: no frames, the exclusive flag
    with opened(browser, lab, presenter=False) as page:
        lines = page.evaluate(
            """async () => {
              const { counterLines } = await import('/static/js/draw/card.js');
              const a = { pid: 1, parent: null, status: 'running', counter: { address: 16, value: 9, frame: null, exclusive: false } };
              const b = { pid: 2, parent: 1, status: 'running', counter: { address: 16, value: 0, frame: null, exclusive: false } };
              const procs = new Map([[1, a], [2, b]]);
              const shared = counterLines(b, procs, { pagemap: false }).map((l) => l.texts[0]);
              b.counter.exclusive = true;
              const own = counterLines(b, procs, { pagemap: false }).map((l) => l.texts[0]);
              const alone = counterLines(a, new Map([[1, a]]), { pagemap: false }).map((l) => l.texts[0]);
              return { shared, own, alone };
            }"""
        )
    assert any("still shared since the fork" in x for x in lines["shared"]), lines
    assert any("own page now" in x for x in lines["own"]), lines
    assert len(lines["alone"]) == 1  # no fork, no copy-on-write line
