"""A .ptlab recording: what is written reads back; every kind of bad file is refused, saying why."""

from __future__ import annotations

import gzip
import json
import time
import zlib

import pytest

from app.protocol import Frame, ServerInfo, Snapshot
from app.recording import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    MAX_LINES,
    RecordingError,
    host_facts,
    read,
    write,
)

NOW = time.time()


def snapshot(seq: int = 1) -> str:
    info = ServerInfo(pid=1, hz=10, max_processes=16, max_threads=32, cpus=2, pagemap=False)
    return Snapshot(seq=seq, ts=NOW, role="viewer", server=info, processes=[], events=[]).model_dump_json()


def frame(seq: int) -> str:
    return Frame(seq=seq, ts=NOW + seq / 10, changed=[], removed=[], events=[]).model_dump_json()


def good() -> bytes:
    return write(
        [(NOW, snapshot()), *((NOW + i / 10, frame(i)) for i in range(2, 12))], host_facts(10, False)
    )


def with_lines(*lines: str) -> bytes:
    return gzip.compress(("\n".join(lines) + "\n").encode())


def header(**changes: object) -> str:
    h = json.loads(gzip.decompress(good()).decode().splitlines()[0])
    h.update(changes)
    return json.dumps(h)


def test_a_recording_reads_back_as_written() -> None:
    rec = read(good())
    assert rec.header.version == 1 and rec.header.host.cpus >= 1
    assert [m.seq for m in rec.messages] == [1, *range(2, 12)]
    assert rec.messages[0].keyframe and not any(m.keyframe for m in rec.messages[1:])


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 a zip file", "not gzip-compressed"),
        (good()[:-40], "truncated"),
        (good()[:20] + bytes(b ^ 0x55 for b in good()[20:40]) + good()[40:], "corrupted"),
        (
            with_lines(header(version=2), snapshot()),
            "wrong version: the file is version 2; this ptlab reads version 1",
        ),
        (with_lines(header(format="something-else"), snapshot()), "format 'something-else'"),
        (with_lines(header(), frame(2)), "the first message must be a snapshot"),
        (with_lines(header(), snapshot(), '{"type": "frame", "seq": "x"}'), "line 3 is not a valid frame"),
        (with_lines(header(), snapshot(), "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)), "nests deeper"),
        (
            with_lines(header(), snapshot(), '{"type": "frame", "x": "' + "a" * MAX_LINE_BYTES + '"}'),
            "line 3 is",
        ),
        (with_lines(header(), snapshot(), "{not json"), "line 3 is not valid JSON"),
        (with_lines(header()), "no snapshot"),
        (with_lines(header(), '{"type": "command"}'), "type 'command'"),
        (b"\x1f\x8b" + b"\x00" * (MAX_FILE_BYTES), "recordings may have"),
    ],
    ids=[
        "not-gzip",
        "truncated",
        "corrupted",
        "wrong-version",
        "wrong-format",
        "frame-first",
        "bad-frame",
        "deep-nesting",
        "giant-string",
        "not-json",
        "no-snapshot",
        "foreign-message",
        "oversized",
    ],
)
def test_a_bad_file_is_refused_with_its_reason(data: bytes, says: str) -> None:
    with pytest.raises(RecordingError) as caught:
        read(data)
    assert says in str(caught.value)


def test_a_bomb_that_unpacks_past_the_limit_is_refused() -> None:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip, fed a MiB at a time: small in memory too
    start = packer.compress(f"{header()}\n{snapshot()}\n".encode())
    chunk = b" " * ((1 << 20) - 1) + b"\n"  # blank lines of a MiB: no limit but the size
    bomb = start + b"".join(packer.compress(chunk) for _ in range(160)) + packer.flush()  # 160 MiB in ~0.6 MB
    with pytest.raises(RecordingError) as caught:
        read(bomb)
    assert "unpacks to more than" in str(caught.value)
    # a million empty lines in 1 KB: refused by their number, before a loop over each
    lines = gzip.compress(f"{header()}\n{snapshot()}\n".encode() + b"\n" * (MAX_LINES + 1))
    with pytest.raises(RecordingError, match=f"more than {MAX_LINES} lines"):
        read(lines)
