"""``python -m app`` and the ``ptlab`` command: parse settings, start uvicorn."""

from __future__ import annotations

import sys

import uvicorn

from .settings import SettingsError, load


def main(argv: list[str] | None = None) -> None:
    """Start the server with settings from PTLAB_* variables and CLI flags."""
    try:
        settings = load(sys.argv[1:] if argv is None else argv)
    except SettingsError as exc:
        print(f"ptlab: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    from .web.app import create_app
    from .web.sockets import bounded_websocket_protocol

    uvicorn.run(
        create_app(settings),
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
