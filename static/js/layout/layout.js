// Where everything goes: pure functions from numbers to boxes. No DOM, no strings shown to anyone.
// diagram.js draws what these return; tests/js/layout.test.mjs checks them with `node --test`.

export const KIND_ORDER = ["code", "data", "heap", "shared", "other"];
export const GAP = 10;
// Below this a card stops shrinking and the whole view is scaled instead, so nothing ever overlaps.
export const MIN_CARD_W = 380;
export const MIN_CARD_H = 240;

/** Pick a grid for n cards in W×H: the column count that gives the largest readable cards. */
export function layoutGrid(n, W, H) {
  if (n === 0) return { cols: 0, rows: 0, cw: 0, ch: 0, scale: 1, width: W, height: H };
  let best = null;
  for (let cols = 1; cols <= n; cols += 1) {
    const rows = Math.ceil(n / cols);
    const cw = (W - GAP * (cols + 1)) / cols;
    const ch = (H - GAP * (rows + 1)) / rows;
    // prefer cards about 1.5 : 1 and never below the minimum size
    const fit = Math.min(cw / MIN_CARD_W, ch / MIN_CARD_H);
    const shape = Math.min(cw / ch, (ch * 1.6) / cw);
    const score = Math.min(fit, 1.4) * 10 + shape;
    if (!best || score > best.score) best = { cols, rows, cw, ch, score };
  }
  let { cols, rows, cw, ch } = best;
  let width = W;
  let height = H;
  let scale = 1;
  if (cw < MIN_CARD_W || ch < MIN_CARD_H) {
    // too many to fit at a readable size: lay out at minimum size and scale the view down
    cw = Math.max(cw, MIN_CARD_W);
    ch = Math.max(ch, MIN_CARD_H);
    width = cols * cw + GAP * (cols + 1);
    height = rows * ch + GAP * (rows + 1);
    scale = Math.min(W / width, H / height);
  }
  return { cols, rows, cw, ch, scale, width, height };
}

// The smallest text on screen, px: read from the back of a room on a 1280×720 projector; on a phone in the hand.
export const MIN_TEXT = 14;
export const MIN_TEXT_PHONE = 12;
// At or below this width the page is a phone's: cards stacked in one column that scrolls.
export const PHONE_W = 600;
const PHONE_CARD_H = 330;
// Compact cards of focus + context: big enough for three lines of MIN_TEXT type.
const BASE_MINI_W = 170;
const BASE_MINI_H = 84;

/**
 * Where each of n cards goes in a W×H stage, and whether it is drawn whole or compact.
 * - "grid": every card whole, at a readable size (never scaled below it);
 * - "focus": too many for that: card `focus` whole and large, the others compact beside it;
 * - "stack": a phone: whole cards in one column, as tall as they need, the stage scrolls.
 * Returns {mode, width, height, boxes: [{x, y, w, h, mini}]}; nothing is ever scaled down.
 */
export function stageLayout(n, W, H, focus = n - 1, minText = MIN_TEXT) {
  if (W <= PHONE_W) {
    const boxes = Array.from({ length: n }, (_, i) => ({
      x: GAP, y: GAP + i * (PHONE_CARD_H + GAP), w: W - 2 * GAP, h: PHONE_CARD_H, mini: false,
    }));
    return { mode: "stack", width: W, height: Math.max(H, GAP + n * (PHONE_CARD_H + GAP)), boxes };
  }
  const g = layoutGrid(n, W, H);
  if (g.scale >= 1) {
    return { mode: "grid", width: W, height: H, boxes: fillLastRow(g, n, W) };
  }
  return focusLayout(n, W, H, Math.max(0, Math.min(n - 1, focus)), minText / MIN_TEXT);
}

/** A grid's boxes, the cards of a last row that is not full widened to share the row: no empty quarter. */
function fillLastRow(g, n, W) {
  const boxes = Array.from({ length: n }, (_, i) => ({ ...cardBox(g, i), mini: false }));
  const last = n - (g.rows - 1) * g.cols;
  if (g.rows > 1 && last < g.cols) {
    const w = (W - GAP * (last + 1)) / last;
    for (let j = 0; j < last; j += 1) Object.assign(boxes[n - last + j], { x: GAP + j * (w + GAP), w });
  }
  return boxes;
}

