// The CPU lanes: for every thread, the last 30 s of CPU use tick by tick (schedstat, from the
// server's frames), coloured by the CPU it ran on, with its context switches per second; per
// process, its total in cores. Shown instead of the cards (key C); viewers follow the presenter.

import { html, render as paint, repeat, svg } from "../dom.js";
import { LANE_MAX_ROW, LANE_MIN_ROW, laneBars, laneRows, MIN_TEXT, MIN_TEXT_PHONE, PHONE_W } from "../layout/layout.js";
import { fitWidth } from "../format.js";
import { t } from "../i18n.js";
import { threadName } from "../draw/card.js";

const LANE_SECONDS = 30;
// Context-switch counts move once a second (the sampler reads them then): a rate needs a few.
const RATE_WINDOW_S = 3;

/** Each thread's recent points, recorded from every snapshot and frame. */
export class LaneBook {
  constructor() {
    this.lanes = new Map(); // tid -> {pid, points: [{load, cpu} | null], ctxt: [[ts, vol, invol]]}
    this.seq = 0;
    this.ticks = 300;
    this.seeded = false; // filled from the server's history since the last snapshot
  }

  /** A new snapshot (a join, a reconnect, a restarted server): the lanes start again. */
  reset() {
    this.lanes.clear();
    this.seq = 0;
    this.seeded = false;
  }

  /** Add the state's current tick; ticks missed (dropped frames) become gaps. */
  record(state) {
    if (state.server) this.ticks = Math.round(LANE_SECONDS * state.server.hz);
    const missed = this.seq && state.seq > this.seq ? Math.min(this.ticks, state.seq - this.seq - 1) : 0;
    if (state.seq === this.seq) return;
    this.seq = state.seq;
    const seen = new Set();
    for (const p of state.processes.values()) {
      if (p.status !== "running") continue;
      for (const th of p.threads) {
        let lane = this.lanes.get(th.tid);
        if (!lane || lane.pid !== p.pid) {
          lane = { pid: p.pid, points: [], ctxt: [] };
          this.lanes.set(th.tid, lane);
        } else {
          for (let i = 0; i < missed; i += 1) lane.points.push(null);
        }
        lane.points.push({ load: th.load || 0, cpu: th.cpu });
        if (lane.points.length > this.ticks) lane.points.splice(0, lane.points.length - this.ticks);
        lane.ctxt.push([state.ts, th.vcsw, th.ivcsw]);
        while (lane.ctxt.length > 2 && state.ts - lane.ctxt[1][0] >= RATE_WINDOW_S) lane.ctxt.shift();
        seen.add(th.tid);
      }
    }
    for (const tid of [...this.lanes.keys()]) if (!seen.has(tid)) this.lanes.delete(tid);
  }

  /**
   * Fill the lanes with the server's last 30 s (GET /api/state's `history`), so a page that has
   * just joined or reloaded does not start them empty. Ticks this page recorded after the history
   * ends are kept after it; ticks the history has and this page has not seen yet are left to the
   * frames that carry them.
   */
  seed(body) {
    const extra = this.seq - body.seq;
    for (const p of body.processes) {
      if (p.status !== "running") continue;
      for (const th of p.threads) {
        if (!th.history) continue;
        let past = th.history.map((load, i) => ({ load, cpu: th.history_cpus ? th.history_cpus[i] : th.cpu }));
        if (extra < 0) past = past.slice(0, Math.max(0, past.length + extra));
        const lane = this.lanes.get(th.tid);
        const mine = lane && lane.pid === p.pid;
        const since = mine && extra > 0 ? lane.points.slice(-extra) : [];
        const points = [...past, ...since].slice(-this.ticks);
        this.lanes.set(th.tid, { pid: p.pid, points, ctxt: mine ? lane.ctxt : [] });
      }
    }
    this.seeded = true;
  }

  /** Voluntary and involuntary context switches per second lately; null until there is a window. */
  rates(tid) {
    const lane = this.lanes.get(tid);
    if (!lane || lane.ctxt.length < 2) return null;
    const [a, b] = [lane.ctxt[0], lane.ctxt[lane.ctxt.length - 1]];
    const dt = b[0] - a[0];
    if (dt < 1.5) return null;
    return [(b[1] - a[1]) / dt, (b[2] - a[2]) / dt];
  }

  points(tid) {
    return this.lanes.get(tid)?.points || [];
  }
}

const cores = (v) => v.toFixed(2);
const perSecond = (v) => (v >= 100 ? Math.round(v).toString() : v.toFixed(v >= 10 ? 0 : 1));

