import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { cachePassed, series, sweepChart, sweepVerdict } from "../../static/js/layout/sweep.js";

// a sweep measured on this project's 2-CPU test machine (app/lab/switch_sweep.py measure, quiet)
const measured = JSON.parse(readFileSync(new URL("./sweep.sample.json", import.meta.url)));
const caches = { L1d: 32 << 10, L2: 512 << 10, L3: 32 << 20 };
const point = (bytes, tasks, t, p) => ({ bytes, tasks, thread_us: t, process_us: p, thread_spread: 0, process_spread: 0, overhead_us: 1, rounds: 10 });

test("the chart: a line per kind and ring size, in order of working set, inside its box", () => {
  const c = sweepChart(measured, 620, 330);
  assert.deepEqual(c.lines.map((l) => `${l.kind}/${l.tasks}`), ["thread/2", "process/2", "thread/8", "process/8"]);
  for (const l of c.lines) {
    assert.equal(l.points.length, series(measured, l.tasks).length);
    l.points.slice(1).forEach((p, i) => assert.ok(p.x > l.points[i].x, "x grows with the working set"));
    for (const p of l.points) {
      assert.ok(p.x >= c.box.x0 && p.x <= c.box.x1 && p.y <= c.box.y0 && p.y >= c.box.y1, JSON.stringify(p));
    }
    assert.match(l.d, /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
  }
});

test("the chart: a dearer switch is drawn higher, and the caches sit where the working sets together reach them", () => {
  const c = sweepChart({ points: [point(0, 2, 2, 2), point(1 << 20, 2, 200, 20)], caches }, 600, 300);
  const [thread, proc] = c.lines;
  assert.ok(thread.points[1].y < proc.points[1].y, "200 µs above 20 µs");
  assert.equal(thread.points[0].y, proc.points[0].y);
  const l2 = c.marks.find((m) => m.name === "L2");
  // 1 MiB each, two tasks: 2 MiB together, right of L2 (512 KiB)
  assert.ok(thread.points[1].x > l2.x);
  assert.deepEqual(c.marks.map((m) => m.name), ["L1d", "L2", "L3"]);
  assert.ok(c.marks[0].x < c.marks[1].x && c.marks[1].x < c.marks[2].x);
});

test("a figure at or below zero (the overhead taken off) sits at the floor, not off the chart", () => {
  const c = sweepChart({ points: [point(0, 2, -1, 0), point(4096, 2, 3, 3)], caches }, 600, 300);
  for (const p of c.lines[0].points) assert.ok(Number.isFinite(p.y) && p.y <= c.box.y0);
});

test("the cache a working set has passed is the largest one smaller than it", () => {
  assert.equal(cachePassed(caches, 16 << 10), null);
  assert.equal(cachePassed(caches, 64 << 10), "L1d");
  assert.equal(cachePassed(caches, 2 << 20), "L2");
  assert.equal(cachePassed(caches, 64 << 20), "L3");
  assert.equal(cachePassed({ L1d: null, L2: null, L3: null }, 1 << 30), null);
});

test("the verdict from the measured sweep: the same at 0, both dearer once past L2, far dearer at the end", () => {
  const v = sweepVerdict(measured);
  assert.equal(v.small, "same");
  assert.equal(v.knee.who, "both");
  assert.equal(v.knee.cache, "L2");
  assert.equal(v.knee.bytes, 1 << 20);
  assert.ok(v.last.growth > 20, v.last.growth);
});

test("the verdict says which kind grew first, and when a process switch is dearer even at 0", () => {
  const v = sweepVerdict({ points: [point(0, 2, 2, 5), point(64 << 10, 2, 2.5, 12)], caches });
  assert.equal(v.small, "heavier");
  assert.equal(v.ratio, 2.5);
  assert.equal(v.knee.who, "process");
  assert.equal(v.knee.cache, "L1d");
  const flat = sweepVerdict({ points: [point(0, 2, 2, 2), point(4096, 2, 2.5, 2.4)], caches });
  assert.equal(flat.knee, null);
  // one noisy point that falls back is no knee: the knee is where it stays dear
  const blip = sweepVerdict({ points: [point(0, 2, 2, 2), point(4096, 2, 9, 9), point(16384, 2, 2, 2), point(1 << 20, 2, 8, 8)], caches });
  assert.equal(blip.knee.bytes, 1 << 20);
  assert.equal(sweepVerdict({ points: [point(4096, 8, 2, 2)], caches }), null, "no point at 0: no verdict");
});
