"""The one door from web/ into the lab: what routes and the stream may ask, typed.

Two things stand behind it: the live lab (app/web/live.py) and a recording
being replayed (app/web/replay.py). Routes never reach past it into the lab's
own objects, so a replay answers every route, in the documented error shape
where there is nothing to answer with. ``Web`` is everything else the web
layer holds, in one typed object the routes get through ``Depends``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import Request
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.types import Scope

from ..observe.history import Mark
from ..protocol import (
    Command,
    CostsView,
    FeedView,
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
from ..settings import Settings
from .auth import Lockout, RateLimits
from .binding import Listener
from .broadcast import Broadcaster
from .voters import VoterIds


class Moment(Protocol):
    """One message of the past: a keyframe (snapshot) or a frame."""

    @property
    def keyframe(self) -> bool: ...


class Past(Protocol):
    """The kept past, as the history routes read it: a live history or a recording."""

    @property
    def start(self) -> float | None: ...
    @property
    def end(self) -> float | None: ...
    @property
    def seconds(self) -> float: ...
    @property
    def bytes(self) -> int: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def dropped(self) -> int: ...
    @property
    def entries(self) -> Sequence[Moment]: ...
    @property
    def marks(self) -> Sequence[Mark]: ...

    async def export(self, start: float, end: float, host: HostFacts) -> bytes:
        """``start``..``end`` as a .ptlab file."""
        ...


class LabPort(Protocol):
    """What the web layer asks of whatever stands behind it."""

    replay: bool
    relay: bool

    @property
    def history(self) -> Past: ...
    @property
    def server_info(self) -> ServerInfo: ...
    @property
    def seq(self) -> int: ...

    def snapshot(self, role: Role = "viewer", lanes: bool = False) -> Snapshot:
        """The whole picture now."""
        ...

    def snapshot_json(self, role: Role = "viewer") -> str:
        """The picture as the stream sends it to a joining client."""
        ...

    def unready(self) -> str | None:
        """Why no viewer can be served now (a relay without Redis or a picture); None when one can."""
        ...

    def relay_view(self) -> RelayView | None:
        """How a relay follows its lab server (None: this is not a relay)."""
        ...

    def running(self) -> int:
        """Lab processes running now."""
        ...

    def tick_ms(self) -> float:
        """Mean CPU time of one sampling tick, ms."""
        ...

    def costs(self) -> CostsView | None:
        """The latest costs measurement."""
        ...

    def switch_sweep(self) -> SwitchSweepView | None:
        """The latest switch sweep."""
        ...

    def run_view(self) -> RunView | None:
        """The current (or last) run of user code."""
        ...

    def run_code(self) -> str | None:
        """The source of the current (or last) run."""
        ...

    def lesson(self) -> LessonView | None:
        """Where the class is in the lesson (None: lesson mode is off)."""
        ...

    def host_facts(self) -> HostFacts:
        """The facts of the machine the picture comes from (for a recording's header)."""
        ...

    async def python_stack(self, pid: int, tid: int) -> PyStackView:
        """A thread's live Python stack."""
        ...

    async def run(self, cmd: Command) -> BaseModel:
        """Carry out a presenter's command."""
        ...

    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int:
        """Count a viewer's vote; how many have voted."""
        ...

    def bound(self, listeners: list[Listener]) -> bool:
        """The server's real sockets are known; whether code may be run from the page."""
        ...


@dataclass
class Web:
    """Everything the web layer holds, typed: settings, the guards' state, the fan-out, and the lab."""

    settings: Settings
    templates: Jinja2Templates
    hosts: frozenset[str]
    rest_limits: RateLimits
    lockout: Lockout = field(default_factory=Lockout)
    voter_ids: VoterIds = field(default_factory=VoterIds)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    # where the server really listens, once known (app/web/binding.py); the settings' until then
    listening: tuple[str, int] = ("127.0.0.1", 0)
    lab: LabPort | None = None
    # with PTLAB_REDIS_URL: how the feed to relays is doing (app/relay/feed.py), for /api/health
    feed: Callable[[], FeedView] | None = None

    def port(self) -> LabPort:
        """The lab behind the door (set while the server runs)."""
        assert self.lab is not None, "the lab is set up by the app's lifespan"
        return self.lab


def web_of(scope: Scope) -> Web:
    """The Web of the app serving this request or websocket."""
    return scope["app"].state.web


def get_web(request: Request) -> Web:
    """Dependency: the web layer's state."""
    return web_of(request.scope)


def get_lab(request: Request) -> LabPort:
    """Dependency: the lab behind the door."""
    return web_of(request.scope).port()
