// One whole process card: header, memory column (bands, one stack slice per thread), threads panel,
// counter footer. No text is drawn below the layout's minimum size: a label that cannot fit is
// shortened, and dropped if even that cannot fit. Threads beyond what fits share one "+N" chip.

import { detailText } from "../panels/captions.js";
import { guard, nothing, repeat, svg } from "../dom.js";
import { BOLD, fitFont, fitWidth, hex, size } from "../format.js";
import { getLang, t } from "../i18n.js";
import { bands, cardLayout } from "../layout/layout.js";

export const ENTER_MS = 700;

export const enter = (age) => (age < ENTER_MS ? "enter" : "");

/** The largest font ≤ max at which one of `texts` (tried in order) fits `width`, not below `min`. */
export function fitted(texts, width, max, min) {
  for (const text of texts) {
    const f = fitFont(text, width, max, 0);
    if (f >= min) return { text, f };
  }
  return null;
}

function text(x, y, cls, fit, extra = {}) {
  if (!fit) return nothing;
  const anchor = extra.anchor || "start";
  return svg`<text x=${x} y=${y} class=${cls} text-anchor=${anchor} dominant-baseline="central" font-size=${fit.f}>${fit.text}</text>`;
}

export function swatch(kind, x, y, w, h) {
  return svg`<rect x=${x} y=${y} width=${w} height=${h} class=${`fill-${kind}`}/>
    <rect x=${x} y=${y} width=${w} height=${h} class=${`pat-${kind}`}/>`;
}

function bandView(b, box, L, name) {
  const first = b.regions[0];
  const { x, y, w, h } = box;
  const label = h >= L.minText * 1.05 ? fitted([name], w - 12, Math.min(L.small, h * 0.9), L.minText) : null;
  // the label is bold (wider than the estimate) and the two need a space between them: never "Heap18.2 MiB"
  const sizeFit = label ? fitted([size(b.bytes)], w - 18 - fitWidth(name, label.f) / BOLD - label.f * 0.6, L.minText, L.minText) : null;
  return svg`<g class=${`band kind-${b.kind}`} data-kind=${b.kind} data-bytes=${b.bytes}
      data-count=${b.regions.length} data-start=${first ? first.start : ""} data-tip="band">
    ${swatch(b.kind, x, y, w, h)}
    ${text(x + 8, y + h / 2, "band-label", label)}
    ${sizeFit ? text(x + w - 6, y + h / 2, "band-size", sizeFit, { anchor: "end" }) : nothing}
  </g>`;
}

/** One stack slice: a thread's own stack, the stacks of threads summarised in "+N", or stacks a fork copied. */
function sliceView(slice, box, L, age) {
  const { x, y, w, h } = box;
  const { th, copies, hidden, step } = slice;
  const st = th ? th.stack : copies ? copies[0] : null;
  // a stepped thread's `tmp` lives in its own stack: drawn there, read from its live frame
  const tmp = step ? `tmp = ${step.tmp === null ? "–" : step.tmp}` : null;
  const names = tmp
    ? [`${t("kind.stack")} ${th.tid} · ${tmp}`, tmp, `${th.tid}`]
    : th
    ? [`${t("kind.stack")} ${th.tid}`, `${th.tid}`]
    : copies
      ? [t(copies.length === 1 ? "kind.copied_1" : "kind.copied_n", { n: copies.length }), t("kind.copied_short", { n: copies.length }), `+${copies.length}`]
      : [t("kind.more_stacks", { n: hidden }), `+${hidden}`];
  const label = h >= L.minText * 1.05 ? fitted(names, w - 10, Math.min(L.small, h * 0.9), L.minText) : null;
  const cls = `band kind-stack stack-slice${th && th.main ? " main" : ""}${copies ? " copied" : ""}${hidden ? " more" : ""} ${enter(age)}`;
  const sp = th && st ? spOf(th) : null;
  return svg`<g class=${cls} data-kind="stack" data-tid=${th ? th.tid : 0} data-start=${st ? st.start : ""} data-tmp=${step && step.tmp !== null ? step.tmp : nothing}
      data-end=${st ? st.end : ""} data-count=${copies ? copies.length : hidden || 1} data-tip="slice">
    ${swatch("stack", x, y, w, h)}
    ${th && st && st.guard ? svg`<rect x=${x} y=${y + h - 2} width=${w} height="2" class="guard"/>` : nothing}
    ${text(x + 8, y + h / 2, "band-label", label)}
    ${sp !== null ? spPin(sp, st, box) : nothing}
  </g>`;
}

