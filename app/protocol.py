"""The wire format, defined once: REST bodies and websocket messages.

docs/protocol.md describes these same names; the front end and tests use them.
Addresses are plain integers (JSON numbers hold them exactly up to 2**53,
above every user-space address on x86-64 and arm64).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator, model_validator

from .lab.activities import ACTIVITIES

Activity = Literal[ACTIVITIES]  # type: ignore[valid-type]  # the registry's names
EventKind = Literal[
    "process_started",
    "process_forked",
    "process_exited",
    "thread_started",
    "thread_stopped",
    "reset",
    "race_finished",
    "shm_finished",
    "ipc_message",
    "costs_finished",
    "switch_sweep_finished",
]
IpcKind = Literal["pipe", "socket", "file"]
Pid = Annotated[int, Field(ge=1, le=2**22)]
Role = Literal["presenter", "viewer"]
PAGE = os.sysconf("SC_PAGE_SIZE")


class Strict(BaseModel):
    """Base for messages we receive: unknown fields are an error, not ignored."""

    # strict: "yes" is not a bool and "5" is not a number
    model_config = ConfigDict(extra="forbid", strict=True)


class StackView(BaseModel):
    """A thread's own stack: the mapped range, and the guard page below it."""

    start: int
    end: int
    guard: int = 0


class RegsView(BaseModel):
    """A waiting thread's own registers as the kernel saved them (/proc/PID/task/TID/syscall)."""

    sp: int = Field(description="user stack pointer: inside this thread's own stack")
    pc: int = Field(description="program counter: where in the code it waits (a mapping of the process)")
    syscall: str = Field(
        description="the system call it waits in, by name (`futex`, `clock_nanosleep`, `read`, ...; "
        '"syscall N" for others), or "" when it is stopped outside one'
    )


class ThreadView(BaseModel):
    """One thread: the OS view joined with its worker's report."""

    tid: int
    name: str
    state: str
    cpu: int
    utime: float
    stime: float
    vcsw: int
    ivcsw: int
    main: bool
    activity: str
    py_name: str | None = Field(
        None, description="a run's thread: the name the program gave it in Python (`name`: comm, cut at 15)"
    )
    stack: StackView | None = None
    regs: RegsView | None = Field(
        None, description="its registers while it waits in the kernel; null while it runs or where withheld"
    )
    load: float = Field(0.0, description="cores it used since it was last read (schedstat), in 0.01 steps")
    history: list[float] | None = Field(
        None, description="`load` at each tick of the last 30 s, oldest first; in GET /api/state only"
    )
    history_cpus: list[int] | None = Field(
        None, description="the CPU it last ran on at each of those ticks; in GET /api/state only"
    )


class RegionView(BaseModel):
    """One classified region of /proc/PID/maps."""

    start: int
    end: int
    perms: str
    kind: Literal["code", "data", "heap", "stack", "shared", "other"]
    path: str
    guard: bool = False
    tid: int | None = Field(
        None, description="the thread whose stack this is; 0: a stack copied by fork from a parent's thread"
    )


class RegionTable(BaseModel):
    """The compact wire form of a process's region list: a quarter of the JSON of one object per region.

    ``paths``: the distinct paths, sorted and front-coded: an entry is a plain
    string, or ``[n, suffix]`` meaning the previous path's first ``n`` characters
    followed by ``suffix``. ``rows``: one per region, in address order:
    ``[gap, size, perms, kind, path]``, where ``gap`` is the distance from the
    previous region's end (the first: from 0) and ``gap``/``size`` count units of
    ``page`` bytes; ``path`` indexes ``paths``. A region that is a thread's stack
    or guard adds ``tid, guard`` (guard 1 or 0). ``decode_regions`` (and
    static/js/state/wire.js) turn it back into RegionViews.
    """

    page: int
    paths: list[str | tuple[int, str]]
    rows: list[list[int | str | None]]


