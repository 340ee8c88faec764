"""The .ptlab recording: gzip-compressed JSON lines, a header and then the stream's own messages.

Line 1 is a ``RecordingHeader``. Every other line is a message exactly as the
websocket sent it: a ``Snapshot`` (a keyframe) or a ``Frame``; the first is a
snapshot. A page replays a recording with the same code that follows the live
stream. Reading is defensive: a recording comes from anywhere (a student's
USB stick, a mail), so size, line length, nesting, version and every message's
envelope (its type, sequence number, time and events) are checked, and each
refusal names what was wrong and where.

A recording is read as a stream and kept packed: the file as it came, and an
index of its messages. A 15-minute recording is 100 MB of JSON; parsing and
keeping it whole took 40 s and a gigabyte. The server never looks inside a
message but for its envelope (the pages that replay it check what they draw)
and the first snapshot, which it serves and so validates whole.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import __version__
from .protocol import EventView, Snapshot
from .untrusted_json import nests_within

FORMAT = "ptlab-recording"
VERSION = 1
# A 15-minute history of 8 × 8 busy threads is about 20 MB of text, 3 MB compressed: these
# leave room for longer histories and stop a file that unpacks to gigabytes early.
MAX_FILE_BYTES = 32 << 20
MAX_TEXT_BYTES = 128 << 20
MAX_LINE_BYTES = 4 << 20  # a snapshot at the caps is ~0.3 MB
MAX_DEPTH = 32  # the deepest message nests 7 levels
CHUNK = 1 << 20  # unpacked (and read) a MiB at a time
# 4 hours of frames at 50 Hz is 720 000 lines: more is a file built to make the reader loop.
MAX_LINES = 1_000_000


class HostFacts(BaseModel):
    """The machine a recording was made on: its figures only mean something with these."""

    cpus: int
    kernel: str
    python: str
    hz: float
    pagemap: bool


class RecordingHeader(BaseModel):
    """The first line of a .ptlab file."""

    format: Literal["ptlab-recording"]
    version: int
    ptlab: str
    host: HostFacts
    start: float
    end: float
    created: float


class RecordingError(ValueError):
    """A file that is not a readable ptlab recording; the message says why, and where."""


class Envelope(BaseModel):
    """What the server reads of every message of a recording: the rest is the page's to check."""

    model_config = ConfigDict(extra="ignore", strict=True)

    type: Literal["snapshot", "frame"]
    seq: int
    ts: float = Field(allow_inf_nan=False)
    events: list[EventView] = []


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a recording, as indexed: where it is (its line) and what is on its envelope."""

    keyframe: bool
    seq: int
    ts: float
    line: int
    events: list[dict]  # a frame's events (the timeline's marks); none for a snapshot


@dataclass(frozen=True)
class Recording:
    """A whole recording, checked: its header, an index of its messages, and the file, still packed."""

    header: RecordingHeader
    messages: list[Message]
    data: bytes
    first: Snapshot  # the first message, validated whole

    def texts(self, lines: set[int]) -> dict[int, str]:
        """The text of the messages on these lines (one pass through the packed file)."""
        return {n: line.decode() for n, line in _lines(self.data) if n in lines}


def host_facts(hz: float, pagemap: bool) -> HostFacts:
    """This machine's facts, for a recording's header."""
    return HostFacts(
        cpus=os.cpu_count() or 1,
        kernel=platform.release(),
        python=platform.python_version(),
        hz=hz,
        pagemap=pagemap,
    )


def write(messages: Iterable[tuple[float, str]], host: HostFacts) -> bytes:
    """A .ptlab file of these (time, message text) pairs, oldest first, the first a snapshot."""
    items = list(messages)
    header = RecordingHeader(
        format=FORMAT,
        version=VERSION,
        ptlab=__version__,
        host=host,
        start=items[0][0] if items else 0.0,
        end=items[-1][0] if items else 0.0,
        created=time.time(),
    )
    lines = [header.model_dump_json(), *(text for _, text in items)]
    return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=6)


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a packed recording, unpacked as a stream and bounded as it goes."""
    if len(data) > MAX_FILE_BYTES:
        raise RecordingError(f"the file is {len(data)} bytes; recordings may have {MAX_FILE_BYTES} at most")
    if data[:2] != b"\x1f\x8b":
        raise RecordingError("not a ptlab recording: the file is not gzip-compressed (.ptlab files are)")
    inflater = zlib.decompressobj(wbits=31)
    pending, n, unpacked, at = b"", 0, 0, 0
    while at < len(data) or inflater.unconsumed_tail:
        try:
            if inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK)
            else:
                chunk = inflater.decompress(data[at : at + CHUNK], CHUNK)
                at += CHUNK
        except zlib.error as exc:
            raise RecordingError(
                f"the file is corrupted: its compressed data cannot be read ({exc})"
            ) from exc
        unpacked += len(chunk)
        if unpacked > MAX_TEXT_BYTES:
            raise RecordingError(f"the file unpacks to more than {MAX_TEXT_BYTES} bytes; refused")
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        if n + len(parts) > MAX_LINES:
            raise RecordingError(f"the file has more than {MAX_LINES} lines; refused")
        for part in parts:
            n += 1
            yield n, part
        if len(pending) > MAX_LINE_BYTES:
            raise RecordingError(
                f"line {n + 1} is over {MAX_LINE_BYTES} bytes long; the limit is {MAX_LINE_BYTES}"
            )
        if inflater.eof:
            break
    if not inflater.eof:
        raise RecordingError("the file is truncated: it ends inside its compressed data")
    if pending:
        yield n + 1, pending


