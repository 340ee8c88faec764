"""One command path: a typed command in, a typed result out, for REST and websocket alike.

Routes and the websocket build a command model (``app.protocol.Command``)
and hand it here; a table keyed by ``op`` picks the handler. After every
command the ``published`` hook runs, so the picture every client sees
already shows what the command did by the time its answer goes out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from ..lesson.runner import LessonRunner
from ..protocol import (
    CancelCmd,
    CancelCostsCmd,
    Command,
    CostsCmd,
    FocusCmd,
    FocusView,
    IpcCmd,
    LessonEndCmd,
    LessonGoCmd,
    LessonResult,
    LessonRevealCmd,
    PidResult,
    RaceCmd,
    ResetCmd,
    ResetResult,
    ResponseCmd,
    RunResult,
    RunStartCmd,
    RunStopCmd,
    ShmCmd,
    SpawnProcessCmd,
    SpawnThreadCmd,
    StepCmd,
    StepEndCmd,
    StepStartCmd,
    StopProcessCmd,
    StopThreadCmd,
    SwitchSweepCmd,
    TidResult,
)
from .errors import LabError
from .experiments import Experiments
from .lab import Lab
from .runs import Runs

Handler = Callable[[Any], Awaitable[BaseModel]]


class Focus:
    """The presenter's focus, and a version that moves with every change (the frame builder sends it then)."""

    def __init__(self) -> None:
        self.view = FocusView()
        self.version = 0

    def set(self, view: FocusView) -> None:
        """Point the class at ``view``."""
        if view != self.view:
            self.view = view
            self.version += 1


class CommandService:
    """Carries out control commands on the lab and its experiments."""

    def __init__(
        self,
        lab: Lab,
        experiments: Experiments,
        focus: Focus,
        published: Callable[[bool], object],
        lesson: LessonRunner,
        runs: Runs,
    ) -> None:
        self.lab = lab
        self.lesson = lesson
        self.runs = runs
        self.experiments = experiments
        self.focus = focus
        self.published = published  # called with fresh=True when /proc must be re-read at once
        self._table: dict[str, Handler] = {
            "spawn_process": self._spawn_process,
            "spawn_thread": self._spawn_thread,
            "stop_thread": self._stop_thread,
            "stop_process": self._stop_process,
            "reset": self._reset,
            "race": self._race,
            "cancel": self._cancel,
            "ipc": self._ipc,
            "shm": self._shm,
            "costs": self._costs,
            "cancel_costs": self._cancel_costs,
            "response": self._response,
            "switch_sweep": self._switch_sweep,
            "step_start": self._step_start,
            "step": self._step,
            "step_end": self._step_end,
            "lesson_go": self._lesson_go,
            "lesson_reveal": self._lesson_reveal,
            "lesson_end": self._lesson_end,
            "run_start": self._run_start,
            "run_stop": self._run_stop,
            "focus": self._focus,
        }

    @property
    def ops(self) -> frozenset[str]:
        """Every op this service handles."""
        return frozenset(self._table)

    async def run(self, cmd: Command) -> BaseModel:
        """Carry out one validated command, then publish its effect at once.

        Publishing right away (instead of at the next tick) means an answer is
        never ahead of /api/state or the stream: the new PID is already in both.
        """
        result = await self._table[cmd.op](cmd)
        # a new focus changes nothing in the lab: publish it without re-reading every maps file
        self.published(cmd.op != "focus")
        return result

    async def _spawn_process(self, cmd: SpawnProcessCmd) -> PidResult:
        return PidResult(pid=await self.lab.spawn_process(cmd.parent))

    async def _spawn_thread(self, cmd: SpawnThreadCmd) -> TidResult:
        return TidResult(pid=cmd.pid, tid=await self.lab.spawn_thread(cmd.pid, cmd.activity))

    async def _stop_thread(self, cmd: StopThreadCmd) -> TidResult:
        await self.lab.stop_thread(cmd.pid, cmd.tid)
        return TidResult(pid=cmd.pid, tid=cmd.tid)

    async def _stop_process(self, cmd: StopProcessCmd) -> PidResult:
        await self.lab.stop_process(cmd.pid, cmd.code)
        return PidResult(pid=cmd.pid)

    async def _reset(self, cmd: ResetCmd) -> ResetResult:
        if self.runs.current is not None and self.runs.current.ended is None:
            await self.runs.stop("the lab was reset")
        stopped = await self.lab.reset()
        self.experiments.cleanup()
        self.lesson.close()
        return ResetResult(stopped=stopped)

    async def _race(self, cmd: RaceCmd) -> BaseModel:
        return await self.experiments.race(cmd.pid, cmd.threads, cmd.increments, cmd.lock)

    async def _cancel(self, cmd: CancelCmd) -> BaseModel:
        return await self.experiments.cancel(cmd.pid)

    async def _ipc(self, cmd: IpcCmd) -> BaseModel:
        return await self.experiments.ipc(cmd.kind, cmd.sender, cmd.receiver, cmd.message)

    async def _shm(self, cmd: ShmCmd) -> BaseModel:
        return await self.experiments.shm(cmd.pids, cmd.increments, cmd.lock)

    async def _costs(self, cmd: CostsCmd) -> BaseModel:
        return await self.experiments.costs()

    async def _cancel_costs(self, cmd: CancelCostsCmd) -> BaseModel:
        return await self.experiments.cancel_costs()

    async def _response(self, cmd: ResponseCmd) -> BaseModel:
        return await self.experiments.response()

    async def _switch_sweep(self, cmd: SwitchSweepCmd) -> BaseModel:
        return await self.experiments.switch_sweep()

    async def _step_start(self, cmd: StepStartCmd) -> BaseModel:
        return await self.experiments.step_start(cmd.pid, cmd.mode, cmd.threads, cmd.rounds)

    async def _step(self, cmd: StepCmd) -> BaseModel:
        return await self.experiments.step(cmd.pid, cmd.thread)

    async def _step_end(self, cmd: StepEndCmd) -> BaseModel:
        return await self.experiments.step_end(cmd.pid)

    async def _lesson_go(self, cmd: LessonGoCmd) -> LessonResult:
        return LessonResult(lesson=await self.lesson.go(cmd.index))

    async def _lesson_reveal(self, cmd: LessonRevealCmd) -> LessonResult:
        return LessonResult(lesson=await self.lesson.reveal())

    async def _lesson_end(self, cmd: LessonEndCmd) -> LessonResult:
        await self.lesson.end()
        return LessonResult(lesson=None)

    async def _run_start(self, cmd: RunStartCmd) -> RunResult:
        return RunResult(run=await self.runs.start(cmd.code, cmd.name, cmd.args))

    async def _run_stop(self, cmd: RunStopCmd) -> RunResult:
        return RunResult(run=await self.runs.stop())

    async def _focus(self, cmd: FocusCmd) -> FocusView:
        if cmd.pid is not None:
            proc = self.lab.procs.get(cmd.pid)
            if proc is None:
                raise LabError("not_found", f"{cmd.pid} is not a lab process")
            if cmd.tid is not None and cmd.tid not in proc.threads:
                raise LabError("not_found", f"{cmd.tid} is not a thread of lab process {cmd.pid}")
        elif cmd.tid is not None:
            raise LabError("invalid_request", "a thread is focused only together with its process")
        self.focus.set(FocusView(pid=cmd.pid, tid=cmd.tid, panel=cmd.panel, lanes=cmd.lanes, at=cmd.at))
        return self.focus.view
