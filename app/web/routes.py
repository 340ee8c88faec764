"""HTTP routes: the page and the REST API. Each control route builds a command for the one command service."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from starlette.types import Scope

from .. import recording
from ..control.commands import CommandService
from ..observe.frames import FrameBuilder
from ..observe.history import History
from ..protocol import (
    CancelCmd,
    CancelCostsCmd,
    CancelResult,
    Command,
    CostsCmd,
    CostsView,
    ErrorBody,
    Health,
    HistoryView,
    IpcCmd,
    IpcRequest,
    IpcResult,
    JoinInfo,
    LessonEndCmd,
    LessonGoCmd,
    LessonResult,
    LessonRevealCmd,
    MarkView,
    PidResult,
    PyStackView,
    RaceCmd,
    RaceRequest,
    RaceView,
    ResetCmd,
    ResetResult,
    RunRequest,
    RunResult,
    RunStartCmd,
    RunStopCmd,
    ShmCmd,
    ShmRequest,
    Snapshot,
    SpawnProcessCmd,
    SpawnProcessRequest,
    SpawnThreadCmd,
    SpawnThreadRequest,
    StepCmd,
    StepEndCmd,
    StepRequest,
    StepResult,
    StepStartCmd,
    StepStartRequest,
    StopProcessCmd,
    StopThreadCmd,
    TidResult,
)
from ..settings import Settings
from .auth import COOKIE, AuthError, Lockout, check_presenter, token_matches
from .broadcast import Broadcaster
from .errors import WebError
from .gate import MAX_BODY, PRESENTER_CHECKED
from .offline import offline_html
from .urls import join_info
from .voters import VOTER_COOKIE, VoterIds

EXAMPLES = FilePath(__file__).resolve().parent.parent / "run" / "examples"


class Example(BaseModel):
    """A built-in example program for the code panel."""

    name: str
    code: str


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 401, 403, 404, 409, 422, 429, 500, 504)
}


class NoQuery(BaseModel):
    """A route's query parameters: a stray one (``?cdoe=3``) is refused, not ignored.

    Subclasses declare the keys a route takes; the refusal names them.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                shown = ", ".join(repr(str(k)[:40]) for k in unknown[:3])
                takes = ", ".join(cls.model_fields) or "none"
                raise ValueError(f"unknown query parameter {shown}; this route takes: {takes}")
        return data


class StopQuery(NoQuery):
    """``DELETE /api/processes/{pid}?code=N``."""

    code: int = Field(0, ge=0, le=255, description="exit code the process ends with")


# A typo such as ``?cdoe=3`` would otherwise stop the process with the default code and report success.
Q = Annotated[NoQuery, Query()]
api = APIRouter(prefix="/api", responses=ERRORS)


# The same bounds as the wire format's Pid, so a bad path is a 422, never a 500.
def _digits(value: Any) -> Any:
    # pydantic reads " 5" and "0\r" as numbers; a path segment that is not digits is not one
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number written in digits")
    return value


PathInt = Annotated[int, BeforeValidator(_digits)]
PidPath = Annotated[PathInt, Path(ge=1, le=2**22)]
pages = APIRouter()


def _frames(request: Request) -> FrameBuilder:
    return request.app.state.frames


def check_control(scope: Scope, headers: Mapping[str, str], cookies: Mapping[str, str]) -> None:
    """A control request needs the presenter token, at a bounded rate per client address."""
    state = scope["app"].state
    client = scope["client"][0] if scope.get("client") else "?"
    check_presenter(headers, cookies, state.settings, state.lockout, client)
    if not state.rest_limits.allow(client):
        raise WebError("rate_limited", "too many control requests; slow down")


def require_presenter(request: Request) -> None:
    """Dependency that marks a control route: RequestGate checks it before the body is read."""
    if not request.scope.get(PRESENTER_CHECKED):  # only if the gate was not installed
        check_control(request.scope, request.headers, request.cookies)


async def run(request: Request, cmd: Command) -> Any:
    """Hand a command to the command service."""
    service: CommandService = request.app.state.commands
    return await service.run(cmd)


Presenter = [Depends(require_presenter)]
# 200 000 characters of code, each at most 12 bytes in JSON (an escaped surrogate pair), and the rest.
LARGER_BODIES = {"run_code": 200_000 * 12 + MAX_BODY}


@api.get("/state", response_model=Snapshot)
async def get_state(request: Request, q: Q) -> Snapshot:
    """The full snapshot: every lab process, its threads (with their CPU lanes), regions and counter."""
    return _frames(request).snapshot(lanes=True)