def _shared_prefix(a: str, b: str) -> int:
    # Front coding shares characters, not path components: "libc.so.6" and "libcrypto.so" share "libc".
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def encode_regions(regions: Sequence[RegionView]) -> dict[str, Any]:
    """RegionViews as a RegionTable (plain dict, ready for JSON)."""
    page = PAGE if all(r.start % PAGE == 0 and r.end % PAGE == 0 for r in regions) else 1
    names = sorted({r.path for r in regions})
    index = {p: i for i, p in enumerate(names)}
    paths: list[str | tuple[int, str]] = []
    prev = ""
    for name in names:
        n = _shared_prefix(prev, name)
        paths.append((n, name[n:]) if n > 3 else name)
        prev = name
    rows: list[list[int | str | None]] = []
    at = 0
    for r in regions:
        row: list[int | str | None] = [
            (r.start - at) // page,
            (r.end - r.start) // page,
            r.perms,
            r.kind,
            index[r.path],
        ]
        if r.tid is not None or r.guard:
            row += [r.tid, int(r.guard)]
        rows.append(row)
        at = r.end
    return {"page": page, "paths": paths, "rows": rows}


def decode_regions(table: dict[str, Any]) -> list[dict[str, Any]]:
    """A RegionTable back into RegionView dicts."""
    page = int(table["page"])
    names: list[str] = []
    for entry in table["paths"]:
        names.append(entry if isinstance(entry, str) else names[-1][: entry[0]] + entry[1])
    out = []
    at = 0
    for row in table["rows"]:
        gap, size, perms, kind, path = row[:5]
        start = at + int(gap) * page
        at = start + int(size) * page
        tid, guard = (row[5], bool(row[6])) if len(row) > 5 else (None, False)
        out.append(
            {
                "start": start,
                "end": at,
                "perms": perms,
                "kind": kind,
                "path": names[int(path)],
                "guard": guard,
                "tid": tid,
            }
        )
    return out


class ShmView(BaseModel):
    """A shared-memory segment this process maps, and the counter in it."""

    path: str
    address: int
    value: int


class CounterView(BaseModel):
    """The process-local counter: real address, value, the thread that touched it last.

    ``frame`` is the physical page frame behind it (from /proc/PID/pagemap),
    or null where the server may not read frames (it needs CAP_SYS_ADMIN).
    """

    address: int
    value: int
    last_tid: int = 0
    frame: int | None = None
    exclusive: bool | None = Field(
        None,
        description="only this process maps the counter's page (pagemap bit 56, readable by any "
        "user): false right after a fork, until one of them writes it; null: page not present",
    )
    shm: list[ShmView] = []


class RaceView(BaseModel):
    """One run of N threads (or processes) doing K read–modify–write increments of one counter."""

    threads: int
    increments: int
    lock: bool
    expected: int = Field(description="increments attempted: threads × increments unless cancelled")
    actual: int = Field(description="the counter's value afterwards")
    lost: int
    seconds: float
    cancelled: bool = False
    ts: float
    pids: list[int] = []
    path: str | None = None


StepMode = Literal["race", "lock", "deadlock", "ordered"]


class SteppedThreadView(BaseModel):
    """One thread of a stepped scene, as its process reports it."""

    index: int = Field(description="1, 2 or 3: the key that steps it")
    tid: int
    next: str = Field(description="the step it does when let through: load, add, store, acquire L1, done…")
    waiting: str | None = Field(None, description="the lock it is blocked on (its /proc state shows S)")
    holds: list[str] = []
    rounds: int = Field(description="increments it has finished")
    tmp: int | None = Field(None, description="its local `tmp`, read from its live Python frame")


class StepEntry(BaseModel):
    """One step taken: which thread, what it did, the counter value it read or wrote."""

    thread: int
    step: str
    blocked: bool = Field(description="the thread did not reach its next gate: it waits for a lock")
    value: int | None = None


class SteppedView(BaseModel):
    """A race (or deadlock) in slow motion: real threads held at a gate before each step."""

    mode: StepMode
    rounds: int
    counter: int
    start: int = Field(description="the counter when the scene began")
    expected: int | None = Field(description="start + increments finished; null in the deadlock scenes")
    threads: list[SteppedThreadView]
    log: list[StepEntry] = Field([], description="the last 40 steps, oldest first")


