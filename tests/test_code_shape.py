"""The code stays readable in one screen: no function in app/ longer than 60 lines, nested ones
counted with the function that holds them (issue 21; three had grown back past it unnoticed)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONGEST = 60


def _lengths(source: str) -> list[tuple[int, int, str]]:
    """(lines, first line, name) of every function and method in ``source``."""
    return [
        (node.end_lineno - node.lineno + 1, node.lineno, node.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    ]


def test_lengths_count_a_function_with_what_it_nests() -> None:
    inner = "\n".join(f"        x{i} = {i}" for i in range(70))
    source = f"def outer():\n    def inner():\n{inner}\n    return inner\n"
    assert max(_lengths(source)) == (73, 1, "outer")


def test_no_function_in_app_is_longer_than_60_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{line} {name} ({n} lines)"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for n, line, name in _lengths(path.read_text())
        if n > LONGEST
    ]
    assert long == []
