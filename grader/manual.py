"""Manual grades: what a person gave a manual question, stored apart from the graded attempts.

A grade is keyed by (assignment, student, question) in the gradebook's ``manual_grades``
table: the rubric items applied (their numbers in the question's rubric, from 1, never copies of
their points or text), an adjustment in points (negative takes off), a comment, who graded and
when. It does not belong to an attempt: grading the autograded part again (``--force``, a
changed check, a new version of the notebook) keeps it, and it applies to the student's latest
result.

:func:`apply_manual_grades` (pure) scores the graded manual questions of a result with the
assignment's rubric *as it is now*: editing an item's points or text changes every grade that
uses it. Reordering or deleting items changes what a stored number points at; a number beyond
the rubric (a deleted item) counts nothing. A question scores its applied items' points plus
the adjustment, clamped to [0, its points], and counts in ``total`` and ``possible``. The late
penalty is a fraction of the possible points, so it is computed again over the new score and
possible points, with the assignment's current ``[late]`` policy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from grader.config import Assignment, QuestionConfig
from grader.late import TimeError, apply_late_policy, parse_time
from grader.models import AppliedItem, QuestionResult, SubmissionResult
from grader.notebook import Unreadable, read_submission

metadata = sa.MetaData()
manual_grades = sa.Table(
    "manual_grades",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("assignment", sa.String(255), nullable=False),
    sa.Column("student", sa.String(255), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("items", sa.Text, nullable=False),
    sa.Column("adjustment", sa.Float, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("grader", sa.String(255), nullable=False),
    sa.Column("graded_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("assignment", "student", "question"),
)

_MARKER = re.compile(r"^\s*(?:<!--\s*MANUAL:\s*(?P<md>[^\s>]+)\s*-->|#\s*MANUAL:\s*(?P<py>\S+))")


@dataclass(frozen=True)
class ManualGrade:
    """A person's grade of one student's manual question."""

    student: str
    question: str
    items: tuple[int, ...] = ()
    """The rubric items applied: their numbers in the question's rubric, from 1."""
    adjustment: float = 0.0
    comment: str = ""
    grader: str = ""
    graded_at: str = ""

    def same_grade(self, other: ManualGrade) -> bool:
        """Whether ``other`` gives the same grade (whenever it was given)."""
        return dataclasses.replace(other, graded_at=self.graded_at) == self


Grades = Mapping[tuple[str, str], ManualGrade]
"""Manual grades by (student, question)."""