class ExitView(BaseModel):
    """How a lab process ended: exit code, or the signal that killed it."""

    code: int | None = None
    signal: int | None = None
    reason: str


class ProcessView(BaseModel):
    """One lab process. ``regions`` is omitted from frames when the maps did not change."""

    pid: int
    ppid: int
    parent: int | None = Field(None, description="PID of the lab process this one was forked from")
    name: str
    state: str
    status: Literal["running", "exited"]
    rss: int
    started: float
    threads: list[ThreadView]
    counter: CounterView | None = None
    regions: list[RegionView] | None = None
    exit: ExitView | None = None
    races: list[RaceView] = []
    stepped: SteppedView | None = None
    run: int | None = Field(
        None, description="the run of user code this process belongs to; null: a lab worker"
    )
    probe: bool = Field(True, description="false: no ptlab probe inside (not Python): drawn from /proc alone")
    inner_pid: int | None = Field(
        None,
        description="the PID the program itself sees (os.getpid()) in its run's own PID namespace; "
        "null: the same as pid",
    )

    @field_serializer("regions", when_used="json")
    def _compact_regions(self, regions: list[RegionView] | None) -> RegionTable | None:
        return None if regions is None else RegionTable.model_construct(**encode_regions(regions))

    @field_validator("regions", mode="before")
    @classmethod
    def _expand_regions(cls, value: Any) -> Any:
        return decode_regions(value) if isinstance(value, dict) else value


class EventView(BaseModel):
    """Something that just happened, for the explanation strip."""

    id: int
    ts: float
    kind: EventKind
    pid: int | None = None
    tid: int | None = None
    parent: int | None = None
    detail: str | None = None
    peer: int | None = Field(None, description="the receiving process of an IPC message")
    text: str | None = Field(None, description="the IPC message itself")
    result: RaceView | None = None


class Isolation(BaseModel):
    """How runs of user code are contained on this machine: namespaces, or a fallback that says why."""

    namespaces: bool = Field(
        description="each run has its own PID and mount namespaces: it sees only its own processes and "
        "cannot signal the server; everything left dies with its init"
    )
    user: bool = Field(False, description="in a user namespace of its own too (the server is not root)")
    why: str = Field("", description="what the kernel said when it refused (namespaces false)")


class HostView(BaseModel):
    """Whose kernel the figures belong to: this machine's own, WSL2's VM, or a container's host."""

    kind: Literal["linux", "wsl", "container"] = Field(
        "linux", description="linux: the machine's own kernel; wsl: WSL on Windows; container: the host's"
    )
    name: str = Field("", description="the container engine or WSL version when known (docker, WSL2)")
    kernel: str = Field("", description="the running kernel's release (uname -r)")


class ServerInfo(BaseModel):
    """Static facts about this server."""

    pid: int
    hz: float
    max_processes: int
    max_threads: int
    cpus: int
    pagemap: bool = Field(description="physical page frames are readable (copy-on-write can be shown)")
    registers: bool = Field(
        True, description="waiting threads' registers are readable (ptrace access to the lab's processes)"
    )
    replay: bool = Field(False, description="this server replays a recording: nothing live, nothing changes")
    code: bool = Field(False, description="the presenter may run Python code from the page (code panel)")
    isolation: Isolation | None = Field(None, description="how runs of user code are contained here")
    host: HostView = Field(default_factory=HostView, description="whose kernel every figure belongs to")


class FocusView(BaseModel):
    """What the presenter is pointing at: viewers who follow show the same selection and panel."""

    pid: int | None = None
    tid: int | None = None
    panel: bool = False
    lanes: bool = False
    at: float | None = Field(None, description="where the presenter paused (a frame's ts); null: live")


