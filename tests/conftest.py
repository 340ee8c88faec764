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

from support import CHROME_ARGS, CHROMIUM, SERVERS, LabServer, pid_alive, server_of

from app.control.lab import STALE

# Under pytest-xdist each worker makes its temporary files in a directory of its own, so that its
# check for leftovers at the end sees only its own, never the other worker's files in use.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER:
    _own = tempfile.mkdtemp(prefix=f"ptlab-suite-{WORKER}-")
    os.chmod(_own, 0o755)  # a server started as another user makes its directory in here
    os.environ["TMPDIR"] = tempfile.tempdir = _own


# The longest modules first (their seconds in the first pass, measured): with two workers, a long
# one started last is the run's tail. xdist keeps this order only with --no-loadscope-reorder
# (scripts/test.sh passes it); by default it reorders modules by their number of tests.
LONGEST_FIRST = [
    "test_browser.py",  # 92
    "test_legibility.py",  # 43
    "test_lesson_walk.py",  # 73
    "test_runs.py",  # 44
    "test_lesson_browser.py",  # 32
    "test_hardening.py",  # 31
    "test_cli.py",  # 28
    "test_timemachine.py",  # 26
    "test_accessibility.py",  # 24
    "test_engine.py",  # 23
    "test_package.py",  # 16
    "test_relay.py",  # 16
    "test_containment.py",  # 13
]


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Order modules longest first; tests keep their order within a module."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
    """Private directories and shared-memory segments that a test, or a server the tests started, made."""
    found = set()
    for base in {tempfile.gettempdir(), "/tmp", "/dev/shm"}:
        with contextlib.suppress(OSError):
            for name in os.listdir(base):
                server = STALE.match(name)
                if name.startswith("ptlab-test-") or (server and int(server.group(1)) in SERVERS):
                    found.add(os.path.join(base, name))
    return found


_BEFORE: set[str] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note what was there already (a teacher's own server, say), so only our leftovers count."""
    _BEFORE.update(_ptlab_files())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any process, directory or segment of the servers the tests started outlived them."""
    files = sorted(_ptlab_files() - _BEFORE)
    if WORKER:
        with contextlib.suppress(OSError):
            os.rmdir(tempfile.gettempdir())  # only if empty: else what is left is named below
    if files:
        print(f"\nptlab: files left behind by the suite: {files}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    left = []
    for entry in os.listdir("/proc"):
        mine = entry.isdigit() and int(entry) != os.getpid() and server_of(int(entry)) in SERVERS
        if mine and pid_alive(int(entry)):
            left.append(int(entry))
    if left:
        print(f"\nptlab: lab processes left running after the suite: {left}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
