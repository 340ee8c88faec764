// The Korean particle after a placeholder: chosen by how the value is read (node --test tests/js/).
import assert from "node:assert/strict";
import { test } from "node:test";

import { finalSound, josa } from "../../static/js/i18n.js";

test("a number takes the particle of its last digit as read: 1 일, 2 이, 3 삼, 10 십", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 6, 7, 8, 9, 10, 20, 100, 14328].map((n) => `${n}${josa(n, "이/가")}`),
    ["1이", "2가", "3이", "4가", "6이", "7이", "8이", "9가", "10이", "20이", "100이", "14328이"],
  );
  assert.deepEqual([13634, 17636, 14325].map((n) => `${n}${josa(n, "과/와")}`), ["13634와", "17636과", "14325와"]);
});

test("으로/로: a final ㄹ takes 로, like a vowel", () => {
  assert.equal(`소켓${josa("소켓", "으로/로")}`, "소켓으로");
  assert.equal(`파일${josa("파일", "으로/로")}`, "파일로");
  assert.equal(`파이프${josa("파이프", "으로/로")}`, "파이프로");
  assert.equal(`7${josa(7, "으로/로")}`, "7로");
  assert.equal(`3${josa(3, "으로/로")}`, "3으로");
});

test("words: Hangul by its last syllable, a lock's name by its digit, the unknown gets both forms", () => {
  assert.equal(`L1${josa("L1", "을/를")}`, "L1을");
  assert.equal(`L2${josa("L2", "을/를")}`, "L2를");
  assert.equal(`스레드${josa("스레드", "은/는")}`, "스레드는");
  assert.equal(`락${josa("락", "은/는")}`, "락은");
  assert.equal(josa("→", "이/가"), "이(가)");
  assert.equal(`83 %${josa("83 %", "을/를")}`, "83 %를");
  assert.equal(finalSound("유닉스 도메인 소켓 (FIFO)"), "c");
});

test("every reason the server gives for ending a run has its words in both languages", async () => {
  const { runReasonKey, runReason } = await import("../../static/js/panels/captions.js");
  const { missingKeys } = await import("../../static/js/i18n.js");
  // as app/control/runs.py words them
  const reasons = [
    "stopped by the presenter",
    "the lab was reset",
    "process cap reached: more than 16 processes (PTLAB_MAX_PROCESSES)",
    "thread cap reached: a process had 33 threads (PTLAB_MAX_THREADS is 32)",
    "memory limit reached: the run held 300 MiB (PTLAB_RUN_MEMORY_MIB is 256)",
    "time limit reached: 2 s (PTLAB_RUN_SECONDS)",
    "time limit reached: 0.5 s (PTLAB_RUN_SECONDS)",
    "the program ended; 1 of its processes was ended with it",
    "the program ended; 3 of its processes were ended with it",
  ];
  const keys = reasons.map((r) => runReasonKey(r));
  assert.ok(keys.every(Boolean), `not known: ${reasons.filter((r, i) => !keys[i])}`);
  assert.equal(new Set(keys.map(([k]) => k)).size, 8, "each wording its own key");
  // in English the page says what the server said, word for word
  assert.deepEqual(reasons.map(runReason), reasons);
  assert.deepEqual(missingKeys("ko"), []);
  assert.equal(runReason("something new"), "something new", "an unknown reason is shown as the server gave it");
});

test("the server's words for a run's end and a reaped process read in Korean on a Korean page", async () => {
  const { detailText, runReason } = await import("../../static/js/panels/captions.js");
  const { setLang, t } = await import("../../static/js/i18n.js");
  // app/control/lab.py's wording; in English the page says it word for word, from its own table
  const said = "ended (its parent collected its exit status)";
  assert.equal(t("detail.reaped_by_parent"), said);
  // what setLang touches in a browser
  globalThis.localStorage = { setItem() {} };
  globalThis.document = { documentElement: {}, querySelectorAll: () => [] };
  try {
    setLang("ko");
    assert.equal(detailText(said), t("detail.reaped_by_parent"));
    assert.ok(/[가-힣]/.test(detailText(said)), detailText(said));
    assert.ok(/[가-힣]/.test(runReason("time limit reached: 2 s (PTLAB_RUN_SECONDS)")));
  } finally {
    setLang("en");
    delete globalThis.localStorage;
    delete globalThis.document;
  }
});