class RunView(BaseModel):
    """A run of the class's own Python code: its process tree is drawn like the lab's."""

    id: int
    name: str = Field(description="the script's name (an example's, or the file's)")
    pid: int = Field(description="the user's program (its first process); the run is everything it starts")
    status: Literal["running", "exited"]
    started: float
    seconds: float = Field(description="how long it has run (or ran)")
    exit_code: int | None = Field(None, description="the first process's exit code (negative: the signal)")
    reason: str | None = Field(
        None, description="why ptlab ended it: time limit, memory limit, process or thread cap, stop"
    )
    traceback: str | None = Field(None, description="the last traceback it printed to stderr, if any")
    console: str = Field(description="the end of what it printed (stdout and stderr, as they came)")
    console_bytes: int = Field(description="everything it printed, in bytes")
    dropped: int = Field(description="bytes printed that are not kept (a flood is cut, the end kept)")
    processes: int = Field(description="processes of the run alive now")
    isolated: bool = Field(False, description="in PID and mount namespaces of its own (ServerInfo.isolation)")
    memory: int = Field(0, description="bytes of memory the run holds now (RSS, summed over its processes)")
    limits: dict[str, float] = Field(description="seconds, memory_mib, processes, threads")


class RunRequest(Strict):
    """Run Python code as a lab process (presenter; PTLAB_ALLOW_CODE)."""

    code: Annotated[str, Field(min_length=1, max_length=200_000)]
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[\w.\- ]+$")] = "main.py"
    args: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=16)] = []


class RunResult(BaseModel):
    """The current run, if any."""

    run: RunView | None
    code: str | None = Field(
        None, description="GET /api/runs only: the source it runs (the code panel shows it)"
    )


class LessonText(BaseModel):
    """A lesson's text in both languages; the page shows the one it is set to."""

    en: str
    ko: str


class OptionView(BaseModel):
    """One answer to a lesson question, with its votes so far."""

    id: str
    label: LessonText
    min: float | None = None
    max: float | None = None
    votes: int = 0
    correct: bool | None = Field(None, description="after the reveal: the measured figure falls in it")


class QuestionView(BaseModel):
    """The question of the current scene and its live tally (anonymous: counts only)."""

    id: str
    kind: Literal["choice", "number"]
    prompt: LessonText
    figure: str
    options: list[OptionView]
    votes: int = Field(description="viewers who voted")
    outside: int = Field(0, description="numbers voted that fall in no option's range")
    open: bool = Field(description="votes are taken (and may be changed) until the reveal")


class RevealView(BaseModel):
    """What the reveal's real experiment measured."""

    experiment: str
    figures: dict[str, float]
    value: float | None = Field(None, description="the figure the question asked about")
    reliable: bool = Field(True, description="false when the machine was too busy to trust the figures")
    detail: str = Field("", description="a line about the run (pids, threads, what was sent), in English")
    note: str = Field("", description="which line `detail` is (the page's i18n key reveal.note.NOTE)")
    params: dict[str, str | float] = Field({}, description="the values that line names")
    ts: float


class SceneView(BaseModel):
    """The scene the class is on."""

    index: int
    id: str
    kind: Literal["show", "stepped"]
    headline: LessonText
    narration: LessonText
    question: QuestionView | None = None
    reveal: str | None = Field(None, description="the experiment the reveal runs; null: nothing to reveal")
    revealed: RevealView | None = None
    pids: list[int] = Field([], description="the lab processes this scene set up, in its setup's order")


class LessonView(BaseModel):
    """Lesson mode: where the class is, and whether the lesson is busy setting up or revealing."""

    title: LessonText
    scenes: list[str] = Field(description="every scene's id, in order (the progress dots)")
    scene: SceneView
    busy: str | None = Field(None, description="what the lesson is doing now: setup or reveal")
    error: str | None = Field(None, description="why the last setup or reveal failed")
    error_code: str | None = Field(None, description="the error's code (as in every error reply)")
    aside: list[int] = Field(
        [],
        description="lab processes that were running when the lesson began and are not its own: "
        "set aside (not drawn) while it runs, back as they were when it ends",
    )


class Snapshot(BaseModel):
    """The whole state: sent first on every websocket and by GET /api/state."""

    type: Literal["snapshot"] = "snapshot"
    seq: int
    ts: float
    role: Role = "viewer"
    server: ServerInfo
    processes: list[ProcessView]
    events: list[EventView]
    costs: CostsView | None = None
    switch_sweep: SwitchSweepView | None = Field(None, description="the latest switch sweep, if any")
    focus: FocusView = FocusView()
    lesson: LessonView | None = Field(None, description="null: lesson mode is off")
    run: RunView | None = Field(None, description="the latest run of user code, if any")


