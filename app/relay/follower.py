"""A relay's side of relaying: the lab's picture followed through Redis, and viewers' votes handed on.

The relay starts from a keyframe and carries it forward by every frame, in order (``seq`` without a
gap), as a page does (app/relay/picture.py). A joining viewer gets that picture of now, then every
frame as it comes: the same messages, with the same ``seq``, as a viewer of the lab server itself.
Whenever the order breaks (a frame missed, the lab server restarted) the relay asks for a keyframe
and its viewers wait for it; when Redis or the lab server goes quiet, it hangs up on its viewers,
whose pages say "reconnecting" and come back by themselves once the relay has a picture again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ..control.errors import LabError
from ..observe.history import History
from .channels import (
    FEED,
    NO_PICTURE,
    TRY_AGAIN,
    UP,
    UP_MAXLEN,
    VOTER_KEY,
    Down,
    VoteAnswer,
    VoteUp,
    decode_key,
    reply_channel,
    safe_url,
    unpack_down,
)
from .picture import Picture
from .reconnect import connect, pause

log = logging.getLogger("ptlab.relay")
# The lab server sends a frame every tick (10 Hz): this long without one, it or Redis is gone.
SILENT_S = 3.0
# A relay waiting for a keyframe asks again this often (its first request may have gone unseen).
ASK_AGAIN_S = 1.0
VOTE_WAIT_S = 5.0


class Viewers(Protocol):
    """What the follower needs of the relay's fan-out (app/web/broadcast.py's Broadcaster)."""

    def publish(self, text: str) -> None:
        """Hand one frame to every viewer."""
        ...

    def resync(self) -> None:
        """Every viewer starts again from a snapshot (sent once there is one)."""
        ...

    def hang_up(self, code: int, reason: str) -> None:
        """Close every viewer's websocket."""
        ...


