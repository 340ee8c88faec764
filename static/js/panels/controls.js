// Presenter controls: buttons, keyboard, selection, toasts, help, theme, full screen.

import { html, render, repeat } from "../dom.js";
import { getLang, setLang, t } from "../i18n.js";
import { isShortcut } from "../keys.js";

const TOAST_MS = 4500;

// At most this many toasts at once: a projector is not a log.
const MAX_TOASTS = 2;

/**
 * A refusal from the server, in the page's language by its error code; the server's own words
 * (which may name a setting such as PTLAB_MAX_PROCESSES) only for the presenter, who can change it.
 */
// Reset ends every lab process at once: it asks for a second press within this many ms.
const RESET_CONFIRM_MS = 4000;

export function errorText(err, presenter) {
  if (err.code === "disconnected") return { text: t("err.not_connected"), detail: "" };
  const key = `err.code.${err.code}`;
  const known = t(key) !== `⟦${key}⟧`;
  return { text: known ? t(key) : t("err.failed"), detail: presenter || !known ? err.message : "" };
}

export class Toasts {
  constructor(el) {
    this.el = el;
    this.shown = new Map(); // text + detail -> {text, detail, kind, n, timer}
  }

  /** Show `text` (and a smaller `detail`); the same text again only counts up its badge. */
  show(text, kind = "error", detail = "") {
    const key = `${text}\n${detail}`;
    const toast = this.shown.get(key) || { key, text, detail, kind, n: 0, timer: null };
    toast.n += 1;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => this.drop(key), TOAST_MS);
    this.shown.set(key, toast);
    while (this.shown.size > MAX_TOASTS) this.drop(this.shown.keys().next().value, false);
    this.render();
  }

  /** Show a refused command. */
  error(err, presenter) {
    const { text, detail } = errorText(err, presenter);
    this.show(text, "error", detail);
  }

  drop(key, redraw = true) {
    const toast = this.shown.get(key);
    if (!toast) return;
    clearTimeout(toast.timer);
    this.shown.delete(key);
    if (redraw) this.render();
  }

  render() {
    const view = (x) => html`<div class=${`toast ${x.kind}`} role=${x.kind === "error" ? "alert" : "status"}>${x.text}<span class="count"
        >${x.n > 1 ? `×${x.n}` : ""}</span
      >${x.detail ? html`<small class="detail">${x.detail}</small>` : ""}</div>`;
    render(repeat([...this.shown.values()], (x) => x.key, view), this.el);
  }
}

/** Wires the control bar and keyboard to commands on the connection. */
export class Controls {
  constructor({ conn, state, toasts, onSelect, redraw }) {
    this.conn = conn;
    this.state = state;
    this.toasts = toasts;
    this.onSelect = onSelect;
    this.redraw = redraw;
    this.selection = { pid: null, tid: null };
    this.activity = document.getElementById("activity");
  }

  get presenter() {
    return this.state.role === "presenter";
  }

  bind() {
    document.querySelectorAll("[data-action]").forEach((btn) => {
      btn.addEventListener("click", () => this.act(btn.dataset.action));
    });
    document.getElementById("lang").addEventListener("click", () => setLang(getLang() === "en" ? "ko" : "en"));
    document.getElementById("theme").addEventListener("click", () => this.toggleTheme());
    document.getElementById("fullscreen").addEventListener("click", () => this.fullscreen());
    document.getElementById("help").addEventListener("click", () => this.help());
    document.getElementById("help-close").addEventListener("click", () => document.getElementById("helpdlg").close());
    document.addEventListener("keydown", (e) => this.key(e));
    const svg = document.getElementById("diagram");
    svg.addEventListener("click", (e) => {
      const th = e.target.closest(".thread");
      const card = e.target.closest(".card");
      if (th) this.select(Number(th.dataset.pid), Number(th.dataset.tid));
      else if (card) this.select(Number(card.dataset.pid), null);
    });
    const theme = localStorage.getItem("ptlab.theme");
    if (theme) document.body.dataset.theme = theme;
  }