class ProcessPatch(BaseModel):
    """The fields of a process that changed since the previous frame (see app/patches.py).

    ``threads`` holds only threads that changed: new ones whole, others as
    ``{"tid", changed fields}``; ``tids`` is the full ordered set of TIDs,
    present whenever threads came or went. ``regions``, when present, is the
    whole new list.
    """

    model_config = ConfigDict(extra="allow")

    pid: int
    patch: Literal[True]
    threads: list[dict[str, Any]] | None = None
    tids: list[int] | None = None


class Frame(BaseModel):
    """What changed since the previous frame: whole views for new or just-exited processes, else patches."""

    type: Literal["frame"] = "frame"
    seq: int
    ts: float
    changed: list[ProcessView | ProcessPatch]
    removed: list[int]
    events: list[EventView]
    costs: CostsView | None = Field(None, description="present only when a new measurement finished")
    switch_sweep: SwitchSweepView | None = Field(
        None, description="present only when a new switch sweep finished"
    )
    focus: FocusView | None = Field(None, description="present only when the presenter's focus changed")
    lesson: LessonView | None = Field(
        None, description="present when the lesson moved (see `lesson_off` for leaving lesson mode)"
    )
    lesson_off: bool | None = Field(None, description="true when lesson mode was just closed")
    run: RunView | None = Field(
        None, description="present when the run changed (its console: the last 4 KiB)"
    )


# ---- requests ---------------------------------------------------------------


class SpawnProcessRequest(Strict):
    """Start a new lab process, or fork one from ``parent``."""

    parent: Pid | None = None


class SpawnThreadRequest(Strict):
    """Start a thread in a lab process."""

    activity: Activity = "idle"


class RaceRequest(Strict):
    """Race N threads of one lab process, K increments each, with or without a lock."""

    threads: Annotated[int, Field(ge=2, le=8)] = 4
    increments: Annotated[int, Field(ge=1, le=200_000)] = 10_000
    lock: bool = False


class IpcRequest(Strict):
    """Send one message from one lab process to another through the OS."""

    kind: IpcKind
    sender: Pid
    receiver: Pid
    message: Annotated[str, Field(min_length=1, max_length=256)] = "hello"


class ShmRequest(Strict):
    """Two lab processes increment one counter in shared memory, K times each."""

    pids: Annotated[list[Pid], Field(min_length=2, max_length=2)]
    increments: Annotated[int, Field(ge=1, le=200_000)] = 10_000
    lock: bool = False


class IpcResult(BaseModel):
    """A message that crossed from one process to another."""

    kind: IpcKind
    sender: int
    receiver: int
    message: str
    received: str
    ms: float


class CostRow(BaseModel):
    """One measured cost: median of ``n`` runs, with the lowest and highest."""

    group: Literal["creation", "memory", "switch", "cpu"]
    name: str
    median: float
    low: float
    high: float
    n: int
    unit: str = Field(description="s (seconds), B (bytes), x (speed-up), share (of one core)")


class CostsView(BaseModel):
    """Thread vs process costs, measured in a dedicated lab process."""

    rows: list[CostRow]
    cancelled: bool = Field(description="the presenter cancelled it")
    timed_out: bool = Field(False, description="it reached its time budget before every measurement was done")
    budget: float = Field(20.0, description="the seconds it may take")
    seconds: float
    cpus: int
    tasks: int = Field(description="CPU-bound tasks run at once (2..4, up to the CPUs)")
    task_seconds: float = Field(description="seconds of one core each task works")
    other_load: float = Field(
        description="share of all CPUs other programs used in the CPU runs (median); over the whole run "
        "when it ended before them"
    )
    steal: float = Field(description="share of all CPUs the hypervisor took meanwhile (steal, median)")
    reliable: bool = Field(description="false when other programs were busy or too few runs were plausible")
    discarded: list[str] = Field(description="why each implausible repetition was thrown out and re-measured")
    pid: int
    ts: float


