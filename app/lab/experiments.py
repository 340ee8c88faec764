"""What lab workers do in the sharing experiments: racy increments, IPC endpoints, shared memory.

Standard library only: it runs inside lab workers, which must start fast.
"""

from __future__ import annotations

import ctypes
import fcntl
import mmap
import os
import socket
import stat
import threading
import time
from typing import Protocol

# Work done between reading the counter and writing it back. It widens the
# window in which the interpreter may switch threads (it does so every 5 ms);
# a thread switched out there later writes back a stale value, wiping out
# every increment made meanwhile.
WINDOW_SPIN = 40
# On a loaded machine the 5 ms switches alone sometimes all fell outside the
# window (five runs, nothing lost). So every YIELD_EVERY-th increment also
# yields the CPU inside the window (sleep(0)): the window is real, only wider.
YIELD_EVERY = 256
MAX_MESSAGE = 1024
IPC_KINDS = ("pipe", "socket", "file")
SHM_SIZE = mmap.PAGESIZE


class Lock(Protocol):
    """A lock usable in ``with``: threading.Lock, or FileLock between processes."""

    def __enter__(self) -> object: ...

    def __exit__(self, *exc: object) -> object: ...


def racy_increments(
    counter: ctypes.c_long, k: int, lock: Lock | None, stop: threading.Event, deadline: float
) -> int:
    """Increment ``counter`` k times by read–modify–write; with ``lock``, each step is atomic.

    Returns how many increments were attempted (fewer if stopped or out of time).
    """
    done = 0
    for i in range(k):
        if not i & 1023 and (stop.is_set() or time.monotonic() > deadline):
            break
        if lock is None:
            _read_modify_write(counter, not i % YIELD_EVERY)
        else:
            with lock:
                _read_modify_write(counter, not i % YIELD_EVERY)
        done += 1
    return done


def _read_modify_write(counter: ctypes.c_long, yield_now: bool) -> None:
    v = counter.value
    for _ in range(WINDOW_SPIN):  # the window: another thread may run here
        pass
    if yield_now:
        time.sleep(0)
    counter.value = v + 1


class FileLock:
    """A lock between processes: flock(2) on a shared file descriptor's open file."""

    def __init__(self, path: str) -> None:
        # Each user opens its own description: flock locks belong to it, so
        # two processes (or threads with separate opens) exclude each other.
        self.fd = os.open(path, os.O_RDWR)

    def __enter__(self) -> FileLock:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Release the descriptor."""
        os.close(self.fd)


class SharedSegment:
    """A shared-memory page mapped MAP_SHARED: one counter that several processes see."""

    def __init__(self, path: str) -> None:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size < SHM_SIZE:
            raise ValueError(f"{path} is not a shared-memory segment of the lab")
        fd = os.open(path, os.O_RDWR)
        try:
            self.mm = mmap.mmap(fd, SHM_SIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.path = path
        self.counter = ctypes.c_long.from_buffer(self.mm, 0)

    def state(self) -> dict[str, object]:
        """Path, address and value of the shared counter as this process maps it."""
        return {"path": self.path, "address": ctypes.addressof(self.counter), "value": self.counter.value}


class Inbox:
    """The receiving end of one IPC message: a FIFO, a listening Unix socket, or a file to watch."""

    def __init__(self, kind: str, path: str, xfer: str) -> None:
        if kind not in IPC_KINDS:
            raise ValueError(f"unknown IPC kind {kind!r}")
        self.kind, self.path, self.xfer = kind, path, xfer
        self.created = time.monotonic()
        self.fd: int | None = None
        self.sock: socket.socket | None = None
        if kind == "pipe":
            # Opened read-write (Linux allows it on a FIFO): opening does not
            # wait for a writer, and with a writer always present (us) the FIFO
            # never reads as EOF, so select() wakes only when data arrives.
            self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        elif kind == "socket":
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(path)
            self.sock.listen(1)
            self.sock.setblocking(False)

    def fileno(self) -> int | None:
        """What select() can wait on (a FIFO or a listening socket); None for a file, polled each tick."""
        if self.fd is not None:
            return self.fd
        return self.sock.fileno() if self.sock is not None else None

    def poll(self) -> bytes | None:
        """The whole message once it has arrived, else None."""
        if self.kind == "pipe":
            assert self.fd is not None
            try:
                # The sender writes the whole message at once (at most
                # PIPE_BUF bytes, so atomically): one read holds all of it.
                return os.read(self.fd, MAX_MESSAGE + 1) or None
            except BlockingIOError:
                return None
        if self.kind == "socket":
            assert self.sock is not None
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return None
            with conn:
                conn.settimeout(1.0)
                parts = []
                while chunk := conn.recv(MAX_MESSAGE + 1):
                    parts.append(chunk)
                    if sum(map(len, parts)) > MAX_MESSAGE:
                        break
                return b"".join(parts)
        if os.path.exists(self.path):  # the sender renames a finished file into place
            with open(self.path, "rb") as f:
                return f.read(MAX_MESSAGE + 1)
        return None

    def close(self) -> None:
        """Close descriptors; the server removes the paths."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def send_message(kind: str, path: str, data: bytes) -> None:
    """Send one message through the OS: write a FIFO, connect a socket, or write a file."""
    if len(data) > MAX_MESSAGE:
        raise ValueError(f"messages are limited to {MAX_MESSAGE} bytes")
    if kind == "pipe":
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, data)  # at most PIPE_BUF bytes: one atomic write
        finally:
            os.close(fd)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2.0)
            s.connect(path)
            s.sendall(data)
    elif kind == "file":
        part = path + ".part"
        with open(part, "wb") as f:
            f.write(data)
        os.rename(part, path)  # the reader never sees half a message
    else:
        raise ValueError(f"unknown IPC kind {kind!r}")
