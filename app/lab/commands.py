"""The worker protocol, server → worker: one frozen dataclass per command, checked where it arrives.

Worker → server is typed in ``app.control.messages`` (pydantic, on the server).
This direction is standard library only, because the worker imports it and
must start fast (pydantic would double a worker's start-up). Each command is
one JSON line, ``{"op": ..., "id": ..., fields...}``; ``from_wire`` refuses an
unknown op, a missing or unknown field and a value of the wrong type (a bool
is not a number here), naming which.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class StartThread:
    """Start a lab thread doing ``activity``; reply: its TID and stack."""

    op: ClassVar[str] = "start_thread"
    activity: str = "idle"


@dataclass(frozen=True)
class StopThread:
    """Stop one lab thread."""

    op: ClassVar[str] = "stop_thread"
    tid: int


@dataclass(frozen=True)
class Fork:
    """Fork this process; reply: the child's PID."""

    op: ClassVar[str] = "fork"


@dataclass(frozen=True)
class Race:
    """``threads`` threads race on the counter, ``increments`` times each; reported as ``job``."""

    op: ClassVar[str] = "race"
    threads: int
    increments: int
    lock: bool
    job: str = ""


@dataclass(frozen=True)
class ShmRun:
    """Increment the counter in an attached shared-memory segment; reported as ``job``."""

    op: ClassVar[str] = "shm_run"
    path: str
    increments: int
    lock: bool
    job: str = ""


@dataclass(frozen=True)
class ShmAttach:
    """Map a shared-memory segment."""

    op: ClassVar[str] = "shm_attach"
    path: str


@dataclass(frozen=True)
class Cancel:
    """Stop every running experiment early."""

    op: ClassVar[str] = "cancel"


@dataclass(frozen=True)
class Costs:
    """Measure thread vs process costs; reported as ``job``."""

    op: ClassVar[str] = "costs"
    job: str = ""


@dataclass(frozen=True)
class Response:
    """Measure how soon the process answers while it computes, per way of working; reported as ``job``."""

    op: ClassVar[str] = "response"
    job: str = ""


@dataclass(frozen=True)
class SwitchSweep:
    """Measure a switch's cost against the working set, threads and processes; reported as ``job``."""

    op: ClassVar[str] = "switch_sweep"
    job: str = ""


@dataclass(frozen=True)
class IpcListen:
    """Wait for one IPC message of ``kind`` at ``path``; reported as ``xfer``."""

    op: ClassVar[str] = "ipc_listen"
    xfer: str
    kind: str
    path: str


@dataclass(frozen=True)
class IpcSend:
    """Send ``text`` as an IPC message of ``kind`` to ``path``."""

    op: ClassVar[str] = "ipc_send"
    kind: str
    path: str
    text: str


@dataclass(frozen=True)
class Sync:
    """Answer once everything before it is done (its reports went out first)."""

    op: ClassVar[str] = "sync"


@dataclass(frozen=True)
class Stack:
    """A thread's live Python stack."""

    op: ClassVar[str] = "stack"
    tid: int


@dataclass(frozen=True)
class StepStart:
    """Start the race (or deadlock) in slow motion."""

    op: ClassVar[str] = "step_start"
    mode: str
    threads: int
    rounds: int


@dataclass(frozen=True)
class Step:
    """Let one stepped thread through its gate (None: the next that can move)."""

    op: ClassVar[str] = "step"
    thread: int | None = None


@dataclass(frozen=True)
class StepEnd:
    """End the stepped scene."""

    op: ClassVar[str] = "step_end"


@dataclass(frozen=True)
class Exit:
    """End this process with ``code``."""

    op: ClassVar[str] = "exit"
    code: int = 0


WorkerCommand = (
    StartThread
    | StopThread
    | Fork
    | Race
    | ShmRun
    | ShmAttach
    | Cancel
    | Costs
    | Response
    | SwitchSweep
    | IpcListen
    | IpcSend
    | Sync
    | Stack
    | StepStart
    | Step
    | StepEnd
    | Exit
)
COMMANDS: dict[str, type[WorkerCommand]] = {c.op: c for c in typing.get_args(WorkerCommand)}


def to_wire(cmd: WorkerCommand, rid: str) -> bytes:
    """One command as the line the worker reads."""
    return json.dumps({"op": cmd.op, "id": rid, **asdict(cmd)}).encode() + b"\n"


@functools.cache
def _fields(cls: type[WorkerCommand]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _fits(value: Any, expected: Any) -> bool:
    if isinstance(expected, types.UnionType):
        return any(_fits(value, t) for t in typing.get_args(expected))
    if expected is type(None):
        return value is None
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def from_wire(raw: Any) -> tuple[str | None, WorkerCommand]:
    """The request id and the command of one line the server sent; ValueError says what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("a command is a JSON object")
    rid = raw.get("id") if isinstance(raw.get("id"), str) else None
    cls = COMMANDS.get(raw.get("op"))  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown op {raw.get('op')!r}")
    hints = _fields(cls)
    given = {k: v for k, v in raw.items() if k not in ("op", "id")}
    if set(given) - set(hints):
        raise ValueError(f"{cls.op} takes no {sorted(set(given) - set(hints))}")
    for name, value in given.items():
        if not _fits(value, hints[name]):
            raise ValueError(f"{cls.op}: {name} must be {hints[name]}, not {value!r}")
    try:
        return rid, cls(**given)
    except TypeError as exc:  # a field without a default is missing
        raise ValueError(f"{cls.op}: {exc}") from None
