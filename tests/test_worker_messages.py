"""The worker protocol as the server parses it: one model per message type."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from app.control.messages import ChildExit, CounterMessage, Hello, JobDone, Reply, ThreadExit, parse_message
from app.lab import commands as wc

COUNTER = {"address": 140000000000000, "value": 3, "last_tid": 12, "shm": []}
THREAD = {"tid": 12, "activity": "count", "stack_start": 4096, "stack_end": 8192, "guard": 4096}


def line(**msg: object) -> bytes:
    return json.dumps(msg).encode()


def test_hello_carries_threads_with_their_stacks() -> None:
    msg = parse_message(line(type="hello", pid=11, ppid=1, counter=COUNTER, threads=[THREAD]))
    assert isinstance(msg, Hello)
    assert msg.threads[0].stack.tid == 12 and msg.threads[0].stack.guard == 4096


def test_a_thread_reports_stack_is_built_once() -> None:
    msg = parse_message(line(type="threads", pid=11, counter=COUNTER, threads=[THREAD]))
    t = msg.threads[0]  # type: ignore[union-attr]
    assert t.stack is t.stack


def test_counter_messages_are_counter_views() -> None:
    msg = parse_message(line(type="counter", **COUNTER))
    assert isinstance(msg, CounterMessage) and msg.value == 3 and msg.frame is None


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"type": "reply", "id": "7", "ok": True, "result": {"tid": 5}}, Reply),
        ({"type": "thread_exit", "tid": 5, "reason": "error", "detail": "RuntimeError()"}, ThreadExit),
        ({"type": "child_exit", "pid": 9, "code": -9}, ChildExit),
        ({"type": "job_done", "job": "j1", "kind": "race", "expected": 10, "actual": 7}, JobDone),
    ],
)
def test_each_type_parses_to_its_model(raw: dict[str, object], kind: type) -> None:
    assert isinstance(parse_message(json.dumps(raw)), kind)


@pytest.mark.parametrize(
    "raw",
    [
        b"{}",
        b'{"type": "format_disk"}',
        b'{"type": "child_exit", "pid": "nine", "code": 0}',
        b'{"type": "reply", "id": "1"}',
        b"not json",
    ],
)
def test_malformed_lines_are_refused(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_message(raw)


# ---- server → worker: every command round-trips, and a bad one is refused by name -----------------


@pytest.mark.parametrize(
    "cmd",
    [
        wc.StartThread("busy"),
        wc.StopThread(12),
        wc.Fork(),
        wc.Race(threads=4, increments=1000, lock=True, job="j1"),
        wc.ShmRun(path="/dev/shm/x", increments=10, lock=False, job="j2"),
        wc.ShmAttach("/dev/shm/x"),
        wc.Cancel(),
        wc.Costs(job="j3"),
        wc.Response(job="j4"),
        wc.SwitchSweep(job="j5"),
        wc.IpcListen(xfer="x1", kind="pipe", path="/tmp/f"),
        wc.IpcSend(kind="file", path="/tmp/f", text="hello"),
        wc.Sync(),
        wc.Stack(12),
        wc.StepStart(mode="race", threads=2, rounds=1),
        wc.Step(None),
        wc.Step(2),
        wc.StepEnd(),
        wc.Exit(3),
    ],
    ids=lambda c: f"{c.op}",
)
def test_every_command_to_a_worker_reads_back_as_sent(cmd: wc.WorkerCommand) -> None:
    assert wc.from_wire(json.loads(wc.to_wire(cmd, "r9"))) == ("r9", cmd)


def test_every_command_type_is_on_the_wire_table() -> None:
    assert set(wc.COMMANDS) == {c.op for c in wc.COMMANDS.values()} and len(wc.COMMANDS) == 18


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"op": "format_disk", "id": "1"}, "unknown op 'format_disk'"),
        ({"op": "stop_thread", "id": "1"}, "stop_thread: "),  # tid missing
        ({"op": "stop_thread", "id": "1", "tid": "12"}, "tid must be"),
        ({"op": "stop_thread", "id": "1", "tid": True}, "tid must be"),  # a bool is no TID
        ({"op": "race", "id": "1", "threads": 2, "increments": 5, "lock": 1}, "lock must be"),
        ({"op": "fork", "id": "1", "pid": 5}, "fork takes no ['pid']"),
        (["fork"], "a command is a JSON object"),
    ],
)
def test_a_bad_command_is_refused_saying_what_is_wrong(raw: object, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        wc.from_wire(raw)
