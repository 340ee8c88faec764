"""N websocket viewers in one process: count frames and measure delivery lag.

Run by benchmarks/run.py as a separate process, so the viewers' own CPU does not
count as the server's. Prints one JSON line: frames, lag p50/p99 (ms), errors.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time

import websockets

TS = re.compile(rb'"ts":([0-9.]+)')


async def viewer(url: str, seconds: float, lags: list[float], counts: list[int], settle: float = 0.0) -> None:
    n = 0
    async with websockets.connect(url, max_size=None, open_timeout=30) as ws:
        end = time.monotonic() + seconds
        # frames this soon after opening are a relay's catch-up (its keyframe's frames), not timed
        timed_from = time.monotonic() + settle
        while time.monotonic() < end:
            try:
                msg = await asyncio.wait_for(ws.recv(decode=False), 2)
            except TimeoutError:
                continue
            now = time.time()
            m = TS.search(msg[:120])  # the frame's own timestamp, without parsing it all
            if m and msg.startswith(b'{"type":"frame"') and time.monotonic() >= timed_from:
                lags.append(now - float(m.group(1)))
            n += 1
    counts.append(n)


async def main(url: str, n: int, seconds: float, settle: float = 0.0) -> None:
    lags: list[float] = []
    counts: list[int] = []
    results = await asyncio.gather(
        *(viewer(url, seconds, lags, counts, settle) for _ in range(n)), return_exceptions=True
    )
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    lags.sort()

    def pct(p: float) -> float:
        return 1000 * lags[min(len(lags) - 1, int(p * len(lags)))] if lags else float("nan")

    print(
        json.dumps(
            {
                "viewers": n,
                "frames": sum(counts),
                "min_frames": min(counts) if counts else 0,
                "lag_p50_ms": pct(0.50),
                "lag_p99_ms": pct(0.99),
                "errors": errors[:3],
                "error_count": len(errors),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float((sys.argv[4:] or ["0"])[0])))
