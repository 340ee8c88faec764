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

from ..protocol import (
    CancelCmd,
    CancelCostsCmd,
    CancelResult,
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
    ResponseCmd,
    ResponseView,
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
    SwitchSweepCmd,
    SwitchSweepView,
    TidResult,
)
from ..relay.channels import RELAY_READ_ONLY
from .auth import COOKIE, AuthError, check_presenter, client_host, token_matches
from .errors import WebError
from .gate import MAX_BODY, PRESENTER_CHECKED
from .offline import offline_html
from .port import LabPort, Web, get_lab, get_web, web_of
from .urls import join_info
from .voters import VOTER_COOKIE

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


def check_control(scope: Scope, headers: Mapping[str, str], cookies: Mapping[str, str]) -> None:
    """A control request needs the presenter token, at a bounded rate per client address."""
    web = web_of(scope)
    if web.lab is not None and web.lab.relay:
        raise WebError("read_only", RELAY_READ_ONLY)
    client = client_host(scope)
    check_presenter(headers, cookies, web.settings, web.lockout, client)
    if not web.rest_limits.allow(client):
        raise WebError("rate_limited", "too many control requests; slow down")


def require_presenter(request: Request) -> None:
    """Dependency that marks a control route: RequestGate checks it before the body is read."""
    if not request.scope.get(PRESENTER_CHECKED):  # only if the gate was not installed
        check_control(request.scope, request.headers, request.cookies)


Presenter = [Depends(require_presenter)]
TheLab = Annotated[LabPort, Depends(get_lab)]
TheWeb = Annotated[Web, Depends(get_web)]
# 200 000 characters of code, each at most 12 bytes in JSON (an escaped surrogate pair), and the rest.
LARGER_BODIES = {"run_code": 200_000 * 12 + MAX_BODY}


@api.get("/state", response_model=Snapshot)
async def get_state(lab: TheLab, q: Q) -> Snapshot:
    """The full snapshot: every lab process, its threads (with their CPU lanes), regions and counter."""
    return lab.snapshot(lanes=True)


@api.get("/health", response_model=Health)
async def health(web: TheWeb, q: Q) -> Health:
    """Liveness: the server answers and its sampler ticks (a relay: it has the lab's picture)."""
    lab, broadcaster = web.port(), web.broadcaster
    waiting = lab.unready()
    return Health(
        ok=waiting is None,
        waiting=waiting,
        relay=lab.relay_view(),
        feed=web.feed() if web.feed is not None else None,
        processes=0 if waiting else lab.running(),
        clients=len(broadcaster.clients),
        seq=lab.seq,
        dropped=broadcaster.dropped,
        stalled=broadcaster.stalled(),
        held_bytes=broadcaster.held_bytes(),
        tick_ms=round(lab.tick_ms(), 3),
        isolation=None if waiting else lab.server_info.isolation,
    )


class RangeQuery(NoQuery):
    """``?start=&end=``: a stretch of the history, in the frames' own time (seconds since the epoch)."""

    start: float | None = Field(None, ge=0, le=1e10, description="from this moment (default: the beginning)")
    end: float | None = Field(None, ge=0, le=1e10, description="to this moment (default: now)")


@api.get("/history", response_model=HistoryView)
async def history(lab: TheLab, q: Q) -> HistoryView:
    """What the server keeps of the recent past: its span, size and the events on its timeline."""
    h = lab.history
    return HistoryView(
        start=h.start,
        end=h.end,
        seconds=min(h.seconds, 1e9),
        bytes=h.bytes,
        max_bytes=min(h.max_bytes, 1 << 53),
        messages=len(h.entries),
        keyframes=sum(1 for e in h.entries if e.keyframe),
        dropped=h.dropped,
        replay=lab.replay,
        marks=[MarkView(ts=m.ts, seq=m.seq, kind=m.kind, pid=m.pid, tid=m.tid) for m in h.marks],
    )


@api.get(
    "/history/export",
    response_class=Response,
    responses={200: {"content": {"application/gzip": {}}, "description": "a .ptlab recording"}},
)
async def export(lab: TheLab, q: Annotated[RangeQuery, Query()]) -> Response:
    """The history, or ``start``..``end`` of it, as a .ptlab recording (gzip JSON lines)."""
    h = lab.history
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
    data = await h.export(start, end, lab.host_facts())
    name = time.strftime("ptlab-%Y%m%d-%H%M%S.ptlab", time.localtime(start))
    return Response(
        data, media_type="application/gzip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@api.get(
    "/history/export.html",
    response_class=HTMLResponse,
    responses={200: {"description": "one HTML file that replays the recording offline"}},
)
async def export_html(web: TheWeb, q: Annotated[RangeQuery, Query()]) -> Response:
    """The same recording as ``/history/export``, inside one self-contained HTML page that replays it."""
    packed = await export(web.port(), q)
    name = packed.headers["Content-Disposition"].replace(".ptlab", ".html")
    page = await asyncio.to_thread(offline_html, web.templates.env, bytes(packed.body))
    return HTMLResponse(page, headers={"Content-Disposition": name})