  select(pid, tid) {
    this.selection = { pid, tid };
    this.onSelect(this.selection);
    this.redraw();
  }

  /** Keep the selection on something that exists; tell onSelect only when it changed (this runs every frame). */
  reconcile() {
    const { pid, tid } = this.selection;
    const p = pid !== null ? this.state.processes.get(pid) : null;
    if (!p || p.status !== "running") {
      const running = this.state.ordered().filter((q) => q.status === "running");
      this.selection = { pid: running.length ? running[running.length - 1].pid : null, tid: null };
    } else if (tid !== null && !p.threads.some((th) => th.tid === tid)) {
      this.selection = { pid, tid: null };
    }
    if (this.selection.pid !== pid || this.selection.tid !== tid || !this.announced) {
      this.announced = true;
      this.onSelect(this.selection);
    }
  }

  key(e) {
    if (!isShortcut(e)) return;
    const k = e.key;
    if (k === "?") return this.help();
    if ((k === "j" || k === "J") && this.presenter) return document.getElementById("join").click();
    if (k === "F" && e.shiftKey) return this.fullscreen();
    const map = { p: "spawn_process", t: "spawn_thread", f: "fork", r: "reset", delete: "stop_selected" };
    const action = e.shiftKey ? undefined : map[k.toLowerCase()];
    if (!action) return;
    e.preventDefault();
    this.act(action);
  }

  async act(action) {
    if (document.body.classList.contains("read-only")) return this.toasts.show(t("err.code.read_only"));
    if (!this.presenter) return this.toasts.show(t("err.forbidden"));
    const { pid, tid } = this.selection;
    let command;
    switch (action) {
      case "spawn_process":
        command = { op: "spawn_process" };
        break;
      case "fork":
        if (pid === null) return this.toasts.show(t("err.no_selection"));
        command = { op: "spawn_process", parent: pid };
        break;
      case "spawn_thread":
        if (pid === null) return this.toasts.show(t("err.no_selection"));
        command = { op: "spawn_thread", pid, activity: this.activity.value };
        break;
      case "stop_thread":
        if (tid === null) return this.toasts.show(t("err.no_thread"));
        command = { op: "stop_thread", pid, tid };
        break;
      case "stop_process":
        if (pid === null) return this.toasts.show(t("err.no_selection"));
        command = { op: "stop_process", pid };
        break;
      case "stop_selected":
        return this.act(tid !== null ? "stop_thread" : "stop_process");
      case "reset":
        // everything goes, with no undo: a second press within a few seconds says so
        if (!this.resetArmed || performance.now() - this.resetArmed > RESET_CONFIRM_MS) {
          this.resetArmed = performance.now();
          return this.toasts.show(t("reset.confirm"), "info");
        }
        this.resetArmed = 0;
        command = { op: "reset" };
        break;
      default:
        return undefined;
    }
    try {
      const result = await this.conn.command(command);
      if (command.op === "spawn_process") this.select(result.pid, null);
      if (command.op === "spawn_thread") this.select(result.pid, result.tid);
      if (command.op === "stop_thread") this.select(pid, null);
      return result;
    } catch (err) {
      this.toasts.error(err, this.presenter);
      return undefined;
    }
  }

  toggleTheme() {
    const next = document.body.dataset.theme === "light" ? "dark" : "light";
    document.body.dataset.theme = next;
    localStorage.setItem("ptlab.theme", next);
    this.redraw();
  }

  /** Presentation mode: everything 1.25× larger, the controls hidden (the keys still work), full screen. */
  fullscreen() {
    document.body.classList.toggle("present");
    document.documentElement.classList.toggle("present", document.body.classList.contains("present"));
    if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
    else document.exitFullscreen?.();
    // drawn larger at the next frame; the screen's own size, once full, comes with its resize event
    this.redraw();
    window.dispatchEvent(new Event("resize")); // what fits in the top bar changed
  }

  help() {
    const dlg = document.getElementById("helpdlg");
    if (dlg.open) dlg.close();
    else {
      dlg.showModal();
      dlg.scrollTop = 0;
    }
  }
}
