"""The maps classifier on recorded /proc/PID/maps text."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

from app.control.messages import StackRange
from app.observe.memory_map import Region, classify, clip_stack, parse_maps

FIX = Path(__file__).parent / "fixtures"
HAND = (FIX / "handmade_maps.txt").read_text()
# One thread stack inside a bigger merged anonymous mapping, guard page below it.
THREAD = StackRange(tid=42, start=0x7F0000001000, end=0x7F0000801000, guard=0x1000)
MAIN = StackRange(tid=7, start=0x7FFCFF821000, end=0x7FFD00021000)


def kinds(regions: list[Region]) -> dict[int, str]:
    return {r.start: r.kind for r in regions}


def test_parse_skips_garbage_and_keeps_paths() -> None:
    raw = parse_maps(HAND)
    assert len(raw) == 17
    assert raw[0].path == "/usr/bin/python3.11"
    assert raw[4].path == "" and raw[4].perms == "---p"
    assert raw[3].start == 0x55D0C1000000 and raw[3].end == 0x55D0C1200000


def test_textbook_kinds() -> None:
    k = kinds(classify(parse_maps(HAND), [THREAD, MAIN], ["/usr/bin/python3.11"]))
    assert k[0x55D0C0A01000] == "code"  # program text
    assert k[0x55D0C0A00000] == "data"  # program's read-only data
    assert k[0x55D0C0A03000] == "data"  # program's .data/.bss
    assert k[0x55D0C1000000] == "heap"
    assert k[0x7F1000000000] == "shared"  # POSIX shared memory
    assert k[0x7F1000010000] == "other"  # read-only shared cache file is not IPC
    assert k[0x7F1000020000] == "other"  # locale archive: a file, not a program's data
    assert k[0x7F1000040000] == "code"  # libc text
    assert k[0x7F1000060000] == "data"  # libc data
    assert k[0x7F1000070000] == "heap"  # anonymous, not a stack: malloc arena / mmap
    assert k[0x7FFD00000000] == "stack"
    assert k[0x7FFD00100000] == "other" and k[0x7FFD00104000] == "other"
    assert k[0xFFFFFFFFFF600000] == "other"


def test_thread_stack_and_guard_split_from_merged_anonymous_memory() -> None:
    regions = classify(parse_maps(HAND), [THREAD])
    stack = [r for r in regions if r.tid == 42]
    assert [(r.start, r.end, r.guard) for r in stack] == [
        (0x7F0000000000, 0x7F0000001000, True),
        (0x7F0000001000, 0x7F0000801000, False),
    ]
    # the remainder of the merged mapping above the stack stays heap
    rest = [r for r in regions if r.start == 0x7F0000801000]
    assert rest and rest[0].kind == "heap" and rest[0].tid is None


def test_without_reports_anonymous_memory_is_heap() -> None:
    k = kinds(classify(parse_maps(HAND)))
    assert k[0x7F0000001000] == "heap"


def test_main_stack_is_clipped_to_what_is_mapped() -> None:
    regions = classify(parse_maps(HAND), [MAIN])
    assert clip_stack(MAIN, regions) == (0x7FFD00000000, 0x7FFD00021000)
    main = next(r for r in regions if r.path == "[stack]")
    assert main.tid == 7


def test_recorded_worker_with_two_threads() -> None:
    rec = json.loads((FIX / "worker_threads.json").read_text())
    stacks = [StackRange(s["tid"], s["start"], s["end"], s["guard"]) for s in rec["stacks"]]
    regions = classify(parse_maps(rec["maps"]), stacks)
    counts = Counter(r.kind for r in regions)
    assert counts["code"] >= 5 and counts["data"] >= 5 and counts["heap"] >= 1
    for s in stacks:
        own = [r for r in regions if r.tid == s.tid and not r.guard]
        assert len(own) == 1, s
        assert own[0].kind == "stack" and own[0].start <= s.start and s.end <= own[0].end
        if s.guard:
            guard = [r for r in regions if r.tid == s.tid and r.guard]
            assert guard and guard[0].end == s.start and guard[0].perms.startswith("---")
    # regions stay sorted and never overlap after splitting
    for a, b in itertools.pairwise(regions):
        assert a.end <= b.start
