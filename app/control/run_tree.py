"""Which processes belong to a run, found in one pass over /proc, and the memory they hold.

A run's processes all descend from its init (app/run/init.py): in a PID
namespace the init is PID 1 and every orphan comes to it; without one the
init is a child subreaper, so orphans come to it just the same. A double fork
and ``setsid`` leave the run's session, not its tree. Only where the init
itself is gone (killed from inside a run without a namespace) can a process
be reparented out of the tree, to the server; the processes the watchdog has
already seen (``known``) and their descendants are counted then.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from ..procfs import GONE, read_stat, read_text


@dataclass(frozen=True)
class Member:
    """One process of a run, as /proc shows it now."""

    pid: int
    ppid: int
    threads: int
    state: str
    rss: int

    @property
    def alive(self) -> bool:
        """Not a zombie waiting to be reaped (or dead)."""
        return self.state not in ("Z", "X")


def scan() -> dict[int, Member]:
    """Every process on the machine, by PID: one read of each /proc/PID/stat."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st is not None:
                pid = int(entry)
                out[pid] = Member(pid, st.ppid, st.num_threads, st.state, st.rss)
    return out


def named_threads(pid: int, name: str) -> int:
    """How many of a process's threads carry ``name`` in /proc (its comm); 0 once it is gone."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    found = 0
    for tid in tids:
        try:
            found += read_text(f"/proc/{pid}/task/{tid}/comm").strip() == name
        except OSError:
            continue  # ended meanwhile
    return found


def descendants(procs: dict[int, Member], roots: Iterable[int]) -> list[Member]:
    """The processes below ``roots`` (and the roots themselves where present), zombies included."""
    children: dict[int, list[int]] = {}
    for m in procs.values():
        children.setdefault(m.ppid, []).append(m.pid)
    seen: set[int] = set()
    todo = [r for r in roots if r in procs]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(children.get(pid, ()))
    return [procs[p] for p in sorted(seen)]


def members(procs: dict[int, Member], init: int, known: Iterable[int]) -> list[Member]:
    """A run's processes: below its init (not the init itself), and those already known, wherever now."""
    below = [c for c in descendants(procs, [init]) if c.pid != init]
    roots = {m.pid for m in below} | {p for p in known if p in procs and p != init}
    return descendants(procs, roots)


def is_below(pid: int, ancestor: int, limit: int = 64) -> bool:
    """Whether ``pid`` descends from ``ancestor`` (walking up its parents, at most ``limit`` steps)."""
    for _ in range(limit):
        st = read_stat(pid)
        if st is None or st.ppid <= 1:
            return False
        if st.ppid == ancestor:
            return True
        pid = st.ppid
    return False


def pss(pid: int) -> int:
    """Proportional set size in bytes: shared pages (a fork's copy-on-write ones) divided among sharers.

    Costlier than RSS (the kernel walks the page tables), so read only when RSS says it may matter.
    """
    try:
        for line in read_text(f"/proc/{pid}/smaps_rollup").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (*GONE, PermissionError):
        pass
    return 0
