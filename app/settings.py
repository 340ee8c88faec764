"""Every setting in one model: ``PTLAB_*`` environment variables, overridden by CLI flags of the same names.

Each default and bound is written once, here; README's settings table is
checked against this model by a test.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "PTLAB_"


class SettingsError(ValueError):
    """A setting has a value the server must not start with."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Server settings; defaults are safe (loopback only, token always required for control)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8000, ge=1, le=65535, description="TCP port")
    token: str = Field(
        "",
        description="presenter token, at least 8 characters (default: generated and printed at start)",
    )
    token_file: str = Field(
        "", max_length=4096, description="read the presenter token from this file's first line instead"
    )
    hz: float = Field(10.0, ge=0.5, le=50, description="samples per second")
    max_processes: int = Field(16, ge=1, le=256, description="lab processes that may run at once")
    max_threads: int = Field(32, ge=1, le=1024, description="threads per lab process, main thread included")
    # Lab processes run this much nicer than the server, so that a class
    # starting sixteen Python workers at once, or busy threads on every
    # core, cannot make the server (and the projector) stutter. 5 gives the
    # server three times a worker's weight; 10 (nine times) did no better
    # for the server and left workers too little CPU on a machine that is
    # busy with other programs (the costs run overran its 9 s budget).
    worker_nice: int = Field(
        5, ge=0, le=19, description="how much nicer lab processes run than the server (relative)"
    )
    # 15 minutes of 8 × 8 busy threads take about 15 MiB compressed (benchmarks/): 32 leaves room.
    history_minutes: float = Field(
        15.0, ge=0, le=240, description="how far back the picture can be paused and rewound (0: no history)"
    )
    history_mib: int = Field(
        32, ge=1, le=1024, description="memory the history may take; the oldest goes first"
    )
    # Two at a time: on a classroom laptop's two to four cores, more parallel
    # interpreter start-ups only slow each other and the server's loop.
    spawn_parallel: int = Field(
        2, ge=1, le=64, description="lab processes started at once; more wait their turn"
    )
    spawn_queue: int = Field(
        32, ge=0, le=1024, description="process starts that may wait for their turn; more get 503 queue_full"
    )
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="other origins whose pages may open the websocket (comma-separated)"
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="more host names this server answers to, besides its own (comma-separated)",
    )
    viewers: bool = Field(True, description="pages from other origins may watch read-only")
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = Field(
        "info", description="uvicorn log level"
    )
    access_log: bool = Field(False, description="log every HTTP request")
    # 64 KiB: the largest command is a few hundred bytes; anything bigger is a mistake or an attack.
    ws_max_bytes: int = Field(64 * 1024, ge=1024, le=1 << 20, description="largest websocket message")
    # Generous for a teacher's clicks and scripts, far below a flood.
    rest_rate: float = Field(50.0, gt=0, le=10_000, description="control requests per second per address")
    rest_burst: int = Field(100, ge=1, le=100_000, description="control requests in a burst per address")
    ws_rate: float = Field(20.0, gt=0, le=10_000, description="websocket commands per second per connection")
    ws_burst: int = Field(40, ge=1, le=100_000, description="websocket commands in a burst per connection")
    ws_inflight: int = Field(4, ge=1, le=64, description="websocket commands running at once per connection")
    # Bounds what a viewer that stops reading holds in the kernel (Linux doubles it):
    # a snapshot of a full lab is ~60 KB, so a live viewer never waits on it.
    ws_send_buffer: int = Field(
        64 * 1024, ge=4096, le=16 << 20, description="kernel send buffer per websocket (SO_SNDBUF)"
    )
    # Off by default: compression runs once per client per frame (each connection keeps its own
    # compressor), which at 1 000 viewers was a third of the server's CPU; frames are ~1.5 KB.
    ws_deflate: bool = Field(False, description="compress websocket messages (permessage-deflate)")

    lesson: str = Field(
        "",
        max_length=4096,
        description="a lesson file, YAML or JSON (docs/lessons.md); default: the built-in lesson",
    )
    allow_code: bool | None = Field(
        None,
        description="the presenter may run Python code from the page (default: only on a loopback bind)",
    )
    run_seconds: float = Field(60.0, ge=1, le=3600, description="wall-time limit of one run of user code")
    run_memory_mib: int = Field(
        1024, ge=64, le=65536, description="memory of one run of user code, all its processes together"
    )
    run_namespaces: bool = Field(
        True,
        description="give each run its own PID and mount namespaces where the kernel allows (0: never)",
    )
    vote_rate: float = Field(2.0, gt=0, le=1000, description="votes per second per viewer connection")
    # On a classroom's Wi-Fi every phone has an address of its own; a class behind one NAT
    # address (the server elsewhere, or a proxy in front of it) needs this raised to its size.
    voters_per_address: int = Field(
        10, ge=1, le=2000, description="browsers from one network address that may vote on a question"
    )

    public_url: str = Field(
        "",
        max_length=512,
        pattern=r"^(https?://[^\s]+)?$",
        description="the URL students open, where this server's own addresses are not it (Docker, a proxy)",
    )

    # Relays (ptlab relay) serve the class from other machines through this Redis; it must be
    # reachable only by the lab server and its relays (a password in the URL, a private network).
    redis_url: str = Field(
        "",
        max_length=512,
        pattern=r"^((redis|rediss|unix)://[^\s]+)?$",
        description="publish the picture to this Redis for relays, e.g. redis://host:6379/0",
    )

    _token_generated: bool = PrivateAttr(False)

    @field_validator("allowed_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip())
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _token_rules(self) -> Settings:
        if self.token_file and not self.token:
            try:
                with open(self.token_file, encoding="utf-8") as f:
                    object.__setattr__(self, "token", f.readline(4096).strip())
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"PTLAB_TOKEN_FILE {self.token_file!r} cannot be read: {exc}") from None
            if not self.token:
                raise ValueError(f"PTLAB_TOKEN_FILE {self.token_file!r} is empty")
        if not self.token:
            object.__setattr__(self, "token", secrets.token_urlsafe(18))
            self._token_generated = True
        if len(self.token) < 8:
            raise ValueError("PTLAB_TOKEN must be at least 8 characters")
        if not is_loopback(self.host) and self._token_generated:
            raise ValueError(
                f"refusing to listen on {self.host} with a generated token: anyone on the network "
                "could read it from a shoulder or a log. Set PTLAB_TOKEN to a secret of your own."
            )
        return self

    @property
    def token_generated(self) -> bool:
        """True when no token was given and one was made up at start."""
        return self._token_generated


