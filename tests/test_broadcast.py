"""Latest frame wins: a client that stops reading is dropped frames, never queued them."""

from __future__ import annotations

import asyncio
import json

from app.control.experiments import Experiments
from app.control.lab import Lab
from app.observe.frames import FrameBuilder
from app.settings import Settings
from app.web.broadcast import Broadcaster, Client


class Stuck:
    """A websocket whose peer stopped reading: every send blocks forever."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.never = asyncio.Event()

    async def send_text(self, data: str) -> None:
        self.sent.append(data)
        await self.never.wait()


class Reader:
    """A websocket that reads everything at once."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, data: str) -> None:
        self.sent.append(data)


async def _run() -> tuple[Broadcaster, Stuck, Reader, Client, tuple[int, int, int]]:
    settings = Settings(token="x" * 12)
    lab = Lab(settings)
    broadcaster = Broadcaster(lambda role: frames.snapshot(role).model_dump_json())
    frames = FrameBuilder(lab, Experiments(lab), settings, broadcaster.publish)
    stuck, reader = Stuck(), Reader()
    slow = broadcaster.add(stuck, "viewer")
    fast = broadcaster.add(reader, "viewer")
    pumps = [asyncio.create_task(broadcaster.pump(c)) for c in (slow, fast)]
    for _ in range(200):
        frames.tick()
        await asyncio.sleep(0)
    held = (
        broadcaster.held_bytes(),
        broadcaster.stalled(longer_than=0.0),
        broadcaster.stalled(longer_than=60.0),
    )
    for p in pumps:
        p.cancel()
    frames.sampler.close()
    return broadcaster, stuck, reader, slow, held


def test_a_stuck_client_holds_at_most_one_frame_and_others_get_all() -> None:
    broadcaster, stuck, reader, slow, (held, stalled_now, stalled_long) = asyncio.run(_run())
    kinds = [json.loads(m)["type"] for m in reader.sent]
    assert kinds[0] == "snapshot" and kinds.count("frame") >= 190
    seqs = [json.loads(m)["seq"] for m in reader.sent[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len(stuck.sent) == 1  # blocked in its first send
    assert slow.frame is None and slow.need_snapshot  # nothing piles up: it will get one snapshot
    # every frame it missed counts, not only the one that was replaced
    assert slow.dropped >= 190 and broadcaster.dropped == slow.dropped
    # what is held for it is the one message its socket has not taken
    assert held == len(stuck.sent[0])
    assert stalled_now == 1 and stalled_long == 0


class Taker:
    """A websocket that reads everything, text and bytes alike."""

    def __init__(self) -> None:
        self.sent: list[str | bytes] = []

    async def send_text(self, data: str) -> None:
        self.sent.append(data)

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)


def test_a_packed_joiner_gets_its_snapshot_gzipped_once_for_all_and_frames_as_text() -> None:
    import gzip

    picture = json.dumps({"type": "snapshot", "seq": 7, "processes": [{"pid": n} for n in range(500)]})

    async def run() -> list[Taker]:
        broadcaster = Broadcaster(lambda role: picture)
        takers = [Taker(), Taker(), Taker()]
        clients = [broadcaster.add(t, "viewer", packed=i < 2) for i, t in enumerate(takers)]
        pumps = [asyncio.create_task(broadcaster.pump(c)) for c in clients]
        await asyncio.sleep(0.01)
        broadcaster.publish('{"type": "frame", "seq": 8}')
        await asyncio.sleep(0.01)
        for p in pumps:
            p.cancel()
        return takers

    first, second, plain = asyncio.run(run())
    assert isinstance(first.sent[0], bytes) and gzip.decompress(first.sent[0]).decode() == picture
    assert len(first.sent[0]) < len(picture) / 5
    assert second.sent[0] is first.sent[0]  # packed once, sent to both
    assert plain.sent[0] == picture  # a page that did not ask gets text
    assert [m for t in (first, second, plain) for m in t.sent[1:]] == ['{"type": "frame", "seq": 8}'] * 3


def test_a_snapshot_joins_each_still_process_kept_text_and_says_what_a_full_dump_says(server) -> None:
    import httpx

    from app.observe.frames import NO_HISTORY
    from app.protocol import ProcessView

    pid = server.spawn()
    server.thread(pid, "count")
    server.spawn(parent=pid)
    state = httpx.get(f"{server.url}/api/state").json()
    views = [ProcessView.model_validate(p) for p in state["processes"]]
    assert len(views) >= 2

    async def run() -> None:
        settings = Settings(token="x" * 12)
        lab = Lab(settings)
        frames = FrameBuilder(lab, Experiments(lab), settings, lambda text: None)
        try:
            frames.views = {v.pid: v for v in views}
            dump = frames.snapshot().model_dump_json(exclude={"processes": {"__all__": NO_HISTORY}})
            whole = json.loads(dump)
            joined = json.loads(frames.snapshot_json("viewer"))
            assert joined.pop("ts") and whole.pop("ts")
            assert joined == whole and len(joined["processes"]) == len(views)
            kept = {p: t for p, (_, t) in frames._parts._kept.items()}
            # the next tick: one process's view is new, the other's text is kept as it was
            frames.seq += 1
            changed = views[0].model_copy(update={"rss": views[0].rss + 4096})
            frames.views = {changed.pid: changed, **{v.pid: v for v in views[1:]}}
            again = json.loads(frames.snapshot_json("viewer"))
            assert again["processes"][0]["rss"] == changed.rss
            assert frames._parts._kept[views[1].pid][1] is kept[views[1].pid]
            assert frames._parts._kept[changed.pid][1] is not kept[changed.pid]
            # a process gone is forgotten
            frames.seq += 1
            frames.views = {changed.pid: changed}
            assert len(json.loads(frames.snapshot_json("viewer"))["processes"]) == 1
            assert set(frames._parts._kept) == {changed.pid}
        finally:
            frames.sampler.close()

    asyncio.run(run())
