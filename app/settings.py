"""Every setting in one place: ``PTLAB_*`` environment variables, overridden by CLI flags."""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace


class SettingsError(ValueError):
    """A setting has a value the server must not start with."""


@dataclass(frozen=True)
class Settings:
    """Server settings; defaults are safe (loopback only, token always required for control)."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str = ""
    token_generated: bool = False
    hz: float = 10.0
    max_processes: int = 16
    max_threads: int = 32
    # Lab processes run this much nicer than the server, so that a class
    # starting sixteen Python workers at once, or busy threads on every
    # core, cannot make the server (and the projector) stutter. 5 gives the
    # server three times a worker's weight; 10 (nine times) did no better
    # for the server and left workers too little CPU on a machine that is
    # busy with other programs (the costs run overran its 9 s budget).
    worker_nice: int = 5
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    viewers: bool = True
    log_level: str = "info"

    def validate(self) -> Settings:
        """Refuse values that make no sense or are unsafe; return self for chaining."""
        if not 1 <= self.port <= 65535:
            raise SettingsError(f"port must be 1..65535, got {self.port}")
        if not 0.5 <= self.hz <= 50:
            raise SettingsError(f"PTLAB_HZ must be between 0.5 and 50, got {self.hz}")
        if not 1 <= self.max_processes <= 256:
            raise SettingsError(f"PTLAB_MAX_PROCESSES must be 1..256, got {self.max_processes}")
        if not 1 <= self.max_threads <= 1024:
            raise SettingsError(f"PTLAB_MAX_THREADS must be 1..1024, got {self.max_threads}")
        if not 0 <= self.worker_nice <= 19:
            raise SettingsError(f"PTLAB_WORKER_NICE must be 0..19, got {self.worker_nice}")
        if len(self.token) < 8:
            raise SettingsError("PTLAB_TOKEN must be at least 8 characters")
        if not is_loopback(self.host) and self.token_generated:
            raise SettingsError(
                f"refusing to listen on {self.host} with a generated token: anyone on the network "
                "could read it from a shoulder or a log. Set PTLAB_TOKEN to a secret of your own."
            )
        return self

    @property
    def presenter_url(self) -> str:
        """The URL the teacher opens; it carries the token once, then a cookie does."""
        host = "localhost" if self.host in ("0.0.0.0", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/?token={self.token}"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_ENV = {
    "host": ("PTLAB_HOST", str),
    "port": ("PTLAB_PORT", int),
    "token": ("PTLAB_TOKEN", str),
    "hz": ("PTLAB_HZ", float),
    "max_processes": ("PTLAB_MAX_PROCESSES", int),
    "max_threads": ("PTLAB_MAX_THREADS", int),
    "worker_nice": ("PTLAB_WORKER_NICE", int),
    "allowed_origins": (
        "PTLAB_ALLOWED_ORIGINS",
        lambda v: tuple(o.strip() for o in v.split(",") if o.strip()),
    ),
    "viewers": ("PTLAB_VIEWERS", lambda v: v.strip().lower() not in ("0", "false", "no", "off")),
    "log_level": ("PTLAB_LOG_LEVEL", str),
}


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``PTLAB_*`` variables; a missing token is generated."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    for name, (var, conv) in _ENV.items():
        if var in env and env[var] != "":
            try:
                values[name] = conv(env[var])
            except ValueError as exc:
                raise SettingsError(f"{var}={env[var]!r} is not valid: {exc}") from exc
    s = Settings(**values)  # type: ignore[arg-type]
    if not s.token:
        s = replace(s, token=secrets.token_urlsafe(18), token_generated=True)
    return s


def from_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, then CLI flags on top."""
    parser = argparse.ArgumentParser(prog="ptlab", description="Process & Thread Lab server")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; PTLAB_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8000; PTLAB_PORT)")
    parser.add_argument("--token", help="presenter token (default: generated; PTLAB_TOKEN)")
    parser.add_argument("--hz", type=float, help="samples per second (default 10; PTLAB_HZ)")
    parser.add_argument("--max-processes", type=int, help="lab process cap (default 16)")
    parser.add_argument("--max-threads", type=int, help="threads per process cap (default 32)")
    parser.add_argument(
        "--worker-nice", type=int, help="how much nicer lab processes run than the server, 0..19 (default 5)"
    )
    parser.add_argument("--log-level", help="uvicorn log level (default info)")
    args = parser.parse_args(argv)
    s = from_env(env)
    over = {
        f.name: getattr(args, f.name) for f in fields(Settings) if getattr(args, f.name, None) is not None
    }
    if "token" in over:
        over["token_generated"] = False
    return replace(s, **over)
