// Lesson mode: the scene's headline and narration, the stepper (←/→, progress dots), the question
// with its live tally (presenter) or vote buttons (viewers), the reveal, and the stepped race's
// threads with their code, their `tmp` and what each waits for. Everything shown comes from the
// server's LessonView and the scene process's `stepped` report; nothing is decided here.

import { html, nothing, render } from "../dom.js";
import { count } from "../format.js";
import { getLang, t } from "../i18n.js";
import { isShortcut } from "../keys.js";
import { Panel } from "./panel.js";
import { holderOf, lostUpdates, progress, runStatus, tally, threadLines } from "../layout/scene.js";
import { stateWord } from "../draw/card.js";
import { errorText } from "./controls.js";
import { chartView } from "./sweep.js";

const AUTO_MS = 900;

const say = (text) => (text ? text[getLang()] || text.en : "");

// a reveal line's values as the page says them: an IPC kind by its name in the page's language
const noteParams = (params) => (params && params.kind ? { ...params, kind: t(`ipc.${params.kind}`) } : params || {});

function figureValue(v) {
  return Number.isInteger(v) ? count(v) : String(Math.round(v * 100) / 100);
}

export class LessonBar extends Panel {
  /** Besides the panel context: `onScene(pid)`, a scene's lab is ready: the presenter points the class at its first process. */
  constructor(ctx) {
    super(ctx);
    this.sceneShown = null;
    this.mine = new Map(); // question id -> this viewer's answer (shown back to them)
    this.auto = null; // the auto-step timer
    this.wanted = null; // the scene asked for and not shown yet: → pressed twice goes two scenes on
    this.shown = false;
  }

  onMessage(msg) {
    // No lesson on, none begun or ended, and the bar already drawn closed: nothing of it changed.
    // Drawing it anyway set its attributes ten times a second, each a style invalidation.
    if (!this.state.lesson && !this.shown && msg.type !== "snapshot") return;
    this.render();
  }

  get presenter() {
    // a recorded lesson is watched, not steered: no buttons that could only fail
    return this.state.role === "presenter" && !document.body.classList.contains("read-only");
  }

  bind() {
    document.getElementById("lesson-start").addEventListener("click", () => this.toggle());
    this.el.addEventListener("submit", (e) => {
      e.preventDefault();
      const input = e.target.querySelector("input[type=number]");
      if (input && input.value !== "") this.vote(Number(input.value));
    });
    document.addEventListener("keydown", (e) => {
      if (!isShortcut(e) || !this.presenter) return;
      if (e.key === "g" || e.key === "G") this.toggle();
      const lesson = this.state.lesson;
      if (!lesson) return;
      const i = this.wanted ?? lesson.scene.index;
      if (e.key === "ArrowRight" && i + 1 < lesson.scenes.length) this.go(i + 1);
      else if (e.key === "ArrowLeft" && i > 0) this.go(i - 1);
      else if (e.key === "v" || e.key === "V") this.reveal();
      else if (/^[1-9]$/.test(e.key) && Number(e.key) <= this.steppedThreads()) this.step(Number(e.key)).catch(() => {});
      else if (e.key === "a" || e.key === "A") this.toggleAuto();
      else return;
      e.preventDefault();
    });
  }

  // ---- commands (presenter) -------------------------------------------------------------------
  send(command, timeoutMs) {
    return this.conn.command(command, timeoutMs).catch((err) => {
      this.toasts.show(err.message, "error");
      throw err;
    });
  }

  toggle() {
    if (!this.presenter) return;
    const cmd = this.state.lesson ? { op: "lesson_end" } : { op: "lesson_go", index: 0 };
    this.send(cmd, 60_000).catch(() => {});
  }

  go(index) {
    this.stopAuto();
    this.wanted = index;
    this.send({ op: "lesson_go", index }, 60_000)
      .catch(() => {})
      .finally(() => {
        if (this.wanted === index) this.wanted = null;
      });
  }

  reveal() {
    const scene = this.state.lesson && this.state.lesson.scene;
    if (!scene || !scene.reveal) return;
    // a costs measurement takes its time (the experiments panel waits as long)
    this.send({ op: "lesson_reveal" }, 90_000).catch(() => {});
  }

  stepPid() {
    const scene = this.state.lesson && this.state.lesson.scene;
    return scene && scene.kind === "stepped" && scene.pids.length ? scene.pids[0] : null;
  }

  /** How many threads the scene's stepped run has (0: none). */
  steppedThreads() {
    const pid = this.stepPid();
    const p = pid === null ? null : this.state.processes.get(pid);
    return p && p.stepped ? p.stepped.threads.length : 0;
  }