def default_grader() -> str:
    """Who grades when nobody says: the OS user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def question_score(config: QuestionConfig, grade: ManualGrade) -> float:
    """Applied items' points plus the adjustment, clamped to [0, the question's points]."""
    applied = {n for n in grade.items if 0 < n <= len(config.rubric)}
    earned = sum(config.rubric[n - 1].points for n in applied)
    return round(min(max(earned + grade.adjustment, 0.0), config.points) + 0.0, 6)


def apply_manual_grades(
    result: SubmissionResult, grades: Grades, assignment: Assignment
) -> SubmissionResult:
    """``result`` with each manual question that has a grade scored and counted.

    Ungraded ones stay awaiting, outside the total. The total is the sum of the counted
    questions, less the late penalty of the assignment's policy computed over it.
    """
    questions = []
    changed = False
    for q in result.questions:
        config = assignment.questions.get(q.name)
        grade = grades.get((result.student, q.name))
        if not q.manual or config is None or not config.manual or grade is None:
            questions.append(q)
            continue
        changed = True
        questions.append(_graded(q, config, grade))
    if not changed:
        return result
    counted = [q for q in questions if not q.awaiting]
    scored = dataclasses.replace(
        result,
        questions=tuple(questions),
        total=round(sum(q.score for q in counted) + 0.0, 6),
        possible=round(sum(q.possible for q in counted) + 0.0, 6),
        penalty=0.0,
    )
    try:
        when = parse_time(result.submitted_at) if result.submitted_at else None
    except TimeError:
        when = None
    return apply_late_policy(scored, assignment.late, when)


def _graded(q: QuestionResult, config: QuestionConfig, grade: ManualGrade) -> QuestionResult:
    applied = tuple(
        AppliedItem(n, config.rubric[n - 1].text, config.rubric[n - 1].points)
        for n in sorted(set(grade.items))
        if 0 < n <= len(config.rubric)
    )
    return dataclasses.replace(
        q,
        score=question_score(config, grade),
        possible=round(config.points + 0.0, 6),
        awaiting=False,
        rubric=applied,
        adjustment=grade.adjustment,
        comment=grade.comment,
        graded_by=grade.grader,
    )


def load_grades(conn: sa.Connection, assignment: str) -> dict[tuple[str, str], ManualGrade]:
    """Every manual grade of ``assignment``, by (student, question)."""
    rows = conn.execute(
        sa.select(manual_grades).where(manual_grades.c.assignment == assignment)
    ).all()
    return {
        (r.student, r.question): ManualGrade(
            student=r.student,
            question=r.question,
            items=tuple(int(n) for n in json.loads(r.items)),
            adjustment=float(r.adjustment),
            comment=r.comment,
            grader=r.grader,
            graded_at=r.graded_at,
        )
        for r in rows
    }


def save_grades(conn: sa.Connection, assignment: str, grades: Sequence[ManualGrade]) -> int:
    """Store ``grades`` (in the caller's transaction); how many changed.

    A grade equal to the stored one is left as it is, its time included; a grade without a
    time gets now, one without a grader the OS user.
    """
    stored = load_grades(conn, assignment)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    changed = 0
    for grade in grades:
        grade = dataclasses.replace(
            grade,
            items=tuple(sorted(set(grade.items))),
            grader=grade.grader or default_grader(),
            graded_at=grade.graded_at or now,
        )
        old = stored.get((grade.student, grade.question))
        if old is not None and old.same_grade(grade):
            continue
        values = {
            "items": json.dumps(list(grade.items)),
            "adjustment": grade.adjustment,
            "comment": grade.comment,
            "grader": grade.grader,
            "graded_at": grade.graded_at,
        }
        key = (
            (manual_grades.c.assignment == assignment)
            & (manual_grades.c.student == grade.student)
            & (manual_grades.c.question == grade.question)
        )
        if old is None:
            conn.execute(
                manual_grades.insert().values(
                    assignment=assignment, student=grade.student, question=grade.question, **values
                )
            )
        else:
            conn.execute(manual_grades.update().where(key).values(**values))
        changed += 1
    return changed


def answer_text(
    notebooks: Sequence[Path], assignment: Assignment, question: str
) -> tuple[str, str]:
    """The student's answer to a manual question: (its text, "" or why there is none).

    The answer is every cell of the question's notebook whose first line is its marker
    (``<!-- MANUAL: q -->`` or ``# MANUAL: q``), less that line.
    """
    config = assignment.questions.get(question)
    wanted = config.notebook if config is not None and config.notebook else ""
    if wanted:
        candidates = [p for p in notebooks if p.stem == Path(wanted).stem]
    else:
        candidates = list(notebooks[:1])
    if not candidates:
        return "", f"no notebook {wanted + ' ' if wanted else ''}recorded for this submission"
    path = candidates[0]
    if not path.is_file():
        return "", f"the notebook is no longer at {path}"
    nb = read_submission(path)
    if isinstance(nb, Unreadable):
        return "", f"the notebook cannot be read: {nb.reason}"
    parts = []
    for cell in nb.cells:
        first, _, rest = str(cell.source).partition("\n")
        match = _MARKER.match(first)
        if match and (match["md"] or match["py"]) == question:
            parts.append(rest.strip("\n"))
    if not parts:
        return "", f"no cell marked MANUAL: {question} in {path.name}"
    return "\n\n".join(parts), ""
