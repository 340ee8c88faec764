"""Each thread's own registers, from the kernel: SP in its own stack, PC in the code, the call it waits in."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from support import CHROMIUM, LabServer, opened

from app.observe.registers import NAMES, Registers, parse_syscall

PAGE = 4096


def test_the_syscall_file_is_read_as_the_kernel_writes_it() -> None:
    # recorded from a lab worker's count thread (x86-64: 202 is futex) and a stopped one
    line = b"202 0x7f3e7e9a0503 0x80 0x0 0x0 0x0 0x0 0x7feb19cfe8b0 0x7feb1aaa3f16\n"
    regs = parse_syscall(line)
    assert regs == Registers(202, 0x7FEB19CFE8B0, 0x7FEB1AAA3F16)
    if NAMES:
        assert regs.syscall == NAMES[202]
    assert parse_syscall(b"running\n") is None
    outside = parse_syscall(b"-1 0x7ffe4bfbd0a8 0x7f3e7e9a0503\n")
    assert outside is not None and outside.syscall == "" and outside.sp == 0x7FFE4BFBD0A8
    assert parse_syscall(b"") is None and parse_syscall(b"202 zz yy\n") is None
    assert Registers(9999, 1, 2).syscall == "syscall 9999"


def _direct(pid: int, tid: int) -> Registers | None:
    return parse_syscall(Path(f"/proc/{pid}/task/{tid}/syscall").read_bytes())


def _executable(regions: list[dict[str, Any]], addr: int) -> bool:
    return any(r["start"] <= addr < r["end"] and "x" in r["perms"] for r in regions)


def test_every_waiting_thread_has_its_own_sp_in_its_own_stack_and_pc_in_the_code(lab: LabServer) -> None:
    if not lab.get("/api/state")["server"]["registers"]:
        pytest.skip("this kernel withholds the lab's registers from the server (ptrace access)")
    pid = lab.spawn()
    threads = {lab.thread(pid, "idle"): "idle", lab.thread(pid, "count"): "count", pid: "main"}
    deadline = time.monotonic() + 5
    while True:
        proc = lab.process(pid)
        seen = {t["tid"]: t for t in proc["threads"]}
        if all(seen[t]["regs"] for t in threads if seen[t]["state"] == "S") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    checked = 0
    for tid, activity in threads.items():
        t = seen[tid]
        if t["state"] != "S":
            continue  # caught running: its registers are in the CPU, and the view says null
        regs, stack = t["regs"], t["stack"]
        assert regs is not None, t
        # inside its own stack, and no other thread's
        assert stack["start"] <= regs["sp"] <= stack["end"], (activity, regs, stack)
        others = [seen[o]["stack"] for o in seen if o != tid and seen[o]["stack"]]
        assert not any(o["start"] <= regs["sp"] <= o["end"] for o in others)
        # the same as /proc says now, within a page or so (a count thread wakes 5 times a second)
        now = _direct(pid, tid)
        if now is not None:
            assert abs(now.sp - regs["sp"]) <= 2 * PAGE, (activity, now, regs)
        assert _executable(proc["regions"], regs["pc"]), (activity, hex(regs["pc"]))
        if NAMES and activity in ("idle", "count"):
            assert regs["syscall"] in ("futex", "futex_waitv"), regs  # a lock (an Event's) underneath
        checked += 1
    assert checked >= 2
    # a busy thread is running: no registers, rather than stale ones
    busy = lab.thread(pid, "busy")
    time.sleep(0.5)
    t = next(t for t in lab.process(pid)["threads"] if t["tid"] == busy)
    assert t["state"] != "R" or t["regs"] is None


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_the_page_pins_sp_in_the_stack_and_says_what_each_thread_waits_for(browser, lab: LabServer) -> None:
    pid = lab.spawn()
    tid = lab.thread(pid, "idle")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        t = next(t for t in lab.process(pid)["threads"] if t["tid"] == tid)
        if t["regs"]:
            break
        time.sleep(0.1)
    regs, stack = t["regs"], t["stack"]
    assert regs, "the kernel gave no registers for a sleeping thread"
    with opened(browser, lab, presenter=True) as page:
        pin = page.wait_for_selector(f".stack-slice[data-tid='{tid}'] .sp-pin", timeout=5000)
        assert int(pin.get_attribute("data-sp")) == regs["sp"]
        # drawn on the slice, near its top: the stack grows down from its end
        box = page.eval_on_selector(
            f".stack-slice[data-tid='{tid}']",
            """g => { const s = g.querySelector('rect').getBoundingClientRect();
                     const p = g.querySelector('.sp-pin').getBoundingClientRect();
                     return {inside: p.top >= s.top - 1 && p.bottom <= s.bottom + 1 && p.right <= s.right + 1,
                             fromTop: (p.top + p.bottom) / 2 - s.top, height: s.height}; }""",
        )
        assert box["inside"], box
        used = (stack["end"] - regs["sp"]) / (stack["end"] - stack["start"])
        assert abs(box["fromTop"] / box["height"] - used) < 0.2 or box["fromTop"] <= 10, (box, used)
        # the chip says what it waits for, in words
        info = page.text_content(f".thread[data-tid='{tid}'] .thread-info")
        assert "(" + regs["syscall"] + ")" in info or "waits" in info or "sleeps" in info, info
        page.hover(f".thread[data-tid='{tid}']")
        page.wait_for_function(
            f"document.getElementById('tooltip').textContent.includes('{hex(regs['sp'])}')", timeout=3000
        )
        tip = page.text_content("#tooltip")
        assert "own registers" in tip and hex(regs["pc"]) in tip and ".so" in tip, tip


def test_the_lesson_s_registers_scene_reveals_each_sp_in_its_own_stack(lab: LabServer) -> None:
    try:
        scenes = lab.control("POST", "/api/lesson/scenes/0", expect=200)["lesson"]["scenes"]
        index = scenes.index("registers")
        scene = lab.control("POST", f"/api/lesson/scenes/{index}", expect=200)["lesson"]["scene"]
        pid = scene["pids"][0]
        assert len(lab.process(pid)["threads"]) == 3  # the main thread and two more, all waiting
        time.sleep(0.5)
        revealed = lab.control("POST", "/api/lesson/reveal", expect=200)["lesson"]["scene"]
        figures = revealed["revealed"]["figures"]
        assert figures["threads"] >= 2 and figures["own_stack"] == figures["threads"], figures
        assert figures["not_own"] == 0
        right = {o["id"]: o["correct"] for o in revealed["question"]["options"]}
        assert right == {"own": True, "shared": False}
        assert revealed["revealed"]["note"] == "registers" and revealed["revealed"]["params"]["pid"] == pid
    finally:
        lab.control("DELETE", "/api/lesson", expect=200)
