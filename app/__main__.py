"""``python -m app`` and the ``ptlab`` command: parse settings, start uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from .lesson.loader import LessonError
from .recording import MAX_FILE_BYTES, Recording, RecordingError
from .recording import read as read_recording
from .settings import SettingsError, load

USAGE_REPLAY = "usage: ptlab replay FILE.ptlab [flags as for ptlab]"


def _recording(args: list[str]) -> tuple[Recording | None, list[str]]:
    """``replay FILE`` at the front of the arguments: the recording, read and checked, and the rest."""
    if not args or args[0] != "replay":
        return None, args
    if len(args) < 2 or args[1].startswith("-"):
        print(USAGE_REPLAY, file=sys.stderr)
        raise SystemExit(2)
    path = Path(args[1])
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        return read_recording(data), args[2:]
    except OSError as exc:
        print(f"ptlab: cannot read {path}: {exc.strerror}", file=sys.stderr)
    except RecordingError as exc:
        print(f"ptlab: {path}: {exc}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    """Start the server with settings from PTLAB_* variables and CLI flags (``replay FILE``: a recording)."""
    recording, rest = _recording(sys.argv[1:] if argv is None else argv)
    try:
        settings = load(rest)
    except SettingsError as exc:
        print(f"ptlab: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    from .web.app import create_app
    from .web.sockets import bounded_websocket_protocol

    try:
        app = create_app(settings, recording)
    except LessonError as exc:
        print(f"ptlab: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws=bounded_websocket_protocol(settings.ws_send_buffer),
        ws_max_size=settings.ws_max_bytes,
        ws_per_message_deflate=settings.ws_deflate,
        # Lab processes must be gone within 2 s of SIGTERM: do not wait long for viewers.
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    main()
