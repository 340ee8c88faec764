"""The class's anonymous votes on one question: one per viewer, changeable until the reveal."""

from __future__ import annotations

from ..control.errors import LabError
from ..protocol import OptionView, QuestionView
from .model import Question

# More voters than any class; a flood of fresh connections cannot grow this without bound.
MAX_VOTERS = 2000


class Ballot:
    """The votes on one question, keyed by an anonymous per-browser voter id."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.votes: dict[str, str | float] = {}
        self.open = True
        self.value: float | None = None  # the measured figure, once revealed

    def cast(self, voter: str, choice: str | None, number: float | None) -> None:
        """Record (or replace) this voter's answer; refuse a closed question or a wrong kind of answer."""
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
        if voter not in self.votes and len(self.votes) >= MAX_VOTERS:
            raise LabError("full", f"question {q.id!r} already has {MAX_VOTERS} voters")
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
