// Wires connection → state → diagram, captions and controls.

import { CaptionStrip } from "./panels/captions.js";
import { Connection } from "./state/connection.js";
import { Controls, Toasts } from "./panels/controls.js";
import { render, tipFor } from "./draw/diagram.js";
import { ExperimentsPanel } from "./panels/experiments.js";
import { fly } from "./draw/flight.js";
import { hostWords } from "./format.js";
import { applyStatic, getLang, onLangChange, t } from "./i18n.js";
import { JoinOverlay } from "./panels/join.js";
import { isShortcut } from "./keys.js";
import { LaneBook, LanesView } from "./panels/lanes.js";
import { CodePanel, runStatus } from "./panels/code.js";
import { LessonBar } from "./panels/lesson.js";
import { PyStackPanel } from "./panels/pystack.js";
import { LabState } from "./state/state.js";
import { TimeMachine } from "./panels/timeline.js";

const state = new LabState();
const svg = document.getElementById("diagram");
const connEl = document.getElementById("conn");
const roleEl = document.getElementById("role");
const selEl = document.getElementById("selection");
const strip = new CaptionStrip(document.getElementById("caption"));
const toasts = new Toasts(document.getElementById("toasts"));
const tooltip = document.getElementById("tooltip");
const overlay = document.getElementById("overlay");
let connStatus = ["connecting"];
let drawQueued = false;

function draw() {
  drawQueued = false;
  if (lanesOpen()) {
    if (!book.seeded) seedLanes();
    lanes.render(controls.selection);
    return;
  }
  render(svg, {
    state: tm.view(),
    selection: controls.selection,
    emptyText: emptyText(),
  });
  bringIntoView();
}

/** What an empty stage says: how to start, or, after a run of the class's code, how it ended. */
function emptyText() {
  const start = t(state.role === "presenter" ? "empty.presenter" : "empty.viewer");
  const run = state.run;
  if (!run || run.status !== "exited" || tm.paused) return start;
  const raised = run.traceback ? run.traceback.trim().split("\n").pop() : "";
  return [t("empty.run_ended", { name: run.name, how: runStatus(run) }), ...(raised ? [raised] : []), t("empty.run_more")];
}

// The lanes' first 30 s come from the server's history, asked for once the lanes are first shown.
let seeding = false;
function seedLanes() {
  if (seeding || tm.source !== "live" || (state.server && state.server.replay)) return;
  seeding = true;
  fetch("/api/state")
    .then((r) => (r.ok ? r.json() : null))
    .then((body) => {
      if (body) book.seed(body);
      redraw();
    })
    .catch(() => {})
    .finally(() => {
      book.seeded = true; // once: without the history the lanes simply start now
      seeding = false;
    });
}

// On a phone the cards are one column taller than the screen: a newly selected card (the
// presenter's, a scene's) is scrolled into view by itself, and again when the stage's height changes.
let inView = "";
function bringIntoView() {
  const pid = controls.selection.pid;
  // only a stacked stage (a phone) scrolls to a card: elsewhere the height is not even read, as
  // reading it right after a draw forces the browser to lay the page out there and then
  if (pid === null || svg.dataset.mode !== "stack") return;
  const scroller = svg.parentElement;
  const key = `${pid}:${scroller.clientHeight}`;
  if (key === inView) return;
  const card = svg.querySelector(`.card[data-pid="${pid}"]`);
  if (!card) return;
  inView = key;
  const [y, h] = [Number(card.dataset.y), Number(card.dataset.h)];
  const top = scroller.scrollTop;
  if (y < top || y + Math.min(h, scroller.clientHeight) > top + scroller.clientHeight) {
    scroller.scrollTo({ top: Math.max(0, y - 10), behavior: "smooth" });
  }
}

function redraw() {
  if (!drawQueued) {
    drawQueued = true;
    requestAnimationFrame(draw);
  }
}

function showSelection(sel) {
  selEl.textContent =
    sel.pid === null
      ? t("selected.none")
      : sel.tid === null
        ? t("selected.process", { pid: sel.pid })
        : t("selected.thread", { pid: sel.pid, tid: sel.tid });
}

function showStatus(status, retry) {
  connStatus = [status, retry];
  connEl.dataset.status = status;
  // paused or replaying, the badge says so instead of "live"
  const badge = status === "live" ? tm.badge() : "";
  connEl.textContent = badge || (status === "lost" ? t("conn.lost", { s: retry }) : t(`conn.${status}`));
}

