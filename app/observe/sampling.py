"""Read the operating system's own view of a process and its threads from /proc.

Only collection lives here: no knowledge of the wire format or of workers.
Raw reads of /proc text are used instead of psutil because this runs ten
times a second for every lab process and a raw read is many times cheaper.
"""

from __future__ import annotations

import ctypes
import os
import resource
from dataclasses import dataclass, field

from ..procfs import GONE, PAGE_SIZE, StatFields, parse_stat, read_text


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


def parse_ctxt(status_text: str) -> tuple[int, int]:
    """Voluntary and involuntary context switches from a status file."""
    vol = invol = 0
    for line in status_text.splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            vol = int(line.split()[1])
        elif line.startswith("nonvoluntary_ctxt_switches:"):
            invol = int(line.split()[1])
    return vol, invol


def _thread_sample(tid: int, st: StatFields, base: str, ctxt: tuple[int, int] | None) -> ThreadSample:
    vol, invol = ctxt if ctxt is not None else parse_ctxt(read_text(base + "/status"))
    return ThreadSample(tid, st.name, st.state, st.cpu, st.utime, st.stime, vol, invol)


def sample_process(pid: int) -> ProcessSample | None:
    """Read one process, its threads and its maps, all fresh; None if it is gone."""
    sampler = Sampler(ctxt_every=1, maps_every=1)
    try:
        return sampler.sample(pid)
    finally:
        sampler.close()