class ResponseRow(BaseModel):
    """How soon a process answered while it computed one way: round trips of a ping, in ms."""

    mode: Literal["alone", "one_thread", "gil_thread", "gil_free_thread", "process"] = Field(
        description="alone: nothing else to do; one_thread: the work on the answering thread; "
        "gil_thread: on a second thread in Python (holds the GIL); gil_free_thread: on a second "
        "thread in C (GIL released); process: in another process"
    )
    n: int = Field(description="pings answered")
    p50: float | None = Field(description="median round trip, ms")
    p90: float | None
    max: float | None


class ResponseView(BaseModel):
    """Does a second thread make the answer come sooner? Measured in a dedicated lab process."""

    rows: list[ResponseRow]
    cancelled: bool
    seconds: float
    switch_interval_ms: float = Field(
        description="sys.getswitchinterval(): how long a thread may hold the GIL"
    )
    chunk_ms: float = Field(description="the piece of work an answer waits for when it shares the thread")
    cpus: int
    other_load: float = Field(description="share of all CPUs other programs used meanwhile")
    reliable: bool = Field(description="false when other programs were busy or it was cancelled")
    pid: int
    ts: float


class SwitchPoint(BaseModel):
    """One working set of the switch sweep: µs per switch, the same work without a switch subtracted."""

    bytes: int = Field(description="each task's working set, read whole once per hop")
    tasks: int = Field(description="tasks in the ring, all pinned to one CPU")
    thread_us: float = Field(description="median µs per switch between threads of one process")
    process_us: float = Field(description="median µs per switch between processes")
    thread_spread: float = Field(description="highest minus lowest of the repetitions, µs")
    process_spread: float
    overhead_us: float = Field(
        description="µs per hop of one task doing the same work (pipe, working set) with no switch: "
        "subtracted from both (lmbench lat_ctx's overhead)"
    )
    rounds: int = Field(description="times the token went round in one timed repetition")


class CacheSizes(BaseModel):
    """The first CPU's data caches in bytes (sysfs), null where the kernel does not list one."""

    L1d: int | None = None
    L2: int | None = None
    L3: int | None = None


class SwitchSweepReport(BaseModel):
    """What ``app.lab.switch_sweep.measure`` returns."""

    model_config = ConfigDict(extra="ignore")

    points: list[SwitchPoint]
    caches: CacheSizes
    pcid: bool | None = Field(
        description="the CPU tags TLB entries by address space (/proc/cpuinfo): a process switch "
        "then keeps the translations; null where the CPU has no such flag"
    )
    pti: str | None = Field(
        description="/sys/devices/system/cpu/vulnerabilities/meltdown as the kernel says it "
        "('Mitigation: PTI': page tables switched on every entry to the kernel)"
    )
    cpu: str = Field(description="the CPU's model name")
    cancelled: bool
    timed_out: bool = Field(description="it reached its time budget before the last point")
    budget: float
    seconds: float
    cpus: int
    other_load: float = Field(description="share of all CPUs other programs used meanwhile")
    reliable: bool = Field(description="false when other programs were busy, or it was cut short")


class SwitchSweepView(SwitchSweepReport):
    """The cost of a switch against the working set, measured in a dedicated lab process."""

    pid: int
    ts: float


class PidResult(BaseModel):
    """A process that was started or stopped."""

    pid: int


class TidResult(BaseModel):
    """A thread that was started or stopped."""

    tid: int
    pid: int


class CancelResult(BaseModel):
    """A cancelled experiment: how many runs in ``pid`` were told to stop."""

    pid: int
    cancelled: int


class ResetResult(BaseModel):
    """How many lab processes a reset ended."""

    stopped: int


class RelayView(BaseModel):
    """How a relay follows the lab server through Redis."""

    redis: bool = Field(description="connected to Redis")
    keyframes: int = Field(description="keyframes taken since it started")
    drifted: int = Field(
        description="keyframes that showed something other than the picture it had carried forward by the "
        "frames (each put right at once, its viewers sent the keyframe): 0 when it follows faithfully"
    )