  step(thread) {
    const pid = this.stepPid();
    if (pid === null) return Promise.resolve();
    return this.send({ op: "step", pid, thread });
  }

  toggleAuto() {
    if (this.auto) {
      this.stopAuto();
      return;
    }
    const tick = () =>
      this.step(null)
        .then(() => {
          if (this.auto) this.auto = setTimeout(tick, AUTO_MS);
        })
        .catch(() => this.stopAuto());
    this.auto = setTimeout(tick, 0);
    this.render();
  }

  stopAuto() {
    clearTimeout(this.auto);
    this.auto = null;
    this.render();
  }

  // ---- votes (viewers) ------------------------------------------------------------------------
  vote(answer) {
    const q = this.state.lesson && this.state.lesson.scene.question;
    if (!q || !q.open) return;
    this.conn
      .vote(q.id, answer)
      .then(() => {
        this.mine.set(q.id, answer);
        this.render();
      })
      .catch((err) => {
        const { text, detail } = errorText(err, false);
        this.toasts.show(text, "error", detail);
      });
  }

  // ---- drawing ----------------------------------------------------------------------------------
  render() {
    const lesson = this.state.lesson;
    const show = Boolean(lesson);
    document.body.classList.toggle("lesson-open", show);
    // the scene's text, then its question and its stepped threads side by side where they both are
    const s = lesson && lesson.scene;
    const parts = s ? 1 + Boolean(s.question || (s.reveal && s.reveal !== "stepped")) + (s.kind === "stepped") : 1;
    this.el.dataset.parts = String(parts);
    this.el.dataset.kind = s ? s.kind : "";
    document.getElementById("lesson-start").setAttribute("aria-pressed", String(show));
    if (!lesson && this.auto) this.stopAuto();
    render(lesson ? this.view(lesson) : nothing, this.el);
    const ready = s && !lesson.busy && s.pids.length ? `${s.id}:${s.pids[0]}` : null;
    if (ready && ready !== this.sceneShown && this.presenter && this.state.processes.has(s.pids[0])) {
      this.sceneShown = ready;
      this.onScene(s.pids[0]);
    }
    if (show !== this.shown) {
      this.shown = show;
      this.changed();
    }
  }

  view(lesson) {
    const s = lesson.scene;
    const n = lesson.scenes.length;
    const dots = progress(n, s.index);
    return html`<div class="lesson-nav">
          ${this.presenter
            ? html`<button type="button" class="lesson-prev" ?disabled=${s.index === 0} @click=${() => this.go(s.index - 1)}>◀ ${t("lesson.prev")} <kbd>←</kbd></button>`
            : nothing}
          <ol class="dots" aria-label=${t("lesson.scene", { i: s.index + 1, n })}>
            ${dots.map(
              (d, i) => html`<li class=${`dot ${d}`} data-scene=${lesson.scenes[i]} aria-current=${d === "current" ? "step" : "false"}>
                ${this.presenter
                  ? html`<button type="button" aria-label=${t("lesson.dot", { i: i + 1 })} @click=${() => this.go(i)}></button>`
                  : nothing}
              </li>`,
            )}
          </ol>
          <span class="lesson-count">${t("lesson.scene", { i: s.index + 1, n })}</span>
          ${this.presenter
            ? html`<button type="button" class="lesson-next" ?disabled=${s.index + 1 >= n} @click=${() => this.go(s.index + 1)}>${t("lesson.next")} ▶ <kbd>→</kbd></button>`
            : nothing}
          ${this.presenter && lesson.aside && lesson.aside.length
            ? html`<span class="lesson-aside" data-aside=${lesson.aside.join(" ")} title=${t("lesson.aside_tip")}>${t("lesson.aside", { n: lesson.aside.length })}</span>`
            : nothing}
          ${lesson.busy ? html`<span class="lesson-busy" role="status">${t(`lesson.busy_${lesson.busy}`)}</span>` : nothing}
          ${this.presenter
            ? html`<button type="button" class="lesson-end" @click=${() => this.toggle()}>${t("lesson.end")} <kbd>G</kbd></button>`
            : nothing}
        </div>
      <div class="lesson-main">
        <h2 class="lesson-headline" data-scene=${s.id}>${say(s.headline)}</h2>
        ${this.sweepChart(s.revealed) || html`<p class="lesson-narration">${say(s.narration)}</p>`}
        ${lesson.error && this.presenter ? html`<p class="lesson-error" role="alert">${this.errorLine(lesson)}</p>` : nothing}
      </div>
      ${this.questionView(s, lesson)}${this.revealOnly(s, lesson)}${this.steppedView(s)}`;
  }

