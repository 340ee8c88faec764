"""The probe inside a run's processes, in-process: a server that hangs up never puts a traceback in
the program's console."""

from __future__ import annotations

import os
import socket
import threading

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