class Follower:
    """The lab's picture as this relay has it, kept up from Redis."""

    def __init__(
        self, url: str, broadcaster: Viewers, history: History, on_key: Callable[[bytes], None]
    ) -> None:
        self.url = url
        self.broadcaster = broadcaster
        self.history = history
        self.on_key = on_key
        self.id = secrets.token_hex(8)  # this relay's reply channel
        self.current: Picture | None = None
        self.seq = 0
        self.drifted = 0  # keyframes that showed something else than the relay's own picture
        self.connected = False
        self.last_message = 0.0
        self.asked = 0.0
        self.keyframes = 0  # taken since the start
        self.client: aioredis.Redis | None = None
        self.answers: dict[str, asyncio.Future[VoteAnswer]] = {}

    # ---- what the broadcaster serves -------------------------------------------------------
    def picture(self, role: object = "viewer") -> str | None:
        """The lab's snapshot as of the last frame (None while the relay has no place in the stream)."""
        return self.current.text() if self.current is not None else None

    def unready(self) -> str | None:
        """Why a viewer cannot be served now; None when it can."""
        if not self.connected:
            return f"this relay cannot reach Redis at {safe_url(self.url)}; it keeps trying"
        return NO_PICTURE if self.current is None else None

    # ---- following --------------------------------------------------------------------------
    async def run(self) -> None:
        """Subscribe, follow, and after any failure start again: until cancelled."""
        failures = 0
        while True:
            client = connect(self.url)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(FEED, reply_channel(self.id))
                self.client, self.connected = client, True
                if failures:
                    log.warning("ptlab relay: Redis at %s is back", safe_url(self.url))
                failures = 0
                await self._follow(client, pubsub)
            except (RedisError, OSError) as exc:
                if failures == 0:
                    why = str(exc).rstrip(".")
                    log.warning("ptlab relay: Redis at %s: %s; retrying", safe_url(self.url), why)
                self._lose("the relay lost Redis")
            except Exception:  # a bug: said, and the relay starts again rather than stop serving
                log.exception("ptlab relay: following the lab failed")
                self._lose("the relay failed")
            finally:
                self.client, self.connected = None, False
                for waiting in self.answers.values():
                    if not waiting.done():
                        waiting.set_exception(
                            LabError("no_lab", "the relay lost Redis before the answer came")
                        )
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await pause(failures)
            failures += 1

    async def _follow(self, client: aioredis.Redis, pubsub: aioredis.client.PubSub) -> None:
        replies = reply_channel(self.id).encode()
        self.last_message = time.monotonic()
        while True:
            now = time.monotonic()
            if self.current is None and now - self.asked >= ASK_AGAIN_S:
                self.asked = now
                await client.xadd(UP, {"kind": "keyframe"}, maxlen=UP_MAXLEN, approximate=True)
            msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if msg is None:
                if self.current is not None and time.monotonic() - self.last_message > SILENT_S:
                    self._lose("the lab server has gone quiet")
                continue
            if msg["channel"] == replies:
                self._answer(msg["data"])
                continue
            self.last_message = time.monotonic()
            down = unpack_down(msg["data"])
            if down is not None and self.take(down):
                self.on_key_text(await client.get(VOTER_KEY))
            # Frames come in bursts when the relay was held up (Redis delivers what waited at once):
            # let every viewer's pump take this frame before the next replaces it, or latest-frame-
            # wins would resync them all with a whole snapshot each.
            await asyncio.sleep(0)

    def on_key_text(self, stored: bytes | None) -> None:
        """The lab server's voter-id key, as read with a keyframe (it changes when the server restarts)."""
        key = decode_key(stored)
        if key is not None:
            self.on_key(key)

    def take(self, down: Down) -> bool:
        """Follow one message of the feed; True when it was a keyframe (the relay has a place now)."""
        try:
            msg = json.loads(down.text)
        except ValueError:
            return False
        if not isinstance(msg, dict) or not isinstance(
            msg.get("processes" if down.kind == "k" else "changed"), list
        ):
            return False
        if down.kind == "k":
            self.keyframes += 1
            if self.current is not None and down.seq == self.seq:
                if self.current.same_as(msg):
                    self._keep(True, down, msg)
                    return True
                # the relay's picture drifted from the lab server's: its viewers' did too
                self.drifted += 1
                log.warning("ptlab relay: the keyframe at %d differs from the relay's picture", down.seq)
            self.current, self.seq = Picture(msg), down.seq
            self.broadcaster.resync()  # viewers waiting for a picture get this one
            self._keep(True, down, msg, first=True)
            return True
        if self.current is None:
            return False  # waiting for a keyframe: frames before it lead nowhere
        if down.seq != self.seq + 1:
            # a frame missed (Redis dropped this relay's backlog, the feed lost frames) or a new
            # lab server: the viewers' pictures cannot be carried on from here
            log.info("ptlab relay: frame %d after %d: asking for a keyframe", down.seq, self.seq)
            self.current = None
            self.broadcaster.resync()
            return False
        self.current.apply(msg)
        self.seq = down.seq
        self.broadcaster.publish(down.text)
        self._keep(False, down, msg)
        return False

    def _keep(self, keyframe: bool, down: Down, msg: dict, first: bool = False) -> None:
        # The relay's own history, for its viewers' pause (the page asks its own server for it):
        # a keyframe where one is due, and always the first after a gap, so every stretch replays.
        if self.history.seconds <= 0:
            return
        ts = float(msg.get("ts") or time.time())
        if not keyframe:
            self.history.add(False, down.seq, ts, down.text, msg.get("events") or [])
        elif first or self.history.due(ts):
            self.history.add(True, down.seq, ts, down.text)

    def _lose(self, why: str) -> None:
        """No picture: hang up on the viewers (their pages reconnect) until a keyframe comes."""
        if self.current is not None:
            log.warning("ptlab relay: %s; viewers are told to reconnect", why)
        self.current = None
        self.broadcaster.hang_up(TRY_AGAIN, why[:120])

    def _answer(self, data: bytes) -> None:
        try:
            answer = VoteAnswer.model_validate_json(data)
        except ValueError:
            return
        waiting = self.answers.get(answer.id)
        if waiting is not None and not waiting.done():
            waiting.set_result(answer)

    # ---- votes ------------------------------------------------------------------------------
    async def vote(
        self, voter: str, question: str, choice: str | None, number: float | None, address: str
    ) -> int:
        """Hand a viewer's vote to the lab server and wait for its count (or its refusal)."""
        client = self.client
        if client is None or self.current is None:
            raise LabError("no_lab", f"the vote did not reach the lab: {self.unready() or NO_PICTURE}")
        vote = VoteUp(
            relay=self.id,
            id=secrets.token_hex(8),
            voter=voter,
            question=question,
            choice=choice or "",
            number="" if number is None else repr(number),
            address=address[:100],
        )
        waiting: asyncio.Future[VoteAnswer] = asyncio.get_running_loop().create_future()
        self.answers[vote.id] = waiting
        try:
            await client.xadd(UP, vote.model_dump(), maxlen=UP_MAXLEN, approximate=True)
            answer = await asyncio.wait_for(waiting, VOTE_WAIT_S)
        except TimeoutError:
            raise LabError(
                "no_lab", f"the lab server did not answer the vote within {VOTE_WAIT_S:g} s"
            ) from None
        except (RedisError, OSError) as exc:
            raise LabError("no_lab", f"the vote did not reach Redis: {exc}") from None
        finally:
            self.answers.pop(vote.id, None)
        if answer.error is not None:
            raise LabError(answer.error, answer.message or answer.error)  # type: ignore[arg-type]
        return answer.votes or 0
