// The selected thread's live Python stack: its frames, outermost first, with their local
// variables. Asked of the thread's own process (GET .../stack) only while a thread is selected
// and the page is visible, once a second.

import { html, nothing, render } from "../dom.js";
import { t } from "../i18n.js";
import { Panel } from "./panel.js";

const POLL_MS = 1000;

// The lab's own frames and the innermost one show their variables; the standard library's
// outer frames (threading's bootstrap) only their place, so the frames that matter fit.
const showLocals = (f, i, n) => f.file.startsWith("app/") || i === n - 1;

export class PyStackPanel extends Panel {
  constructor(ctx) {
    super(ctx);
    this.target = null; // {pid, tid}
    this.stack = null;
    this.error = null;
    this.timer = null;
    this.asking = false;
  }

  /** It polls the selected thread's stack on its own: a frame changes nothing here. */
  onMessage() {}

  /** Show (or stop showing) the stack of the selected thread. */
  follow(sel) {
    const target = sel && sel.pid !== null && sel.tid !== null ? { pid: sel.pid, tid: sel.tid } : null;
    const same = target && this.target && target.pid === this.target.pid && target.tid === this.target.tid;
    if (same || (!target && !this.target)) return;
    this.target = target;
    this.stack = null;
    this.error = null;
    clearTimeout(this.timer);
    this.render();
    if (target) this.ask();
  }

  async ask() {
    const target = this.target;
    if (!target || this.asking) return;
    if (document.visibilityState === "visible") {
      this.asking = true;
      try {
        const resp = await fetch(`/api/processes/${target.pid}/threads/${target.tid}/stack`);
        const body = await resp.json();
        if (target !== this.target) return;
        if (resp.ok) {
          this.stack = body;
          this.error = null;
        } else {
          this.error = body.message || resp.statusText;
        }
      } catch (err) {
        this.error = err.message;
      } finally {
        this.asking = false;
      }
      this.render();
    }
    if (target === this.target) this.timer = setTimeout(() => this.ask(), POLL_MS);
  }

  render() {
    document.body.classList.toggle("pystack-open", Boolean(this.target));
    if (!this.target) {
      render(nothing, this.el);
      return;
    }
    const frames = this.stack ? this.stack.frames : [];
    render(
      html`<h2>${t("stack.title", { tid: this.target.tid })}</h2>
        <p class="hint">${this.error ? t("stack.gone", { why: this.error }) : t("stack.hint")}</p>
        <ol class="frames">
          ${frames.map(
            (f, i) => html`<li class="frame" data-function=${f.function}>
              <div class="frame-head"><code class="fn">${f.function}</code> <span class="where">${f.file}:${f.line ?? "?"}</span></div>
              ${showLocals(f, i, frames.length) && Object.keys(f.locals).length
                ? html`<dl class="locals">${Object.entries(f.locals).map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl>`
                : nothing}
            </li>`,
          )}
        </ol>`,
      this.el,
    );
  }
}
