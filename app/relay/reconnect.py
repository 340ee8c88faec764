"""How the feed and the relays hold on to Redis: a client that fails fast, the pause between tries,
and a task that ends when it is told to, within a bound.

A loop that reconnects catches Redis' errors, and it must not catch the server's request to stop
along with them: asyncio's TaskGroup raises its children's errors *instead of* a cancellation that
arrived at the same moment (a connection reset as the server shuts down, say), so the loop asks,
after every failure, whether it was told to stop. ``Task.cancelling()`` cannot answer that on
Python 3.11: a TaskGroup whose child failed while it was closing leaves its own cancel request
counted, so the tasks told to stop are kept here instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

import redis.asyncio as aioredis

log = logging.getLogger("ptlab.relay")
RETRY_S = (0.25, 0.5, 1.0, 2.0)
# the server's shutdown waits this long for a Redis task; lab processes must be gone within 2 s
STOP_S = 1.0
_STOPPING: weakref.WeakSet[asyncio.Task[None]] = weakref.WeakSet()


def connect(url: str) -> aioredis.Redis:
    """A Redis client that fails fast rather than hanging: the feed and the relays retry on their own."""
    return aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=10, health_check_interval=15)


async def pause(failures: int) -> None:
    """Wait before the next try (longer after each failure in a row), unless told to stop first."""
    if asyncio.current_task() in _STOPPING:
        raise asyncio.CancelledError  # a cancellation swallowed on the way out of the failed try
    await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])


async def stop(task: asyncio.Task[None], what: str, timeout: float = STOP_S) -> None:
    """Cancel ``task`` and wait for it, at most ``timeout``: shutdown never hangs on Redis."""
    _STOPPING.add(task)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(asyncio.shield(task), timeout)
    if not task.done():
        log.warning("ptlab: %s did not stop within %.1f s of being asked; left behind", what, timeout)
