// Layout as pure functions: run with `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bands,
  cardBox,
  cardLayout,
  forkArrow,
  shmRoute,
  layoutGrid,
  MIN_CARD_H,
  MIN_CARD_W,
  MIN_TEXT,
  miniLayout,
  stageLayout,
} from "../../static/js/layout/layout.js";

const inside = (box, outer, slack = 0.5) =>
  box.x >= -slack && box.y >= -slack && box.x + box.w <= outer.w + slack && box.y + box.h <= outer.h + slack;
const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const BANDS = [
  { kind: "code", bytes: 5e6 },
  { kind: "data", bytes: 5e6 },
  { kind: "heap", bytes: 9e6 },
  { kind: "other", bytes: 4e5 },
];

test("one card fills the view at full scale", () => {
  const g = layoutGrid(1, 1280, 560);
  assert.equal(g.cols, 1);
  assert.equal(g.scale, 1);
});

test("sixteen cards that cannot fit at a readable size are laid out at the minimum and scaled", () => {
  const g = layoutGrid(16, 1280, 560);
  assert.ok(g.cw >= MIN_CARD_W && g.ch >= MIN_CARD_H);
  assert.ok(g.scale < 1);
  assert.ok(g.width * g.scale <= 1280 + 1e-6 && g.height * g.scale <= 560 + 1e-6);
});

test("cards of a grid never overlap", () => {
  const g = layoutGrid(7, 1280, 560);
  const boxes = Array.from({ length: 7 }, (_, i) => cardBox(g, i));
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) assert.ok(!overlap(boxes[i], boxes[j]), `${i} and ${j}`);
  }
});

// A path keeps out of every card but its own two ends' padding: no segment crosses a card's inside.
function crosses(points, box, pad) {
  const inner = { x: box.x + pad, y: box.y + pad, w: box.w - 2 * pad, h: box.h - 2 * pad };
  for (let i = 1; i < points.length; i += 1) {
    const [p, q] = [points[i - 1], points[i]];
    const seg = { x: Math.min(p.x, q.x), y: Math.min(p.y, q.y), w: Math.abs(p.x - q.x) || 0.01, h: Math.abs(p.y - q.y) || 0.01 };
    if (overlap(seg, inner)) return true;
  }
  return false;
}

test("a fork arrow to a card further away runs in the gaps: it crosses no card, tail on the parent", () => {
  // a 3 x 2 grid: from the first card to the third (same row), the fifth (diagonal), the fourth (below)
  const stage = stageLayout(6, 1900, 900);
  assert.equal(stage.mode, "grid");
  const boxes = stage.boxes;
  for (const [from, to] of [[0, 2], [0, 4], [2, 3], [5, 0], [1, 5]]) {
    const f = forkArrow(boxes[from], boxes[to], 9);
    const [tail, head] = [f.points[0], f.points.at(-1)];
    const on = (pt, b) => pt.x >= b.x && pt.x <= b.x + b.w && pt.y >= b.y && pt.y <= b.y + b.h;
    assert.ok(on(tail, boxes[from]) && on(head, boxes[to]), JSON.stringify({ from, to, f }));
    boxes.forEach((b, i) => assert.ok(!crosses(f.points, b, 9), `${from}→${to} crosses card ${i}`));
    // the label stands upright in the gap beside the child
    assert.equal(f.label.rotate, -90);
    assert.ok(!boxes.some((b) => overlap({ x: f.label.x - 1, y: f.label.y - 1, w: 2, h: 2 }, { x: b.x + 9, y: b.y, w: b.w - 18, h: b.h })));
  }
});

test("a shared-memory link runs in the gaps from band to band, crossing no card", () => {
  const stage = stageLayout(6, 1900, 900);
  const boxes = stage.boxes;
  for (const [a, b] of [[0, 1], [0, 2], [0, 4], [3, 1], [0, 3]]) {
    const pts = shmRoute(boxes[a], boxes[a].y + 100, boxes[b], boxes[b].y + 120, 9);
    assert.deepEqual(pts[0], { x: boxes[a].x + 9, y: boxes[a].y + 100 });
    assert.deepEqual(pts.at(-1), { x: boxes[b].x + 9, y: boxes[b].y + 120 });
    boxes.forEach((box, i) => assert.ok(!crosses(pts, box, 9), `${a}↔${b} crosses card ${i}`));
  }
});

