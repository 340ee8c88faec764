// Draws the lab as SVG: one card per process, a memory column in textbook order,
// threads with their own stacks. Only drawing: data comes from state.js.

import { detailText } from "./captions.js";
import { t } from "./i18n.js";

const KIND_ORDER = ["code", "data", "heap", "shared", "other"];
const ENTER_MS = 700;
const EXIT_FADE_MS = 8000;
const GAP = 10;
// Below this a card stops shrinking and the whole view is scaled instead,
// so nothing ever overlaps.
const MIN_CARD_W = 380;
const MIN_CARD_H = 240;

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function hex(n) {
  return "0x" + Number(n).toString(16);
}

export function size(bytes) {
  const u = ["B", "KiB", "MiB", "GiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${u[i]}`;
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

function regionTip(r) {
  return t("tip.region", {
    kind: t(`kind.${r.kind}`),
    start: hex(r.start),
    end: hex(r.end),
    size: size(r.end - r.start),
    perms: r.perms,
    path: r.path || "",
  });
}

/** Group a process's regions into the memory column's bands. */
export function bands(p) {
  const byKind = new Map(KIND_ORDER.map((k) => [k, []]));
  for (const r of p.regions || []) {
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

function animStyle(age) {
  // Re-created every frame; a negative delay resumes the entry animation where it was.
  return age < ENTER_MS ? ` class-enter="1" style="animation-delay:-${Math.round(age)}ms"` : "";
}

function bandMarkup(b, x, y, w, h, fs, name = t(`kind.${b.kind}`)) {
  const tip = t("tip.band", { kind: t(`kind.${b.kind}`), count: b.regions.length, size: size(b.bytes) });
  const first = b.regions[0];
  const detail = first ? `${tip}\n${b.regions.slice(0, 6).map(regionTip).join("\n")}` : tip;
  const label = h >= fs * 0.9;
  const showSize = w >= fitWidth(name, fs) + fitWidth(size(b.bytes), fs * 0.75) + 24;
  return `<g class="band kind-${b.kind}" data-kind="${b.kind}" data-bytes="${b.bytes}" data-count="${b.regions.length}" data-start="${first ? first.start : ""}" data-tip="${esc(detail)}">
    <rect x="${x}" y="${y}" width="${w}" height="${h}" class="fill-${b.kind}"/>
    <rect x="${x}" y="${y}" width="${w}" height="${h}" class="pat-${b.kind}"/>
    ${label ? `<text x="${x + 8}" y="${y + h / 2}" class="band-label" dominant-baseline="central" font-size="${fs}">${esc(name)}</text>
    ${showSize ? `<text x="${x + w - 6}" y="${y + h / 2}" class="band-size" text-anchor="end" dominant-baseline="central" font-size="${fs * 0.75}">${size(b.bytes)}</text>` : ""}` : ""}
  </g>`;
}

function textUnits(text) {
  // Hangul glyphs are about twice as wide as Latin ones at the same size.
  return [...String(text)].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x1100 ? 1 : 0.58), 0);
}

/** Estimated width of `text` at font size `fs`. */
function fitWidth(text, fs) {
  return textUnits(text) * fs;
}

/** A font size at most `max` at which `text` fits in `width` (an estimate: no layout pass). */
function fitFont(text, width, max) {
  return Math.max(9, Math.min(max, width / Math.max(1, textUnits(text))));
}

/** One-line thread chip for crowded cards: TID and activity, sized to fit; state and CPU go in the dot. */
function compactChip(th, x, y, width, max) {
  const rest = th.main ? t("thread.main") : t(`activity.${th.activity}`);
  const f = fitFont(`${th.tid} ${rest}`, width, max);
  return `<text x="${x}" y="${y}" class="thread-tid" dominant-baseline="central" font-size="${f}">${esc(th.tid)}<tspan class="thread-info" dx="${f * 0.4}">${esc(rest)}</tspan></text>`;
}

/** The second line of a thread chip; in a narrow chip the state is shown as its letter (R, S…). */
function infoLine(th, info, doing, x, y, width, max) {
  let text = info;
  let f = fitFont(text, width, max);
  if (f < max * 0.75) {
    text = `${th.state} · ${t("thread.cpu", { cpu: th.cpu })}${doing}`;
    f = fitFont(text, width, max);
  }
  return `<text x="${x}" y="${y}" class="thread-info" dominant-baseline="central" font-size="${f}">${esc(text)}</text>`;
}

/** A dot, filled when the thread is running, holding the number of the CPU it last ran on. */
function cpuDot(th, cx, cy, r) {
  const run = th.state === "R";
  return `<circle cx="${cx}" cy="${cy}" r="${r}" class="dot-${run ? "run" : "wait"}"/>
    <text x="${cx}" y="${cy + 0.5}" class="dot-cpu${run ? " run" : ""}" text-anchor="middle" dominant-baseline="central" font-size="${r * 1.35}">${esc(th.cpu)}</text>`;
}

/** The card's footer: the counter (address, value, physical page) and any shared-memory counters. */
function counterLines(p, ctx) {
  const c = p.counter;
  if (!c || p.status !== "running") return [];
  const last = c.last_tid ? ` · ${t("counter.last", { tid: c.last_tid })}` : "";
  const text = t("card.counter", { addr: hex(c.address), value: c.value }) + last;
  let page = "";
  if (c.frame !== null && c.frame !== undefined) {
    page = t("counter.frame", { frame: hex(c.frame) });
    // a forked relative with the same counter address: is the physical page still shared?
    const kin = [ctx.state.processes.get(p.parent), ...[...ctx.state.processes.values()].filter((q) => q.parent === p.pid)].find(
      (q) => q && q.status === "running" && q.counter && q.counter.address === c.address && q.counter.frame,
    );
    if (kin) page += ` · ${t(kin.counter.frame === c.frame ? "counter.cow_same" : "counter.cow_copied", { pid: kin.pid })}`;
  } else if (ctx.state.server && !ctx.state.server.pagemap) {
    page = t("counter.no_frames");
  }
  const lines = [{ text, cls: "own", attrs: ` data-address="${c.address}" data-value="${c.value}" data-frame="${c.frame ?? ""}"` }];
  // the physical page only matters once there is a fork to compare with
  if (page && (p.parent || [...ctx.state.processes.values()].some((q) => q.parent === p.pid))) {
    lines.push({ text: page, cls: "page", attrs: "" });
  }
  for (const s of c.shm || []) {
    lines.push({
      text: t("counter.shm", { addr: hex(s.address), value: s.value }),
      cls: "shm",
      attrs: ` data-path="${esc(s.path)}" data-value="${s.value}"`,
    });
  }
  return lines;
}

function stateWord(s) {
  const key = `state.${s}`;
  const w = t(key);
  return w.startsWith("⟦") ? s : w;
}

/** One process card. Returns {markup, anchors} where anchors locate points for links. */
function cardMarkup(p, box, ctx) {
  const { x, y, w, h } = box;
  const fs = Math.max(15, Math.min(26, h / 12.5, w / 19)); // base font for this card
  const small = fs * 0.8;
  const exited = p.status === "exited";
  const age = ctx.state.age(`p:${p.pid}`);
  const selected = ctx.selection.pid === p.pid;
  const headH = fs * 1.6;
  const foot = counterLines(p, ctx);
  // the first footer line at the card's small size, the others smaller still
  const lineH = (i) => (i === 0 ? fs * 1.2 : fs * 0.95);
  const footH = foot.reduce((sum, _, i) => sum + lineH(i), 0) + (foot.length ? fs * 0.15 : 0);
  const pad = fs * 0.45;
  const colX = x + pad;
  const many = !exited && p.threads.length > 4;
  // many threads: a narrower memory column leaves room for two columns of thread chips
  const colW = Math.min(w * (many ? 0.3 : 0.4), fs * 9);
  const colY = y + headH + pad;
  const colH = h - headH - footH - pad * 2;
  const threads = exited ? [] : [...p.threads].sort((a, b) => (b.main ? 1 : 0) - (a.main ? 1 : 0) || a.tid - b.tid);

  // Stack band gets room for one slice per thread; the rest is shared by log-scaled bands.
  // stacks a fork copied from the parent's other threads: mapped here, no thread runs on them
  const copied = exited ? [] : (p.regions || []).filter((r) => r.kind === "stack" && r.tid === 0 && !r.guard);
  const nT = Math.max(1, threads.length + copied.length);
  const sliceMin = Math.max(10, small * 0.95);
  const bs = bands(p);
  // Labelled bands come first; stack slices give way (down to 6 px each) when the card is cramped.
  const labelled = bs.length * (small + 4);
  const wanted = Math.min(colH * 0.55, Math.max(colH * 0.28, nT * (sliceMin + 3)));
  const stackH = Math.max(Math.min(wanted, colH - labelled), Math.min(colH * 0.5, nT * 9));
  const restH = colH - stackH - 4 * bs.length;
  const weights = bs.map((b) => 1 + Math.log2(1 + b.bytes / 4096));
  const minBand = Math.min(fs * 1.15, restH / Math.max(1, bs.length));
  const flex = Math.max(0, restH - minBand * bs.length);
  const wsum = weights.reduce((a, b) => a + b, 0) || 1;
  let cy = colY;
  const parts = [];
  const bandPos = {};
  bs.forEach((b, i) => {
    const bh = minBand + (flex * weights[i]) / wsum;
    const partners = b.kind === "shared" && ctx.partners ? ctx.partners.get(p.pid) : null;
    const name = partners ? `${t("kind.shared")} ↔ ${[...new Set(partners)].join(", ")}` : t(`kind.${b.kind}`);
    parts.push(bandMarkup(b, colX, cy, colW, bh, small, name));
    bandPos[b.kind] = { y: cy, h: bh };
    cy += bh + 4;
  });

  // Stack band: one separate slice per thread (its own stack), guard page below each.
  const stackY = cy;
  const sliceGap = 3;
  const sliceH = Math.max(6, (stackH - sliceGap * (nT - 1)) / nT);
  const slicePos = new Map();
  threads.forEach((th, i) => {
    const sy = stackY + i * (sliceH + sliceGap);
    slicePos.set(th.tid, sy + sliceH / 2);
    const st = th.stack;
    const tip = st
      ? t("tip.stack", { tid: th.tid, start: hex(st.start), end: hex(st.end), size: size(st.end - st.start) })
      : t("kind.stack");
    const tage = ctx.state.age(`t:${p.pid}:${th.tid}`);
    parts.push(`<g class="band kind-stack stack-slice${th.main ? " main" : ""}" data-kind="stack" data-tid="${th.tid}" data-start="${st ? st.start : ""}" data-end="${st ? st.end : ""}" data-tip="${esc(tip)}"${animStyle(tage)}>
      <rect x="${colX}" y="${sy}" width="${colW}" height="${sliceH}" class="fill-stack"/>
      <rect x="${colX}" y="${sy}" width="${colW}" height="${sliceH}" class="pat-stack"/>
      ${st && st.guard ? `<rect x="${colX}" y="${sy + sliceH - 2}" width="${colW}" height="2" class="guard"/>` : ""}
      ${sliceH >= small * 0.85 ? `<text x="${colX + 8}" y="${sy + sliceH / 2}" class="band-label" dominant-baseline="central" font-size="${Math.min(small, sliceH * 0.9)}">${esc(t("kind.stack"))} ${th.tid}</text>` : ""}
    </g>`);
  });
  copied.forEach((r, j) => {
    const sy = stackY + (threads.length + j) * (sliceH + sliceGap);
    const tip = t("tip.copied", { start: hex(r.start), end: hex(r.end), size: size(r.end - r.start) });
    parts.push(`<g class="band kind-stack stack-slice copied" data-kind="stack" data-tid="0" data-start="${r.start}" data-end="${r.end}" data-tip="${esc(tip)}">
      <rect x="${colX}" y="${sy}" width="${colW}" height="${sliceH}" class="fill-stack"/>
      <rect x="${colX}" y="${sy}" width="${colW}" height="${sliceH}" class="pat-stack"/>
      ${sliceH >= small * 0.85 ? `<text x="${colX + 8}" y="${sy + sliceH / 2}" class="band-label" dominant-baseline="central" font-size="${fitFont(t("kind.copied"), colW - 10, Math.min(small, sliceH * 0.9))}">${esc(t("kind.copied"))}</text>` : ""}
    </g>`);
  });
  if (!threads.length) {
    // an exited process: its stacks are gone; keep the place so the card does not jump
    parts.push(`<g class="band kind-stack" data-kind="stack"><rect x="${colX}" y="${stackY}" width="${colW}" height="${stackH}" class="fill-stack"/><rect x="${colX}" y="${stackY}" width="${colW}" height="${stackH}" class="pat-stack"/></g>`);
  }

  // Threads panel, with a bracket showing all of them share Code, Data and Heap.
  const panX = colX + colW + fs * 1.6;
  const panW = x + w - pad - panX;
  const shareTop = bandPos.code ? bandPos.code.y : colY;
  const heapEnd = bandPos.heap ? bandPos.heap.y + bandPos.heap.h : colY + colH / 2;
  const bx = colX + colW + fs * 0.5;
  const panTitleY = colY + small * 0.7;
  if (!exited) {
    parts.push(`<path class="share-bracket" d="M${colX + colW + 2},${shareTop} H${bx} V${heapEnd} H${colX + colW + 2} M${bx},${(shareTop + heapEnd) / 2} H${panX - 4} V${panTitleY}"/>`);
    const shareText = threads.length > 1 ? t("card.threads", { n: threads.length }) : t("card.thread1");
    parts.push(`<text x="${panX}" y="${panTitleY}" class="share-label" dominant-baseline="central" font-size="${fitFont(shareText, panW, small)}">${esc(shareText)}</text>`);
  }
  const chipsTop = panTitleY + small * 0.9;
  const chipsH = y + h - footH - pad - chipsTop;
  const cols = threads.length > 5 && panW > fs * 9 ? 2 : 1;
  const rows = Math.ceil(threads.length / cols) || 1;
  const chipGap = Math.max(3, fs * 0.2);
  const chipH = Math.min(fs * 2.6, (chipsH - chipGap * (rows - 1)) / rows);
  const chipW = (panW - chipGap * (cols - 1)) / cols;
  const twoLine = chipH >= fs * 2.05;
  const links = []; // drawn before every chip, so no line crosses over a chip
  const chips = [];
  threads.forEach((th, i) => {
    const c = Math.floor(i / rows);
    const r = i % rows;
    const tx = panX + c * (chipW + chipGap);
    const ty = chipsTop + r * (chipH + chipGap);
    const tsel = ctx.selection.pid === p.pid && ctx.selection.tid === th.tid;
    const touched = p.counter && p.counter.last_tid === th.tid;
    const tage = ctx.state.age(`t:${p.pid}:${th.tid}`);
    const sw = Math.min(fs * 1.1, chipH * 0.6);
    const label = `${t("thread.tid", { tid: th.tid })}${th.main ? ` · ${t("thread.main")}` : ""}`;
    const doing = th.main ? "" : ` · ${t(`activity.${th.activity}`)}`;
    const info = `${stateWord(th.state)} · ${t("thread.cpu", { cpu: th.cpu })}${doing}`;
    const sy = slicePos.get(th.tid);
    const fsT = twoLine ? fitFont(label, chipW - sw - 30, fs * 0.92) : small;
    const shared = p.counter ? `\n${t("card.counter", { addr: hex(p.counter.address), value: p.counter.value })}` : "";
    const times = t("tip.times", { u: th.utime.toFixed(2), s: th.stime.toFixed(2) });
    const switches = t("tip.switches", { v: th.vcsw, i: th.ivcsw });
    const tipText = `${label}\n${info}\n${times}\n${switches}${shared}`;
    links.push(`<path class="stack-link" d="M${colX + colW},${sy} C${bx + fs},${sy} ${tx - fs},${ty + chipH / 2} ${tx},${ty + chipH / 2}"/>`);
    chips.push(`<g class="thread state-${esc(th.state)}${th.main ? " main" : ""}${tsel ? " selected" : ""}${touched ? " touched" : ""}" data-pid="${p.pid}" data-tid="${th.tid}" data-state="${esc(th.state)}" data-cpu="${th.cpu}" data-activity="${esc(th.activity)}" data-tip="${esc(tipText)}"${animStyle(tage)}>
      <rect x="${tx}" y="${ty}" width="${chipW}" height="${chipH}" rx="6" class="chip"/>
      <rect x="${tx + 5}" y="${ty + (chipH - sw) / 2}" width="${sw * 0.8}" height="${sw}" class="fill-stack"/>
      <rect x="${tx + 5}" y="${ty + (chipH - sw) / 2}" width="${sw * 0.8}" height="${sw}" class="pat-stack"/>
      ${
        twoLine
          ? `<text x="${tx + sw + 10}" y="${ty + chipH * 0.33}" class="thread-tid" dominant-baseline="central" font-size="${fsT}">${esc(label)}</text>
             ${infoLine(th, info, doing, tx + sw + 10, ty + chipH * 0.72, chipW - sw - 34, fsT * 0.8)}`
          : compactChip(th, tx + sw + 10, ty + chipH / 2, chipW - sw - 16 - chipH * 0.8, Math.min(fsT, chipH * 0.62))
      }
      ${twoLine ? `<circle cx="${tx + chipW - 12}" cy="${ty + chipH / 2}" r="${Math.min(7, chipH / 4)}" class="dot-${th.state === "R" ? "run" : "wait"}"/>` : cpuDot(th, tx + chipW - chipH * 0.45, ty + chipH / 2, chipH * 0.36)}
    </g>`);
  });
  parts.push(...links, ...chips);

  // Header and footer
  const headParts = [
    `<text x="${x + pad}" y="${y + headH / 2 + 1}" class="card-title" dominant-baseline="central" font-size="${fs * 1.05}">${esc(t("card.pid", { pid: p.pid }))}</text>`,
  ];
  const sub = exited
    ? t("card.exited", { reason: p.exit ? detailText(p.exit.reason) : "?" })
    : `${p.parent ? t("card.forked", { pid: p.parent }) : t("card.ppid", { ppid: p.ppid })} · ${t("card.rss", { size: size(p.rss) })}`;
  headParts.push(`<text x="${x + w - pad}" y="${y + headH / 2 + 1}" class="card-sub" text-anchor="end" dominant-baseline="central" font-size="${small}">${esc(sub)}</text>`);
  let ly = y + h - footH + fs * 0.1;
  foot.forEach((line, i) => {
    const size = fitFont(line.text, w - 2 * pad, i === 0 ? small : small * 0.82);
    parts.push(`<text x="${x + pad}" y="${ly + lineH(i) / 2}" class="counter ${line.cls}" dominant-baseline="central" font-size="${size}"${line.attrs}>${esc(line.text)}</text>`);
    ly += lineH(i);
  });

  let opacity = 1;
  if (exited) opacity = Math.max(0.25, 1 - ctx.exitAge(p.pid) / EXIT_FADE_MS);
  const markup = `<g class="card${selected ? " selected" : ""}${exited ? " exited" : ""}" data-pid="${p.pid}" data-status="${p.status}" opacity="${opacity.toFixed(2)}"${animStyle(age)}>
    <rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10" class="card-bg"/>
    <rect x="${x}" y="${y}" width="${w}" height="${headH}" rx="10" class="card-head"/>
    ${headParts.join("")}
    ${parts.join("\n")}
  </g>`;
  return { markup, head: { x: x + w / 2, y: y + headH / 2 }, box, mapped: bandPos.shared || bandPos.other, colX, colW };
}

/**
 * Draw everything into `svg`. `ctx` = {state, selection: {pid, tid}, exitAge(pid), emptyText}.
 */
export function render(svg, ctx) {
  const W = svg.clientWidth || svg.parentElement.clientWidth;
  const H = svg.clientHeight || svg.parentElement.clientHeight;
  const procs = ctx.state.ordered();
  const g = layoutGrid(procs.length, W, H);
  svg.setAttribute("viewBox", `0 0 ${g.scale < 1 ? g.width : W} ${g.scale < 1 ? g.height : H}`);
  svg.dataset.scale = g.scale.toFixed(3);
  if (!procs.length) {
    svg.innerHTML = `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty" font-size="28">${esc(ctx.emptyText)}</text>`;
    return;
  }
  // shared memory present in two processes: label and link their Shared bands
  const byPath = new Map();
  for (const p of procs) {
    for (const r of p.regions || []) {
      if (r.kind === "shared" && r.path && p.status === "running") {
        if (!byPath.has(r.path)) byPath.set(r.path, new Set());
        byPath.get(r.path).add(p.pid);
      }
    }
  }
  ctx.partners = new Map();
  for (const pids of byPath.values()) {
    for (const pid of pids) {
      const others = [...pids].filter((q) => q !== pid);
      if (others.length) ctx.partners.set(pid, [...(ctx.partners.get(pid) || []), ...others]);
    }
  }
  const cards = new Map();
  procs.forEach((p, i) => {
    const c = i % g.cols;
    const r = Math.floor(i / g.cols);
    const box = { x: GAP + c * (g.cw + GAP), y: GAP + r * (g.ch + GAP), w: g.cw, h: g.ch };
    cards.set(p.pid, cardMarkup(p, box, ctx));
  });
  const links = [];
  // fork links: an arrow across the gap from parent card to child card, labelled fork()
  for (const p of procs) {
    if (p.parent && cards.has(p.parent)) {
      const [a, b] = edgePoints(cards.get(p.parent).box, cards.get(p.pid).box);
      links.push(`<g class="fork" data-parent="${p.parent}" data-child="${p.pid}"><path class="fork-link" d="M${a.x},${a.y} L${b.x},${b.y}" marker-end="url(#arrow)"/>
        <text x="${(a.x + b.x) / 2 + 10}" y="${(a.y + b.y) / 2}" class="fork-label" dominant-baseline="central" font-size="18">fork()</text></g>`);
    }
  }
  for (const [path, pids] of byPath) {
    const list = [...pids];
    for (let i = 1; i < list.length; i += 1) {
      const a = cards.get(list[0]);
      const b = cards.get(list[i]);
      if (!a.mapped || !b.mapped) continue;
      const ay = a.mapped.y + a.mapped.h / 2;
      const by = b.mapped.y + b.mapped.h / 2;
      links.push(`<path class="shm-link" data-path="${esc(path)}" d="M${a.colX + a.colW},${ay} C${a.colX + a.colW + 80},${ay} ${b.colX - 80},${by} ${b.colX},${by}"><title>${esc(path)}</title></path>`);
    }
  }
  svg.innerHTML = `${[...cards.values()].map((c) => c.markup).join("\n")}
    <g class="links-front">${links.join("")}</g>`;
  // entry animation marker (an attribute, so the markup above stays a plain string)
  svg.querySelectorAll("[class-enter]").forEach((el) => el.classList.add("enter"));
}

