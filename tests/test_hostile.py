"""The hostile classroom (issue 20), against a real server: every probe gets a clear answer, costs
nothing it should not, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from support import LabServer
from websockets.sync.client import connect as ws_connect


def _replies(ws: Any, n: int) -> list[dict[str, Any]]:
    """The next ``n`` acks or errors (frames in between are skipped)."""
    out: list[dict[str, Any]] = []
    while len(out) < n:
        msg = json.loads(ws.recv(timeout=10))
        if msg["type"] in ("ack", "error"):
            out.append(msg)
    return out


def test_every_malformed_websocket_message_gets_an_answer(lab: LabServer) -> None:
    nested = "[" * 30_000 + "]" * 30_000  # 60 KB: under the size limit, far over any nesting
    surrogate = '{"type": "command", "id": "\\ud800", "command": {"op": "spawn_process"}}'
    with ws_connect(lab.ws_url, additional_headers=lab.auth, max_size=None) as ws:
        ws.recv()
        ws.send(nested)
        ws.send(surrogate)
        first = _replies(ws, 2)
        # in a burst the nested one once dropped the connection's handler without a close frame
        for _ in range(20):
            ws.send(nested)
        burst = _replies(ws, 20)
        ws.send(json.dumps({"type": "command", "id": "after", "command": {"op": "focus"}}))
        (after,) = _replies(ws, 1)
    assert [m["error"] for m in first] == ["bad_json", "invalid_request"]
    assert "nests deeper" in first[0]["message"] and first[1]["id"] is None
    assert {m["error"] for m in burst} <= {"bad_json", "busy"} and any(
        m["error"] == "bad_json" for m in burst
    )
    assert after["type"] == "ack"  # the connection still works
    assert lab.state()["processes"] == []
    assert lab.log_path is not None
    log = lab.log_path.read_text()
    assert "Task exception was never retrieved" not in log and "Traceback" not in log


def test_a_message_over_the_limit_is_answered_too_large_before_the_1009_close(lab: LabServer) -> None:
    with ws_connect(lab.ws_url, additional_headers=lab.auth, max_size=None) as ws:
        ws.recv()
        ws.send("x" * (70 * 1024))
        got = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                got.append(json.loads(ws.recv(timeout=10)))
    errors = [m for m in got if m["type"] == "error"]
    assert [m["error"] for m in errors] == ["too_large"] and "65536 bytes" in errors[0]["message"]
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert lab.get("/api/health")["ok"]