/** A process's total per tick: its threads' loads added up (a gap where none was seen). */
function totals(book, tids) {
  const lanes = tids.map((tid) => book.points(tid));
  const n = Math.max(0, ...lanes.map((l) => l.length));
  const out = [];
  for (let i = 0; i < n; i += 1) {
    let sum = null;
    for (const l of lanes) {
      const pt = l[l.length - n + i];
      if (pt) sum = (sum || 0) + pt.load;
    }
    out.push(sum);
  }
  return out;
}

/** The total as an area under a line, on a scale of `top` cores. */
function totalPath(values, w, h, ticks, top) {
  const step = w / ticks;
  const x0 = w - values.length * step;
  let d = "";
  let open = false;
  values.forEach((v, i) => {
    if (v === null) {
      if (open) d += `V${h}Z`;
      open = false;
      return;
    }
    const x = (x0 + i * step).toFixed(1);
    const y = (h - (Math.min(v, top) / top) * h).toFixed(1);
    d += open ? `L${x},${y}` : `M${x},${h}L${x},${y}`;
    open = true;
    d += `L${(x0 + (i + 1) * step).toFixed(1)},${y}`;
  });
  if (open) d += `V${h}Z`;
  return d;
}

/**
 * Where everything of the lanes goes for a W × H panel: pure, from the sizes and the rows.
 * A phone stacks each row: the label and figures on one line, the strip below, full width.
 */
export function laneGeometry(W, H, procs, selectedPid, bookTicks) {
  const phone = W < PHONE_W;
  const headH = phone ? 64 : 56;
  const noteH = phone ? 96 : 60;
  const sizes = phone ? { fs: MIN_TEXT_PHONE + 1, minRow: 46, maxRow: 60 } : { fs: 0, minRow: LANE_MIN_ROW, maxRow: LANE_MAX_ROW };
  const { rows, rowH, height } = laneRows(procs, H - headH - noteH, selectedPid, sizes.minRow, sizes.maxRow);
  const fs = phone ? sizes.fs : Math.max(MIN_TEXT, Math.min(20, Math.round(rowH * 0.5)));
  const labelW = phone ? 0 : Math.max(200, Math.round(W * 0.22));
  // the figures' column: as wide as its heading needs (the switches' kinds), and the figures
  const colFs = Math.max(MIN_TEXT, Math.round(fs * 0.8));
  const heading = Math.max(fitWidth(t("lanes.col_kinds"), colFs), fitWidth(t("lanes.col_switches"), colFs));
  const figW = phone ? 0 : Math.ceil(fs * 3.4 + Math.max(heading, fs * 6) + 16);
  const stripX = phone ? 4 : labelW + 8;
  const stripW = phone ? W - 8 : Math.max(40, W - labelW - figW - 24);
  const stripY = phone ? fs + 8 : 2;
  const figX = phone ? W - 4 : stripX + stripW + 12;
  // at least a pixel per tick: a narrow screen shows the most recent part of the 30 s
  const ticks = Math.min(bookTicks, Math.floor(stripW));
  return {
    W, phone, headH, rows, rowH, height, fs, colFs, stripX, stripW, stripY, figX, ticks,
    stripH: phone ? rowH - stripY - 4 : rowH - 4,
    textY: phone ? fs * 0.7 + 2 : rowH / 2,
    swX: figX + fs * 3.4,
    seconds: Math.round((ticks / bookTicks) * LANE_SECONDS),
  };
}

/** A thread's figures: its share of a core, and its voluntary · involuntary switches a second. */
function figures(g, load, rates) {
  const sw = rates ? `${perSecond(rates[0])} · ${perSecond(rates[1])}` : "…";
  if (g.phone) {
    return svg`<text class="lane-fig" x=${g.figX} y=${g.textY} font-size=${g.fs} text-anchor="end">${cores(load)} · ${sw} ${t("lanes.per_s")}</text>`;
  }
  return svg`<text class="lane-fig" x=${g.figX} y=${g.textY} font-size=${g.fs}>${cores(load)}</text>
    <text class="lane-fig sw" x=${g.swX} y=${g.textY} font-size=${g.fs}>${sw}</text>`;
}

export class LanesView {
  constructor(el, { state, book, onPick }) {
    this.el = el;
    this.state = state;
    this.book = book;
    this.onPick = onPick;
    el.addEventListener("click", (e) => {
      const row = e.target.closest("[data-pid]");
      if (row) this.onPick(Number(row.dataset.pid), row.dataset.tid ? Number(row.dataset.tid) : null);
    });
  }

