// The experiments panel: race, IPC and shared memory. Figures come from the server's
// replies and from the snapshot's races — nothing here computes a result.

import { costsView, progressView } from "./costs.js";
import { sweepView } from "./sweep.js";
import { html, nothing, render } from "../dom.js";
import { count, dur } from "../format.js";
import { t } from "../i18n.js";
import { isShortcut } from "../keys.js";
import { Panel } from "./panel.js";

// The server gives a measurement 30 s (JOB_TIMEOUT_S) after its lab process started (10 s at most).
const COSTS_TIMEOUT_MS = 45_000;
// What the measurement promises (app/lab/costs.py measure's budget): the progress bar's end.
const COSTS_BUDGET_S = 20;
// The switch sweep's budget (app/lab/switch_sweep.py BUDGET_S), and the server's wait for it (60 s).
const SWEEP_BUDGET_S = 30;
const SWEEP_TIMEOUT_MS = 75_000;
// What each tab of the costs dialog shows, measures with, and how long that may take.
const COSTS_TABS = {
  table: { op: "costs", run: "costs.run", budget: COSTS_BUDGET_S, timeout: COSTS_TIMEOUT_MS, progress: "costs.measuring" },
  sweep: { op: "switch_sweep", run: "sweep.run", budget: SWEEP_BUDGET_S, timeout: SWEEP_TIMEOUT_MS, progress: "sweep.measuring" },
};

/** One run as a row of figures with a bar: actual vs expected, lost in its own colour. */
export function runView(r) {
  const pct = r.expected ? (100 * r.actual) / r.expected : 0;
  return html`<div class="run" data-expected=${r.expected} data-actual=${r.actual} data-lost=${r.lost} data-lock=${r.lock}>
    <div class="run-head">${t("race.shape", { n: r.threads, k: count(r.increments) })} · ${r.lock ? t("race.with_lock") : t("race.no_lock")}${r.cancelled ? ` · ${t("race.cancelled")}` : ""}</div>
    <div class="run-figs"><span>${t("race.expected")} <b class="expected">${count(r.expected)}</b></span>
      <span>${t("race.actual")} <b class="actual">${count(r.actual)}</b></span>
      <span class=${r.lost > 0 ? "lost bad" : "lost good"}>${t("race.lost")} <b>${count(r.lost)}</b></span></div>
    <div class="bar"><div class="bar-fill" style=${`width:${pct.toFixed(1)}%`}></div></div>
  </div>`;
}

/** A menu of counts, ``sel`` chosen. */
const choices = (vals, sel) => vals.map((v) => html`<option value=${v} ?selected=${v === sel}>${count(v)}</option>`);

/** The panel's form: built once per language, so what the presenter chose stays chosen. */
function formView() {
  return html`<h2 data-i18n="lab.title">${t("lab.title")}</h2>
    <p id="lab-pid" class="hint"></p>
    <section class="exp" id="exp-race">
      <h3>${t("race.title")}</h3>
      <p class="hint">${t("race.hint")}</p>
      <div class="row">
        <label>${t("race.threads")} <select id="race-n">${choices([2, 3, 4, 5, 6, 7, 8], 4)}</select></label>
        <label>${t("race.increments")} <select id="race-k">${choices([1000, 10000, 20000, 100000], 20000)}</select></label>
        <label class="check"><input type="checkbox" id="race-lock" /> ${t("race.lock")}</label>
      </div>
      <div class="row">
        <button type="button" data-exp="race">${t("race.run")}</button>
        <button type="button" data-exp="cancel">${t("race.cancel")}</button>
      </div>
      <div id="race-runs" class="runs"></div>
    </section>
    <section class="exp" id="exp-ipc">
      <h3>${t("ipc.title")}</h3>
      <div class="row">
        <select id="ipc-kind">${["pipe", "socket", "file"].map((k) => html`<option value=${k}>${t(`ipc.${k}`)}</option>`)}</select>
        <label>→ <select id="ipc-to"></select></label>
      </div>
      <div class="row"><input id="ipc-text" maxlength="256" value="hello" /> <button type="button" data-exp="ipc">${t("ipc.send")}</button></div>
      <ul id="ipc-log" class="log"></ul>
    </section>
    <section class="exp" id="exp-shm">
      <h3>${t("shm.title")}</h3>
      <div class="row">
        <label>${t("shm.with")} <select id="shm-with"></select></label>
        <label>${t("race.increments")} <select id="shm-k">${choices([1000, 10000, 50000, 100000], 50000)}</select></label>
        <label class="check"><input type="checkbox" id="shm-lock" /> ${t("race.lock")}</label>
      </div>
      <div class="row"><button type="button" data-exp="shm">${t("shm.run")}</button></div>
      <div id="shm-runs" class="runs"></div>
    </section>
    <section class="exp" id="exp-response">
      <h3>${t("resp.title")}</h3>
      <p class="hint">${t("resp.hint")}</p>
      <div class="row"><button type="button" data-exp="response">${t("resp.run")}</button></div>
      <div id="response-result"></div>
    </section>
    <section class="exp" id="exp-costs">
      <div class="row"><button type="button" data-exp="costs">${t("costs.open")}</button></div>
    </section>`;
}

