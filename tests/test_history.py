"""The history keeps the recent past within its bounds, and always starts with a keyframe."""

from __future__ import annotations

import os

from app.observe.history import ENTRY_OVERHEAD, History


def test_the_oldest_goes_first_when_the_memory_bound_is_reached_and_a_keyframe_leads() -> None:
    h = History(seconds=3600, max_bytes=60_000, keyframe_s=1.0)
    for i in range(400):
        ts = i / 10
        # incompressible text, so the bound is reached quickly
        h.add(False, i, ts, os.urandom(200).hex(), [{"ts": ts, "kind": "thread_started", "pid": 7}])
        if h.due(ts):
            h.add(True, i, ts, os.urandom(400).hex())
    assert h.bytes <= 60_000
    assert h.bytes == sum(len(e.packed) + ENTRY_OVERHEAD for e in h.entries)  # the count is exact
    assert h.entries[0].keyframe and h.dropped > 0
    assert h.end == 39.9 and h.start is not None and h.start > 0
    assert all(m.ts >= h.start for m in h.marks)


def test_what_is_older_than_the_time_bound_goes() -> None:
    h = History(seconds=5, max_bytes=1 << 30, keyframe_s=2.0)
    for i in range(100):
        ts = i / 10
        h.add(False, i, ts, "{}")
        if h.due(ts):
            h.add(True, i, ts, "{}")
    assert h.start is not None and h.end is not None
    assert h.end - h.start <= 5 and h.entries[0].keyframe


def test_a_span_starts_at_the_last_keyframe_before_its_start() -> None:
    h = History(seconds=3600, max_bytes=1 << 30, keyframe_s=1.0)
    for i in range(50):
        ts = i / 10
        h.add(False, i, ts, f'{{"seq": {i}}}')
        if h.due(ts):
            h.add(True, i, ts, f'{{"snapshot": {i}}}')
    span = list(h.span(2.35, 3.0))
    assert span[0].keyframe and span[0].ts == 2.0  # the keyframe at 2.0 rebuilds 2.35
    assert span[-1].ts <= 3.0 and not any(e.keyframe for e in span[1:] if e.ts < 3.0)


def test_every_entry_reads_back_as_sent_whether_kept_as_it_is_or_packed() -> None:
    h = History(seconds=3600, max_bytes=1 << 30, keyframe_s=1.0)
    short = '{"type":"frame","seq":1,"ts":0.1,"changed":[],"removed":[],"events":[]}'
    long = '{"type":"frame","changed":[' + ",".join(f'{{"pid":{i},"patch":true}}' for i in range(60)) + "]}"
    h.add(True, 1, 0.1, long)
    h.add(False, 2, 0.2, short)
    h.add(False, 3, 0.3, long)
    keyframe, kept, packed = h.entries
    assert kept.packed == short.encode()  # a quiet frame: no compressor set up for it
    assert len(packed.packed) < len(long) and len(keyframe.packed) < len(long)
    assert [e.text for e in h.entries] == [long, short, long]
