// The compact region table decodes to what the server's RegionViews were (app/protocol.py encodes it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { applyPatch } from "../../static/js/state/state.js";
import { decodeRegions, expandProcess } from "../../static/js/state/wire.js";

const TABLE = {
  page: 4096,
  paths: ["", "/usr/lib/x86_64-linux-gnu/libc.so.6", [29, "m.so.6"]],
  rows: [
    [10, 1, "r--p", "data", 1],
    [0, 2, "r-xp", "code", 1],
    [5, 1, "r-xp", "code", 2],
    [100, 1, "---p", "stack", 0, 4321, 1],
    [0, 8, "rw-p", "stack", 0, 4321, 0],
  ],
};

test("gaps and sizes in pages become absolute addresses", () => {
  const r = decodeRegions(TABLE);
  assert.deepEqual(r.map((x) => [x.start, x.end]), [
    [40960, 45056],
    [45056, 53248],
    [73728, 77824],
    [487424, 491520],
    [491520, 524288],
  ]);
});

test("front-coded paths are rebuilt from the previous one", () => {
  const r = decodeRegions(TABLE);
  assert.equal(r[1].path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  assert.equal(r[2].path, "/usr/lib/x86_64-linux-gnu/libm.so.6");
});

test("stack rows carry their thread and guard; others have none", () => {
  const r = decodeRegions(TABLE);
  assert.deepEqual([r[3].tid, r[3].guard, r[4].guard], [4321, true, false]);
  assert.deepEqual([r[0].tid, r[0].guard], [null, false]);
});

test("a process with a table is expanded, one with a list is left alone", () => {
  const p = expandProcess({ pid: 1, regions: TABLE });
  assert.equal(p.regions.length, 5);
  const q = { pid: 2, regions: [] };
  assert.equal(expandProcess(q), q);
});

test("a patch changes only the threads it names and keeps the order it gives", () => {
  const old = { pid: 1, rss: 1, threads: [{ tid: 1, cpu: 0 }, { tid: 2, cpu: 0 }] };
  const out = applyPatch(old, { pid: 1, patch: true, rss: 2, threads: [{ tid: 2, cpu: 1 }], tids: [2, 1] });
  assert.deepEqual(out, { pid: 1, rss: 2, threads: [{ tid: 2, cpu: 1 }, { tid: 1, cpu: 0 }] });
});

test("a thread is first seen when it arrives, whether whole or in a patch, and keeps that moment", async () => {
  const { LabState } = await import("../../static/js/state/state.js");
  const s = new LabState();
  const proc = (pid, tids) => ({ pid, threads: tids.map((tid) => ({ tid })), regions: [] });
  s.apply({ type: "snapshot", seq: 1, ts: 0, server: {}, role: "viewer", processes: [proc(10, [10])], events: [] });
  const first = s.firstSeen.get("t:10:10");
  assert.ok(first !== undefined && s.firstSeen.has("p:10"));
  assert.equal(s.age("p:10"), Infinity, "what a page finds on arriving does not enter as new");
  assert.equal(s.sinceNew(), Infinity);
  await new Promise((r) => setTimeout(r, 5));
  const patch = { pid: 10, patch: true, threads: [{ tid: 11 }], tids: [10, 11] };
  s.apply({ type: "frame", seq: 2, ts: 0, changed: [patch, proc(20, [20, 21])], removed: [], events: [] });
  assert.equal(s.firstSeen.get("t:10:10"), first, "a thread already drawn keeps its first moment");
  assert.ok(s.firstSeen.get("t:10:11") > first, "a thread new in a patch is seen now");
  assert.ok(s.firstSeen.has("t:20:21") && s.firstSeen.has("p:20"), "a whole new process and its threads are seen");
  assert.ok(s.age("t:10:11") < s.age("t:10:10"));
  const lastNew = s.lastNew;
  assert.equal(lastNew, s.firstSeen.get("t:10:11"), "the newest first sighting is when anything was new");
  s.apply({ type: "frame", seq: 3, ts: 0, changed: [{ pid: 10, patch: true, threads: [{ tid: 11, cpu: 1 }] }], removed: [], events: [] });
  assert.equal(s.lastNew, lastNew, "a frame that brings nothing new leaves it");
  assert.ok(s.sinceNew() >= 0);
});

test("two pictures are alike for a card when only threads' loads differ, and not otherwise", async () => {
  const { drawnAlike } = await import("../../static/js/state/state.js");
  const counter = { value: 5 };
  const old = { pid: 1, counter, threads: [{ tid: 1, cpu: 0, load: 0 }, { tid: 2, cpu: 1, load: 0.5 }] };
  const loadOnly = applyPatch(old, { pid: 1, patch: true, threads: [{ tid: 1, load: 0.01 }] });
  assert.ok(loadOnly !== old && drawnAlike(old, loadOnly));
  assert.ok(!drawnAlike(old, applyPatch(old, { pid: 1, patch: true, threads: [{ tid: 1, load: 0.01, cpu: 1 }] })));
  assert.ok(!drawnAlike(old, applyPatch(old, { pid: 1, patch: true, counter: { value: 6 } })));
  assert.ok(!drawnAlike(old, applyPatch(old, { pid: 1, patch: true, threads: [], tids: [1] })), "a thread ended");
  assert.ok(!drawnAlike(old, applyPatch(old, { pid: 1, patch: true, threads: [{ tid: 2, regs: { sp: 1 } }] })));
  assert.ok(!drawnAlike(old, { ...old, exit: { code: 0 } }), "a field that was not there");
});
