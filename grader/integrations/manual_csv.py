"""Manual grades offline: a CSV out of the gradebook, filled in elsewhere, and read back.

:func:`manual_csv` writes one row per student and manual question of each student's latest
gradable result: ``student, question, possible, points, answer, answer_missing``, a column per
rubric item (``<question> item <n>: <text>``, 1 applied, 0 not, blank ungraded),
``adjustment, comment, grader``. ``answer`` is the text of the cells the question's marker
starts, read from the notebook where it was graded; when it cannot be read, ``answer_missing``
says why.

:func:`import_grades` reads such a file back. Every row is checked first (an unknown student,
question or item column, an item marked for another question, points out of range, a value
that is not a number); the first problem is a one-line error naming the row, and then nothing
is written. A row with no item marked and no points, adjustment or comment is not graded and
is skipped (an import never deletes a grade). ``points`` given without an adjustment makes the
adjustment whatever brings the items to those points; given with one, the two must agree.
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.config import Assignment
from grader.errors import GraderError, ReportError
from grader.gradebook import Gradebook, latest_results
from grader.manual import ManualGrade, answer_text, question_score
from grader.models import SubmissionResult
from grader.settings import QuestionConfig

FIXED = ("student", "question", "possible", "points", "answer", "answer_missing")
TAIL = ("adjustment", "comment", "grader")
_ITEM = re.compile(r"^(?P<question>\S+) item (?P<number>\d+)(?::.*)?$", re.DOTALL)


class ManualCsvError(GraderError):
    """A manual-grades CSV that cannot be imported (nothing was written)."""


@dataclass(frozen=True)
class Imported:
    """What :func:`import_grades` did."""

    rows: int
    """Rows that hold a grade."""
    changed: int
    """Grades written (new or different from the stored ones)."""


def _manual(assignment: Assignment) -> dict[str, QuestionConfig]:
    return {n: q for n, q in assignment.questions.items() if q.manual}


def _num(x: float) -> str:
    return f"{x:g}"


def item_columns(assignment: Assignment) -> list[str]:
    """The rubric item columns, every manual question's in order."""
    return [
        f"{name} item {n}: {item.text}"
        for name, q in _manual(assignment).items()
        for n, item in enumerate(q.rubric, 1)
    ]


def manual_csv(assignment: Assignment, gradebook_url: str) -> str:
    """The manual-grades CSV of each student's latest result in the gradebook.

    Raises:
        GradebookError: the gradebook does not exist, cannot be read, or has no results.
    """
    results = latest_results(gradebook_url, assignment.name, assignment)
    gradebook = Gradebook(gradebook_url)
    try:
        grades = gradebook.manual_grades(assignment.name)
        paths = gradebook.notebook_paths(assignment.name)
        kept = gradebook.answers(assignment.name)
    finally:
        gradebook.close()
    items = item_columns(assignment)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FIXED, *items, *TAIL])
    for r in results:
        for q in (q for q in r.questions if q.manual):
            stored = kept.get((r.student, q.name))
            if stored is not None:  # as the graded run saw it
                answer, missing = stored.text(), "" if stored.cells else stored.note
            else:  # graded before answers were kept: from the notebook, if it is still there
                answer, missing = answer_text(paths.get(r.student, ()), assignment, q.name)
            grade = grades.get((r.student, q.name))
            marks = {f"{q.name} item {n}" for n in grade.items} if grade else set()
            own = f"{q.name} item "
            writer.writerow(
                [
                    r.student,
                    q.name,
                    _num(q.possible),
                    "" if grade is None else _num(q.score),
                    answer,
                    missing,
                    *(_mark(c, own, marks, grade is not None) for c in items),
                    "" if grade is None else _num(grade.adjustment),
                    "" if grade is None else grade.comment,
                    "" if grade is None else grade.grader,
                ]
            )
    return out.getvalue()


def _mark(column: str, own: str, marks: set[str], graded: bool) -> str:
    if not graded or not column.startswith(own):
        return ""
    return "1" if column.split(":", 1)[0] in marks else "0"


