// The explanation strip: ties each event to the textbook claim it shows.

import { count } from "../format.js";
import { t } from "../i18n.js";

/** Translate the server's English exit/stop details ("killed by SIGKILL"…). */
export function detailText(detail) {
  if (!detail) return "";
  let m;
  if (detail === "stopped") return t("detail.stopped");
  if (detail === "exited normally") return t("exit.normal");
  if ((m = /^exited with code (\d+)$/.exec(detail))) return t("exit.code", { code: m[1] });
  if ((m = /^killed by (\w+)$/.exec(detail))) return t("exit.signal", { sig: m[1] });
  if ((m = /^error: (.*)$/.exec(detail))) return t("detail.error", { error: m[1] });
  return detail;
}

/** One line of text for a server event (EventView). */
export function caption(ev) {
  const r = ev.result;
  if (r) {
    const key = ev.kind === "race_finished" && r.lost === 0 && r.lock ? "cap.race_clean" : `cap.${ev.kind}`;
    return t(key, {
      pid: ev.pid,
      peer: ev.peer,
      n: r.threads,
      k: count(r.increments),
      expected: count(r.expected),
      actual: count(r.actual),
      lost: count(r.lost),
      lock: t(r.lock ? "race.with_lock" : "race.no_lock"),
    });
  }
  const detail = ev.kind === "ipc_message" ? t(`ipc.${ev.detail}`) : detailText(ev.detail);
  return t(`cap.${ev.kind}`, { pid: ev.pid, tid: ev.tid, parent: ev.parent, peer: ev.peer, text: ev.text, detail });
}

export class CaptionStrip {
  constructor(el) {
    this.el = el;
    this.last = null;
  }

  /** Show an event (or the welcome line if there is none); `flash` it when it just happened. */
  show(ev, flash = true) {
    this.last = ev;
    this.render(flash);
  }

  /** Write the caption again (in the language now chosen); the highlight only says "this is new". */
  render(flash = false) {
    const text = this.last ? caption(this.last) : t("cap.welcome");
    this.el.textContent = text;
    this.el.dataset.kind = this.last ? this.last.kind : "welcome";
    this.el.classList.remove("flash");
    if (!flash) return;
    void this.el.offsetWidth; // restart the highlight animation
    this.el.classList.add("flash");
  }
}
