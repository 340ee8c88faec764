"""Lesson files: the built-in lesson, and bad files refused with the field and line that is wrong."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from support import skip_unless_quiet

from app.control.errors import LabError
from app.control.experiments import Experiments
from app.control.lab import Lab
from app.lesson.loader import MAX_LESSON_BYTES, LessonError, load_lesson, parse_lesson
from app.lesson.model import Question
from app.lesson.runner import LessonRunner
from app.lesson.votes import MAX_VOTERS, Ballot
from app.settings import Settings
from app.web.voters import VoterIds

GOOD = """\
title: {en: Tiny, ko: 작은}
scenes:
  - id: one
    kind: show
    headline: {en: One, ko: 하나}
    narration: {en: A process., ko: 프로세스.}
    setup:
      - threads: [count]
"""


def _error(text: str) -> str:
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "t.yaml")
    return str(info.value)


def test_the_built_in_lesson_follows_the_claims_in_order() -> None:
    lesson = load_lesson(None)
    ids = [s.id for s in lesson.scenes]
    assert ids[:7] == ["process", "fork", "ipc", "threads", "registers", "siblings", "race"]
    later = {"slow-race", "slow-lock", "deadlock", "lock-order", "costs", "switch-sweep", "gil", "response"}
    assert later <= set(ids)
    kinds = {s.id: s.kind for s in lesson.scenes}
    assert kinds["slow-race"] == kinds["deadlock"] == "stepped"
    race = next(s for s in lesson.scenes if s.id == "race")
    assert race.question is not None and race.question.figure == "actual"


def test_a_good_lesson_loads_from_yaml_and_from_json(tmp_path: Path) -> None:
    assert parse_lesson(GOOD).scenes[0].setup[0].threads == ["count"]
    as_json = tmp_path / "l.json"
    as_json.write_text(json.dumps(parse_lesson(GOOD).model_dump(exclude_none=True)))
    assert load_lesson(as_json).scenes[0].headline.ko == "하나"


def test_a_wrong_type_names_the_field_and_its_line() -> None:
    msg = _error(GOOD.replace("threads: [count]", "threads: 3"))
    assert "line 8: scenes.0.setup.0.threads" in msg and "list" in msg


def test_an_unknown_scene_kind_is_refused() -> None:
    msg = _error(GOOD.replace("kind: show", "kind: movie"))
    assert "line 4: scenes.0.kind" in msg and "movie" in msg and "show" in msg and "stepped" in msg


def test_a_missing_translation_is_refused() -> None:
    msg = _error(GOOD.replace("headline: {en: One, ko: 하나}", "headline: {en: One}"))
    assert "line 5: scenes.0.headline.ko" in msg and "Field required" in msg


def test_a_misspelt_field_is_refused() -> None:
    msg = _error(GOOD.replace("narration:", "naration:"))
    assert "scenes.0.naration" in msg and "Extra inputs" in msg


def test_a_question_must_name_a_figure_its_reveal_measures() -> None:
    text = (
        GOOD
        + """\
    question:
      id: q
      kind: choice
      prompt: {en: "How many?", ko: "몇 개?"}
      figure: speed
      options:
        - {id: a, label: {en: A, ko: 가}, max: 0}
        - {id: b, label: {en: B, ko: 나}, min: 1}
    reveal: {experiment: watch}
