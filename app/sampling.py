"""Read the operating system's own view of a process and its threads from /proc.

Only collection lives here: no knowledge of the wire format or of workers.
Raw reads of /proc text are used instead of psutil because this runs ten
times a second for every lab process and a raw read is many times cheaper.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
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
    # os.read on a raw descriptor: several times cheaper than open() in text
    # mode, and this runs hundreds of times per tick. /proc files we read here
    # are well under 1 MiB; maps is read in a loop in case it is not.
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


_GONE = (FileNotFoundError, ProcessLookupError, ValueError, IndexError)


def read_stat(pid: int) -> StatFields | None:
    """/proc/PID/stat of any process, parsed; None if it is gone."""
    try:
        return parse_stat(_read(f"/proc/{pid}/stat"))
    except (*_GONE, PermissionError):
        return None


def sample_thread(
    pid: int, tid: int, ctxt: tuple[int, int] | None = None, read_stat: Callable[[str], str] = _read
) -> ThreadSample | None:
    """Read one thread; None if it ended while we looked. ``ctxt`` skips reading its status."""
    base = f"/proc/{pid}/task/{tid}"
    try:
        st = parse_stat(read_stat(base + "/stat"))
        vol, invol = ctxt if ctxt is not None else parse_ctxt(_read(base + "/status"))
    except _GONE:
        return None
    return ThreadSample(tid, st.name, st.state, st.cpu, st.utime, st.stime, vol, invol)


def sample_process(pid: int) -> ProcessSample | None:
    """Read one process, its threads and its maps, all fresh; None if it is gone."""
    return Sampler(ctxt_every=1, maps_every=1).sample(pid)


class Sampler:
    """Samples lab processes tick after tick, reading the slow-changing files less often.

    Every tick: each process's stat and task list, each thread's stat (state,
    CPU, CPU times). Every ``ctxt_every`` ticks: each thread's status (context
    switches). Every ``maps_every`` ticks, or when forced (a thread started or
    ended): the maps. Reads are staggered by PID so no tick reads them all.
    """

    def __init__(self, ctxt_every: int = 10, maps_every: int = 5, thread_budget: int = 128) -> None:
        self.ctxt_every = ctxt_every
        self.maps_every = maps_every
        # Threads read per tick, at most (new threads are always read). With
        # more threads than that, each is read every ``stride`` ticks, round
        # robin: at 32 x 9 threads and 10 Hz each thread is still read 5 times
        # a second, for half the CPU.
        self.thread_budget = thread_budget
        self.stride = 1
        self.tick = 0
        self._threads: dict[int, dict[int, ThreadSample]] = {}  # pid -> tid -> last sample
        self._maps: dict[int, str] = {}
        # Open descriptors of stat files, re-read with pread: opening a /proc
        # path costs more than reading it. A descriptor stays bound to its
        # task, so a reused PID reads as gone (ESRCH), never as someone else.
        self._fds: dict[str, int] = {}

    def _pread(self, path: str, size: int, offset: int) -> bytes:
        fd = self._fds.get(path)
        if fd is None:
            fd = self._fds[path] = os.open(path, os.O_RDONLY)
        try:
            return os.pread(fd, size, offset)
        except OSError:
            self._close(path)
            raise ProcessLookupError(path) from None

    def _read_stat(self, path: str) -> str:
        return self._pread(path, 4096, 0).decode("utf-8", "replace")

    def page_frame(self, pid: int, address: int) -> int | None:
        """Like ``page_frame``, but through a descriptor kept open between ticks."""
        try:
            return frame_of(self._pread(f"/proc/{pid}/pagemap", 8, (address // PAGE_SIZE) * 8))
        except (OSError, ProcessLookupError):
            return None

    def _close(self, path: str) -> None:
        fd = self._fds.pop(path, None)
        if fd is not None:
            os.close(fd)

    def next_tick(self) -> None:
        """Start a new round of samples."""
        self.tick += 1
        total = sum(len(t) for t in self._threads.values())
        self.stride = max(1, -(-total // self.thread_budget))

    def sample(self, pid: int, force_maps: bool = False) -> ProcessSample | None:
        """One process now; None if it is gone."""
        base = f"/proc/{pid}"
        phase = self.tick + pid
        try:
            st = parse_stat(self._read_stat(base + "/stat"))
            tids = sorted(int(t) for t in os.listdir(base + "/task"))
            maps = self._maps.get(pid)
            if maps is None or force_maps or phase % self.maps_every == 0:
                maps = self._maps[pid] = _read(base + "/maps")
        except _GONE:
            return None
        fresh_ctxt = phase % self.ctxt_every == 0
        known = self._threads.get(pid, {})
        now: dict[int, ThreadSample] = {}
        for tid in tids:
            last = known.get(tid)
            if last is not None and (self.tick + tid) % self.stride:
                now[tid] = last  # not this thread's turn
                continue
            ctxt = None if fresh_ctxt or last is None else (last.vcsw, last.ivcsw)
            t = sample_thread(pid, tid, ctxt, self._read_stat)
            if t is not None:
                now[tid] = t
        for tid in known.keys() - now.keys():  # threads that ended
            self._close(f"{base}/task/{tid}/stat")
        self._threads[pid] = now
        threads = list(now.values())
        return ProcessSample(pid, st.ppid, st.name, st.state, st.rss, threads, maps)

    def forget(self, keep: set[int]) -> None:
        """Drop what is cached for processes not in ``keep``."""
        for pid in [p for p in self._maps if p not in keep]:
            del self._maps[pid]
        for pid in [p for p in self._threads if p not in keep]:
            del self._threads[pid]
        for path in [p for p in self._fds if int(p.split("/")[2]) not in keep]:
            self._close(path)

    def close(self) -> None:
        """Close every cached descriptor."""
        self.forget(set())


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
        return frame_of(os.pread(fd, 8, (address // PAGE_SIZE) * 8))
    except OSError:
        return None
    finally:
        os.close(fd)


def frame_of(entry_bytes: bytes) -> int | None:
    """The frame number in one 8-byte pagemap entry; None if absent or hidden."""
    if len(entry_bytes) != 8:
        return None
    entry = int.from_bytes(entry_bytes, "little")
    if not entry >> 63:  # bit 63: page present
        return None
    return (entry & _PFN_MASK) or None


def frames_readable() -> bool:
    """Whether this process may read physical frame numbers (so copy-on-write can be shown)."""
    probe = bytearray(PAGE_SIZE)  # touched, so present
    addr = ctypes.addressof((ctypes.c_char * len(probe)).from_buffer(probe))
    return page_frame(os.getpid(), addr) is not None
