"""JSON from strangers: nesting is judged before parsing, exactly, and fast enough for 100 MB."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.untrusted_json import JsonError, loads, nests_within

JSON = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet="[]{}a", max_size=3), inner),
    max_leaves=30,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON, st.integers(min_value=0, max_value=8))
def test_the_depth_check_agrees_with_the_parsed_value(value: object, limit: int) -> None:
    # brackets inside strings (and escaped quotes) must not count
    assert nests_within(json.dumps(value), limit) == (depth(value) <= limit)


@pytest.mark.parametrize(
    "text", ["[" * 30_000 + "]" * 30_000, "[" * 30_000, "{" * 40 + "]" * 40, '{"a":' * 9000]
)
def test_deep_or_unbalanced_text_is_refused_with_a_json_error_not_a_recursion_error(text: str) -> None:
    with pytest.raises(JsonError, match="nests deeper than 8"):
        loads(text, 8)


def test_shallow_bad_json_is_named_as_such() -> None:
    with pytest.raises(JsonError, match="not valid JSON"):
        loads('{"a": 1', 8)
    assert loads('{"a": ["[[[[[[[[[[[["]}', 2) == {"a": ["[[[[[[[[[[[["]}
