// Draws the lab as SVG: one card per process, a memory column in textbook order, threads with their
// own stacks. Only drawing: geometry comes from layout.js, data from state.js. Elements are keyed
// (pid, tid, kind) and updated in place by lit-html, so cards keep their identity and can move smoothly.

import { detailText } from "./captions.js";
import { guard, nothing, render as paint, repeat, svg } from "./dom.js";
import { fitFont, fitWidth, hex, size } from "./format.js";
import { getLang, t } from "./i18n.js";
import { bands, cardBox, cardLayout, edgePoints, layoutGrid } from "./layout.js";

const ENTER_MS = 700;
const EXIT_FADE_MS = 8000;

const enter = (age) => (age < ENTER_MS ? "enter" : "");

function regionTip(r) {
  const params = { kind: t(`kind.${r.kind}`), start: hex(r.start), end: hex(r.end), size: size(r.end - r.start) };
  return t("tip.region", { ...params, perms: r.perms, path: r.path || "" });
}

function swatch(kind, x, y, w, h) {
  return svg`<rect x=${x} y=${y} width=${w} height=${h} class=${`fill-${kind}`}/>
    <rect x=${x} y=${y} width=${w} height=${h} class=${`pat-${kind}`}/>`;
}

function bandTip(b) {
  const tip = t("tip.band", { kind: t(`kind.${b.kind}`), count: b.regions.length, size: size(b.bytes) });
  return b.regions.length ? `${tip}\n${b.regions.slice(0, 6).map(regionTip).join("\n")}` : tip;
}

function bandView(b, box, fs, name) {
  const first = b.regions[0];
  const { x, y, w, h } = box;
  const label = h >= fs * 0.9;
  const showSize = label && w >= fitWidth(name, fs) + fitWidth(size(b.bytes), fs * 0.75) + 24;
  return svg`<g class=${`band kind-${b.kind}`} data-kind=${b.kind} data-bytes=${b.bytes}
      data-count=${b.regions.length} data-start=${first ? first.start : ""} data-tip="band">
    ${swatch(b.kind, x, y, w, h)}
    ${label ? svg`<text x=${x + 8} y=${y + h / 2} class="band-label" dominant-baseline="central" font-size=${fs}>${name}</text>` : nothing}
    ${showSize ? svg`<text x=${x + w - 6} y=${y + h / 2} class="band-size" text-anchor="end" dominant-baseline="central" font-size=${fs * 0.75}>${size(b.bytes)}</text>` : nothing}
  </g>`;
}

/** One stack slice: a thread's own stack (`th`), or a stack a fork copied with no thread on it (`copy`). */
function sliceView(slice, box, small, age) {
  const { x, y, w, h } = box;
  const { th, copy } = slice;
  const st = th ? th.stack : copy;
  const text = copy ? t("kind.copied") : `${t("kind.stack")} ${th.tid}`;
  const cls = `band kind-stack stack-slice${th && th.main ? " main" : ""}${copy ? " copied" : ""} ${enter(age)}`;
  return svg`<g class=${cls} data-kind="stack" data-tid=${th ? th.tid : 0} data-start=${st ? st.start : ""}
      data-end=${st ? st.end : ""} data-tip="slice">
    ${swatch("stack", x, y, w, h)}
    ${th && st && st.guard ? svg`<rect x=${x} y=${y + h - 2} width=${w} height="2" class="guard"/>` : nothing}
    ${h >= small * 0.85 ? svg`<text x=${x + 8} y=${y + h / 2} class="band-label" dominant-baseline="central" font-size=${fitFont(text, w - 10, Math.min(small, h * 0.9))}>${text}</text>` : nothing}
  </g>`;
}

function stateWord(s) {
  const w = t(`state.${s}`);
  return w.startsWith("⟦") ? s : w;
}

