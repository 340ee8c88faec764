"""Parse ``/proc/PID/maps`` and sort each region into the textbook's boxes.

Pure functions over text, so they are tested on recorded maps.

Kinds:
- ``code``   executable and file-backed (the program's and libraries' text)
- ``data``   file-backed, not executable, belonging to the program or a library
- ``heap``   ``[heap]`` and private anonymous memory that is not a thread stack
- ``stack``  ``[stack]`` and every range a lab worker reports as a thread stack
             (with the guard page below it, marked ``guard``)
- ``shared`` shared mappings (``s`` in perms): shared memory, MAP_SHARED files
- ``other``  vdso, vvar, locale archives and other mapped files
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Protocol

from ..control.messages import StackRange


@dataclass(frozen=True)
class RawRegion:
    """One line of /proc/PID/maps."""

    start: int
    end: int
    perms: str
    offset: int
    inode: int
    path: str


@dataclass(frozen=True)
class Region:
    """A classified region; ``tid`` names the thread whose stack it is, if any."""

    start: int
    end: int
    perms: str
    kind: str
    path: str
    guard: bool = False
    tid: int | None = None

    @property
    def size(self) -> int:
        """Length in bytes."""
        return self.end - self.start


def parse_maps(text: str) -> list[RawRegion]:
    """Parse maps text; malformed lines are skipped rather than trusted."""
    out: list[RawRegion] = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        addr, perms, offset, _dev, inode = parts[:5]
        path = parts[5].strip() if len(parts) > 5 else ""
        lo, sep, hi = addr.partition("-")
        if not sep:
            continue
        try:
            out.append(RawRegion(int(lo, 16), int(hi, 16), perms, int(offset, 16), int(inode), path))
        except ValueError:
            continue
    return out


def _is_program_file(path: str, exe_paths: frozenset[str]) -> bool:
    # A program's or library's own file: its data segment is "Data" in the
    # textbook sense; any other mapped file (locale archive, fonts) is not.
    if path in exe_paths:
        return True
    name = os.path.basename(path)
    return ".so" in name or name.startswith("ld-linux") or name.startswith("python")


def _is_shared_memory(r: RawRegion) -> bool:
    # Memory two processes can both write: writable shared mappings, POSIX
    # and System V shared memory, memfds. A read-only shared mapping of a
    # cache file (gconv-modules.cache) is not IPC and stays "other".
    p = r.path
    return "w" in r.perms or not p or p.startswith(("/dev/shm/", "/SYSV", "/memfd:", "/dev/zero"))


def classify_one(r: RawRegion, exe_paths: frozenset[str] = frozenset()) -> str:
    """Kind of one region, without knowledge of thread stacks."""
    if r.perms[3:4] == "s" and _is_shared_memory(r):
        return "shared"
    if r.path == "[heap]":
        return "heap"
    if r.path == "[stack]" or r.path.startswith("[stack:"):
        return "stack"
    if r.path.startswith("[anon"):  # anonymous memory a program named with prctl
        return "heap"
    if r.path.startswith("["):  # [vdso], [vvar], [vsyscall] and other kernel pages
        return "other"
    if r.path:
        if "x" in r.perms:
            return "code"
        return "data" if _is_program_file(r.path, exe_paths) else "other"
    return "heap"


def _split(r: RawRegion, cuts: Iterable[int]) -> list[RawRegion]:
    points = sorted({c for c in cuts if r.start < c < r.end})
    bounds = [r.start, *points, r.end]
    return [replace(r, start=a, end=b) for a, b in pairwise(bounds)]


def classify(
    raw: list[RawRegion],
    stacks: Iterable[StackRange] = (),
    exe_paths: Iterable[str] = (),
) -> list[Region]:
    """Classify every region; anonymous memory holding a reported thread stack becomes ``stack``.

    Regions are split at stack boundaries because the kernel merges
    neighbouring anonymous mappings with equal permissions, so one line of
    maps may hold a thread stack and some heap beside it.
    """
    exe = frozenset(exe_paths)
    stacks = [s for s in stacks if s.end > s.start]
    cuts: set[int] = set()
    for s in stacks:
        cuts.update((s.start, s.end, s.start - s.guard))
    out: list[Region] = []
    for r0 in raw:
        pieces = _split(r0, cuts) if not r0.path else [r0]
        for r in pieces:
            kind = classify_one(r, exe)
            tid: int | None = None
            guard = False
            if kind == "stack" and r.path == "[stack]":
                for s in stacks:
                    if s.start < r.end and r.start < s.end:
                        tid = s.tid
            elif kind == "heap" and r.path == "":
                for s in stacks:
                    if s.start <= r.start and r.end <= s.end:
                        kind, tid = "stack", s.tid
                        break
                    if r.end == s.start and "r" not in r.perms and "w" not in r.perms:
                        kind, tid, guard = "stack", s.tid, True
                        break
            out.append(Region(r.start, r.end, r.perms, kind, r.path, guard, tid))
    return out


class Span(Protocol):
    """Anything with the fields of a classified region (Region, or its wire view)."""

    start: int
    end: int
    kind: str
    guard: bool


def clip_stack(stack: StackRange, regions: Iterable[Span]) -> tuple[int, int]:
    """The part of a reported stack that is really mapped now.

    glibc reports the main thread's stack as the whole rlimit-sized range,
    while the kernel maps only what the stack has grown into (``[stack]``).
    """
    best = (stack.start, stack.end)
    for r in regions:
        if r.kind == "stack" and not r.guard and r.start < stack.end and stack.start < r.end:
            return max(r.start, stack.start), min(r.end, stack.end)
    return best
