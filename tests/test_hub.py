"""Latest frame wins: a client that stops reading is dropped frames, never queued them."""

from __future__ import annotations

import asyncio
import json

from app.experiments import Experiments
from app.hub import Hub
from app.settings import Settings
from app.workers import Lab


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


async def _run() -> tuple[Hub, Stuck, Reader, object]:
    settings = Settings(token="x" * 12)
    lab = Lab(settings)
    hub = Hub(lab, settings, Experiments(lab))
    stuck, reader = Stuck(), Reader()
    slow = hub.add(stuck, "viewer")
    fast = hub.add(reader, "viewer")
    pumps = [asyncio.create_task(hub.pump(c)) for c in (slow, fast)]
    for _ in range(200):
        hub.tick()
        await asyncio.sleep(0)
    for p in pumps:
        p.cancel()
    return hub, stuck, reader, slow


def test_a_stuck_client_holds_at_most_one_frame_and_others_get_all() -> None:
    hub, stuck, reader, slow = asyncio.run(_run())
    kinds = [json.loads(m)["type"] for m in reader.sent]
    assert kinds[0] == "snapshot" and kinds.count("frame") >= 190
    seqs = [json.loads(m)["seq"] for m in reader.sent[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len(stuck.sent) == 1  # blocked in its first send
    assert slow.frame is None and slow.need_snapshot  # nothing piles up: it will get one snapshot
    assert slow.dropped >= 1 and hub.stats()["dropped"] == slow.dropped