@api.get("/health", response_model=Health)
async def health(request: Request, q: Q) -> Health:
    """Liveness: the server answers and its sampler ticks."""
    frames = _frames(request)
    broadcaster: Broadcaster = request.app.state.broadcaster
    return Health(
        ok=True,
        processes=len(frames.lab.live()),
        clients=len(broadcaster.clients),
        seq=frames.seq,
        dropped=broadcaster.dropped,
        stalled=broadcaster.stalled(),
        held_bytes=broadcaster.held_bytes(),
        tick_ms=round(frames.tick_cpu_ms(), 3),
        isolation=frames.server_info.isolation,
    )


class RangeQuery(NoQuery):
    """``?start=&end=``: a stretch of the history, in the frames' own time (seconds since the epoch)."""

    start: float | None = Field(None, ge=0, le=1e10, description="from this moment (default: the beginning)")
    end: float | None = Field(None, ge=0, le=1e10, description="to this moment (default: now)")


@api.get("/history", response_model=HistoryView)
async def history(request: Request, q: Q) -> HistoryView:
    """What the server keeps of the recent past: its span, size and the events on its timeline."""
    h: History = request.app.state.history
    return HistoryView(
        start=h.start,
        end=h.end,
        seconds=min(h.seconds, 1e9),
        bytes=h.bytes,
        max_bytes=min(h.max_bytes, 1 << 53),
        messages=len(h.entries),
        keyframes=sum(1 for e in h.entries if e.keyframe),
        dropped=h.dropped,
        replay=bool(getattr(request.app.state.frames, "recording", None)),
        marks=[MarkView(ts=m.ts, seq=m.seq, kind=m.kind, pid=m.pid, tid=m.tid) for m in h.marks],
    )


@api.get(
    "/history/export",
    response_class=Response,
    responses={200: {"content": {"application/gzip": {}}, "description": "a .ptlab recording"}},
)
async def export(request: Request, q: Annotated[RangeQuery, Query()]) -> Response:
    """The history, or ``start``..``end`` of it, as a .ptlab recording (gzip JSON lines)."""
    h: History = request.app.state.history
    if h.start is None or h.end is None:
        raise WebError("invalid_request", "nothing recorded yet: the history is empty")
    start = h.start if q.start is None else q.start
    end = h.end if q.end is None else q.end
    if not h.start <= start <= end <= h.end + 1:
        raise WebError(
            "invalid_request",
            f"the range {start:.3f}..{end:.3f} is not within the history, {h.start:.3f}..{h.end:.3f}, "
            "with start before end",
        )
    frames = request.app.state.frames
    replayed: recording.Recording | None = getattr(frames, "recording", None)
    if replayed is not None:
        host = replayed.header.host  # a recording keeps the facts of the machine it was made on
    else:
        host = recording.host_facts(frames.server_info.hz, frames.server_info.pagemap)
    data = await h.export(start, end, host)
    name = time.strftime("ptlab-%Y%m%d-%H%M%S.ptlab", time.localtime(start))
    return Response(
        data, media_type="application/gzip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@api.get(
    "/history/export.html",
    response_class=HTMLResponse,
    responses={200: {"description": "one HTML file that replays the recording offline"}},
)
async def export_html(request: Request, q: Annotated[RangeQuery, Query()]) -> Response:
    """The same recording as ``/history/export``, inside one self-contained HTML page that replays it."""
    packed = await export(request, q)
    name = packed.headers["Content-Disposition"].replace(".ptlab", ".html")
    page = await asyncio.to_thread(offline_html, request.app.state.templates.env, bytes(packed.body))
    return HTMLResponse(page, headers={"Content-Disposition": name})


@api.get("/join", response_model=JoinInfo)
async def join(request: Request, q: Q) -> JoinInfo:
    """Where students open the lab, with a QR code; on a loopback bind, no address anyone else can reach."""
    return join_info(request.app.state.settings, *request.app.state.listening)


@api.post("/processes", response_model=PidResult, status_code=201, dependencies=Presenter)
async def spawn_process(
    request: Request, q: Q, body: Annotated[SpawnProcessRequest | None, Body()] = None
) -> PidResult:
    """Start a lab process, or fork ``parent`` (a running lab process)."""
    return await run(request, SpawnProcessCmd(op="spawn_process", parent=body.parent if body else None))


