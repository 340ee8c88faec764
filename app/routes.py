"""HTTP and websocket routes: the page, the REST API and the /ws stream.

Every control action, REST or websocket, goes through ``run_command`` so
both speak the same rules and errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from .auth import COOKIE, AuthError, RateLimit, check_token, origin_allowed, token_matches
from .experiments import Experiments
from .hub import Hub
from .protocol import (
    Ack,
    CancelCmd,
    CancelCostsCmd,
    CommandMessage,
    CostsCmd,
    CostsView,
    ErrorBody,
    ErrorMessage,
    Health,
    IpcCmd,
    IpcRequest,
    IpcResult,
    PidResult,
    RaceCmd,
    RaceRequest,
    RaceView,
    ResetCmd,
    ResetResult,
    ShmCmd,
    ShmRequest,
    Snapshot,
    SpawnProcessCmd,
    SpawnProcessRequest,
    SpawnThreadCmd,
    SpawnThreadRequest,
    StopProcessCmd,
    StopThreadCmd,
    TidResult,
)
from .settings import Settings
from .workers import Lab, LabError

MAX_WS_MESSAGE = 64 * 1024
MAX_INFLIGHT = 4
# A client whose unread replies do not drain in this long has stopped reading.
REPLY_DRAIN_S = 10.0
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 401, 403, 404, 409, 422, 429, 500, 504)
}


def reject_unknown_query(request: Request) -> None:
    """Dependency: a query key the route does not declare is an error, not silently ignored.

    A typo such as ``?cdoe=3`` would otherwise stop the process with the
    default exit code and report success.
    """
    route = request.scope.get("route")
    if route is None:
        return
    allowed = _declared_query(route)
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        expected = ", ".join(sorted(allowed)) or "none"
        shown = ", ".join(repr(k[:40]) for k in unknown[:3])
        message = f"unknown query parameter {shown}; this route takes: {expected}"
        raise LabError("invalid_request", message, 422)


def _declared_query(route: Any) -> frozenset[str]:
    cached = getattr(route, "_ptlab_query", None)
    if cached is None:
        names: set[str] = set()
        todo = [route.dependant]
        while todo:
            dep = todo.pop()
            names.update(p.alias for p in dep.query_params)
            todo.extend(dep.dependencies)
        cached = frozenset(names)
        route._ptlab_query = cached
    return cached


api = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(reject_unknown_query)])
# The same bounds as the wire format's Pid, so a bad path is a 422, never a 500.
PidPath = Annotated[int, Path(ge=1, le=2**22)]
pages = APIRouter()


def _lab(request: Request) -> Lab:
    return request.app.state.lab


def _hub(request: Request) -> Hub:
    return request.app.state.hub


def require_presenter(request: Request) -> None:
    """Dependency: control routes need the presenter token, at a bounded rate per client address."""
    check_token(request.headers, request.cookies, request.app.state.settings)
    client = request.client.host if request.client else "?"
    if not request.app.state.rest_limits.allow(client):
        raise LabError("rate_limited", "too many control requests; slow down", 429)


async def run_command(hub: Hub, cmd: Any) -> dict[str, Any]:
    """Carry out one validated control command, then publish its effect at once.

    Publishing right away (instead of at the next tick) means an answer is
    never ahead of /api/state or the stream: the new PID is already in both.
    """
    result = await _execute(hub.lab, hub.experiments, cmd)
    hub.tick(fresh=True)
    return result


async def _execute(lab: Lab, exp: Experiments, cmd: Any) -> dict[str, Any]:
    if isinstance(cmd, SpawnProcessCmd):
        return {"pid": await lab.spawn_process(cmd.parent)}
    if isinstance(cmd, SpawnThreadCmd):
        return {"pid": cmd.pid, "tid": await lab.spawn_thread(cmd.pid, cmd.activity)}
    if isinstance(cmd, StopThreadCmd):
        await lab.stop_thread(cmd.pid, cmd.tid)
        return {"pid": cmd.pid, "tid": cmd.tid}
    if isinstance(cmd, StopProcessCmd):
        await lab.stop_process(cmd.pid, cmd.code)
        return {"pid": cmd.pid}
    if isinstance(cmd, ResetCmd):
        stopped = await lab.reset()
        exp.cleanup()
        return {"stopped": stopped}
    if isinstance(cmd, RaceCmd):
        return await exp.race(cmd.pid, cmd.threads, cmd.increments, cmd.lock)
    if isinstance(cmd, CancelCmd):
        return await exp.cancel(cmd.pid)
    if isinstance(cmd, IpcCmd):
        return await exp.ipc(cmd.kind, cmd.sender, cmd.receiver, cmd.message)
    if isinstance(cmd, ShmCmd):
        return await exp.shm(cmd.pids, cmd.increments, cmd.lock)
    if isinstance(cmd, CostsCmd):
        return await exp.costs()
    if isinstance(cmd, CancelCostsCmd):
        return await exp.cancel_costs()
    raise TypeError(f"unhandled command {cmd!r}")  # unreachable: the union is closed


# ---- REST ---------------------------------------------------------------------


@api.get("/state", response_model=Snapshot)
async def get_state(request: Request) -> Snapshot:
    """The full snapshot: every lab process, its threads, regions and counter."""
    return _hub(request).snapshot()


@api.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness: the server answers and its sampler ticks."""
    hub = _hub(request)
    stats = hub.stats()
    return Health(
        ok=True,
        processes=len(_lab(request).live()),
        clients=stats["clients"],
        seq=hub.seq,
        dropped=stats["dropped"],
        tick_ms=round(stats["tick_cpu_ms_mean"], 3),
    )


