// The costs table: thread vs process, as measured by a lab process (see app/lab/costs.py).

import { dur, esc, size } from "./format.js";
import { t } from "./i18n.js";

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
  ["costs.switch", [["costs.threads2", "threads", "stack"], ["costs.processes2", "processes", "heap"]]],
  ["costs.speedup", [["costs.threads2", "threads_speedup", "stack"], ["costs.processes2", "processes_speedup", "heap"]]],
  ["costs.share", [["costs.threads2", "thread_cpu_share", "stack"], ["costs.processes2", "process_cpu_share", "heap"]]],
];

/** The whole table, as HTML; every figure is a median with its low–high range. */
export function costsMarkup(costs) {
  if (!costs) return `<p class="hint">${esc(t("costs.none"))}</p>`;
  const byName = new Map(costs.rows.map((r) => [r.name, r]));
  const out = [];
  for (const [gkey, items] of GROUPS) {
    const rows = items.map(([label, name, kind]) => [label, byName.get(name), kind]).filter(([, r]) => r);
    if (!rows.length) continue;
    // bars on a log scale for costs spanning orders of magnitude, linear otherwise
    const log = rows[0][1].unit === "s" || rows[0][1].unit === "B";
    const vals = rows.map(([, r]) => Math.max(r.median, 1e-9));
    const top = Math.max(...vals);
    const bottom = Math.min(...vals);
    const width = (v) => (log ? 20 + (80 * Math.log(v / bottom + 1)) / Math.log(top / bottom + 1) : (100 * v) / Math.max(top, 1));
    out.push(`<tr class="group"><th colspan="3">${esc(t(gkey))}</th></tr>`);
    for (const [label, r, kind] of rows) {
      out.push(`<tr data-name="${esc(r.name)}" data-median="${r.median}">
        <td>${esc(t(label))}</td>
        <td class="fig"><b>${esc(figure(r))}</b> <span class="range">${esc(figure(r, r.low))}–${esc(figure(r, r.high))} · n=${r.n}</span></td>
        <td class="barcell"><div class="cbar bar-${kind}" style="width:${width(Math.max(r.median, 1e-9)).toFixed(1)}%"></div></td></tr>`);
    }
  }
  const n = (costs.rows.find((r) => r.name.endsWith("_threads_wall")) || { name: "2_" }).name.split("_")[0];
  return `<table class="costs-table">${out.join("")}</table>
    <p class="costs-meta">${esc(t("costs.meta", { pid: costs.pid, s: costs.seconds.toFixed(1), cpus: costs.cpus, n }))}${costs.cancelled ? ` · ${esc(t("race.cancelled"))}` : ""}</p>
    <ul class="notes"><li>${esc(t("costs.note_gil"))}</li><li>${esc(t("costs.note_switch"))}</li><li>${esc(t("costs.note_fork"))}</li></ul>`;
}