/** A waiting thread's stack pointer, when the kernel gave it and it lies in the thread's own stack. */
function spOf(th) {
  const sp = th.regs ? th.regs.sp : null;
  return sp !== null && th.stack && sp >= th.stack.start && sp <= th.stack.end ? sp : null;
}

/** The SP pin: a wedge on the slice's right edge at SP's real offset from the top (the stack grows
 * down from its end; a few KiB used of 8 MiB is a pin at the top, and that is the truth). */
function spPin(sp, st, box) {
  const { x, y, w, h } = box;
  const s = Math.max(4, Math.min(10, h * 0.8));
  const py = y + Math.min(h - s / 2, Math.max(s / 2, (h * (st.end - sp)) / (st.end - st.start)));
  return svg`<path class="sp-pin" data-sp=${sp} d=${`M${x + w},${py} l${-s},${-s / 2} v${s} z`}></path>`;
}

const WAITS = {
  futex: "futex", futex_waitv: "futex", clock_nanosleep: "sleep", nanosleep: "sleep", pause: "other",
  read: "read", recvfrom: "read", recvmsg: "read", write: "write",
  select: "select", pselect6: "select", poll: "select", ppoll: "select",
  epoll_wait: "select", epoll_pwait: "select", epoll_pwait2: "select",
  wait4: "child", waitid: "child", accept: "accept", accept4: "accept",
};

/** What a waiting thread waits for, in plain words, with the system call unless `call` is false:
 * "sleeps (clock_nanosleep)". */
export function waitWords(regs, call = true) {
  if (!regs.syscall) return t("wait.none");
  const words = t(`wait.${WAITS[regs.syscall] || "other"}`);
  return call ? t("wait.call", { words, call: regs.syscall }) : words;
}

/** The mapping an address lies in, named: a file's base name (libc.so.6, the interpreter) or its kind. */
export function mappingAt(regions, addr) {
  const r = (regions || []).find((x) => x.start <= addr && addr < x.end);
  if (!r) return "?";
  return r.path && !r.path.startsWith("[") ? r.path.split("/").pop() : t(`kind.${r.kind}`);
}

export function stateWord(s) {
  const w = t(`state.${s}`);
  return w.startsWith("⟦") ? s : w;
}

/** What a thread is called on the page: "main", the name a run's program gave it, or what it does. */
export function threadName(th) {
  return th.main ? t("thread.main") : th.py_name || t(`activity.${th.activity}`);
}

/** The text of a thread chip: its label and its state line, long and short. */
export function chipText(th) {
  const label = `${t("thread.tid", { tid: th.tid })}${th.main ? ` · ${t("thread.main")}` : ""}`;
  const doing = th.main ? "" : ` · ${threadName(th)}`;
  const cpu = t("thread.cpu", { cpu: th.cpu });
  const info = `${stateWord(th.state)} · ${cpu}${doing}`;
  // shorter, the activity is left out first: the state keeps its word (never "S" beside "sleeping")
  const brief = `${stateWord(th.state)} · ${cpu}`;
  // a waiting thread says what it waits in, from its registers: "waits on a lock (futex) · count";
  // where that is too long, without the call's name, then as a thread that only sleeps
  const waits = th.regs ? [`${waitWords(th.regs)}${doing}`, `${waitWords(th.regs, false)}${doing}`] : [];
  return { label, info, brief, waits, short: `${th.tid} ${threadName(th)}` };
}