class FeedView(BaseModel):
    """How a lab server started with PTLAB_REDIS_URL feeds its relays."""

    redis: bool = Field(description="connected to Redis now")
    sent: int = Field(description="frames and keyframes published since the start")
    lost: int = Field(description="frames dropped while Redis was away or slow (relays then resync)")


class Health(BaseModel):
    """Liveness and a few counts."""

    ok: bool
    processes: int
    clients: int
    seq: int
    dropped: int = Field(description="frames dropped for clients that read too slowly (latest frame wins)")
    stalled: int = Field(description="clients whose socket has been full for over a second")
    held_bytes: int = Field(description="bytes ptlab holds that clients' sockets have not taken yet")
    tick_ms: float = Field(description="mean CPU time of one sampling tick over the last 50 ticks, ms")
    isolation: Isolation | None = Field(None, description="how runs of user code are contained here")
    relay: RelayView | None = Field(None, description="on a relay (`ptlab relay`): how it follows the lab")
    feed: FeedView | None = Field(None, description="with PTLAB_REDIS_URL: how the feed to relays is doing")
    waiting: str | None = Field(
        None,
        description="a relay that cannot serve viewers now (no Redis, no picture yet): why; `ok` is false",
    )


class PyFrameView(BaseModel):
    """One frame of a thread's live Python stack."""

    function: str
    file: str = Field(description="the lab's files by package path (app/lab/agent.py), others by name")
    line: int | None
    locals: dict[str, str] = Field(description="local variables, each as a bounded repr")


class PyStackView(BaseModel):
    """A thread's live Python stack, outermost frame first, read inside its process just now."""

    pid: int
    tid: int
    frames: list[PyFrameView]


class MarkView(BaseModel):
    """An event on the history's timeline."""

    ts: float
    seq: int
    kind: str
    pid: int | None = None
    tid: int | None = None


class HistoryView(BaseModel):
    """What the server keeps of the recent past, for pausing, rewinding and export."""

    start: float | None = Field(description="when the kept past begins (its first keyframe); null: none yet")
    end: float | None = Field(description="the newest frame's time")
    seconds: float = Field(description="how far back the history reaches at most (PTLAB_HISTORY_MINUTES)")
    bytes: int = Field(description="memory it takes now (compressed messages and their bookkeeping)")
    max_bytes: int = Field(description="the most it may take (PTLAB_HISTORY_MIB)")
    messages: int
    keyframes: int
    dropped: int = Field(description="messages dropped as too old or over the memory bound")
    replay: bool = Field(description="this is a recording being replayed, not the live lab")
    marks: list[MarkView]


class JoinInfo(BaseModel):
    """How students reach this lab: their URLs (none on a loopback bind) and a QR code of the first."""

    urls: list[str]
    qr_svg: str | None = Field(None, description="the first URL as a QR code, an inline SVG element")
    loopback: bool = Field(description="bound to this computer only: nobody else can open it")


class ErrorBody(BaseModel):
    """Every REST error has this shape."""

    error: str
    message: str


# ---- websocket commands -----------------------------------------------------


class SpawnProcessCmd(Strict):
    op: Literal["spawn_process"]
    parent: Pid | None = None


class SpawnThreadCmd(Strict):
    op: Literal["spawn_thread"]
    pid: Pid
    activity: Activity = "idle"


class StopThreadCmd(Strict):
    op: Literal["stop_thread"]
    pid: Pid
    tid: Pid


class StopProcessCmd(Strict):
    op: Literal["stop_process"]
    pid: Pid
    code: Annotated[int, Field(ge=0, le=255)] = 0


class ResetCmd(Strict):
    op: Literal["reset"]


class RaceCmd(RaceRequest):
    op: Literal["race"]
    pid: Pid


class CancelCmd(Strict):
    op: Literal["cancel"]
    pid: Pid


class CostsCmd(Strict):
    op: Literal["costs"]


class CancelCostsCmd(Strict):
    op: Literal["cancel_costs"]


class ResponseCmd(Strict):
    op: Literal["response"]


class SwitchSweepCmd(Strict):
    op: Literal["switch_sweep"]


