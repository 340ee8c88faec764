"""A waiting thread's registers, from /proc/PID/task/TID/syscall.

For a thread blocked in the kernel the file gives the system call it waits in, its six arguments,
the user stack pointer and the program counter (Linux 2.6.27+; reading it needs ptrace access,
which a server has over its own children). A running thread reads "running"; one stopped outside
a system call gives -1 and still its SP and PC. /proc/PID/stat's kstkesp and kstkeip are zero
since Linux 4.9, so this file is the only place the kernel shows them.
"""

from __future__ import annotations

import contextlib
import platform
import subprocess
import time
from dataclasses import dataclass

# The calls a lab thread, a run's program or the interpreter wait in, by number: x86-64 and arm64
# differ. Anything else is shown by its number.
_X86_64 = {
    0: "read", 1: "write", 7: "poll", 23: "select", 34: "pause", 35: "nanosleep", 43: "accept",
    45: "recvfrom", 47: "recvmsg", 61: "wait4", 202: "futex", 230: "clock_nanosleep",
    232: "epoll_wait", 247: "waitid", 270: "pselect6", 271: "ppoll", 281: "epoll_pwait",
    288: "accept4", 441: "epoll_pwait2", 449: "futex_waitv",
}  # fmt: skip
_AARCH64 = {
    22: "epoll_pwait", 63: "read", 64: "write", 72: "pselect6", 73: "ppoll", 95: "waitid",
    98: "futex", 101: "nanosleep", 115: "clock_nanosleep", 202: "accept", 207: "recvfrom",
    212: "recvmsg", 242: "accept4", 260: "wait4", 441: "epoll_pwait2", 449: "futex_waitv",
}  # fmt: skip
NAMES = {"x86_64": _X86_64, "aarch64": _AARCH64}.get(platform.machine(), {})


@dataclass(frozen=True, slots=True)
class Registers:
    """What the kernel saved of a waiting thread: the call it waits in (-1: none), SP and PC."""

    nr: int
    sp: int
    pc: int

    @property
    def syscall(self) -> str:
        """The call by name: ``futex``, ``clock_nanosleep``, ``read``; "" outside a call."""
        if self.nr < 0:
            return ""
        return NAMES.get(self.nr, f"syscall {self.nr}")


def parse_syscall(text: bytes) -> Registers | None:
    """One /proc/PID/task/TID/syscall file; None for a running thread (or an unreadable line)."""
    fields = text.split()
    if len(fields) < 3 or fields[0] == b"running":
        return None
    try:
        return Registers(int(fields[0]), int(fields[-2], 16), int(fields[-1], 16))
    except ValueError:
        return None


def registers_readable() -> bool:
    """Whether this process may read its children's registers (Yama's ptrace_scope, a container's
    seccomp or LSM may refuse): tried on a child that sleeps."""
    try:
        child = subprocess.Popen(["sleep", "5"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    except OSError:
        return False
    try:
        for _ in range(400):  # until it sleeps, at most ~2 s
            try:
                # Until it has exec'd, the child is a copy of the server, which is not dumpable:
                # only then is a refusal the kernel's rule rather than that moment's.
                with open(f"/proc/{child.pid}/comm", "rb") as f:
                    if f.read().strip() != b"sleep":
                        time.sleep(0.005)
                        continue
                with open(f"/proc/{child.pid}/syscall", "rb") as f:
                    if parse_syscall(f.read()) is not None:
                        return True
            except PermissionError:
                return False
            except OSError:
                return False
            time.sleep(0.005)
        return True  # readable, though it never sat still long enough to show them
    finally:
        child.kill()
        with contextlib.suppress(OSError):
            child.wait()