def presenter_url(host: str, port: int, token: str) -> str:
    """The URL the teacher opens on a server bound to ``host``:``port``; it carries the token once,
    then a cookie does."""
    host = "localhost" if host in ("0.0.0.0", "::") else host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/?token={token}"


def env_name(field: str) -> str:
    """The environment variable of a setting."""
    return ENV_PREFIX + field.upper()


def _bounds(field: str) -> tuple[Any, Any]:
    lo = hi = None
    for m in Settings.model_fields[field].metadata:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            lo = getattr(m, "ge", getattr(m, "gt", None))
        elif isinstance(m, annotated_types.Le | annotated_types.Lt):
            hi = getattr(m, "le", getattr(m, "lt", None))
    return lo, hi


def describe_errors(exc: ValidationError) -> str:
    """Say which setting is wrong and what it may be, by its environment name."""
    parts = []
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else ""
        if field not in Settings.model_fields:
            parts.append(str(e["msg"]).removeprefix("Value error, "))
            continue
        lo, hi = _bounds(field)
        if e["type"] in (
            "greater_than_equal",
            "less_than_equal",
            "greater_than",
            "less_than",
        ) and None not in (
            lo,
            hi,
        ):
            parts.append(f"{env_name(field)} must be {lo}..{hi}, got {e['input']}")
        else:
            parts.append(f"{env_name(field)}={e.get('input')!r} is not valid: {e['msg']}")
    return "; ".join(parts)


def load(flags: Mapping[str, Any] | None = None) -> Settings:
    """Settings from ``PTLAB_*`` variables, with the command line's flags (by field name) on top;
    SettingsError if invalid. Under plain ``uvicorn app.main:app`` there are none: the command
    line is uvicorn's, not ours."""
    try:
        return Settings(**(flags or {}))
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from exc
