"""Lesson mode: puts the lab in each scene's state, runs its reveal, and keeps the class's votes.

Everything a scene needs is done on the real lab through the same Lab and
Experiments the buttons use, so every process, thread and figure it shows is
as real as the rest of the page. A scene's setup is applied idempotently: the
lesson's own processes are kept when they already match, and only what is
missing is started (and what is extra, stopped). Processes the presenter
started by hand before the lesson are left running but set aside: the page does
not draw them while the lesson runs, so each scene owns the stage.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

from ..control.errors import LabError
from ..control.experiments import Experiments
from ..control.lab import Lab
from ..lab.activities import SETUP_ACTIVITIES
from ..protocol import LessonView, RevealView, SceneView
from .model import Lesson, ProcessSetup, Reveal, SteppedScene
from .reveals import Stage, measure
from .votes import Ballot


class LessonRunner:
    """The lesson the class is following, if lesson mode is on."""

    def __init__(
        self,
        lesson: Lesson,
        lab: Lab,
        experiments: Experiments,
        published: Callable[[], object] = lambda: None,
    ) -> None:
        self.lesson = lesson
        self.lab = lab
        self.experiments = experiments
        # The picture must show what a setup did as it goes: redraws it now (the frame builder's).
        self.published = published
        self.index: int | None = None
        self.pids: list[int] = []
        # the presenter's own processes from before the lesson: kept, but off the stage meanwhile
        self.aside: set[int] = set()
        per_address = lab.settings.voters_per_address
        self.ballots = {s.question.id: Ballot(s.question, per_address) for s in lesson.scenes if s.question}
        self.revealed: dict[str, RevealView] = {}
        self.busy: str | None = None
        self.error: str | None = None
        self.error_code: str | None = None
        self.version = 0
        self._lock = asyncio.Lock()

    def changed(self) -> None:
        """Say that what the lesson shows has changed (the next frame carries it)."""
        self.version += 1

    # ---- what the class sees ----------------------------------------------
    def view(self) -> LessonView | None:
        """The lesson as the page draws it; None when lesson mode is off."""
        if self.index is None:
            return None
        scene = self.lesson.scenes[self.index]
        ballot = self.ballots.get(scene.question.id) if scene.question else None
        return LessonView(
            title=self.lesson.title.model_dump(),
            scenes=[s.id for s in self.lesson.scenes],
            scene=SceneView(
                index=self.index,
                id=scene.id,
                kind=scene.kind,
                headline=scene.headline.model_dump(),
                narration=scene.narration.model_dump(),
                question=ballot.view() if ballot else None,
                reveal=scene.reveal.experiment if scene.reveal else None,
                revealed=self.revealed.get(scene.id),
                pids=list(self.pids),
            ),
            busy=self.busy,
            error=self.error,
            error_code=self.error_code if self.error else None,
            aside=sorted(self.aside.intersection(p.pid for p in self.lab.live()).difference(self.pids)),
        )

    # ---- presenter commands -----------------------------------------------
    async def go(self, index: int) -> LessonView | None:
        """Move the class to scene ``index`` and set the lab up for it."""
        if index >= len(self.lesson.scenes):
            raise LabError(
                "not_found",
                f"the lesson has {len(self.lesson.scenes)} scenes (0 to {len(self.lesson.scenes) - 1})",
            )
        async with self._guard("setup"):
            previous = self.index
            scene = self.lesson.scenes[index]
            if previous is not None and previous != index:
                await self._leave(self.lesson.scenes[previous])
            if previous is None:
                self.aside = {p.pid for p in self.lab.live()} - set(self.pids)
            self.index = index
            self.changed()
            try:
                await self._setup(scene.setup)
                if isinstance(scene, SteppedScene):
                    proc = self.lab.procs.get(self.pids[0])
                    if proc is not None and (proc.stepped is None or proc.stepped.mode != scene.stepped.mode):
                        if proc.stepped is not None:
                            await self.experiments.step_end(proc.pid)
                        st = scene.stepped
                        await self.experiments.step_start(proc.pid, st.mode, st.threads, st.rounds)
                self.error = None
            except LabError as exc:
                self.error, self.error_code = exc.message, exc.code
                raise
        return self.view()

    async def reveal(self) -> LessonView | None:
        """Close the scene's question and run its experiment; the measured figure marks the answer."""
        if self.index is None:
            raise LabError("closed", "lesson mode is off: go to a scene first")
        scene = self.lesson.scenes[self.index]
        if scene.reveal is None:
            raise LabError("invalid_request", f"scene {scene.id!r} has nothing to reveal")
        async with self._guard("reveal"):
            ballot = self.ballots.get(scene.question.id) if scene.question else None
            if ballot is not None:
                ballot.open = False  # no more votes: the answer is coming
            self.changed()
            try:
                revealed = await self._run(scene.reveal)
            except LabError as exc:
                self.error, self.error_code = exc.message, exc.code
                if ballot is not None:
                    ballot.open = scene.id not in self.revealed  # nothing measured: voting goes on
                raise
            if scene.question is not None and ballot is not None:
                revealed.value = revealed.figures.get(scene.question.figure)
                ballot.value = revealed.value
            self.revealed[scene.id] = revealed
            self.error = None
        return self.view()

    async def end(self) -> None:
        """Leave lesson mode; the lab stays as it is, apart from a stepped scene's threads."""
        async with self._guard("setup"):
            if self.index is not None:
                await self._leave(self.lesson.scenes[self.index])
            self.index = None
            self.aside = set()
            self.changed()

    def close(self) -> None:
        """Leave lesson mode at once, because the lab was reset under it (its processes are gone)."""
        self.index = None
        self.pids = []
        self.aside = set()
        self.changed()

    def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str = ""
    ) -> int:
        """Count one viewer's vote (from ``address``) on the open question; return how many have voted."""
        scene = self.lesson.scenes[self.index] if self.index is not None else None
        if scene is None or scene.question is None or scene.question.id != question:
            raise LabError("closed", f"question {question!r} is not open: the class is not on its scene")
        ballot = self.ballots[question]
        ballot.cast(voter, choice, number, address)
        self.changed()
        return len(ballot.votes)

    # ---- how -------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _guard(self, what: str) -> AsyncIterator[None]:
        """Hold the lesson while a setup or reveal runs, and say so on the page.

        Commands wait their turn, in order: a presenter pressing → twice goes two scenes on.
        """
        async with self._lock:
            self.busy = what
            self.changed()
            self.published()
            try:
                yield
            finally:
                self.busy = None
                self.changed()

    async def _leave(self, scene: object) -> None:
        # A stepped scene's threads go with it; deadlocked ones only with their process.
        if isinstance(scene, SteppedScene) and self.pids:
            proc = self.lab.procs.get(self.pids[0])
            if proc is not None and proc.alive and proc.stepped is not None:
                try:
                    await self.experiments.step_end(proc.pid)
                except LabError:
                    # a deadlock ends only with its process; the presenter may have stopped it meanwhile
                    if proc.alive:
                        await self.lab.stop_process(proc.pid)

    async def _setup(self, specs: list[ProcessSetup]) -> None:
        pids: list[int] = []
        for i, spec in enumerate(specs):
            parent = pids[spec.fork_of] if spec.fork_of is not None else None
            pid = self.pids[i] if i < len(self.pids) else None
            proc = self.lab.procs.get(pid) if pid is not None else None
            if proc is None or not proc.alive or proc.parent != parent:
                if proc is not None and proc.alive:
                    await self.lab.stop_process(proc.pid)
                pid = await self.lab.spawn_process(parent)
            assert pid is not None
            pids.append(pid)
            self.pids = pids + self.pids[len(pids) :]
            await self._threads(pid, spec.threads)
            self.published()
        for pid in self.pids[len(specs) :]:
            proc = self.lab.procs.get(pid)
            if proc is not None and proc.alive:
                await self.lab.stop_process(pid)
        self.pids = pids
        self.changed()

    async def _threads(self, pid: int, wanted: list[str]) -> None:
        proc = self.lab.get_running(pid)
        have: dict[str, list[int]] = {}
        for t in proc.threads.values():
            if t.activity in SETUP_ACTIVITIES:
                have.setdefault(t.activity, []).append(t.tid)
        want = Counter(wanted)
        for activity in SETUP_ACTIVITIES:
            tids = have.get(activity, [])
            for tid in tids[want[activity] :]:
                await self.lab.stop_thread(pid, tid)
            for _ in range(want[activity] - len(tids)):
                await self.lab.spawn_thread(pid, activity)

    async def _run(self, reveal: Reveal) -> RevealView:
        now = time.time()
        m = await measure(Stage(self.lab, self.experiments, list(self.pids)), reveal)
        return RevealView(
            experiment=reveal.experiment,
            figures=m.figures,
            reliable=m.reliable,
            detail=m.detail,
            note=m.note,
            params=m.params,
            ts=now,
        )
