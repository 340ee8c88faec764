"""What the lab server and its relays say to each other through Redis: the names, and each message's shape.

Down (lab server → relays), on one pub/sub channel, in the order of the ticks:

- ``f SEQ\\n`` + a frame's JSON, every tick, exactly the text a direct viewer gets;
- ``k SEQ\\n`` + the viewer's snapshot JSON at that frame (a keyframe): every few seconds, and soon
  after a relay asks for one. A relay serves a joiner the latest keyframe and the frames after it.

Up (relays → lab server), on one stream (XADD/XREAD, bounded): ``{"kind": "keyframe"}`` (a relay
lost its place or has just started) and ``{"kind": "vote", ...}`` (a viewer's vote, counted by the
lab server by the same rules as a direct one). The answer to a vote goes back on the relay's own
reply channel. The voter-id key is stored under ``VOTER_KEY`` so a relay hands out the ids the
lab server counts.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

FEED = "ptlab:feed"
UP = "ptlab:up"
VOTER_KEY = "ptlab:voter-key"
# the up stream keeps at most about this many entries (XADD MAXLEN ~): it is read as it comes
UP_MAXLEN = 10_000


# RFC 6455 1013, "try again later": a relay without a picture closes (or refuses) websockets with it,
# and the page reconnects by itself
TRY_AGAIN = 1013
# what a relay answers a command with, and says while it has no picture to serve
RELAY_READ_ONLY = "this is a relay: it shows the lab, it does not control it; commands go to the lab server"
NO_PICTURE = "this relay has no picture of the lab yet: it waits for the lab server through Redis"


def safe_url(url: str) -> str:
    """A Redis URL with any password hidden, to be printed."""
    scheme, sep, rest = url.partition("://")
    auth, at, where = rest.rpartition("@")
    return f"{scheme}{sep}***@{where}" if at and auth else url


def reply_channel(relay: str) -> str:
    """Where the lab server answers one relay's votes."""
    return f"ptlab:reply:{relay}"


Kind = Literal["f", "k"]


@dataclass(frozen=True)
class Down:
    """One message on the feed: a frame or a keyframe, with its sequence number."""

    kind: Kind
    seq: int
    text: str


def pack_down(kind: Kind, seq: int, text: str) -> bytes:
    """A feed message as it is published."""
    return f"{kind} {seq}\n".encode() + text.encode()


def unpack_down(payload: bytes) -> Down | None:
    """A feed message as a relay reads it; None for anything not in this shape."""
    head, sep, body = payload.partition(b"\n")
    kind, _, seq = head.decode("ascii", "replace").partition(" ")
    if not sep or kind not in ("f", "k") or not seq.isdigit() or len(seq) > 18:
        return None
    try:
        return Down(kind, int(seq), body.decode())  # type: ignore[arg-type]
    except UnicodeDecodeError:
        return None


class VoteUp(BaseModel):
    """A viewer's vote, as a relay hands it on (every field a string: a stream entry holds strings)."""

    kind: Literal["vote"] = "vote"
    relay: str = Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")
    id: str = Field(min_length=1, max_length=64)
    voter: str = Field(min_length=1, max_length=100, description="the voter id, as the relay verified it")
    question: str = Field(max_length=100)
    choice: str = Field("", max_length=100, description="empty: a number was given instead")
    number: str = Field("", max_length=40, description="empty: a choice was given instead")
    address: str = Field("", max_length=100, description="the viewer's address, as the relay saw it")


class VoteAnswer(BaseModel):
    """The lab server's answer to one relayed vote: how many have voted, or why it did not count."""

    id: str
    votes: int | None = None
    error: str | None = None
    message: str | None = None


def up_entry(fields: dict[bytes, bytes]) -> VoteUp | Literal["keyframe"] | None:
    """A stream entry as the lab server reads it: a vote, a request for a keyframe, or None if neither."""
    try:
        text = {k.decode(): v.decode() for k, v in fields.items()}
    except UnicodeDecodeError:
        return None
    if text.get("kind") == "keyframe":
        return "keyframe"
    try:
        return VoteUp.model_validate(text)
    except ValidationError:
        return None


def encode_key(key: bytes) -> str:
    """The voter-id key as stored in Redis."""
    return base64.b64encode(key).decode()


def decode_key(stored: bytes | None) -> bytes | None:
    """The voter-id key from Redis; None if absent or not a key."""
    if not stored:
        return None
    try:
        key = base64.b64decode(stored, validate=True)
    except ValueError:
        return None
    return key if len(key) >= 16 else None
