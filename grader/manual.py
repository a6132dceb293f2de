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
import getpass
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.config import Assignment
from grader.late import TimeError, apply_late_policy, parse_time
from grader.models import AnswerCell, AppliedItem, ManualAnswer, QuestionResult, SubmissionResult
from grader.notebook import Unreadable, read_submission
from grader.settings import QuestionConfig

ANSWER_BYTES = 4 << 20
"""The most of one answer's outputs kept for the people who grade it (JSON bytes): plots
beyond it are left out, with a note."""

_FIGURE = re.compile(r"^\s*#\s*FIGURE:\s*(\S+)")
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


def marked_question(cell: Mapping[str, object]) -> str:
    """The manual question whose answer ``cell`` is (its first line's marker), or ""."""
    first = str(cell.get("source", "")).partition("\n")[0]
    match = _MARKER.match(first)
    return (match["md"] or match["py"]) if match else ""


def capture_answers(
    nb: Mapping[str, object], assignment: Assignment, notebook: str
) -> tuple[ManualAnswer, ...]:
    """The manual answers and autograded questions' figures in ``notebook``, from its graded run.

    Each answer is the cells marked for its question, with their outputs (code) or attachments
    (Markdown); a question of this notebook without a marked cell gets an empty answer saying
    so. A code cell whose first line is ``# FIGURE: <question>`` (an autograded question) gives
    a figure answer: the cell with only its image outputs, for the feedback page. Outputs beyond
    :data:`ANSWER_BYTES` per answer are left out, with a note.
    """
    mine = [
        name
        for name, q in assignment.questions.items()
        if q.manual and (not q.notebook or Path(q.notebook).stem == Path(notebook).stem)
    ]
    cells: dict[str, list[AnswerCell]] = {name: [] for name in mine}
    figures: dict[str, list[AnswerCell]] = {}
    budget = dict.fromkeys(mine, ANSWER_BYTES)
    notes: dict[str, str] = {}
    for cell in nb.get("cells", ()):  # type: ignore[attr-defined]
        question = marked_question(cell)
        if question in cells:
            outputs = tuple(json.loads(json.dumps(cell.get("outputs", []))))
            found = cells[question]
        else:
            question = figure_question(cell)
            known = assignment.questions.get(question)
            if known is None or known.manual or cell.get("cell_type") != "code":
                continue
            outputs = tuple(json.loads(json.dumps(_images(cell.get("outputs", [])))))
            found = figures.setdefault(question, [])
            budget.setdefault(question, ANSWER_BYTES)
        size = len(json.dumps(outputs))
        if size > budget[question]:
            outputs = ()
            notes[question] = "outputs too large to keep were left out"
        budget[question] -= len(json.dumps(outputs))
        found.append(
            AnswerCell(
                cell_type=str(cell.get("cell_type", "")),
                source=str(cell.get("source", "")).partition("\n")[2].strip("\n"),
                outputs=outputs,
                attachments=json.loads(json.dumps(cell.get("attachments", {}))),
            )
        )
    manual = tuple(
        ManualAnswer(
            question=name,
            cells=tuple(found),
            notebook=notebook,
            note=notes.get(name, "" if found else f"no cell marked MANUAL: {name} in {notebook}"),
        )
        for name, found in cells.items()
    )
    drawn = tuple(
        ManualAnswer(name, tuple(found), notebook, notes.get(name, ""), figure=True)
        for name, found in figures.items()
    )
    return manual + drawn


def figure_question(cell: Mapping[str, object]) -> str:
    """The question whose figure ``cell`` draws (its first line ``# FIGURE: q9``), or ""."""
    match = _FIGURE.match(str(cell.get("source", "")).partition("\n")[0])
    return match[1] if match else ""


def _images(outputs: Any) -> list[Any]:
    """The outputs that show an image (a plot), each with only its image data."""
    kept = []
    for output in outputs if isinstance(outputs, list) else ():
        data = output.get("data") if isinstance(output, Mapping) else None
        if output.get("output_type") in ("display_data", "execute_result") and isinstance(
            data, Mapping
        ):
            images = {k: v for k, v in data.items() if str(k).startswith("image/")}
            if images:
                kept.append({"output_type": "display_data", "data": images, "metadata": {}})
    return kept


@dataclass(frozen=True)
class Patch:
    """One change a grader makes to a grade (the review page sends one per click or edit)."""

    item: int | None = None
    """A rubric item's number, applied (``on``) or removed."""
    on: bool = True
    adjustment: float | None = None
    comment: str | None = None

    def applied_to(self, grade: ManualGrade) -> ManualGrade:
        """``grade`` with this change."""
        items = set(grade.items)
        if self.item is not None:
            (items.add if self.on else items.discard)(self.item)
        return dataclasses.replace(
            grade,
            items=tuple(sorted(items)),
            adjustment=grade.adjustment if self.adjustment is None else self.adjustment,
            comment=grade.comment if self.comment is None else self.comment,
        )


def stored_text(text: str) -> str:
    """``text`` as a database can hold it: a NUL (which PostgreSQL text refuses) as U+FFFD."""
    return text.replace("\x00", "\ufffd")


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
        if marked_question(cell) == question:
            parts.append(str(cell.source).partition("\n")[2].strip("\n"))
    if not parts:
        return "", f"no cell marked MANUAL: {question} in {path.name}"
    return "\n\n".join(parts), ""
