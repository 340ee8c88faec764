"""A thread's live Python stack, read inside its own process (standard library only).

Each frame's function, file, line and local variables, outermost first: what
lives in the thread's stack memory, named. Locals are shown through reprlib,
bounded in length, so a big list or a hostile ``__repr__`` cannot flood the wire.
"""

from __future__ import annotations

import os
import reprlib
import sys
import threading
from typing import Any

MAX_FRAMES = 24
MAX_LOCALS = 16

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


MAX_REPR = 80


def _shown(value: object) -> str:
    try:
        text = _repr.repr(value)
    except Exception as exc:  # a __repr__ that raises still gets a line
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    # reprlib bounds each part; nested containers can still add up
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def _where(path: str) -> str:
    # The lab's own files by their package path; anything else (the standard library) by name.
    parts = path.split("/")
    return "/".join(parts[parts.index("app") :]) if "app" in parts else parts[-1]


def python_stack(native_tid: int) -> dict[str, Any]:
    """The frames of the Python thread whose native TID is ``native_tid``, outermost first.

    A stack deeper than MAX_FRAMES keeps its innermost frames: where the thread is now.
    """
    ident = next((t.ident for t in threading.enumerate() if t.native_id == native_tid), None)
    frame = sys._current_frames().get(ident) if ident is not None else None
    if frame is None:
        raise ValueError(f"{native_tid} is not a Python thread of process {os.getpid()}")
    frames = []
    while frame is not None and len(frames) < MAX_FRAMES:
        code = frame.f_code
        names = list(frame.f_locals.items())[:MAX_LOCALS]
        frames.append(
            {
                "function": code.co_name,
                "file": _where(code.co_filename),
                "line": frame.f_lineno,
                "locals": {k: _shown(v) for k, v in names},
            }
        )
        frame = frame.f_back
    return {"tid": native_tid, "frames": frames[::-1]}
