import assert from "node:assert/strict";
import { test } from "node:test";

import { codeFor, holderOf, lostUpdates, progress, runStatus, tally, threadLines } from "../../static/js/layout/scene.js";

const th = (index, next, extra = {}) => ({ index, tid: 100 + index, next, waiting: null, holds: [], rounds: 0, tmp: null, ...extra });

test("the race is three lines, the lock scene wraps them in acquire and release", () => {
  assert.deepEqual(codeFor("race", 1).map((l) => l.code), ["tmp = counter", "tmp = tmp + 1", "counter = tmp"]);
  assert.deepEqual(codeFor("lock", 2).map((l) => l.step), ["acquire", "load", "add", "store", "release"]);
});

test("in the deadlock scene thread 2 takes the locks the other way round; ordered, nobody does", () => {
  assert.equal(codeFor("deadlock", 1)[0].code, "L1.acquire()");
  assert.equal(codeFor("deadlock", 2)[0].code, "L2.acquire()");
  assert.equal(codeFor("ordered", 2)[0].code, "L1.acquire()");
});

test("a thread's next step is marked, the lines before it done", () => {
  const lines = threadLines("race", th(1, "store"));
  assert.deepEqual(lines.map((l) => [l.at, l.done]), [[false, true], [false, true], [true, false]]);
  assert.ok(threadLines("race", th(1, "done")).every((l) => l.done && !l.at));
});

test("a deadlock is every unfinished thread waiting; the holder of a lock is named", () => {
  const run = {
    counter: 41,
    expected: null,
    threads: [th(1, "acquire L2", { waiting: "L2", holds: ["L1"] }), th(2, "acquire L1", { waiting: "L1", holds: ["L2"] })],
  };
  assert.deepEqual(runStatus(run), { finished: false, deadlocked: true });
  assert.equal(holderOf(run, "L1"), 1);
  assert.equal(lostUpdates(run), null);
  run.threads = [th(1, "load", { holds: ["L1", "L2"] }), th(2, "done")];
  assert.equal(runStatus(run).deadlocked, false);
});

test("both threads read 41 and wrote 42: one update lost", () => {
  assert.equal(lostUpdates({ counter: 42, expected: 43, threads: [] }), 1);
});

test("the tally gives each option its share and marks the lead", () => {
  const q = { outside: 1, options: [{ id: "a", votes: 3 }, { id: "b", votes: 0, correct: true }] };
  const rows = tally(q);
  assert.deepEqual(rows.map((r) => [r.id, r.share, r.lead]), [["a", 0.75, true], ["b", 0, false]]);
  assert.equal(rows[1].correct, true);
  assert.ok(tally({ options: [{ id: "a", votes: 0 }] }).every((r) => r.share === 0 && !r.lead));
});

test("progress dots: passed, current, ahead", () => {
  assert.deepEqual(progress(4, 1), ["passed", "current", "ahead", "ahead"]);
});
