// The explanation strip: ties each event to the textbook claim it shows.

import { count } from "../format.js";
import { t } from "../i18n.js";

// The server says some things in English words of its own: each wording known here, as
// [i18n key, pattern], its named groups the key's parameters. Exit and stop details
// (ProcessView.exit.reason, event details), as app/lab and app/control word them:
const DETAILS = [
  ["detail.stopped", /^stopped$/],
  ["detail.reaped_by_parent", /^ended \(its parent collected its exit status\)$/],
  ["exit.normal", /^exited normally$/],
  ["exit.code", /^exited with code (?<code>\d+)$/],
  ["exit.signal", /^killed by (?<sig>\w+)$/],
  ["detail.error", /^error: (?<error>.*)$/],
];
// why ptlab ended a run (RunView.reason), as app/control/runs.py words it:
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

/** The i18n key and its parameters for one of the server's wordings; null for one not known here. */
function wordingKey(wordings, text) {
  for (const [key, pattern] of wordings) {
    const m = pattern.exec(text);
    if (m) return [key, { ...m.groups }];
  }
  return null;
}

/** The server's words in the page's language (as the server gave them where they are not known). */
function translated(wordings, text) {
  const known = wordingKey(wordings, text);
  return known ? t(...known) : text;
}

/** An exit or stop detail ("killed by SIGKILL"…) in the page's language. */
export function detailText(detail) {
  return detail ? translated(DETAILS, detail) : "";
}

/** The i18n key and parameters of why a run was ended; null for a reason not known here. */
export function runReasonKey(reason) {
  return wordingKey(RUN_REASONS, reason);
}

/** Why a run was ended, in the page's language. */
export function runReason(reason) {
  return translated(RUN_REASONS, reason);
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

/**
 * The event a message should put in the caption, or null: a frame's newest; a snapshot's newest
 * when nothing is shown yet or it is newer (by time) than the one shown.
 */
export function next(isFrame, events, shown) {
  const ev = events.length ? events[events.length - 1] : null;
  if (!ev) return null;
  return isFrame || !shown || ev.ts > shown.ts ? ev : null;
}

export class CaptionStrip {
  constructor(el) {
    this.el = el;
    this.last = null;
  }

  /**
   * Show what a message brings, if anything: a frame's newest event, flashed as news; a snapshot's
   * newest event when the page shows none yet (drawn in place: the page just arrived) or when it
   * is newer than the one shown (flashed: a page that fell behind got a snapshot instead of the
   * frames it missed, and with them that event).
   */
  take(msg, events) {
    const ev = next(msg.type === "frame", events, this.last);
    if (ev) this.show(ev, msg.type === "frame" || this.last !== null);
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