"""
    )
    assert "question.figure 'speed' is not a figure of the watch experiment (delta)" in _error(text)
    assert parse_lesson(text.replace("figure: speed", "figure: delta")).scenes[0].question


def test_a_10_mb_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(GOOD + "# " + "x" * (10 << 20) + "\n")
    with pytest.raises(LessonError, match=f"at most {MAX_LESSON_BYTES}"):
        load_lesson(big)


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!custom 1"]
)
def test_yaml_tags_that_would_construct_objects_are_refused(tag: str) -> None:
    msg = _error(GOOD.replace("kind: show", f"kind: {tag}"))
    assert "line 4" in msg and "not allowed" in msg


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (BILLION_LAUGHS, "line 1: YAML anchors and aliases (&a) are not allowed"),
        (GOOD.replace("[count]", "*x"), "line 8: YAML anchors and aliases (*x)"),
        ("[" * 50_000 + "]" * 50_000, "line 1: nests deeper than 16 levels"),
        ("".join("  " * i + "a:\n" for i in range(400)), "line 17: nests deeper than 16 levels"),
        (GOOD.replace("title:", "n: " + "9" * 200_000 + "\ntitle:"), "line 1: a value of 200000 characters"),
        (GOOD.replace("title:", "n: " + "9" * 5_000 + "\ntitle:"), "line 1: a number of 5000 characters"),
        (GOOD.replace("title:", "n: 2001-02-30\ntitle:"), "a value cannot be read"),
    ],
    ids=["billion-laughs", "alias", "deep-flow", "deep-block", "huge-scalar", "huge-int", "bad-date"],
)
def test_a_strangers_lesson_that_would_cost_far_more_than_its_size_is_refused_in_one_line(
    text: str, said: str
) -> None:
    # each within the 256 KiB file limit, each refused before anything is built from it
    assert len(text.encode()) <= MAX_LESSON_BYTES
    msg = _error(text)
    assert said in msg and "\n" not in msg.strip() and "Traceback" not in msg, msg


def test_broken_yaml_says_where() -> None:
    assert "line" in _error(GOOD.replace("[count]", "[count")) or "not valid YAML" in _error(GOOD + "  - [")


def test_the_server_does_not_start_with_a_broken_lesson(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("ko: 하나", "ko: 7").replace("kind: show", "kind: movie"))
    run = subprocess.run(
        [sys.executable, "-m", "app", "--lesson", str(bad), "--port", "9"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 2 and "movie" in run.stderr and str(bad) in run.stderr, run.stderr
    assert "Uvicorn running" not in run.stderr


def _question(kind: str = "choice") -> Question:
    return Question.model_validate(
        {
            "id": "q",
            "kind": kind,
            "prompt": {"en": "?", "ko": "?"},
            "figure": "lost",
            "options": [
                {"id": "none", "label": {"en": "0", "ko": "0"}, "max": 0},
                {"id": "some", "label": {"en": "1+", "ko": "1+"}, "min": 1, "max": 100},
                {"id": "other", "label": {"en": "?", "ko": "?"}},
            ],
        }
    )


def test_one_vote_per_voter_changeable_until_the_reveal() -> None:
    ballot = Ballot(_question())
    for _ in range(1000):
        ballot.cast("v1", "none", None)
    ballot.cast("v2", "none", None)
    ballot.cast("v2", "some", None)  # changed their mind
    view = ballot.view()
    assert view.votes == 2 and {o.id: o.votes for o in view.options} == {"none": 1, "some": 1, "other": 0}
    ballot.open = False
    with pytest.raises(LabError) as info:
        ballot.cast("v3", "none", None)
    assert info.value.code == "closed" and "revealed" in info.value.message
    ballot.value = 5
    marks = {o.id: o.correct for o in ballot.view().options}
    # the catch-all is right only when nothing else holds
    assert marks == {"none": False, "some": True, "other": False}


def test_votes_of_the_wrong_kind_or_beyond_the_bound_are_refused() -> None:
    ballot = Ballot(_question())
    for args, code in (((None, 3.0), "invalid_request"), (("maybe", None), "invalid_request")):
        with pytest.raises(LabError) as info:
            ballot.cast("v", *args)
        assert info.value.code == code
    numbers = Ballot(_question("number"))
    numbers.cast("a", None, 0)
    numbers.cast("b", None, 42)
    numbers.cast("c", None, 1e9)
    assert {o.id: o.votes for o in numbers.view().options} == {"none": 1, "some": 1, "other": 1}
    for i in range(MAX_VOTERS - 3):
        numbers.cast(f"x{i}", None, 1)
    with pytest.raises(LabError) as info:
        numbers.cast("one-too-many", None, 1)
    assert info.value.code == "full"
    numbers.cast("a", None, 2)  # someone already counted may still change their vote


def test_one_address_adds_at_most_its_share_of_voters_and_they_may_still_change_their_minds() -> None:
    ballot = Ballot(_question(), per_address=3)
    for i in range(3):
        ballot.cast(f"nat{i}", "none", None, "10.0.0.1")
    with pytest.raises(LabError) as info:
        ballot.cast("nat3", "none", None, "10.0.0.1")
    assert info.value.code == "too_many_voters" and "PTLAB_VOTERS_PER_ADDRESS" in info.value.message
    ballot.cast("nat0", "some", None, "10.0.0.1")  # already counted: a change, not a new voter
    ballot.cast("phone", "some", None, "10.0.0.2")  # another address has its own share
    assert {o.id: o.votes for o in ballot.view().options} == {"none": 2, "some": 2, "other": 0}


def test_voter_ids_cannot_be_forged_or_altered() -> None:
    ids = VoterIds()
    cookie = ids.issue()
    value, mac = cookie.split(".")
    altered = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert ids.verify(cookie) == value and ids.verify(ids.issue()) not in (None, value)
    for bad in (value, f"{value}.{'A' * len(mac)}", f"{altered}.{mac}", f"{cookie}.x", "", "a" * 5000):
        assert ids.verify(bad) is None, bad
    assert VoterIds().verify(cookie) is None  # another server (or this one restarted) did not issue it


@pytest.mark.alone
def test_the_cpu_reveal_says_when_other_programs_make_it_unreliable() -> None:
    import asyncio
    import os

    from app.lesson.reveals import cores_used

    skip_unless_quiet()  # the reveal's own threshold: the quiet figure needs a quiet machine
    quiet_cores, quiet_other = asyncio.run(cores_used(os.getpid(), 0.5))
    assert quiet_cores < 0.5
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        cores, other = asyncio.run(cores_used(os.getpid(), 1.0))
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    # one busy loop per CPU: the machine is busy, and the reveal would say its figure is unreliable
    assert cores < 0.5 and other >= 0.5 > quiet_other, (other, quiet_other)


class _Proc:
    pid, alive, stepped = 7, True, "deadlock"


class _Lab:
    """What leaving a scene uses of the lab: its processes, and stopping one as Lab does."""

    settings = Settings(token="a-test-token-of-length")

    def __init__(self) -> None:
        self.procs = {7: _Proc()}

    async def stop_process(self, pid: int) -> None:
        if not self.procs[pid].alive:
            raise LabError("not_found", f"{pid} is not a running lab process")
        self.procs[pid].alive = False


class _PresenterStopsMeanwhile:
    def __init__(self, lab: _Lab) -> None:
        self.lab = lab

    async def step_end(self, pid: int) -> None:
        self.lab.procs[pid].alive = False  # the presenter's stop lands while this waits for the worker
        raise LabError("process_gone", f"lab process {pid} went away")


def test_leaving_a_deadlock_whose_process_the_presenter_just_stopped_moves_on() -> None:
    lesson = load_lesson(None)
    lab = _Lab()
    runner = LessonRunner(lesson, cast(Lab, lab), cast(Experiments, _PresenterStopsMeanwhile(lab)))
    runner.pids = [7]
    deadlock = next(s for s in lesson.scenes if s.id == "deadlock")
    asyncio.run(runner._leave(deadlock))  # before: LabError not_found, and the class stayed put
    assert not lab.procs[7].alive
