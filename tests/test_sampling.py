"""/proc stat and status parsing on recorded text, and on this very process."""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.observe import sampling
from app.observe.sampling import STILL_TURN, ProcessSample, Sampler, parse_ctxt, sample_process
from app.procfs import parse_stat, read_stat

REC = json.loads((Path(__file__).parent / "fixtures" / "worker_threads.json").read_text())


def test_parse_recorded_stat() -> None:
    st = parse_stat(REC["stat"])
    assert st.name == "ptlab-worker"
    assert st.state in "RSD"
    assert st.ppid > 1 and st.rss > 1_000_000 and 0 <= st.cpu < 1024
    # the recorded worker had its main thread and two lab threads
    assert st.num_threads == len(REC["stacks"]) == 3
    assert st.vsize == 170172416


def test_parse_name_with_spaces_and_parens() -> None:
    text = REC["task_stat"].replace("(lab-busy)", "(we) ird )name)")
    assert parse_stat(text).name == "we) ird )name"
    assert parse_stat(text).utime == parse_stat(REC["task_stat"]).utime


def test_parse_ctxt() -> None:
    vol, invol = parse_ctxt(REC["task_status"])
    assert vol >= 0 and invol >= 0 and vol + invol > 0


def test_sample_this_process_sees_a_new_thread() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        s = sample_process(os.getpid())
        assert s is not None
        tids = {th.tid for th in s.threads}
        assert os.getpid() in tids and t.native_id in tids
        assert "[stack]" in s.maps
    finally:
        stop.set()
        t.join()


def test_sample_missing_process_is_none() -> None:
    assert sample_process(2**22 + 5) is None


def _maps_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every maps file the sampler reads."""
    reads: list[str] = []
    real = sampling.read_text

    def counting(path: str) -> str:
        if path.endswith("/maps"):
            reads.append(path)
        return real(path)

    monkeypatch.setattr(sampling, "read_text", counting)
    return reads


def _wait_still(pid: int) -> None:
    """Until the process sleeps and its memory has not changed for half a second: between its print
    and its sleep it still runs (a fresh run caught its RSS growing there on a loaded machine, and
    once changing after two equal reads 50 ms apart: the kernel folds a task's RSS counts in late)."""
    last, since = None, time.monotonic()
    deadline = since + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/statm") as f:
            now = f.read()
        st = read_stat(pid)
        if now != last or st is None or st.state != "S":
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 0.5:
            return
        time.sleep(0.05)


def test_a_still_process_has_its_maps_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import time; print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "ready\n"  # done starting up
    _wait_still(child.pid)
    sampler = Sampler(maps_every=1, recheck_every=1000)
    try:
        reads = _maps_reads(monkeypatch)
        for _ in range(20):
            sampler.next_tick()
            s = sampler.sample(child.pid)
            assert s is not None and "[stack]" in s.maps
        assert len(reads) == 1, "maps re-read although neither size nor RSS changed"
        sampler.next_tick()
        assert sampler.sample(child.pid, force_maps=True) is not None
        assert len(reads) == 2, "a forced sample must read the maps"
    finally:
        sampler.close()
        child.kill()
        child.communicate()


def test_a_still_process_costs_a_read_every_other_tick_off_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import time; print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    sampler = Sampler(recheck_every=1000)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        _wait_still(child.pid)
        first = None
        for _ in range(10):  # until it counts as still
            sampler.next_tick()
            first = sampler.sample(child.pid)
        read: list[str] = []
        real = sampler._pread
        monkeypatch.setattr(sampler, "_pread", lambda path, *a: read.append(path) or real(path, *a))
        off_turn = 0
        for _ in range(2 * STILL_TURN):
            sampler.next_tick()
            read.clear()
            assert sampler.sample(child.pid) is first, "a process that did not run keeps its sample"
            phase = sampler.tick + child.pid
            if phase % (sampler.stride * STILL_TURN):
                # every other tick: its main thread's schedstat, nothing else
                assert read == ([] if phase & 1 else [f"/proc/{child.pid}/task/{child.pid}/schedstat"]), read
                off_turn += 1
            else:
                assert f"/proc/{child.pid}/task/{child.pid}/stat" in read, "its turn reads its stat (RSS)"
        assert off_turn == 2 * STILL_TURN - 2  # two turns in two rounds of turns
    finally:
        sampler.close()
        child.kill()
        child.communicate()


CHILD_THAT_TOUCHES_PAGES = """
import mmap, sys
region = mmap.mmap(-1, 16 << 20)
print("ready", flush=True)
sys.stdin.readline()
for i in range(0, 8 << 20, mmap.PAGESIZE):
    region[i] = 1  # RSS grows by 8 MiB; not one mapping changes
print("touched", flush=True)
sys.stdin.readline()
more = mmap.mmap(-1, 4 << 20)
print("mapped", flush=True)
sys.stdin.readline()
"""


def test_rss_that_moves_without_a_mapping_costs_statm_reads_not_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_THAT_TOUCHES_PAGES],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = Sampler(maps_every=1, recheck_every=1000)

    def tell(word: str) -> None:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == word + "\n"

    def ticks(n: int) -> ProcessSample:
        for _ in range(n):
            sampler.next_tick()
            s = sampler.sample(child.pid)
            assert s is not None
        return s

    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        _wait_still(child.pid)
        reads = _maps_reads(monkeypatch)
        before = ticks(2)
        tell("touched")
        after = ticks(3)
        assert after.rss >= before.rss + (6 << 20), "the RSS the page shows must follow"
        assert len(reads) == 1, "only RSS moved: statm says the maps did not"
        tell("mapped")
        ticks(2)
        assert len(reads) == 2, "a new mapping moves statm's size: the maps must be read"
    finally:
        sampler.close()
        child.kill()
        child.communicate()


