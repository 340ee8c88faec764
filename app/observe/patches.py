"""Field-level differences between two pictures of a process, for small frames.

Pure functions on plain dicts (a ProcessView dumped without its regions).
A frame carries, for each process that changed, either the whole view (new
process, or one that just exited) or a patch: ``{"pid", "patch": true}``
plus only the fields that changed, and in ``threads`` only the threads that
changed — new ones whole, others as ``{"tid", changed fields}`` — with
``tids`` (the full, ordered set) whenever threads came or went. The page
applies them (static/js/state/state.js ``applyPatch``); tests/test_patches.py runs
that very function on the diffs made here.
"""

from __future__ import annotations

from typing import Any


def diff_thread(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a thread that changed, or None."""
    if old is new:  # a thread whose view was kept (dumps.ViewDumps): the usual case
        return None
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    return {"tid": new["tid"], **changed} if changed else None


def diff_process(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """A patch turning ``old`` into ``new``, or None if nothing changed."""
    patch: dict[str, Any] = {k: v for k, v in new.items() if k != "threads" and old.get(k) != v}
    before = {t["tid"]: t for t in old["threads"]}
    threads = []
    for t in new["threads"]:
        o = before.get(t["tid"])
        d = t if o is None else diff_thread(o, t)
        if d is not None:
            threads.append(d)
    if threads:
        patch["threads"] = threads
    tids = [t["tid"] for t in new["threads"]]
    if tids != list(before):
        patch["tids"] = tids
    if not patch:
        return None
    return {"pid": new["pid"], "patch": True, **patch}
