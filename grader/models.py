"""Results of grading: frozen dataclasses that serialise to the versioned JSON schema.

``SubmissionResult.to_dict()`` is the JSON object of ``grader grade --format json`` and of
``reports/<name>/<student>.json``; ``from_dict`` reads it back (gradebook, reports).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 4
"""Bumped whenever a field of the JSON output changes meaning or disappears.

4: a question may be ``manual`` (graded by a person); one not graded yet is ``awaiting`` and
its points are in neither ``total`` nor ``possible`` (never a 0); questions, checks and cell
errors name their ``notebook`` in a multi-notebook assignment. Older results read as having
no manual questions and one notebook.

3: ``grader_failure`` (grading failed for a reason that is not the student's), ``isolation``
and ``kernels`` (how it was graded); recovered cells appear as cell errors of kind
``"skipped"``. Older results read with ``grader_failure`` false and the two unknown ("").

2: ``total`` is the score after any late penalty (``score_before_penalty`` + ``penalty``
fields, and ``submitted_at`` / ``minutes_late`` / ``days_late``). Version-1 results (no
late policy, so ``total`` was already the final score) read as version 2 with no penalty.
"""

CheckStatus = Literal["passed", "failed", "error", "timeout"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check (one pytest test function)."""

    name: str
    """The check's function name, e.g. ``test_normalize_rows``."""
    question: str
    """The question it scores."""
    visibility: Literal["public", "hidden"]
    """``public`` checks are released to students; ``hidden`` ones only run at grading."""
    status: CheckStatus
    points: float
    """Points earned (before any all-or-nothing rule)."""
    possible: float
    message: str = ""
    """Why it did not pass: the assertion message, never a hidden check's source."""
    hint: str = ""
    """The instructor's hint, shown when the check did not pass."""
    duration: float = 0.0
    notebook: str = ""
    """The notebook it read (its stem), in a multi-notebook assignment; else ""."""
    in_kernel: bool = False
    """It ran test code in the student's kernel (``@pytest.mark.in_kernel``), where the
    student's own code could interfere; every other check reads the notebook by value."""
    reported: dict[str, float | str] = field(default_factory=dict)
    """Values the check reported for a leaderboard (the ``leaderboard`` fixture), by name."""

    @property
    def passed(self) -> bool:
        """Whether the check passed."""
        return self.status == "passed"


@dataclass(frozen=True)
class AppliedItem:
    """A rubric item a person applied to a manual question (as the rubric says it now)."""

    number: int
    """Its place in the question's rubric, from 1 (``[[questions.<name>.rubric]]`` order)."""
    text: str
    points: float


@dataclass(frozen=True)
class QuestionResult:
    """Points of one question."""

    name: str
    title: str
    score: float
    possible: float
    all_or_nothing: bool
    passed: int
    """Number of its checks that passed."""
    checks: int
    """Number of its checks."""
    notebook: str = ""
    """The notebook it is in (its stem), in a multi-notebook assignment; else ""."""
    manual: bool = False
    """Graded by a person (``[questions.<name>] manual = true``), not by checks."""
    awaiting: bool = False
    """A manual question not graded yet: its points count in neither ``total`` nor
    ``possible`` of the submission."""
    rubric: tuple[AppliedItem, ...] = ()
    """A graded manual question: the rubric items the grader applied."""
    adjustment: float = 0.0
    """A graded manual question: points added (or, negative, taken) besides the items."""
    comment: str = ""
    """A graded manual question: the grader's comment to the student."""
    graded_by: str = ""
    """A graded manual question: who graded it ("" for a checked question)."""


@dataclass(frozen=True)
class CellError:
    """An error raised by one of the student's cells while the notebook ran."""

    cell: int
    """Index of the cell in the notebook (0-based, counting every cell; shown to students +1)."""
    kind: Literal["error", "timeout", "killed", "skipped"]
    """``skipped``: the cell killed or wedged the kernel; a fresh kernel ran the rest without it."""
    ename: str
    evalue: str
    traceback: str = ""
    """The student's traceback, ANSI colours removed, trimmed to their own cell."""
    notebook: str = ""
    """The notebook of the cell (its stem), in a multi-notebook assignment; else ""."""


@dataclass(frozen=True)
class AnswerCell:
    """One cell of a student's answer to a manual question, as the graded run left it."""

    cell_type: str
    """``markdown``, ``code`` or ``raw``."""
    source: str
    """The cell's text, its marker line removed."""
    outputs: tuple[dict[str, Any], ...] = ()
    """A code cell's outputs from the graded run (nbformat's JSON: plots, tables, text)."""
    attachments: dict[str, Any] = field(default_factory=dict)
    """A Markdown cell's attachments (images pasted into it), as nbformat keeps them."""


@dataclass(frozen=True)
class ManualAnswer:
    """What a student wrote for a manual question: the cells its marker names."""

    question: str
    cells: tuple[AnswerCell, ...] = ()
    notebook: str = ""
    """The notebook of the cells (its file name)."""
    note: str = ""
    """Why there is no answer or part of it is left out ("" when it is whole)."""
    figure: bool = False
    """The figure an autograded question's cells (marked ``FIGURE``) drew, for the feedback
    page, rather than an answer graded by hand."""

    def text(self) -> str:
        """The answer's cells' text, one after another."""
        return "\n\n".join(c.source for c in self.cells)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManualAnswer:
        """Rebuild an answer from its ``asdict`` form."""
        cells = tuple(
            AnswerCell(**{**c, "outputs": tuple(c.get("outputs", ()))})
            for c in data.get("cells", ())
        )
        return cls(**{**data, "cells": cells})


@dataclass(frozen=True)
class SubmissionResult:
    """The grade of one submission."""

    assignment: str
    student: str
    gradable: bool
    """False when the notebook could not be graded at all (not the same as a score of 0)."""
    total: float
    possible: float
    questions: tuple[QuestionResult, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    cell_errors: tuple[CellError, ...] = ()
    reason: str = ""
    """Why the submission is not gradable, or what stopped it early (e.g. a time-out)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: start, execute, checks, total."""
    notes: tuple[str, ...] = ()
    """Plain-words remarks for the student (e.g. output truncated, sandbox mode)."""
    submitted_at: str | None = None
    """When it was submitted (ISO 8601, UTC), if known; unknown counts as on time."""
    minutes_late: float = 0.0
    """Minutes after the deadline (0 when on time, the grace period included)."""
    days_late: int = 0
    """Started days late (0 when on time)."""
    penalty: float = 0.0
    """Points taken for lateness: ``total`` is the score after it."""
    grader_failure: bool = False
    """Grading failed for a reason that is not the student's (``reason`` says which): the check
    worker died, the kernel could not start, no sandbox uid was free. A re-run grades it again."""
    isolation: str = ""
    """How the kernel was isolated: ``bwrap`` (bubblewrap) or ``limits`` (resource limits only)."""
    kernels: str = ""
    """How the kernel started: ``warm`` (forked from the batch's zygote) or ``cold``."""
    schema_version: int = SCHEMA_VERSION
    answers: tuple[ManualAnswer, ...] = field(default=(), compare=False)
    """The answers to the manual questions, with the graded run's outputs: kept in the
    gradebook for the people who grade them, never in the JSON output (``to_dict``)."""

    @property
    def sandboxed(self) -> bool:
        """Whether the notebook ran inside bubblewrap (unknown counts as yes: older results)."""
        return self.isolation in ("", "bwrap")

    @property
    def score_before_penalty(self) -> float:
        """The score the checks earned, before any late penalty."""
        return round(self.total + self.penalty, 6)

    @property
    def awaiting_manual(self) -> tuple[QuestionResult, ...]:
        """The manual questions not graded yet."""
        return tuple(q for q in self.questions if q.awaiting)

    @property
    def percent(self) -> float:
        """Score as a percentage of the possible points (0 when nothing is possible)."""
        return 100.0 * self.total / self.possible if self.possible else 0.0

    def to_dict(self, answers: bool = False) -> dict[str, Any]:
        """The JSON object of this result (schema ``SCHEMA_VERSION``).

        ``answers``: keep the manual answers (for a cluster worker's result in transit).
        """
        out = asdict(self)
        if not answers:
            del out["answers"]
        out["percent"] = round(self.percent, 2)
        out["score_before_penalty"] = self.score_before_penalty
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result from :meth:`to_dict` output (any schema version up to ours).

        Raises:
            ValueError: the result is of a newer schema than this grader reads.
        """
        fields = dict(data)
        version = int(fields.get("schema_version", 1))
        if version > SCHEMA_VERSION:
            raise ValueError(f"result schema {version} is newer than this grader's")
        fields["schema_version"] = SCHEMA_VERSION  # older versions read with the new defaults
        fields.pop("percent", None)
        fields.pop("score_before_penalty", None)
        fields["questions"] = tuple(
            QuestionResult(**{**q, "rubric": tuple(AppliedItem(**i) for i in q.get("rubric", ()))})
            for q in fields.get("questions", ())
        )
        fields["checks"] = tuple(CheckResult(**c) for c in fields.get("checks", ()))
        fields["cell_errors"] = tuple(CellError(**e) for e in fields.get("cell_errors", ()))
        fields["notes"] = tuple(fields.get("notes", ()))
        fields["answers"] = tuple(ManualAnswer.from_dict(a) for a in fields.get("answers", ()))
        return cls(**fields)

    def summary(self) -> str:
        """One line for the terminal."""
        if self.grader_failure:
            return f"{self.student}: grader failure: {self.reason}"
        if not self.gradable:
            return f"{self.student}: not gradable: {self.reason}"
        line = f"{self.student}: {_fmt(self.total)}/{_fmt(self.possible)} ({self.percent:.0f}%)"
        if self.penalty:
            line += f" after a late penalty of {_fmt(self.penalty)} ({self.days_late} days late)"
        if waiting := self.awaiting_manual:
            names = ", ".join(q.name for q in waiting)
            points = _fmt(sum(q.possible for q in waiting))
            line += f"; awaiting manual grading: {names} ({points} points)"
        return line


def _fmt(x: float) -> str:
    return f"{x:g}"
