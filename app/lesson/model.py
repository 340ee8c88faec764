"""The lesson file's schema: what a teacher writes, validated before the server starts.

A lesson is a list of scenes. Each scene has a headline and narration in
English and Korean, the lab it needs (``setup``: processes, their threads'
activities, forks), and optionally a question the class votes on and the
real experiment (``reveal``) whose measured figure marks the answer.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..lab.activities import SETUP_ACTIVITIES

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
ProcIndex = Annotated[int, Field(ge=0, le=3)]
LabActivity = Literal[SETUP_ACTIVITIES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    # A misspelt field is an error a teacher wants to hear about, not a silent default.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(_Strict):
    """One text in both languages of the lab: neither may be missing."""

    en: Annotated[str, Field(min_length=1, max_length=600)]
    ko: Annotated[str, Field(min_length=1, max_length=600)]


class ProcessSetup(_Strict):
    """One process a scene needs: a new one, or a fork of an earlier one, with these threads."""

    fork_of: ProcIndex | None = Field(None, description="index of an earlier process of this setup to fork")
    threads: Annotated[list[LabActivity], Field(max_length=8)] = []


class RaceReveal(_Strict):
    """N threads of a process, K racy increments each: figures actual, expected, lost."""

    experiment: Literal["race"]
    process: ProcIndex = 0
    threads: Annotated[int, Field(ge=2, le=16)] = 8
    increments: Annotated[int, Field(ge=1, le=200_000)] = 10_000
    lock: bool = False


class WatchReveal(_Strict):
    """Watch a process's counter for a few seconds: figure delta (how much it grew)."""

    experiment: Literal["watch"]
    process: ProcIndex = 0
    seconds: Annotated[float, Field(ge=0.5, le=10)] = 2.0


class CpuReveal(_Strict):
    """Measure the cores a process's threads use together (from /proc): figure cores."""

    experiment: Literal["cpu"]
    process: ProcIndex = 0
    seconds: Annotated[float, Field(ge=0.5, le=10)] = 2.0


class IpcReveal(_Strict):
    """Send a message from one process to another: figure bytes (as received)."""

    experiment: Literal["ipc"]
    kind: Literal["pipe", "socket", "file"] = "pipe"
    sender: ProcIndex = 0
    receiver: ProcIndex = 1
    message: Annotated[str, Field(min_length=1, max_length=200)] = "hello"


class CostsReveal(_Strict):
    """Measure thread and process costs: figures creation_ratio, memory_ratio, switch_ratio."""

    experiment: Literal["costs"]


class RegistersReveal(_Strict):
    """Read every waiting thread's stack pointer from the kernel: figures own_stack (SPs inside the
    thread's own stack), not_own (inside another thread's stack or anywhere else), threads (read)."""

    experiment: Literal["registers"]
    process: ProcIndex = 0


class ResponseReveal(_Strict):
    """Measure how soon a process answers while it computes: the median round trip (ms) with the
    work on the same thread, on a second Python thread, on a second thread in C, in another process."""

    experiment: Literal["response"]


class SwitchSweepReveal(_Strict):
    """Measure a switch's cost against the working set (ring of two tasks): small_ratio (process ÷
    thread switch with no working set), large_ratio (the same at the largest working set), growth
    (a process switch at the largest working set ÷ at none)."""

    experiment: Literal["switch_sweep"]


class SteppedReveal(_Strict):
    """Read the stepped scene's result: figures lost, counter, expected."""

    experiment: Literal["stepped"]


Reveal = Annotated[
    RaceReveal
    | WatchReveal
    | CpuReveal
    | IpcReveal
    | CostsReveal
    | SteppedReveal
    | RegistersReveal
    | ResponseReveal
    | SwitchSweepReveal,
    Field(discriminator="experiment"),
]
FIGURES: dict[str, tuple[str, ...]] = {
    "race": ("actual", "expected", "lost"),
    "watch": ("delta",),
    "cpu": ("cores",),
    "ipc": ("bytes",),
    "costs": ("creation_ratio", "memory_ratio", "switch_ratio"),
    "stepped": ("lost", "counter", "expected"),
    "registers": ("own_stack", "not_own", "threads"),
    "response": ("one_thread_ms", "gil_thread_ms", "gil_free_ms", "process_ms", "switch_ms"),
    "switch_sweep": ("small_ratio", "large_ratio", "growth"),
}


