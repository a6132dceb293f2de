"""Manual grades in the gradebook: read, stored, and changed one click at a time.

What a grade means and how it scores is :mod:`grader.manual` (pure); this is its storage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from grader.errors import GradebookError
from grader.gradebook.schema import manual_grades
from grader.manual import ManualGrade, Patch, default_grader, stored_text


def load_grades(conn: sa.Connection, assignment: str) -> dict[tuple[str, str], ManualGrade]:
    """Every manual grade of ``assignment``, by (student, question)."""
    rows = conn.execute(
        sa.select(manual_grades).where(manual_grades.c.assignment == assignment)
    ).all()
    return {(r.student, r.question): _grade_of(r) for r in rows}


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
        values = _values(grade)
        key = (
            (manual_grades.c.assignment == assignment)
            & (manual_grades.c.student == grade.student)
            & (manual_grades.c.question == grade.question)
        )
        inserted = False
        if old is None:
            try:
                with conn.begin_nested():  # another writer may insert the same grade now
                    conn.execute(
                        manual_grades.insert().values(
                            assignment=assignment,
                            student=grade.student,
                            question=grade.question,
                            **values,
                        )
                    )
                inserted = True
            except sa.exc.IntegrityError:
                pass  # it did: ours replaces it, as it would have a moment later
        if not inserted:
            conn.execute(manual_grades.update().where(key).values(**values))
        changed += 1
    return changed


PATCH_TRIES = 20
"""Times a change is applied again on top of a grade another grader changed meanwhile."""


def patch_grade(
    assignment: str,
    student: str,
    question: str,
    patch: Patch,
    grader: str,
    begin: Callable[[], contextlib.AbstractContextManager[sa.Connection]],
) -> ManualGrade:
    """Apply ``patch`` to the stored grade (none: an empty one) and store it; the new grade.

    ``begin``: a transaction that writes.

    Two graders changing the same grade at once both keep their change. The stored row is read
    locked (``SELECT … FOR UPDATE`` in PostgreSQL; SQLite's write transaction already holds the
    whole file), so writers of one grade take turns instead of racing: optimistic retries alone
    starved a grader among a dozen. The write is still a compare-and-swap on the whole row (an
    update that matches the row as read, or an insert that the unique key refuses when another
    came first), retried on the row as it is now, a little later each time.
    """
    key = (
        (manual_grades.c.assignment == assignment)
        & (manual_grades.c.student == student)
        & (manual_grades.c.question == question)
    )
    for attempt in range(PATCH_TRIES):
        if attempt:
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311  (jitter, not secrets)
        with begin() as conn:
            row = conn.execute(sa.select(manual_grades).where(key).with_for_update()).first()
            old = _grade_of(row) if row is not None else ManualGrade(student, question)
            new = dataclasses.replace(
                patch.applied_to(old),
                grader=grader or default_grader(),
                graded_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            )
            values = _values(new)
            try:
                if row is None:
                    with conn.begin_nested():
                        conn.execute(
                            manual_grades.insert().values(
                                assignment=assignment, student=student, question=question, **values
                            )
                        )
                    return new
                same = key & sa.and_(*(manual_grades.c[k] == row._mapping[k] for k in values))
                if conn.execute(manual_grades.update().where(same).values(**values)).rowcount:
                    return new
            except sa.exc.IntegrityError:
                pass  # another grader inserted it first: apply the change to theirs
    raise GradebookError(
        f"the grade of {student}'s {question} kept changing while it was saved; try again"
    )


def _grade_of(row: sa.Row[Any]) -> ManualGrade:
    return ManualGrade(
        student=row.student,
        question=row.question,
        items=tuple(int(n) for n in json.loads(row.items)),
        adjustment=float(row.adjustment),
        comment=row.comment,
        grader=row.grader,
        graded_at=row.graded_at,
    )


def _values(grade: ManualGrade) -> dict[str, object]:
    return {
        "items": json.dumps(list(grade.items)),
        "adjustment": grade.adjustment,
        "comment": stored_text(grade.comment),
        "grader": stored_text(grade.grader),
        "graded_at": grade.graded_at,
    }