test("bands come in textbook order, stacks apart, reserved space not counted", () => {
  const regions = [
    { kind: "heap", start: 0, end: 8192, perms: "rw-p" },
    { kind: "heap", start: 8192, end: 1 << 20, perms: "---p" },
    { kind: "code", start: 0, end: 4096, perms: "r-xp" },
    { kind: "stack", start: 0, end: 4096, perms: "rw-p" },
  ];
  const b = bands(regions);
  assert.deepEqual(b.map((x) => x.kind), ["code", "data", "heap"]);
  assert.equal(b.find((x) => x.kind === "heap").bytes, 8192);
});

for (const [w, h, threads] of [
  [620, 300, 1],
  [620, 300, 4],
  [400, 250, 8],
  [380, 240, 32],
  [1260, 560, 32],
]) {
  test(`a ${w}×${h} card with ${threads} threads keeps every box inside it`, () => {
    const L = cardLayout(w, h, { exited: false, threads, copied: 0, bands: BANDS, footLines: 2 });
    const card = { w, h };
    for (const box of [...L.bands, ...L.slices, ...L.panel.chips]) assert.ok(inside(box, card), JSON.stringify(box));
    // one chip and one slice per thread shown, and one more of each for the threads summarised
    assert.equal(L.fit.shown + L.fit.hidden, threads);
    assert.equal(L.panel.chips.length, L.fit.shown + (L.fit.hidden ? 1 : 0));
    assert.equal(L.slices.length, L.panel.chips.length);
  });

  test(`a ${w}×${h} card with ${threads} threads: no two chips, slices or bands overlap`, () => {
    const L = cardLayout(w, h, { exited: false, threads, copied: 0, bands: BANDS, footLines: 2 });
    const boxes = [...L.bands, ...L.slices, ...L.panel.chips];
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) assert.ok(!overlap(boxes[i], boxes[j]), `${i} and ${j}`);
    }
  });
}

test("a forked child's copied stacks share one slice below its threads' ones", () => {
  const L = cardLayout(620, 300, { exited: false, threads: 1, copied: 3, bands: BANDS, footLines: 1 });
  assert.deepEqual(L.sliceKinds, ["thread", "copied"]);
  assert.ok(L.slices[1].y > L.slices[0].y);
});

test("chips that would need type below the minimum are summarised in a last chip", () => {
  const L = cardLayout(380, 240, { exited: false, threads: 32, copied: 0, bands: BANDS, footLines: 1 });
  assert.ok(L.fit.hidden > 0 && L.fit.shown >= 1);
  for (const chip of L.panel.chips) assert.ok(chip.h >= MIN_TEXT / 0.62, JSON.stringify(chip));
});

test("a roomy card draws every thread", () => {
  const L = cardLayout(1260, 560, { exited: false, threads: 8, copied: 0, bands: BANDS, footLines: 1 });
  assert.deepEqual([L.fit.shown, L.fit.hidden], [8, 0]);
});

test("no type in a card is set below the minimum", () => {
  const L = cardLayout(380, 240, { exited: false, threads: 4, copied: 0, bands: BANDS, footLines: 2 });
  assert.ok(L.small >= MIN_TEXT && L.fs > MIN_TEXT);
  const phone = cardLayout(370, 330, { exited: false, threads: 4, copied: 0, bands: BANDS, footLines: 2, minText: 12 });
  assert.ok(phone.small >= 12);
});

