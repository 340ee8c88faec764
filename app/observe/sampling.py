"""Read the operating system's own view of a process and its threads from /proc.

Only collection lives here: no knowledge of the wire format or of workers.
Raw reads of /proc text are used instead of psutil because this runs ten
times a second for every lab process and a raw read is many times cheaper.
"""

from __future__ import annotations

import ctypes
import os
import resource
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from ..procfs import GONE, PAGE_SIZE, StatFields, parse_stat, read_text
from .registers import Registers, parse_syscall


class ThreadSample(NamedTuple):
    """One thread as /proc/PID/task/TID shows it.

    A tuple, not a frozen dataclass: a counting lab makes and compares a hundred a tick, and a
    tuple is built and compared in C (a frozen dataclass sets each field through a call).
    """

    tid: int
    name: str
    state: str
    cpu: int
    utime: float
    stime: float
    vcsw: int
    ivcsw: int
    load: float = 0.0  # cores it used since it was last read (schedstat run time / wall time)
    regs: Registers | None = None  # a waiting thread's SP, PC and system call (None: running, or withheld)


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


def _field(text: str, key: str) -> int:
    """The number after ``key`` at the start of a line of a status file (0 if absent)."""
    i = text.find(key)
    if i < 0:
        return 0
    i += len(key)
    end = text.find("\n", i)
    return int(text[i:end] if end >= 0 else text[i:])


def parse_ctxt(status_text: str) -> tuple[int, int]:
    """Voluntary and involuntary context switches from a status file.

    Two searches in C instead of a Python loop over status's 55 lines: a counting lab reads
    a dozen status files a tick.
    """
    text = "\n" + status_text
    return _field(text, "\nvoluntary_ctxt_switches:"), _field(text, "\nnonvoluntary_ctxt_switches:")


def _thread_sample(
    tid: int, st: StatFields, ctxt: tuple[int, int], load: float, regs: Registers | None
) -> ThreadSample:
    return ThreadSample(tid, st.name, st.state, st.cpu, st.utime, st.stime, *ctxt, load, regs)


# A thread's status is about 1.4 KiB, its context switches at the end: read whole, with room.
STATUS_BYTES = 16384


def run_ns(schedstat: bytes) -> int:
    """Nanoseconds a thread has run, the first field of /proc/PID/task/TID/schedstat."""
    return int(schedstat.split(None, 1)[0])


def sample_process(pid: int) -> ProcessSample | None:
    """Read one process, its threads and its maps, all fresh; None if it is gone."""
    sampler = Sampler(ctxt_every=1, maps_every=1)
    try:
        return sampler.sample(pid)
    finally:
        sampler.close()


# Looks in a row that find a thread has not run before it is looked at less often.
STILL_AFTER = 5
# A still process's full look (its other threads, its stat) comes once in this many strides of
# ticks: every 0.8 s at 10 Hz in a small lab, 1.6 s at 32 x 8 (stride 2). Each look is several
# reads, and at 10 Hz every read finds the caches cold (a schedstat costs 5 us here, 0.5 us in
# a tight loop): 8 instead of 4 took a seventh off a quiet 32 x 8 lab's tick. A thread
# that wakes on its own after a long sleep is seen that much later; its CPU time is not lost.
STILL_TURN = 8
# The maps are read regardless once in this many rechecks (a minute at 10 Hz): an mprotect
# between read-only and executable moves neither the size, the RSS nor statm's writable size.
REMAP_ROUNDS = 12


@dataclass(slots=True, eq=False)
class _Task:
    """What the sampler keeps of one thread between ticks: its paths and what it read last."""

    tid: int
    stat: str
    sched: str
    status: str
    syscall: str
    regs_denied: bool = False  # the kernel refused its registers (a process that is not dumpable)
    regs_stale: bool = False  # it ran since its registers were read, and its stat did not say so
    ran: bytes = b""  # schedstat as last read
    ran_ns: int = -1  # nanoseconds it had run when last read (-1: not read yet)
    ran_at: float = 0.0  # when (monotonic)
    load: float = 0.0  # cores used between the last two reads of schedstat
    raw: bytes = b""  # stat as last read
    st: StatFields | None = None
    sample: ThreadSample | None = None
    still: int = 0  # reads in a row that found it had not run