/** A chip's text: two lines when it is tall enough, else TID and activity with the CPU in the dot. */
function chipLines(th, box, L) {
  const { x, y, w, h } = box;
  const words = chipText(th);
  const tx = x + L.panel.swatch + 10;
  const room = w - L.panel.swatch - 16;
  const run = th.state === "R";
  const two = L.panel.twoLine ? fitted([words.label], room - 20, L.fs * 0.92, L.minText) : null;
  const lines = [...words.waits, words.info, words.brief];
  const info = two ? fitted(lines, room - 20, Math.max(L.minText, two.f * 0.8), L.minText) : null;
  // two lines only when both are readable; else one line of TID and activity, the CPU in the dot
  if (!two || !info) {
    const r = h * 0.36;
    const cpu = r * 1.35 >= L.minText;
    const one = fitted([words.short, `${th.tid}`], room - (cpu ? h * 0.8 : 14), Math.min(L.small, h * 0.62), L.minText);
    return svg`${text(tx, y + h / 2, "thread-tid", one)}
      <circle cx=${x + w - (cpu ? h * 0.45 : 10)} cy=${y + h / 2} r=${cpu ? r : Math.min(6, h / 4)} class=${`dot-${run ? "run" : "wait"}`}/>
      ${cpu ? svg`<text x=${x + w - h * 0.45} y=${y + h / 2 + 0.5} class=${`dot-cpu${run ? " run" : ""}`} text-anchor="middle" dominant-baseline="central" font-size=${r * 1.35}>${th.cpu}</text>` : nothing}`;
  }
  return svg`${text(tx, y + h * 0.33, "thread-tid", two)}
    ${text(tx, y + h * 0.72, "thread-info", info)}
    <circle cx=${x + w - 12} cy=${y + h / 2} r=${Math.min(7, h / 4)} class=${`dot-${run ? "run" : "wait"}`}/>`;
}

function chipView(p, th, box, L, ctx) {
  const selected = ctx.selection.pid === p.pid && ctx.selection.tid === th.tid;
  const touched = p.counter && p.counter.last_tid === th.tid;
  const cls = `thread state-${th.state}${th.main ? " main" : ""}${selected ? " selected" : ""}${touched ? " touched" : ""} ${enter(ctx.state.age(`t:${p.pid}:${th.tid}`))}`;
  const sw = L.panel.swatch;
  return svg`<g class=${cls} data-pid=${p.pid} data-tid=${th.tid} data-state=${th.state} data-cpu=${th.cpu}
      data-activity=${th.activity} data-tip="thread">
    <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="6" class="chip"/>
    ${swatch("stack", box.x + 5, box.y + (box.h - sw) / 2, sw * 0.8, sw)}
    ${chipLines(th, box, L)}
  </g>`;
}

