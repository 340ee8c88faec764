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

/** The box of the i-th card of grid `g`. */
export function cardBox(g, i) {
  const c = i % g.cols;
  const r = Math.floor(i / g.cols);
  return { x: GAP + c * (g.cw + GAP), y: GAP + r * (g.ch + GAP), w: g.cw, h: g.ch };
}

/** Points on the facing edges of two boxes, for an arrow that stays in the gap between them. */
export function edgePoints(a, b) {
  const ac = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
  const bc = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
  const dx = bc.x - ac.x;
  const dy = bc.y - ac.y;
  if (Math.abs(dx) * a.h > Math.abs(dy) * a.w) {
    // side by side: from the parent's side edge to the child's
    const y = Math.max(a.y, b.y) + Math.min(a.h, b.h) * 0.08;
    return dx > 0
      ? [{ x: a.x + a.w - 30, y }, { x: b.x + 30, y }]
      : [{ x: a.x + 30, y }, { x: b.x + b.w - 30, y }];
  }
  const x = Math.min(a.x, b.x) + Math.min(a.w, b.w) * 0.5;
  return dy > 0
    ? [{ x, y: a.y + a.h - 18 }, { x, y: b.y + 18 }]
    : [{ x, y: a.y + 18 }, { x, y: b.y + b.h - 18 }];
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

/** Sizes that follow from the card's size: the base font and the paddings. */
function metrics(w, h, footLines) {
  const fs = Math.max(15, Math.min(26, h / 12.5, w / 19));
  const lines = Array.from({ length: footLines }, (_, i) => (i === 0 ? fs * 1.2 : fs * 0.95));
  const footH = lines.reduce((a, b) => a + b, 0) + (footLines ? fs * 0.15 : 0);
  return { fs, small: fs * 0.8, headH: fs * 1.6, pad: fs * 0.45, lines, footH };
}

/** The memory column: bands with log-scaled heights, then one stack slice per thread (and per copied stack). */
function column(m, w, h, spec) {
  const { fs, small, headH, pad, footH } = m;
  const many = !spec.exited && spec.threads > 4;
  // many threads: a narrower memory column leaves room for two columns of thread chips
  const col = { x: pad, y: headH + pad, w: Math.min(w * (many ? 0.3 : 0.4), fs * 9), h: h - headH - footH - pad * 2 };
  const n = spec.bands.length;
  const nT = Math.max(1, spec.threads + spec.copied);
  // Labelled bands come first; stack slices give way (down to 6 px each) when the card is cramped.
  const wanted = Math.min(col.h * 0.55, Math.max(col.h * 0.28, nT * (Math.max(10, small * 0.95) + 3)));
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

/** The threads panel: a bracket from Code/Data/Heap, a title, and a grid of chips. */
function panel(m, w, h, spec, mem) {
  const { fs, small, pad, footH } = m;
  const { col } = mem;
  const x = col.x + col.w + fs * 1.6;
  const width = w - pad - x;
  const byKind = Object.fromEntries(mem.bands.map((b) => [b.kind, b]));
  const titleY = col.y + small * 0.7;
  const top = titleY + small * 0.9;
  const cols = spec.threads > 5 && width > fs * 9 ? 2 : 1;
  const rows = Math.ceil(spec.threads / cols) || 1;
  const gap = Math.max(3, fs * 0.2);
  const chipH = Math.min(fs * 2.6, (h - footH - pad - top - gap * (rows - 1)) / rows);
  const chipW = (width - gap * (cols - 1)) / cols;
  const chips = Array.from({ length: spec.threads }, (_, i) => ({
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
 * `spec` = {exited, threads: count, copied: stacks copied by fork, bands: [{kind, bytes}], footLines: count}.
 */
export function cardLayout(w, h, spec) {
  const m = metrics(w, h, spec.footLines);
  const mem = column(m, w, h, spec);
  const pan = panel(m, w, h, spec, mem);
  let y = h - m.footH + m.fs * 0.1;
  const foot = m.lines.map((lh) => {
    const line = { y: y + lh / 2, h: lh };
    y += lh;
    return line;
  });
  return { ...m, w, h, ...mem, panel: pan, foot };
}
