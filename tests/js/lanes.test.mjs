import assert from "node:assert/strict";
import { test } from "node:test";

import { LANE_MAX_ROW, LANE_MIN_ROW, laneBars, laneRows } from "../../static/js/layout/layout.js";

const lab = (n, k) => Array.from({ length: n }, (_, i) => ({ pid: 100 + i, tids: Array.from({ length: k }, (_, j) => 1000 + 10 * i + j) }));

test("every thread gets a row while they all fit, a header per process above its threads", () => {
  const { rows, collapsed } = laneRows(lab(2, 3), 600);
  assert.equal(rows.length, 8);
  assert.deepEqual(collapsed, []);
  assert.deepEqual(rows.map((r) => r.kind), ["process", "thread", "thread", "thread", "process", "thread", "thread", "thread"]);
  assert.ok(rows.every((r) => r.h >= LANE_MIN_ROW && r.h <= LANE_MAX_ROW));
  // rows follow each other without overlapping
  rows.slice(1).forEach((r, i) => assert.equal(r.y, rows[i].y + rows[i].h));
});

test("too many rows: only the focused process keeps its threads, never below the minimum height", () => {
  const { rows, collapsed, rowH } = laneRows(lab(8, 8), 560, 103);
  assert.equal(rowH >= LANE_MIN_ROW, true);
  assert.deepEqual(rows.filter((r) => r.kind === "thread").map((r) => r.pid).filter((v, i, a) => a.indexOf(v) === i), [103]);
  assert.equal(collapsed.length, 7);
  assert.ok(rows.filter((r) => r.kind === "process" && r.pid !== 103).every((r) => r.collapsed));
});

test("without a focus the first process keeps its threads", () => {
  const { rows } = laneRows(lab(8, 8), 560, null);
  assert.deepEqual([...new Set(rows.filter((r) => r.kind === "thread").map((r) => r.pid))], [100]);
});

test("bars: one path per CPU, heights follow the load, the newest tick ends at the right edge", () => {
  const pts = [{ load: 1, cpu: 0 }, null, { load: 0.5, cpu: 1 }, { load: 0, cpu: 1 }, { load: 1, cpu: 0 }];
  const bars = laneBars(pts, 100, 40, 10);
  assert.deepEqual(bars.map((b) => b.cpu), [0, 1]);
  // CPU 0: two full-height bars; CPU 1: one half-height bar; idle and unseen ticks draw nothing
  assert.equal((bars[0].d.match(/M/g) || []).length, 2);
  assert.match(bars[1].d, /v-20\.0/);
  assert.match(bars[0].d, /^M50\.0,40v-40\.0/); // 5 of 10 ticks shown: the oldest starts half way
  assert.match(bars[0].d, /M90\.0,40v-40\.0h10\.00/); // the newest ends at x = 100
});
