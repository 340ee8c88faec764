// The switch sweep (app/lab/switch_sweep.py): a switch's cost against the working set, threads
// against processes, drawn as curves with the caches marked, and what this machine says about it.

import { html, svg } from "../dom.js";
import { dur, size } from "../format.js";
import { t } from "../i18n.js";
import { sweepChart, sweepVerdict } from "../layout/sweep.js";

// the chart's box in the dialog: its text is drawn at 15 px of it, so a smaller box shows larger text
const WIDE = 620;
const HIGH = 330;
const us = (v) => dur(Math.max(v, 0) / 1e6);
const pct = (v) => `${Math.round(v * 100)} %`;
// axis ticks are powers of ten (µs) and of two (bytes): whole numbers, short enough not to collide
const tickUs = (v) => (v >= 1000 ? `${v / 1000} ms` : `${v} µs`);
const tickBytes = (b) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);

/** Why the figures cannot be trusted (null when they can), the same reasons as the costs table's. */
export function sweepDoubt(sweep) {
  if (sweep.other_load >= 0.25) return t("costs.unreliable", { other: pct(sweep.other_load) });
  if (sweep.timed_out) return t("sweep.unreliable_time", { s: sweep.budget });
  if (sweep.cancelled) return t("costs.unreliable_cancelled");
  return sweep.reliable ? null : t("costs.unreliable", { other: pct(sweep.other_load) });
}

/** The verdict in words: the small-working-set comparison, the knee (or that there was none), the largest. */
export function verdictLines(sweep) {
  const v = sweepVerdict(sweep);
  if (!v) return [];
  const lines = [t(`sweep.v_${v.small}`, { p: us(v.process_us), t: us(v.thread_us), r: v.ratio.toFixed(1) })];
  if (v.knee) {
    const k = v.knee;
    const cache = k.cache || t("sweep.the_caches");
    const params = { size: size(k.together), t: us(k.thread_us), p: us(k.process_us), cache, kind: t(`sweep.${k.who}`) };
    lines.push(t(k.who === "both" ? "sweep.v_knee" : "sweep.v_knee_one", params));
  } else {
    lines.push(t("sweep.v_flat", { size: size(v.last.together) }));
  }
  if (v.last.bytes > 0 && (!v.knee || v.last.bytes > v.knee.bytes)) {
    const x = v.last.growth >= 10 ? Math.round(v.last.growth) : v.last.growth.toFixed(1);
    lines.push(t("sweep.v_last", { size: size(v.last.bytes), t: us(v.last.thread_us), p: us(v.last.process_us), x }));
  }
  return lines;
}

/** The chart alone (a revealed sweep in the lesson shows it in the narration's place): curves, caches, axes. */
export function chartView(sweep, W = WIDE, H = HIGH) {
  const c = sweepChart(sweep, W, H);
  const { x0, x1, y0, y1 } = c.box;
  return html`<svg class="sweep-chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${t("sweep.chart")}>
    ${c.yticks.map((k) => svg`<line class="grid" x1=${x0} x2=${x1} y1=${k.y} y2=${k.y}></line>
      <text class="tick" x=${x0 - 6} y=${k.y + 5} text-anchor="end">${tickUs(k.us)}</text>`)}
    ${c.xticks.map((k) => svg`<text class="tick" x=${k.x} y=${y0 + 18} text-anchor="middle">${k.bytes ? tickBytes(k.bytes) : "0"}</text>`)}
    ${c.marks.map((m) => svg`<g class="cache-mark" data-cache=${m.name}><line x1=${m.x} x2=${m.x} y1=${y1 - 4} y2=${y0}></line>
      <text x=${m.x} y=${y1 - 8} text-anchor="middle">${m.name}</text></g>`)}
    <line class="axis" x1=${x0} x2=${x1} y1=${y0} y2=${y0}></line>
    <text class="axis-label" x=${(x0 + x1) / 2} y=${H - 4} text-anchor="middle">${t("sweep.axis_x")}</text>
    ${legendView(sweep, x0 + 10, y1 + 10)}
    ${c.lines.map(
      (l) => svg`<g class=${`sweep-line ${l.kind} tasks-${l.tasks > 2 ? "many" : "two"}`} data-kind=${l.kind} data-tasks=${l.tasks}>
        <path d=${l.d}></path>
        ${l.points.map(
          (p) => svg`<circle cx=${p.x} cy=${p.y} r="4" data-bytes=${p.bytes} data-us=${p.us}><title>${t("sweep.point", {
            kind: t(`sweep.${l.kind}`),
            n: l.tasks,
            size: size(p.bytes),
            us: us(p.us),
            spread: us(p.spread),
          })}</title></circle>`,
        )}
      </g>`,
    )}
  </svg>`;
}

