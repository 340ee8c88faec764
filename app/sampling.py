"""Read the operating system's own view of a process and its threads from /proc.

Only collection lives here: no knowledge of the wire format or of workers.
Raw reads of /proc text are used instead of psutil because this runs ten
times a second for every lab process and a raw read is many times cheaper.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ThreadSample:
    """One thread as /proc/PID/task/TID shows it."""

    tid: int
    name: str
    state: str
    cpu: int
    utime: float
    stime: float
    vcsw: int
    ivcsw: int


@dataclass(frozen=True)
class ProcessSample:
    """One process as /proc/PID shows it; ``maps`` is the raw maps text."""

    pid: int
    ppid: int
    name: str
    state: str
    rss: int
    threads: list[ThreadSample] = field(default_factory=list)
    maps: str = ""


@dataclass(frozen=True)
class StatFields:
    """The fields of a /proc stat line that the lab uses."""

    name: str
    state: str
    ppid: int
    utime: float
    stime: float
    rss: int
    cpu: int


def parse_stat(text: str) -> StatFields:
    """Parse /proc/PID/stat or /proc/PID/task/TID/stat.

    The command name sits in parentheses and may itself contain spaces or
    parentheses, so split at the last ``)``.
    """
    lpar = text.index("(")
    rpar = text.rindex(")")
    name = text[lpar + 1 : rpar]
    f = text[rpar + 2 :].split()
    # f[0] is field 3 (state) of proc(5); field n is f[n - 3].
    return StatFields(
        name=name,
        state=f[0],
        ppid=int(f[1]),
        utime=int(f[11]) / CLK_TCK,
        stime=int(f[12]) / CLK_TCK,
        rss=int(f[21]) * PAGE_SIZE,
        cpu=int(f[36]),
    )


def parse_ctxt(status_text: str) -> tuple[int, int]:
    """Voluntary and involuntary context switches from a status file."""
    vol = invol = 0
    for line in status_text.splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            vol = int(line.split()[1])
        elif line.startswith("nonvoluntary_ctxt_switches:"):
            invol = int(line.split()[1])
    return vol, invol


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def sample_thread(pid: int, tid: int) -> ThreadSample | None:
    """Read one thread; None if it ended while we looked."""
    base = f"/proc/{pid}/task/{tid}"
    try:
        st = parse_stat(_read(base + "/stat"))
        vol, invol = parse_ctxt(_read(base + "/status"))
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None
    return ThreadSample(tid, st.name, st.state, st.cpu, st.utime, st.stime, vol, invol)


def sample_process(pid: int, with_maps: bool = True) -> ProcessSample | None:
    """Read one process, its threads and (optionally) its maps; None if it is gone."""
    base = f"/proc/{pid}"
    try:
        st = parse_stat(_read(base + "/stat"))
        tids = sorted(int(t) for t in os.listdir(base + "/task"))
        maps = _read(base + "/maps") if with_maps else ""
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None
    threads = [t for t in (sample_thread(pid, tid) for tid in tids) if t is not None]
    return ProcessSample(pid, st.ppid, st.name, st.state, st.rss, threads, maps)


def exe_path(pid: int) -> str | None:
    """The program file a process runs, for telling its data segment from other files."""
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


_PFN_MASK = (1 << 55) - 1


def page_frame(pid: int, address: int) -> int | None:
    """The physical page frame number behind a virtual address, from /proc/PID/pagemap.

    None if the page is not present or the kernel hides frame numbers from
    us (it zeroes them without CAP_SYS_ADMIN).
    """
    try:
        fd = os.open(f"/proc/{pid}/pagemap", os.O_RDONLY)
    except OSError:
        return None
    try:
        raw = os.pread(fd, 8, (address // PAGE_SIZE) * 8)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) != 8:
        return None
    entry = int.from_bytes(raw, "little")
    if not entry >> 63:  # bit 63: page present
        return None
    return (entry & _PFN_MASK) or None


def frames_readable() -> bool:
    """Whether this process may read physical frame numbers (so copy-on-write can be shown)."""
    probe = bytearray(PAGE_SIZE)  # touched, so present
    addr = ctypes.addressof((ctypes.c_char * len(probe)).from_buffer(probe))
    return page_frame(os.getpid(), addr) is not None
