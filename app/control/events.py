"""The lab's event log: what happened, in order, for captions and late joiners."""

from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Any

from ..protocol import EventKind, EventView

MAX_EVENTS = 200


class EventLog:
    """A bounded log of EventViews with increasing ids."""

    def __init__(self, size: int = MAX_EVENTS) -> None:
        self.events: deque[EventView] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def add(self, kind: EventKind, **fields: Any) -> EventView:
        """Record something that happened now."""
        event = EventView(id=next(self._ids), ts=time.time(), kind=kind, **fields)
        self.events.append(event)
        return event

    def after(self, last_id: int) -> list[EventView]:
        """Events newer than ``last_id``."""
        if not self.events or self.events[-1].id <= last_id:
            return []  # the usual tick: nothing happened, and the log holds up to 200
        return [e for e in self.events if e.id > last_id]

    def latest(self, n: int) -> list[EventView]:
        """The ``n`` most recent events, oldest first."""
        return list(self.events)[-n:]
