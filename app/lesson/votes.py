"""The class's anonymous votes on one question: one per viewer, changeable until the reveal.

A voter is a browser (its server-signed cookie, app/web/voters.py). New
voters cost a page load each, so how many of them one network address may
add to a question is capped: a client cannot outvote a class by reloading.
"""

from __future__ import annotations

from ..control.errors import LabError
from ..protocol import OptionView, QuestionView
from .model import Question

# More voters than any class; a flood of fresh connections cannot grow this without bound.
MAX_VOTERS = 2000


class Ballot:
    """The votes on one question, keyed by an anonymous per-browser voter id."""

    def __init__(self, question: Question, per_address: int = MAX_VOTERS) -> None:
        self.question = question
        self.per_address = per_address
        self.votes: dict[str, str | float] = {}
        self.voters_at: dict[str, int] = {}  # network address -> voters it added
        self.open = True
        self.value: float | None = None  # the measured figure, once revealed

    def cast(self, voter: str, choice: str | None, number: float | None, address: str = "") -> None:
        """Record (or replace) this voter's answer; refuse a closed question or a wrong kind of answer.

        A voter new to the question counts against ``address``'s cap; one already counted may
        change their answer from anywhere.
        """
        q = self.question
        if not self.open:
            raise LabError("closed", f"question {q.id!r} is closed: its answer was revealed")
        if q.kind == "choice":
            if choice is None:
                raise LabError("invalid_request", f"question {q.id!r} takes a choice, not a number")
            if choice not in {o.id for o in q.options}:
                ids = ", ".join(o.id for o in q.options)
                raise LabError("invalid_request", f"question {q.id!r} has no choice {choice!r} ({ids})")
            answer: str | float = choice
        else:
            if number is None:
                raise LabError("invalid_request", f"question {q.id!r} takes a number, not a choice")
            answer = number
        if voter not in self.votes:
            if len(self.votes) >= MAX_VOTERS:
                raise LabError("full", f"question {q.id!r} already has {MAX_VOTERS} voters")
            if self.voters_at.get(address, 0) >= self.per_address:
                raise LabError(
                    "too_many_voters",
                    f"{self.per_address} browsers from {address} have voted on question {q.id!r} already "
                    "(PTLAB_VOTERS_PER_ADDRESS; raise it where a class shares one address)",
                )
            self.voters_at[address] = self.voters_at.get(address, 0) + 1
        self.votes[voter] = answer

    def _bin(self, answer: str | float) -> str | None:
        if isinstance(answer, str):
            return answer
        return next((o.id for o in self.question.options if o.holds(answer)), None)

    def view(self) -> QuestionView:
        """The question with its tally (and, once revealed, which options the figure falls in)."""
        q = self.question
        # the right answer is where the measured figure would have been counted as a vote
        right = None if self.value is None else self._bin(self.value)
        counts = dict.fromkeys((o.id for o in q.options), 0)
        outside = 0
        for answer in self.votes.values():
            key = self._bin(answer)
            if key is None:
                outside += 1
            else:
                counts[key] += 1
        return QuestionView(
            id=q.id,
            kind=q.kind,
            prompt=q.prompt.model_dump(),
            figure=q.figure,
            options=[
                OptionView(
                    id=o.id,
                    label=o.label.model_dump(),
                    min=o.min,
                    max=o.max,
                    votes=counts[o.id],
                    correct=None if self.value is None else o.id == right,
                )
                for o in q.options
            ],
            votes=len(self.votes),
            outside=outside,
            open=self.open,
        )
