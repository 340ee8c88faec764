"""The worker protocol as the server parses it: one model per message type."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from app.control.messages import ChildExit, CounterMessage, Hello, JobDone, Reply, ThreadExit, parse_message

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
