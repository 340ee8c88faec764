"""Fixtures: a real server per module, and a check that nothing outlives it."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import CHROME_ARGS, CHROMIUM, LabServer, pid_alive


@pytest.fixture(scope="module")
def server() -> Iterator[LabServer]:
    """A real ptlab server for one test module, ended and checked for leftovers after it."""
    s = LabServer(env={"PTLAB_MAX_PROCESSES": "12", "PTLAB_MAX_THREADS": "10"}).start()
    try:
        yield s
    finally:
        s.stop()
        left = s.leftovers()
        for pid in left:  # do not let one failure leak into the next module
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"lab processes outlived the server: {left}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright, for one test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def lab(server: LabServer) -> Iterator[LabServer]:
    """The module's server, reset to no lab processes before and after each test."""
    server.reset()
    yield server
    server.reset()


def _ptlab_files() -> set[str]:
    """Private directories and shared-memory segments a ptlab server or test made."""
    found = set()
    for base in {tempfile.gettempdir(), "/tmp", "/dev/shm"}:
        with contextlib.suppress(OSError):
            found |= {os.path.join(base, n) for n in os.listdir(base) if n.startswith("ptlab-")}
    return found


_BEFORE: set[str] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note what was there already (a teacher's own server, say), so only our leftovers count."""
    _BEFORE.update(_ptlab_files())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any ptlab worker, directory or segment outlived the suite."""
    files = sorted(_ptlab_files() - _BEFORE)
    if files:
        print(f"\nptlab: files left behind by the suite: {files}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"app.lab.agent" in cmd and pid_alive(int(entry)):
            left.append(int(entry))
    if left:
        print(f"\nptlab: lab workers left running after the suite: {left}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