/** Which line is which, in the plot's top left corner (where the curves, cheap at small working
 * sets, never are): colour for threads or processes, a dashed line for the ring of several. */
function legendView(sweep, x, y) {
  const many = Math.max(...sweep.points.map((p) => p.tasks));
  const keys = [
    ["sweep-key thread tasks-two", t("sweep.key", { kind: t("sweep.thread"), n: 2 })],
    ["sweep-key process tasks-two", t("sweep.key", { kind: t("sweep.process"), n: 2 })],
    ...(many > 2 ? [["sweep-key ring tasks-many", t("sweep.rings", { n: many })]] : []),
  ];
  return svg`<g class="sweep-legend">${keys.map(
    ([cls, words], i) => svg`<g class=${cls}><line x1=${x} x2=${x + 26} y1=${y + 20 * i} y2=${y + 20 * i}></line>
      <text x=${x + 32} y=${y + 20 * i + 5}>${words}</text></g>`,
  )}</g>`;
}

/** The machine the figures belong to: CPU, caches, PCID, page-table isolation. */
function machineLines(sweep) {
  const c = sweep.caches;
  const caches = ["L1d", "L2", "L3"].filter((k) => c[k]).map((k) => `${k} ${size(c[k])}`).join(" · ");
  const pcid = sweep.pcid === true ? "sweep.pcid_on" : sweep.pcid === false ? "sweep.pcid_off" : "sweep.pcid_unknown";
  return [
    `${sweep.cpu || t("sweep.cpu_unknown")}${caches ? ` · ${caches}` : ""}`,
    t(pcid),
    sweep.pti ? t("sweep.pti", { pti: sweep.pti }) : t("sweep.pti_unknown"),
  ];
}

/** The sweep's section of the costs dialog (lit-html). */
export function sweepView(sweep) {
  if (!sweep) return html`<p class="hint">${t("sweep.none")}</p>`;
  const doubt = sweepDoubt(sweep);
  if (!sweep.points.length) return html`<p class="costs-load warn" role="alert">${doubt}</p><p class="hint">${t("sweep.empty")}</p>`;
  const base = sweep.points.find((p) => p.bytes === 0 && p.tasks === 2);
  return html`<div class="costs-grid sweep" data-pid=${sweep.pid}>
    <div>${chartView(sweep)}</div>
    <div class="costs-aside">
      ${doubt ? html`<p class="costs-load warn" role="alert">${doubt}</p>` : html`<p class="costs-load ok">${t("sweep.load", { other: pct(sweep.other_load) })}</p>`}
      <ul class=${`notes sweep-verdict ${doubt ? "doubtful" : ""}`}>${verdictLines(sweep).map((x) => html`<li>${x}</li>`)}</ul>
      <ul class="notes">${machineLines(sweep).map((x) => html`<li>${x}</li>`)}<li>${t("sweep.note_textbook")}</li></ul>
      <p class="costs-meta">${t("sweep.meta", { pid: sweep.pid, s: sweep.seconds.toFixed(1), o: base ? us(base.overhead_us) : "–" })}</p>
    </div>
  </div>`;
}
