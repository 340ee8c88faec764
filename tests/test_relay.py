"""Relays: viewers served by ``ptlab relay`` through a real Redis, as a lecture hall would be."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from support import LabServer, RedisServer, opened, page_cookie, replies, vote
from websockets.sync.client import connect as ws_connect

from app.observe.history import History
from app.relay import feed as feed_module
from app.relay.channels import Down, pack_down, unpack_down, up_entry
from app.relay.follower import Follower
from app.relay.picture import Picture

# ---- the feed's messages and a relay's place in it (no Redis needed) ------------------------


def test_feed_messages_unpack_as_they_were_packed_and_anything_else_is_refused() -> None:
    text = '{"type":"frame","seq":42}'
    assert unpack_down(pack_down("f", 42, text)) == Down("f", 42, text)
    assert unpack_down(pack_down("k", 7, "{}")) == Down("k", 7, "{}")
    too_long = b"f " + b"9" * 30 + b"\n{}"
    for bad in (b"", b"f 1", b"x 1\n{}", b"f -1\n{}", b"f 1e3\n{}", b"f 1\n\xff", too_long):
        assert unpack_down(bad) is None, bad
    assert up_entry({b"kind": b"keyframe"}) == "keyframe"
    not_hex = {b"kind": b"vote", b"relay": b"not hex", b"id": b"1", b"voter": b"v", b"question": b"q"}
    assert up_entry(not_hex) is None
    assert up_entry({b"kind": b"\xff"}) is None


class Screens:
    """What a relay's broadcaster is told: frames published, and when viewers must start again."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.resyncs = 0
        self.hung_up = 0

    def publish(self, text: str) -> None:
        self.published.append(text)

    def resync(self) -> None:
        self.resyncs += 1

    def hang_up(self, code: int, reason: str) -> None:
        self.hung_up += 1


def _thread(tid: int, state: str = "S") -> dict[str, Any]:
    return {"tid": tid, "name": "lab-idle", "state": state, "cpu": 0, "load": 0.0}


def _process(pid: int, tids: list[int]) -> dict[str, Any]:
    return {"pid": pid, "name": "ptlab-worker", "state": "S", "rss": 1, "threads": [_thread(t) for t in tids]}


