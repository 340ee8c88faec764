"""``ptlab doctor``: what this machine lets the lab show, tried for real and said in plain words.

Each finding is checked the way the server itself would meet it (a child process read through
/proc, a run's containment tried in a throwaway process), so the teacher learns before class
what the page will show and what it will say it cannot.
"""

from __future__ import annotations

import os
import platform
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from . import __version__
from .host import describe, this_host
from .procfs import cpu_caches, cpu_model

Verdict = Literal["ok", "limited", "missing", "info"]
MARK = {"ok": "✓", "limited": "!", "missing": "✗", "info": "·"}


class Finding(BaseModel):
    """One thing the lab depends on, and what this machine says to it."""

    topic: str = Field(description="a short name: frames, registers, runs, perf, ...")
    verdict: Verdict = Field(description="ok; limited (works, with less); missing; info (a fact)")
    says: str = Field(description="plain words for the teacher")


class Findings(BaseModel):
    """Everything ``ptlab doctor`` found."""

    ptlab: str
    python: str
    kernel: str
    user: str
    findings: list[Finding]


def _read(path: str | Path) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def user_finding() -> Finding:
    """Who the lab runs as, and what root would add."""
    name = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        return Finding(topic="user", verdict="info", says="runs as root: nothing is withheld")
    return Finding(
        topic="user",
        verdict="info",
        says=f"runs as {name}, an ordinary user: everything works; only physical frame numbers need root",
    )


def frames_finding() -> Finding:
    """Copy-on-write: physical frames (root), or the "exclusively mapped" flag (anyone)."""
    from .observe.sampling import frames_readable

    if frames_readable():
        return Finding(
            topic="frames",
            verdict="ok",
            says="physical page frames are readable: a fork's counter shows the same frame, "
            "then its own copy",
        )
    return Finding(
        topic="frames",
        verdict="limited",
        says="physical frame numbers are hidden (they need CAP_SYS_ADMIN): copy-on-write is drawn from "
        "the kernel's 'exclusively mapped' flag instead — shared until written, then an own copy",
    )


def registers_finding() -> Finding:
    """Per-thread registers: /proc/PID/task/TID/syscall of a child, as the server reads its lab's."""
    from .observe.registers import registers_readable

    scope = _read("/proc/sys/kernel/yama/ptrace_scope")
    yama = f" (Yama ptrace_scope is {scope})" if scope is not None else ""
    if not registers_readable():
        return Finding(
            topic="registers",
            verdict="missing",
            says=f"the kernel refuses to show a thread's registers to its parent{yama}: "
            "the page says registers are withheld",
        )
    return Finding(
        topic="registers",
        verdict="ok",
        says=f"each waiting thread's stack pointer, program counter and system call are readable{yama}",
    )


def runs_finding() -> Finding:
    """How ``ptlab run`` and the code panel are contained here."""
    from .control.runs import isolation

    iso = isolation()
    if iso.namespaces:
        user = " and a user namespace" if iso.user else ""
        return Finding(
            topic="runs",
            verdict="ok",
            says=f"each run of the class's code gets its own PID and mount namespaces{user}: it sees only "
            "its own processes and all of it dies with its init",
        )
    return Finding(
        topic="runs",
        verdict="limited",
        says=f"runs cannot get namespaces here ({iso.why}): they are contained by ptlab's watchdog "
        "(time, memory, process and thread limits) alone, and could signal the server",
    )


def cgroup_finding() -> Finding:
    """The cgroup version, and the lab's own cgroup."""
    v2 = Path("/sys/fs/cgroup/cgroup.controllers").exists()
    own = (_read("/proc/self/cgroup") or "").splitlines()
    where = own[-1].split(":", 2)[-1] if own else "?"
    version = "v2 (unified)" if v2 else "v1"
    return Finding(topic="cgroup", verdict="info", says=f"cgroup {version}; the lab runs in {where}")


