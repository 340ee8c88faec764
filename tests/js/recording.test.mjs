import assert from "node:assert/strict";
import { test } from "node:test";

import { append, marks, parseRecording, RecordingError, span, stateAt } from "../../static/js/state/recording.js";

const header = JSON.stringify({ format: "ptlab-recording", version: 1, ptlab: "0.1.0", host: {}, start: 0, end: 0, created: 0 });
const server = { pid: 1, hz: 10, max_processes: 16, max_threads: 32, cpus: 2, pagemap: false };
const proc = (pid, tids, value) => ({
  pid, ppid: 1, parent: null, name: "python", state: "S", status: "running", rss: 1, started: pid,
  threads: tids.map((tid) => ({ tid, name: "t", state: "S", cpu: 0, utime: 0, stime: 0, vcsw: 0, ivcsw: 0, main: tid === pid, activity: "idle", stack: null, load: 0 })),
  counter: { address: 4096, value, frame: null, last_tid: null }, regions: [], races: [],
});
const snap = (seq, ts, procs) => JSON.stringify({ type: "snapshot", seq, ts, role: "viewer", server, processes: procs, events: [], costs: null, focus: { pid: null, tid: null, panel: false } });
const frame = (seq, ts, changed, removed = [], events = []) => JSON.stringify({ type: "frame", seq, ts, changed, removed, events });

const text = [
  header,
  snap(10, 100, [proc(7, [7], 0)]),
  frame(11, 100.1, [{ pid: 7, patch: true, counter: { address: 4096, value: 5, frame: null, last_tid: null } }]),
  frame(12, 100.2, [proc(8, [8, 9], 0)], [], [{ id: 1, ts: 100.2, kind: "process_started", pid: 8 }]),
  snap(13, 100.3, [proc(7, [7], 5), proc(8, [8, 9], 0)]),
  frame(14, 100.4, [], [7], [{ id: 2, ts: 100.4, kind: "process_exited", pid: 7 }]),
].join("\n");

test("the state at any moment: the last keyframe before it, then the frames up to it", () => {
  const rec = parseRecording(text);
  assert.deepEqual(span(rec), [100, 100.4]);
  assert.deepEqual([...stateAt(rec, 100.05).processes.keys()], [7]);
  assert.equal(stateAt(rec, 100.15).processes.get(7).counter.value, 5); // the patch applied
  assert.deepEqual([...stateAt(rec, 100.25).processes.keys()].sort(), [7, 8]);
  assert.deepEqual(stateAt(rec, 100.25).processes.get(8).threads.map((t) => t.tid), [8, 9]);
  assert.deepEqual([...stateAt(rec, 100.45).processes.keys()], [8]); // from the second keyframe, 7 removed
  assert.deepEqual([...stateAt(rec, 50).processes.keys()], [7]); // before the start: the start
});

test("marks are the events with the time of their frame; live messages extend the recording once", () => {
  const rec = parseRecording(text);
  assert.deepEqual(marks(rec).map((m) => [m.kind, m.at]), [["process_started", 100.2], ["process_exited", 100.4]]);
  append(rec, JSON.parse(frame(14, 100.4, [])));
  assert.equal(rec.messages.length, 5); // already there
  append(rec, JSON.parse(frame(15, 100.5, [])));
  assert.deepEqual(span(rec), [100, 100.5]);
});

test("a bad recording is refused with its reason", () => {
  const bad = [
    ["", "empty"],
    [`{"format": "other"}`, "not a ptlab recording"],
    [header.replace('"version":1', '"version":2'), "wrong version: the file is version 2"],
    [`${header}\n${frame(1, 1, [])}`, "the first message must be a snapshot"],
    [`${header}\n${snap(1, 1, [])}\n{oops`, "line 3 is not valid JSON"],
    [`${header}\n${snap(1, 1, [])}\n{"type": "frame", "seq": 2, "ts": 2}`, "line 3 is not a valid frame"],
    [`${header}\n`, "no snapshot"],
  ];
  for (const [t, says] of bad) {
    assert.throws(() => parseRecording(t), (err) => err instanceof RecordingError && err.message.includes(says), says);
  }
});

import { gzipSync, createGzip } from "node:zlib";
import { loadRecording, MAX_TEXT_BYTES, nestsWithin } from "../../static/js/state/recording.js";

/** gzip of `prefix` and then `mib` MiB of the same 1 MiB `chunk`, written as a stream (never all in memory). */
async function gzipOf(chunk, mib, prefix = "") {
  const gz = createGzip({ level: 9 });
  const out = [];
  gz.on("data", (d) => out.push(d));
  const done = new Promise((resolve) => gz.on("end", resolve));
  gz.write(prefix);
  for (let i = 0; i < mib; i += 1) if (!gz.write(chunk)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

test("a recording is read as a stream: a good one loads, a bomb stops at the limit", async () => {
  const good = await loadRecording(new Blob([gzipSync(text + "\n")]));
  assert.equal(good.messages.length, 5);
  // a small file that unpacks far past the limit: refused at the limit, not unpacked whole
  const blank = Buffer.alloc(1 << 20, 0x20);
  blank[blank.length - 1] = 0x0a; // blank lines of a MiB: no limit but the size
  const bomb = await gzipOf(blank, (MAX_TEXT_BYTES >> 20) + 64, `${header}\n${snap(1, 1, [])}\n`);
  assert.ok(bomb.length < 1 << 20, `${bomb.length} bytes`);
  await assert.rejects(loadRecording(new Blob([bomb])), (err) => err instanceof RecordingError && err.message.includes("unpacks to more than"));
  // a million empty lines in a few KB: refused by their number
  const many = await gzipOf(Buffer.alloc(1 << 20, 0x0a), 1, `${header}\n${snap(1, 1, [])}\n`);
  await assert.rejects(loadRecording(new Blob([many])), (err) => err.message.includes("more than 1000000 lines"));
    // one endless line: refused once it passes the line limit
  const line = await gzipOf(Buffer.alloc(1 << 20, 0x61), 8);
  await assert.rejects(loadRecording(new Blob([line])), (err) => err.message.includes("line 1 is over"));
});

test("nesting is judged before parsing, as the server does", async () => {
  const deep = `${header}\n${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
  assert.throws(() => parseRecording(deep), (err) => err.message.includes("line 2 nests deeper than 32 levels"));
  await assert.rejects(loadRecording(new Blob([gzipSync(deep)])), (err) => err.message.includes("nests deeper"));
  assert.equal(nestsWithin('{"a": ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]}', 2), true); // brackets in strings do not count
  assert.equal(nestsWithin("[[[]]]", 2), false);
  assert.equal(nestsWithin("[[]][[]]", 2), true);
  assert.equal(nestsWithin('[{"x": "\\"]"}]', 2), true); // an escaped quote does not end the string
  assert.equal(nestsWithin("{[}]", 1), false); // mismatched
});