def _text(line: bytes, n: int) -> str:
    if len(line) > MAX_LINE_BYTES:
        raise RecordingError(f"line {n} is {len(line)} bytes long; the limit is {MAX_LINE_BYTES}")
    if not nests_within(line, MAX_DEPTH):
        raise RecordingError(f"line {n} nests deeper than {MAX_DEPTH} levels; refused")
    try:
        return line.decode()
    except UnicodeDecodeError as exc:
        raise RecordingError(
            f"the file is corrupted: line {n} is not UTF-8 text at byte {exc.start}"
        ) from exc


def _json(line: bytes, n: int) -> dict:
    try:
        value = json.loads(_text(line, n))
    except ValueError as exc:
        raise RecordingError(f"line {n} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise RecordingError(f"line {n} is not a JSON object")
    return value


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(the message)"
    return f"{where}: {first['msg']}"


def _header(line: bytes) -> RecordingHeader:
    if not line.strip():
        raise RecordingError("the file is empty: no header line")
    head = _json(line, 1)
    if head.get("format") != FORMAT:
        raise RecordingError(f"not a ptlab recording: line 1 says format {head.get('format')!r}")
    if head.get("version") != VERSION:
        raise RecordingError(
            f"wrong version: the file is version {head.get('version')!r}; this ptlab reads version {VERSION}"
        )
    try:
        return RecordingHeader.model_validate(head)
    except ValidationError as exc:
        raise RecordingError(f"line 1 (the header) is malformed: {_problem(exc)}") from exc


def _envelope(line: bytes, n: int) -> Envelope:
    text = _text(line, n)
    try:
        return Envelope.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise RecordingError(f"line {n} is not valid JSON: {first['msg']}") from None
        kind = _json(line, n).get("type")
        if kind not in ("snapshot", "frame"):
            raise RecordingError(
                f"line {n}: a message of type {kind!r}; recordings hold snapshots, frames"
            ) from None
        raise RecordingError(f"line {n} is not a valid {kind}: {_problem(exc)}") from None


def read(data: bytes) -> Recording:
    """Read and check a .ptlab file, keeping it packed; RecordingError says what is wrong with it."""
    lines = _lines(data)
    header = _header(next(lines, (1, b""))[1])
    messages: list[Message] = []
    first: Snapshot | None = None
    for n, line in lines:
        if not line.strip():
            continue
        msg = _envelope(line, n)
        if first is None:
            if msg.type != "snapshot":
                raise RecordingError(f"line {n}: the first message must be a snapshot, not a {msg.type}")
            try:
                first = Snapshot.model_validate_json(line)
            except ValidationError as exc:
                raise RecordingError(f"line {n} is not a valid snapshot: {_problem(exc)}") from None
        events = [e.model_dump() for e in msg.events] if msg.type == "frame" else []
        messages.append(Message(msg.type == "snapshot", msg.seq, msg.ts, n, events))
    if first is None:
        raise RecordingError("the file holds a header but no snapshot")
    return Recording(header, messages, data, first)
