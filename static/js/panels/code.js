// The code panel (presenter, key X): an editor with Python highlighting (CodeJar 4.3.0 and
// highlight.js 11.12.0, vendored), the built-in examples, Run (Ctrl+Enter) and Stop, and what the
// run printed. The run itself is real: its processes and threads appear in the lab like any other.

import { CodeJar } from "../../vendor/codejar/codejar.js";
import hljs from "../../vendor/highlight.js/core.min.js";
import python from "../../vendor/highlight.js/languages/python.min.js";
import { html, render } from "../dom.js";
import { t } from "../i18n.js";
import { isShortcut } from "../keys.js";
import { runReason } from "./captions.js";
import { Panel } from "./panel.js";

hljs.registerLanguage("python", python);

const RUN_TIMEOUT_MS = 20_000;

/** The status line of a run: running for N s, or how it ended. */
export function runStatus(run) {
  if (!run) return "";
  if (run.status === "running") return t("code.running", { pid: run.pid, n: run.processes });
  if (run.reason) return t("code.ended_by", { reason: runReason(run.reason) });
  return t("code.exited", { code: run.exit_code ?? "?" });
}

/** How runs are contained on this server, plainly: a warning where the kernel refused namespaces. */
export function isolationNote(server) {
  const iso = server && server.isolation;
  if (!iso) return "";
  return iso.namespaces
    ? html`<p class="code-isolation" data-isolated="true">${t("code.isolated")}</p>`
    : html`<p class="code-isolation warn" data-isolated="false">${t("code.not_isolated", { why: iso.why })}</p>`;
}

export class CodePanel extends Panel {
  constructor(ctx) {
    super(ctx);
    this.examples = [];
    this.name = "main.py";
    this.full = null; // the whole kept console, fetched when a run ends
    this.shownRun = null;
    this.codeOf = null; // the run whose source the editor shows (``ptlab run``'s script, say)
  }

  get open() {
    return document.body.classList.contains("code-open");
  }

  bind() {
    document.getElementById("toggle-code").addEventListener("click", () => this.toggle());
    document.addEventListener("keydown", (e) => {
      if (e.target.closest(".editor")) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.run();
        }
        return;
      }
      if (isShortcut(e) && (e.key === "x" || e.key === "X") && this.state.role === "presenter") this.toggle();
    });
  }

  async toggle(force) {
    const open = force ?? !this.open;
    if (open && (!this.state.server || !this.state.server.code)) {
      this.toasts.show(t("code.off"), "error");
      return;
    }
    document.body.classList.toggle("code-open", open);
    document.getElementById("toggle-code").setAttribute("aria-pressed", String(open));
    if (open && !this.jar) await this.build();
    this.render();
    this.changed();
  }

  async build() {
    try {
      this.examples = await (await fetch("/api/runs/examples")).json();
    } catch {
      this.examples = [];
    }
    render(
      html`<div class="code-head">
          <h2>${t("code.title")}</h2>
          <select class="examples" aria-label=${t("code.examples")} @change=${(e) => this.pick(e.target.value)}>
            <option value="">${t("code.examples")}</option>
            ${this.examples.map((x) => html`<option value=${x.name}>${x.name}</option>`)}
          </select>
        </div>
        ${isolationNote(this.state.server)}
        <pre class="editor hljs language-python" aria-label=${t("code.editor")}></pre>
        <div class="code-buttons">
          <button type="button" class="run" @click=${() => this.run()}>${t("code.run")} <kbd>Ctrl+Enter</kbd></button>
          <button type="button" class="stop danger" @click=${() => this.stop()}>${t("code.stop")}</button>
          <span class="code-status" aria-live="polite"></span>
        </div>
        <pre class="console" tabindex="0" aria-label=${t("code.console")}></pre>`,
      this.el,
    );
    const editor = this.el.querySelector(".editor");
    this.jar = CodeJar(editor, (el) => {
      el.removeAttribute("data-highlighted");
      hljs.highlightElement(el);
    });
    const first = this.examples.find((x) => x.name === "threading_race.py") || this.examples[0];
    if (first && !this.state.run) this.pick(first.name);
  }

  /** Show the source of a run the editor did not start itself (``ptlab run script.py``). */
  follow(run) {
    if (!run || this.codeOf === run.id) return;
    this.codeOf = run.id;
    fetch("/api/runs")
      .then((r) => r.json())
      .then((body) => {
        if (!body.run || body.run.id !== run.id || typeof body.code !== "string" || !this.jar) return;
        if (this.jar.toString() !== body.code) this.jar.updateCode(body.code);
        this.name = body.run.name;
        this.el.querySelector(".examples").value = "";
      })
      .catch(() => {});
  }

  pick(name) {
    const ex = this.examples.find((x) => x.name === name);
    if (!ex || !this.jar) return;
    this.name = ex.name;
    this.jar.updateCode(ex.code);
  }

  run() {
    if (!this.jar) return;
    this.full = null;
    this.conn
      .command({ op: "run_start", code: this.jar.toString(), name: this.name }, RUN_TIMEOUT_MS)
      .catch((err) => this.toasts.show(err.message, "error"));
  }

  stop() {
    this.conn.command({ op: "run_stop" }, RUN_TIMEOUT_MS).catch((err) => this.toasts.show(err.message, "error"));
  }

  /** Show the latest run's status and output (frames carry the console's last 4 KiB; the end fetches it all). */
  render() {
    if (!this.open || !this.jar) return;
    const run = this.state.run;
    this.follow(run);
    const status = this.el.querySelector(".code-status");
    const out = this.el.querySelector(".console");
    status.textContent = runStatus(run);
    status.dataset.status = run ? run.status : "";
    if (run && run.status === "exited" && this.shownRun !== run.id) {
      this.shownRun = run.id;
      fetch("/api/runs")
        .then((r) => r.json())
        .then((body) => {
          this.full = body.run;
          this.render();
        })
        .catch(() => {});
    }
    const shown = this.full && run && this.full.id === run.id ? this.full : run;
    const text = shown ? shown.console : "";
    if (out.textContent !== text) {
      out.textContent = text;
      out.scrollTop = out.scrollHeight;
    }
    out.dataset.run = run ? String(run.id) : "";
    out.dataset.status = run ? run.status : "";
    this.el.querySelector(".stop").disabled = !run || run.status !== "running";
  }
}
