import { test } from "node:test";
import assert from "node:assert/strict";

import { next } from "../../static/js/panels/captions.js";

const ev = (id, ts, kind = "process_started") => ({ id, ts, kind });

test("a frame's newest event is captioned; a snapshot's only when none is shown or it is newer", () => {
  const shown = ev(7, 100);
  assert.equal(next(true, [ev(8, 101), ev(9, 102, "race_finished")], shown).id, 9);
  assert.equal(next(true, [], shown), null, "a frame without events leaves the caption");
  assert.equal(next(false, [ev(1, 50), shown], null).id, 7, "a page just arrived shows the newest");
  assert.equal(next(false, [ev(1, 50), shown], shown), null, "the same event again: nothing new");
  // a page that fell behind gets a snapshot instead of the frames it missed: their event is news
  assert.equal(next(false, [shown, ev(8, 103, "race_finished")], shown).kind, "race_finished");
});