const ms = (v) => (v === null ? "–" : dur(v / 1000));

/** The response-time measurement: each way of working, how soon the answer came (median, 90th percentile). */
function responseView(r) {
  if (!r) return nothing;
  const warn = r.reliable ? nothing : html`<p class="warn" role="alert">${t("resp.busy", { p: Math.round(r.other_load * 100) })}</p>`;
  return html`<table class="response" data-pid=${r.pid}>
      <tr><th></th><th>${t("resp.median")}</th><th>${t("resp.p90")}</th></tr>
      ${r.rows.map((row) => html`<tr data-mode=${row.mode} data-p50=${row.p50 ?? ""}><td>${t(`resp.mode.${row.mode}`)}</td><td>${ms(row.p50)}</td><td>${ms(row.p90)}</td></tr>`)}
    </table>
    ${warn}
    <p class="hint">${t("resp.note", { si: dur(r.switch_interval_ms / 1000), chunk: dur(r.chunk_ms / 1000) })}</p>
    <p class="hint">${t("resp.meta", { pid: r.pid, n: r.rows.length ? r.rows[0].n : 0, s: r.seconds.toFixed(1) })}</p>`;
}

export class ExperimentsPanel extends Panel {
  constructor(ctx) {
    super(ctx);
    this.lastRunning = ""; // the running processes the choices were last built for
    this.messages = []; // recent ipc_message events
    this.shmRuns = []; // recent shm_finished results
    this.response = null; // the last response-time measurement (the presenter's reply)
    this.costsTab = "table"; // the costs dialog's tab: the table, or the switch sweep
    this.busy = false;
  }

  bind() {
    document.getElementById("toggle-lab").addEventListener("click", () => this.toggle());
    const dlg = document.getElementById("costsdlg");
    document.getElementById("costs-close").addEventListener("click", () => dlg.close());
    document.getElementById("costs-run").addEventListener("click", () => this.measure(COSTS_TABS[this.costsTab].op));
    dlg.querySelectorAll("[role=tab]").forEach((tab) => tab.addEventListener("click", () => this.showCosts(tab.dataset.tab)));
    document.getElementById("costs-cancel").addEventListener("click", () => this.measure("cancel_costs"));
    this.el.addEventListener("click", (e) => {
      const btn = e.target.closest("[data-exp]");
      if (btn && btn.dataset.exp === "costs") this.showCosts();
      else if (btn) this.run(btn.dataset.exp);
    });
    document.addEventListener("keydown", (e) => {
      if (!isShortcut(e)) return;
      if (e.key === "e" || e.key === "E") this.toggle();
    });
  }

  /** Open the costs dialog (on ``tab``, when given: "table" or "sweep"). */
  showCosts(tab = this.costsTab) {
    this.costsTab = tab;
    this.renderCosts();
    const dlg = document.getElementById("costsdlg");
    if (!dlg.open) dlg.showModal();
  }

  renderCosts() {
    const tab = COSTS_TABS[this.costsTab];
    const running = this.measuring && this.measuring.op === tab.op;
    const measuring = running ? progressView((performance.now() - this.measuring.t0) / 1000, tab.budget, tab.progress) : nothing;
    const body = this.costsTab === "sweep" ? sweepView(this.state.switchSweep) : costsView(this.state.costs);
    render(html`${measuring}${body}`, document.getElementById("costs-body"));
    document.querySelectorAll("#costsdlg [role=tab]").forEach((el) => el.setAttribute("aria-selected", String(el.dataset.tab === this.costsTab)));
    const run = document.getElementById("costs-run");
    run.dataset.i18n = tab.run;
    run.textContent = t(tab.run);
    const presenter = this.controls.presenter;
    run.disabled = !presenter;
    document.getElementById("costs-cancel").disabled = !presenter;
  }

  async measure(op) {
    if (!this.controls.presenter) return this.toasts.show(t("err.forbidden"));
    const dlg = document.getElementById("costsdlg");
    const tab = Object.values(COSTS_TABS).find((x) => x.op === op);
    if (tab) {
      dlg.classList.add("running");
      // progress while it measures: seconds so far against the budget, the old result dimmed below
      this.measuring = { op, t0: performance.now() };
      this.ticking = setInterval(() => this.renderCosts(), 500);
      this.renderCosts();
    }
    try {
      // a measurement on a busy machine takes its whole budget and more: wait for it
      return await this.conn.command({ op }, tab ? tab.timeout : undefined);
    } catch (err) {
      this.toasts.error(err, this.controls.presenter);
      return undefined;
    } finally {
      if (tab) {
        dlg.classList.remove("running");
        clearInterval(this.ticking);
        this.measuring = null;
      }
      this.renderCosts();
    }
  }

  get open() {
    return document.body.classList.contains("lab-open");
  }

  toggle(force) {
    document.body.classList.toggle("lab-open", force);
    this.render();
    this.changed();
  }

  /** The choices follow the running processes; results that arrive as events show on every screen. */
  onMessage(msg, events) {
    const running = this.state.ordered().filter((p) => p.status === "running").map((p) => p.pid).join();
    if (running !== this.lastRunning) {
      this.lastRunning = running;
      this.render();
    }
    this.onEvents(events);
  }

