// The page's copy of the lab: a snapshot, patched by frames. No drawing here.

import { expandProcess } from "./wire.js";

/** Apply a ProcessPatch (made by app/observe/patches.py; tests/test_patches.py checks the round trip). */
export function applyPatch(old, patch) {
  const { patch: _marker, threads: changedThreads = [], tids, ...fields } = patch;
  const out = { ...old, ...fields };
  const threads = new Map(old.threads.map((t) => [t.tid, t]));
  for (const t of changedThreads) threads.set(t.tid, { ...(threads.get(t.tid) || {}), ...t });
  const order = tids || old.threads.map((t) => t.tid);
  out.threads = order.filter((tid) => threads.has(tid)).map((tid) => threads.get(tid));
  return out;
}

/**
 * Whether two pictures of a process differ at most in their threads' loads: every field the same
 * object, each thread the same or differing only in `load`. A card does not show loads (the CPU
 * lanes do), so such a process keeps its card as drawn: the main thread of a counting process
 * moves between 0.00 and 0.01 cores from frame to frame, and a third of the processes of a
 * counting 8 × 8 lab change only so (50 frames counted).
 */
export function drawnAlike(a, b) {
  if (a === b) return true;
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return false;
  for (const k of keys) if (k !== "threads" && a[k] !== b[k]) return false;
  if (a.threads.length !== b.threads.length) return false;
  return b.threads.every((t, i) => {
    const o = a.threads[i];
    if (o === t) return true;
    const tk = Object.keys(t);
    return tk.length === Object.keys(o).length && tk.every((k) => k === "load" || o[k] === t[k]);
  });
}

export class LabState {
  constructor() {
    this.processes = new Map(); // pid -> ProcessView (regions always present)
    this.server = null;
    this.costs = null; // the latest thread-vs-process measurement
    this.switchSweep = null; // the latest switch cost against the working set
    this.focus = { pid: null, tid: null, panel: false }; // what the presenter points at
    this.lesson = null; // the lesson the class is on (LessonView), null when lesson mode is off
    this.run = null; // the latest run of user code (RunView), its console's end
    this.role = "viewer";
    this.seq = 0;
    this.ts = 0;
    this.firstSeen = new Map(); // "p:PID" / "t:PID:TID" -> performance.now() when first drawn
    this.lastNew = -Infinity; // performance.now() when anything was last seen for the first time
  }

  /** Apply one server message; returns the new events it carried. */
  apply(msg) {
    let events = [];
    const now = performance.now();
    if (msg.type === "snapshot") {
      this.server = msg.server;
      this.role = msg.role;
      const fresh = new Map();
      for (const p of msg.processes) fresh.set(p.pid, expandProcess(p));
      this.processes = fresh;
      // what a page finds on arriving did not just start: it is drawn in place, without the entry
      // animation (over a 4 × 3 lab that cost Chromium 0.6 CPU-s, more than the rest of the first 3 s)
      for (const p of fresh.values()) this.markSeen(p.pid, p.threads, -Infinity);
      this.lesson = msg.lesson || null;
      this.run = msg.run || null;
      events = msg.events;
    } else if (msg.type === "frame") {
      for (const changed of msg.changed) {
        const p = expandProcess(changed);
        const old = this.processes.get(p.pid);
        const patched = p.patch && old;
        this.processes.set(p.pid, patched ? applyPatch(old, p) : p);
        // a patch carries a new thread whole among its changed ones: only those can be new
        this.markSeen(p.pid, patched ? p.threads || [] : p.threads, now);
      }
      for (const pid of msg.removed) this.processes.delete(pid);
      events = msg.events;
    } else {
      return [];
    }
    if (msg.costs) this.costs = msg.costs;
    if (msg.switch_sweep) this.switchSweep = msg.switch_sweep;
    if (msg.focus) this.focus = msg.focus;
    if (msg.lesson) this.lesson = msg.lesson;
    if (msg.lesson_off) this.lesson = null;
    if (msg.run) this.run = msg.run;
    this.seq = msg.seq;
    this.ts = msg.ts;
    if (this.firstSeen.size > 4096) this.forgetUnseen();
    return events;
  }

  /** Note when a process and the given threads of it were first drawn (what is known already keeps its time). */
  markSeen(pid, threads, now) {
    const pk = `p:${pid}`;
    const before = this.firstSeen.size;
    if (!this.firstSeen.has(pk)) this.firstSeen.set(pk, now);
    for (const th of threads) {
      const tk = `t:${pid}:${th.tid}`;
      if (!this.firstSeen.has(tk)) this.firstSeen.set(tk, now);
    }
    if (this.firstSeen.size !== before) this.lastNew = now;
  }

  /** Milliseconds since anything was first seen: past the entry animations, no card need ask its age. */
  sinceNew() {
    return performance.now() - this.lastNew;
  }

  /** Forget first sightings of processes no longer on screen (a long lesson). */
  forgetUnseen() {
    const live = new Set(["p", "t"].flatMap((k) => [...this.processes.keys()].map((pid) => `${k}:${pid}`)));
    for (const key of this.firstSeen.keys()) {
      const [k, pid] = key.split(":");
      if (!live.has(`${k}:${pid}`)) this.firstSeen.delete(key);
    }
  }

  /** Milliseconds since an element was first drawn (for entry animations). */
  age(key) {
    const t0 = this.firstSeen.get(key);
    return t0 === undefined ? Infinity : performance.now() - t0;
  }

  /** Processes in a stable order: by start time, forked children after their parents. */
  ordered() {
    return [...this.processes.values()].sort((a, b) => a.started - b.started || a.pid - b.pid);
  }

  /** The processes on the stage: in lesson mode the presenter's own from before it are set aside. */
  staged() {
    const aside = new Set(this.lesson ? this.lesson.aside || [] : []);
    return this.ordered().filter((p) => !aside.has(p.pid));
  }
}
