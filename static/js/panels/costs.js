// The costs table: thread vs process, as measured by a lab process (see app/lab/costs.py).

import { html } from "../dom.js";
import { dur, size } from "../format.js";
import { t } from "../i18n.js";

/** A figure in its unit: seconds, bytes, a speed-up or a share of one core. */
export function figure(row, v = row.median) {
  if (row.unit === "s") return dur(v);
  if (row.unit === "B") return size(Math.max(0, v));
  if (row.unit === "x") return `${v.toFixed(2)}×`;
  if (row.unit === "share") return `${Math.round(v * 100)} %`;
  return String(v);
}

// Which rows to compare, side by side: [label key, row name, bar colour kind]
const GROUPS = [
  ["costs.creation", [["costs.thread", "thread", "stack"], ["costs.fork", "fork", "heap"], ["costs.spawn", "spawn", "code"]]],
  ["costs.memory", [["costs.thread", "thread_uss", "stack"], ["costs.fork", "fork_uss", "heap"], ["costs.spawn", "spawn_uss", "code"]]],
  ["costs.switch", [["costs.sw_threads", "threads", "stack"], ["costs.sw_processes", "processes", "heap"], ["costs.sw_cross", "processes_cross", "code"]]],
  ["costs.speedup", [["costs.threadsN", "threads_speedup", "stack"], ["costs.processesN", "processes_speedup", "heap"]]],
  ["costs.share", [["costs.threadsN", "thread_cpu_share", "stack"], ["costs.processesN", "process_cpu_share", "heap"]]],
];

// The groups whose figures need the CPUs to themselves
const CPU_GROUPS = new Set(["costs.speedup", "costs.share"]);

const pct = (v) => `${Math.round(v * 100)} %`;

/** What the load during the CPU runs means for the figures: a line, and whether they can be trusted. */
export function loadNote(costs) {
  const load = t("costs.load", { other: pct(costs.other_load), steal: pct(costs.steal) });
  if (costs.reliable) return { reliable: true, text: load };
  // the real reason, with the figure that shows it
  const other = pct(costs.other_load);
  const why = costs.other_load >= 0.25
    ? t("costs.unreliable", { other })
    : costs.timed_out
      ? t("costs.unreliable_time", { s: costs.budget, other })
      : costs.cancelled
        ? t("costs.unreliable_cancelled")
        : t("costs.unreliable_runs", { other });
  return { reliable: false, text: why };
}

/** Bars on a log scale for costs spanning orders of magnitude (time, bytes), linear otherwise. */
function barWidths(rows) {
  const log = rows[0][1].unit === "s" || rows[0][1].unit === "B";
  const vals = rows.map(([, r]) => Math.max(r.median, 1e-9));
  const top = Math.max(...vals);
  const bottom = Math.min(...vals);
  return (v) => (log ? 20 + (80 * Math.log(v / bottom + 1)) / Math.log(top / bottom + 1) : (100 * v) / Math.max(top, 1));
}

/** One group of the table: its heading, then a row per figure with its bar. */
function groupView(gkey, rows, n, doubtful) {
  const width = barWidths(rows);
  return html`<tr class="group"><th colspan="3">${t(gkey, { n })}</th></tr>
    ${rows.map(
      ([label, r, kind]) => html`<tr data-name=${r.name} data-median=${r.median} class=${doubtful ? "doubtful" : ""}>
        <td>${t(label, { n })}</td>
        <td class="fig"><b>${figure(r)}</b> <span class="range">${figure(r, r.low)}–${figure(r, r.high)} · n=${r.n}</span></td>
        <td class="barcell"><div class=${`cbar bar-${kind}`} style=${`width:${width(Math.max(r.median, 1e-9)).toFixed(1)}%`}></div></td>
      </tr>`,
    )}`;
}

/** While a measurement runs: how long it has taken against its budget (the table below is the last one). */
export function progressView(elapsed, budget, words = "costs.measuring") {
  return html`<p class="costs-progress" role="status">
    <progress max=${budget} value=${Math.min(elapsed, budget)}></progress>
    ${t(words, { s: Math.round(elapsed), budget })}</p>`;
}

/** The whole table (lit-html); every figure is a median with its low–high range. */
export function costsView(costs) {
  if (!costs) return html`<p class="hint">${t("costs.none")}</p>`;
  const byName = new Map(costs.rows.map((r) => [r.name, r]));
  const n = costs.tasks || 2;
  const load = loadNote(costs);
  const groups = GROUPS.map(([gkey, items]) => [gkey, items.map(([label, name, kind]) => [label, byName.get(name), kind]).filter(([, r]) => r)]).filter(
    ([, rows]) => rows.length,
  );
  const meta = t("costs.meta", { pid: costs.pid, s: costs.seconds.toFixed(1), cpus: costs.cpus, n, task: dur(costs.task_seconds) });
  const discarded = costs.discarded.length ? ` · ${t("costs.discarded", { k: costs.discarded.length })}` : "";
  // When the machine was busy, the GIL verdict is not shown: the figures cannot carry it.
  const notes = [...(load.reliable ? [t("costs.note_gil")] : []), t("costs.note_switch"), t("costs.note_fork")];
  // the table on the left, what it means on the right: all of it fits a 1280×720 projector
  return html`<div class="costs-grid">
    <table class="costs-table">${groups.map(([gkey, rows]) => groupView(gkey, rows, n, CPU_GROUPS.has(gkey) && !load.reliable))}</table>
    <div class="costs-aside">
      <p class=${`costs-load ${load.reliable ? "ok" : "warn"}`} role=${load.reliable ? "note" : "alert"}>${load.text}</p>
      <ul class="notes">${notes.map((x) => html`<li>${x}</li>`)}</ul>
      <p class="costs-meta">${meta}${discarded}${costs.cancelled ? ` · ${t("race.cancelled")}` : ""}${costs.timed_out ? ` · ${t("costs.timed_out", { s: costs.budget })}` : ""}</p>
    </div>
  </div>`;
}
