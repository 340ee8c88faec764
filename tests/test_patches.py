"""Frame patches: applying the diff of two views gives back the new view."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.observe.patches import diff_process

ROOT = Path(__file__).resolve().parent.parent

THREAD = st.fixed_dictionaries(
    {
        "tid": st.integers(1, 40),
        "state": st.sampled_from("RSD"),
        "cpu": st.integers(0, 3),
        "utime": st.floats(0, 100, allow_nan=False),
        "stack": st.none() | st.fixed_dictionaries({"start": st.integers(0, 10), "end": st.integers(11, 20)}),
    }
)


def view(threads: list[dict]) -> dict:
    seen, uniq = set(), []
    for t in threads:
        if t["tid"] not in seen:
            seen.add(t["tid"])
            uniq.append(t)
    return {"pid": 7, "state": "S", "rss": len(uniq) * 4096, "threads": uniq, "counter": {"value": len(uniq)}}


# Run as a module by node: the page's own applyPatch on every case, the indexes of the wrong ones.
APPLY = """
import { applyPatch } from "STATE";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
const cases = JSON.parse(readFileSync(process.argv[1], "utf8"));
const same = ([old, patch, next]) => isDeepStrictEqual(applyPatch(old, patch), next);
console.log(JSON.stringify(cases.flatMap((c, i) => (same(c) ? [] : [i]))));
"""


def test_the_pages_apply_of_the_servers_diff_is_the_new_view(tmp_path: Path) -> None:
    # the diff the server sends, applied by the code the page runs (static/js/state/state.js, under node)
    cases: list[tuple[dict, dict, dict]] = []

    @settings(max_examples=300, deadline=None)
    @given(st.lists(THREAD, max_size=8), st.lists(THREAD, max_size=8))
    def collect(a: list[dict], b: list[dict]) -> None:
        old, new = view(a), view(b)
        patch = diff_process(copy.deepcopy(old), copy.deepcopy(new))
        if patch is None:
            assert old == new
        else:
            assert patch["patch"] is True and patch["pid"] == 7
            cases.append((old, patch, new))

    collect()
    data = tmp_path / "cases.json"
    data.write_text(json.dumps(cases))
    script = APPLY.replace("STATE", (ROOT / "static" / "js" / "state" / "state.js").as_uri())
    node = ["node", "--input-type=module", "-e", script, str(data)]
    out = subprocess.run(node, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    wrong = json.loads(out.stdout)
    assert len(cases) > 100 and wrong == [], [cases[i] for i in wrong[:3]]


def test_an_unchanged_thread_is_not_sent_and_a_changed_one_only_in_part() -> None:
    t1 = {"tid": 1, "state": "S", "cpu": 0, "utime": 1.0, "stack": {"start": 1, "end": 2}}
    t2 = {"tid": 2, "state": "S", "cpu": 0, "utime": 1.0, "stack": {"start": 3, "end": 4}}
    old = view([t1, t2])
    new = view([t1, {**t2, "state": "R", "utime": 1.5}])
    patch = diff_process(old, new)
    assert patch == {"pid": 7, "patch": True, "threads": [{"tid": 2, "state": "R", "utime": 1.5}]}


def test_a_quiet_frame_from_its_template_is_what_the_encoder_writes() -> None:
    from app.observe.frames import frame_text

    base = {"type": "frame", "seq": 12, "ts": 1764850000.123456, "changed": [], "removed": [], "events": []}
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    for frame in (
        base,
        {**base, "ts": 1764850000.1},
        {**base, "removed": [4]},
        {**base, "changed": [{"pid": 1, "patch": True, "rss": 2}]},
        {**base, "focus": {"pid": None}},
    ):
        assert frame_text(frame) == encode(frame)
        assert json.loads(frame_text(frame)) == frame
