"""Read a lesson file (YAML or JSON) and check it, naming the field and line of every mistake.

YAML's safe loader reads both formats (JSON is YAML), keeps each value's line,
and refuses tags that would construct objects (``!!python/object``…): a lesson
file is data, never code.

Lesson files are passed between teachers, so they are read as a stranger's:
before anything is built from them, their tokens are checked, and an anchor
or alias (a 511-byte file of nested aliases expands to gigabytes: "billion
laughs"), nesting deeper than a lesson needs (PyYAML's scanner slows with
every open level: 50 000 took it 77 s), a huge scalar or a number longer than
any lesson's is refused with its line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import Lesson

# A lesson of forty scenes in two languages is a few tens of kilobytes.
MAX_LESSON_BYTES = 256 * 1024
# Core YAML types only: anything else would be an object of the loader's choosing.
PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


# A lesson nests 6 levels (scenes, a scene, its question, options, an option, a label).
MAX_NESTING = 16
# The longest narration is a few hundred characters.
MAX_SCALAR = 16 * 1024
# Far longer than any figure a lesson needs; int() itself refuses beyond 4 300 digits, tracelessly.
MAX_NUMBER = 32
_OPENS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken)
_FLOW_OPENS = (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class LessonError(ValueError):
    """A lesson file the server must not start with; the message says where and why."""


def _check_tokens(text: str) -> None:
    """Refuse, with its line, what could cost far more to build than the file's size: see the module."""
    depth = 0
    resolver = yaml.resolver.Resolver()
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        line = token.start_mark.line + 1
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            mark = "*" if isinstance(token, yaml.AliasToken) else "&"
            raise LessonError(
                f"line {line}: YAML anchors and aliases ({mark}{token.value}) are not allowed in a "
                "lesson: write each value out"
            )
        if isinstance(token, _OPENS + _FLOW_OPENS):
            depth += 1
            if depth > MAX_NESTING:
                raise LessonError(f"line {line}: nests deeper than {MAX_NESTING} levels; a lesson needs 6")
        elif isinstance(token, _CLOSES):
            depth -= 1
        elif isinstance(token, yaml.ScalarToken):
            if len(token.value) > MAX_SCALAR:
                raise LessonError(
                    f"line {line}: a value of {len(token.value)} characters; at most {MAX_SCALAR}"
                )
            number = token.plain and resolver.resolve(yaml.ScalarNode, token.value, (True, False))
            if number in _NUMBER_TAGS and len(token.value) > MAX_NUMBER:
                raise LessonError(
                    f"line {line}: a number of {len(token.value)} characters; at most {MAX_NUMBER}"
                )


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    # 1-based line of every value, by its path of keys and indexes (pydantic's error locations).
    out[path] = node.start_mark.line + 1
    if node.tag not in PLAIN_TAGS:
        raise LessonError(f"line {node.start_mark.line + 1}: the tag {node.tag} is not allowed in a lesson")
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _lines(value, (*path, i), out)


def _where(loc: tuple[Any, ...], data: Any, lines: dict[tuple[Any, ...], int]) -> str:
    """``line N: scenes.2.headline.ko`` for a pydantic error location."""
    path: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        # pydantic puts a union member's tag in the location ("scenes", 2, "show", ...): not in the file
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif isinstance(node, dict | list) and i < len(loc) - 1:
            continue  # a tag; a missing field is the location's last part, and is kept
        path.append(part)
    field = ".".join(str(p) for p in path) or "(the lesson)"
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in lines:
            return f"line {lines[tuple(path[:n])]}: {field}"
    return field


def _loc(error: Any) -> tuple[Any, ...]:
    # A wrong or missing tag is the tag field's fault ("kind", "experiment"), not its whole scene's.
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return (*error["loc"], str(error["ctx"]["discriminator"]).strip("'"))
    return tuple(error["loc"])


def parse_lesson(text: str, name: str = "lesson") -> Lesson:
    """Parse and validate a lesson's text; raise LessonError naming the field and line."""
    if len(text.encode()) > MAX_LESSON_BYTES:
        raise LessonError(f"{name}: {len(text.encode())} bytes; a lesson may have at most {MAX_LESSON_BYTES}")
    try:
        _check_tokens(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise LessonError(f"{name}: not valid YAML or JSON: {exc}") from exc
    except LessonError as exc:
        raise LessonError(f"{name}: {exc}") from None
    if node is None:
        raise LessonError(f"{name}: the file is empty")
    lines: dict[tuple[Any, ...], int] = {}
    try:
        _lines(node, (), lines)
    except LessonError as exc:
        raise LessonError(f"{name}: {exc}") from None
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except (yaml.YAMLError, ValueError) as exc:  # a value YAML scans but cannot build, e.g. a bad date
        raise LessonError(f"{name}: a value cannot be read: {exc}") from None
    try:
        return Lesson.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_where(_loc(e), data, lines)}: {e['msg']}" for e in exc.errors()[:8]]
        more = exc.error_count() - len(problems)
        tail = f"\n  … and {more} more" if more > 0 else ""
        raise LessonError(f"{name} is not a valid lesson:\n  " + "\n  ".join(problems) + tail) from None


def load_lesson(path: Path | None) -> Lesson:
    """The lesson in ``path``, or the built-in one when None."""
    if path is None:
        return parse_lesson(
            resources.files(__package__).joinpath("builtin.yaml").read_text(), "built-in lesson"
        )
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_LESSON_BYTES + 1)
    except OSError as exc:
        raise LessonError(f"cannot read {path}: {exc.strerror}") from exc
    if len(raw) > MAX_LESSON_BYTES:
        raise LessonError(
            f"{path}: over {MAX_LESSON_BYTES} bytes; a lesson may have at most {MAX_LESSON_BYTES}"
        )
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise LessonError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_lesson(text, str(path))