def _snapshot(seq: int, processes: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    shell = {"type": "snapshot", "seq": seq, "ts": 1000.0 + seq / 10, "role": "viewer", "server": {"pid": 1}}
    return {**shell, "processes": processes, "events": [], "focus": {"pid": None}, "lesson": None, **rest}


def _frame(seq: int, changed: list[dict[str, Any]] | None = None, **rest: Any) -> dict[str, Any]:
    shell = {"type": "frame", "seq": seq, "ts": 1000.0 + seq / 10}
    return {**shell, "changed": changed or [], "removed": [], "events": [], **rest}


def test_a_relays_picture_is_carried_forward_by_frames_as_a_page_carries_its_own() -> None:
    picture = Picture(_snapshot(4, [_process(10, [10, 11])], events=[{"id": i} for i in range(19)]))
    born = {"pid": 10, "patch": True, "rss": 2, "threads": [{"tid": 11, "state": "R"}, _thread(12)]}
    frames = [
        # a thread changes state, one is born (whole, with the new order), the process's RSS grows
        _frame(5, [{**born, "tids": [10, 11, 12]}], events=[{"id": 19}, {"id": 20}]),
        # a new process whole; a thread ends (the order without it); the lesson opens
        _frame(6, [_process(20, [20]), {"pid": 10, "patch": True, "tids": [10, 12]}], lesson={"scene": 1}),
        _frame(7, removed=[20], lesson_off=True, focus={"pid": 10}),
        _frame(8, [{"pid": 10, "patch": True, "tids": []}]),  # an empty order is an order (none left)
    ]
    seen = []
    for f in frames:
        picture.apply(f)
        seen.append(json.loads(picture.text()))
    assert seen[0]["seq"] == 5 and seen[0]["ts"] == frames[0]["ts"]
    p = seen[0]["processes"][0]
    assert p["rss"] == 2 and [(t["tid"], t["state"]) for t in p["threads"]] == [
        (10, "S"),
        (11, "R"),
        (12, "S"),
    ]
    assert [e["id"] for e in seen[0]["events"]] == list(range(1, 21))  # the newest 20, as a snapshot's
    assert [q["pid"] for q in seen[1]["processes"]] == [10, 20] and seen[1]["lesson"] == {"scene": 1}
    assert [t["tid"] for t in seen[1]["processes"][0]["threads"]] == [10, 12]
    assert [q["pid"] for q in seen[2]["processes"]] == [10] and seen[2]["lesson"] is None
    assert seen[2]["focus"] == {"pid": 10} and seen[3]["processes"][0]["threads"] == []
    # a keyframe of the same seq showing the same is the same; one field apart, it is not
    same = {**seen[3], "ts": 0.0}
    assert picture.same_as(same)
    assert not picture.same_as({**same, "processes": [{**same["processes"][0], "rss": 3}]})
    assert not picture.same_as({**same, "focus": {"pid": None}})


def _down(kind: str, msg: dict[str, Any]) -> Down:
    return Down(kind, msg["seq"], json.dumps(msg))  # type: ignore[arg-type]


def test_a_relay_takes_a_keyframe_follows_frames_in_order_and_waits_again_after_a_gap() -> None:
    screens = Screens()
    history = History(seconds=60, max_bytes=1 << 20)
    f = Follower("redis://127.0.0.1:1/0", screens, history, lambda key: None)
    f.connected = True
    one = [_process(10, [10])]
    assert f.take(_down("f", _frame(4))) is False and f.picture() is None  # before any keyframe
    assert f.take(Down("k", 4, '{"type": "snapshot"}')) is False and f.picture() is None  # not a picture
    assert f.take(_down("k", _snapshot(4, one))) is True and f.unready() is None
    f.take(_down("f", _frame(5, [{"pid": 10, "patch": True, "rss": 5}])))
    f.take(_down("f", _frame(6)))
    assert [json.loads(t)["seq"] for t in screens.published] == [5, 6]
    now = json.loads(f.picture() or "")
    assert now["seq"] == 6 and now["processes"][0]["rss"] == 5  # a joiner gets now, not the keyframe
    resyncs = screens.resyncs
    # the keyframe of the frame just sent, showing the same: nobody starts again for it
    f.take(_down("k", _snapshot(6, [{**one[0], "rss": 5}])))
    assert screens.resyncs == resyncs and f.drifted == 0
    # one showing something else: the relay takes it, and its viewers start again from it
    f.take(_down("f", _frame(7)))
    f.take(_down("k", _snapshot(7, [{**one[0], "rss": 9}])))
    assert f.drifted == 1 and screens.resyncs == resyncs + 1
    assert json.loads(f.picture() or "")["processes"][0]["rss"] == 9
    f.take(_down("f", _frame(9)))  # 8 never came
    assert f.picture() is None and screens.resyncs == resyncs + 2 and len(screens.published) == 3
    f.take(_down("f", _frame(10)))
    assert len(screens.published) == 3  # still waiting
    f.take(_down("k", _snapshot(10, one)))
    f.take(_down("f", _frame(11)))
    assert json.loads(f.picture() or "")["seq"] == 11
    # its own history replays every stretch: a keyframe starts the one after the gap
    kept = [(e.keyframe, e.seq) for e in history.entries]
    assert kept == [(True, 4), (False, 5), (False, 6), (False, 7), (True, 7), (True, 10), (False, 11)], kept


class _ResetOnCancel:
    """A Redis client whose blocking read fails with a connection error when it is cancelled: what a
    connection reset at the moment the server shuts down looks like to the feed."""

    def __init__(self) -> None:
        self.reading = asyncio.Event()

    async def set(self, *_: Any) -> bool:
        return True

    async def xrevrange(self, *_: Any, **__: Any) -> list[Any]:
        return []

    async def xread(self, *_: Any, **__: Any) -> list[Any]:
        self.reading.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise RedisConnectionError("Connection reset by peer") from None
        return []

    async def aclose(self) -> None:
        return None


class _Lab:
    seq = 1

    def snapshot_json(self, role: str = "viewer") -> str:
        return "{}"

    async def vote(self, *_: Any) -> int:
        return 0


def test_the_feed_stops_when_the_server_does_even_if_redis_fails_at_that_moment(monkeypatch) -> None:
    # a TaskGroup raises its children's errors instead of the cancellation: the feed must not take
    # the server's request to stop for one more Redis failure and reconnect forever
    client = _ResetOnCancel()
    monkeypatch.setattr(feed_module, "connect", lambda url: client)

    async def serve_then_stop() -> asyncio.Task[None]:
        async with feed_module.feeding("redis://127.0.0.1:1", _Lab(), b"k" * 32) as feed:
            await asyncio.wait_for(client.reading.wait(), 5)
            assert feed.connected
        assert feed.task is not None
        return feed.task

    # in a thread of its own: a feed that swallowed the cancellation would hang the loop for good
    ended: list[asyncio.Task[None]] = []
    runner = threading.Thread(target=lambda: ended.append(asyncio.run(serve_then_stop())), daemon=True)
    runner.start()
    runner.join(10)
    assert ended, "the server's shutdown still waited for the feed after 10 s"
    assert ended[0].cancelled(), "the feed ended otherwise than by the server's request to stop"


# ---- a lab server, Redis and a relay, all real ------------------------------------------------


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    r = RedisServer().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="module")
def hall(redis: RedisServer) -> Iterator[tuple[LabServer, LabServer]]:
    """The lab server publishing to Redis, and a relay following it."""
    lab = LabServer(env={"PTLAB_REDIS_URL": redis.url, "PTLAB_MAX_PROCESSES": "6"}).start()
    relay = LabServer(args=["relay", "--redis", redis.url])
    try:
        relay.start()
        _until_ready(relay)
        yield lab, relay
    finally:
        relay.stop()
        lab.stop()
        left = lab.leftovers()
        assert not left, f"lab processes outlived the server: {left}"


