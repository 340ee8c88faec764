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

export class RecordingError extends Error {}

/** Parse the text of a recording; throws RecordingError naming the line and what is wrong. */
export function parseRecording(text) {
  if (text.length > MAX_TEXT_BYTES) throw new RecordingError(`the file unpacks to more than ${MAX_TEXT_BYTES} bytes`);
  const lines = text.split("\n");
  const json = (line, n) => {
    if (line.length > MAX_LINE_BYTES) throw new RecordingError(`line ${n} is ${line.length} characters long; the limit is ${MAX_LINE_BYTES}`);
    let value;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new RecordingError(`line ${n} is not valid JSON: ${err.message}`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new RecordingError(`line ${n} is not a JSON object`);
    return value;
  };
  if (!lines[0] || !lines[0].trim()) throw new RecordingError("the file is empty: no header line");
  const header = json(lines[0], 1);
  if (header.format !== FORMAT) throw new RecordingError(`not a ptlab recording: line 1 says format ${JSON.stringify(header.format)}`);
  if (header.version !== VERSION) {
    throw new RecordingError(`wrong version: the file is version ${JSON.stringify(header.version)}; this page reads version ${VERSION}`);
  }
  const messages = [];
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    if (!line.trim()) return;
    const msg = json(line, n);
    if (msg.type !== "snapshot" && msg.type !== "frame") throw new RecordingError(`line ${n}: a message of type ${JSON.stringify(msg.type)}`);
    if (!messages.length && msg.type !== "snapshot") throw new RecordingError(`line ${n}: the first message must be a snapshot`);
    if (typeof msg.seq !== "number" || typeof msg.ts !== "number") throw new RecordingError(`line ${n}: no seq or ts`);
    if (msg.type === "snapshot" ? !Array.isArray(msg.processes) : !Array.isArray(msg.changed) || !Array.isArray(msg.removed)) {
      throw new RecordingError(`line ${n} is not a valid ${msg.type}`);
    }
    messages.push({ keyframe: msg.type === "snapshot", seq: msg.seq, ts: msg.ts, msg });
  });
  if (!messages.length) throw new RecordingError("the file holds a header but no snapshot");
  return { header, messages };
}

/** Read a .ptlab Blob (a dropped file, or a fetched export). */
export async function loadRecording(blob) {
  if (blob.size > MAX_FILE_BYTES) throw new RecordingError(`the file is ${blob.size} bytes; recordings may have ${MAX_FILE_BYTES} at most`);
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw new RecordingError("not a ptlab recording: the file is not gzip-compressed (.ptlab files are)");
  let text;
  try {
    text = await new Response(blob.stream().pipeThrough(new DecompressionStream("gzip"))).text();
  } catch (err) {
    throw new RecordingError(`the file is truncated or corrupted: ${err.message}`);
  }
  return parseRecording(text);
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
