"""The worker protocol as the server reads it: every line a lab process sends, as a typed model.

The lab side (``app.lab.agent``) writes these as JSON lines with the standard
library; here each line is parsed once into one of the models below (a union
discriminated on ``type``), so nothing downstream converts fields by hand.
Replies carry a per-command result, parsed by the caller into the model it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ..protocol import CostRow, CounterView, ResponseRow, StepEntry, SteppedView, SwitchSweepReport


@dataclass(frozen=True)
class StackRange:
    """A thread stack as its worker reported it (tid 0: a stack copied by fork, no thread runs on it)."""

    tid: int
    start: int
    end: int
    guard: int = 0


class _Report(BaseModel):
    # A newer worker may say more than this server reads; that is not an error.
    model_config = ConfigDict(extra="ignore")


class StackReport(_Report):
    """A stack range from glibc: ``[stack_start, stack_end)`` with a guard of ``guard`` bytes below."""

    stack_start: int
    stack_end: int
    guard: int = 0


class ThreadStarted(StackReport):
    """Reply to ``start_thread``: the new thread's TID and stack."""

    tid: int


class ThreadReport(ThreadStarted):
    """One thread a worker runs: what it does, and its stack."""

    # cached_property needs the instance dict: pydantic keeps it when asked to ignore these
    model_config = ConfigDict(extra="ignore", ignored_types=(cached_property,))

    activity: str
    # the Python thread's own name, as a run's probe reports it (``Thread(name="counter-1")``)
    name: str | None = None

    @cached_property
    def stack(self) -> StackRange:
        """The stack as a hashable range (built once: the sampler asks for it every tick)."""
        return StackRange(self.tid, self.stack_start, self.stack_end, self.guard)


class Forked(_Report):
    """Reply to ``fork``: the child's PID."""

    pid: int


class CancelReply(_Report):
    """Reply to ``cancel``: how many runs were told to stop."""

    cancelled: int = 0


class PyFrame(_Report):
    """One frame of a thread's Python stack."""

    function: str
    file: str
    line: int | None = None
    locals: dict[str, str] = {}


class PyStack(_Report):
    """Reply to ``stack``: a thread's frames, outermost first."""

    tid: int
    frames: list[PyFrame]


class Empty(_Report):
    """Reply to commands that return nothing."""


class Describe(_Report):
    """Everything a worker knows that /proc does not: threads, stacks, the counter."""

    pid: int
    ppid: int = 0
    lab_parent: int | None = None
    counter: CounterView | None = None  # a user program's process has no lab counter
    threads: list[ThreadReport]
    inherited: list[StackReport] = []


class Hello(Describe):
    """First line on a new connection: who the worker is."""

    type: Literal["hello"]


class ThreadsMessage(Describe):
    """Threads started or ended: the whole picture again."""

    type: Literal["threads"]


class CounterMessage(CounterView):
    """The counter (and shared segments) changed."""

    type: Literal["counter"]


class SteppedMessage(_Report):
    """Where the threads of the stepped scene stand (null: none is running)."""

    type: Literal["stepped"]
    run: SteppedView | None


class StepReply(_Report):
    """Reply to ``step``."""

    step: StepEntry
    run: SteppedView


class Reply(_Report):
    """The answer to one command: ``result`` on success, ``error`` otherwise."""

    type: Literal["reply"]
    id: str | None = None
    ok: bool
    result: dict[str, Any] = {}
    error: str | None = None


class ThreadExit(_Report):
    """A lab thread ended on its own or was stopped; ``detail`` holds an exception it raised."""

    type: Literal["thread_exit"]
    tid: int
    reason: str
    detail: str | None = None


class CostsReport(_Report):
    """What ``app.lab.costs.measure`` returns."""

    rows: list[CostRow]
    cancelled: bool
    timed_out: bool = False
    budget: float = 20.0
    seconds: float
    cpus: int
    tasks: int
    task_seconds: float
    other_load: float
    steal: float
    reliable: bool
    discarded: list[str]


class ResponseReport(_Report):
    """What ``app.lab.response.measure`` returns."""

    rows: list[ResponseRow]
    cancelled: bool
    seconds: float
    switch_interval_ms: float
    chunk_ms: float
    cpus: int
    other_load: float
    reliable: bool


class JobDone(_Report):
    """A race, shared-memory run or measurement (costs, response) finished (after its command's reply)."""

    type: Literal["job_done"]
    job: str
    kind: Literal["race", "shm", "costs", "response", "switch_sweep"]
    threads: int = 0
    increments: int = 0
    lock: bool = False
    expected: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    actual: int | None = None
    path: str | None = None
    costs: CostsReport | None = None
    response: ResponseReport | None = None
    switch_sweep: SwitchSweepReport | None = None
    error: str | None = None


class IpcReceived(_Report):
    """A message arrived in a receiver's inbox."""

    type: Literal["ipc_received"]
    xfer: str
    kind: str
    text: str
    bytes: int = 0


class ChildExit(_Report):
    """A forked child of this worker ended and the worker reaped it."""

    type: Literal["child_exit"]
    pid: int
    code: int


WorkerMessage = Annotated[
    Hello
    | ThreadsMessage
    | CounterMessage
    | SteppedMessage
    | Reply
    | ThreadExit
    | JobDone
    | IpcReceived
    | ChildExit,
    Field(discriminator="type"),
]
_MESSAGE = TypeAdapter(WorkerMessage)


def parse_message(line: bytes | str) -> WorkerMessage:
    """One JSON line from a worker, validated (raises pydantic.ValidationError)."""
    return _MESSAGE.validate_json(line)