def _until_ready(relay: LabServer, timeout: float = 15.0, at_least: int = 0) -> dict[str, Any]:
    """The relay's health once it serves a picture (of frame ``at_least`` or later)."""
    deadline = time.monotonic() + timeout
    while True:
        health = relay.get("/api/health")
        if (health["ok"] and health["seq"] >= at_least) or time.monotonic() > deadline:
            assert health["ok"] and health["relay"], health
            return health
        time.sleep(0.1)


def _until_pid(ws: Any, pid: int, timeout: float, after: int = 0) -> tuple[int, list[int]]:
    """Read frames until one shows ``pid``: that frame's seq, and every seq read. Each frame must
    follow the message before it (the snapshot ``after`` was, or a snapshot sent on a resync)."""
    seqs: list[int] = []
    last = after
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if msg["type"] == "snapshot":
            last = msg["seq"]
        if msg["type"] != "frame":
            continue
        assert not last or msg["seq"] == last + 1, f"frame {msg['seq']} after {last}: one missed"
        seqs.append(last := msg["seq"])
        if any(c.get("pid") == pid for c in msg["changed"]):
            return msg["seq"], seqs
    raise AssertionError(f"no frame showed {pid} within {timeout} s (read {seqs[-5:]})")


def test_a_viewer_on_a_relay_sees_a_spawn_as_soon_as_a_direct_one_with_the_same_seq(hall) -> None:
    lab, relay = hall
    with ws_connect(relay.ws_url, max_size=None) as far, ws_connect(lab.ws_url, max_size=None) as near:
        first = json.loads(far.recv(timeout=10))
        assert first["type"] == "snapshot" and first["role"] == "viewer"
        assert first["server"]["pid"] == lab.proc.pid
        json.loads(near.recv(timeout=10))
        pid = lab.spawn()
        spawned = time.monotonic()
        # the relay's viewer starts from its snapshot, then every frame after it, in order, none missed
        far_seq, _ = _until_pid(far, pid, 3.0, after=first["seq"])
        seen_after = time.monotonic() - spawned
        near_seq, _ = _until_pid(near, pid, 3.0)
    assert far_seq == near_seq and seen_after < 3.0, (far_seq, near_seq, seen_after)
    # the relay's picture, carried forward by the frames (a counting thread changes every tick),
    # is what the lab server's next keyframe shows
    lab.thread(pid, "count")
    taken = relay.get("/api/health")["relay"]["keyframes"]
    deadline = time.monotonic() + 12
    while relay.get("/api/health")["relay"]["keyframes"] < taken + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    following = relay.get("/api/health")["relay"]
    assert following["keyframes"] >= taken + 1 and following["drifted"] == 0, following
    # its health counts the lab's processes from that picture, as the lab server counts its own
    assert relay.get("/api/health")["processes"] == lab.get("/api/health")["processes"] == 1
    lab.reset()


def test_a_relay_refuses_every_command_and_every_token(hall) -> None:
    lab, relay = hall
    before = [p["pid"] for p in lab.state()["processes"]]
    with ws_connect(relay.ws_url, additional_headers=lab.auth, max_size=None) as ws:
        ws.recv(timeout=10)
        ws.send(json.dumps({"type": "command", "id": "c1", "command": {"op": "spawn_process"}}))
        (refusal,) = replies(ws, 1)
    assert refusal["error"] == "read_only" and "lab server" in refusal["message"]
    status, body = relay.request("POST", "/api/processes", {}, headers=lab.auth)
    assert status == 409 and body["error"] == "read_only"
    with pytest.raises(urllib.error.HTTPError) as page:
        urllib.request.urlopen(f"{relay.url}/?token={lab.token}", timeout=10)
    page.value.close()
    assert page.value.code == 403  # the lab server's token means nothing here
    assert [p["pid"] for p in lab.state()["processes"]] == before