@api.post("/processes", response_model=PidResult, status_code=201, dependencies=[Depends(require_presenter)])
async def spawn_process(
    request: Request, body: Annotated[SpawnProcessRequest | None, Body()] = None
) -> PidResult:
    """Start a lab process, or fork ``parent`` (a running lab process)."""
    parent = body.parent if body else None
    result = await run_command(_hub(request), SpawnProcessCmd(op="spawn_process", parent=parent))
    return PidResult(pid=result["pid"])


@api.post(
    "/processes/{pid}/threads",
    response_model=TidResult,
    status_code=201,
    dependencies=[Depends(require_presenter)],
)
async def spawn_thread(
    request: Request, pid: PidPath, body: Annotated[SpawnThreadRequest | None, Body()] = None
) -> TidResult:
    """Start a thread (``idle``, ``count`` or ``busy``) in a lab process."""
    activity = body.activity if body else "idle"
    result = await run_command(_hub(request), SpawnThreadCmd(op="spawn_thread", pid=pid, activity=activity))
    return TidResult(pid=pid, tid=result["tid"])


@api.delete("/processes/{pid}", response_model=PidResult, dependencies=[Depends(require_presenter)])
async def stop_process(
    request: Request, pid: PidPath, code: Annotated[int, Query(ge=0, le=255)] = 0
) -> PidResult:
    """End a lab process with exit code ``code`` (its forked children live on, adopted)."""
    await run_command(_hub(request), StopProcessCmd(op="stop_process", pid=pid, code=code))
    return PidResult(pid=pid)


@api.delete(
    "/processes/{pid}/threads/{tid}", response_model=TidResult, dependencies=[Depends(require_presenter)]
)
async def stop_thread(request: Request, pid: PidPath, tid: PidPath) -> TidResult:
    """Stop one lab thread (not the main thread)."""
    await run_command(_hub(request), StopThreadCmd(op="stop_thread", pid=pid, tid=tid))
    return TidResult(pid=pid, tid=tid)


@api.post("/reset", response_model=ResetResult, dependencies=[Depends(require_presenter)])
async def reset(request: Request) -> ResetResult:
    """End every lab process."""
    result = await run_command(_hub(request), ResetCmd(op="reset"))
    return ResetResult(stopped=result["stopped"])


@api.post("/processes/{pid}/race", response_model=RaceView, dependencies=[Depends(require_presenter)])
async def race(
    request: Request, pid: PidPath, body: Annotated[RaceRequest | None, Body()] = None
) -> dict[str, Any]:
    """Race N threads of a process on one counter (read–modify–write), with or without a lock."""
    b = body or RaceRequest()
    cmd = RaceCmd(op="race", pid=pid, threads=b.threads, increments=b.increments, lock=b.lock)
    return await run_command(_hub(request), cmd)


@api.delete("/processes/{pid}/race", dependencies=[Depends(require_presenter)])
async def cancel_race(request: Request, pid: PidPath) -> dict[str, Any]:
    """Cancel a process's running race or shared-memory run."""
    return await run_command(_hub(request), CancelCmd(op="cancel", pid=pid))


@api.post("/ipc", response_model=IpcResult, dependencies=[Depends(require_presenter)])
async def ipc(request: Request, body: IpcRequest) -> dict[str, Any]:
    """Send a message from one lab process to another through a pipe, a Unix socket or a file."""
    return await run_command(_hub(request), IpcCmd(op="ipc", **body.model_dump()))


@api.post("/shm", response_model=RaceView, dependencies=[Depends(require_presenter)])
async def shm(request: Request, body: ShmRequest) -> dict[str, Any]:
    """Two lab processes increment one counter in shared memory (both map it: see their maps)."""
    return await run_command(_hub(request), ShmCmd(op="shm", **body.model_dump()))


