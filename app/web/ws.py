"""The /ws stream: a snapshot, then frames at the sampling rate; presenter commands in between."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter, ValidationError

from .. import untrusted_json
from ..control.errors import LabError
from ..protocol import Ack, ClientMessage, ErrorMessage, Role, VoteMessage
from ..relay.channels import RELAY_READ_ONLY, TRY_AGAIN
from ..untrusted_json import JsonError
from .auth import AuthError, RateLimit, check_presenter, client_host, origin_allowed
from .broadcast import Client
from .errors import describe_validation
from .port import LabPort, Web, web_of
from .voters import VOTER_COOKIE, VoterIds

# A client whose unread replies do not drain in this long has stopped reading.
REPLY_DRAIN_S = 10.0
VOTE_BURST = 5
# The deepest valid message (a command with its arguments) nests 3 levels.
MAX_DEPTH = 8
# RFC 6455: "a message that is too big for it to process".
CLOSE_TOO_LARGE = 1009
log = logging.getLogger("ptlab.ws")
stream = APIRouter()
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


@dataclass
class Voter:
    """Who is voting on this connection (anonymous), from where, and how fast they may.

    ``id`` is None where the connection carries no voter id this server signed (a script, or a
    forged cookie): such a connection may watch, not vote.
    """

    id: str | None
    address: str = ""
    limiter: RateLimit = field(default_factory=lambda: RateLimit(2.0, VOTE_BURST))

    @classmethod
    def of(cls, cookies: dict[str, str], address: str, ids: VoterIds, rate: float) -> Voter:
        """The browser's voter, by the signed id in its cookie."""
        return cls(ids.verify(cookies.get(VOTER_COOKIE)), address, RateLimit(rate, VOTE_BURST))


def error_text(rid: str | None, error: str, message: str) -> str:
    """One ErrorMessage, serialised."""
    return ErrorMessage(id=rid, error=error, message=message).model_dump_json()


def too_large(max_bytes: int) -> str:
    """The refusal of a message over the size limit (the connection is then closed with 1009)."""
    return error_text(None, "too_large", f"messages are limited to {max_bytes} bytes; closing")


def reply_id(raw: Any) -> str | None:
    """The ``id`` of a parsed message, if a reply can carry it back (a short string UTF-8 can encode)."""
    rid = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(rid, str) or len(rid) > 64:
        return None
    try:
        rid.encode()
    except UnicodeEncodeError:  # "\ud800" is valid JSON, but no reply could carry it
        return None
    return rid


def message_id(text: str) -> str | None:
    """The ``id`` of a message refused before it is handled, so its sender can match the refusal."""
    with contextlib.suppress(JsonError):
        return reply_id(untrusted_json.loads(text, MAX_DEPTH))
    return None


async def cast_vote(msg: VoteMessage, voter: Voter | None, lab: LabPort) -> str:
    """Count one vote on the lesson's open question; the tally goes out with the next frame."""
    if voter is None:
        return error_text(msg.id, "read_only", "there is nothing to vote on here")
    if not voter.limiter.allow():
        return error_text(
            msg.id, "rate_limited", "too many votes; one counts per question, so once is enough"
        )
    if voter.id is None:
        return error_text(
            msg.id,
            "no_voter",
            "this browser has no voter id from this server: reload the page, which hands one out",
        )
    try:
        votes = await lab.vote(voter.id, msg.question, msg.choice, msg.number, voter.address)
    except LabError as exc:
        return error_text(msg.id, exc.code, exc.message)
    return Ack(id=msg.id, result={"question": msg.question, "votes": votes}).model_dump_json()


async def handle_text(
    text: str,
    role: Role,
    limiter: RateLimit,
    lab: LabPort,
    max_bytes: int,
    voter: Voter | None = None,
) -> str:
    """Validate and carry out one websocket message (a command, or a viewer's vote); return the reply."""
    if len(text.encode()) > max_bytes:
        return too_large(max_bytes)
    try:
        raw = untrusted_json.loads(text, MAX_DEPTH)
    except JsonError as exc:
        return error_text(None, "bad_json", str(exc))
    rid = reply_id(raw)
    try:
        msg = _CLIENT_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        return error_text(rid, "invalid_request", describe_validation(list(exc.errors())))
    if isinstance(msg, VoteMessage):
        return await cast_vote(msg, voter, lab)
    if lab.relay:
        return error_text(msg.id, "read_only", RELAY_READ_ONLY)
    if role != "presenter":
        return error_text(
            msg.id, "forbidden", "only the presenter may control the lab; open the page with ?token="
        )
    if not limiter.allow():
        return error_text(msg.id, "rate_limited", "too many commands; slow down")
    try:
        result = await lab.run(msg.command)
    except LabError as exc:
        return error_text(msg.id, exc.code, exc.message)
    return Ack(id=msg.id, result=result.model_dump(mode="json")).model_dump_json()


