// Every formatting helper of the page, in one place: numbers, sizes, durations, addresses, text fitting.

import { getLang, t } from "./i18n.js";

/** An address as 0x… hex. */
export function hex(n) {
  return "0x" + Number(n).toString(16);
}

/** Bytes in B, KiB, MiB or GiB, three significant figures at most. */
export function size(bytes) {
  const u = ["B", "KiB", "MiB", "GiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${u[i]}`;
}

/** Seconds in µs, ms or s (초 in Korean, as its captions write it). */
export function dur(s, lang = getLang()) {
  if (s < 1e-3) return `${(s * 1e6).toFixed(s < 1e-5 ? 1 : 0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(s < 1e-2 ? 2 : 1)} ms`;
  return lang === "ko" ? `${s.toFixed(2)}초` : `${s.toFixed(2)} s`;
}

/**
 * A whole number grouped as the page's language writes it: 80 000 in English (a narrow space that
 * never breaks a line), 80,000 in Korean.
 */
export function count(n, lang = getLang()) {
  const s = Number(n).toLocaleString("en-US");
  return lang === "ko" ? s : s.replace(/,/g, "\u202f");
}

/** Width of `text` in ems, roughly: Hangul glyphs and symbols (arrows) are about twice as wide as Latin ones. */
export function textUnits(text) {
  return [...String(text)].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x1100 ? 1 : 0.58), 0);
}

// Bold type runs about a tenth wider than the estimate's regular average.
export const BOLD = 0.9;

/** Estimated width of `text` at font size `fs`. */
export function fitWidth(text, fs) {
  return textUnits(text) * fs;
}

/** A font size at most `max` (and at least `min`) at which `text` fits in `width`: an estimate, no layout pass. */
export function fitFont(text, width, max, min = 9) {
  return Math.max(min, Math.min(max, width / Math.max(1, textUnits(text))));
}

/**
 * Whose kernel the figures are (ServerInfo.host): a sentence always, and a short pill only inside
 * WSL or a container, where the class might take the figures for the laptop's own system.
 */
export function hostWords(host) {
  if (!host || !host.kernel) return { sentence: "", pill: "" };
  const words = { kernel: host.kernel, name: host.name || "WSL" };
  const pill = { linux: "", wsl: "host.wsl", container: host.name ? "host.container" : "host.container_unnamed" };
  return {
    sentence: t(`host.${host.kind}_long`, words),
    pill: pill[host.kind] ? t(pill[host.kind], words) : "",
  };
}