class Option(_Strict):
    """An answer: a choice, or a range of numbers; it is right when the measured figure falls in it."""

    id: Slug
    label: Text
    min: float | None = Field(None, description="the figure is at least this (absent: no lower bound)")
    max: float | None = Field(None, description="the figure is at most this (absent: no upper bound)")

    def holds(self, value: float) -> bool:
        """Whether ``value`` falls in this option's range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @model_validator(mode="after")
    def _ordered(self) -> Option:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"option {self.id!r}: min {self.min} is above max {self.max}")
        for bound in (self.min, self.max):
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"option {self.id!r}: bounds must be finite numbers")
        return self


class Question(_Strict):
    """Asked before the reveal: ``choice`` (pick an option) or ``number`` (type one; binned by range)."""

    id: Slug
    kind: Literal["choice", "number"]
    prompt: Text
    figure: str = Field(description="which of the reveal's figures decides the answer")
    options: Annotated[list[Option], Field(min_length=2, max_length=6)]

    @model_validator(mode="after")
    def _distinct(self) -> Question:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id!r}: option ids repeat")
        return self


class _Scene(_Strict):
    id: Slug
    headline: Text
    narration: Text
    setup: Annotated[list[ProcessSetup], Field(max_length=4)] = []
    question: Question | None = None
    reveal: Reveal | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _Scene:
        for i, p in enumerate(self.setup):
            if p.fork_of is not None and p.fork_of >= i:
                raise ValueError(f"setup process {i} forks {p.fork_of}, which is not an earlier process")
        for name in ("process", "sender", "receiver"):
            index = getattr(self.reveal, name, None)
            if index is not None and index >= len(self.setup):
                raise ValueError(f"reveal.{name} is {index}, but the setup has {len(self.setup)} processes")
        if self.question is not None:
            if self.reveal is None:
                raise ValueError("a scene with a question needs a reveal: the experiment that answers it")
            figures = FIGURES[self.reveal.experiment]
            if self.question.figure not in figures:
                raise ValueError(
                    f"question.figure {self.question.figure!r} is not a figure of the "
                    f"{self.reveal.experiment} experiment ({', '.join(figures)})"
                )
        return self


class ShowScene(_Scene):
    """A scene that sets up the lab for the class to look at (and maybe asks and reveals)."""

    kind: Literal["show"]


class SteppedSetup(_Strict):
    """The slow-motion race a stepped scene starts, on its first process."""

    mode: Literal["race", "lock", "deadlock", "ordered"]
    threads: Annotated[int, Field(ge=2, le=3)] = 2
    rounds: Annotated[int, Field(ge=1, le=5)] = 1


class SteppedScene(_Scene):
    """A scene whose threads the presenter steps by hand (keys 1/2/3, or auto)."""

    kind: Literal["stepped"]
    stepped: SteppedSetup

    @model_validator(mode="after")
    def _has_process(self) -> SteppedScene:
        if not self.setup:
            raise ValueError("a stepped scene needs at least one process in its setup")
        return self


Scene = Annotated[ShowScene | SteppedScene, Field(discriminator="kind")]


class Lesson(_Strict):
    """A lesson: its title and scenes, in order."""

    title: Text
    scenes: Annotated[list[Scene], Field(min_length=1, max_length=40)]

    @model_validator(mode="after")
    def _unique(self) -> Lesson:
        ids = [s.id for s in self.scenes]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"scene ids repeat: {', '.join(sorted(dup))}")
        qids = [s.question.id for s in self.scenes if s.question]
        if len(set(qids)) != len(qids):
            raise ValueError("question ids repeat: each question needs its own id")
        return self
