// A compact process card, for focus + context: the lab does not fit at a readable size, so every
// process but the one in focus shows only what a class can read from the back: its PID, how many
// threads, its RSS, what its threads do, and a strip of its memory kinds. Click it to bring it into focus.

import { nothing, svg } from "../dom.js";
import { BOLD, size } from "../format.js";
import { t } from "../i18n.js";
import { bands, miniLayout } from "../layout/layout.js";
import { activitySummary, enter, fitted } from "./card.js";

/** The memory strip: each kind's share of the (log-scaled) whole, in textbook order. */
function strip(p, box) {
  const bs = bands(p.regions).filter((b) => b.bytes > 0);
  const weights = bs.map((b) => 1 + Math.log2(1 + b.bytes / 4096));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let x = box.x;
  return bs.map((b, i) => {
    const w = (box.w * weights[i]) / total;
    const part = svg`<rect x=${x} y=${box.y} width=${w} height=${box.h} class=${`fill-${b.kind}`}/>`;
    x += w;
    return part;
  });
}

const threadsWord = (n) => (n === 1 ? t("card.thread1") : t("mini.threads", { n }));

export function miniView(p, box, ctx) {
  const L = miniLayout(box.w, box.h, ctx.minText);
  const exited = p.status === "exited";
  const selected = ctx.selection.pid === p.pid;
  const n = p.threads.length;
  const facts = exited
    ? [[t("card.gone")], []]
    : [
        [`${threadsWord(n)} · ${size(p.rss)}`, threadsWord(n)],
        [activitySummary(p.threads), activitySummary(p.threads, 2), activitySummary(p.threads, 1)],
      ];
  const room = box.w - 2 * L.pad;
  const lines = facts.map((texts) => (texts.length ? fitted(texts, room, L.line, ctx.minText) : null));
  const pid = t("card.pid", { pid: p.pid });
  const title = fitted([p.parent ? `${pid} ← ${p.parent}` : pid, pid, `${p.pid}`], room * BOLD, L.fs, ctx.minText);
  return svg`<g class=${`card mini${selected ? " selected" : ""}${exited ? " exited" : ""}`} data-pid=${p.pid}
      data-run=${p.run ?? ""} data-probe=${String(p.probe !== false)}
      data-status=${p.status} data-x=${box.x} data-y=${box.y} data-w=${box.w} data-h=${box.h} data-tip="mini"
      style=${`transform: translate(${box.x}px, ${box.y}px)`}>
    <g class=${`card-body ${enter(ctx.state.age(`p:${p.pid}`))}`}>
      <rect x="0" y="0" width=${box.w} height=${box.h} rx="8" class="card-bg"/>
      ${title ? svg`<text x=${L.title.x} y=${L.title.y} class="card-title" dominant-baseline="central" font-size=${title.f}>${title.text}</text>` : nothing}
      ${lines.map((fit, i) => (fit ? svg`<text x=${L.pad} y=${L.facts[i]} class="card-sub" dominant-baseline="central" font-size=${fit.f}>${fit.text}</text>` : nothing))}
      ${exited ? nothing : strip(p, L.strip)}
    </g>
  </g>`;
}
