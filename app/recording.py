"""The .ptlab recording: gzip-compressed JSON lines, a header and then the stream's own messages.

Line 1 is a ``RecordingHeader``. Every other line is a message exactly as the
websocket sent it: a ``Snapshot`` (a keyframe) or a ``Frame``; the first is a
snapshot. A page replays a recording with the same code that follows the live
stream. Reading is defensive: a recording comes from anywhere (a student's
USB stick, a mail), so size, line length, nesting, version and every message's
shape are checked, and each refusal names what was wrong and where.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ValidationError

from . import __version__
from .protocol import Frame, Snapshot
from .untrusted_json import nests_within

FORMAT = "ptlab-recording"
VERSION = 1
# A 15-minute history of 8 × 8 busy threads is about 20 MB of text, 3 MB compressed: these
# leave room for longer histories and stop a file that unpacks to gigabytes early.
MAX_FILE_BYTES = 32 << 20
MAX_TEXT_BYTES = 128 << 20
MAX_LINE_BYTES = 4 << 20  # a snapshot at the caps is ~0.3 MB
MAX_DEPTH = 32  # the deepest message nests 7 levels


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


@dataclass(frozen=True)
class Message:
    """One message of a recording, validated, with the text it was read from."""

    keyframe: bool
    seq: int
    ts: float
    text: str
    events: list[dict]  # a frame's events (the timeline's marks); none for a snapshot


@dataclass(frozen=True)
class Recording:
    """A whole recording, read and checked."""

    header: RecordingHeader
    messages: list[Message]


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


def _inflate(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise RecordingError(f"the file is {len(data)} bytes; recordings may have {MAX_FILE_BYTES} at most")
    if data[:2] != b"\x1f\x8b":
        raise RecordingError("not a ptlab recording: the file is not gzip-compressed (.ptlab files are)")
    inflater = zlib.decompressobj(wbits=31)
    try:
        text = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error as exc:
        raise RecordingError(f"the file is corrupted: its compressed data cannot be read ({exc})") from exc
    if inflater.unconsumed_tail:
        raise RecordingError(f"the file unpacks to more than {MAX_TEXT_BYTES} bytes; refused")
    if not inflater.eof:
        raise RecordingError("the file is truncated: it ends inside its compressed data")
    try:
        return text.decode()
    except UnicodeDecodeError as exc:
        raise RecordingError(f"the file is corrupted: not UTF-8 text at byte {exc.start}") from exc


def _json(line: str, n: int) -> dict:
    if len(line) > MAX_LINE_BYTES:
        raise RecordingError(f"line {n} is {len(line)} characters long; the limit is {MAX_LINE_BYTES}")
    if not nests_within(line, MAX_DEPTH):
        raise RecordingError(f"line {n} nests deeper than {MAX_DEPTH} levels; refused")
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise RecordingError(f"line {n} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise RecordingError(f"line {n} is not a JSON object")
    return value


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(the message)"
    return f"{where}: {first['msg']}"


def read(data: bytes) -> Recording:
    """Read and check a .ptlab file; RecordingError says what is wrong with it."""
    lines = _inflate(data).splitlines()
    if not lines or not lines[0].strip():
        raise RecordingError("the file is empty: no header line")
    head = _json(lines[0], 1)
    if head.get("format") != FORMAT:
        raise RecordingError(f"not a ptlab recording: line 1 says format {head.get('format')!r}")
    if head.get("version") != VERSION:
        raise RecordingError(
            f"wrong version: the file is version {head.get('version')!r}; this ptlab reads version {VERSION}"
        )
    try:
        header = RecordingHeader.model_validate(head)
    except ValidationError as exc:
        raise RecordingError(f"line 1 (the header) is malformed: {_problem(exc)}") from exc
    messages: list[Message] = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        value = _json(line, n)
        kind = value.get("type")
        model: type[BaseModel] = Snapshot if kind == "snapshot" else Frame
        if kind not in ("snapshot", "frame"):
            raise RecordingError(f"line {n}: a message of type {kind!r}; recordings hold snapshots, frames")
        if not messages and kind != "snapshot":
            raise RecordingError(f"line {n}: the first message must be a snapshot, not a {kind}")
        try:
            msg = model.model_validate(value)
        except ValidationError as exc:
            raise RecordingError(f"line {n} is not a valid {kind}: {_problem(exc)}") from exc
        events = [] if kind == "snapshot" else value.get("events", [])
        messages.append(Message(kind == "snapshot", msg.seq, msg.ts, line, events))  # type: ignore[attr-defined]
    if not messages:
        raise RecordingError("the file holds a header but no snapshot")
    return Recording(header, messages)