/** The text of a thread chip: its label and its state line, long and short. */
function chipText(th) {
  const label = `${t("thread.tid", { tid: th.tid })}${th.main ? ` · ${t("thread.main")}` : ""}`;
  const doing = th.main ? "" : ` · ${t(`activity.${th.activity}`)}`;
  const info = `${stateWord(th.state)} · ${t("thread.cpu", { cpu: th.cpu })}${doing}`;
  const brief = `${th.state} · ${t("thread.cpu", { cpu: th.cpu })}${doing}`;
  return { label, info, brief, short: `${th.tid} ${th.main ? t("thread.main") : t(`activity.${th.activity}`)}` };
}

function chipTip(p, th) {
  const { label, info } = chipText(th);
  const shared = p.counter ? `\n${t("card.counter", { addr: hex(p.counter.address), value: p.counter.value })}` : "";
  const times = t("tip.times", { u: th.utime.toFixed(2), s: th.stime.toFixed(2) });
  return `${label}\n${info}\n${times}\n${t("tip.switches", { v: th.vcsw, i: th.ivcsw })}${shared}`;
}

function sliceTip(p, el) {
  const tid = Number(el.dataset.tid);
  const th = p.threads.find((x) => x.tid === tid);
  const st = th ? th.stack : (p.regions || []).find((r) => r.start === Number(el.dataset.start));
  if (!st) return t("kind.stack");
  const span = { start: hex(st.start), end: hex(st.end), size: size(st.end - st.start) };
  return th ? t("tip.stack", { tid, ...span }) : t("tip.copied", span);
}

/**
 * The tooltip of a drawn element (marked data-tip), built when it is shown from the current state:
 * building every tooltip for every frame cost more than drawing the frame.
 */
export function tipFor(el, state) {
  const card = el.closest(".card");
  const p = card && state.processes.get(Number(card.dataset.pid));
  if (!p) return "";
  if (el.dataset.tip === "band") return bandTip(bands(p.regions).find((b) => b.kind === el.dataset.kind) || { kind: el.dataset.kind, regions: [], bytes: 0 });
  if (el.dataset.tip === "slice") return sliceTip(p, el);
  const th = p.threads.find((x) => x.tid === Number(el.dataset.tid));
  return th ? chipTip(p, th) : "";
}

/** A chip's text: two lines when it is tall enough, else TID and activity with the CPU in the dot. */
function chipLines(th, text, box, L) {
  const { x, y, w, h } = box;
  const sw = L.panel.swatch;
  const tx = x + sw + 10;
  if (!L.panel.twoLine) {
    const f = fitFont(text.short, w - sw - 16 - h * 0.8, Math.min(L.small, h * 0.62));
    const run = th.state === "R";
    const cx = x + w - h * 0.45;
    const r = h * 0.36;
    return svg`<text x=${tx} y=${y + h / 2} class="thread-tid" dominant-baseline="central" font-size=${f}>${text.short}</text>
      <circle cx=${cx} cy=${y + h / 2} r=${r} class=${`dot-${run ? "run" : "wait"}`}/>
      <text x=${cx} y=${y + h / 2 + 0.5} class=${`dot-cpu${run ? " run" : ""}`} text-anchor="middle" dominant-baseline="central" font-size=${r * 1.35}>${th.cpu}</text>`;
  }
  const fsT = fitFont(text.label, w - sw - 30, L.fs * 0.92);
  const room = w - sw - 34;
  let info = text.info;
  let fi = fitFont(info, room, fsT * 0.8);
  if (fi < fsT * 0.6) {
    info = text.brief; // narrow: the state as its letter (R, S…)
    fi = fitFont(info, room, fsT * 0.8);
  }
  return svg`<text x=${tx} y=${y + h * 0.33} class="thread-tid" dominant-baseline="central" font-size=${fsT}>${text.label}</text>
    <text x=${tx} y=${y + h * 0.72} class="thread-info" dominant-baseline="central" font-size=${fi}>${info}</text>
    <circle cx=${x + w - 12} cy=${y + h / 2} r=${Math.min(7, h / 4)} class=${`dot-${th.state === "R" ? "run" : "wait"}`}/>`;
}