  questionView(s, lesson) {
    const q = s.question;
    if (!q) return nothing;
    const rows = tally(q);
    const revealed = s.revealed;
    const mine = this.mine.get(q.id);
    // the projector shows the live tally; a student sees it once the answer is out (no herding)
    const showTally = this.presenter || !q.open;
    const label = (o) => say(o.label);
    const optionView = (o, r) => {
      const cls = `option${r.correct === true ? " right" : r.correct === false ? " wrong" : ""}${mine === o.id ? " mine" : ""}`;
      const bar = showTally
        ? html`<span class="bar" aria-hidden="true"><span class="bar-fill" style=${`width:${(100 * r.share).toFixed(1)}%`}></span></span>
            <span class="votes" data-votes=${r.votes}>${r.votes}</span>`
        : nothing;
      const mark = r.correct === true ? html`<span class="mark">✓ ${t("lesson.right")}</span>` : nothing;
      if (!this.presenter && q.open && q.kind === "choice") {
        return html`<li class=${cls} data-option=${o.id}>
          <button type="button" class="vote" aria-pressed=${String(mine === o.id)} @click=${() => this.vote(o.id)}>${label(o)}</button>
        </li>`;
      }
      return html`<li class=${cls} data-option=${o.id} data-correct=${String(r.correct)}>
        <span class="option-label">${label(o)}</span>${bar}${mark}
      </li>`;
    };
    return html`<section class="question" data-question=${q.id} data-open=${String(q.open)} data-votes=${q.votes}>
      <h3 class="prompt">${say(q.prompt)}</h3>
      <ul class="options">${q.options.map((o, i) => optionView(o, rows[i]))}</ul>
      ${!this.presenter && q.open && q.kind === "number"
        ? html`<form class="number-vote"><label>${t("lesson.number")} <input type="number" step="any" required inputmode="decimal"></label>
            <button type="submit">${t("lesson.send")}</button></form>`
        : nothing}
      <p class="question-foot">
        ${this.presenter && q.open
          ? html`<button type="button" class="reveal" ?disabled=${Boolean(lesson.busy)} @click=${() => this.reveal()}>${t("lesson.reveal")} <kbd>V</kbd></button> `
          : nothing}
        ${showTally ? html`<span class="total">${t("lesson.votes", { n: q.votes })}</span>` : nothing}
        ${q.outside && showTally ? html` · ${t("lesson.outside", { n: q.outside })}` : nothing}
        ${q.open
          ? this.presenter
            ? nothing
            : mine !== undefined
              ? html`<span class="mine-line">${t("lesson.your_vote", { answer: typeof mine === "number" ? mine : label(q.options.find((o) => o.id === mine)) })}</span>`
              : html`${t("lesson.vote_hint")}`
          : html` · ${t("lesson.closed")}`}
      </p>
      ${revealed ? this.measuredView(revealed, q.figure) : nothing}
    </section>`;
  }

  measuredView(revealed, figure) {
    const names = figure ? [figure] : Object.keys(revealed.figures);
    return html`<p class="measured" data-experiment=${revealed.experiment} data-value=${revealed.value ?? ""}>
      ${names.map((f) => html`<span>${t("lesson.measured", { figure: t(`fig.${f}`), value: figureValue(revealed.figures[f]) })}</span> `)}
      ${revealed.reliable ? nothing : html`<strong class="unreliable">${t("lesson.unreliable")}</strong>`}
      <small>${revealed.note ? t(`reveal.note.${revealed.note}`, noteParams(revealed.params)) : revealed.detail}</small>
    </p>`;
  }

  /** Once a switch sweep is revealed, its curves take the narration's place (read by then): the class
   * sees the shape it was asked to predict beside the answer. Null for any other scene. */
  sweepChart(revealed) {
    const sweep = this.state.switchSweep;
    if (!revealed || revealed.experiment !== "switch_sweep" || !sweep || sweep.pid !== revealed.params.pid) return null;
    // a smaller box than the dialog's: the same 15 px text comes out larger in the narration's place
    return html`<div class="lesson-sweep">${chartView(sweep, 470, 220)}</div>`;
  }

  /** Why the last setup or reveal failed, in the page's language when its code has words of its own. */
  errorLine(lesson) {
    const { text, detail } = errorText({ code: lesson.error_code, message: lesson.error }, false);
    if (detail) return detail; // no words of its own: the server's
    return lesson.error_code === "not_finished" ? text : html`${text} <small>${lesson.error}</small>`;
  }

