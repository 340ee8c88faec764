"""The /ws stream: a snapshot, then frames at the sampling rate; presenter commands in between."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from dataclasses import dataclass, field

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter, ValidationError

from ..control.commands import CommandService
from ..control.errors import LabError
from ..protocol import Ack, ClientMessage, ErrorMessage, Role, VoteMessage
from ..settings import Settings
from .auth import AuthError, RateLimit, check_presenter, origin_allowed
from .broadcast import Broadcaster
from .errors import describe_validation

# A client whose unread replies do not drain in this long has stopped reading.
REPLY_DRAIN_S = 10.0
# The page's anonymous voter cookie (set with the page): one vote per browser, not per tab or reload.
VOTER_COOKIE = "ptlab_voter"
VOTER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VOTE_BURST = 5
stream = APIRouter()
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


@dataclass
class Voter:
    """Who is voting on this connection (anonymous), and how fast they may."""

    id: str
    limiter: RateLimit = field(default_factory=lambda: RateLimit(2.0, VOTE_BURST))

    @classmethod
    def of(cls, cookies: dict[str, str], rate: float) -> Voter:
        """The browser's voter id from its cookie, or a fresh one for this connection alone."""
        cookie = cookies.get(VOTER_COOKIE, "")
        voter = cookie if VOTER_ID.match(cookie) else "conn-" + secrets.token_urlsafe(12)
        return cls(voter, RateLimit(rate, VOTE_BURST))


def error_text(rid: str | None, error: str, message: str) -> str:
    """One ErrorMessage, serialised."""
    return ErrorMessage(id=rid, error=error, message=message).model_dump_json()


def message_id(text: str) -> str | None:
    """The ``id`` of a message refused before it is handled, so its sender can match the refusal."""
    with contextlib.suppress(ValueError):
        raw = json.loads(text)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
            return raw["id"]
    return None


def cast_vote(msg: VoteMessage, voter: Voter | None, commands: CommandService) -> str:
    """Count one vote on the lesson's open question; the tally goes out with the next frame."""
    lesson = getattr(commands, "lesson", None)
    if lesson is None or voter is None:
        return error_text(msg.id, "read_only", "there is nothing to vote on here")
    if not voter.limiter.allow():
        return error_text(
            msg.id, "rate_limited", "too many votes; one counts per question, so once is enough"
        )
    try:
        votes = lesson.vote(voter.id, msg.question, msg.choice, msg.number)
    except LabError as exc:
        return error_text(msg.id, exc.code, exc.message)
    return Ack(id=msg.id, result={"question": msg.question, "votes": votes}).model_dump_json()


async def handle_text(
    text: str,
    role: Role,
    limiter: RateLimit,
    commands: CommandService,
    max_bytes: int,
    voter: Voter | None = None,
) -> str:
    """Validate and carry out one websocket message (a command, or a viewer's vote); return the reply."""
    if len(text.encode()) > max_bytes:
        return error_text(None, "too_large", f"messages are limited to {max_bytes} bytes")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return error_text(None, "bad_json", f"not valid JSON: {exc}")
    rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        msg = _CLIENT_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        return error_text(rid, "invalid_request", describe_validation(list(exc.errors())))
    if isinstance(msg, VoteMessage):
        return cast_vote(msg, voter, commands)
    if role != "presenter":
        return error_text(
            msg.id, "forbidden", "only the presenter may control the lab; open the page with ?token="
        )
    if not limiter.allow():
        return error_text(msg.id, "rate_limited", "too many commands; slow down")
    try:
        result = await commands.run(msg.command)
    except LabError as exc:
        return error_text(msg.id, exc.code, exc.message)
    return Ack(id=msg.id, result=result.model_dump(mode="json")).model_dump_json()


def role_of(websocket: WebSocket, settings: Settings) -> Role | None:
    """``presenter`` with the token from this server's own page, else ``viewer``; None if refused."""
    same_origin = origin_allowed(websocket.headers, settings, websocket.app.state.hosts)
    if not same_origin:
        return "viewer" if settings.viewers else None
    client = websocket.client.host if websocket.client else "?"
    with contextlib.suppress(AuthError):
        check_presenter(websocket.headers, websocket.cookies, settings, websocket.app.state.lockout, client)
        return "presenter"
    return "viewer"


@stream.websocket("/ws")
async def ws_stream(websocket: WebSocket) -> None:
    """Snapshot, then frames at the sampling rate; presenter commands in between."""
    settings: Settings = websocket.app.state.settings
    broadcaster: Broadcaster = websocket.app.state.broadcaster
    commands: CommandService = websocket.app.state.commands
    role = role_of(websocket, settings)
    if role is None:
        await websocket.close(code=1008, reason="origin not allowed")
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
    client = broadcaster.add(websocket, role)
    pump = asyncio.create_task(broadcaster.pump(client))
    limiter = RateLimit(settings.ws_rate, settings.ws_burst)
    voter = Voter.of(websocket.cookies, settings.vote_rate)
    # Commands run side by side (a race may take seconds; cancelling it must
    # not wait behind it), a few at a time per client. Tasks left running
    # when the client goes are bounded by the lab's own timeouts.
    inflight: set[asyncio.Task[None]] = set()

    async def answer(text: str) -> None:
        client.reply(await handle_text(text, role, limiter, commands, settings.ws_max_bytes, voter))

    try:
        while True:
            if not await client.room(REPLY_DRAIN_S):
                await websocket.close(code=1008, reason="not reading replies")
                break
            msg = await websocket.receive()
            if msg["type"] == "websocket.disconnect":
                break
            text = msg.get("text")
            if text is None:
                client.reply(error_text(None, "binary", "send JSON text messages, not binary"))
            elif len(inflight) >= settings.ws_inflight:
                client.reply(
                    error_text(
                        message_id(text),
                        "busy",
                        f"at most {settings.ws_inflight} commands at once; wait for replies",
                    )
                )
            else:
                task = asyncio.create_task(answer(text))
                inflight.add(task)
                task.add_done_callback(inflight.discard)
    finally:
        broadcaster.remove(client)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