  /** Remember results that arrive as events (from any presenter) so every screen shows them. */
  onEvents(events) {
    for (const ev of events) {
      if (ev.kind === "ipc_message") this.messages = [ev, ...this.messages].slice(0, 3);
      if (ev.kind === "shm_finished" && ev.result) this.shmRuns = [ev.result, ...this.shmRuns].slice(0, 2);
    }
    if (events.some((e) => ["ipc_message", "shm_finished", "race_finished"].includes(e.kind))) this.render(true);
    const measured = events.some((e) => e.kind === "costs_finished" || e.kind === "switch_sweep_finished");
    if (measured && document.getElementById("costsdlg").open) this.renderCosts();
  }

  value(id) {
    return this.el.querySelector(`#${id}`).value;
  }

  async run(what) {
    if (!this.controls.presenter) return this.toasts.show(t("err.forbidden"));
    if (what === "response") return this.measureResponse();
    const pid = this.controls.selection.pid;
    if (pid === null) return this.toasts.show(t("err.no_selection"));
    let command;
    if (what === "race") {
      command = {
        op: "race",
        pid,
        threads: Number(this.value("race-n")),
        increments: Number(this.value("race-k")),
        lock: this.el.querySelector("#race-lock").checked,
      };
    } else if (what === "cancel") {
      command = { op: "cancel", pid };
    } else if (what === "ipc") {
      const to = Number(this.value("ipc-to"));
      if (!to) return this.toasts.show(t("err.need_two"));
      command = { op: "ipc", kind: this.value("ipc-kind"), sender: pid, receiver: to, message: this.value("ipc-text") || "hello" };
    } else if (what === "shm") {
      const other = Number(this.value("shm-with"));
      if (!other) return this.toasts.show(t("err.need_two"));
      command = {
        op: "shm",
        pids: [pid, other],
        increments: Number(this.value("shm-k")),
        lock: this.el.querySelector("#shm-lock").checked,
      };
    } else {
      return undefined;
    }
    this.el.classList.toggle("running", what !== "cancel");
    try {
      return await this.conn.command(command);
    } catch (err) {
      this.toasts.error(err, this.controls.presenter);
      return undefined;
    } finally {
      if (what !== "cancel") this.el.classList.remove("running");
    }
  }

  /** How soon a process answers while it computes, measured in a lab process of its own (a few seconds). */
  async measureResponse() {
    this.el.classList.add("running");
    try {
      this.response = await this.conn.command({ op: "response" }, COSTS_TIMEOUT_MS);
      this.render(true);
    } catch (err) {
      this.toasts.error(err, this.controls.presenter);
    } finally {
      this.el.classList.remove("running");
    }
  }

  /** Redraw the panel; form fields keep their values (only result areas and choices are rebuilt). */
  render(resultsOnly = false) {
    if (!this.open) return;
    if (!this.el.dataset.built) this.build();
    const pid = this.controls.selection.pid;
    const p = pid !== null ? this.state.processes.get(pid) : null;
    this.el.querySelector("#lab-pid").textContent = pid !== null ? t("selected.process", { pid }) : t("selected.none");
    const runs = p ? [...p.races].reverse().slice(0, 4) : [];
    render(runs.length ? runs.map(runView) : html`<p class="hint">${t("race.none")}</p>`, this.el.querySelector("#race-runs"));
    render(this.shmRuns.map(runView), this.el.querySelector("#shm-runs"));
    // the log forgets messages of processes that are gone: their envelopes point at nothing now
    this.messages = this.messages.filter((m) => this.state.processes.has(m.pid) && this.state.processes.has(m.peer));
    const line = (m) => t("ipc.line", { from: m.pid, to: m.peer, kind: t(`ipc.${m.detail}`), text: m.text });
    render(this.messages.map((m) => html`<li data-kind=${m.detail}>${line(m)}</li>`), this.el.querySelector("#ipc-log"));
    render(responseView(this.response), this.el.querySelector("#response-result"));
    if (resultsOnly) return;
    const others = this.state.ordered().filter((q) => q.status === "running" && q.pid !== pid);
    for (const id of ["ipc-to", "shm-with"]) {
      const sel = this.el.querySelector(`#${id}`);
      const keep = sel.value;
      render(others.map((q) => html`<option value=${q.pid}>PID ${q.pid}</option>`), sel);
      if (others.some((q) => String(q.pid) === keep)) sel.value = keep;
    }
    this.el.querySelectorAll("button, select, input").forEach((x) => {
      x.disabled = !this.controls.presenter && x.dataset.exp !== "costs"; // everyone may look at costs
    });
  }

  build() {
    // Again in a new language: lit updates the words in place, and what was chosen stays chosen.
    this.el.dataset.built = "1";
    render(formView(), this.el);
  }

  /** Language changed: rebuild the form in the new language (and the costs, if they are open). */
  relabel() {
    delete this.el.dataset.built;
    this.render();
    if (document.getElementById("costsdlg").open) this.renderCosts();
  }
}