CHILD_THAT_MPROTECTS = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
c_int = ctypes.c_int
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, c_int, c_int, c_int, ctypes.c_long]
addr = libc.mmap(None, 16 << 20, 0, 0x22, -1, 0)  # PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS
print(f"{addr:x}", flush=True)
sys.stdin.readline()
assert libc.mprotect(ctypes.c_void_p(addr), 1 << 20, 3) == 0  # the first MiB read-write, untouched
print("done", flush=True)
sys.stdin.readline()
"""


def test_a_recheck_reads_statm_and_the_maps_only_when_an_mprotect_moved_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_THAT_MPROTECTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    monkeypatch.setattr(sampling, "REMAP_ROUNDS", 10**6)  # no read regardless in this test
    sampler = Sampler(maps_every=10**6, recheck_every=3)  # the stat's (size, RSS) rule never due
    try:
        assert child.stdout is not None and child.stdin is not None
        addr = child.stdout.readline().strip()
        _wait_still(child.pid)
        reads = _maps_reads(monkeypatch)
        for _ in range(9):  # three rechecks
            sampler.next_tick()
            assert sampler.sample(child.pid) is not None
        assert len(reads) == 1, "a recheck that found statm as it was must not read the maps"
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "done\n"
        for _ in range(3):  # one recheck
            sampler.next_tick()
            s = sampler.sample(child.pid)
        assert len(reads) == 2, "an mprotect moves statm's writable size: the recheck must read the maps"
        assert s is not None and f"{addr}-" in s.maps
        line = next(m for m in s.maps.splitlines() if m.startswith(f"{addr}-"))
        assert line.split()[1] == "rw-p", line
    finally:
        sampler.close()
        child.kill()
        child.communicate()


def test_a_new_mapping_and_an_unreported_thread_are_seen_without_forcing() -> None:
    sampler = Sampler(maps_every=1, recheck_every=1000)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    region: mmap.mmap | None = None
    try:
        sampler.next_tick()
        assert sampler.sample(os.getpid()) is not None
        t.start()
        region = mmap.mmap(-1, 16 << 20)  # 16 MiB more address space: vsize changes
        addr = f"{ctypes.addressof(ctypes.c_char.from_buffer(region)):x}-"
        sampler.next_tick()
        s = sampler.sample(os.getpid())
        assert s is not None
        assert t.native_id in {th.tid for th in s.threads}, "thread count changed, task/ must be listed"
        assert addr in s.maps, "address-space size changed, maps must be re-read"
    finally:
        stop.set()
        t.join()
        sampler.close()
        if region is not None:
            region.close()


CHILD_WITH_A_SLEEPER = """
import sys, threading, time
def work():
    sys.stdin.readline()  # sleeps until the test writes a line, then burns CPU
    end = time.monotonic() + 5
    while time.monotonic() < end:
        pass
th = threading.Thread(target=work, daemon=True)
th.start()
print(th.native_id, flush=True)
time.sleep(60)
"""


def test_a_sleeping_thread_costs_no_stat_read_until_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_WITH_A_SLEEPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    sampler = Sampler(ctxt_every=1)
    try:
        assert child.stdout is not None and child.stdin is not None
        tid = int(child.stdout.readline())
        stat = f"/proc/{child.pid}/task/{tid}/stat"
        read: list[str] = []
        real = sampler._pread
        monkeypatch.setattr(sampler, "_pread", lambda path, *a: read.append(path) or real(path, *a))

        def thread() -> sampling.ThreadSample:
            sampler.next_tick()
            s = sampler.sample(child.pid)
            assert s is not None
            return next(t for t in s.threads if t.tid == tid)

        # the thread may still be on its way to readline() on a loaded machine: wait until it
        # sleeps, and has slept through a whole read (its load, CPU since the last read, is 0)
        first = thread()
        for _ in range(100):
            if first.state == "S" and first.load == 0:
                break
            threading.Event().wait(0.02)
            first = thread()
        assert first.state == "S" and first.load == 0
        read.clear()
        for _ in range(10):
            assert thread() is first, "a thread that did not run must keep its sample"
        assert stat not in read and stat.replace("/stat", "/schedstat") in read
        child.stdin.write("go\n")
        child.stdin.flush()
        woke = first
        for _ in range(50):
            woke = thread()
            if woke.utime + woke.stime > first.utime + first.stime:
                break
            threading.Event().wait(0.05)
        assert woke.utime + woke.stime > first.utime + first.stime, "a thread that ran must be read again"
        assert stat in read
    finally:
        sampler.close()
        child.kill()
        child.communicate()
