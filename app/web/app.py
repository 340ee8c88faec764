"""The app factory: wires the lab, its experiments, the frame loop, the broadcaster and the routes."""

from __future__ import annotations

import asyncio
import gc
import mimetypes
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from .. import __version__
from ..control.commands import CommandService, Focus
from ..control.experiments import Experiments
from ..control.lab import Lab, stop_being_dumpable
from ..control.runs import Runs, isolation
from ..lesson.loader import load_lesson
from ..lesson.runner import LessonRunner
from ..observe.frames import FrameBuilder
from ..protocol import Isolation
from ..recording import Recording
from ..settings import Settings
from . import binding, errors
from .auth import Lockout, RateLimits
from .binding import Listener
from .broadcast import Broadcaster
from .gate import RequestGate
from .hosts import HostGuard, allowed_hosts
from .replay import ReadOnlyCommands, ReplaySource
from .routes import LARGER_BODIES, api, check_control, pages, require_presenter
from .urls import announce
from .voters import VoterIds
from .ws import stream

ROOT = Path(__file__).resolve().parent.parent.parent
# A chosen token shorter than this is warned about at start: 16 random letters and digits are
# about 95 bits, beyond any guessing at the lockout's pace.
SHORT_TOKEN = 16
# Slim images have no /etc/mime.types and Python 3.11's own table lacks it.
mimetypes.add_type("font/woff2", ".woff2")


def create_app(
    settings: Settings,
    recording: Recording | None = None,
    first_run: tuple[str, str, list[str]] | None = None,
) -> FastAPI:
    """Build the app for these settings; lab processes start only when asked.

    With a ``recording``, the app replays it instead: no lab, nothing live, every command refused.
    A lesson file that does not load raises LessonError here: the server does not start with it.
    ``first_run`` (code, name, args) is run as soon as the server is up (``ptlab run``).
    """
    lesson = load_lesson(Path(settings.lesson) if settings.lesson else None)

    @asynccontextmanager
    async def replaying(app: FastAPI) -> AsyncIterator[None]:
        assert recording is not None
        source = ReplaySource(recording)
        broadcaster = Broadcaster(source.snapshot_json)
        app.state.frames, app.state.broadcaster, app.state.commands = source, broadcaster, ReadOnlyCommands()
        app.state.history = source.history
        print(f"ptlab replaying a recording of {len(recording.messages)} messages: {settings.presenter_url}")
        try:
            yield
        finally:
            broadcaster.close()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop_being_dumpable()
        lab = Lab(settings)
        await lab.start()
        experiments = Experiments(lab)

        focus = Focus()
        broadcaster = Broadcaster(lambda role: frames.snapshot_json(role))
        runner = LessonRunner(lesson, lab, experiments, published=lambda: frames.tick(fresh=True))
        contained = await asyncio.to_thread(isolation) if settings.run_namespaces else None
        runs = Runs(lab, settings, contained or Isolation(namespaces=False, why="PTLAB_RUN_NAMESPACES=0"))
        frames = FrameBuilder(lab, experiments, settings, broadcaster.publish, focus, runner, runs)
        commands = CommandService(
            lab,
            experiments,
            focus,
            published=lambda fresh: frames.tick(fresh=fresh),
            lesson=runner,
            runs=runs,
        )
        app.state.frames, app.state.broadcaster, app.state.commands = frames, broadcaster, commands
        app.state.history = frames.history
        frames.start()
        # The fan-out allocates for every viewer on every frame, and the collector's default
        # thresholds then pause the loop often enough to show in the tail of delivery lag
        # (1 000 viewers, benchmarks/: p99 95 -> 80 ms). What is alive at start is frozen
        # out of every collection; reference counting still frees everything else at once.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        if not settings.token_generated and len(settings.token) < SHORT_TOKEN:
            print(
                f"ptlab: warning: PTLAB_TOKEN has only {len(settings.token)} characters. Wrong guesses "
                f"are limited per address (at most {Lockout.FREE + 12} in the first hour, then one an "
                f"hour), but a class has many addresses: use {SHORT_TOKEN} or more.",
                file=sys.stderr,
                flush=True,
            )

        def bound(found: list[Listener]) -> None:
            runs.listening_publicly = any(listener.public for listener in found)
            frames.server_info = frames.server_info.model_copy(update={"code": runs.code_allowed})
            app.state.listening = (found[0].ip, found[0].port)
            announce(settings, *app.state.listening, runs.code_allowed)

        refused: list[str] = []
        checking = asyncio.create_task(binding.watch(settings, bound, refused))
        if first_run is not None:
            code, name, args = first_run
            await runs.start(code, name, args, trusted=True)
        try:
            yield
        finally:
            await runs.shutdown()
            await frames.stop()
            broadcaster.close()
            checking.cancel()
            await lab.shutdown()
            experiments.cleanup()
            if refused:
                os._exit(2)  # after cleaning up: the server did not start, say so with its exit code

    app = FastAPI(
        title="ptlab — Process & Thread Lab",
        version=__version__,
        lifespan=replaying if recording is not None else lifespan,
        # A 307 to the slash-less route would let a mangled path (".../processes//")
        # be followed by a browser as a real POST: refuse it with a 404 instead.
        redirect_slashes=False,
        description="Real processes and threads, read from /proc. Control needs the presenter token.",
    )
    app.state.settings = settings
    app.state.listening = (settings.host, settings.port)  # until the real sockets are found
    app.state.hosts = allowed_hosts(settings)
    # Added first, so it runs second: the host is checked before anything else.
    app.add_middleware(
        RequestGate,
        routes=[*api.routes, *pages.routes],
        presenter=require_presenter,
        check=check_control,
        limits=LARGER_BODIES,
    )
    app.add_middleware(HostGuard, hosts=app.state.hosts)
    app.state.rest_limits = RateLimits(rate=settings.rest_rate, burst=settings.rest_burst)
    app.state.lockout = Lockout()
    app.state.voter_ids = VoterIds()
    app.state.templates = Jinja2Templates(directory=str(ROOT / "templates"))
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    app.include_router(api)
    app.include_router(pages)
    app.include_router(stream)
    errors.install(app)
    return app