@dataclass(slots=True, eq=False)
class _Proc:
    """What the sampler keeps of one process between ticks."""

    base: str
    tasks: dict[int, _Task] = field(default_factory=dict)
    tids: list[int] = field(default_factory=list)
    order: list[_Task] = field(default_factory=list)  # the listed threads' records, in TID order
    still: bool = False  # no thread but the main one has run for a while
    maps: str | None = None
    maps_key: tuple[int, int] = (0, 0)  # the stat's (vsize, rss) when statm was last compared
    maps_statm: tuple[bytes, bytes] = (b"", b"")  # statm's size and writable size, read just before the maps
    sample: ProcessSample | None = None


class Sampler:
    """Samples lab processes tick after tick, reading the slow-changing files less often.

    Raw reads of /proc on kept-open descriptors, not psutil: this runs ten
    times a second for every lab thread, and on the same 32 x 8 lab the
    benchmark (benchmarks/run.py, "Sampler alone" and "psutil") measured
    about 1 ms per round here against well over 100 ms through psutil with
    memory maps. psutil serves where speed does not matter (network
    addresses, process trees in tests, benchmark bookkeeping).

    Every tick: each thread's schedstat, and the stat (state, CPU, CPU times)
    of the threads it shows have run; the main thread's stat always, as it
    also stands for the process's. Every ``ctxt_every`` ticks: the status
    (context switches) of each thread that ran. The maps and the task list
    cost the most and change the least. The task list is re-read when the
    stat's thread count changed. The maps are re-read when statm's size or
    writable size moved, looked at on the process's turn every
    ``maps_every`` ticks if the stat's size or RSS moved, and every
    ``recheck_every`` ticks regardless; the maps regardless every
    ``REMAP_ROUNDS`` rechecks; both at once when forced (a thread started
    or ended). Turns are staggered by PID so no tick reads them all.

    A still process (no thread has run for a while) costs one read every
    other tick: its main thread's schedstat (the first reads after the tick
    wakes cost 9 us each here, three times a read in a long run of them, and
    these were most of a quiet lab's reads). Its other threads, and its stat
    for RSS the kernel reclaims, are looked at on its still turn.

    When nothing it read changed, ``sample`` returns the very same
    ProcessSample object as last time, so callers can skip their own work
    with an identity check.
    """

    def __init__(
        self, ctxt_every: int = 10, maps_every: int = 5, thread_budget: int = 128, recheck_every: int = 50
    ) -> None:
        self.ctxt_every = ctxt_every
        self.maps_every = maps_every
        # mprotect can change the maps without changing their size or RSS
        # (glibc growing a thread arena inside its reservation): every this
        # many ticks statm's writable size is compared, and the task list
        # re-read; this bounds how long such a change can go unseen.
        self.recheck_every = recheck_every
        # Threads read per tick, at most (new threads are always read). With
        # more threads than that, each is read every ``stride`` ticks, round
        # robin: at 32 x 9 threads and 10 Hz each thread is still read 5 times
        # a second, for half the CPU.
        self.thread_budget = thread_budget
        self.stride = 1
        self.tick = 0
        self._procs: dict[int, _Proc] = {}
        self._kept: set[int] | None = None  # what forget() kept last time
        # Open descriptors of stat files, re-read with pread: opening a /proc
        # path costs more than reading it. A descriptor stays bound to its
        # task, so a reused PID reads as gone (ESRCH), never as someone else.
        self._fds: dict[str, int] = {}
        self.schedstat = True  # set False on a kernel built without it
        # Half the descriptor limit at most stays open (each thread takes up to four:
        # stat, schedstat, syscall, status); past that, files are opened for each read:
        # slower, never failing.
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.fd_budget = (soft if soft != resource.RLIM_INFINITY else 1 << 16) // 2

    def _pread(self, path: str, size: int, offset: int) -> bytes:
        fd = self._fds.get(path)
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            if len(self._fds) >= self.fd_budget:
                try:
                    return os.pread(fd, size, offset)
                except PermissionError:
                    raise
                except OSError:
                    raise ProcessLookupError(path) from None
                finally:
                    os.close(fd)
            self._fds[path] = fd
        try:
            return os.pread(fd, size, offset)
        except PermissionError:  # refused, not gone (a thread's registers without ptrace access)
            self._close(path)
            raise
        except OSError:
            self._close(path)
            raise ProcessLookupError(path) from None

    def page(self, pid: int, address: int) -> tuple[int | None, bool | None]:
        """The page behind ``address``: its frame (None: hidden or absent) and whether only this
        process maps it (None: absent), from one pagemap read through a descriptor kept open."""
        try:
            return page_of(self._pread(f"/proc/{pid}/pagemap", 8, (address // PAGE_SIZE) * 8))
        except (OSError, ProcessLookupError):
            return None, None

    def _close(self, path: str) -> None:
        fd = self._fds.pop(path, None)
        if fd is not None:
            os.close(fd)

    def next_tick(self) -> None:
        """Start a new round of samples."""
        self.tick += 1
        total = sum(len(p.tids) for p in self._procs.values())
        self.stride = max(1, -(-total // self.thread_budget))

    def _task(self, proc: _Proc, tid: int) -> _Task:
        task = proc.tasks.get(tid)
        if task is None:
            t = f"{proc.base}/task/{tid}"
            task = proc.tasks[tid] = _Task(tid, t + "/stat", t + "/schedstat", t + "/status", t + "/syscall")
        return task

    def sample(self, pid: int, force_maps: bool = False) -> ProcessSample | None:
        """One process now; None if it is gone.

        ``force_maps`` (a thread started or ended) also re-lists the threads.
        """
        proc = self._procs.get(pid)
        if proc is None:
            proc = self._procs[pid] = _Proc(f"/proc/{pid}")
        phase = self.tick + pid
        fresh_ctxt = phase % self.ctxt_every == 0
        # The main thread's stat carries what the process's own stat would:
        # the leader's state, the parent, and the whole address space's RSS.
        # Reading it instead saves one read per process per tick.
        main = self._task(proc, pid)
        if (
            proc.still
            and proc.sample is not None
            and not force_maps
            and phase % (self.stride * STILL_TURN)  # not its still turn
            and phase % self.recheck_every
            and (phase & 1 or self._quiet(main))  # looked at every other tick
        ):
            return proc.sample
        before = main.sample
        st = self._stat(main, fresh_ctxt, always=True)
        if st is None:
            return None  # the process is gone (its main thread is the last to go)
        maps = proc.maps
        if not self._refresh(proc, st, phase, force_maps):
            return None
        threads, moved = self._threads(proc, pid, fresh_ctxt, force_maps)
        last = proc.sample
        if (
            last is not None
            and not moved
            and main.sample is before
            and proc.maps is maps
            and (last.ppid, last.name, last.state, last.rss) == (st.ppid, st.name, st.state, st.rss)
        ):
            return last
        assert proc.maps is not None
        proc.sample = ProcessSample(pid, st.ppid, st.name, st.state, st.rss, threads, proc.maps)
        return proc.sample

    def _quiet(self, main: _Task) -> bool:
        """Whether a still process's main thread has not run since it was last read (nor just before)."""
        if not self.schedstat or main.load:
            return False
        try:
            ran = self._pread(main.sched, 128, 0)
        except (OSError, ProcessLookupError):
            return False  # gone: the full look says so
        if ran != main.ran:
            return False  # it ran: the full look reads it again
        main.ran_at = time.monotonic()  # its next load is over the time since this read
        return True

    def _refresh(self, proc: _Proc, st: StatFields, phase: int, force: bool) -> bool:
        """Re-list the threads and re-read the maps when they may have changed; False if gone."""
        recheck = force or phase % self.recheck_every == 0
        key = (st.vsize, st.rss)
        try:
            if recheck or st.num_threads != len(proc.tids):
                tids = sorted(int(t) for t in os.listdir(proc.base + "/task"))
                if tids != proc.tids:
                    proc.tids = tids
                    proc.order = [self._task(proc, t) for t in tids]
                    proc.still = False
                    listed = set(tids)
                    for tid in [t for t in proc.tasks if t not in listed]:  # threads that ended
                        self._forget_task(proc.tasks.pop(tid))
            # the stat's size or RSS moved, on the process's turn: statm says whether the maps did
            due = recheck or (key != proc.maps_key and phase % self.maps_every == 0)
            read = proc.maps is None or force or (due and self._remap(proc, phase))
            if read:
                proc.maps_statm = self._statm(proc)
                maps = read_text(proc.base + "/maps")
                if maps != proc.maps:
                    proc.maps = maps  # an equal text keeps the old object: identity means unchanged
            if due or read:
                proc.maps_key = key
        except GONE:
            return False
        return True

    def _remap(self, proc: _Proc, phase: int) -> bool:
        """Whether the maps may have changed since they were read, by statm's size and writable size.

        RSS moves whenever a page is first touched (a counting process: every few ticks), the
        maps only when a mapping comes, goes, grows or changes its permissions: mmap, munmap
        and brk move the size, and mprotect (glibc growing a thread arena inside its
        reservation) the writable size. statm costs a hundredth of the maps. Once in
        REMAP_ROUNDS rechecks the maps are read regardless: an mprotect between read-only and
        executable moves neither.
        """
        return not phase % (self.recheck_every * REMAP_ROUNDS) or self._statm(proc) != proc.maps_statm

    def _statm(self, proc: _Proc) -> tuple[bytes, bytes]:
        """statm's size and data fields: pages mapped, and pages of private writable mappings."""
        fields = self._pread(proc.base + "/statm", 128, 0).split()
        return fields[0], fields[5]

    def _threads(
        self, proc: _Proc, pid: int, fresh_ctxt: bool, force: bool
    ) -> tuple[list[ThreadSample], bool]:
        """This tick's samples of the listed threads, and whether any is new.

        A thread not on its turn keeps its last sample. A thread found not to
        have run STILL_AFTER times in a row is looked at on its process's still turn:
        lab threads wake from sleep only when a command or a worker report
        says so, and both force a full look (``force``).
        """
        tick, stride = self.tick, self.stride
        still_turn = not (tick + pid) % (stride * STILL_TURN)  # all still threads of a process share one turn
        if proc.still and not (force or still_turn) and proc.sample is not None:
            return proc.sample.threads, False  # every thread is still and none is due: nothing to read
        out: list[ThreadSample] = []
        moved = False
        all_still = True
        for task in proc.order:
            before = task.sample
            if task.tid != pid:
                if (
                    before is None
                    or force
                    or (still_turn if task.still >= STILL_AFTER else not (tick + task.tid) % stride)
                ):
                    self._stat(task, fresh_ctxt)
                all_still = all_still and task.still >= STILL_AFTER
            if task.sample is not None:
                out.append(task.sample)
                moved = moved or task.sample is not before
            else:
                moved = moved or before is not None
        proc.still = all_still and not moved
        return out, moved

    def _stat(self, task: _Task, fresh_ctxt: bool, always: bool = False) -> StatFields | None:
        """Read a thread's stat if it ran (``always``: regardless); its StatFields, None if it has ended.

        Most lab threads sleep. A thread that was not scheduled since the
        last look cannot have changed its state, CPU, CPU times or context
        switches, and ``schedstat`` (a third of the cost of ``stat``) says
        so: its run time and slice count did not move. Then the last sample
        object stays, so nothing downstream sees a change. The main thread's
        stat is read regardless: it carries the process's RSS, which any
        thread can change.
        """
        ran = b""
        try:
            # The main thread's stat is read anyway; its schedstat also says
            # how much it ran, for its CPU lane.
            if self.schedstat:
                ran = self._pread(task.sched, 128, 0)
                self._load(task, run_ns(ran))
            idle = ran != b"" and task.sample is not None and task.ran == ran
            if idle and not always:
                task.still += 1
                self._keep_load(task)
                if task.regs_stale:
                    self._keep_regs(task)
                return task.st
            task.still = 0 if not idle else task.still
            raw = self._pread(task.stat, 4096, 0)
        except FileNotFoundError:
            if not ran and self.schedstat and not os.path.exists("/proc/self/schedstat"):
                self.schedstat = False  # a kernel without schedstats: read stat every time
            task.st = task.sample = None
            return None
        except OSError:  # gone (ESRCH)
            task.st = task.sample = None
            return None
        if ran:
            task.ran = ran
        fresh_ctxt = fresh_ctxt and not idle
        if task.st is not None and task.sample is not None and task.raw == raw and not fresh_ctxt:
            # It ran too briefly to change its stat (woke, took a byte, went to another wait):
            # only its registers can tell where it waits now. They are read at the first look
            # that finds it has not run since, settled in that wait, rather than at every look
            # that finds it ran: a count thread wakes four times a second, and reading them at
            # each was a third of the reads of a counting lab (125 of 392 a tick at 32 x 8).
            self._keep_load(task)
            if not idle:
                task.regs_stale = True
            elif task.regs_stale:
                self._keep_regs(task)
            return task.st
        return self._changed(task, raw, fresh_ctxt)

    def _changed(self, task: _Task, raw: bytes, fresh_ctxt: bool) -> StatFields | None:
        """A thread's stat that changed, parsed into its sample (an equal one keeps the old object);
        None if it has ended."""
        try:
            st = parse_stat(raw.decode("utf-8", "replace"))
            if not self.schedstat:  # no schedstat: CPU times from stat, in clock ticks
                self._load(task, round((st.utime + st.stime) * 1e9))
            last = task.sample
            if fresh_ctxt or last is None:  # on a descriptor kept open, as stat is
                ctxt = parse_ctxt(self._pread(task.status, STATUS_BYTES, 0).decode("utf-8", "replace"))
            else:
                ctxt = (last.vcsw, last.ivcsw)
            # registers move only when the thread runs: read with its stat, which is read only then
            regs = self._registers(task) if st.state != "R" else None
            task.regs_stale = False
            sample = _thread_sample(task.tid, st, ctxt, task.load, regs)
        except GONE:
            task.st = task.sample = None
            return None
        if sample != task.sample:
            task.sample = sample  # an equal one keeps the old object: identity means unchanged
        task.raw, task.st = raw, st
        return st

    def _registers(self, task: _Task) -> Registers | None:
        """A waiting thread's SP, PC and system call; None once the kernel has refused them."""
        if task.regs_denied:
            return None
        try:
            return parse_syscall(self._pread(task.syscall, 256, 0))
        except PermissionError:
            task.regs_denied = True  # not asked again: each refusal would reopen the file
        except (OSError, ProcessLookupError):
            pass
        return None

    @staticmethod
    def _load(task: _Task, ns: int) -> None:
        """The cores a thread used since its run time was last read, rounded to a hundredth."""
        now = time.monotonic()
        if task.ran_ns >= 0 and now > task.ran_at:
            task.load = round(max(0, ns - task.ran_ns) / 1e9 / (now - task.ran_at), 2)
        task.ran_ns, task.ran_at = ns, now

    def _keep_regs(self, task: _Task) -> None:
        """The thread's last sample, with its registers read again (a new object only when they moved)."""
        task.regs_stale = False
        if task.sample is None or task.st is None:
            return
        regs = self._registers(task) if task.st.state != "R" else None
        if regs != task.sample.regs:
            task.sample = task.sample._replace(regs=regs)

    @staticmethod
    def _keep_load(task: _Task) -> None:
        """The thread's last sample, with the load just read (a new object only when it changed)."""
        if task.sample is not None and task.sample.load != task.load:
            task.sample = task.sample._replace(load=task.load)

    def _forget_task(self, task: _Task) -> None:
        for path in (task.stat, task.sched, task.syscall, task.status):
            self._close(path)

    def forget(self, keep: set[int]) -> None:
        """Drop what is cached for processes not in ``keep``."""
        if keep == self._kept:
            return  # the usual tick: nothing came or went
        self._kept = set(keep)
        for pid in [p for p in self._procs if p not in keep]:
            for task in self._procs.pop(pid).tasks.values():
                self._forget_task(task)
        for path in [p for p in self._fds if int(p.split("/")[2]) not in keep]:
            self._close(path)

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
    return page_of(entry_bytes)[0]


def page_of(entry_bytes: bytes) -> tuple[int | None, bool | None]:
    """(frame, exclusive) of one 8-byte pagemap entry.

    The frame number is hidden (zero) without CAP_SYS_ADMIN; bit 56, "exclusively mapped"
    (Linux 4.2+), is not: any user reads it for their own processes, and it is what shows
    copy-on-write without privileges. Both are None for a page that is not present.
    """
    if len(entry_bytes) != 8:
        return None, None
    entry = int.from_bytes(entry_bytes, "little")
    if not entry >> 63:  # bit 63: page present
        return None, None
    return (entry & _PFN_MASK) or None, bool(entry >> 56 & 1)


def frames_readable() -> bool:
    """Whether this process may read physical frame numbers (so copy-on-write can be shown)."""
    probe = bytearray(PAGE_SIZE)  # touched, so present
    addr = ctypes.addressof((ctypes.c_char * len(probe)).from_buffer(probe))
    return page_frame(os.getpid(), addr) is not None