function chipView(p, th, box, L, ctx) {
  const text = chipText(th);
  const selected = ctx.selection.pid === p.pid && ctx.selection.tid === th.tid;
  const touched = p.counter && p.counter.last_tid === th.tid;
  const cls = `thread state-${th.state}${th.main ? " main" : ""}${selected ? " selected" : ""}${touched ? " touched" : ""} ${enter(ctx.state.age(`t:${p.pid}:${th.tid}`))}`;
  const sw = L.panel.swatch;
  return svg`<g class=${cls} data-pid=${p.pid} data-tid=${th.tid} data-state=${th.state} data-cpu=${th.cpu}
      data-activity=${th.activity} data-tip="thread">
    <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="6" class="chip"/>
    ${swatch("stack", box.x + 5, box.y + (box.h - sw) / 2, sw * 0.8, sw)}
    ${chipLines(th, text, box, L)}
  </g>`;
}

/** The card's footer: the counter (address, value, physical page) and any shared-memory counters. */
export function counterLines(p, processes, server) {
  const c = p.counter;
  if (!c || p.status !== "running") return [];
  const last = c.last_tid ? ` · ${t("counter.last", { tid: c.last_tid })}` : "";
  const lines = [{ text: t("card.counter", { addr: hex(c.address), value: c.value }) + last, cls: "own", data: c }];
  const kin = [processes.get(p.parent), ...[...processes.values()].filter((q) => q.parent === p.pid)];
  let page = "";
  if (c.frame !== null && c.frame !== undefined) {
    page = t("counter.frame", { frame: hex(c.frame) });
    // a forked relative with the same counter address: is the physical page still shared?
    const twin = kin.find((q) => q && q.status === "running" && q.counter && q.counter.address === c.address && q.counter.frame);
    if (twin) page += ` · ${t(twin.counter.frame === c.frame ? "counter.cow_same" : "counter.cow_copied", { pid: twin.pid })}`;
  } else if (server && !server.pagemap) {
    page = t("counter.no_frames");
  }
  // the physical page only matters once there is a fork to compare with
  if (page && kin.some(Boolean)) lines.push({ text: page, cls: "page" });
  for (const s of c.shm || []) {
    lines.push({ text: t("counter.shm", { addr: hex(s.address), value: s.value }), cls: "shm", data: s });
  }
  return lines;
}

function footerView(lines, L) {
  return repeat(
    lines,
    (line) => line.cls + (line.data && line.data.path ? line.data.path : ""),
    (line, i) => {
      const fsz = fitFont(line.text, L.w - 2 * L.pad, i === 0 ? L.small : L.small * 0.82);
      const d = line.data || {};
      return svg`<text x=${L.pad} y=${L.foot[i].y} class=${`counter ${line.cls}`} dominant-baseline="central" font-size=${fsz}
        data-address=${d.address ?? ""} data-value=${d.value ?? ""} data-frame=${d.frame ?? ""} data-path=${d.path ?? ""}>${line.text}</text>`;
    },
  );
}

function headView(p, L) {
  const sub = p.status === "exited"
    ? t("card.exited", { reason: p.exit ? detailText(p.exit.reason) : "?" })
    : `${p.parent ? t("card.forked", { pid: p.parent }) : t("card.ppid", { ppid: p.ppid })} · ${t("card.rss", { size: size(p.rss) })}`;
  return svg`<rect x="0" y="0" width=${L.w} height=${L.h} rx="10" class="card-bg"/>
    <rect x="0" y="0" width=${L.w} height=${L.headH} rx="10" class="card-head"/>
    <text x=${L.pad} y=${L.headH / 2 + 1} class="card-title" dominant-baseline="central" font-size=${L.fs * 1.05}>${t("card.pid", { pid: p.pid })}</text>
    <text x=${L.w - L.pad} y=${L.headH / 2 + 1} class="card-sub" text-anchor="end" dominant-baseline="central" font-size=${L.small}>${sub}</text>`;
}

