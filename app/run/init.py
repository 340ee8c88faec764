"""The first two processes of a run: a keeper, and the init of the run's own PID namespace.

Standard library only, started by the server as
``python -I -S init.py CONFIG -- python -u script.py ARGS...``; it runs no user code itself.

The keeper (in the server's PID namespace) dies with the server (parent-death
signal), starts a session of its own, sets the run's limits, and, where the
kernel allows, enters new user (when not root), PID and mount namespaces.
Its child is then PID 1 of the run's namespace: it mounts the run's own /proc
(so the run sees only its own processes, and not the server's environment or
memory) and a /dev/shm of the run's memory size, and starts the user's
program as PID 2. The run's processes can neither see nor signal the server,
and when this init ends, the kernel kills everything left in the namespace.

Where the kernel refuses a namespace, the second process is a child
subreaper instead: orphans of the run come to it, not to PID 1 or the
server, so the server can still find every one of them as its descendants.

When the user's program ends, the init ends the rest of the run and hands the
program's wait status to the keeper, which tells the server (on ``report_fd``)
how the program ended and how many processes it left, then exits the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
# Signals the init ignores, so a run's own `killpg(0, SIGTERM)` ends its programs, not the init.
IGNORED = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD)]
# How long the subreaper (no namespace) sweeps for what the program left behind.
SWEEP_S = 2.0

_libc = ctypes.CDLL(None, use_errno=True)


def _call(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_namespaces(user: bool) -> None:
    """Unshare PID and mount namespaces (and a user namespace, mapping our own IDs, when ``user``)."""
    uid, gid = os.getuid(), os.getgid()
    _call(_libc.unshare(CLONE_NEWPID | CLONE_NEWNS | (CLONE_NEWUSER if user else 0)), "unshare")
    if user:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")


def mount_own(shm_bytes: int) -> None:
    """As PID 1 of the new namespace: a /proc of its own, and a private /dev/shm of bounded size."""
    _call(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "making mounts private")
    _call(_libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mounting /proc")
    if os.path.isdir("/dev/shm"):
        options = f"size={shm_bytes},mode=1777".encode()
        _call(
            _libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, options), "mounting /dev/shm"
        )


def _children() -> list[int]:
    """This process's children that are still alive (zombies are only to be reaped)."""
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == me and fields[0] not in ("Z", "X"):
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _left_in_namespace() -> int:
    """As PID 1, with the namespace's own /proc: how many processes are still alive besides this one."""
    alive = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != "1":
            try:
                with open(f"/proc/{entry}/stat") as f:
                    alive += f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
            except (OSError, IndexError):
                pass
    return alive


def _sweep() -> int:
    """Without a namespace: kill what the program left, generation by generation (orphans come here).

    Returns how many processes were still alive to be killed.
    """
    killed: set[int] = set()
    deadline = time.monotonic() + SWEEP_S
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        left = _children()
        if not left:
            break
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, 0)
    return len(killed)


def run_init(argv: list[str], isolated: bool, status_w: int, go: int) -> None:
    """The init (PID 1, or a subreaper): start the program, reap everything, report its status.

    The program waits for the server's go (a byte on ``go``) before it execs: the server first finds
    the init and the program in /proc. A program that ended within milliseconds (``print('hi')``)
    was gone before a busy server looked, and the run was refused as never started.
    """
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if not isolated:
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    main = os.fork()
    if main == 0:
        for sig in IGNORED:
            signal.signal(sig, signal.SIG_DFL)
        os.close(status_w)
        try:
            if os.read(go, 1) != b"g":
                os._exit(127)  # end of file: the server gave up on this run
            os.close(go)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(go)
    status = 0
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == main:
            break
    left = _left_in_namespace() if isolated else _sweep()
    os.write(status_w, struct.pack("ii", status, left))
    os._exit(0)  # as PID 1: the kernel now kills whatever is left in the namespace


def keep(config: dict, argv: list[str]) -> None:
    """The keeper: limits, namespaces, the init; then exit as the program did."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != config["server"]:
        os._exit(1)  # the server died before the parent-death signal was armed
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_IGN)
    os.setsid()
    limit = config["address_space"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.nice(config["nice"])
    isolated = False
    if config["namespaces"]:
        try:
            enter_namespaces(user=os.geteuid() != 0)
            isolated = True
        except OSError as exc:
            print(f"[ptlab: this run is not isolated: {exc}]", file=sys.stderr, flush=True)
    status_r, status_w = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(status_r)
        os.close(config["report_fd"])  # the server's: nothing below the keeper writes to it
        if isolated:
            try:
                mount_own(config["shm_bytes"])
            except OSError as exc:
                print(f"[ptlab: {exc}]", file=sys.stderr, flush=True)
        run_init(argv, isolated, status_w, config["go_fd"])
    os.close(status_w)
    os.close(config["go_fd"])
    _, init_status = os.waitpid(init, 0)
    data = os.read(status_r, 8)
    status, left = struct.unpack("ii", data) if len(data) == 8 else (init_status, -1)
    with contextlib.suppress(OSError):  # the server's end of the report: how the run ended
        os.write(config["report_fd"], json.dumps({"status": status, "left": left}).encode())
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):  # SIGKILL's action cannot be set, nor needs to be
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def check(config: dict) -> dict:
    """Whether this kernel lets a run have its namespaces: the whole start, tried in a throwaway child."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        try:
            enter_namespaces(user=os.geteuid() != 0)
            init = os.fork()
            if init == 0:
                try:
                    mount_own(1 << 20)
                    os._exit(0)
                except OSError as exc:
                    os.write(w, str(exc).encode())
                    os._exit(1)
            _, status = os.waitpid(init, 0)
            os._exit(os.waitstatus_to_exitcode(status))
        except OSError as exc:
            os.write(w, str(exc).encode())
            os._exit(1)
    os.close(w)
    _, status = os.waitpid(child, 0)
    why = os.read(r, 4096).decode(errors="replace")
    if status == 0:
        return {"namespaces": True, "user": os.geteuid() != 0, "why": ""}
    return {"namespaces": False, "user": False, "why": why or f"the test child ended with status {status}"}


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        print(json.dumps(check({})), flush=True)
    else:
        sep = sys.argv.index("--")
        keep(json.loads(sys.argv[1]), sys.argv[sep + 1 :])
