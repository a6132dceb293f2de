"""Validating an assignment: the solution must score full marks, the released notebook 0.

The released notebook must also finish without crashing the grader (nbgrader's ``validate``
and ``validate --invert`` in one command).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.release import release
from grader.config import Assignment
from grader.grade import GradeOptions, grade_submission_async
from grader.models import SubmissionResult
from grader.submissions import Submission
from grader.variants import course_secret


@dataclass(frozen=True)
class Validation:
    """The outcome of validating an assignment."""

    solution: SubmissionResult
    released: SubmissionResult
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """Things to review that are not problems (checks that run in the student's kernel)."""

    @property
    def ok(self) -> bool:
        """Whether the assignment passed validation."""
        return not self.problems


def validate(assignment: Assignment, options: GradeOptions) -> Validation:
    """Grade the solution and the released notebook with every check, and compare.

    With data variants, both are graded on the variant of a student named ``solution`` (the
    course secret is made if there is none yet).
    """
    if assignment.variants:
        course_secret(assignment, create=True)
    with tempfile.TemporaryDirectory(prefix="grader-validate-") as tmp:
        released_nb = release(assignment, Path(tmp) / assignment.name)
        solution, released = asyncio.run(
            _grade_both(assignment, options, assignment.notebook_path, released_nb)
        )
    problems: list[str] = []
    if not solution.gradable:
        problems.append(f"solution: not gradable: {solution.reason}")
    else:
        if not solution.checks:
            problems.append("solution: the assignment has no checks")
        problems += [
            f"solution: {c.question}/{c.name} {c.status}: {_first_line(c.message)}"
            for c in solution.checks
            if not c.passed
        ]
        problems += [
            f"solution: {e.notebook + ' ' if e.notebook else ''}cell {e.cell + 1} raised "
            f"{e.ename}: {e.evalue}"
            for e in solution.cell_errors
        ]
        if solution.reason:
            problems.append(f"solution: {solution.reason}")
    notes = [
        f"note: {c.question}/{c.name} runs its test in the student's kernel, where their code "
        "could interfere (an imported test that needs the live kernel): review it"
        for c in solution.checks
        if c.in_kernel
    ]
    if not released.gradable:
        problems.append(f"released notebook: not gradable: {released.reason}")
    else:
        problems += [
            f"released notebook: {c.question}/{c.name} passes without a solution"
            for c in released.checks
            if c.passed
        ]
        if released.reason:
            problems.append(f"released notebook: {released.reason}")
    return Validation(solution, released, tuple(problems), tuple(notes))


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


async def _grade_both(
    assignment: Assignment, options: GradeOptions, solution: Path, released: Path
) -> tuple[SubmissionResult, SubmissionResult]:
    first = await grade_submission_async(
        assignment, _as_submission(assignment, "solution", solution), options
    )
    second = await grade_submission_async(
        assignment, _as_submission(assignment, "released", released), options
    )
    return first, second


def _as_submission(assignment: Assignment, student: str, notebook: Path) -> Submission:
    """The notebook(s) in ``notebook``'s folder as one submission."""
    folder = notebook.parent
    notebooks = tuple(folder / n for n in assignment.notebooks) if assignment.multi_notebook else ()
    return Submission(student, notebook, notebooks=notebooks)
