"""Process starts are admitted a few at a time, a bounded number wait, the rest are refused at once."""

from __future__ import annotations

import asyncio

import pytest

from app.control.admission import Admission
from app.control.errors import LabError


async def _crowd(admission: Admission, n: int) -> tuple[list[str], int]:
    """``n`` starts at once, each holding its turn briefly; their outcomes and the most that overlapped."""
    inside = 0
    most = 0

    async def one() -> str:
        nonlocal inside, most
        try:
            async with admission.turn():
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.01)
                inside -= 1
                return "ran"
        except LabError as exc:
            return exc.code

    return list(await asyncio.gather(*(one() for _ in range(n)))), most


def test_starts_run_a_few_at_a_time_and_beyond_the_waiting_room_are_refused() -> None:
    admission = Admission(parallel=2, waiting=3)
    outcomes, most = asyncio.run(_crowd(admission, 10))
    assert most == 2
    assert outcomes.count("ran") == 5  # two at once, three waiting
    assert outcomes.count("queue_full") == 5 and admission.refused == 5
    assert admission.waiting == admission.running == 0  # nothing held afterwards


def test_a_refusal_says_what_is_full_and_which_setting_bounds_it() -> None:
    async def go() -> None:
        admission = Admission(parallel=1, waiting=0)
        async with admission.turn():
            with pytest.raises(LabError) as caught:
                async with admission.turn():
                    pass
        assert caught.value.code == "queue_full" and "PTLAB_SPAWN_QUEUE=0" in caught.value.message

    asyncio.run(go())


def test_a_start_that_fails_gives_its_turn_back() -> None:
    async def go() -> None:
        admission = Admission(parallel=1, waiting=0)
        with pytest.raises(RuntimeError):
            async with admission.turn():
                raise RuntimeError("worker did not say hello")
        async with admission.turn():  # the slot is free again
            assert admission.running == 1

    asyncio.run(go())