/** What threads are doing, most common first: "24 idle · 3 count"; with `most`, only that many kinds and "…". */
export function activitySummary(threads, most = Infinity) {
  const counts = new Map();
  for (const th of threads) {
    const a = th.main ? "main" : th.activity;
    counts.set(a, (counts.get(a) || 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${n} ${t(`activity.${a}`)}`);
  return parts.length > most ? `${parts.slice(0, most).join(" · ")} …` : parts.join(" · ");
}

function moreChipView(p, hidden, box, L) {
  const { x, y, w, h } = box;
  const label = fitted([`${t("thread.more", { n: hidden.length })} · ${activitySummary(hidden)}`, t("thread.more", { n: hidden.length })], w - 16, Math.min(L.small, h * 0.62), L.minText);
  return svg`<g class="thread-more" data-pid=${p.pid} data-count=${hidden.length} data-tip="more">
    <rect x=${x} y=${y} width=${w} height=${h} rx="6" class="chip more"/>
    ${text(x + 8, y + h / 2, "thread-tid", label)}
  </g>`;
}

/** The card's footer: the counter (address, value, physical page) and any shared-memory counters. */
export function counterLines(p, processes, server) {
  const c = p.counter;
  if (!c || p.status !== "running") return [];
  const own = t("card.counter", { addr: hex(c.address), value: c.value });
  const last = c.last_tid ? ` · ${t("counter.last", { tid: c.last_tid })}` : "";
  const lines = [{ texts: [own + last, own], cls: "own", data: c }];
  const kin = [processes.get(p.parent), ...[...processes.values()].filter((q) => q.parent === p.pid)];
  let page = "";
  let cow = "";
  if (c.frame !== null && c.frame !== undefined) {
    page = t("counter.frame", { frame: hex(c.frame) });
    // a forked relative with the same counter address: is the physical page still shared?
    const twin = kin.find((q) => q && q.status === "running" && q.counter && q.counter.address === c.address && q.counter.frame);
    if (twin) cow = t(twin.counter.frame === c.frame ? "counter.cow_same" : "counter.cow_copied", { pid: twin.pid });
  } else if (c.exclusive !== null && c.exclusive !== undefined) {
    // frames hidden (not root): pagemap's "exclusively mapped" flag still shows copy-on-write
    const forked = kin.some((q) => q && q.status === "running" && q.counter && q.counter.address === c.address);
    if (forked) page = t(c.exclusive ? "counter.cow_own" : "counter.cow_shared");
  } else if (server && !server.pagemap) {
    page = t("counter.no_frames");
  }
  // the physical page only matters once there is a fork to compare with
  if (page && kin.some(Boolean)) lines.push({ texts: cow ? [`${page} · ${cow}`, cow] : [page], cls: "page" });
  for (const s of c.shm || []) {
    lines.push({ texts: [t("counter.shm", { addr: hex(s.address), value: s.value })], cls: "shm", data: s });
  }
  return lines;
}

function footerView(lines, L) {
  return repeat(
    lines,
    (line) => line.cls + (line.data && line.data.path ? line.data.path : ""),
    (line, i) => {
      // the counter is set in a monospace face, whose glyphs run wider than the estimate's average
      const fit = fitted(line.texts, (L.w - 2 * L.pad) * 0.92, L.small, L.minText);
      const d = line.data || {};
      return fit
        ? svg`<text x=${L.pad} y=${L.foot[i].y} class=${`counter ${line.cls}`} dominant-baseline="central" font-size=${fit.f}
        data-address=${d.address ?? ""} data-value=${d.value ?? ""} data-frame=${d.frame ?? ""} data-path=${d.path ?? ""}>${fit.text}</text>`
        : nothing;
    },
  );
}

function headView(p, L) {
  const title = t("card.pid", { pid: p.pid });
  const rss = t("card.rss", { size: size(p.rss) });
  // a process of a run of user code says so, and whether ptlab's probe is inside it
  const inner = p.inner_pid ? ` · ${t("card.inner", { pid: p.inner_pid })}` : "";
  const run = p.run ? `${p.probe === false ? t("card.noprobe", { run: p.run }) : t("card.run", { run: p.run })}${inner} · ` : "";
  const subs = p.status === "exited"
    ? [t("card.exited", { reason: p.exit ? detailText(p.exit.reason) : "?" }), t("card.gone")]
    : [`${run}${p.parent ? t("card.forked", { pid: p.parent }) : t("card.ppid", { ppid: p.ppid })} · ${rss}`, `${run}${rss}`, rss];
  const room = L.w - 2 * L.pad - fitWidth(title, L.fs * 1.05) - L.fs;
  return svg`<rect x="0" y="0" width=${L.w} height=${L.h} rx="10" class="card-bg"/>
    <rect x="0" y="0" width=${L.w} height=${L.headH} rx="10" class="card-head"/>
    <text x=${L.pad} y=${L.headH / 2 + 1} class="card-title" dominant-baseline="central" font-size=${L.fs * 1.05}>${title}</text>
    ${text(L.w - L.pad, L.headH / 2 + 1, "card-sub", fitted(subs, room, L.small, L.minText), { anchor: "end" })}`;
}

/** Bracket from Code/Data/Heap to the threads panel, its title, and a link from each stack slice to its chip. */
function panelView(m) {
  const { L } = m;
  const { bracket: b, x, titleY } = L.panel;
  const colEnd = L.col.x + L.col.w;
  const n = m.threads.length;
  const titles = n > 1 ? [t("card.threads", { n }), t("card.threads_short", { n })] : [t("card.thread1")];
  const links = m.slices
    .filter((sl) => sl.th || sl.hidden)
    .map((sl, i) => {
      const slice = L.slices[i];
      const chip = L.panel.chips[i];
      const sy = slice.y + slice.h / 2;
      const cy = chip.y + chip.h / 2;
      return svg`<path class="stack-link" d=${`M${colEnd},${sy} C${b.x + L.fs},${sy} ${chip.x - L.fs},${cy} ${chip.x},${cy}`}/>`;
    });
  return svg`<path class="share-bracket" d=${`M${colEnd + 2},${b.top} H${b.x} V${b.bottom} H${colEnd + 2} M${b.x},${(b.top + b.bottom) / 2} H${x - 4} V${titleY}`}/>
    ${text(x, titleY, "share-label", fitted(titles, L.panel.w, L.small, L.minText))}
    ${links}`;
}

/** Everything one card needs to be drawn: its data in drawing order, and its layout. */
export function cardModel(p, box, ctx) {
  const exited = p.status === "exited";
  const threads = exited ? [] : [...p.threads].sort((a, b) => (b.main ? 1 : 0) - (a.main ? 1 : 0) || a.tid - b.tid);
  // stacks a fork copied from the parent's other threads: mapped here, no thread runs on them
  const copied = exited ? [] : (p.regions || []).filter((r) => r.kind === "stack" && r.tid === 0 && !r.guard);
  // a process that ended before its memory map was ever read has none to show: no bands of "0 B"
  const unread = exited && !(p.regions || []).length;
  const bs = unread ? [] : bands(p.regions);
  const foot = counterLines(p, ctx.state.processes, ctx.state.server);
  const spec = { exited, threads: threads.length, copied: copied.length, bands: bs, footLines: foot.length, minText: ctx.minText };
  const L = cardLayout(box.w, box.h, spec);
  const shown = threads.slice(0, L.fit.shown);
  const hidden = threads.slice(L.fit.shown);
  const partners = ctx.partners.get(p.pid);
  const name = (kind) =>
    kind === "shared" && partners ? `${t("kind.shared")} ↔ ${[...new Set(partners)].join(", ")}` : t(`kind.${kind}`);
  const slices = [
    ...shown.map((th) => ({ key: `t${th.tid}`, th, step: p.stepped ? p.stepped.threads.find((x) => x.tid === th.tid) : null })),
    ...(hidden.length ? [{ key: "more", hidden: hidden.length }] : []),
    ...(copied.length ? [{ key: "copied", copies: copied }] : []),
  ];
  const ages = new Map(threads.map((th) => [th.tid, ctx.state.age(`t:${p.pid}:${th.tid}`)]));
  return { p, box, exited, unread, threads, shown, hidden, bs, foot, L, name, slices, ages, drawn: performance.now() };
}

// What the memory column and a chip are drawn from: most frames change only a counter or a
// thread's CPU, and guard() then leaves the rest of the card's drawing untouched.
function memoryDeps(m) {
  const entering = m.shown.some((th) => m.ages.get(th.tid) < ENTER_MS);
  const stacks = m.slices.map((sl) => (sl.th && sl.th.stack ? `${sl.key}:${sl.th.stack.start}-${sl.th.stack.end}:${spOf(sl.th)}` : `${sl.key}:${sl.hidden || ""}`)).join();
  const tmps = m.p.stepped ? m.p.stepped.threads.map((x) => x.tmp).join() : "";
  return [m.p.regions, stacks, tmps, m.box.w, m.box.h, m.foot.length, getLang(), m.name("shared"), entering && m.drawn];
}

function memoryView(m) {
  const { L, bs, slices, name } = m;
  return svg`${repeat(bs, (b) => b.kind, (b, i) => bandView(b, L.bands[i], L, name(b.kind)))}
    ${repeat(slices, (sl) => sl.key, (sl, i) => sliceView(sl, L.slices[i], L, sl.th ? m.ages.get(sl.th.tid) : ENTER_MS))}`;
}

function chipDeps(p, th, box, ctx) {
  const selected = ctx.selection.pid === p.pid && ctx.selection.tid === th.tid;
  const touched = p.counter && p.counter.last_tid === th.tid;
  const age = ctx.state.age(`t:${p.pid}:${th.tid}`);
  return [th, box.x, box.y, box.w, box.h, selected, touched, getLang(), age < ENTER_MS ? age : ENTER_MS];
}

export function cardView(m, ctx) {
  const { p, box, exited, shown, hidden, foot, L } = m;
  const selected = ctx.selection.pid === p.pid;
  const age = ctx.state.age(`p:${p.pid}`);
  const chips = L.panel.chips;
  return svg`<g class=${`card${selected ? " selected" : ""}${exited ? " exited" : ""}`} data-pid=${p.pid}
      data-run=${p.run ?? ""} data-probe=${String(p.probe !== false)}
      data-status=${p.status} data-x=${box.x} data-y=${box.y} data-w=${box.w} data-h=${box.h}
      style=${`transform: translate(${box.x}px, ${box.y}px)`}>
    <g class=${`card-body ${enter(age)}`}>
      ${headView(p, L)}
      ${guard(memoryDeps(m), () => memoryView(m))}
      ${exited && !m.unread ? svg`<g class="band kind-stack" data-kind="stack">${swatch("stack", L.stack.x, L.stack.y, L.stack.w, L.stack.h)}</g>` : nothing}
      ${m.unread ? text(L.pad, L.col.y + L.small, "card-sub", fitted([t("card.no_map")], L.w - 2 * L.pad, L.small, L.minText)) : nothing}
      ${exited ? nothing : panelView(m)}
      ${repeat(shown, (th) => th.tid, (th, i) => guard(chipDeps(p, th, chips[i], ctx), () => chipView(p, th, chips[i], L, ctx)))}
      ${hidden.length ? moreChipView(p, hidden, chips[shown.length], L) : nothing}
      ${footerView(foot, L)}
    </g>
  </g>`;
}

// ---- tooltips, built when shown from the current state -------------------------------------------

function regionTip(r) {
  const params = { kind: t(`kind.${r.kind}`), start: hex(r.start), end: hex(r.end), size: size(r.end - r.start) };
  return t("tip.region", { ...params, perms: r.perms, path: r.path || "" });
}

function bandTip(b) {
  const tip = t("tip.band", { kind: t(`kind.${b.kind}`), count: b.regions.length, size: size(b.bytes) });
  return b.regions.length ? `${tip}\n${b.regions.slice(0, 6).map(regionTip).join("\n")}` : tip;
}

function chipTip(p, th, state) {
  const { label, info } = chipText(th);
  const shared = p.counter ? `\n${t("card.counter", { addr: hex(p.counter.address), value: p.counter.value })}` : "";
  const times = t("tip.times", { u: th.utime.toFixed(2), s: th.stime.toFixed(2) });
  return `${label}\n${info}\n${regsTip(p, th, state)}\n${times}\n${t("tip.switches", { v: th.vcsw, i: th.ivcsw })}${shared}`;
}

/** A thread's registers, or why the page has none: it runs, or this kernel withholds them. */
function regsTip(p, th, state) {
  if (th.regs) {
    const words = { sp: hex(th.regs.sp), pc: hex(th.regs.pc), where: mappingAt(p.regions, th.regs.pc) };
    return `${waitWords(th.regs)}\n${t("tip.regs", words)}`;
  }
  if (state.server && state.server.registers === false) return t("tip.regs_withheld");
  return th.state === "R" ? t("tip.regs_running") : t("tip.regs_withheld");
}

function sliceTip(p, el) {
  const tid = Number(el.dataset.tid);
  const th = p.threads.find((x) => x.tid === tid);
  const st = th ? th.stack : (p.regions || []).find((r) => r.start === Number(el.dataset.start));
  if (!st) return t("kind.more_stacks", { n: el.dataset.count });
  const span = { start: hex(st.start), end: hex(st.end), size: size(st.end - st.start) };
  if (!th) return t("tip.copied", span);
  const sp = spOf(th);
  const pin = sp === null ? "" : `\n${t("tip.sp", { sp: hex(sp), used: size(st.end - sp) })}`;
  return t("tip.stack", { tid, ...span }) + pin;
}

/** The tooltip of a drawn element (marked data-tip): building every tooltip on every frame cost more than the frame. */
export function tipFor(el, state) {
  const card = el.closest(".card");
  const p = card && state.processes.get(Number(card.dataset.pid));
  if (!p) return "";
  const kind = el.dataset.tip;
  if (kind === "band") return bandTip(bands(p.regions).find((b) => b.kind === el.dataset.kind) || { kind: el.dataset.kind, regions: [], bytes: 0 });
  if (kind === "slice") return sliceTip(p, el);
  if (kind === "mini" || kind === "more") return `${t("card.pid", { pid: p.pid })}: ${activitySummary(p.threads)}`;
  const th = p.threads.find((x) => x.tid === Number(el.dataset.tid));
  return th ? chipTip(p, th, state) : "";
}
