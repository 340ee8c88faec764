// A .ptlab recording in the page: read (gzip JSON lines: a header, then the stream's own messages),
// checked, and any moment of it rebuilt with the same LabState that follows the live stream.
// Pure except loadRecording (which needs the browser's DecompressionStream).

import { LabState } from "./state.js";

export const FORMAT = "ptlab-recording";
export const VERSION = 1;
// As the server's reader (app/recording.py): a file from anywhere is bounded before it is read.
export const MAX_FILE_BYTES = 32 << 20;
export const MAX_TEXT_BYTES = 128 << 20;
export const MAX_LINE_BYTES = 4 << 20;

export const MAX_DEPTH = 32; // the deepest message nests 7 levels
export const MAX_LINES = 1_000_000; // 4 hours at 50 Hz is 720 000: more is a file built to make the reader loop

export class RecordingError extends Error {}

// A JSON string, escapes included: its brackets do not nest anything.
const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/g;
const NOT_BRACKET = /[^[\]{}]+/g;
const INNERMOST = /\[\]|\{\}/g;

/**
 * Whether `text`'s brackets (outside strings) nest at most `max` levels and balance, judged without
 * parsing it: JSON.parse recurses once per level, and a hostile file nests 100 000 deep. As the
 * server's app/untrusted_json.py, with whole-string operations rather than a loop per character.
 */
export function nestsWithin(text, max) {
  let opens = 0;
  for (let i = text.indexOf("["); i >= 0 && opens <= max; i = text.indexOf("[", i + 1)) opens += 1;
  for (let i = text.indexOf("{"); i >= 0 && opens <= max; i = text.indexOf("{", i + 1)) opens += 1;
  if (opens <= max) return true; // too few brackets to nest any deeper
  let brackets = text.replace(STRING, "").replace(NOT_BRACKET, "");
  for (let round = 0; round < max; round += 1) {
    if (!brackets) return true;
    const shorter = brackets.replace(INNERMOST, ""); // one pass: "{[]}" loses only its "[]"
    if (shorter === brackets) return false; // mismatched, or unclosed
    brackets = shorter;
  }
  return !brackets;
}

/** Reads a recording line by line, each checked as it comes; `finish()` gives {header, messages}. */
export class RecordingParser {
  constructor() {
    this.n = 0;
    this.header = null;
    this.messages = [];
  }

