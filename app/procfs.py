"""Raw reads of /proc text, shared by the server's control and observe sides.

Standard library only and no knowledge of the lab: the ground that both the
sampler (ten times a second) and process control (checking a parent) stand on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# What a read of a vanished process or thread raises, or a torn line causes.
GONE = (FileNotFoundError, ProcessLookupError, ValueError, IndexError)


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
    num_threads: int = 1
    vsize: int = 0
    session: int = 0


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
        num_threads=int(f[17]),
        vsize=int(f[20]),
        session=int(f[3]),
    )


def read_text(path: str) -> str:
    """A /proc file's whole text.

    os.read on a raw descriptor is several times cheaper than open() in text
    mode, and the sampler runs this hundreds of times per tick. Files read
    here are well under 1 MiB; maps is read in a loop in case it is not.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


def read_stat(pid: int) -> StatFields | None:
    """/proc/PID/stat of any process, parsed; None if it is gone."""
    try:
        return parse_stat(read_text(f"/proc/{pid}/stat"))
    except (*GONE, PermissionError):
        return None


def _nspid(status: str) -> list[int]:
    # "NSpid:\t4321\t3": the ID in each PID namespace from the reader's own down to the innermost
    for line in status.splitlines():
        if line.startswith("NSpid:"):
            return [int(x) for x in line.split()[1:]]
    return []


def inner_ids(pid: int) -> tuple[int, dict[int, int]] | None:
    """For a process in a PID namespace below ours: its PID there, and its threads' TIDs there → ours.

    None if the process is in our own namespace (or gone).
    """
    try:
        ids = _nspid(read_text(f"/proc/{pid}/status"))
        if len(ids) < 2:
            return None
        tids = {}
        for entry in os.listdir(f"/proc/{pid}/task"):
            with_ns = _nspid(read_text(f"/proc/{pid}/task/{entry}/status"))
            if len(with_ns) >= 2:
                tids[with_ns[-1]] = with_ns[0]
        return ids[-1], tids
    except (*GONE, PermissionError, NotADirectoryError):
        return None


def _cpuinfo_field(name: str) -> str | None:
    """The first CPU's value of a /proc/cpuinfo field (None where the kernel has no such field)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo ("" where it has none, as on some ARM kernels)."""
    return _cpuinfo_field("model name") or ""


def pcid() -> bool | None:
    """Whether the CPU tags TLB entries by address space (x86 ``pcid`` flag): a process switch then
    keeps the other processes' translations. None where /proc/cpuinfo has no x86 flags."""
    flags = _cpuinfo_field("flags")
    return None if flags is None else "pcid" in flags.split()


def pti() -> str | None:
    """The kernel's Meltdown mitigation as it says it (``Mitigation: PTI`` when every switch into
    the kernel also switches page tables; ``Not affected``), None where it does not say."""
    try:
        with open("/sys/devices/system/cpu/vulnerabilities/meltdown") as f:
            return f.read().strip() or None
    except OSError:
        return None


CACHE_DIR = "/sys/devices/system/cpu/cpu0/cache"
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int | None:
    """A sysfs cache size (``32K``, ``1024K``, ``32M``) in bytes; None if it is not one."""
    text = text.strip().upper()
    unit = text[-1:] if text[-1:] in _UNITS else ""
    digits = text[: len(text) - len(unit)]
    return int(digits) * _UNITS[unit] if digits.isdigit() else None


def cpu_caches(root: str = CACHE_DIR) -> dict[str, int]:
    """The first CPU's caches by name (``L1d``, ``L1i``, ``L2``, ``L3``) and size in bytes, from sysfs;
    empty where the kernel does not list them (some virtual machines and ARM boards)."""
    caches: dict[str, int] = {}
    try:
        entries = sorted(e for e in os.listdir(root) if e.startswith("index"))
    except OSError:
        return caches
    for entry in entries:
        try:
            level, kind, size = (read_text(f"{root}/{entry}/{f}").strip() for f in ("level", "type", "size"))
        except (OSError, ValueError):
            continue
        nbytes = parse_size(size)
        if nbytes:
            caches[f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")] = nbytes
    return caches