@api.post("/processes/{pid}/threads", response_model=TidResult, status_code=201, dependencies=Presenter)
async def spawn_thread(
    request: Request, pid: PidPath, q: Q, body: Annotated[SpawnThreadRequest | None, Body()] = None
) -> TidResult:
    """Start a thread (``idle``, ``count``, ``busy`` or ``raise``) in a lab process."""
    activity = body.activity if body else "idle"
    return await run(request, SpawnThreadCmd(op="spawn_thread", pid=pid, activity=activity))


@api.delete("/processes/{pid}", response_model=PidResult, dependencies=Presenter)
async def stop_process(request: Request, pid: PidPath, q: Annotated[StopQuery, Query()]) -> PidResult:
    """End a lab process with exit code ``code`` (its forked children live on, adopted)."""
    return await run(request, StopProcessCmd(op="stop_process", pid=pid, code=q.code))


@api.delete("/processes/{pid}/threads/{tid}", response_model=TidResult, dependencies=Presenter)
async def stop_thread(request: Request, pid: PidPath, tid: PidPath, q: Q) -> TidResult:
    """Stop one lab thread (not the main thread)."""
    return await run(request, StopThreadCmd(op="stop_thread", pid=pid, tid=tid))


@api.get("/processes/{pid}/threads/{tid}/stack", response_model=PyStackView)
async def thread_stack(request: Request, pid: PidPath, tid: PidPath, q: Q) -> PyStackView:
    """A lab thread's live Python stack: its frames' functions, lines and locals, read in its process now."""
    return await _frames(request).lab.python_stack(pid, tid)


@api.post("/reset", response_model=ResetResult, dependencies=Presenter)
async def reset(request: Request, q: Q) -> ResetResult:
    """End every lab process."""
    return await run(request, ResetCmd(op="reset"))


@api.post("/processes/{pid}/race", response_model=RaceView, dependencies=Presenter)
async def race(
    request: Request, pid: PidPath, q: Q, body: Annotated[RaceRequest | None, Body()] = None
) -> RaceView:
    """Race N threads of a process on one counter (read–modify–write), with or without a lock."""
    b = body or RaceRequest()
    return await run(
        request, RaceCmd(op="race", pid=pid, threads=b.threads, increments=b.increments, lock=b.lock)
    )


@api.delete("/processes/{pid}/race", response_model=CancelResult, dependencies=Presenter)
async def cancel_race(request: Request, pid: PidPath, q: Q) -> CancelResult:
    """Cancel a process's running race or shared-memory run."""
    return await run(request, CancelCmd(op="cancel", pid=pid))


@api.post("/processes/{pid}/stepped", response_model=StepResult, status_code=201, dependencies=Presenter)
async def step_start(
    request: Request, pid: PidPath, q: Q, body: Annotated[StepStartRequest | None, Body()] = None
) -> StepResult:
    """Start a race (or deadlock) in slow motion: real threads, each held at a gate before every step."""
    b = body or StepStartRequest()
    return await run(
        request, StepStartCmd(op="step_start", pid=pid, mode=b.mode, threads=b.threads, rounds=b.rounds)
    )


@api.post("/processes/{pid}/stepped/step", response_model=StepResult, dependencies=Presenter)
async def step(
    request: Request, pid: PidPath, q: Q, body: Annotated[StepRequest | None, Body()] = None
) -> StepResult:
    """Let one stepped thread do its next step (no thread given: the next one that can move)."""
    return await run(request, StepCmd(op="step", pid=pid, thread=(body or StepRequest()).thread))


@api.delete("/processes/{pid}/stepped", response_model=StepResult, dependencies=Presenter)
async def step_end(request: Request, pid: PidPath, q: Q) -> StepResult:
    """End the stepped scene; a deadlocked one ends only with its process (409)."""
    return await run(request, StepEndCmd(op="step_end", pid=pid))


@api.get("/runs", response_model=RunResult)
async def current_run(request: Request, q: Q) -> RunResult:
    """The current (or last) run of user code, with everything it printed that is kept."""
    runs = getattr(request.app.state.commands, "runs", None)
    return RunResult(run=runs.view() if runs else None)