@api.get("/join", response_model=JoinInfo)
async def join(web: TheWeb, q: Q) -> JoinInfo:
    """Where students open the lab, with a QR code; on a loopback bind, no address anyone else can reach."""
    return join_info(web.settings, *web.listening)


@api.post("/processes", response_model=PidResult, status_code=201, dependencies=Presenter)
async def spawn_process(
    lab: TheLab, q: Q, body: Annotated[SpawnProcessRequest | None, Body()] = None
) -> PidResult:
    """Start a lab process, or fork ``parent`` (a running lab process)."""
    return await lab.run(SpawnProcessCmd(op="spawn_process", parent=body.parent if body else None))


@api.post("/processes/{pid}/threads", response_model=TidResult, status_code=201, dependencies=Presenter)
async def spawn_thread(
    lab: TheLab, pid: PidPath, q: Q, body: Annotated[SpawnThreadRequest | None, Body()] = None
) -> TidResult:
    """Start a thread (``idle``, ``count``, ``busy`` or ``raise``) in a lab process."""
    activity = body.activity if body else "idle"
    return await lab.run(SpawnThreadCmd(op="spawn_thread", pid=pid, activity=activity))


@api.delete("/processes/{pid}", response_model=PidResult, dependencies=Presenter)
async def stop_process(lab: TheLab, pid: PidPath, q: Annotated[StopQuery, Query()]) -> PidResult:
    """End a lab process with exit code ``code`` (its forked children live on, adopted)."""
    return await lab.run(StopProcessCmd(op="stop_process", pid=pid, code=q.code))


@api.delete("/processes/{pid}/threads/{tid}", response_model=TidResult, dependencies=Presenter)
async def stop_thread(lab: TheLab, pid: PidPath, tid: PidPath, q: Q) -> TidResult:
    """Stop one lab thread (not the main thread)."""
    return await lab.run(StopThreadCmd(op="stop_thread", pid=pid, tid=tid))


@api.get("/processes/{pid}/threads/{tid}/stack", response_model=PyStackView)
async def thread_stack(lab: TheLab, pid: PidPath, tid: PidPath, q: Q) -> PyStackView:
    """A lab thread's live Python stack: its frames' functions, lines and locals, read in its process now."""
    return await lab.python_stack(pid, tid)


@api.post("/reset", response_model=ResetResult, dependencies=Presenter)
async def reset(lab: TheLab, q: Q) -> ResetResult:
    """End every lab process."""
    return await lab.run(ResetCmd(op="reset"))


@api.post("/processes/{pid}/race", response_model=RaceView, dependencies=Presenter)
async def race(
    lab: TheLab, pid: PidPath, q: Q, body: Annotated[RaceRequest | None, Body()] = None
) -> RaceView:
    """Race N threads of a process on one counter (read–modify–write), with or without a lock."""
    b = body or RaceRequest()
    return await lab.run(RaceCmd(op="race", pid=pid, threads=b.threads, increments=b.increments, lock=b.lock))


@api.delete("/processes/{pid}/race", response_model=CancelResult, dependencies=Presenter)
async def cancel_race(lab: TheLab, pid: PidPath, q: Q) -> CancelResult:
    """Cancel a process's running race or shared-memory run."""
    return await lab.run(CancelCmd(op="cancel", pid=pid))


@api.post("/processes/{pid}/stepped", response_model=StepResult, status_code=201, dependencies=Presenter)
async def step_start(
    lab: TheLab, pid: PidPath, q: Q, body: Annotated[StepStartRequest | None, Body()] = None
) -> StepResult:
    """Start a race (or deadlock) in slow motion: real threads, each held at a gate before every step."""
    b = body or StepStartRequest()
    return await lab.run(
        StepStartCmd(op="step_start", pid=pid, mode=b.mode, threads=b.threads, rounds=b.rounds)
    )


@api.post("/processes/{pid}/stepped/step", response_model=StepResult, dependencies=Presenter)
async def step(
    lab: TheLab, pid: PidPath, q: Q, body: Annotated[StepRequest | None, Body()] = None
) -> StepResult:
    """Let one stepped thread do its next step (no thread given: the next one that can move)."""
    return await lab.run(StepCmd(op="step", pid=pid, thread=(body or StepRequest()).thread))


@api.delete("/processes/{pid}/stepped", response_model=StepResult, dependencies=Presenter)
async def step_end(lab: TheLab, pid: PidPath, q: Q) -> StepResult:
    """End the stepped scene; a deadlocked one ends only with its process (409)."""
    return await lab.run(StepEndCmd(op="step_end", pid=pid))


@api.get("/runs", response_model=RunResult)
async def current_run(lab: TheLab, q: Q) -> RunResult:
    """The current (or last) run of user code, with everything it printed that is kept."""
    return RunResult(run=lab.run_view(), code=lab.run_code())


