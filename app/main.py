"""The ASGI application: ``uvicorn app.main:app``."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .auth import AuthError, RateLimits
from .experiments import Experiments
from .hub import Hub
from .routes import api, pages
from .settings import Settings, from_env
from .workers import Lab, LabError

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("ptlab")
# Slim images have no /etc/mime.types and Python 3.11's own table lacks it.
mimetypes.add_type("font/woff2", ".woff2")


def create_app(settings: Settings) -> FastAPI:
    """Build the app for these settings; lab processes start only when asked."""
    settings.validate()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lab = Lab(settings)
        await lab.start()
        hub = Hub(lab, settings, Experiments(lab))
        app.state.lab, app.state.hub = lab, hub
        hub.start()
        # The Jupyter habit: the one URL that makes you the presenter.
        print(f"ptlab presenter URL: {settings.presenter_url}", flush=True)
        try:
            yield
        finally:
            await hub.stop()
            await lab.shutdown()
            hub.experiments.cleanup()

    app = FastAPI(
        title="ptlab — Process & Thread Lab",
        version=__version__,
        lifespan=lifespan,
        # A 307 to the slash-less route would let a mangled path (".../processes//")
        # be followed by a browser as a real POST: refuse it with a 404 instead.
        redirect_slashes=False,
        description="Real processes and threads, read from /proc. Control needs the presenter token.",
    )
    app.state.settings = settings
    # Generous for a teacher's clicks and scripts, far below a flood.
    app.state.rest_limits = RateLimits(rate=50, burst=100)
    app.state.templates = Jinja2Templates(directory=str(ROOT / "templates"))
    app.mount("/static", StaticFiles(directory=str(ROOT / "static")), name="static")
    app.include_router(api)
    app.include_router(pages)

    @app.exception_handler(LabError)
    async def lab_error(_: Request, exc: LabError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "message": exc.message}, status_code=exc.status)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, exc: AuthError) -> JSONResponse:
        code = "unauthorized" if exc.status == 401 else "forbidden"
        return JSONResponse({"error": code, "message": exc.message}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own refusals (no such route, wrong method, unreadable body)
        # get the same {error, message} shape as ours, saying what was asked.
        asked = f"{request.method} {request.url.path[:200]}"
        known = {
            404: ("not_found", f"nothing at {asked}"),
            405: ("method_not_allowed", f"{asked} is not allowed here"),
            400: ("bad_request", f"{asked}: {exc.detail}"),
        }
        error, message = known.get(exc.status_code, ("http_error", f"{asked}: {exc.detail}"))
        return JSONResponse(
            {"error": error, "message": message}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors()[:3]:
            where = ".".join(str(p) for p in e.get("loc", ())) or "request"
            parts.append(f"{where}: {e.get('msg')}")
        return JSONResponse({"error": "invalid_request", "message": "; ".join(parts)}, status_code=422)

    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    # ``app`` is built on first use, so importing this module (as ``python -m
    # app`` does) never reads the environment twice or fails on it.
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_app(from_env())
    return _app