/** Bracket from Code/Data/Heap to the threads panel, its title, and a link from each stack slice to its chip. */
function panelView(p, threads, L, slices) {
  const { bracket: b, x, titleY } = L.panel;
  const colEnd = L.col.x + L.col.w;
  const title = threads.length > 1 ? t("card.threads", { n: threads.length }) : t("card.thread1");
  const links = threads.map((th, i) => {
    const sy = slices[i].y + slices[i].h / 2;
    const chip = L.panel.chips[i];
    const cy = chip.y + chip.h / 2;
    return svg`<path class="stack-link" d=${`M${colEnd},${sy} C${b.x + L.fs},${sy} ${chip.x - L.fs},${cy} ${chip.x},${cy}`}/>`;
  });
  return svg`<path class="share-bracket" d=${`M${colEnd + 2},${b.top} H${b.x} V${b.bottom} H${colEnd + 2} M${b.x},${(b.top + b.bottom) / 2} H${x - 4} V${titleY}`}/>
    <text x=${x} y=${titleY} class="share-label" dominant-baseline="central" font-size=${fitFont(title, L.panel.w, L.small)}>${title}</text>
    ${links}`;
}

/** Everything one card needs to be drawn: its data in drawing order, and its layout. */
function cardModel(p, box, ctx) {
  const exited = p.status === "exited";
  const threads = exited ? [] : [...p.threads].sort((a, b) => (b.main ? 1 : 0) - (a.main ? 1 : 0) || a.tid - b.tid);
  // stacks a fork copied from the parent's other threads: mapped here, no thread runs on them
  const copied = exited ? [] : (p.regions || []).filter((r) => r.kind === "stack" && r.tid === 0 && !r.guard);
  const bs = bands(p.regions);
  const foot = counterLines(p, ctx.state.processes, ctx.state.server);
  const spec = { exited, threads: threads.length, copied: copied.length, bands: bs, footLines: foot.length };
  const L = cardLayout(box.w, box.h, spec);
  const partners = ctx.partners.get(p.pid);
  const name = (kind) =>
    kind === "shared" && partners ? `${t("kind.shared")} ↔ ${[...new Set(partners)].join(", ")}` : t(`kind.${kind}`);
  const slices = [...threads.map((th) => ({ key: `t${th.tid}`, th })), ...copied.map((r) => ({ key: `c${r.start}`, copy: r }))];
  const ages = new Map(threads.map((th) => [th.tid, ctx.state.age(`t:${p.pid}:${th.tid}`)]));
  return { p, box, exited, threads, bs, foot, L, name, slices, ages, drawn: performance.now() };
}

// What the memory column and a chip are drawn from: most frames change only a counter or a
// thread's CPU, and guard() then leaves the rest of the card's drawing untouched.
function memoryDeps(m) {
  const entering = m.slices.some((sl) => sl.th && m.ages.get(sl.th.tid) < ENTER_MS);
  const stacks = m.slices.map((sl) => (sl.th && sl.th.stack ? `${sl.key}:${sl.th.stack.start}-${sl.th.stack.end}` : sl.key)).join();
  return [m.p.regions, stacks, m.box.w, m.box.h, m.foot.length, getLang(), m.name("shared"), entering && m.drawn];
}

function memoryView(m, ctx) {
  const { L, bs, slices, name } = m;
  return svg`${repeat(bs, (b) => b.kind, (b, i) => bandView(b, L.bands[i], L.small, name(b.kind)))}
    ${repeat(slices, (sl) => sl.key, (sl, i) => sliceView(sl, L.slices[i], L.small, sl.th ? m.ages.get(sl.th.tid) : ENTER_MS))}`;
}