@api.get("/runs/examples", response_model=list[Example])
async def run_examples(q: Q) -> list[Example]:
    """The built-in examples for the code panel."""
    return [Example(name=p.name, code=p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.py"))]


@api.post("/runs", response_model=RunResult, status_code=201, dependencies=Presenter)
async def run_code(lab: TheLab, q: Q, body: RunRequest) -> RunResult:
    """Run Python code as a lab process tree (only where PTLAB_ALLOW_CODE allows)."""
    return await lab.run(RunStartCmd(op="run_start", code=body.code, name=body.name, args=body.args))


@api.delete("/runs", response_model=RunResult, dependencies=Presenter)
async def stop_run(lab: TheLab, q: Q) -> RunResult:
    """End the current run's whole process tree."""
    return await lab.run(RunStopCmd(op="run_stop"))


@api.get("/lesson", response_model=LessonResult)
async def lesson(lab: TheLab, q: Q) -> LessonResult:
    """Where the class is in the lesson (null: lesson mode is off), with the open question's tally."""
    return LessonResult(lesson=lab.lesson())


@api.post("/lesson/scenes/{index}", response_model=LessonResult, dependencies=Presenter)
async def lesson_go(lab: TheLab, index: Annotated[PathInt, Path(ge=0, le=39)], q: Q) -> LessonResult:
    """Go to a scene (entering lesson mode): its lab is set up, idempotently."""
    return await lab.run(LessonGoCmd(op="lesson_go", index=index))


@api.post("/lesson/reveal", response_model=LessonResult, dependencies=Presenter)
async def lesson_reveal(lab: TheLab, q: Q) -> LessonResult:
    """Close the scene's question and run its experiment; the measured figure marks the answer."""
    return await lab.run(LessonRevealCmd(op="lesson_reveal"))


@api.delete("/lesson", response_model=LessonResult, dependencies=Presenter)
async def lesson_end(lab: TheLab, q: Q) -> LessonResult:
    """Leave lesson mode."""
    return await lab.run(LessonEndCmd(op="lesson_end"))


@api.post("/ipc", response_model=IpcResult, dependencies=Presenter)
async def ipc(lab: TheLab, q: Q, body: IpcRequest) -> IpcResult:
    """Send a message from one lab process to another through a pipe, a Unix socket or a file."""
    return await lab.run(IpcCmd(op="ipc", **body.model_dump()))


@api.post("/shm", response_model=RaceView, dependencies=Presenter)
async def shm(lab: TheLab, q: Q, body: ShmRequest) -> RaceView:
    """Two lab processes increment one counter in shared memory (both map it: see their maps)."""
    return await lab.run(ShmCmd(op="shm", **body.model_dump()))


@api.post("/response", response_model=ResponseView, dependencies=Presenter)
async def response(lab: TheLab, q: Q) -> ResponseView:
    """Measure how soon a process answers while it computes, with one thread, two, or two processes."""
    return await lab.run(ResponseCmd(op="response"))


@api.post("/costs", response_model=CostsView, dependencies=Presenter)
async def costs(lab: TheLab, q: Q) -> CostsView:
    """Measure thread vs process costs (creation, memory, context switch, CPU-bound work) in ≤ 10 s."""
    return await lab.run(CostsCmd(op="costs"))


@api.get("/costs", response_model=CostsView | None)
async def last_costs(lab: TheLab, q: Q) -> CostsView | None:
    """The latest measurement, if any."""
    return lab.costs()


@api.post("/costs/switch", response_model=SwitchSweepView, dependencies=Presenter)
async def switch_sweep(lab: TheLab, q: Q) -> SwitchSweepView:
    """Measure a switch's cost against the working set, threads against processes (lmbench lat_ctx)."""
    return await lab.run(SwitchSweepCmd(op="switch_sweep"))


@api.get("/costs/switch", response_model=SwitchSweepView | None)
async def last_switch_sweep(lab: TheLab, q: Q) -> SwitchSweepView | None:
    """The latest switch sweep, if any."""
    return lab.switch_sweep()


@api.delete("/costs", response_model=CancelResult, dependencies=Presenter)
async def cancel_costs(lab: TheLab, q: Q) -> CancelResult:
    """Cut a running measurement short."""
    return await lab.run(CancelCostsCmd(op="cancel_costs"))


@pages.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request, token: Annotated[str | None, Query(max_length=512)] = None) -> Response:
    """The dashboard. ``?token=`` is traded for a cookie and removed from the address bar.

    Other query keys are ignored here: a page link may carry anything.
    """
    web = get_web(request)
    settings, templates, lockout = web.settings, web.templates, web.lockout
    client = client_host(request.scope)
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
    page = templates.TemplateResponse(
        request, "index.html", {"presenter": presenter, "token_error": False, "early_stream": True}
    )
    ids = web.voter_ids
    if ids.verify(request.cookies.get(VOTER_COOKIE)) is None:
        # anonymous: a random id, signed, that only keeps one browser to one vote per question
        page.set_cookie(VOTER_COOKIE, ids.issue(), httponly=True, samesite="lax", max_age=12 * 3600)
    return page
