"""The live lab behind the web layer's door: built, run and torn down by ``live_lab``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import BaseModel

from .. import recording
from ..control.commands import CommandService, Focus
from ..control.errors import LabError
from ..control.experiments import Experiments
from ..control.lab import Lab, stop_being_dumpable
from ..control.runs import Runs, Script, isolation
from ..lesson.model import Lesson
from ..lesson.runner import LessonRunner
from ..observe.frames import FrameBuilder
from ..observe.history import History
from ..protocol import (
    Command,
    CostsView,
    Isolation,
    LessonView,
    PyStackView,
    RelayView,
    Role,
    RunView,
    ServerInfo,
    Snapshot,
    SwitchSweepView,
)
from ..settings import Settings
from .binding import Listener
from .broadcast import Broadcaster, spare_the_fan_out


@dataclass
class LiveLab:
    """The running lab, as the routes and the stream may ask of it (a ``LabPort``)."""

    lab: Lab
    experiments: Experiments
    frames: FrameBuilder
    commands: CommandService
    runs: Runs
    lessons: LessonRunner
    replay: bool = False
    relay: bool = False
    # ``ptlab run``'s script: started once the server has said where it listens, so that its last
    # line ("exited with code 1") comes after the URLs, not before them
    script: Script | None = None
    starting: asyncio.Task[None] | None = None

    @property
    def history(self) -> History:
        """The recent past the sampler keeps."""
        return self.frames.history

    @property
    def server_info(self) -> ServerInfo:
        """This server's facts, as in every snapshot."""
        return self.frames.server_info

    @property
    def seq(self) -> int:
        """The last frame's sequence number."""
        return self.frames.seq

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The whole picture now."""
        return self.frames.snapshot(role, lanes)

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The picture as a joining client gets it."""
        return self.frames.snapshot_json(role)

    def unready(self) -> str | None:
        """The live lab always has a picture."""
        return None

    def relay_view(self) -> RelayView | None:
        """Not a relay."""
        return None

    def running(self) -> int:
        """Lab processes running now."""
        return len(self.lab.live())

    def tick_ms(self) -> float:
        """Mean CPU time of one sampling tick, ms."""
        return self.frames.tick_cpu_ms()

    def costs(self) -> CostsView | None:
        """The latest costs measurement."""
        return self.experiments.costs_result

    def switch_sweep(self) -> SwitchSweepView | None:
        """The latest switch sweep."""
        return self.experiments.switch_sweep_result

    def run_view(self) -> RunView | None:
        """The current (or last) run of user code."""
        return self.runs.view()

    def run_code(self) -> str | None:
        """The source of the current (or last) run."""
        return self.runs.code()

    def lesson(self) -> LessonView | None:
        """Where the class is in the lesson."""
        return self.lessons.view()

    def host_facts(self) -> recording.HostFacts:
        """This machine's facts, for an export's header."""
        return recording.host_facts(self.server_info.hz, self.server_info.pagemap)

    async def python_stack(self, pid: int, tid: int) -> PyStackView:
        """A thread's live Python stack, asked of its own process."""
        return await self.lab.python_stack(pid, tid)

    async def run(self, cmd: Command) -> BaseModel:
        """Carry out a presenter's command."""
        return await self.commands.run(cmd)

    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int:
        """Count a viewer's vote on the open question."""
        return self.lessons.vote(voter, question, choice, number, address)

    def bound(self, listeners: list[Listener]) -> bool:
        """The server's real sockets are known: decide whether code may run from the page (returned)."""
        self.runs.listening_publicly = any(listener.public for listener in listeners)
        code = self.runs.code_allowed
        self.frames.server_info = self.frames.server_info.model_copy(update={"code": code})
        if self.script is not None:
            # a task: it runs once the caller has printed the URLs
            script, self.script = self.script, None
            self.starting = asyncio.get_running_loop().create_task(self._start(script))
        return code

    async def _start(self, script: Script) -> None:
        try:
            await self.runs.start_script(script)
        except LabError as exc:
            if script.watcher is not None:
                script.watcher.failed(f"{script.name} could not be started: {exc.message}")


@asynccontextmanager
async def live_lab(
    settings: Settings,
    lesson: Lesson,
    broadcaster: Broadcaster,
    script: Script | None = None,
) -> AsyncIterator[LiveLab]:
    """Start the lab, its sampler and its command service; end and reap everything afterwards.

    ``script``: ``ptlab run``'s, run as soon as the server listens (``LiveLab.bound``).
    """
    stop_being_dumpable()
    lab = Lab(settings)
    await lab.start()
    experiments = Experiments(lab)
    contained = await asyncio.to_thread(isolation) if settings.run_namespaces else None
    runs = Runs(lab, settings, contained or Isolation(namespaces=False, why="PTLAB_RUN_NAMESPACES=0"))
    lessons = LessonRunner(lesson, lab, experiments)
    focus = Focus()
    frames = FrameBuilder(lab, experiments, settings, broadcaster.publish, focus, lessons, runs)
    # The picture depends on the lesson and the commands, and they must redraw it as they go:
    # handed to them now that it exists.
    broadcaster.snapshot = frames.snapshot_json
    lessons.published = frames.tick_now
    commands = CommandService(lab, experiments, focus, published=frames.tick, lesson=lessons, runs=runs)
    frames.start()
    spare_the_fan_out()
    live = LiveLab(lab, experiments, frames, commands, runs, lessons, script=script)
    try:
        yield live
    finally:
        if live.starting is not None:
            live.starting.cancel()
        await runs.shutdown()
        await frames.stop()
        broadcaster.close()
        await lab.shutdown()
        experiments.cleanup()