class Sampler:
    """Samples lab processes tick after tick, reading the slow-changing files less often.

    Every tick: each thread's schedstat, and the stat (state, CPU, CPU times)
    of the threads it shows have run; the main thread's stat always, as it
    also stands for the process's. Every ``ctxt_every`` ticks: the status
    (context switches) of each thread that ran. The maps and the task list cost the most and
    change the least, so they are re-read only when the stat says they may
    have changed (address-space size or RSS; thread count), on the process's
    turn every ``maps_every`` ticks, and regardless every ``recheck_every``
    ticks, or at once when forced (a thread started or ended). Turns are
    staggered by PID so no tick reads them all.
    """

    def __init__(
        self, ctxt_every: int = 10, maps_every: int = 5, thread_budget: int = 128, recheck_every: int = 50
    ) -> None:
        self.ctxt_every = ctxt_every
        self.maps_every = maps_every
        # mprotect can change the maps without changing their size or RSS
        # (glibc growing a thread arena inside its reservation); this bounds
        # how long such a change can go unseen.
        self.recheck_every = recheck_every
        # Threads read per tick, at most (new threads are always read). With
        # more threads than that, each is read every ``stride`` ticks, round
        # robin: at 32 x 9 threads and 10 Hz each thread is still read 5 times
        # a second, for half the CPU.
        self.thread_budget = thread_budget
        self.stride = 1
        self.tick = 0
        self._threads: dict[int, dict[int, ThreadSample]] = {}  # pid -> tid -> last sample
        self._maps: dict[int, str] = {}
        self._maps_key: dict[int, tuple[int, int]] = {}  # pid -> (vsize, rss) when its maps were read
        self._kept: set[int] | None = None  # what forget() kept last time
        # Open descriptors of stat files, re-read with pread: opening a /proc
        # path costs more than reading it. A descriptor stays bound to its
        # task, so a reused PID reads as gone (ESRCH), never as someone else.
        self._fds: dict[str, int] = {}
        # thread dir -> last schedstat bytes, stat bytes, and the stat parsed
        self._parsed: dict[str, tuple[bytes, bytes, StatFields]] = {}
        self.schedstat = True  # set False on a kernel built without it
        # Half the descriptor limit at most stays open (each thread takes two);
        # past that, files are opened for each read: slower, never failing.
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.fd_budget = (soft if soft != resource.RLIM_INFINITY else 1 << 16) // 2

    def _pread(self, path: str, size: int, offset: int) -> bytes:
        fd = self._fds.get(path)
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            if len(self._fds) >= self.fd_budget:
                try:
                    return os.pread(fd, size, offset)
                except OSError:
                    raise ProcessLookupError(path) from None
                finally:
                    os.close(fd)
            self._fds[path] = fd
        try:
            return os.pread(fd, size, offset)
        except OSError:
            self._close(path)
            raise ProcessLookupError(path) from None

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
        """One process now; None if it is gone.

        ``force_maps`` (a thread started or ended) also re-lists the threads.
        """
        base = f"/proc/{pid}"
        phase = self.tick + pid
        fresh_ctxt = phase % self.ctxt_every == 0
        known = self._threads.get(pid, {})
        # The main thread's stat carries what the process's own stat would:
        # the leader's state, the parent, and the whole address space's RSS.
        # Reading it instead saves one read per process per tick.
        main = self._stat(pid, pid, known.get(pid), fresh_ctxt)
        if main is None:
            return None  # the process is gone (its main thread is the last to go)
        st, main_sample = main
        recheck = force_maps or phase % self.recheck_every == 0
        listing = recheck or st.num_threads != len(known)
        maps = self._maps.get(pid)
        key = (st.vsize, st.rss)
        reread = maps is None or recheck or (key != self._maps_key.get(pid) and phase % self.maps_every == 0)
        try:
            tids = sorted(int(t) for t in os.listdir(base + "/task")) if listing else sorted(known)
            if reread:
                maps = self._maps[pid] = read_text(base + "/maps")
                self._maps_key[pid] = key
        except GONE:
            return None
        assert maps is not None
        now: dict[int, ThreadSample] = {}
        for tid in tids:
            last = known.get(tid)
            if tid == pid:
                now[tid] = main_sample
            elif last is not None and (self.tick + tid) % self.stride:
                now[tid] = last  # not this thread's turn
            elif (got := self._stat(pid, tid, last, fresh_ctxt)) is not None:
                now[tid] = got[1]
        for tid in known.keys() - now.keys():  # threads that ended
            self._forget_thread(pid, tid)
        self._threads[pid] = now
        return ProcessSample(pid, st.ppid, st.name, st.state, st.rss, list(now.values()), maps)

    def _stat(
        self, pid: int, tid: int, last: ThreadSample | None, fresh_ctxt: bool
    ) -> tuple[StatFields, ThreadSample] | None:
        """A thread's stat, parsed, and its sample; None if it has ended.

        Most lab threads sleep. A thread that was not scheduled since the
        last look cannot have changed its state, CPU, CPU times or context
        switches, and ``schedstat`` (a third of the cost of ``stat``) says
        so: its run time and slice count did not move. Then the last
        objects are given back, so nothing downstream sees a change. The
        main thread's stat is read regardless: it carries the process's RSS,
        which any thread can change.
        """
        base = f"/proc/{pid}/task/{tid}"
        cached = self._parsed.get(base)
        ran = b""
        try:
            if self.schedstat:
                ran = self._pread(base + "/schedstat", 128, 0)
            idle = ran != b"" and last is not None and cached is not None and cached[0] == ran
            if idle and tid != pid and cached is not None:
                return cached[2], last
            raw = self._pread(base + "/stat", 4096, 0)
        except FileNotFoundError:
            if not ran and self.schedstat and not os.path.exists("/proc/self/schedstat"):
                self.schedstat = False  # a kernel without schedstats: read stat every time
            return None
        except OSError:  # gone (ESRCH)
            return None
        fresh_ctxt = fresh_ctxt and not idle
        if cached is not None and last is not None and cached[1] == raw and not fresh_ctxt:
            self._parsed[base] = (ran, raw, cached[2])
            return cached[2], last
        try:
            st = parse_stat(raw.decode("utf-8", "replace"))
            ctxt = None if fresh_ctxt or last is None else (last.vcsw, last.ivcsw)
            sample = _thread_sample(tid, st, base, ctxt)
        except GONE:
            return None
        if sample == last:
            sample = last  # same object: the hub reuses the view without rebuilding it
        self._parsed[base] = (ran, raw, st)
        return st, sample

    def _forget_thread(self, pid: int, tid: int) -> None:
        base = f"/proc/{pid}/task/{tid}"
        self._close(base + "/stat")
        self._close(base + "/schedstat")
        self._parsed.pop(base, None)

    def forget(self, keep: set[int]) -> None:
        """Drop what is cached for processes not in ``keep``."""
        if keep == self._kept:
            return  # the usual tick: nothing came or went
        self._kept = set(keep)
        for pid in [p for p in self._maps if p not in keep]:
            del self._maps[pid]
            self._maps_key.pop(pid, None)
        for pid in [p for p in self._threads if p not in keep]:
            del self._threads[pid]
        for path in [p for p in self._fds if int(p.split("/")[2]) not in keep]:
            self._close(path)
        for path in [p for p in self._parsed if int(p.split("/")[2]) not in keep]:
            del self._parsed[path]

    def close(self) -> None:
        """Close every cached descriptor."""
        self._kept = None
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
