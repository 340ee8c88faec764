"""A race in slow motion, on real threads of a lab process (standard library only).

Two or three threads run ``tmp = counter; tmp = tmp + 1; counter = tmp`` (or,
in the deadlock scenes, take two locks), and each one stops at a gate before
every step. The presenter lets one thread through at a time, so the class can
watch two threads read the same value and one update get lost. Nothing is
simulated: the counter is the process's real counter, ``tmp`` is read from
each thread's live Python frame, a thread that waits for a lock really
blocks in the kernel (its /proc state shows it), and a deadlock is a real one
that only ending the process undoes.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MODES = ("race", "lock", "deadlock", "ordered")
# A step waits this long for its thread to reach the next gate; a thread that
# has not arrived by then is blocked (on a lock).
STEP_WAIT_S = 0.5
# A step that outlasted STEP_WAIT_S (a busy machine) is waited for this long before the next one:
# a thread still on its way to its gate is neither movable nor blocked.
TRANSIT_S = 5.0
# A thread left at a gate gives up after this long, so a forgotten scene does
# not keep threads for the whole day (a blocked one ends with its process).
GATE_MAX_S = 1800.0
# The names of the bodies whose frames hold the ``tmp`` the page draws.
BODIES = ("stepped_increment", "take_two_locks")


@dataclass
class Slot:
    """One stepped thread: where it stands and what it holds."""

    index: int  # 1, 2 or 3: the key the presenter presses
    tid: int = 0
    ident: int | None = None
    next: str = "start"  # the step it will do when let through
    at_gate: bool = False
    waiting: str | None = None  # the lock it is blocked on
    rounds: int = 0
    # The gate is a pipe, not a lock: a thread held at it waits in poll(), one blocked on a lock
    # waits in futex(), and the class tells them apart by the system call in their registers.
    go_r: int = -1
    go_w: int = -1
    arrived: threading.Event = field(default_factory=threading.Event)

    def open_gate(self) -> None:
        """Let the thread through once (it may not have reached the gate yet: the byte waits)."""
        with contextlib.suppress(BrokenPipeError, OSError):  # it gave up at its deadline
            os.write(self.go_w, b"g")

    def close(self, end: str) -> None:
        """Close one end of the gate's pipe: "r" by its thread once it has left for good, "w" by
        whoever opens it last (each end closed by the one thread that uses it: no number reused
        under another's feet)."""
        fd = self.go_r if end == "r" else self.go_w
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if end == "r":
            self.go_r = -1
        else:
            self.go_w = -1


class SteppedRun:
    """The threads of one stepped scene and the gates that hold them."""

    def __init__(self, mode: str, n: int, rounds: int, counter: Any, nudge: Callable[[], None]) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown stepped mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode in ("deadlock", "ordered") and n != 2:
            raise ValueError(f"the {mode} scene has exactly 2 threads")
        if not (2 <= n <= 3 and 1 <= rounds <= 5):
            raise ValueError("a stepped run has 2 or 3 threads and 1 to 5 rounds each")
        self.mode = mode
        self.rounds = rounds
        self.counter = counter
        self.nudge = nudge
        self.slots = [Slot(i + 1) for i in range(n)]
        for slot in self.slots:
            slot.go_r, slot.go_w = os.pipe()
        self.locks = (
            {"L1": threading.Lock(), "L2": threading.Lock()} if mode in ("deadlock", "ordered") else {}
        )
        if mode == "lock":
            self.locks = {"lock": threading.Lock()}
        self.owner: dict[str, int] = {}  # lock name -> slot index holding it
        self.stop = threading.Event()
        self.start_value = counter.value
        self.turn = 0  # for "auto": the slot that stepped last
        self.log: list[dict[str, Any]] = []  # every step taken, in order (bounded)

    # ---- inside the stepped threads ---------------------------------------
    def gate(self, slot: Slot, step: str) -> None:
        """Stop before ``step`` until the presenter lets this thread through."""
        slot.next, slot.waiting, slot.at_gate = step, None, True
        slot.arrived.set()
        self.nudge()
        deadline = time.monotonic() + GATE_MAX_S
        waiting = select.poll()
        waiting.register(slot.go_r, select.POLLIN)
        while not waiting.poll(500):
            if self.stop.is_set() or time.monotonic() > deadline:
                raise _Stopped
        os.read(slot.go_r, 1)
        if self.stop.is_set():
            raise _Stopped

    def take(self, slot: Slot, name: str) -> None:
        """Acquire a lock for real; a holder elsewhere blocks this thread in the kernel."""
        slot.waiting = name
        self.locks[name].acquire()
        self.owner[name] = slot.index
        slot.waiting = None

    def give(self, name: str) -> None:
        """Release a lock this thread holds."""
        self.owner.pop(name, None)
        self.locks[name].release()

    def body(self, slot: Slot) -> None:
        """What a stepped thread runs, until its rounds are done and the scene ends."""
        slot.tid = threading.get_native_id()
        slot.ident = threading.get_ident()
        try:
            if self.mode in ("race", "lock"):
                stepped_increment(self, slot)
            else:
                first, second = ("L2", "L1") if self.mode == "deadlock" and slot.index == 2 else ("L1", "L2")
                take_two_locks(self, slot, first, second)
        except _Stopped:
            pass
        finally:
            for name, owner in list(self.owner.items()):
                if owner == slot.index:
                    self.give(name)
            slot.close("r")

    # ---- on the agent's main thread ---------------------------------------
    def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until every thread stands at its first gate."""
        for slot in self.slots:
            if not slot.arrived.wait(timeout):
                raise RuntimeError(f"stepped thread {slot.index} did not reach its first gate")

    def _blocked(self, slot: Slot) -> bool:
        """Whether ``slot`` waits for a lock another thread holds (not one it is just taking)."""
        return slot.waiting is not None and self.owner.get(slot.waiting) not in (None, slot.index)

    def _on_its_way(self, slot: Slot) -> bool:
        """Whether ``slot`` was let through and has not reached its next gate yet, nor blocked."""
        return not slot.at_gate and slot.next != "done" and not self._blocked(slot)

    def _settle(self, slots: list[Slot]) -> None:
        """Wait (TRANSIT_S at most) until none of ``slots`` is on its way between two gates."""
        deadline = time.monotonic() + TRANSIT_S
        while time.monotonic() < deadline:
            moving = [s for s in slots if self._on_its_way(s)]
            if not moving:
                return
            moving[0].arrived.wait(0.05)

    def pick(self, which: int | None) -> Slot:
        """The slot to step: ``which`` (1-based), or for auto the next one that can move."""
        if which is not None:
            if not 1 <= which <= len(self.slots):
                raise ValueError(f"there is no thread {which}; this scene has {len(self.slots)}")
            slot = self.slots[which - 1]
            self._settle([slot])
            if self._on_its_way(slot):
                raise RuntimeError(f"thread {which} has not reached its next step yet: try again")
            if slot.waiting:
                holder = self.owner.get(slot.waiting)
                raise RuntimeError(
                    f"thread {which} is blocked waiting for {slot.waiting}"
                    + (f", which thread {holder} holds" if holder else "")
                )
            if slot.next == "done":
                raise RuntimeError(f"thread {which} has finished")
            return slot
        self._settle(self.slots)
        n = len(self.slots)
        for k in range(1, n + 1):
            slot = self.slots[(self.turn + k - 1) % n]
            if slot.at_gate and slot.next != "done":
                return slot
        if any(s.waiting for s in self.slots):
            raise RuntimeError("no thread can move: every unfinished thread is blocked on a lock (deadlock)")
        raise RuntimeError("every thread has finished")

    def step(self, which: int | None) -> dict[str, Any]:
        """Let one thread do its next step, and wait until it stops at the following gate or blocks."""
        slot = self.pick(which)
        self.turn = slot.index
        done = slot.next
        value = self.counter.value
        slot.arrived.clear()
        slot.at_gate = False
        slot.open_gate()
        arrived = slot.arrived.wait(STEP_WAIT_S)
        entry = {"thread": slot.index, "step": done, "blocked": not arrived}
        if done in ("load", "store"):
            entry["value"] = value if done == "load" else self.counter.value
        self.log = [*self.log[-39:], entry]
        return entry

    def end(self) -> list[Slot]:
        """Release every gate; return the slots blocked on a lock for good (only their process can end)."""
        self.stop.set()
        for slot in self.slots:
            slot.open_gate()
            slot.close("w")
        return [s for s in self.slots if s.waiting]

    def forget_in_child(self) -> None:
        """After fork: the stepped threads stayed behind in the parent; so do their gates."""
        for slot in self.slots:
            slot.close("r")
            slot.close("w")

    def state(self) -> dict[str, Any]:
        """Where each thread stands, with ``tmp`` read from its live frame."""
        frames = sys._current_frames()
        expected = (
            self.start_value + sum(s.rounds for s in self.slots) if self.mode in ("race", "lock") else None
        )
        return {
            "mode": self.mode,
            "rounds": self.rounds,
            "counter": self.counter.value,
            "start": self.start_value,
            "expected": expected,
            "threads": [
                {
                    "index": s.index,
                    "tid": s.tid,
                    "next": s.next,
                    "waiting": s.waiting,
                    "holds": sorted(k for k, v in self.owner.items() if v == s.index),
                    "rounds": s.rounds,
                    "tmp": _tmp(frames.get(s.ident) if s.ident is not None else None),
                }
                for s in self.slots
            ],
            "log": list(self.log),
        }


class _Stopped(Exception):
    """Unwinds a stepped thread when its scene ends."""


def _tmp(frame: Any) -> int | None:
    # The thread's own frame of its body, found by name: the value lives in that thread's stack.
    while frame is not None:
        if frame.f_code.co_name in BODIES:
            value = frame.f_locals.get("tmp")
            return value if isinstance(value, int) else None
        frame = frame.f_back
    return None


def stepped_increment(run: SteppedRun, slot: Slot) -> None:
    """``counter += 1`` in its three real steps, with a gate before each (and a lock if asked)."""
    tmp = None
    for _ in range(run.rounds):
        if run.locks:
            run.gate(slot, "acquire")
            run.take(slot, "lock")
        run.gate(slot, "load")
        tmp = run.counter.value
        run.gate(slot, "add")
        tmp = tmp + 1
        run.gate(slot, "store")
        run.counter.value = tmp
        slot.rounds += 1
        if run.locks:
            run.gate(slot, "release")
            run.give("lock")
    run.gate(slot, "done")  # ``tmp`` stays in this frame for the class to read


def take_two_locks(run: SteppedRun, slot: Slot, first: str, second: str) -> None:
    """Take two locks one after the other, add one under both, release: in opposite orders it deadlocks."""
    run.gate(slot, f"acquire {first}")
    run.take(slot, first)
    run.gate(slot, f"acquire {second}")
    run.take(slot, second)
    run.gate(slot, "load")
    tmp = run.counter.value
    run.gate(slot, "store")
    run.counter.value = tmp + 1
    slot.rounds += 1
    run.gate(slot, "release")
    run.give(second)
    run.give(first)
    run.gate(slot, "done")