const overlapping = (boxes) => boxes.some((a, i) => boxes.some((b, j) => j > i && overlap(a, b)));
const within = (boxes, W, H) => boxes.every((b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= W + 1e-6 && b.y + b.h <= H + 1e-6);

test("a lab that fits at a readable size is a plain grid", () => {
  const st = stageLayout(6, 1280, 570);
  assert.equal(st.mode, "grid");
  assert.ok(st.boxes.every((b) => !b.mini));
});

test("the caps on a projector: one process in focus, the rest compact beside it, nothing scaled", () => {
  const st = stageLayout(16, 1280, 570, 3);
  assert.equal(st.mode, "focus");
  assert.equal(st.boxes.filter((b) => !b.mini).length, 1);
  assert.ok(!st.boxes[3].mini && st.boxes[3].w >= MIN_CARD_W);
  assert.ok(!overlapping(st.boxes) && within(st.boxes, 1280, 570));
  const mini = st.boxes.find((b) => b.mini);
  const L = miniLayout(mini.w, mini.h);
  assert.ok(L.line >= MIN_TEXT && L.facts[1] + L.line / 2 <= L.strip.y);
});

test("a phone stacks whole cards in one scrolling column, never wider than the screen", () => {
  const st = stageLayout(16, 390, 700);
  assert.equal(st.mode, "stack");
  assert.ok(st.height > 700 && st.boxes.every((b) => !b.mini && b.x + b.w <= 390));
  assert.ok(!overlapping(st.boxes));
});

test("bigger regions get taller bands, but every band keeps room for its label", () => {
  const L = cardLayout(620, 400, {
    exited: false,
    threads: 1,
    copied: 0,
    bands: [{ kind: "code", bytes: 4096 }, { kind: "heap", bytes: 1 << 30 }],
    footLines: 1,
  });
  const [code, heap] = L.bands;
  assert.ok(heap.h > code.h);
  assert.ok(code.h >= L.small);
});

test("the font grows with the card and stays within 15..26", () => {
  const small = cardLayout(380, 240, { exited: false, threads: 1, copied: 0, bands: BANDS, footLines: 1 });
  const big = cardLayout(1260, 560, { exited: false, threads: 1, copied: 0, bands: BANDS, footLines: 1 });
  assert.ok(small.fs >= 15 && big.fs <= 26 && big.fs > small.fs);
});

test("a fork arrow between neighbours stays in the corridor between them, its tail on the parent", () => {
  const parent = { x: 10, y: 10, w: 400, h: 300 };
  const child = { x: 420, y: 10, w: 400, h: 300 };
  const f = forkArrow(parent, child, 9);
  const [a, b] = [f.points[0], f.points.at(-1)];
  assert.ok(a.x > parent.x + parent.w - 9 && a.x <= parent.x + parent.w, "tail in the parent's padding");
  assert.ok(b.x >= child.x && b.x < child.x + 9, "head in the child's padding");
  assert.equal(f.label.rotate, -90);
  assert.ok(f.label.x > parent.x + parent.w && f.label.x < child.x, "the label stands in the gap");
});

test("a fork arrow to the card below (a phone's column) crosses the gap downwards", () => {
  const f = forkArrow({ x: 10, y: 10, w: 370, h: 330 }, { x: 10, y: 350, w: 370, h: 330 }, 9);
  const [a, b] = [f.points[0], f.points.at(-1)];
  assert.ok(a.y < 350 && b.y > 340 && a.x === b.x);
});

test("beside a side panel (768 px) the compact cards fit the width and the stage scrolls down instead", () => {
  for (const n of [4, 8, 16]) {
    const stage = stageLayout(n, 768, 560, 0);
    assert.equal(stage.width, 768);
    for (const b of stage.boxes) assert.ok(b.x >= 0 && b.x + b.w <= 768 + 0.5, JSON.stringify({ n, b }));
    const bottom = Math.max(...stage.boxes.map((b) => b.y + b.h));
    assert.ok(bottom <= stage.height + 0.5);
  }
});

test("a last row that is not full is shared by its cards: the stage has no empty corner", () => {
  const stage = stageLayout(3, 1280, 560);
  assert.equal(stage.mode, "grid");
  const last = stage.boxes.filter((b) => b.y === Math.max(...stage.boxes.map((x) => x.y)));
  const right = Math.max(...last.map((b) => b.x + b.w));
  assert.ok(right >= 1280 - 10 - 0.5, JSON.stringify(stage.boxes));
  for (let i = 0; i < 3; i += 1) for (let j = i + 1; j < 3; j += 1) assert.ok(!overlap(stage.boxes[i], stage.boxes[j]));
});
