"""Websocket message handling, in-process: validation, roles, rate limit, errors, acks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import BaseModel

from app.control.errors import LabError
from app.protocol import Command, PidResult
from app.web.auth import RateLimit
from app.web.ws import handle_text


class FakeCommands:
    """Stands in for the command service: records what it was asked, answers or refuses."""

    relay = False

    def __init__(self, fail: LabError | None = None) -> None:
        self.ran: list[Command] = []
        self.fail = fail

    async def run(self, cmd: Command) -> BaseModel:
        self.ran.append(cmd)
        if self.fail:
            raise self.fail
        return PidResult(pid=42)


def handle(
    text: str, role: str = "presenter", commands: Any = None, limiter: RateLimit | None = None
) -> dict:
    commands = commands if commands is not None else FakeCommands()
    limiter = limiter or RateLimit(rate=10, burst=10)
    return json.loads(asyncio.run(handle_text(text, role, limiter, commands, max_bytes=1024)))  # type: ignore[arg-type]


SPAWN = json.dumps({"type": "command", "id": "r1", "command": {"op": "spawn_process"}})


def test_a_valid_command_is_run_and_acked_with_its_result() -> None:
    commands = FakeCommands()
    reply = handle(SPAWN, commands=commands)
    assert reply == {"type": "ack", "id": "r1", "result": {"pid": 42}}
    assert [c.op for c in commands.ran] == ["spawn_process"]


def test_a_viewer_is_refused_and_nothing_runs() -> None:
    commands = FakeCommands()
    reply = handle(SPAWN, role="viewer", commands=commands)
    assert reply["error"] == "forbidden" and reply["id"] == "r1" and commands.ran == []


def test_bad_json_is_named() -> None:
    assert handle("{nope")["error"] == "bad_json"


def test_an_unknown_op_is_an_invalid_request_with_the_id() -> None:
    reply = handle(json.dumps({"type": "command", "id": "u", "command": {"op": "format_disk"}}))
    assert reply["error"] == "invalid_request" and reply["id"] == "u"


def test_a_wrong_type_is_refused_strictly() -> None:
    cmd = {"type": "command", "id": "s", "command": {"op": "spawn_thread", "pid": "5"}}
    assert handle(json.dumps(cmd))["error"] == "invalid_request"


def test_an_oversized_message_is_refused_before_parsing() -> None:
    assert handle("x" * 2000)["error"] == "too_large"


def test_the_rate_limit_refuses_without_running() -> None:
    commands = FakeCommands()
    limiter = RateLimit(rate=0.001, burst=1)
    handle(SPAWN, commands=commands, limiter=limiter)
    reply = handle(SPAWN, commands=commands, limiter=limiter)
    assert reply["error"] == "rate_limited" and len(commands.ran) == 1


def test_a_lab_error_keeps_its_code_and_message() -> None:
    commands = FakeCommands(fail=LabError("cap_reached", "at most 16 lab processes"))
    reply = handle(SPAWN, commands=commands)
    assert reply == {
        "type": "error",
        "id": "r1",
        "error": "cap_reached",
        "message": "at most 16 lab processes",
    }


def test_deep_nesting_gets_a_bad_json_reply_not_a_recursion_error() -> None:
    reply = handle("[" * 500 + "]" * 500)
    assert reply["error"] == "bad_json" and "nests deeper" in reply["message"]


def test_an_id_with_a_lone_surrogate_is_refused_with_a_reply_that_can_be_sent() -> None:
    commands = FakeCommands()
    text = '{"type": "command", "id": "\\ud800", "command": {"op": "spawn_process"}}'
    reply = handle(text, commands=commands)
    assert reply["error"] == "invalid_request" and reply["id"] is None and "id" in reply["message"]
    assert commands.ran == []
    vote = '{"type": "vote", "id": "a\\udfff", "question": "q", "choice": "a"}'
    assert handle(vote, role="viewer")["error"] == "invalid_request"