def import_grades(assignment: Assignment, gradebook_url: str, path: Path) -> Imported:
    """Read the manual-grades CSV at ``path`` into the gradebook, all rows or none.

    Raises:
        ManualCsvError: a row or column is not valid (the message names it); nothing written.
        ReportError: the file cannot be read.
        GradebookError: the gradebook does not exist, cannot be read, or has no results.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    results = latest_results(gradebook_url, assignment.name)
    grades = parse_manual_csv(text, assignment, results, str(path))
    gradebook = Gradebook(gradebook_url)
    try:
        changed = gradebook.save_manual_grades(assignment.name, grades)
    finally:
        gradebook.close()
    return Imported(len(grades), changed)


def parse_manual_csv(
    text: str, assignment: Assignment, results: Sequence[SubmissionResult], where: str = "CSV"
) -> list[ManualGrade]:
    """The grades a manual-grades CSV holds, every row checked against the assignment.

    Raises:
        ManualCsvError: the first problem, naming its row (the header is row 1) or column.
    """
    manual = _manual(assignment)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ManualCsvError(f"{where}: the file is empty")
    header = [h.strip() for h in rows[0]]
    items: dict[int, tuple[str, int]] = {}
    for i, name in enumerate(header):
        match = _ITEM.match(name)
        if match:
            q, n = match["question"], int(match["number"])
            if q not in manual or not 0 < n <= len(manual[q].rubric):
                raise ManualCsvError(f"{where}: column {name!r}: no such rubric item")
            items[i] = (q, n)
        elif name and name not in (*FIXED, *TAIL):
            raise ManualCsvError(f"{where}: unknown column {name!r}")
    for needed in ("student", "question"):
        if needed not in header:
            raise ManualCsvError(f"{where}: no column {needed!r}")
    col = {name: header.index(name) for name in (*FIXED, *TAIL) if name in header}
    questions_of = {r.student: {q.name for q in r.questions if q.manual} for r in results}
    seen: set[tuple[str, str]] = set()
    grades = []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        grade = _row(row, number, col, items, manual, questions_of, where)
        if grade is None:
            continue
        key = (grade.student, grade.question)
        if key in seen:
            raise ManualCsvError(f"{where}: row {number}: {key[0]} {key[1]} appears twice")
        seen.add(key)
        grades.append(grade)
    return grades


def _row(
    row: Sequence[str],
    number: int,
    col: Mapping[str, int],
    items: Mapping[int, tuple[str, int]],
    manual: Mapping[str, QuestionConfig],
    questions_of: Mapping[str, set[str]],
    where: str,
) -> ManualGrade | None:
    def cell(name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def fail(why: str) -> ManualCsvError:
        return ManualCsvError(f"{where}: row {number}: {why}")

    student, question = cell("student"), cell("question")
    if student not in questions_of:
        raise fail(f"unknown student {student!r}")
    if question not in manual:
        raise fail(f"unknown question {question!r} (not a manual question)")
    if question not in questions_of[student]:
        raise fail(f"{student} has no gradable {question} to grade")
    config = manual[question]
    applied = []
    marked = False
    for i, (q, n) in items.items():
        value = row[i].strip() if i < len(row) else ""
        if not value:
            continue
        if value not in ("0", "1"):
            raise fail(f"column {q} item {n}: {value!r} is not 1, 0 or blank")
        if q != question:
            raise fail(f"column {q} item {n} is marked on a row of {question}")
        marked = True
        if value == "1":
            applied.append(n)
    points = _number(cell("points"), "points", fail)
    adjustment = _number(cell("adjustment"), "adjustment", fail)
    comment = cell("comment") if "comment" in col else ""
    if not marked and points is None and adjustment is None and not comment:
        return None
    if points is not None and not 0 <= points <= config.points:
        raise fail(f"points {_num(points)} out of range 0 to {_num(config.points)}")
    grade = ManualGrade(
        student, question, tuple(applied), adjustment or 0.0, comment, cell("grader")
    )
    if points is not None:
        if adjustment is None:
            earned = sum(config.rubric[n - 1].points for n in applied)
            grade = ManualGrade(
                student, question, tuple(applied), round(points - earned, 6), comment, grade.grader
            )
        elif abs(question_score(config, grade) - points) > 1e-6:
            raise fail(
                f"points {_num(points)} disagree with the items and adjustment "
                f"({_num(question_score(config, grade))}): change or clear one"
            )
    return grade


def _number(text: str, name: str, fail: Callable[[str], ManualCsvError]) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise fail(f"{name} {text!r} is not a number")
    return value
