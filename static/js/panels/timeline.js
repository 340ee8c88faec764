// The time machine: pause the picture while the lab runs on, scrub back through the server's history
// (or a .ptlab file dropped on the page), step from event to event, export, and return to live.
// Keys: K pause/resume · , and . previous/next event · [ and ] mark a range to export · L live.

import { html, render } from "../dom.js";
import { t } from "../i18n.js";
import { isShortcut } from "../keys.js";
import { Panel } from "./panel.js";
import { append, loadRecording, marks, RecordingError, span, stateAt } from "../state/recording.js";

export class TimeMachine extends Panel {
  /** Besides the panel context: `onChange()`, the picture (or the mode) changed: redraw, tell the class. */
  constructor(ctx) {
    super(ctx);
    this.live = ctx.state; // the page's live LabState, which frames keep updating meanwhile
    this.rec = null; // the recording being looked at
    this.at = null; // the moment shown; null: live
    this.source = "live"; // "live" (the server's history), "replay" (a server replaying a file), "file" (dropped)
    this.fileName = "";
    this.range = [null, null]; // marked start and end, for export
    this.shown = null; // the LabState at `at`, rebuilt only when `at` moves
    this.loading = null;
  }

  get paused() {
    return this.at !== null;
  }

  /** The LabState to draw: the live one, or the one at the paused moment. */
  view() {
    return this.paused && this.shown ? this.shown : this.live;
  }

