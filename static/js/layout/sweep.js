// The switch sweep as a chart and a verdict: pure functions of a SwitchSweepView (app/protocol.py).
// The x axis is what the caches feel: all tasks' working sets together, on a log scale; the y axis
// µs per switch, on a log scale too (a few µs at small sets, hundreds once the caches overflow).

const KINDS = ["thread", "process"];
// A switch cheaper than this sits here, at the axis' floor: a figure this small is the noise of
// taking the overhead off (it can come out below zero), not a switch.
const FLOOR_US = 0.1;
// A figure this much above the same kind's at working set 0 means the switch now refills a cache.
const KNEE = 2;
// Processes and threads within this share of each other cost the same: the spread between
// repetitions of one kind is about this large on a quiet machine.
const SAME = 0.25;

/** The points of one ring size, smallest working set first. */
export function series(sweep, tasks) {
  return sweep.points.filter((p) => p.tasks === tasks).sort((a, b) => a.bytes - b.bytes);
}

/** Ring sizes measured, in order (2, then several). */
export function ringSizes(sweep) {
  return [...new Set(sweep.points.map((p) => p.tasks))].sort((a, b) => a - b);
}

/**
 * Geometry of the chart in a w×h box: a polyline per kind and ring size, the caches as vertical
 * marks, ticks on both axes. Working set 0 gets a place of its own left of the first size.
 */
export function sweepChart(sweep, w, h, pad = { left: 56, right: 14, top: 26, bottom: 40 }) {
  const together = (p) => p.bytes * p.tasks;
  const sized = sweep.points.filter((p) => p.bytes > 0);
  const caches = Object.entries(sweep.caches || {}).filter(([, v]) => v);
  const xs = [...sized.map(together), ...caches.map(([, v]) => v)];
  const lo = Math.log2(Math.min(...xs, 4096)) - 2; // room for the 0 column and its label
  const hi = Math.log2(Math.max(...xs, 8192));
  const x0 = pad.left;
  const x1 = w - pad.right;
  const x = (bytes) => (bytes <= 0 ? x0 : x0 + ((Math.log2(bytes) - lo) / (hi - lo)) * (x1 - x0));
  const us = sweep.points.flatMap((p) => [p.thread_us, p.process_us]).map((v) => Math.max(v, FLOOR_US));
  const ylo = Math.floor(Math.log10(Math.min(...us, 1)));
  const yhi = Math.max(ylo + 1, Math.ceil(Math.log10(Math.max(...us, 1))));
  const y0 = h - pad.bottom;
  const y1 = pad.top;
  const y = (v) => y0 - ((Math.log10(Math.max(v, FLOOR_US)) - ylo) / (yhi - ylo)) * (y0 - y1);
  const lines = ringSizes(sweep).flatMap((tasks) =>
    KINDS.map((kind) => {
      const pts = series(sweep, tasks).map((p) => ({
        x: x(together(p)),
        y: y(p[`${kind}_us`]),
        us: p[`${kind}_us`],
        spread: p[`${kind}_spread`],
        bytes: p.bytes,
      }));
      return { kind, tasks, points: pts, d: pts.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("") };
    }),
  );
  const marks = caches.map(([name, bytes]) => ({ name, bytes, x: x(bytes) }));
  const xticks = [{ bytes: 0, x: x0 }];
  // a label every 2 powers of two where they have the room (60 units: "256 KiB" at 15 px), else every 4
  const step = ((x1 - x0) / (hi - lo)) * 2 >= 60 ? 2 : 4;
  for (let e = Math.ceil(lo + 2); e <= hi; e += step) xticks.push({ bytes: 2 ** e, x: x(2 ** e) });
  const yticks = [];
  for (let e = ylo; e <= yhi; e += 1) yticks.push({ us: 10 ** e, y: y(10 ** e) });
  return { lines, marks, xticks, yticks, box: { x0, x1, y0, y1 } };
}

/** The largest cache smaller than ``bytes`` (the one a working set of that size has passed), or null. */
export function cachePassed(caches, bytes) {
  const passed = Object.entries(caches || {}).filter(([, v]) => v && v < bytes);
  passed.sort((a, b) => a[1] - b[1]);
  return passed.length ? passed[passed.length - 1][0] : null;
}

/**
 * What this machine measured, as facts for sentences, read from the ring of two tasks (the
 * textbook's switch): how a process switch compares with a thread switch at working set 0; the
 * first working set from which a switch costs twice its cost at 0 or more (the knee), for which
 * kinds, and the cache that the working sets together had passed there; the largest one's costs.
 * Null without a point at 0.
 */
export function sweepVerdict(sweep) {
  const pts = series(sweep, 2);
  const base = pts.find((p) => p.bytes === 0);
  if (!base) return null;
  const t0 = Math.max(base.thread_us, FLOOR_US);
  const p0 = Math.max(base.process_us, FLOOR_US);
  const ratio = p0 / t0;
  const small = Math.abs(p0 - t0) <= SAME * Math.max(p0, t0) ? "same" : ratio > 1 ? "heavier" : "lighter";
  // where each kind's cost reached twice its cost at 0 and stayed there for every larger working
  // set: a single noisy point (a repetition the scheduler interrupted) is not a knee
  const from = (kind, base) => {
    let i = pts.length;
    while (i > 1 && pts[i - 1][`${kind}_us`] >= KNEE * base) i -= 1;
    return i;
  };
  const ti = from("thread", t0);
  const pi = from("process", p0);
  const k = Math.min(ti, pi);
  let knee = null;
  if (k < pts.length) {
    const at = pts[k];
    const together = at.bytes * at.tasks;
    knee = {
      bytes: at.bytes,
      together,
      who: ti === pi ? "both" : ti < pi ? "thread" : "process",
      cache: cachePassed(sweep.caches, together),
      thread_us: at.thread_us,
      process_us: at.process_us,
    };
  }
  const last = pts[pts.length - 1];
  return {
    small,
    ratio,
    thread_us: base.thread_us,
    process_us: base.process_us,
    knee,
    last: { bytes: last.bytes, together: last.bytes * last.tasks, thread_us: last.thread_us, process_us: last.process_us, growth: Math.max(last.process_us, FLOOR_US) / p0 },
  };
}