  render(selection) {
    const W = this.el.clientWidth;
    const H = this.el.clientHeight;
    if (!W || !H) return;
    const cpus = this.state.server ? this.state.server.cpus : 1;
    const procs = this.state
      .staged()
      .filter((p) => p.status === "running")
      .map((p) => ({ pid: p.pid, tids: p.threads.map((th) => th.tid), p }));
    const g = laneGeometry(W, H, procs, selection.pid, this.book.ticks);
    const byPid = new Map(procs.map((x) => [x.pid, x]));
    const seen = new Set(procs.flatMap((x) => x.p.threads.map((th) => th.cpu)));
    const legend = [...Array(cpus).keys()].filter((c) => seen.has(c) || cpus <= 8);
    const row = (r) => {
      const { p } = byPid.get(r.pid);
      const selected = selection.pid === r.pid && (r.kind === "process" ? selection.tid === null : selection.tid === r.tid);
      return r.kind === "process" ? this.processRow(r, p, g, selected, Math.max(1, cpus)) : this.threadRow(r, p, g, selected);
    };
    paint(
      html`<div class="lanes-head" style="min-height:${g.headH}px">
          <h2>${t("lanes.title", { s: g.seconds })}</h2>
          <ul class="lanes-legend">
            ${legend.map((c) => html`<li><span class=${`swatch cpu-${c % 8}`}></span>${t("lanes.cpu", { n: c })}</li>`)}
          </ul>
          ${g.phone
            ? ""
            : html`<span class="lanes-col" style="left:${g.figX}px;font-size:${g.colFs}px">${t("lanes.col_cores")}</span>
                <span class="lanes-col" style="left:${g.swX}px;font-size:${g.colFs}px">${t("lanes.col_switches")}<br />${t("lanes.col_kinds")}</span>`}
        </div>
        ${procs.length
          ? html`<svg class="lanes-svg" width=${W} height=${Math.max(g.height, LANE_MIN_ROW)} role="img" aria-label=${t("lanes.title", { s: g.seconds })}>
              ${repeat(g.rows, (r) => r.key, row)}
            </svg>`
          : html`<p class="hint">${t("lanes.empty")}</p>`}
        <p class="lanes-note">${t("lanes.note")}</p>`,
      this.el,
    );
  }

  /** A process's row: its threads' use added up, against a dashed line at one core. */
  processRow(r, p, g, selected, top) {
    const total = p.threads.reduce((sum, th) => sum + (th.load || 0), 0);
    const vals = totals(this.book, p.threads.map((th) => th.tid));
    const one = g.stripH - g.stripH / top; // where one core's worth sits
    const label = r.collapsed ? t("lanes.process_more", { pid: p.pid, n: p.threads.length }) : t("lanes.process", { pid: p.pid });
    return svg`<g class="lane process${selected ? " selected" : ""}" transform="translate(0,${r.y})" data-pid=${p.pid} data-total=${total.toFixed(2)}>
      <rect class="lane-bg" x="0" y="1" width=${g.W} height=${g.rowH - 2}></rect>
      <text class="lane-label" x="8" y=${g.textY} font-size=${g.fs}>${label}</text>
      <g transform="translate(${g.stripX},${g.stripY})">
        <rect class="strip-bg" width=${g.stripW} height=${g.stripH}></rect>
        <path class="total" d=${totalPath(vals.slice(-g.ticks), g.stripW, g.stripH, g.ticks, top)}></path>
        ${top > 1 ? svg`<line class="one-core" x1="0" x2=${g.stripW} y1=${one} y2=${one}></line>` : ""}
      </g>
      <text class="lane-fig total-fig" x=${g.figX} y=${g.textY} font-size=${g.fs} text-anchor=${g.phone ? "end" : "start"}>${t("lanes.cores", { n: cores(total) })}</text>
    </g>`;
  }

  /** A thread's row: one bar per tick, coloured by the CPU it ran on, and its figures. */
  threadRow(r, p, g, selected) {
    const th = p.threads.find((x) => x.tid === r.tid);
    const bars = laneBars(this.book.points(r.tid).slice(-g.ticks), g.stripW, g.stripH, g.ticks);
    const name = threadName(th);
    return svg`<g class="lane thread${selected ? " selected" : ""}" transform="translate(0,${r.y})" data-pid=${p.pid} data-tid=${th.tid} data-load=${(th.load || 0).toFixed(2)} data-cpu=${th.cpu}>
      <text class="lane-label" x=${g.phone ? 8 : 24} y=${g.textY} font-size=${g.fs}>${th.tid} ${name}</text>
      <g transform="translate(${g.stripX},${g.stripY})">
        <rect class="strip-bg" width=${g.stripW} height=${g.stripH}></rect>
        ${bars.map((b) => svg`<path class=${`bar cpu-${b.cpu % 8}`} data-cpu=${b.cpu} d=${b.d}></path>`)}
      </g>
      ${figures(g, th.load || 0, this.book.rates(r.tid))}
    </g>`;
  }
}