  bind() {
    const $ = (id) => this.el.querySelector(`#${id}`);
    this.slider = $("tm-range");
    this.marksEl = $("tm-marks");
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    $("tm-prev").addEventListener("click", () => this.step(-1));
    $("tm-next").addEventListener("click", () => this.step(1));
    $("tm-live").addEventListener("click", () => this.goLive());
    $("tm-in").addEventListener("click", () => this.mark(0));
    $("tm-out").addEventListener("click", () => this.mark(1));
    this.exportEl = $("tm-export");
    this.exportHtml = $("tm-export-html");
    document.addEventListener("keydown", (e) => {
      if (!isShortcut(e)) return;
      if (e.key === "k" || e.key === "K") this.paused ? this.goLive() : this.pause();
      else if (e.key === ",") this.step(-1);
      else if (e.key === ".") this.step(1);
      else if (e.key === "l" || e.key === "L") this.goLive();
      else if (e.key === "[") this.mark(0);
      else if (e.key === "]") this.mark(1);
      else return;
      e.preventDefault();
    });
    // A .ptlab file dropped anywhere on the page is replayed here, in the browser.
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => {
      const file = e.dataTransfer && e.dataTransfer.files[0];
      if (!file) return;
      e.preventDefault();
      this.openFile(file);
    });
  }

  /** Every live message: kept in the recording while paused, so the timeline runs on. */
  onMessage(msg) {
    this.onLive(msg);
  }

  onLive(msg) {
    if (this.rec && this.source === "live") append(this.rec, msg);
    if (this.paused) this.render();
  }

  async history() {
    // one fetch of the server's history when first paused; live messages extend it afterwards
    if (!this.loading) {
      this.loading = fetch("/api/history/export")
        .then((r) => (r.ok ? r.blob() : r.json().then((b) => Promise.reject(new RecordingError(b.message)))))
        .then(loadRecording)
        .finally(() => {
          this.loading = null;
        });
    }
    return this.loading;
  }

  /** Pause at the newest moment (or `at`), with the server's history behind it. */
  async pause(at = null) {
    if (this.source === "live" && (!this.rec || this.rec.messages.length < 2)) {
      try {
        this.rec = await this.history();
      } catch (err) {
        this.toasts.show(t("tm.no_history"), "error", err.message);
        return;
      }
    }
    if (!this.rec) return;
    this.seek(at === null ? span(this.rec)[1] : at);
  }

  /** Follow the presenter's moment (null: live). */
  async follow(at) {
    if (at === null) {
      if (this.source === "live") this.goLive();
      return;
    }
    if (this.rec && at <= span(this.rec)[1]) this.seek(at);
    else {
      this.rec = null; // the presenter is past what this page has: fetch again
      await this.pause(at);
    }
  }

  /** Replay a recording the server serves (`ptlab replay`): from its start; there is no live. */
  async replay() {
    this.source = "replay";
    try {
      this.rec = await this.history();
    } catch (err) {
      this.toasts.show(t("tm.no_history"), "error", err.message);
      return;
    }
    this.seek(span(this.rec)[0]);
  }

  /** A recording inside the page itself (the offline HTML export): replayed, with no server behind. */
  async openOffline(blob) {
    this.offline = true;
    this.source = "replay";
    this.rec = await loadRecording(blob);
    this.live.apply(this.rec.messages[0].msg); // who and what the page is: the recording's first picture
    this.seek(span(this.rec)[0]);
  }

  async openFile(file) {
    try {
      const rec = await loadRecording(file);
      this.rec = rec;
      this.source = "file";
      this.fileName = file.name;
      this.seek(span(rec)[0]);
    } catch (err) {
      this.toasts.show(t("tm.bad_file", { name: file.name }), "error", err.message);
    }
  }

  seek(at) {
    if (!this.rec) return;
    const [start, end] = span(this.rec);
    const next = Math.min(end, Math.max(start, at));
    // One time base while paused: the moment the pause began. The badge and the range count back
    // from it, so a step forward always shows a smaller −N, however long the pause lasts.
    if (!this.paused) this.base = this.source === "live" ? Math.max(end, this.live.ts || end) : end;
    if (next !== this.at || !this.shown) {
      this.at = next;
      this.shown = stateAt(this.rec, next);
    }
    this.render();
    this.onChange();
  }

  /** To the previous (-1) or next (+1) event on the timeline. */
  async step(dir) {
    if (!this.paused) await this.pause();
    if (!this.rec) return;
    const ms = marks(this.rec).map((m) => m.at);
    const target = dir < 0 ? ms.filter((x) => x < this.at - 1e-6).pop() : ms.find((x) => x > this.at + 1e-6);
    if (target !== undefined) this.seek(target);
  }

  /** The last event at or before the paused moment (for the caption), or null. */
  lastEvent() {
    if (!this.paused || !this.rec) return null;
    return marks(this.rec).filter((m) => m.at <= this.at).pop() || null;
  }

  mark(which) {
    if (!this.paused) return;
    this.range[which] = this.at;
    this.render();
  }

  goLive() {
    if (this.source === "replay") return; // nothing is live on a replaying server
    this.at = null;
    this.shown = null;
    this.range = [null, null];
    // live again: the next pause fetches the history afresh, so nothing piles up meanwhile
    this.source = "live";
    this.rec = null;
    this.render();
    this.onChange();
  }

  /** The badge that replaces "live": PAUSED −12 s, or REPLAY. */
  badge() {
    if (this.source !== "live") return t("tm.replay", { name: this.fileName || t("tm.recording") });
    if (!this.paused) return "";
    return t("tm.paused", { s: this.ago(this.at) });
  }

  /** Seconds from `at` back to the moment the pause began, as the badge and the range show them. */
  ago(at) {
    const behind = Math.max(0, (this.base ?? at) - at);
    return behind < 10 ? behind.toFixed(1) : String(Math.round(behind));
  }

  render() {
    const on = this.paused || this.source !== "live";
    document.body.classList.toggle("tm-open", on);
    if (!on || !this.rec) return;
    const [start, end] = span(this.rec);
    const r = this.slider;
    r.min = String(start);
    r.max = String(end);
    r.step = "0.05";
    r.value = String(this.at ?? end);
    r.setAttribute("aria-valuetext", this.badge());
    const width = Math.max(end - start, 1e-6);
    const key = `${start}:${end}`;
    if (this.marksKey !== key) {
      this.marksKey = key;
      const title = (m) => t(`tm.kind.${m.kind}`, { pid: m.pid ?? "", tid: m.tid ?? "" });
      render(
        marks(this.rec).map(
          (m) => html`<span class=${`tm-mark k-${m.kind}`} style=${`left:${(100 * (m.at - start)) / width}%`} title=${title(m)}></span>`,
        ),
        this.marksEl,
      );
    }
    const [a, b] = this.range;
    const q = new URLSearchParams();
    if (a !== null) q.set("start", String(Math.min(a, b ?? a)));
    if (b !== null) q.set("end", String(Math.max(b, a ?? b)));
    const query = q.size ? `?${q}` : "";
    this.exportEl.href = `/api/history/export${query}`;
    this.exportHtml.href = `/api/history/export.html${query}`;
    // a dropped file, or the offline page, has no server to export from
    this.exportEl.hidden = this.exportHtml.hidden = this.source === "file" || Boolean(this.offline);
    this.el.querySelector("#tm-range-label").textContent =
      a !== null || b !== null ? t("tm.range", { a: a === null ? "…" : `−${this.ago(Math.min(a, b ?? a))}`, b: b === null ? "…" : `−${this.ago(Math.max(b, a ?? b))}` }) : "";
    this.el.querySelector("#tm-live").disabled = this.source === "replay";
  }
}