  json(line) {
    const n = this.n;
    if (line.length > MAX_LINE_BYTES) throw new RecordingError(`line ${n} is ${line.length} characters long; the limit is ${MAX_LINE_BYTES}`);
    if (!nestsWithin(line, MAX_DEPTH)) throw new RecordingError(`line ${n} nests deeper than ${MAX_DEPTH} levels; refused`);
    let value;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new RecordingError(`line ${n} is not valid JSON: ${err.message}`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new RecordingError(`line ${n} is not a JSON object`);
    return value;
  }

  line(line) {
    this.n += 1;
    const n = this.n;
    if (n === 1) {
      if (!line.trim()) throw new RecordingError("the file is empty: no header line");
      const header = this.json(line);
      if (header.format !== FORMAT) throw new RecordingError(`not a ptlab recording: line 1 says format ${JSON.stringify(header.format)}`);
      if (header.version !== VERSION) {
        throw new RecordingError(`wrong version: the file is version ${JSON.stringify(header.version)}; this page reads version ${VERSION}`);
      }
      this.header = header;
      return;
    }
    if (!line.trim()) return;
    const msg = this.json(line);
    if (msg.type !== "snapshot" && msg.type !== "frame") throw new RecordingError(`line ${n}: a message of type ${JSON.stringify(msg.type)}`);
    if (!this.messages.length && msg.type !== "snapshot") throw new RecordingError(`line ${n}: the first message must be a snapshot`);
    if (typeof msg.seq !== "number" || typeof msg.ts !== "number") throw new RecordingError(`line ${n}: no seq or ts`);
    if (msg.type === "snapshot" ? !Array.isArray(msg.processes) : !Array.isArray(msg.changed) || !Array.isArray(msg.removed)) {
      throw new RecordingError(`line ${n} is not a valid ${msg.type}`);
    }
    this.messages.push({ keyframe: msg.type === "snapshot", seq: msg.seq, ts: msg.ts, msg });
  }

  finish() {
    if (!this.header) throw new RecordingError("the file is empty: no header line");
    if (!this.messages.length) throw new RecordingError("the file holds a header but no snapshot");
    return { header: this.header, messages: this.messages };
  }
}

/** Parse the text of a recording; throws RecordingError naming the line and what is wrong. */
export function parseRecording(text) {
  if (text.length > MAX_TEXT_BYTES) throw new RecordingError(`the file unpacks to more than ${MAX_TEXT_BYTES} bytes; refused`);
  const lines = text.split("\n");
  if (lines.length > MAX_LINES) throw new RecordingError(`the file has more than ${MAX_LINES} lines; refused`);
  const parser = new RecordingParser();
  for (const line of lines) parser.line(line);
  return parser.finish();
}

/**
 * Read a .ptlab Blob (a dropped file, or a fetched export) as a stream: unpacked, decoded and
 * checked line by line, and stopped at MAX_TEXT_BYTES, so a small file that unpacks to gigabytes
 * (a gzip bomb) costs no more than the limit.
 */
export async function loadRecording(blob) {
  if (blob.size > MAX_FILE_BYTES) throw new RecordingError(`the file is ${blob.size} bytes; recordings may have ${MAX_FILE_BYTES} at most`);
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw new RecordingError("not a ptlab recording: the file is not gzip-compressed (.ptlab files are)");
  const reader = blob.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parser = new RecordingParser();
  let unpacked = 0;
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      unpacked += value.byteLength;
      if (unpacked > MAX_TEXT_BYTES) throw new RecordingError(`the file unpacks to more than ${MAX_TEXT_BYTES} bytes; refused`);
      const lines = (pending + decoder.decode(value, { stream: true })).split("\n");
      pending = lines.pop();
      if (parser.n + lines.length > MAX_LINES) throw new RecordingError(`the file has more than ${MAX_LINES} lines; refused`);
      for (const line of lines) parser.line(line);
      if (pending.length > MAX_LINE_BYTES) {
        throw new RecordingError(`line ${parser.n + 1} is over ${MAX_LINE_BYTES} characters long; the limit is ${MAX_LINE_BYTES}`);
      }
    }
    pending += decoder.decode();
  } catch (err) {
    reader.cancel().catch(() => {});
    if (err instanceof RecordingError) throw err;
    throw new RecordingError(`the file is truncated or corrupted: ${err.message}`);
  }
  if (pending) parser.line(pending);
  return parser.finish();
}

/** Add a live message to a recording, so its timeline keeps growing while the page is paused. */
export function append(rec, msg) {
  const last = rec.messages[rec.messages.length - 1];
  if (last && msg.seq <= last.seq) return; // already in it (the export and the stream overlap)
  rec.messages.push({ keyframe: msg.type === "snapshot", seq: msg.seq, ts: msg.ts, msg });
}

/** The span of a recording: its first and last message's time. */
export function span(rec) {
  return [rec.messages[0].ts, rec.messages[rec.messages.length - 1].ts];
}

/** Every event of a recording, in order, with the time of the message that carried it. */
export function marks(rec) {
  const out = [];
  for (const m of rec.messages) if (!m.keyframe) for (const e of m.msg.events || []) out.push({ ...e, at: m.ts });
  return out;
}

/** The lab as it was at time `t`: the last keyframe at or before it, then every frame up to it. */
export function stateAt(rec, t) {
  const msgs = rec.messages;
  let lo = 0;
  let hi = msgs.length - 1;
  while (lo < hi) {
    // the last message at or before t
    const mid = (lo + hi + 1) >> 1;
    if (msgs[mid].ts <= t) lo = mid;
    else hi = mid - 1;
  }
  let k = lo;
  while (k > 0 && !msgs[k].keyframe) k -= 1;
  const state = new LabState();
  state.apply(msgs[k].msg);
  for (let i = k + 1; i < msgs.length && msgs[i].ts <= t; i += 1) {
    if (!msgs[i].keyframe) state.apply(msgs[i].msg);
  }
  return state;
}
