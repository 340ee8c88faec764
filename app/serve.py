"""Start the server for ``ptlab``, ``ptlab run`` and ``ptlab replay``, and give its exit status."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Iterator

import uvicorn

from .control.runs import Script
from .lesson.loader import LessonError
from .recording import Recording
from .settings import Settings


class Server(uvicorn.Server):
    """uvicorn's server; stopped by a signal after ``ptlab run``'s script ended, it exits with the
    script's status rather than dying of the signal as uvicorn would have it."""

    status: int | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                if self.status is not None:
                    self._captured_signals.clear()


def serve(
    settings: Settings,
    recording: Recording | None = None,
    script: Script | None = None,
    exit_after: bool = False,
    relay: bool = False,
) -> int:
    """Serve until stopped (Ctrl-C, SIGTERM, or with ``exit_after`` the script's end).

    The status is 0, or the script's (``ptlab run``); 2 for a bad lesson, 3 when the server could
    not start.
    """
    from .run.local import Terminal
    from .web.app import create_app
    from .web.sockets import bounded_websocket_protocol

    server: Server | None = None

    def ended(status: int) -> None:
        if server is not None:
            server.status = status
            server.should_exit = server.should_exit or exit_after

    terminal = Terminal(then=ended) if script is not None else None
    if script is not None:
        script = dataclasses.replace(script, watcher=terminal)
    try:
        app = create_app(settings, recording, script, relay)
    except LessonError as exc:
        print(f"ptlab: {exc}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=settings.access_log,
        ws=bounded_websocket_protocol(settings.ws_send_buffer),
        ws_max_size=settings.ws_max_bytes,
        ws_per_message_deflate=settings.ws_deflate,
        # Lab processes must be gone within 2 s of SIGTERM: do not wait long for viewers.
        timeout_graceful_shutdown=1,
    )
    server = Server(config)
    server.run()
    if not server.started:
        return 3  # as uvicorn's own: it has said why (the port taken, the lifespan failed)
    return server.status or 0
