// The stage: every process as a card, placed by layout.js's stageLayout (a grid; focus + context
// when the lab is too big for a readable grid; one scrolling column on a phone), with fork arrows
// and shared-memory links between them. Elements are keyed (pid, tid, kind) and updated in place
// by lit-html, so cards keep their identity and glide to new places.

import { cardModel, cardView, ENTER_MS } from "./card.js";
import { drawnAlike } from "../state/state.js";
import { guard, render as paint, repeat, svg } from "../dom.js";
import { getLang } from "../i18n.js";
import { textUnits } from "../format.js";
import { forkArrow, MIN_TEXT, MIN_TEXT_PHONE, pathOf, PHONE_W, shmRoute, stageLayout } from "../layout/layout.js";
import { miniView } from "./minicard.js";

export { tipFor } from "./card.js";

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
  // from the real parent (ppid): a child adopted after its parent ended points to nobody
  const parentOf = (p) => (byPid.has(p.ppid) ? p.ppid : null);
  // between whole cards only: a compact card names its parent in its title ("PID 7 ← 3")
  const forks = models
    .filter((m) => m.p.status === "running" && parentOf(m.p) && !m.mini && !byPid.get(parentOf(m.p)).mini)
    .map((m) => {
      const parent = byPid.get(parentOf(m.p));
      return { key: m.p.pid, parent: parent.p.pid, ...forkArrow(parent.box, m.box, Math.min(parent.L.pad, m.L.pad)) };
    });
  const shm = [];
  for (const [path, pids] of byPath) {
    const [first, ...rest] = [...pids].map((pid) => byPid.get(pid));
    for (const other of rest) {
      const [ya, yb] = [first, other].map((m) => {
        const band = m.L && m.L.bands[m.bs.findIndex((b) => b.kind === "shared")];
        return band ? m.box.y + band.y + band.h / 2 : null;
      });
      if (!first || !other || ya === null || yb === null) continue;
      const d = pathOf(shmRoute(first.box, ya, other.box, yb, first.L.col.x));
      shm.push({ key: `${path}:${other.p.pid}`, path, d });
    }
  }
  return svg`<g class="links-front">
    ${repeat(forks, (f) => f.key, (f) => svg`<g class="fork" data-parent=${f.parent} data-child=${f.key}>
      <path class="fork-link" d=${pathOf(f.points)} marker-end="url(#arrow)"/>
      <text x=${f.label.x} y=${f.label.y} transform=${`rotate(${f.label.rotate} ${f.label.x} ${f.label.y})`} class="fork-label"
        text-anchor=${f.label.rotate ? "middle" : "start"} dominant-baseline="central" font-size="16">fork()</text></g>`)}
    ${repeat(shm, (s) => s.key, (s) => svg`<path class="shm-link" data-path=${s.path} d=${s.d}><title>${s.path}</title></path>`)}
  </g>`;
}

function setIfChanged(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/**
 * Draw everything into `svgEl`. `ctx` = {state, selection: {pid, tid}, emptyText}.
 */
export function render(svgEl, ctx) {
  const scroller = svgEl.parentElement;
  const W = scroller.clientWidth;
  const H = scroller.clientHeight;
  const procs = ctx.state.staged();
  const focus = procs.findIndex((p) => p.pid === ctx.selection.pid);
  // presentation mode: type (and so every box) 1.25× larger
  const minText = (W <= PHONE_W ? MIN_TEXT_PHONE : MIN_TEXT) * (document.body.classList.contains("present") ? 1.25 : 1);
  const stage = stageLayout(procs.length, W, H, focus >= 0 ? focus : procs.length - 1, minText);
  // Set only when it changes: writing the viewBox, even unchanged, makes the browser lay out the whole SVG again.
  setIfChanged(svgEl, "viewBox", `0 0 ${stage.width} ${stage.height}`);
  setIfChanged(svgEl, "height", String(stage.height));
  setIfChanged(svgEl, "data-mode", stage.mode);
  setIfChanged(svgEl, "data-scale", "1.000");
  if (!procs.length) {
    // one line, or several (a run that ended says how, and where its output is)
    const lines = [ctx.emptyText].flat();
    const size = Math.max(minText + 4, Math.min(28, (W - 40) / Math.max(...lines.map((l) => textUnits(l)))));
    paint(
      svg`${lines.map((l, i) => svg`<text x=${W / 2} y=${H / 2 + (i - (lines.length - 1) / 2) * size * 1.4} text-anchor="middle" class=${`empty${i ? " empty-more" : ""}`} font-size=${size}>${l}</text>`)}`,
      svgEl,
    );
    return;
  }
  const { byPath, partners } = sharedPartners(procs);
  const c = { ...ctx, partners, minText };
  const cards = procs.map((p, i) => card(p, stage.boxes[i], c));
  const models = cards.map((x) => x.model);
  // guard: a card whose inputs did not change is not even looked at by lit (its directives would re-run)
  const view = (x) => guard([x.p, x.key, x.drawn], () => (x.mini ? miniView(x.p, x.box, c) : cardView(x.model, c)));
  paint(svg`${repeat(cards, (x) => x.p.pid, view)}${linksView(models, byPath)}`, svgEl);
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
  return [box.x, box.y, box.w, box.h, box.mini, sel, ctx.partners.get(p.pid), kin, getLang(), ctx.minText, ctx.state.server && ctx.state.server.pagemap].join("|");
}

/** What a compact card shows of a process, as one comparable string (its regions are compared by identity). */
function miniFacts(p) {
  return [p.pid, p.parent, p.status, p.run, p.probe, p.rss, p.threads.map((th) => th.activity).join()].join("|");
}

function card(p, box, ctx) {
  // entering: drawn anew each frame until the animation is over (nothing new for that long: no card is)
  const moving =
    ctx.state.sinceNew() < ENTER_MS &&
    (ctx.state.age(`p:${p.pid}`) < ENTER_MS || p.threads.some((th) => ctx.state.age(`t:${p.pid}:${th.tid}`) < ENTER_MS));
  const key = cardKey(p, box, ctx);
  const hit = memo.get(p.pid);
  // A compact card shows none of what changes every frame (the counter, each thread's CPU and state):
  // a counting process is a new object ten times a second, its compact card the same drawing.
  const facts = box.mini ? miniFacts(p) : null;
  const same = hit && (box.mini ? hit.p === p || (hit.facts === facts && hit.p.regions === p.regions) : drawnAlike(hit.p, p));
  if (!moving && same && hit.key === key) return hit;
  // `drawn` changes whenever the card must be drawn again, even for the same process and key
  const model = box.mini ? { p, box, mini: true } : cardModel(p, box, ctx);
  const entry = { p, box, key, mini: box.mini, facts, model, drawn: (hit ? hit.drawn : 0) + 1 };
  memo.set(p.pid, entry);
  return entry;
}