def test_votes_through_a_relay_are_counted_once_by_the_lab_server(hall) -> None:
    lab, relay = hall
    lab.control("POST", "/api/lesson/scenes/1", expect=200)  # the fork scene and its question
    try:
        cookie = page_cookie(relay.port)  # handed out by the relay, signed with the lab server's key
        twice = vote(relay.port, "127.0.0.1", cookie, "stays", times=2)
        forged = vote(relay.port, "127.0.0.1", "forged-" + "x" * 22, "stays")
        # the same browser on the lab server itself is the same voter, changing its mind
        direct = vote(lab.port, "127.0.0.1", cookie, "follows")
        question = lab.get("/api/lesson")["lesson"]["scene"]["question"]
    finally:
        lab.control("DELETE", "/api/lesson", expect=200)
    assert twice["type"] == "ack" and twice["result"]["votes"] == 1, twice
    assert forged["error"] == "no_voter", forged
    assert direct["type"] == "ack" and direct["result"]["votes"] == 1, direct
    tally = {o["id"]: o["votes"] for o in question["options"]}
    assert question["votes"] == 1 and tally == {"follows": 1, "stays": 0}, question


def test_a_stalled_relay_never_holds_the_lab_back_and_takes_its_place_again_when_dropped(
    hall, redis: RedisServer
) -> None:
    lab, relay = hall
    with ws_connect(lab.ws_url, max_size=None) as near:
        near.recv(timeout=10)
        os.kill(relay.proc.pid, signal.SIGSTOP)  # a relay that reads nothing
        try:
            pids = [lab.spawn() for _ in range(2)]
            for pid in pids:
                lab.thread(pid, "count")
            # the lab server's own viewer gets every frame, in order, at the sampling rate
            seqs: list[int] = []
            end = time.monotonic() + 2.0
            while time.monotonic() < end:
                msg = json.loads(near.recv(timeout=2))
                if msg["type"] == "frame":
                    seqs.append(msg["seq"])
            # Redis drops it, as it drops a subscriber past its output-buffer limit
            assert redis.command("CLIENT", "KILL", "TYPE", "pubsub") != b":0"
        finally:
            os.kill(relay.proc.pid, signal.SIGCONT)
    assert len(seqs) >= 15 and seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    # the relay finds itself dropped, subscribes again, asks for a keyframe and serves the lab of now:
    # frames from after it was dropped (what it had read before is no proof)
    _until_ready(relay, at_least=lab.get("/api/health")["seq"] + 3)
    with ws_connect(relay.ws_url, max_size=None) as far:
        first = json.loads(far.recv(timeout=10))
    shown = {p["pid"] for p in first["processes"]}
    assert set(pids) <= shown and first["seq"] >= seqs[-1], (pids, shown, first["seq"], seqs[-1])
    lab.reset()


def test_redis_restarting_is_survived_by_the_lab_and_the_relays_viewers_without_a_reload(
    browser, hall, redis: RedisServer
) -> None:
    lab, relay = hall
    with opened(browser, relay, False, (1280, 720)) as page, ws_connect(lab.ws_url, max_size=None) as near:
        page.wait_for_function("document.querySelector('#conn').dataset.status === 'live'", timeout=10_000)
        page.evaluate("window.sameDocument = true")
        assert lab.get("/api/health")["feed"]["redis"] is True
        redis.stop()
        page.wait_for_function("document.querySelector('#conn').dataset.status === 'lost'", timeout=10_000)
        assert relay.get("/api/health")["waiting"].startswith("this relay cannot reach Redis")
        # the lab server says so too (its frames meanwhile are dropped, not kept for Redis)
        deadline = time.monotonic() + 5
        while lab.get("/api/health")["feed"]["redis"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lab.get("/api/health")["feed"]["redis"] is False
        # the lab server serves its own viewers meanwhile, and still takes commands
        pid = lab.spawn()
        _until_pid(near, pid, 3.0)
        redis.start()
        page.wait_for_selector(f"#diagram .card[data-pid='{pid}']", timeout=20_000)
        assert page.evaluate("window.sameDocument") is True
        feed = lab.get("/api/health")["feed"]
        assert feed["redis"] is True and feed["lost"] > 0 and feed["sent"] > 0, feed
        assert page.evaluate("document.querySelector('#conn').dataset.status") == "live"
        assert page.errors == []
    with contextlib.suppress(Exception):
        lab.reset()