class StepStartRequest(Strict):
    """Start a stepped scene in a lab process: its threads wait at their first gate."""

    mode: StepMode = "race"
    threads: Annotated[int, Field(ge=2, le=3)] = 2
    rounds: Annotated[int, Field(ge=1, le=5)] = 1


class StepRequest(Strict):
    """Let one stepped thread (1–3) do its next step; null: the next one that can move (auto)."""

    thread: Annotated[int, Field(ge=1, le=3)] | None = None


class StepStartCmd(StepStartRequest):
    op: Literal["step_start"]
    pid: Pid


class StepCmd(StepRequest):
    op: Literal["step"]
    pid: Pid


class StepEndCmd(Strict):
    """End a stepped scene (a deadlocked one ends only with its process)."""

    op: Literal["step_end"]
    pid: Pid


class StepResult(BaseModel):
    """What one step did, and where every stepped thread stands now."""

    pid: int
    step: StepEntry | None = None
    run: SteppedView | None = None


class LessonGoCmd(Strict):
    """Go to a scene of the lesson (entering lesson mode): its lab is set up, idempotently."""

    op: Literal["lesson_go"]
    index: Annotated[int, Field(ge=0, le=39)]


class LessonRevealCmd(Strict):
    """Close the current question and run the scene's experiment; the measured figure marks the answer."""

    op: Literal["lesson_reveal"]


class RunStartCmd(RunRequest):
    op: Literal["run_start"]


class RunStopCmd(Strict):
    """End the current run's whole process tree."""

    op: Literal["run_stop"]


class LessonEndCmd(Strict):
    """Leave lesson mode (the lab stays as it is)."""

    op: Literal["lesson_end"]


class LessonResult(BaseModel):
    """The lesson after a command (null: lesson mode is off)."""

    lesson: LessonView | None


class FocusCmd(Strict):
    """The presenter selected a process or thread, or opened or closed the experiments panel."""

    op: Literal["focus"]
    pid: Pid | None = None
    tid: Pid | None = None
    panel: bool = False
    lanes: bool = False
    at: float | None = Field(None, ge=0, le=1e10, description="paused at (a frame's ts); null: live")


class IpcCmd(IpcRequest):
    op: Literal["ipc"]


class ShmCmd(ShmRequest):
    op: Literal["shm"]


Command = Annotated[
    SpawnProcessCmd
    | SpawnThreadCmd
    | StopThreadCmd
    | StopProcessCmd
    | ResetCmd
    | RaceCmd
    | CancelCmd
    | IpcCmd
    | ShmCmd
    | CostsCmd
    | CancelCostsCmd
    | ResponseCmd
    | SwitchSweepCmd
    | StepStartCmd
    | StepCmd
    | StepEndCmd
    | LessonGoCmd
    | LessonRevealCmd
    | LessonEndCmd
    | RunStartCmd
    | RunStopCmd
    | FocusCmd,
    Field(discriminator="op"),
]


class CommandMessage(Strict):
    """Client → server: ``{"type": "command", "id": "r1", "command": {"op": ...}}``."""

    type: Literal["command"]
    id: Annotated[str, Field(min_length=1, max_length=64)]
    command: Command


class VoteMessage(Strict):
    """Viewer → server, the only message a viewer may send: an anonymous vote on the open question.

    ``choice`` for a choice question, ``number`` for a number question. One vote
    per viewer per question counts; a later one replaces it until the reveal.
    """

    type: Literal["vote"]
    id: Annotated[str, Field(min_length=1, max_length=64)]
    question: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    choice: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")] | None = None
    number: Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> VoteMessage:
        if (self.choice is None) == (self.number is None):
            raise ValueError("a vote has exactly one of choice or number")
        return self


ClientMessage = Annotated[CommandMessage | VoteMessage, Field(discriminator="type")]


class Ack(BaseModel):
    """Server → client: a command succeeded."""

    type: Literal["ack"] = "ack"
    id: str
    result: dict[str, Any]


class ErrorMessage(BaseModel):
    """Server → client: a command or message was refused; nothing changed."""

    type: Literal["error"] = "error"
    id: str | None = None
    error: str
    message: str