function focusLayout(n, W, H, focus, k) {
  const m = n - 1;
  // compact cards grow with the type (presentation mode sets it 1.25× larger)
  const [MINI_W, MINI_H] = [BASE_MINI_W * k, BASE_MINI_H * k];
  // the compact cards' column gets the room they need at their minimum size, the focus card the rest
  let best = null;
  for (let cols = 1; cols <= m; cols += 1) {
    const rows = Math.ceil(m / cols);
    const h = (H - GAP * (rows + 1)) / rows;
    if (h < MINI_H) continue;
    const w = Math.max(MINI_W, Math.min(MINI_W * 1.5, h * 2.2));
    const width = cols * w + GAP * (cols - 1);
    if (!best || width < best.width) best = { cols, rows, w, h, width };
  }
  best = best || { cols: m, rows: 1, w: MINI_W, h: MINI_H, width: m * MINI_W + GAP * (m - 1) };
  let height = H;
  if (MIN_CARD_W + best.width + 3 * GAP > W) {
    // Too narrow for the compact cards beside the focus card (a side panel is open): as many
    // columns as fit at their minimum size, and the stage scrolls down instead of being cut off.
    const cols = Math.max(1, Math.floor((W - MIN_CARD_W - 2 * GAP) / (MINI_W + GAP)));
    const rows = Math.ceil(m / cols);
    best = { cols, rows, w: MINI_W, h: MINI_H, width: cols * MINI_W + GAP * (cols - 1) };
    height = Math.max(H, GAP + rows * (MINI_H + GAP));
  }
  const focusW = Math.max(MIN_CARD_W, W - best.width - 3 * GAP);
  const x0 = GAP + focusW + GAP;
  const boxes = [];
  let j = 0;
  for (let i = 0; i < n; i += 1) {
    if (i === focus) {
      boxes.push({ x: GAP, y: GAP, w: focusW, h: H - 2 * GAP, mini: false });
      continue;
    }
    const c = j % best.cols;
    const r = Math.floor(j / best.cols);
    boxes.push({ x: x0 + c * (best.w + GAP), y: GAP + r * (best.h + GAP), w: best.w, h: best.h, mini: true });
    j += 1;
  }
  return { mode: "focus", width: W, height, boxes };
}

/** The box of the i-th card of grid `g`. */
export function cardBox(g, i) {
  const c = i % g.cols;
  const r = Math.floor(i / g.cols);
  return { x: GAP + c * (g.cw + GAP), y: GAP + r * (g.ch + GAP), w: g.cw, h: g.ch };
}

/**
 * A fork arrow and its label, kept in the free corridors between cards (their padding and the
 * gap), so the line and its label never cover a word of any card. Neighbours side by side: a short
 * arrow across the corridor between them, the label standing upright in it; one above the other:
 * across the gap, the label beside it. Cards further apart: the arrow leaves the parent's bottom
 * (or top) edge into the gap between rows, runs along it to the gap beside the child, and enters
 * the child from the side, the label upright in that last gap.
 * Returns {points: [{x, y}, …] (tail on the parent, head on the child), label: {x, y, rotate}}.
 */
export function forkArrow(parent, child, pad = 8) {
  const overlapY = [Math.max(parent.y, child.y), Math.min(parent.y + parent.h, child.y + child.h)];
  const overlapX = [Math.max(parent.x, child.x), Math.min(parent.x + parent.w, child.x + child.w)];
  const sideBySide = overlapY[1] - overlapY[0] > 80 && Math.abs((parent.x < child.x ? child.x - parent.x - parent.w : parent.x - child.x - child.w)) <= GAP + 1;
  const stacked = overlapX[1] - overlapX[0] > 80 && Math.abs((parent.y < child.y ? child.y - parent.y - parent.h : parent.y - child.y - child.h)) <= GAP + 1;
  if (sideBySide) {
    const right = parent.x < child.x;
    const mid = right ? parent.x + parent.w + GAP / 2 : child.x + child.w + GAP / 2;
    const y = (overlapY[0] + overlapY[1]) / 2;
    const a = { x: mid - (GAP / 2 + pad * 0.6) * (right ? 1 : -1), y };
    const b = { x: mid + (GAP / 2 + pad * 0.6) * (right ? 1 : -1), y };
    return { points: [a, b], label: { x: mid, y: y - 50, rotate: -90 } };
  }
  if (stacked) {
    const down = parent.y < child.y;
    const mid = down ? parent.y + parent.h + GAP / 2 : child.y + child.h + GAP / 2;
    const x = (overlapX[0] + overlapX[1]) / 2;
    const a = { x, y: mid - (GAP / 2 + pad * 0.6) * (down ? 1 : -1) };
    const b = { x, y: mid + (GAP / 2 + pad * 0.6) * (down ? 1 : -1) };
    return { points: [a, b], label: { x: x + 12, y: mid, rotate: 0 } };
  }
  const half = GAP / 2;
  const above = child.y + child.h <= parent.y;
  // along the gap below the parent's row (above it, when the child is higher up)
  const hy = above ? parent.y - half : parent.y + parent.h + half;
  // into the child from the side facing the parent (from the right when they share a column)
  const fromLeft = child.x > parent.x;
  const vx = fromLeft ? child.x - half : child.x + child.w + half;
  const sx = fromLeft || child.x === parent.x ? parent.x + parent.w - 30 : parent.x + 30;
  const cy = child.y + child.h / 2;
  const points = [
    { x: sx, y: above ? parent.y + 2 : parent.y + parent.h - 2 },
    { x: sx, y: hy },
    { x: vx, y: hy },
    { x: vx, y: cy },
    { x: fromLeft ? child.x + pad * 0.6 : child.x + child.w - pad * 0.6, y: cy },
  ];
  return { points, label: { x: vx, y: (hy + cy) / 2, rotate: -90 } };
}

