"""The probe inside a run's processes, in-process: a server that hangs up never puts a traceback in
the program's console."""

from __future__ import annotations

import os
import socket
import threading
import time

from app.run.probe import Probe


def test_a_server_that_hangs_up_ends_the_probe_quietly() -> None:
    name = f"@ptlab-probe-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0" + name[1:])
    server.listen(1)
    failures: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: failures.append(args.exc_value)  # type: ignore[assignment]
    try:
        probe = Probe(name)
        serving = threading.Thread(target=probe.serve)
        serving.start()
        conn, _ = server.accept()
        conn.recv(65536)  # the hello
        conn.close()  # the run ended: the server hangs up
        for _ in range(50):  # news to send, into a closed socket: BrokenPipeError inside
            probe.thread_started("news")
        serving.join(10)
        assert not serving.is_alive() and failures == []
    finally:
        threading.excepthook = previous
        server.close()
        os.close(probe.wake_r)
        os.close(probe.wake_w)


def test_a_probe_thread_is_found_by_its_name_before_it_says_hello() -> None:
    # the thread cap counts a process's threads from /proc; before the probe's hello reaches the
    # server, its thread is told from the program's by the name it gives itself
    from app.control import run_tree
    from app.lab.activities import PROBE_NAME
    from app.lab.agent import set_thread_name

    named, done = threading.Event(), threading.Event()

    def probe_like() -> None:
        set_thread_name(PROBE_NAME)
        named.set()
        done.wait(5)

    t = threading.Thread(target=probe_like)
    t.start()
    try:
        assert named.wait(5)
        assert run_tree.named_threads(os.getpid(), PROBE_NAME) == 1
        assert run_tree.named_threads(os.getpid(), "no-such-thread") == 0
    finally:
        done.set()
        t.join()
    # join() returns once Python is done with the thread; the OS thread ends a moment later
    deadline = time.monotonic() + 5
    while run_tree.named_threads(os.getpid(), PROBE_NAME) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run_tree.named_threads(os.getpid(), PROBE_NAME) == 0
    assert run_tree.named_threads(2**22 + 1, PROBE_NAME) == 0  # no such process