function chipDeps(p, th, box, ctx) {
  const selected = ctx.selection.pid === p.pid && ctx.selection.tid === th.tid;
  const touched = p.counter && p.counter.last_tid === th.tid;
  const age = ctx.state.age(`t:${p.pid}:${th.tid}`);
  return [th, box.x, box.y, box.w, box.h, selected, touched, getLang(), age < ENTER_MS ? age : ENTER_MS];
}

function cardView(m, ctx) {
  const { p, box, exited, threads, bs, foot, L, name, slices } = m;
  const selected = ctx.selection.pid === p.pid;
  const opacity = exited ? Math.max(0.25, 1 - ctx.exitAge(p.pid) / EXIT_FADE_MS) : 1;
  const age = ctx.state.age(`p:${p.pid}`);
  return svg`<g class=${`card${selected ? " selected" : ""}${exited ? " exited" : ""}`} data-pid=${p.pid}
      data-status=${p.status} data-x=${box.x} data-y=${box.y} data-w=${box.w} data-h=${box.h}
      opacity=${opacity.toFixed(2)} style=${`transform: translate(${box.x}px, ${box.y}px)`}>
    <g class=${`card-body ${enter(age)}`}>
      ${headView(p, L)}
      ${guard(memoryDeps(m), () => memoryView(m, ctx))}
      ${exited ? svg`<g class="band kind-stack" data-kind="stack">${swatch("stack", L.stack.x, L.stack.y, L.stack.w, L.stack.h)}</g>` : nothing}
      ${exited ? nothing : panelView(p, threads, L, L.slices)}
      ${repeat(threads, (th) => th.tid, (th, i) => guard(chipDeps(p, th, L.panel.chips[i], ctx), () => chipView(p, th, L.panel.chips[i], L, ctx)))}
      ${footerView(foot, L)}
    </g>
  </g>`;
}

/** Which running processes map the same shared segment: path -> set of PIDs, and PID -> partner PIDs. */
export function sharedPartners(procs) {
  const byPath = new Map();
  for (const p of procs) {
    if (p.status !== "running") continue;
    for (const r of p.regions || []) {
      if (r.kind === "shared" && r.path) {
        if (!byPath.has(r.path)) byPath.set(r.path, new Set());
        byPath.get(r.path).add(p.pid);
      }
    }
  }
  const partners = new Map();
  for (const pids of byPath.values()) {
    for (const pid of pids) {
      const others = [...pids].filter((q) => q !== pid);
      if (others.length) partners.set(pid, [...(partners.get(pid) || []), ...others]);
    }
  }
  return { byPath, partners };
}

/** Arrows from each forked child's parent card, and links between the Shared bands of partners. */
function linksView(models, byPath) {
  const byPid = new Map(models.map((m) => [m.p.pid, m]));
  const forks = models
    .filter((m) => m.p.parent && byPid.has(m.p.parent))
    .map((m) => {
      const [a, b] = edgePoints(byPid.get(m.p.parent).box, m.box);
      return { key: m.p.pid, parent: m.p.parent, a, b };
    });
  const shm = [];
  for (const [path, pids] of byPath) {
    const [first, ...rest] = [...pids].map((pid) => byPid.get(pid));
    for (const other of rest) {
      const [ya, yb] = [first, other].map((m) => {
        const band = m.L.bands[m.bs.findIndex((b) => b.kind === "shared")];
        return band ? m.box.y + band.y + band.h / 2 : null;
      });
      if (ya === null || yb === null) continue;
      const ax = first.box.x + first.L.col.x + first.L.col.w;
      const bx = other.box.x + other.L.col.x;
      shm.push({ key: `${path}:${other.p.pid}`, path, d: `M${ax},${ya} C${ax + 80},${ya} ${bx - 80},${yb} ${bx},${yb}` });
    }
  }
  return svg`<g class="links-front">
    ${repeat(forks, (f) => f.key, (f) => svg`<g class="fork" data-parent=${f.parent} data-child=${f.key}>
      <path class="fork-link" d=${`M${f.a.x},${f.a.y} L${f.b.x},${f.b.y}`} marker-end="url(#arrow)"/>
      <text x=${(f.a.x + f.b.x) / 2 + 10} y=${(f.a.y + f.b.y) / 2} class="fork-label" dominant-baseline="central" font-size="18">fork()</text></g>`)}
    ${repeat(shm, (s) => s.key, (s) => svg`<path class="shm-link" data-path=${s.path} d=${s.d}><title>${s.path}</title></path>`)}
  </g>`;
}

