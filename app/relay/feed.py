"""The lab server's side of relaying: every frame, and now and then a keyframe, to Redis; relays' votes back.

Started only with ``PTLAB_REDIS_URL``. Nothing here may slow the lab: a frame is queued in a bounded
queue and sent by a task of its own, so a slow or absent Redis costs the tick an append. While Redis
is away frames are dropped (direct viewers are served as ever) and the feed reconnects by itself;
relays then find a gap in the sequence numbers and ask for a keyframe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ..control.errors import LabError
from ..protocol import FeedView
from .channels import (
    FEED,
    UP,
    VOTER_KEY,
    VoteAnswer,
    VoteUp,
    encode_key,
    pack_down,
    reply_channel,
    safe_url,
    up_entry,
)
from .reconnect import connect, pause, stop

log = logging.getLogger("ptlab.feed")
# A relay that has just joined asks for a keyframe; without asking, one goes out this often, so a
# relay that missed a frame unnoticed is put right within this long.
KEYFRAME_S = 5.0
# Frames waiting for the sender: at 10 Hz, three seconds. Past it the oldest are dropped (and a
# keyframe follows), so an absent Redis never grows the server's memory.
QUEUE = 32
# relays' requests taken per read of the up stream
UP_BATCH = 200


class Source(Protocol):
    """What the feed needs of the lab (app/web/port.py's LabPort has all of it)."""

    @property
    def seq(self) -> int: ...

    def snapshot_json(self, role: str = "viewer") -> str: ...

    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int: ...


class Feed:
    """Frames and keyframes out to Redis, relays' votes and requests in."""

    def __init__(self, url: str, lab: Source, voter_key: bytes) -> None:
        self.url = url
        self.lab = lab
        self.voter_key = voter_key
        self.queue: deque[bytes] = deque(maxlen=QUEUE)
        self.wake = asyncio.Event()
        self.connected = False
        self.keyframe_asked = True
        self.last_keyframe = 0.0
        self.sent = 0  # messages published
        self.lost = 0  # frames dropped while Redis was away or slow
        self.task: asyncio.Task[None] | None = None

    def view(self) -> FeedView:
        """How the feed is doing, for /api/health."""
        return FeedView(redis=self.connected, sent=self.sent, lost=self.lost)

    def frame(self, text: str) -> None:
        """One frame, as every direct viewer got it (a Broadcaster tap): queued, never waited for."""
        if not self.connected:
            self.lost += 1
            return
        seq = self.lab.seq
        if len(self.queue) == self.queue.maxlen:
            self.lost += 1
            self.keyframe_asked = True  # the relays will miss the dropped frame: they get a keyframe
        self.queue.append(pack_down("f", seq, text))
        now = time.monotonic()
        if self.keyframe_asked or now - self.last_keyframe >= KEYFRAME_S:
            self.keyframe_asked = False
            self.last_keyframe = now
            self.queue.append(pack_down("k", seq, self.lab.snapshot_json("viewer")))
        self.wake.set()

    async def run(self) -> None:
        """Connect, publish, reconnect: until cancelled."""
        failures = 0
        while True:
            client = connect(self.url)
            try:
                await client.set(VOTER_KEY, encode_key(self.voter_key))
                self.connected, self.keyframe_asked = True, True
                if failures:
                    log.warning("ptlab: Redis at %s is back: relaying again", safe_url(self.url))
                failures = 0
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self._publish(client))
                    tasks.create_task(self._read_up(client))
            except* (RedisError, OSError) as group:
                if failures == 0:
                    why = str(group.exceptions[0]).rstrip(".")
                    log.warning("ptlab: Redis at %s: %s; relays wait, retrying", safe_url(self.url), why)
            except* Exception:  # a bug: said, and the feed goes on rather than ending unseen
                log.exception("ptlab: the feed to Redis failed")
            finally:
                self.connected = False
                self.queue.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await pause(failures)
            failures += 1

    async def _publish(self, client: aioredis.Redis) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            batch = list(self.queue)
            self.queue.clear()
            if not batch:
                continue
            async with client.pipeline(transaction=False) as pipe:
                for payload in batch:
                    pipe.publish(FEED, payload)
                await pipe.execute()
            self.sent += len(batch)

    async def _read_up(self, client: aioredis.Redis) -> None:
        # from the newest entry there now: what relays asked while this server was away is stale
        newest = await client.xrevrange(UP, count=1)
        last: bytes | str = newest[0][0] if newest else "0-0"
        while True:
            got = await client.xread({UP: last}, count=UP_BATCH, block=1000)
            for _stream, entries in got or ():
                for entry_id, fields in entries:
                    last = entry_id
                    await self._take(client, up_entry(fields))

    async def _take(self, client: aioredis.Redis, entry: VoteUp | str | None) -> None:
        if entry == "keyframe":
            self.keyframe_asked = True
        elif isinstance(entry, VoteUp):
            answer = await self.count(entry)
            await client.publish(reply_channel(entry.relay), answer.model_dump_json(exclude_none=True))

    async def count(self, vote: VoteUp) -> VoteAnswer:
        """Count a relayed vote as a direct one is counted."""
        try:
            number = float(vote.number) if vote.number else None
        except ValueError:
            return VoteAnswer(id=vote.id, error="invalid_request", message="the number is not a number")
        try:
            votes = await self.lab.vote(vote.voter, vote.question, vote.choice or None, number, vote.address)
        except LabError as exc:
            return VoteAnswer(id=vote.id, error=exc.code, message=exc.message)
        return VoteAnswer(id=vote.id, votes=votes)


@asynccontextmanager
async def feeding(url: str, lab: Source, voter_key: bytes) -> AsyncIterator[Feed]:
    """A feed running for as long as the server does."""
    feed = Feed(url, lab, voter_key)
    feed.task = asyncio.create_task(feed.run())
    try:
        yield feed
    finally:
        await stop(feed.task, "the feed to Redis")
