// The explanation strip: ties each event to the textbook claim it shows.

import { count } from "../format.js";
import { t } from "../i18n.js";

/** Translate the server's English exit/stop details ("killed by SIGKILL"…). */
export function detailText(detail) {
  if (!detail) return "";
  let m;
  if (detail === "stopped") return t("detail.stopped");
  if (detail === "ended (its parent collected its exit status)") return t("detail.reaped_by_parent");
  if (detail === "exited normally") return t("exit.normal");
  if ((m = /^exited with code (\d+)$/.exec(detail))) return t("exit.code", { code: m[1] });
  if ((m = /^killed by (\w+)$/.exec(detail))) return t("exit.signal", { sig: m[1] });
  if ((m = /^error: (.*)$/.exec(detail))) return t("detail.error", { error: m[1] });
  return detail;
}

// Why ptlab ended a run (RunView.reason), as app/control/runs.py words it: [i18n key, pattern].
const RUN_REASONS = [
  ["reason.stopped", /^stopped by the presenter$/],
  ["reason.reset", /^the lab was reset$/],
  ["reason.processes", /^process cap reached: more than (?<n>\d+) processes \(PTLAB_MAX_PROCESSES\)$/],
  ["reason.threads", /^thread cap reached: a process had (?<n>\d+) threads \(PTLAB_MAX_THREADS is (?<max>\d+)\)$/],
  ["reason.memory", /^memory limit reached: the run held (?<mib>\d+) MiB \(PTLAB_RUN_MEMORY_MIB is (?<limit>\d+)\)$/],
  ["reason.time", /^time limit reached: (?<s>[\d.]+) s \(PTLAB_RUN_SECONDS\)$/],
  ["reason.program_ended_one", /^the program ended; (?<n>1) of its processes was ended with it$/],
  ["reason.program_ended", /^the program ended; (?<n>\d+) of its processes were ended with it$/],
];

/** The i18n key and its parameters for why a run was ended; null for a reason not known here. */
export function runReasonKey(reason) {
  for (const [key, pattern] of RUN_REASONS) {
    const m = pattern.exec(reason);
    if (m) return [key, { ...m.groups }];
  }
  return null;
}

/** Why a run was ended, in the page's language (the server's words where it is not known). */
export function runReason(reason) {
  const known = runReasonKey(reason);
  return known ? t(...known) : reason;
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
