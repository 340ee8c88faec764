// Pure functions for lesson mode: the code a stepped thread runs and where it stands, and a
// question's tally as shares. No DOM here (tested with node --test).

// The steps each stepped body stops before, as app/lab/stepped.py runs them, with the line of
// Python each one is.
const LINES = {
  acquire: "lock.acquire()",
  load: "tmp = counter",
  add: "tmp = tmp + 1",
  store: "counter = tmp",
  release: "lock.release()",
};

/** The lines a thread of a stepped scene runs: [{step, code}], in order. */
export function codeFor(mode, index) {
  if (mode === "race" || mode === "lock") {
    const steps = mode === "lock" ? ["acquire", "load", "add", "store", "release"] : ["load", "add", "store"];
    return steps.map((step) => ({ step, code: LINES[step] }));
  }
  // deadlock: thread 2 takes the locks the other way round; ordered: everyone L1 then L2
  const [first, second] = mode === "deadlock" && index === 2 ? ["L2", "L1"] : ["L1", "L2"];
  return [
    { step: `acquire ${first}`, code: `${first}.acquire()` },
    { step: `acquire ${second}`, code: `${second}.acquire()` },
    { step: "load", code: "tmp = counter" },
    { step: "store", code: "counter = tmp + 1" },
    { step: "release", code: `${second}.release(); ${first}.release()` },
  ];
}

/**
 * Where one thread stands: each of its lines with `at` (the next one it runs, or the one it is
 * blocked in) and `done` (lines it has run this round).
 */
export function threadLines(mode, th) {
  const lines = codeFor(mode, th.index);
  const at = lines.findIndex((l) => l.step === th.next);
  return lines.map((l, i) => ({
    ...l,
    at: i === at,
    done: th.next === "done" || (at >= 0 && i < at),
  }));
}

/** Who holds the lock a thread waits for (1-based), or null. */
export function holderOf(run, lock) {
  const th = run.threads.find((x) => x.holds.includes(lock));
  return th ? th.index : null;
}

/** Whether any thread can still be stepped, and whether the run is stuck (every unfinished thread blocked). */
export function runStatus(run) {
  const going = run.threads.filter((x) => x.next !== "done");
  const movable = going.filter((x) => !x.waiting);
  return { finished: going.length === 0, deadlocked: going.length > 0 && movable.length === 0 };
}

/** The updates a finished race lost: expected minus the counter (null in the deadlock scenes). */
export function lostUpdates(run) {
  return run.expected === null || run.expected === undefined ? null : run.expected - run.counter;
}

/** A question's options with their share of the votes (0..1); `lead` marks the most voted. */
export function tally(question) {
  const total = question.options.reduce((n, o) => n + o.votes, 0) + (question.outside || 0);
  const most = Math.max(0, ...question.options.map((o) => o.votes));
  return question.options.map((o) => ({
    id: o.id,
    votes: o.votes,
    share: total ? o.votes / total : 0,
    lead: most > 0 && o.votes === most,
    correct: o.correct,
  }));
}

/** The dots of the stepper: one per scene, the current one marked, those before it passed. */
export function progress(count, index) {
  return Array.from({ length: count }, (_, i) => (i === index ? "current" : i < index ? "passed" : "ahead"));
}