  revealOnly(s, lesson) {
    // a scene that shows an experiment without asking first (IPC): a Run button and its result
    if (s.question || !s.reveal || s.reveal === "stepped") return nothing;
    return html`<section class="question run-only">
      ${this.presenter
        ? html`<button type="button" class="reveal" ?disabled=${Boolean(lesson.busy)} @click=${() => this.reveal()}>${t("lesson.run")} <kbd>V</kbd></button>`
        : nothing}
      ${s.revealed ? this.measuredView(s.revealed, null) : nothing}
    </section>`;
  }

  steppedView(s) {
    if (s.kind !== "stepped") return nothing;
    const p = s.pids.length ? this.state.processes.get(s.pids[0]) : null;
    const run = p && p.stepped;
    if (!run) return html`<section class="stepped"><p>${t("step.none")}</p></section>`;
    // stopped (the way out of a deadlock): its threads are gone with it, and the panel says so
    if (p.status !== "running") return html`<section class="stepped" data-stopped="true"><p class="good">${t("step.stopped", { pid: p.pid })}</p></section>`;
    const { finished, deadlocked } = runStatus(run);
    const lost = lostUpdates(run);
    const osState = (tid) => {
      const th = p.threads.find((x) => x.tid === tid);
      return th ? th.state : "?";
    };
    const threadView = (th) => {
      const st = osState(th.tid);
      const holder = th.waiting ? holderOf(run, th.waiting) : null;
      return html`<div class=${`step-thread${th.waiting ? " waiting" : ""}${th.next === "done" ? " done" : ""}`}
          data-index=${th.index} data-tid=${th.tid} data-next=${th.next} data-state=${st} data-tmp=${th.tmp ?? ""}>
        <div class="step-head">
          ${this.presenter
            ? html`<button type="button" class="step-btn" ?disabled=${Boolean(th.waiting) || th.next === "done"} @click=${() => this.step(th.index).catch(() => {})}>
                ${t("step.thread", { i: th.index })} <kbd>${th.index}</kbd></button>`
            : html`<b>${t("step.thread", { i: th.index })}</b>`}
          <span class="step-tid">TID ${th.tid} · <span class=${`os-state state-${st}`}>${stateWord(st)}</span>${th.next === "done" ? html` · <span class="step-done">${t("step.done")}</span>` : nothing}</span>
        </div>
        ${th.waiting
          ? html`<div class="step-wait">${holder ? t("step.waiting", { lock: th.waiting, holder }) : t("step.waiting_free", { lock: th.waiting })}</div>`
          : nothing}
        <div class="step-vars"><span class="step-tmp">${th.tmp === null ? t("step.unset") : t("step.tmp", { v: count(th.tmp) })}</span>
          ${th.holds.length ? html`<span class="step-holds">${t("step.holds", { locks: th.holds.join(", ") })}</span>` : nothing}</div>
        <ol class="code">
          ${threadLines(run.mode, th).map(
            (l) => html`<li class=${`${l.at ? "at" : ""}${l.done ? " ran" : ""}`}><code>${l.code}</code></li>`,
          )}
        </ol>
      </div>`;
    };
    // the shared counter and the verdict first: below the threads they would scroll out of sight
    return html`<section class="stepped" data-mode=${run.mode} data-counter=${run.counter} data-lost=${lost ?? ""}>
      <div class="step-title">
        <span><span class="step-counter">${t("step.counter", { v: count(run.counter) })}</span>
          ${finished && lost !== null ? html` · <span class=${`step-verdict ${lost > 0 ? "bad" : "good"}`}>${t("step.lost", { e: count(run.expected), c: count(run.counter), lost })}</span>` : nothing}
          ${finished && lost === null ? html` · ${t("step.finished")}` : nothing}
          ${!finished && !deadlocked ? html` · <span class="step-hint">${this.presenter ? t("step.title", { last: run.threads.length }) : t("step.title_viewer")}</span>` : nothing}
          ${deadlocked ? html` · <strong class="bad deadlock" role="status">${t("step.deadlock")}</strong>` : nothing}
        </span>
        ${this.presenter && deadlocked
          ? html`<button type="button" class="danger stop-deadlock" @click=${() => this.send({ op: "stop_process", pid: p.pid }).catch(() => {})}>${t("btn.stop_process")}</button>`
          : nothing}
        ${this.presenter && !deadlocked
          ? html`<button type="button" class="step-auto" aria-pressed=${String(Boolean(this.auto))} @click=${() => this.toggleAuto()}>${t("step.auto")} <kbd>A</kbd></button>`
          : nothing}
      </div>
      <div class="step-threads">${run.threads.map(threadView)}</div>
    </section>`;
  }
}