/**
 * A link between the Shared bands of two cards, in the corridors: out of the first band's left
 * edge into the gap beside its card, along the gaps to the gap beside the other card, into its
 * band. `a`, `b`: the cards' boxes; `ya`, `yb`: the bands' middles; `inset`: where the band starts
 * inside its card. Returns the points of the path, first card to second.
 */
export function shmRoute(a, ya, b, yb, inset) {
  const half = GAP / 2;
  const hy = b.y >= a.y + a.h ? a.y + a.h + half : b.y + b.h <= a.y ? a.y - half : a.y + a.h + half;
  const sameColumn = Math.abs(a.x - b.x) < 1;
  return [
    { x: a.x + inset, y: ya },
    { x: a.x - half, y: ya },
    ...(sameColumn ? [] : [{ x: a.x - half, y: hy }, { x: b.x - half, y: hy }]),
    { x: b.x - half, y: yb },
    { x: b.x + inset, y: yb },
  ];
}

/** An SVG path through points. */
export function pathOf(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

/** Group a process's regions (all but stacks) into the memory column's bands, in textbook order. */
export function bands(regions) {
  const byKind = new Map(KIND_ORDER.map((k) => [k, []]));
  for (const r of regions || []) {
    if (r.kind !== "stack") byKind.get(r.kind).push(r);
  }
  return KIND_ORDER.filter((k) => k !== "shared" || byKind.get(k).length)
    .map((kind) => {
      const regs = byKind.get(kind);
      // Reserved address space (---p: malloc arena reservations) is not memory
      // the process can use; counting it would make Heap look 20x bigger.
      const bytes = regs.filter((r) => !r.perms.startsWith("---")).reduce((s, r) => s + (r.end - r.start), 0);
      return { kind, regions: regs, bytes };
    })
    .filter((b) => b.kind !== "other" || b.regions.length);
}

/** Sizes that follow from the card's size: the base font and the paddings; no text below `minText`. */
function metrics(w, h, footLines, minText) {
  const fs = Math.max(minText + 1, 15, Math.min(26, h / 12.5, w / 19));
  const small = Math.max(minText, fs * 0.8);
  const lines = Array.from({ length: footLines }, () => small * 1.3);
  const footH = lines.reduce((a, b) => a + b, 0) + (footLines ? fs * 0.15 : 0);
  return { fs, small, minText, headH: fs * 1.6, pad: fs * 0.45, lines, footH };
}

/** Many threads: a narrower memory column leaves room for more columns of thread chips. */
function columnWidth(m, w, spec) {
  return Math.min(w * (!spec.exited && spec.threads > 4 ? 0.3 : 0.4), m.fs * 9);
}

/** The memory column: bands with log-scaled heights, then one stack slice per thread (and per copied stack). */
function column(m, w, h, spec) {
  const { fs, small, headH, pad, footH, minText } = m;
  const col = { x: pad, y: headH + pad, w: columnWidth(m, w, spec), h: h - headH - footH - pad * 2 };
  const n = spec.bands.length;
  const nT = Math.max(1, spec.slices);
  // Labelled bands come first; stack slices give way (down to 6 px each) when the card is cramped.
  // (each slice tall enough for its label, when the card has the room: a slice below the smallest
  // type loses its label, as presentation mode's larger type showed)
  const wanted = Math.min(col.h * 0.55, Math.max(col.h * 0.28, nT * (Math.max(10, small * 0.95, minText * 1.12) + 3)));
  const stackH = Math.max(Math.min(wanted, col.h - n * (small + 4)), Math.min(col.h * 0.5, nT * 9));
  const restH = col.h - stackH - 4 * n;
  const weights = spec.bands.map((b) => 1 + Math.log2(1 + b.bytes / 4096));
  const minBand = Math.min(fs * 1.15, restH / Math.max(1, n));
  const flex = Math.max(0, restH - minBand * n);
  const wsum = weights.reduce((a, b) => a + b, 0) || 1;
  let y = col.y;
  const bandBoxes = spec.bands.map((b, i) => {
    const box = { kind: b.kind, x: col.x, y, w: col.w, h: minBand + (flex * weights[i]) / wsum };
    y += box.h + 4;
    return box;
  });
  // Slices share the stack area and never leave it; with many threads they get thin.
  const gap = Math.min(3, (stackH * 0.25) / nT);
  const sliceH = (stackH - gap * (nT - 1)) / nT;
  const slices = Array.from({ length: nT }, (_, i) => ({ x: col.x, y: y + i * (sliceH + gap), w: col.w, h: sliceH }));
  return { col, bands: bandBoxes, stack: { x: col.x, y, w: col.w, h: stackH }, slices };
}

/**
 * How many thread chips fit, one line of readable type each: all of them, or all but the ones a
 * last "+N threads" chip stands for. Returns {shown, hidden, cols, rows}.
 */
export function chipFit(threads, width, height, m) {
  const minH = m.minText / 0.62 + 2;
  const gap = Math.max(3, m.fs * 0.2);
  const maxCols = Math.max(1, Math.min(3, Math.floor(width / (m.minText * 9))));
  const fitRows = Math.max(1, Math.floor((height + gap) / (minH + gap)));
  for (let cols = 1; cols <= maxCols; cols += 1) {
    // two columns only once one would crowd: a single column reads more easily
    if (threads <= fitRows * cols && (cols > 1 || threads <= 5 || maxCols === 1)) {
      return { shown: threads, hidden: 0, cols, rows: Math.ceil(threads / cols) || 1 };
    }
  }
  const room = fitRows * maxCols;
  return { shown: room - 1, hidden: threads - (room - 1), cols: maxCols, rows: fitRows };
}

/** The threads panel: a bracket from Code/Data/Heap, a title, and a grid of chips (the last may stand for many). */
function panel(m, w, h, spec, mem) {
  const { fs, small, pad, footH } = m;
  const { col } = mem;
  const x = col.x + col.w + fs * 1.6;
  const width = w - pad - x;
  const byKind = Object.fromEntries(mem.bands.map((b) => [b.kind, b]));
  const titleY = col.y + small * 0.7;
  const top = titleY + small * 0.9;
  const gap = Math.max(3, fs * 0.2);
  const fit = spec.fit;
  const { cols, rows } = fit;
  const chipH = Math.min(fs * 2.6, (h - footH - pad - top - gap * (rows - 1)) / rows);
  const chipW = (width - gap * (cols - 1)) / cols;
  const count = fit.shown + (fit.hidden ? 1 : 0);
  const chips = Array.from({ length: count }, (_, i) => ({
    x: x + Math.floor(i / rows) * (chipW + gap),
    y: top + (i % rows) * (chipH + gap),
    w: chipW,
    h: chipH,
  }));
  const bracket = {
    top: byKind.code ? byKind.code.y : col.y,
    bottom: byKind.heap ? byKind.heap.y + byKind.heap.h : col.y + col.h / 2,
    x: col.x + col.w + fs * 0.5,
  };
  return { x, w: width, titleY, chips, twoLine: chipH >= fs * 2.05, swatch: Math.min(fs * 1.1, chipH * 0.6), bracket };
}

/**
 * Every box of one card of size w×h, relative to the card's top-left corner.
 * `spec` = {exited, threads: count, copied: stacks copied by fork, bands: [{kind, bytes}], footLines: count,
 * minText: px}. `fit` says how many threads get a chip of their own (the rest share a "+N" chip, and
 * their stacks one slice); `slices` lists the stack column's slices: shown threads, then "hidden"
 * (one for all the others) and "copied" (one for all stacks a fork copied).
 */
export function cardLayout(w, h, spec) {
  const m = metrics(w, h, spec.footLines, spec.minText || MIN_TEXT);
  const x = m.pad + columnWidth(m, w, spec) + m.fs * 1.6;
  const chipsH = h - m.footH - m.pad - (m.headH + m.pad + m.small * 1.6);
  const fit = spec.exited ? { shown: 0, hidden: 0, cols: 1, rows: 1 } : chipFit(spec.threads, w - m.pad - x, chipsH, m);
  const sliceKinds = [
    ...Array(fit.shown).fill("thread"),
    ...(fit.hidden ? ["hidden"] : []),
    ...(spec.copied ? ["copied"] : []),
  ];
  const full = { ...spec, fit, slices: sliceKinds.length };
  const mem = column(m, w, h, full);
  const pan = panel(m, w, h, full, mem);
  let y = h - m.footH + m.fs * 0.1;
  const foot = m.lines.map((lh) => {
    const line = { y: y + lh / 2, h: lh };
    y += lh;
    return line;
  });
  return { ...m, w, h, ...mem, panel: pan, foot, fit, sliceKinds };
}

/** A compact card (focus + context): a header line, two lines of facts, a strip of the memory kinds. */
export function miniLayout(w, h, minText = MIN_TEXT) {
  const pad = 8;
  const fs = Math.max(minText + 2, Math.min(20, h / 4.6));
  const line = Math.max(minText, fs * 0.82);
  return {
    w,
    h,
    pad,
    fs,
    line,
    title: { x: pad, y: pad + fs * 0.6 },
    facts: [pad + fs * 1.2 + line * 0.7, pad + fs * 1.2 + line * 1.9],
    strip: { x: pad, y: h - pad - 6, w: w - 2 * pad, h: 6 },
  };
}

// ---- CPU lanes ------------------------------------------------------------------------------

// A lane row: tall enough for one line of MIN_TEXT and a strip that shows a change of a tenth of a core.
export const LANE_MIN_ROW = 30;
export const LANE_MAX_ROW = 56;

/**
 * Rows of the CPU lanes view, top to bottom: for each process a header row (its total), then a row
 * per thread. When every row cannot have LANE_MIN_ROW px, only the focused process (else the first)
 * keeps its thread rows; the others show their header alone (`collapsed`). Past even that, the
 * rows keep their minimum height and the view scrolls (`height` > H).
 * procs: [{pid, tids: [...]}] in display order.
 */
export function laneRows(procs, H, focusPid = null, minRow = LANE_MIN_ROW, maxRow = LANE_MAX_ROW) {
  const threadRows = procs.reduce((n, p) => n + p.tids.length, 0);
  const all = procs.length + threadRows;
  let open = new Set(procs.map((p) => p.pid));
  if (all * minRow > H && procs.length) {
    const keep = procs.some((p) => p.pid === focusPid) ? focusPid : procs[0].pid;
    open = new Set([keep]);
  }
  const count = procs.reduce((n, p) => n + 1 + (open.has(p.pid) ? p.tids.length : 0), 0);
  const h = count ? Math.max(minRow, Math.min(maxRow, Math.floor(H / count))) : minRow;
  const rows = [];
  let y = 0;
  for (const p of procs) {
    rows.push({ key: `p${p.pid}`, kind: "process", pid: p.pid, tid: null, y, h, collapsed: !open.has(p.pid) });
    y += h;
    if (!open.has(p.pid)) continue;
    for (const tid of p.tids) {
      rows.push({ key: `t${tid}`, kind: "thread", pid: p.pid, tid, y, h, collapsed: false });
      y += h;
    }
  }
  return { rows, rowH: h, height: y, collapsed: procs.filter((p) => !open.has(p.pid)).map((p) => p.pid) };
}

/**
 * A lane's strip as one SVG path per CPU: a bar per tick, as tall as the share of a core used then.
 * points: [{load, cpu} | null] oldest first (null: a tick not seen); the newest ends at x = w.
 * Returns [{cpu, d}] — only CPUs that appear.
 */
export function laneBars(points, w, h, ticks) {
  const step = w / ticks;
  const x0 = w - points.length * step;
  const byCpu = new Map();
  points.forEach((pt, i) => {
    if (!pt || pt.load <= 0) return;
    const bh = Math.max(1, Math.min(1, pt.load) * h);
    const d = `M${(x0 + i * step).toFixed(1)},${h}v${(-bh).toFixed(1)}h${step.toFixed(2)}v${bh.toFixed(1)}z`;
    byCpu.set(pt.cpu, (byCpu.get(pt.cpu) || "") + d);
  });
  return [...byCpu].sort((a, b) => a[0] - b[0]).map(([cpu, d]) => ({ cpu, d }));
}
