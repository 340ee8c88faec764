"""The composition root: the web layer's state, its guards and routes, and the lab (or recording) behind."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__
from ..assets import STATIC, TEMPLATES
from ..control.runs import Script
from ..lab.activities import ACTIVITIES
from ..lesson.loader import load_lesson
from ..lesson.model import Lesson
from ..recording import Recording
from ..settings import Settings
from . import binding, errors
from .auth import Lockout, RateLimits
from .binding import Listener
from .gate import RequestGate
from .hosts import HostGuard, allowed_hosts
from .live import live_lab
from .offline import STYLESHEETS
from .port import LabPort, Web
from .relayed import relay_lab
from .replay import replay_lab
from .routes import LARGER_BODIES, api, check_control, pages, require_presenter
from .static import (
    BUILT,
    BUNDLE,
    IMMUTABLE,
    REVALIDATE,
    STYLE_BUNDLE,
    CachedStatic,
    PackedStatic,
    bundle,
    module_graph,
    prebuilt,
    read_tree,
    static_version,
    stylesheet,
)
from .urls import announce
from .ws import stream

log = logging.getLogger("ptlab.web")

# A chosen token shorter than this is warned about at start: 16 random letters and digits are
# about 95 bits, beyond any guessing at the lockout's pace.
SHORT_TOKEN = 16
# Slim images have no /etc/mime.types and Python 3.11's own table lacks it.
mimetypes.add_type("font/woff2", ".woff2")


def _page_files(templates: Jinja2Templates) -> tuple[str, dict[str, bytes]]:
    """The page's files under a path that changes with them, all its modules in one file: the
    versioned path (also given to the templates) and what is served there."""
    templates.env.globals["activities"] = ACTIVITIES  # the page's activity menu: the registry's
    templates.env.globals["stylesheets"] = STYLESHEETS
    files = read_tree(STATIC)
    versioned = f"/static/v/{static_version(files)}"
    templates.env.globals["static"] = versioned
    templates.env.globals["bundle"] = BUNDLE
    templates.env.globals["style_bundle"] = STYLE_BUNDLE
    graph = module_graph(files)
    page = prebuilt(files, graph)
    if page is None:
        log.warning(
            "static/js changed since scripts/bundle.py last built %s: the page's modules are served "
            "one data: URL each, slower to start on a phone; run scripts/bundle.py",
            BUILT,
        )
        page = bundle(files, graph)
    served = {**files, BUNDLE: page, STYLE_BUNDLE: stylesheet(files, STYLESHEETS)}
    return versioned, served


def _lifespan(
    web: Web, lesson: Lesson, recording: Recording | None, script: Script | None, relay: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """What runs behind the app while it serves: a replay, a relay's view or the live lab."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        behind: AbstractAsyncContextManager[LabPort]
        if recording is not None:
            behind = replay_lab(recording, web.broadcaster)
        elif relay:
            behind = relay_lab(web.settings, web.broadcaster, web.voter_ids)
        else:
            behind = live_lab(web.settings, lesson, web.broadcaster, script)
        async with behind as lab:
            web.lab = lab
            async with feeding_relays(web, lab), serving(web, lab):
                yield

    return lifespan


def _guard(app: FastAPI, web: Web) -> None:
    """The middleware every request passes, outermost last."""
    # Added first, so it runs second: the host is checked before anything else.
    app.add_middleware(
        RequestGate,
        routes=[*api.routes, *pages.routes],
        presenter=require_presenter,
        check=check_control,
        limits=LARGER_BODIES,
    )
    app.add_middleware(HostGuard, hosts=web.hosts)
    # Outermost: what the page, the API and the files send is compressed for whoever accepts gzip
    # (fonts and .ptlab recordings are already compressed: Starlette leaves them alone). Level 6:
    # nearly level 9's size at a third of its CPU, which the lab's own figures share.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)


def create_app(
    settings: Settings,
    recording: Recording | None = None,
    script: Script | None = None,
    relay: bool = False,
) -> FastAPI:
    """Build the app for these settings; lab processes start only when asked.

    With a ``recording``, the app replays it instead: no lab, nothing live, every command refused.
    With ``relay``, it shows the lab a server publishes to ``settings.redis_url``, read-only.
    A lesson file that does not load raises LessonError here: the server does not start with it.
    ``script`` is run as soon as the server is up (``ptlab run``).
    """
    lesson = load_lesson(Path(settings.lesson) if settings.lesson else None)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    versioned, served = _page_files(templates)
    web = Web(
        settings=settings,
        templates=templates,
        hosts=allowed_hosts(settings),
        rest_limits=RateLimits(rate=settings.rest_rate, burst=settings.rest_burst),
        listening=(settings.host, settings.port),
    )
    app = FastAPI(
        title="ptlab — Process & Thread Lab",
        version=__version__,
        lifespan=_lifespan(web, lesson, recording, script, relay),
        # A 307 to the slash-less route would let a mangled path (".../processes//")
        # be followed by a browser as a real POST: refuse it with a 404 instead.
        redirect_slashes=False,
        description="Real processes and threads, read from /proc. Control needs the presenter token.",
    )
    app.state.web = web
    _guard(app, web)
    # the versioned mount first: "/static" would otherwise take its paths for its own
    packed = PackedStatic(directory=str(STATIC), files=served, cache_control=IMMUTABLE)
    app.mount(versioned, packed, name="versioned")
    app.mount("/static", CachedStatic(directory=str(STATIC), cache_control=REVALIDATE), name="static")
    app.include_router(api)
    app.include_router(pages)
    app.include_router(stream)
    errors.install(app)
    return app


@asynccontextmanager
async def feeding_relays(web: Web, lab: LabPort) -> AsyncIterator[None]:
    """With PTLAB_REDIS_URL, the live lab's frames also go to Redis for relays; else nothing."""
    if not web.settings.redis_url or lab.replay or lab.relay:
        yield
        return
    from ..relay.feed import feeding  # the Redis client is loaded only where it is used

    async with feeding(web.settings.redis_url, lab, web.voter_ids.key) as feed:
        web.broadcaster.taps.append(feed.frame)
        web.feed = feed.view
        try:
            yield
        finally:
            web.broadcaster.taps.remove(feed.frame)
            web.feed = None


@asynccontextmanager
async def serving(web: Web, lab: LabPort) -> AsyncIterator[None]:
    """While the server runs: say where it listens once it does, and apply the rules that depend on it."""
    settings = web.settings
    warn_short_token(settings)

    def bound(found: list[Listener]) -> None:
        web.listening = (found[0].ip, found[0].port)
        announce(settings, *web.listening, lab.bound(found), replay=lab.replay, relay=lab.relay)

    refused: list[str] = []
    checking = asyncio.create_task(binding.watch(settings, bound, refused))
    try:
        yield
    finally:
        checking.cancel()
        if refused:
            os._exit(2)  # after cleaning up: the server did not start, say so with its exit code


def warn_short_token(settings: Settings) -> None:
    """A token of one's own that is short enough to guess, said at start."""
    if not settings.token_generated and len(settings.token) < SHORT_TOKEN:
        print(
            f"ptlab: warning: PTLAB_TOKEN has only {len(settings.token)} characters. Wrong guesses "
            f"are limited per address (at most {Lockout.FREE + 12} in the first hour, then one an "
            f"hour), but a class has many addresses: use {SHORT_TOKEN} or more.",
            file=sys.stderr,
            flush=True,
        )
