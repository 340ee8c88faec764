"""Frame patches: applying the diff of two views gives back the new view."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from app.observe.patches import apply_patch, diff_process

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


@settings(max_examples=300)
@given(st.lists(THREAD, max_size=8), st.lists(THREAD, max_size=8))
def test_apply_of_diff_is_the_new_view(a: list[dict], b: list[dict]) -> None:
    old, new = view(a), view(b)
    patch = diff_process(copy.deepcopy(old), copy.deepcopy(new))
    if patch is None:
        assert old == new
    else:
        assert patch["patch"] is True and patch["pid"] == 7
        assert apply_patch(old, patch) == new


def test_an_unchanged_thread_is_not_sent_and_a_changed_one_only_in_part() -> None:
    t1 = {"tid": 1, "state": "S", "cpu": 0, "utime": 1.0, "stack": {"start": 1, "end": 2}}
    t2 = {"tid": 2, "state": "S", "cpu": 0, "utime": 1.0, "stack": {"start": 3, "end": 4}}
    old = view([t1, t2])
    new = view([t1, {**t2, "state": "R", "utime": 1.5}])
    patch = diff_process(old, new)
    assert patch == {"pid": 7, "patch": True, "threads": [{"tid": 2, "state": "R", "utime": 1.5}]}