/**
 * Whose kernel the figures are: a sentence in help always, and inside WSL or a container a pill in
 * the top bar where it has room (presentation mode, students, 1920 px; not beside a presenter's
 * tools at 1280 px, which fill the bar).
 */
function showHost() {
  const { sentence, pill } = hostWords(state.server && state.server.host);
  const pillEl = document.getElementById("host");
  document.getElementById("help-host").textContent = sentence;
  pillEl.textContent = pill;
  pillEl.title = sentence;
  pillEl.hidden = !pill;
  const bar = pillEl.parentElement;
  if (pill && bar.scrollWidth > bar.clientWidth) pillEl.hidden = true;
}
window.addEventListener("resize", showHost);

function showRole() {
  document.body.dataset.role = state.role;
  // a recording (ptlab replay, the offline export) can be watched and scrubbed, never changed
  document.body.classList.toggle("read-only", Boolean(state.server && state.server.replay) || Boolean(tm.offline));
  roleEl.textContent = t(`role.${state.role}`);
  document.querySelectorAll(".controls button, .controls select").forEach((el) => {
    el.disabled = state.role !== "presenter";
  });
}

const conn = new Connection({
  onMessage: (msg) => {
    if (msg.type === "snapshot") book.reset();
    const events = state.apply(msg);
    book.record(state);
    if (tm.paused) showStatus(...connStatus); // "PAUSED −12 s" counts on
    if (msg.type === "snapshot" && state.server && state.server.replay && tm.source !== "replay") tm.replay();
    if (msg.type === "snapshot") {
      showRole();
      showHost();
    }
    // paused, the caption tells what happened at the paused moment (the time machine keeps it), not live;
    // what a page finds on arriving is shown, not flashed as news
    if (!tm.paused) strip.take(msg, events);
    if (msg.focus && follow.on && state.role !== "presenter") followPresenter();
    controls.reconcile();
    for (const p of panels) p.onMessage(msg, events);
    redraw();
    if (msg.type === "frame") {
      // after the redraw, so the cards the envelope flies between are in place
      for (const ev of events.filter((e) => e.kind === "ipc_message")) {
        requestAnimationFrame(() => fly(svg, overlay, ev, t(`ipc.${ev.detail}`)));
      }
    }
  },
  onStatus: showStatus,
});

const controls = new Controls({
  conn,
  state,
  toasts,
  onSelect: (sel) => {
    showSelection(sel);
    pystack.follow(sel);
    panel.render();
    tellClass();
  },
  redraw,
});

// Following the presenter: a viewer shows what the presenter selected and whether the
// experiments panel is open, unless they chose to explore on their own.
const follow = { on: localStorage.getItem("ptlab.explore") !== "1" };
const followBtn = document.getElementById("follow");

function followPresenter() {
  const f = state.focus;
  if (f.pid !== null && state.processes.has(f.pid)) controls.selection = { pid: f.pid, tid: f.tid };
  if (panel.open !== f.panel) panel.toggle(f.panel);
  if (lanesOpen() !== Boolean(f.lanes)) toggleLanes(Boolean(f.lanes));
  if ((f.at ?? null) !== tm.at && tm.source !== "file") tm.follow(f.at ?? null);
  showSelection(controls.selection);
  pystack.follow(controls.selection);
  redraw();
}

function showFollow() {
  followBtn.textContent = t(follow.on ? "btn.following" : "btn.exploring");
  followBtn.setAttribute("aria-pressed", String(follow.on));
}

followBtn.addEventListener("click", () => {
  follow.on = !follow.on;
  localStorage.setItem("ptlab.explore", follow.on ? "0" : "1");
  showFollow();
  if (follow.on) followPresenter();
});

// The presenter's side: every change of selection or panel is sent, so viewers can follow.
let told = "";
let telling = null;
function tellClass() {
  // Scrubbing the timeline moves the moment many times a second: tell the class once it rests.
  clearTimeout(telling);
  telling = setTimeout(tellClassNow, tm.paused ? 150 : 0);
}

