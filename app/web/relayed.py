"""A relay behind the web layer's door: ``ptlab relay --redis URL``.

The page, the stream and the history routes work as on the lab server, from what the lab server
publishes to Redis (app/relay/): viewers get the same snapshot and frames, votes reach the lab
server and are counted there. Nothing here controls the lab: every command is refused (read_only),
and no presenter token exists on a relay.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..control.errors import LabError
from ..observe.history import History
from ..protocol import (
    Command,
    CostsView,
    LessonView,
    PyStackView,
    RelayView,
    Role,
    RunView,
    ServerInfo,
    Snapshot,
    SwitchSweepView,
)
from ..recording import HostFacts
from ..relay.channels import NO_PICTURE, RELAY_READ_ONLY
from ..settings import Settings
from .binding import Listener
from .broadcast import Broadcaster, spare_the_fan_out
from .voters import VoterIds

if TYPE_CHECKING:
    from ..relay.follower import Follower


M = TypeVar("M", bound=BaseModel)


def _read_once(kept: tuple[object, M] | None, raw: object, parse: Callable[[Any], M]) -> tuple[object, M]:
    """``kept`` when it was read from this very ``raw`` object (the picture did not change), else
    ``raw`` read now: a picture this relay cannot read is a lab it cannot serve."""
    if kept is not None and kept[0] is raw:
        return kept
    try:
        return raw, parse(raw)
    except ValidationError as exc:  # a lab server of another version
        raise LabError("no_lab", f"the lab server's picture is not one this relay reads: {exc}") from None


@dataclass
class RelayLab:
    """The lab as a relay sees it (a ``LabPort``): its picture, carried by the feed, and no lab."""

    follower: Follower
    replay: bool = False
    relay: bool = True
    _parsed: tuple[object, Snapshot] | None = field(default=None, init=False)
    _server: tuple[object, ServerInfo] | None = field(default=None, init=False)

    @property
    def history(self) -> History:
        """What this relay has kept of the feed: its viewers' pause reads it."""
        return self.follower.history

    def _latest(self) -> Snapshot:
        text = self.follower.picture()
        if text is None:
            raise LabError("no_lab", self.follower.unready() or NO_PICTURE)
        self._parsed = _read_once(self._parsed, text, Snapshot.model_validate_json)
        return self._parsed[1]

    @property
    def server_info(self) -> ServerInfo:
        """The lab server's facts, from its latest keyframe (read once per keyframe, not per frame:
        /api/health asks for them, and the whole picture need not be parsed for that)."""
        current = self.follower.current
        if current is None:
            raise LabError("no_lab", self.follower.unready() or NO_PICTURE)
        self._server = _read_once(self._server, current.shell.get("server"), ServerInfo.model_validate)
        return self._server[1]

    @property
    def seq(self) -> int:
        """The last frame's sequence number: the lab server's."""
        return self.follower.seq

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The lab as of the last frame (without the lanes' history: that stays on the lab server)."""
        return self._latest()

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The lab as of the last frame, as the stream sends it."""
        text = self.follower.picture()
        if text is None:
            raise LabError("no_lab", self.follower.unready() or NO_PICTURE)
        return text

    def unready(self) -> str | None:
        """Why a viewer cannot be served now (no Redis, no keyframe yet); None when it can."""
        return self.follower.unready()

    def relay_view(self) -> RelayView:
        """How this relay follows the lab server."""
        f = self.follower
        return RelayView(redis=f.connected, keyframes=f.keyframes, drifted=f.drifted)

    def running(self) -> int:
        """Lab processes running as of the last frame, counted in the picture itself (not parsed)."""
        current = self.follower.current
        if current is None:
            return 0
        return sum(1 for p in current.processes.values() if p.get("status") == "running")

    def tick_ms(self) -> float:
        """A relay samples nothing."""
        return 0.0

    def costs(self) -> CostsView | None:
        """The costs the latest keyframe shows."""
        return self._latest().costs

    def switch_sweep(self) -> SwitchSweepView | None:
        """The switch sweep the latest keyframe shows."""
        return self._latest().switch_sweep

    def run_view(self) -> RunView | None:
        """The run the latest keyframe shows."""
        return self._latest().run

    def run_code(self) -> str | None:
        """The source stays on the lab server."""
        return None

    def lesson(self) -> LessonView | None:
        """Where the class is, as of the latest keyframe."""
        return self._latest().lesson

    def host_facts(self) -> HostFacts:
        """The lab server's machine, as its keyframe names it (not the relay's own)."""
        info = self.server_info
        return HostFacts(cpus=info.cpus, kernel=info.host.kernel, python="", hz=info.hz, pagemap=info.pagemap)

    async def python_stack(self, pid: int, tid: int) -> PyStackView:
        """A relay has no process to ask."""
        raise LabError("read_only", f"{RELAY_READ_ONLY}; ask the lab server for thread {tid}'s stack")

    async def run(self, cmd: Command) -> BaseModel:
        """Refuse, saying why."""
        raise LabError("read_only", RELAY_READ_ONLY)

    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int:
        """Hand the vote to the lab server through Redis; its count, or its refusal."""
        return await self.follower.vote(voter, question, choice, number, address)

    def bound(self, listeners: list[Listener]) -> bool:
        """A relay runs no code."""
        return False


@asynccontextmanager
async def relay_lab(
    settings: Settings, broadcaster: Broadcaster, voters: VoterIds
) -> AsyncIterator[RelayLab]:
    """Follow the lab through ``settings.redis_url`` for as long as the relay serves."""
    # imported here: the Redis client is loaded only by a relay, and by a lab server given a Redis
    from ..relay.follower import Follower
    from ..relay.reconnect import stop

    history = History(seconds=settings.history_minutes * 60, max_bytes=settings.history_mib << 20)
    follower = Follower(settings.redis_url, broadcaster, history, voters.rekey)
    broadcaster.snapshot = follower.picture
    task = asyncio.create_task(follower.run())
    spare_the_fan_out()
    try:
        yield RelayLab(follower)
    finally:
        await stop(task, "following the lab through Redis")
        broadcaster.close()
