"""A relay's copy of the lab: a keyframe, carried forward by every frame, as a viewer's page does it.

The same rules as the page's ``LabState.apply`` and ``applyPatch`` (static/js/state/state.js), in
Python, on the wire's own dicts: a joiner (or a viewer that fell behind) then gets one snapshot of
now, as from the lab server itself, instead of an old keyframe and the frames after it. Each
keyframe that follows is compared with this copy (``same_as``), so a rule that drifted from the
lab server's would be caught and put right within one keyframe.
"""

from __future__ import annotations

import json
from typing import Any

from ..observe.joined import KeptParts

# as app/observe/frames.py SNAPSHOT_EVENTS: the events a snapshot carries
SNAPSHOT_EVENTS = 20
# what a frame replaces whole when present (ProcessView aside)
_REPLACED = ("costs", "switch_sweep", "focus", "lesson", "run")


def apply_patch(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A ProcessPatch applied to a process's view: its fields, its changed threads, its thread order."""
    out = {**old, **{k: v for k, v in patch.items() if k not in ("patch", "threads", "tids")}}
    threads = {t["tid"]: t for t in old["threads"]}
    for t in patch.get("threads") or ():
        threads[t["tid"]] = {**threads.get(t["tid"], {}), **t}
    order = patch.get("tids")
    if order is None:
        order = [t["tid"] for t in old["threads"]]
    out["threads"] = [threads[tid] for tid in order if tid in threads]
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Picture:
    """The lab's snapshot as of the last frame applied; serialised once per frame, when asked."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.shell = {k: v for k, v in snapshot.items() if k != "processes"}
        self.processes: dict[int, dict[str, Any]] = {p["pid"]: p for p in snapshot["processes"]}
        self._text: tuple[int, str] | None = None
        # each process's JSON, kept while its view is the same object (a still process between frames)
        self._parts: KeptParts[dict[str, Any]] = KeptParts(_dumps)

    @property
    def seq(self) -> int:
        """The sequence number of the last frame (or keyframe) this picture holds."""
        return int(self.shell["seq"])

    def apply(self, frame: dict[str, Any]) -> None:
        """Carry the picture forward by one frame."""
        for changed in frame.get("changed") or ():
            old = self.processes.get(changed["pid"])
            is_patch = changed.get("patch") is True
            self.processes[changed["pid"]] = apply_patch(old, changed) if is_patch and old else changed
        for pid in frame.get("removed") or ():
            self.processes.pop(pid, None)
        events = frame.get("events") or []
        if events:
            self.shell["events"] = [*self.shell.get("events", []), *events][-SNAPSHOT_EVENTS:]
        for key in _REPLACED:
            if frame.get(key) is not None:
                self.shell[key] = frame[key]
        if frame.get("lesson_off"):
            self.shell["lesson"] = None
        self.shell["seq"], self.shell["ts"] = frame["seq"], frame["ts"]

    def text(self) -> str:
        """The snapshot as the stream sends it, serialised once per frame however many ask."""
        if self._text is None or self._text[0] != self.seq:
            self._text = (self.seq, self._parts.snapshot(_dumps(self.shell), self.processes))
        return self._text[1]

    def same_as(self, snapshot: dict[str, Any]) -> bool:
        """Whether a keyframe of the same ``seq`` shows what this picture holds (its ``ts`` aside)."""
        theirs = {p["pid"]: p for p in snapshot.get("processes", ())}
        if theirs != self.processes:
            return False
        return all(snapshot.get(k) == v for k, v in self.shell.items() if k != "ts")