function tellClassNow() {
  if (state.role !== "presenter") return;
  const { pid, tid } = controls.selection;
  const focus = {
    op: "focus",
    pid,
    tid,
    panel: document.body.classList.contains("lab-open"),
    lanes: lanesOpen(),
    at: tm.source === "live" ? tm.at : null,
  };
  const key = JSON.stringify(focus);
  if (key === told) return;
  told = key;
  conn.command(focus).catch(() => {
    told = ""; // say it again with the next change
  });
}
// Every panel is made from the same context (static/js/panel.js) and driven alike below.
const context = (id, more = {}) => ({
  el: document.getElementById(id),
  conn,
  state,
  controls,
  toasts,
  changed: () => {
    redraw();
    tellClass();
  },
  ...more,
});
const panel = new ExperimentsPanel(context("lab"));
// The time machine: paused, the picture is rebuilt from the history; the lab (and `state`) runs on.
const tm = new TimeMachine(
  context("timeline", {
    onChange: () => {
      showStatus(...connStatus);
      const ev = tm.lastEvent();
      if (ev) strip.show(ev);
      redraw();
      tellClass();
    },
  }),
);
// Lesson mode: scenes, votes and the stepped race, above the stage; the selected thread's Python stack beside it.
const lesson = new LessonBar(context("lesson", { changed: redraw, onScene: (pid) => controls.select(pid, null) }));
const pystack = new PyStackPanel(context("pystack"));
const code = new CodePanel(context("code", { changed: redraw }));
const panels = [panel, tm, lesson, pystack, code, new JoinOverlay(context("joindlg"))];

// The CPU lanes, shown instead of the cards: recorded from every message, drawn when open.
const book = new LaneBook();
const lanes = new LanesView(document.getElementById("lanes"), {
  state,
  book,
  onPick: (pid, tid) => {
    if (state.role === "presenter" || !follow.on) controls.select(pid, tid);
  },
});
const lanesBtn = document.getElementById("toggle-lanes");

function lanesOpen() {
  return document.body.classList.contains("lanes-open");
}

function toggleLanes(force) {
  document.body.classList.toggle("lanes-open", force);
  lanesBtn.setAttribute("aria-pressed", String(lanesOpen()));
  redraw();
  tellClass();
}
lanesBtn.addEventListener("click", () => toggleLanes());
document.addEventListener("keydown", (e) => {
  if (!isShortcut(e)) return;
  if (e.key === "c" || e.key === "C") toggleLanes();
});

// Tooltips by delegation, so they survive the diagram being redrawn ten times a second.
// Hover shows them; a tap (no hover on touch screens) shows them too.
function showTip(e) {
  const el = e.target.closest("[data-tip]");
  if (!el) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = tipFor(el, state);
  tooltip.hidden = false;
  const x = Math.min(e.clientX + 16, window.innerWidth - tooltip.offsetWidth - 8);
  const y = Math.min(e.clientY + 16, window.innerHeight - tooltip.offsetHeight - 8);
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${y}px`;
}
svg.addEventListener("pointermove", showTip);
svg.addEventListener("pointerdown", showTip);
svg.addEventListener("pointerleave", () => {
  tooltip.hidden = true;
});

onLangChange(() => {
  showFollow();
  showRole();
  showHost();
  showStatus(...connStatus);
  showSelection(controls.selection);
  strip.render();
  document.getElementById("lang").textContent = t("lang.switch");
  for (const p of panels) p.relabel();
  redraw();
});
window.addEventListener("resize", redraw);
// A phone's menu: the tools fold behind ☰; choosing one folds them away again.
const menu = document.getElementById("menu");
function setMenu(open) {
  document.body.classList.toggle("menu-open", open);
  menu.setAttribute("aria-expanded", String(open));
}
menu.addEventListener("click", () => setMenu(!document.body.classList.contains("menu-open")));
document.getElementById("tools").addEventListener("click", (e) => {
  if (e.target.closest("button")) setMenu(false);
});
document.documentElement.lang = getLang();
applyStatic();
document.getElementById("lang").textContent = t("lang.switch");
showSelection(controls.selection);
showFollow();
strip.render();
controls.bind();
for (const p of panels) p.bind();
// The offline HTML export carries its recording: replay it, with no server to connect to.
const offline = document.getElementById("ptlab-recording");
if (offline) {
  const bytes = Uint8Array.from(atob(offline.textContent.trim()), (c) => c.charCodeAt(0));
  tm.openOffline(new Blob([bytes]))
    .then(() => {
      showRole();
      showHost();
      showStatus("live");
    })
    .catch((err) => toasts.show(t("tm.bad_file", { name: "" }), "error", err.message));
} else {
  conn.open();
}
// Exposed for tests and for curious students with a console open.
window.ptlab = { state, conn, controls, panel, book, tm, lesson, pystack, code };
