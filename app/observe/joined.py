"""A snapshot's text joined from each process's kept JSON: a still process is not serialised again.

Used by the lab server (app/observe/frames.py, from its views) and by a relay (app/relay/picture.py,
from the wire's dicts): both keep each process's text while its view is the same object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class KeptParts(Generic[V]):
    """Each process's JSON, kept while its view is the same object."""

    def __init__(self, dump: Callable[[V], str]) -> None:
        self.dump = dump
        self._kept: dict[int, tuple[V, str]] = {}

    def snapshot(self, shell: str, views: Mapping[int, V]) -> str:
        """``shell`` (a snapshot's JSON object without its processes) with ``processes`` added: each
        view's kept text, or its text dumped now if it changed; processes gone are forgotten."""
        parts = []
        for pid, view in views.items():
            kept = self._kept.get(pid)
            if kept is None or kept[0] is not view:
                kept = self._kept[pid] = (view, self.dump(view))
            parts.append(kept[1])
        for gone in [pid for pid in self._kept if pid not in views]:
            del self._kept[gone]
        return f'{shell[:-1]},"processes":[{",".join(parts)}]}}'
