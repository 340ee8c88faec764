"""JSON from strangers: its nesting checked before it is parsed.

Python's JSON parser recurses once per level, so ``[`` × 30 000 raises
RecursionError (not ValueError) from deep inside it, and a few hundred levels
that do parse then cost every validator that walks them. Both the websocket
and recordings refuse deep text first, with C-speed string operations rather
than a Python loop over every character (a recording holds 100 MB of it).
"""

from __future__ import annotations

import json
import re
from typing import Any

# An escape (backslash and the character after it), then a JSON string once escapes are gone.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")
# Every byte but a quote and the four brackets: what the depth of JSON text does not depend on.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


class JsonError(ValueError):
    """Text that is not JSON, or nests too deeply to be parsed safely; the message says which."""


def nests_within(text: str | bytes, max_depth: int) -> bool:
    """True if ``text``'s brackets (outside strings) nest at most ``max_depth`` levels and balance.

    Unbalanced text counts as too deep: the parser would recurse into it before it failed.
    """
    data = text.encode() if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return True  # too few brackets to nest any deeper: the common case, decided at once
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)  # first, so an escaped quote ends no string
    # Most strings hold no bracket: they are "" here, gone in one C pass (two strings side by side
    # merge into one, which keeps what is inside strings inside).
    brackets = _STRING.sub(b"", data.translate(None, _NOT_STRUCTURE).replace(b'""', b""))
    # Each round removes the innermost pairs; balanced text of depth d is empty after d rounds.
    for _ in range(max_depth):
        if not brackets:
            return True
        shorter = _INNERMOST.sub(b"", brackets)  # one pass: "{[]}" loses only its "[]"
        if shorter == brackets:
            return False  # mismatched, as in "[}" or an unclosed "["
        brackets = shorter
    return not brackets


def loads(text: str, max_depth: int) -> Any:
    """Parse JSON text from a stranger; JsonError if it nests deeper than ``max_depth`` or is not JSON."""
    if not nests_within(text, max_depth):
        raise JsonError(f"nests deeper than {max_depth} levels (or its brackets do not balance)")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JsonError(f"not valid JSON: {exc}") from None