@api.get("/runs/examples", response_model=list[Example])
async def run_examples(request: Request, q: Q) -> list[Example]:
    """The built-in examples for the code panel."""
    return [Example(name=p.name, code=p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.py"))]


@api.post("/runs", response_model=RunResult, status_code=201, dependencies=Presenter)
async def run_code(request: Request, q: Q, body: RunRequest) -> RunResult:
    """Run Python code as a lab process tree (only where PTLAB_ALLOW_CODE allows)."""
    return await run(request, RunStartCmd(op="run_start", code=body.code, name=body.name, args=body.args))


@api.delete("/runs", response_model=RunResult, dependencies=Presenter)
async def stop_run(request: Request, q: Q) -> RunResult:
    """End the current run's whole process tree."""
    return await run(request, RunStopCmd(op="run_stop"))


@api.get("/lesson", response_model=LessonResult)
async def lesson(request: Request, q: Q) -> LessonResult:
    """Where the class is in the lesson (null: lesson mode is off), with the open question's tally."""
    runner = getattr(request.app.state.commands, "lesson", None)
    return LessonResult(lesson=runner.view() if runner else None)


@api.post("/lesson/scenes/{index}", response_model=LessonResult, dependencies=Presenter)
async def lesson_go(request: Request, index: Annotated[PathInt, Path(ge=0, le=39)], q: Q) -> LessonResult:
    """Go to a scene (entering lesson mode): its lab is set up, idempotently."""
    return await run(request, LessonGoCmd(op="lesson_go", index=index))


@api.post("/lesson/reveal", response_model=LessonResult, dependencies=Presenter)
async def lesson_reveal(request: Request, q: Q) -> LessonResult:
    """Close the scene's question and run its experiment; the measured figure marks the answer."""
    return await run(request, LessonRevealCmd(op="lesson_reveal"))


@api.delete("/lesson", response_model=LessonResult, dependencies=Presenter)
async def lesson_end(request: Request, q: Q) -> LessonResult:
    """Leave lesson mode."""
    return await run(request, LessonEndCmd(op="lesson_end"))


@api.post("/ipc", response_model=IpcResult, dependencies=Presenter)
async def ipc(request: Request, q: Q, body: IpcRequest) -> IpcResult:
    """Send a message from one lab process to another through a pipe, a Unix socket or a file."""
    return await run(request, IpcCmd(op="ipc", **body.model_dump()))


@api.post("/shm", response_model=RaceView, dependencies=Presenter)
async def shm(request: Request, q: Q, body: ShmRequest) -> RaceView:
    """Two lab processes increment one counter in shared memory (both map it: see their maps)."""
    return await run(request, ShmCmd(op="shm", **body.model_dump()))


@api.post("/costs", response_model=CostsView, dependencies=Presenter)
async def costs(request: Request, q: Q) -> CostsView:
    """Measure thread vs process costs (creation, memory, context switch, CPU-bound work) in ≤ 10 s."""
    return await run(request, CostsCmd(op="costs"))


@api.get("/costs", response_model=CostsView | None)
async def last_costs(request: Request, q: Q) -> CostsView | None:
    """The latest measurement, if any."""
    return _frames(request).experiments.costs_result


@api.delete("/costs", response_model=CancelResult, dependencies=Presenter)
async def cancel_costs(request: Request, q: Q) -> CancelResult:
    """Cut a running measurement short."""
    return await run(request, CancelCostsCmd(op="cancel_costs"))


@pages.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request, token: Annotated[str | None, Query(max_length=512)] = None) -> Response:
    """The dashboard. ``?token=`` is traded for a cookie and removed from the address bar.

    Other query keys are ignored here: a page link may carry anything.
    """
    settings: Settings = request.app.state.settings
    templates = request.app.state.templates
    lockout: Lockout = request.app.state.lockout
    client = request.client.host if request.client else "?"
    if token is not None:
        wait = lockout.wait(client)
        if wait > 0:  # the guess is not even looked at
            raise AuthError(
                "locked", f"too many wrong tokens; try again in {math.ceil(wait)} s", math.ceil(wait)
            )
        if not token_matches(token, settings.token):
            lockout.failed(client)
            return templates.TemplateResponse(
                request, "index.html", {"presenter": False, "token_error": True}, status_code=403
            )
        lockout.succeeded(client)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
        return resp
    try:
        check_presenter(request.headers, request.cookies, settings, lockout, client)
        presenter = True
    except AuthError:
        presenter = False
    page = templates.TemplateResponse(request, "index.html", {"presenter": presenter, "token_error": False})
    ids: VoterIds = request.app.state.voter_ids
    if ids.verify(request.cookies.get(VOTER_COOKIE)) is None:
        # anonymous: a random id, signed, that only keeps one browser to one vote per question
        page.set_cookie(VOTER_COOKIE, ids.issue(), httponly=True, samesite="lax", max_age=12 * 3600)
    return page