@api.post("/costs", response_model=CostsView, dependencies=[Depends(require_presenter)])
async def costs(request: Request) -> dict[str, Any]:
    """Measure thread vs process costs (creation, memory, context switch, CPU-bound work) in ≤ 10 s."""
    return await run_command(_hub(request), CostsCmd(op="costs"))


@api.get("/costs", response_model=CostsView | None)
async def last_costs(request: Request) -> dict[str, Any] | None:
    """The latest measurement, if any."""
    return _hub(request).experiments.costs_result


@api.delete("/costs", dependencies=[Depends(require_presenter)])
async def cancel_costs(request: Request) -> dict[str, Any]:
    """Cut a running measurement short."""
    return await run_command(_hub(request), CancelCostsCmd(op="cancel_costs"))


# ---- page ---------------------------------------------------------------------


@pages.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request, token: str | None = None) -> Response:
    """The dashboard. ``?token=`` is traded for a cookie and removed from the address bar."""
    settings: Settings = request.app.state.settings
    if token is not None:
        if not token_matches(token, settings.token):
            return request.app.state.templates.TemplateResponse(
                request, "index.html", {"presenter": False, "token_error": True}, status_code=403
            )
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
        return resp
    try:
        check_token(request.headers, request.cookies, settings)
        presenter = True
    except AuthError:
        presenter = False
    return request.app.state.templates.TemplateResponse(
        request, "index.html", {"presenter": presenter, "token_error": False}
    )


# ---- websocket ----------------------------------------------------------------


def _error(rid: str | None, error: str, message: str) -> str:
    return ErrorMessage(id=rid, error=error, message=message).model_dump_json()


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors()[:3]:
        where = ".".join(str(p) for p in e["loc"]) or "message"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


async def handle_ws_text(text: str, role: str, limiter: RateLimit, hub: Hub) -> str:
    """Validate and carry out one websocket message; return the ack or error to send."""
    if len(text.encode()) > MAX_WS_MESSAGE:
        return _error(None, "too_large", f"messages are limited to {MAX_WS_MESSAGE} bytes")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return _error(None, "bad_json", f"not valid JSON: {exc}")
    rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        msg = CommandMessage.model_validate(raw)
    except ValidationError as exc:
        return _error(rid, "invalid", _validation_message(exc))
    if role != "presenter":
        return _error(
            msg.id, "forbidden", "only the presenter may control the lab; open the page with ?token="
        )
    if not limiter.allow():
        return _error(msg.id, "rate_limited", "too many commands; slow down")
    try:
        result = await run_command(hub, msg.command)
    except LabError as exc:
        return _error(msg.id, exc.error, exc.message)
    return Ack(id=msg.id, result=result).model_dump_json()


@pages.websocket("/ws")
async def ws_stream(websocket: WebSocket) -> None:
    """Snapshot, then frames at the sampling rate; presenter commands in between."""
    app = websocket.app
    settings: Settings = app.state.settings
    hub: Hub = app.state.hub
    same_origin = origin_allowed(websocket.headers, websocket.url.scheme, settings)
    if not same_origin and not settings.viewers:
        await websocket.close(code=1008, reason="origin not allowed")
        return
    role = "viewer"
    if same_origin:
        with contextlib.suppress(AuthError):
            check_token(websocket.headers, websocket.cookies, settings)
            role = "presenter"
    await websocket.accept()
    client = hub.add(websocket, role)
    pump = asyncio.create_task(hub.pump(client))
    limiter = RateLimit()
    # Commands run side by side (a race may take seconds; cancelling it must
    # not wait behind it), a few at a time per client. Tasks left running
    # when the client goes are bounded by the lab's own timeouts.
    inflight: set[asyncio.Task[None]] = set()

    async def answer(text: str) -> None:
        client.reply(await handle_ws_text(text, role, limiter, hub))

    try:
        while True:
            if not await client.room(REPLY_DRAIN_S):
                await websocket.close(code=1008, reason="not reading replies")
                break
            msg = await websocket.receive()
            if msg["type"] == "websocket.disconnect":
                break
            text = msg.get("text")
            if text is None:
                client.reply(_error(None, "binary", "send JSON text messages, not binary"))
            elif len(inflight) >= MAX_INFLIGHT:
                client.reply(
                    _error(None, "busy", f"at most {MAX_INFLIGHT} commands at once; wait for replies")
                )
            else:
                task = asyncio.create_task(answer(text))
                inflight.add(task)
                task.add_done_callback(inflight.discard)
    finally:
        hub.remove(client)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