def perf_finding() -> Finding:
    """``perf bench sched pipe``, the costs panel's reference for a switch."""
    perf = shutil.which("perf")
    if perf is None:
        return Finding(
            topic="perf",
            verdict="missing",
            says="perf is not installed: nothing to check the costs panel's switch figure against "
            "(Debian: apt install linux-perf, then `perf bench sched pipe`)",
        )
    try:
        out = subprocess.run(
            [perf, "bench", "sched", "pipe", "-l", "1000"], capture_output=True, text=True, timeout=20
        )
        ok = out.returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    paranoid = _read("/proc/sys/kernel/perf_event_paranoid")
    if not ok:
        return Finding(
            topic="perf",
            verdict="limited",
            says=f"perf is installed but `perf bench sched pipe` did not run (perf_event_paranoid is "
            f"{paranoid}): nothing to check the costs panel's switch figure against",
        )
    return Finding(
        topic="perf",
        verdict="ok",
        says="`perf bench sched pipe` runs: the kernel's reference for the costs panel's switch figure",
    )


def size(n: int) -> str:
    """A cache size as sysfs and datasheets write it: 32K, 512K, 32M."""
    return f"{n >> 20}M" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n >> 10}K"


def cpu_finding() -> Finding:
    """CPUs, their model and caches: what the costs panel's figures depend on."""
    usable = len(os.sched_getaffinity(0))
    model = cpu_model() or "unknown CPU"
    caches = [f"{name} {size(n)}" for name, n in cpu_caches().items()]
    many = "s" if usable != 1 else ""
    said = f"{usable} CPU{many} usable ({os.cpu_count()} in the machine), {model}"
    if caches:
        said += "; caches " + ", ".join(caches)
    verdict: Verdict = "info" if usable >= 2 else "limited"
    if usable < 2:
        said += ": with one CPU, threads never run side by side"
    return Finding(topic="cpus", verdict=verdict, says=said)


def network_finding(port: int = 8000) -> Finding:
    """The addresses students can reach, if the server listens beyond loopback."""
    from .web.urls import student_urls

    urls = student_urls("0.0.0.0", port)
    if not urls:
        return Finding(
            topic="network",
            verdict="limited",
            says="this machine has no network address besides loopback: students' phones cannot connect",
        )
    return Finding(
        topic="network",
        verdict="info",
        says=f"started with PTLAB_HOST=0.0.0.0 and a PTLAB_TOKEN, students open {', '.join(urls)} "
        f"(port {port} must be open in the firewall); by default the lab listens on loopback only",
    )


def python_finding() -> Finding:
    """The interpreter: the GIL shapes what threads can show."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    words = "with the GIL: busy Python threads take turns on one CPU" if gil else "free-threaded: no GIL"
    return Finding(topic="python", verdict="info", says=f"Python {platform.python_version()}, {words}")


def kernel_finding() -> Finding:
    """Linux and /proc: the lab reads everything it draws from there, and says whose kernel it is."""
    if platform.system() != "Linux" or not Path("/proc/self/maps").exists():
        return Finding(
            topic="kernel", verdict="missing", says="this is not Linux with /proc: the lab cannot run here"
        )
    release = platform.release()
    m = re.match(r"(\d+)\.(\d+)", release)
    new = m is not None and (int(m.group(1)), int(m.group(2))) >= (4, 2)
    said = describe(this_host(), release) + "; /proc is there"
    if not new:
        return Finding(
            topic="kernel", verdict="limited", says=said + "; before 4.2 copy-on-write cannot be shown"
        )
    return Finding(topic="kernel", verdict="ok", says=said)


def examine(port: int = 8000) -> Findings:
    """Every check, in the order a teacher reads them."""
    checks = (
        kernel_finding,
        user_finding,
        frames_finding,
        registers_finding,
        runs_finding,
        cgroup_finding,
        perf_finding,
        cpu_finding,
        python_finding,
    )
    findings = [check() for check in checks] + [network_finding(port)]
    return Findings(
        ptlab=__version__,
        python=platform.python_version(),
        kernel=platform.release(),
        user=pwd.getpwuid(os.geteuid()).pw_name,
        findings=findings,
    )


def report(found: Findings) -> str:
    """The findings as lines for the terminal: a mark, the topic, the words."""
    width = max(len(f.topic) for f in found.findings)
    lines = [f"ptlab {found.ptlab} doctor — what this machine lets the lab show"]
    lines += [f"  {MARK[f.verdict]} {f.topic.ljust(width)}  {f.says}" for f in found.findings]
    lines.append("  (✓ works  ! works with less  ✗ missing  · a fact)")
    return "\n".join(lines)
