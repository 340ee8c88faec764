"""Admission of process starts: a few at a time, a bounded number waiting, the rest refused at once.

Starting a Python worker costs tens of milliseconds of CPU (interpreter and
imports). A class clicking "spawn" together, or a script firing a thousand
requests, must not start them all at once: that starves the server's event
loop, and with it the projector. Starts run ``parallel`` at a time; up to
``waiting`` more queue for their turn; a request beyond that is refused
with ``queue_full`` before any work is done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from .errors import LabError


class Admission:
    """A semaphore with a bounded waiting room."""

    def __init__(self, parallel: int, waiting: int) -> None:
        self.parallel = parallel
        self.max_waiting = waiting
        self._slots = asyncio.Semaphore(parallel)
        self.waiting = 0
        self.running = 0
        self.refused = 0

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a free slot (or refuse at once when the waiting room is full), hold it inside."""
        if self._slots.locked() and self.waiting >= self.max_waiting:
            self.refused += 1
            raise LabError(
                "queue_full",
                f"{self.running} lab processes are starting and {self.waiting} more are waiting "
                f"(PTLAB_SPAWN_QUEUE={self.max_waiting}); try again in a moment",
                retry_after=1,  # a full start queue empties within a second or two
            )
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()
