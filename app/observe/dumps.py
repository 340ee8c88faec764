"""Views as plain dicts for diffing, each thread's dict kept while its view is the same object."""

from __future__ import annotations

from typing import Any

from ..protocol import ProcessView, ThreadView

# A thread's lane history goes out in GET /api/state only, never in a frame.
LANE = {"history", "history_cpus"}
NOT_DIFFED = {"regions", "threads"}  # regions travel whole when they change; threads one by one


class ViewDumps:
    """What each process's view was as a dict, the form frames are diffed in.

    A thread view that is the same object as last tick (threads.ThreadCache keeps them)
    keeps its dict too, and the diff passes it with an identity check: with 224 counting
    threads most threads of a changed process did not run this tick.
    """

    def __init__(self) -> None:
        self._threads: dict[int, dict[int, tuple[ThreadView, dict[str, Any]]]] = {}

    def dump(self, v: ProcessView) -> dict[str, Any]:
        """The view as ``model_dump(mode="json")`` makes it, without regions or lane history."""
        kept = self._threads.get(v.pid, {})
        fresh: dict[int, tuple[ThreadView, dict[str, Any]]] = {}
        for t in v.threads:
            hit = kept.get(t.tid)
            fresh[t.tid] = (
                hit if hit is not None and hit[0] is t else (t, t.model_dump(mode="json", exclude=LANE))
            )
        self._threads[v.pid] = fresh
        d = v.model_dump(mode="json", exclude=NOT_DIFFED)
        d["threads"] = [td for _, td in fresh.values()]
        return d

    def forget(self, keep: set[int]) -> None:
        """Drop the dicts of processes not in ``keep``."""
        for pid in [p for p in self._threads if p not in keep]:
            del self._threads[pid]