function setIfChanged(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/**
 * Draw everything into `svgEl`. `ctx` = {state, selection: {pid, tid}, exitAge(pid), emptyText}.
 */
export function render(svgEl, ctx) {
  const W = svgEl.clientWidth || svgEl.parentElement.clientWidth;
  const H = svgEl.clientHeight || svgEl.parentElement.clientHeight;
  const procs = ctx.state.ordered();
  const g = layoutGrid(procs.length, W, H);
  // Set only when it changes: writing the viewBox, even unchanged, makes the browser lay out the whole SVG again.
  setIfChanged(svgEl, "viewBox", `0 0 ${g.scale < 1 ? g.width : W} ${g.scale < 1 ? g.height : H}`);
  setIfChanged(svgEl, "data-scale", g.scale.toFixed(3));
  if (!procs.length) {
    paint(svg`<text x=${W / 2} y=${H / 2} text-anchor="middle" class="empty" font-size="28">${ctx.emptyText}</text>`, svgEl);
    return;
  }
  const { byPath, partners } = sharedPartners(procs);
  const c = { ...ctx, partners };
  const cards = procs.map((p, i) => card(p, cardBox(g, i), c));
  const models = cards.map((x) => x.model);
  // guard: a card whose inputs did not change is not even looked at by lit (its directives would re-run)
  const view = (x) => guard([x.p, x.key, x.drawn], () => cardView(x.model, c));
  paint(svg`${repeat(cards, (x) => x.model.p.pid, view)}${linksView(models, byPath)}`, svgEl);
  for (const pid of memo.keys()) if (!ctx.state.processes.has(pid)) memo.delete(pid);
}

// The last drawing of each card and what it was drawn from. Most frames change one or two
// processes (applyPatch gives only those new objects), so the other cards are not laid out again.
const memo = new Map();

/** What a card's drawing depends on besides its process object, as one comparable string. */
function cardKey(p, box, ctx) {
  const sel = ctx.selection.pid === p.pid ? `${ctx.selection.tid}` : "-";
  const kin = [ctx.state.processes.get(p.parent), ...[...ctx.state.processes.values()].filter((q) => q.parent === p.pid)]
    .map((q) => (q ? `${q.pid}:${q.status}:${q.counter ? q.counter.frame : ""}` : ""))
    .join();
  return [box.x, box.y, box.w, box.h, sel, ctx.partners.get(p.pid), kin, getLang(), ctx.state.server && ctx.state.server.pagemap].join("|");
}

function card(p, box, ctx) {
  // entering, or fading out: drawn anew each frame
  const moving = p.status === "exited" || ctx.state.age(`p:${p.pid}`) < ENTER_MS || p.threads.some((th) => ctx.state.age(`t:${p.pid}:${th.tid}`) < ENTER_MS);
  const key = cardKey(p, box, ctx);
  const hit = memo.get(p.pid);
  if (!moving && hit && hit.p === p && hit.key === key) return hit;
  // `drawn` changes whenever the card must be drawn again, even for the same process and key
  const entry = { p, key, model: cardModel(p, box, ctx), drawn: (hit ? hit.drawn : 0) + 1 };
  memo.set(p.pid, entry);
  return entry;
}