def role_of(websocket: WebSocket, web: Web) -> Role | None:
    """``presenter`` with the token from this server's own page, else ``viewer``; None if refused.

    On a relay everyone is a viewer: no token is accepted there.
    """
    if web.port().relay:
        return "viewer"
    same_origin = origin_allowed(websocket.headers, web.settings, web.hosts)
    if not same_origin:
        return "viewer" if web.settings.viewers else None
    client = client_host(websocket.scope)
    with contextlib.suppress(AuthError):
        check_presenter(websocket.headers, websocket.cookies, web.settings, web.lockout, client)
        return "presenter"
    return "viewer"


@stream.websocket("/ws")
async def ws_stream(websocket: WebSocket) -> None:
    """Snapshot, then frames at the sampling rate; presenter commands in between."""
    web = web_of(websocket.scope)
    role = role_of(websocket, web)
    if role is None:
        await websocket.close(code=1008, reason="origin not allowed")
        return
    unready = web.port().unready()
    if unready is not None:
        # refused before the handshake: the page counts it as a failed attempt and backs off
        await websocket.close(code=TRY_AGAIN, reason=unready[:120])
        return
    await websocket.accept()
    if "token" in websocket.query_params:
        # Never a silent downgrade to viewer: a token in a URL ends up in logs and histories,
        # so it is refused here, saying how to send it instead.
        await websocket.send_text(
            error_text(
                None,
                "token_in_url",
                "do not put the token in the websocket URL: open the page once with ?token= "
                "(it becomes a cookie) or send 'Authorization: Bearer TOKEN'",
            )
        )
        await websocket.close(code=1008, reason="token in URL")
        return
    # a page that can unpack gzip (DecompressionStream) asks for its snapshots packed: a joiner's
    # 60 KB picture travels as ~8 KB on a crowded classroom wifi
    client = web.broadcaster.add(websocket, role, packed=websocket.query_params.get("gz") == "1")
    pump = asyncio.create_task(web.broadcaster.pump(client))
    try:
        await Conversation(websocket, web, client, role).run()
    finally:
        web.broadcaster.remove(client)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


class Conversation:
    """One client's messages, each answered: commands side by side, a few at a time.

    Commands run side by side (a race may take seconds; cancelling it must not wait behind it).
    Tasks left running when the client goes are bounded by the lab's own timeouts.
    """

    def __init__(self, websocket: WebSocket, web: Web, client: Client, role: Role) -> None:
        self.websocket = websocket
        self.settings = web.settings
        self.lab = web.port()
        self.client = client
        self.role = role
        self.limiter = RateLimit(web.settings.ws_rate, web.settings.ws_burst)
        self.voter = Voter.of(
            websocket.cookies, client_host(websocket.scope), web.voter_ids, web.settings.vote_rate
        )
        self.inflight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Take messages until the client goes, stops reading, or sends one too large."""
        while True:
            if not await self.client.room(REPLY_DRAIN_S):
                await self.websocket.close(code=1008, reason="not reading replies")
                return
            msg = await self.websocket.receive()
            if msg["type"] == "websocket.disconnect":
                return
            text = msg.get("text")
            if text is None:
                self.client.reply(error_text(None, "binary", "send JSON text messages, not binary"))
            elif len(text) > self.settings.ws_max_bytes or len(text.encode()) > self.settings.ws_max_bytes:
                # Under ptlab's own protocol class this never arrives (it is refused while it is read,
                # with the same reply); under plain uvicorn it can, up to uvicorn's own limit.
                await self._too_large()
                return
            elif len(self.inflight) >= self.settings.ws_inflight:
                n = self.settings.ws_inflight
                self.client.reply(
                    error_text(message_id(text), "busy", f"at most {n} commands at once; wait for replies")
                )
            else:
                task = asyncio.create_task(self._answer(text))
                self.inflight.add(task)
                task.add_done_callback(self.inflight.discard)

    async def _answer(self, text: str) -> None:
        s = self.settings
        try:
            reply = await handle_text(text, self.role, self.limiter, self.lab, s.ws_max_bytes, self.voter)
        except Exception:  # a bug must still answer, and must not end the connection's handler
            log.exception("websocket message failed")
            reply = error_text(message_id(text), "internal_error", "the server failed on this message")
        self.client.reply(reply)

    async def _too_large(self) -> None:
        self.client.reply(too_large(self.settings.ws_max_bytes))
        await self.client.flush(REPLY_DRAIN_S)
        await self.websocket.close(code=CLOSE_TOO_LARGE, reason="message too large")
