"""Scoring: check results and the assignment's question settings → a SubmissionResult. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from grader.config import Assignment
from grader.models import CellError, CheckResult, QuestionResult, SubmissionResult


def score(
    assignment: Assignment,
    student: str,
    checks: Sequence[CheckResult],
    cell_errors: Sequence[CellError] = (),
    reason: str = "",
    timings: dict[str, float] | None = None,
    notes: Sequence[str] = (),
) -> SubmissionResult:
    """Sum points per question (all-or-nothing where configured) into a result.

    A manual question appears as awaiting manual grading, outside the total and the possible
    points, until a person grades it.
    """
    order = list(assignment.questions)
    order += sorted({c.question for c in checks} - set(order))
    questions = []
    for name in order:
        own = [c for c in checks if c.question == name]
        config = assignment.questions.get(name)
        if config is not None and config.manual:
            questions.append(_awaiting(assignment, name))
            continue
        if not own:
            continue
        possible = sum(c.possible for c in own)
        earned = sum(c.points for c in own)
        all_or_nothing = assignment.all_or_nothing(name)
        if all_or_nothing and not all(c.passed for c in own):
            earned = 0.0
        questions.append(
            QuestionResult(
                name=name,
                title=assignment.question_title(name),
                score=_round(earned),
                possible=_round(possible),
                all_or_nothing=all_or_nothing,
                passed=sum(c.passed for c in own),
                checks=len(own),
                notebook=own[0].notebook,
            )
        )
    counted = [q for q in questions if not q.awaiting]
    return SubmissionResult(
        assignment=assignment.name,
        student=student,
        gradable=True,
        total=_round(sum(q.score for q in counted)),
        possible=_round(sum(q.possible for q in counted)),
        questions=tuple(questions),
        checks=tuple(checks),
        cell_errors=tuple(cell_errors),
        reason=reason,
        timings=dict(timings or {}),
        notes=tuple(notes),
    )


def _awaiting(assignment: Assignment, name: str) -> QuestionResult:
    config = assignment.questions[name]
    return QuestionResult(
        name=name,
        title=assignment.question_title(name),
        score=0.0,
        possible=_round(config.points),
        all_or_nothing=False,
        passed=0,
        checks=0,
        notebook=config.notebook,
        manual=True,
        awaiting=True,
    )


def ungradable(assignment: Assignment, student: str, reason: str) -> SubmissionResult:
    """The result of a submission that could not be graded at all (not a score of 0)."""
    return SubmissionResult(
        assignment=assignment.name,
        student=student,
        gradable=False,
        total=0.0,
        possible=0.0,
        reason=reason,
    )


def grader_failure(assignment: Assignment, student: str, reason: str) -> SubmissionResult:
    """The result of a submission whose grading failed for a reason that is not the student's."""
    return dataclasses.replace(ungradable(assignment, student, reason), grader_failure=True)


def _round(x: float) -> float:
    return round(x + 0.0, 6)
