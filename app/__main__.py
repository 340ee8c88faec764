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
USAGE_RUN = "usage: ptlab run [--server URL] [flags as for ptlab] SCRIPT.py [ARGS...]"


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


def _run_args(args: list[str]) -> tuple[tuple[str, str, list[str]] | None, str | None, list[str]]:
    """``run [--server URL] [flags] SCRIPT.py [ARGS]``: the script (code, name, args), server, flags."""
    if not args or args[0] != "run":
        return None, None, args
    rest = args[1:]
    server = None
    if rest[:1] == ["--server"] and len(rest) > 1:
        server, rest = rest[1], rest[2:]
    at = next((i for i, a in enumerate(rest) if a.endswith(".py") and not a.startswith("-")), None)
    if at is None:
        print(USAGE_RUN, file=sys.stderr)
        raise SystemExit(2)
    path = Path(rest[at])
    try:
        code = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ptlab: cannot read {path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    return (code, path.name, rest[at + 1 :]), server, rest[:at]


def main(argv: list[str] | None = None) -> None:
    """Start the server with settings from PTLAB_* variables and CLI flags.

    ``replay FILE``: serve a recording. ``run SCRIPT.py``: run a program under the lab (with
    ``--server URL``, on a server already running, with the presenter token from PTLAB_TOKEN).
    """
    args = sys.argv[1:] if argv is None else argv
    first_run, server, args = _run_args(args)
    if first_run is not None and server is not None:
        from .run.remote import run_remote

        raise SystemExit(run_remote(server, *first_run))
    recording, rest = _recording(args)
    if any(a == "--token" or a.startswith("--token=") for a in rest):
        print(
            "ptlab: warning: a token on the command line can be read by every user of this machine "
            "(ps, /proc/PID/cmdline): set PTLAB_TOKEN or use --token-file instead",
            file=sys.stderr,
            flush=True,
        )
    try:
        settings = load(rest)
    except SettingsError as exc:
        print(f"ptlab: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    from .web.app import create_app
    from .web.sockets import bounded_websocket_protocol

    try:
        app = create_app(settings, recording, first_run)
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
