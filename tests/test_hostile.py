"""The hostile classroom (issue 20), against a real server: every probe gets a clear answer, costs
nothing it should not, and changes nothing."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import websockets
from support import ROOT, TOKEN, LabServer, burst, free_port, page_cookie, replies, rss, vote
from websockets.sync.client import connect as ws_connect


def test_every_malformed_websocket_message_gets_an_answer(lab: LabServer) -> None:
    nested = "[" * 30_000 + "]" * 30_000  # 60 KB: under the size limit, far over any nesting
    surrogate = '{"type": "command", "id": "\\ud800", "command": {"op": "spawn_process"}}'
    with ws_connect(lab.ws_url, additional_headers=lab.auth, max_size=None) as ws:
        ws.recv()
        ws.send(nested)
        ws.send(surrogate)
        first = replies(ws, 2)
        # in a burst the nested one once dropped the connection's handler without a close frame
        for _ in range(20):
            ws.send(nested)
        burst = replies(ws, 20)
        ws.send(json.dumps({"type": "command", "id": "after", "command": {"op": "focus"}}))
        (after,) = replies(ws, 1)
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


def _post_raw(port: int, path: str, head: str, body_mib: int, chunked: bool = False) -> bytes:
    """A POST of ``body_mib`` MiB written as fast as the server takes it; the reply's first bytes.

    The server may answer and close before the body is all sent: that is the point.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=20) as so:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {body_mib << 20}"
        so.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}{length}\r\n\r\n".encode())
        chunk = b"x" * (1 << 20)
        framed = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
        with contextlib.suppress(OSError):  # reset by a server that stopped reading
            for _ in range(body_mib):
                so.sendall(framed)
            if chunked:
                so.sendall(b"0\r\n\r\n")
        with contextlib.suppress(OSError):
            return so.recv(4096)
    return b""


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else 0


def test_huge_bodies_are_refused_before_they_are_read(lab: LabServer) -> None:
    assert lab.proc is not None
    before = rss(lab.proc.pid)
    json_head = "Content-Type: application/json\r\n"
    statuses = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        replies = pool.map(lambda _: _post_raw(lab.port, "/api/processes", json_head, 64), range(100))
        statuses.update(_status(r) for r in replies)
    # without a Content-Length: the token is checked before a byte of it is read
    no_token = _post_raw(lab.port, "/api/processes", json_head, 64, chunked=True)
    token = f"Authorization: Bearer {lab.token}\r\n{json_head}"
    with_token = _post_raw(lab.port, "/api/processes", token, 64, chunked=True)
    after = rss(lab.proc.pid)
    assert statuses == {413: 100}, statuses
    assert _status(no_token) == 401 and b'"unauthorized"' in no_token
    assert _status(with_token) == 413 and b"limited to 65536 bytes" in with_token
    assert after - before < 64 << 20, f"RSS grew by {(after - before) >> 20} MiB"
    assert lab.state()["processes"] == []


def test_only_code_to_run_may_be_larger_than_64_kib(lab: LabServer) -> None:
    code = "x = 1\n" + "# padding\n" * 20_000  # 200 KB: over 64 KiB, within the code's own limit
    status, reply = lab.request("POST", "/api/runs", {"code": code + "x" * 300_000}, lab.auth)
    assert status == 422 and "200000 characters" in reply["message"]  # read, then refused by its model
    status, reply = lab.request("POST", "/api/ipc", {"pad": "x" * (65 << 10)}, lab.auth)
    assert status == 413 and reply["error"] == "too_large" and "65536" in reply["message"]


def test_the_rate_limit_comes_before_the_body_is_parsed(lab: LabServer) -> None:
    # a burst of unparseable bodies with the token: once the bucket (100) is spent they are
    # refused as rate_limited, not parsed one by one
    headers = {**lab.auth, "Content-Type": "application/json"}
    results = asyncio.run(
        burst(lab.port, "POST", "/api/processes", headers, 150, 10, body=b"{not json" * 100)
    )
    statuses = collections.Counter(status for status, _ in results.replies)
    assert statuses[429] >= 40 and statuses[422] <= 110 and set(statuses) <= {422, 429}, statuses
    assert lab.state()["processes"] == []


def test_one_address_cannot_take_over_a_vote_and_a_class_of_200_all_count(lab: LabServer) -> None:
    lab.control("POST", "/api/lesson/scenes/1", expect=200)  # the fork scene and its question
    try:
        port, attacker = lab.port, "127.0.0.9"
        forged = [vote(port, attacker, f"forged{i:02d}-{'x' * 20}", "follows") for i in range(50)]
        # real ids cost a page load each, and one address adds at most 10 voters to a question
        minted = [vote(port, attacker, page_cookie(port, attacker), "follows") for _ in range(50)]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:

            def student(i: int) -> dict[str, Any]:
                source = f"127.0.{1 + i // 200}.{1 + i % 200}"
                return vote(port, source, page_cookie(port, source), "stays")

            class_votes = list(pool.map(student, range(200)))
        question = lab.get("/api/lesson")["lesson"]["scene"]["question"]
    finally:
        lab.control("DELETE", "/api/lesson", expect=200)
    assert {m["error"] for m in forged} == {"no_voter"} and "reload the page" in forged[0]["message"]
    assert [m["type"] for m in minted].count("ack") == 10
    assert {m["error"] for m in minted if m["type"] == "error"} == {"too_many_voters"}
    assert all(m["type"] == "ack" for m in class_votes), [m for m in class_votes if m["type"] != "ack"][:3]
    tally = {o["id"]: o["votes"] for o in question["options"]}
    assert question["votes"] == 210 and tally == {"follows": 10, "stays": 200}


def test_plain_uvicorn_on_a_public_socket_refuses_code_and_prints_its_real_port() -> None:
    # PTLAB_HOST says loopback (the default), but uvicorn's own --host is what is listened on
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="ptlab-test-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTLAB_")}
    env.update({"PTLAB_TOKEN": TOKEN, "TMPDIR": tmp})
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", str(port)]
    # unbuffered: select() below must see every line the server printed, none held in a buffer
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0
    )
    try:
        lines = _lines_until(server, "the code panel is OFF", 20)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/runs",
            data=json.dumps({"code": "print(1)"}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        reply = json.loads(refused.value.read())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10) as resp:
            state = json.loads(resp.read())
    finally:
        server.terminate()
        server.communicate(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    assert f"ptlab presenter URL: http://localhost:{port}/?token={TOKEN}" in lines
    assert "the code panel is OFF" in lines[-1]
    assert (
        refused.value.code == 403 and reply["error"] == "forbidden" and "other machines" in reply["message"]
    )
    assert state["server"]["code"] is False


def _lines_until(proc: subprocess.Popen[bytes], text: str, seconds: float) -> list[str]:
    """What ``proc`` printed, line by line, up to the first line containing ``text``."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        # wait for a line no longer than the deadline: a server that stays silent fails, not hangs
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        lines.append(proc.stdout.readline().decode().rstrip())
        if text in lines[-1]:
            return lines
    raise AssertionError(f"{text!r} never printed: {lines}")
