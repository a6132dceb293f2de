"""A connection to a gradebook: results recorded one transaction each, and read back.

Opening a gradebook makes its tables, or upgrades those an older grader made
(:mod:`grader.gradebook.migrate`). Each result is written in one transaction, so a batch killed
half-way keeps exactly the results it had finished.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from grader.config import Assignment
from grader.errors import GradebookError
from grader.gradebook import migrate
from grader.gradebook.engine import (
    LOCK,
    database_errors,
    shown,
    sqlite_transactions,
    why,
)
from grader.gradebook.manual_grades import load_grades, patch_grade, save_grades
from grader.gradebook.schema import (
    check_results,
    manual_answers,
    students,
    submission_files,
    submissions,
)
from grader.grading_key import Stamp
from grader.manual import ManualGrade, Patch, apply_manual_grades, stored_text
from grader.models import SCHEMA_VERSION, ManualAnswer, SubmissionResult


def default_url(out_dir: Path) -> str:
    """The SQLAlchemy URL of the SQLite gradebook in a report folder."""
    return f"sqlite:///{(out_dir / 'gradebook.sqlite').resolve()}"


def latest_results(
    url: str, assignment: str, rubric: Assignment | None = None, answers: bool = False
) -> list[SubmissionResult]:
    """The latest result of each student of ``assignment`` in an existing gradebook.

    With the assignment's settings (``rubric``), its manual grades are applied
    (:func:`grader.manual.apply_manual_grades`): what every report and export shows. With
    ``answers``, each result carries its stored answers and figures (as when it was graded).

    Raises:
        GradebookError: the SQLite file at ``url`` does not exist, holds no results, or
            cannot be opened or read.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise GradebookError(f"no gradebook at {path}: grade {assignment} first")
    gradebook = Gradebook(url)
    try:
        results = gradebook.latest(assignment)
        if rubric is not None:
            results = gradebook.with_manual_grades(results, rubric)
        if answers:
            kept: dict[str, list[ManualAnswer]] = {}
            for (student, _), answer in gradebook.answers(assignment).items():
                kept.setdefault(student, []).append(answer)
            results = [
                dataclasses.replace(r, answers=tuple(kept.get(r.student, ()))) for r in results
            ]
    finally:
        gradebook.close()
    if not results:
        raise GradebookError(f"the gradebook {shown(url)} holds no results of {assignment}")
    return results


class Gradebook:
    """A connection to a gradebook database (created on first use)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown = shown(url)
        """The URL as messages show it (no password)."""
        engine = None
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = engine = sa.create_engine(url)
            if engine.dialect.name == "sqlite":
                sqlite_transactions(engine)
            with self._write() as conn:  # one opener at a time makes the tables
                if engine.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
                migrate.upgrade(conn, self.shown)
        except (SQLAlchemyError, ImportError, OSError) as exc:
            if engine is not None:
                engine.dispose()
            raise GradebookError(f"cannot open the gradebook {self.shown}: {why(exc)}") from exc

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @database_errors
    def stored(self, assignment: str, student: str, grading_key: str) -> SubmissionResult | None:
        """The result stored for exactly this version of a submission, if any."""
        query = (
            sa.select(submissions.c.result_json)
            .join(students, students.c.id == submissions.c.student_id)
            .where(
                submissions.c.assignment == assignment,
                students.c.name == student,
                submissions.c.grading_key == grading_key,
            )
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else self._result(row[0])

    @database_errors
    def record(self, result: SubmissionResult, stamp: Stamp) -> None:
        """Store ``result`` in one transaction, replacing a result of the same version."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._write() as conn:
            student_id = self._student_id(conn, result.student)
            mine = (submissions.c.assignment == result.assignment) & (
                submissions.c.student_id == student_id
            )
            old = conn.execute(
                sa.select(submissions.c.id, submissions.c.attempt).where(
                    mine, submissions.c.grading_key == stamp.grading_key
                )
            ).first()
            if old is not None:  # the same version graded again (--force): replace it
                attempt = old.attempt
                conn.execute(check_results.delete().where(check_results.c.submission_id == old.id))
                for table in (submission_files, manual_answers):
                    conn.execute(table.delete().where(table.c.submission_id == old.id))
                conn.execute(submissions.delete().where(submissions.c.id == old.id))
            else:
                same_content = conn.execute(
                    sa.select(submissions.c.attempt).where(
                        mine, submissions.c.content_hash == stamp.content_hash
                    )
                ).first()
                last = sa.select(sa.func.coalesce(sa.func.max(submissions.c.attempt), 0))
                attempt = (
                    same_content.attempt
                    if same_content is not None
                    else conn.execute(last.where(mine)).scalar_one() + 1
                )
            inserted = conn.execute(
                submissions.insert().values(
                    assignment=result.assignment,
                    student_id=student_id,
                    attempt=attempt,
                    content_hash=stamp.content_hash,
                    grading_key=stamp.grading_key,
                    submitted_at=stamp.submitted_at,
                    graded_at=now,
                    gradable=result.gradable,
                    total=result.total,
                    possible=result.possible,
                    reason=stored_text(result.reason),
                    result_json=json.dumps(result.to_dict()),
                )
            )
            submission_id = _new_id(inserted)
            if stamp.files:
                conn.execute(
                    submission_files.insert(),
                    [{"submission_id": submission_id, "path": p} for p in stamp.files],
                )
            if result.answers:
                conn.execute(
                    manual_answers.insert(),
                    [
                        {
                            "submission_id": submission_id,
                            "question": a.question,
                            "answer_json": json.dumps(dataclasses.asdict(a)),
                        }
                        for a in result.answers
                    ],
                )
            if result.checks:
                conn.execute(
                    check_results.insert(),
                    [
                        {
                            "submission_id": submission_id,
                            "name": c.name,
                            "question": c.question,
                            "visibility": c.visibility,
                            "status": c.status,
                            "points": c.points,
                            "possible": c.possible,
                            "message": stored_text(c.message),
                        }
                        for c in result.checks
                    ],
                )

    def latest(self, assignment: str) -> list[SubmissionResult]:
        """The most recently graded result of each student, by student name.

        Raises:
            GradebookError: the gradebook cannot be read.
        """
        return list(self.iter_latest(assignment))

    def iter_latest(self, assignment: str) -> Iterator[SubmissionResult]:
        """:meth:`latest`, read one result at a time (memory does not grow with the cohort).

        Raises:
            GradebookError: the gradebook cannot be read.
        """
        ids = (
            sa.select(submissions.c.id)
            .join(students, students.c.id == submissions.c.student_id)
            .where(submissions.c.id.in_(_newest(assignment)))
            .order_by(students.c.name)
        )
        one = sa.select(submissions.c.result_json).where(submissions.c.id == sa.bindparam("id"))
        try:
            with self.engine.connect() as conn:
                found = [row[0] for row in conn.execute(ids)]
            for submission_id in found:
                with self.engine.connect() as conn:
                    text = conn.execute(one, {"id": submission_id}).scalar_one_or_none()
                if text is not None:
                    yield self._result(text)
        except SQLAlchemyError as exc:
            raise GradebookError(f"cannot use the gradebook {self.shown}: {why(exc)}") from exc

    @database_errors
    def notebook_paths(self, assignment: str) -> dict[str, tuple[Path, ...]]:
        """Where each student's latest graded notebooks were, by student name."""
        query = (
            sa.select(students.c.name, submission_files.c.path)
            .join(submissions, submissions.c.id == submission_files.c.submission_id)
            .join(students, students.c.id == submissions.c.student_id)
            .where(submissions.c.id.in_(_newest(assignment)))
            .order_by(submission_files.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {n: tuple(Path(p) for m, p in rows if m == n) for n, _ in rows}

    @database_errors
    def answers(
        self, assignment: str, student: str | None = None
    ) -> dict[tuple[str, str], ManualAnswer]:
        """The answers to manual questions of each student's latest result (or ``student``'s).

        By (student, question); none for results graded before answers were kept.
        """
        query = (
            sa.select(students.c.name, manual_answers.c.answer_json)
            .join(submissions, submissions.c.id == manual_answers.c.submission_id)
            .join(students, students.c.id == submissions.c.student_id)
            .where(submissions.c.id.in_(_newest(assignment)))
        )
        if student is not None:
            query = query.where(students.c.name == student)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = {}
        for student, text in rows:
            answer = _answer(text)
            if answer is not None:
                found[(student, answer.question)] = answer
        return found

    @database_errors
    def manual_grades(self, assignment: str) -> dict[tuple[str, str], ManualGrade]:
        """Every manual grade of ``assignment``, by (student, question)."""
        with self.engine.connect() as conn:
            return load_grades(conn, assignment)

    @database_errors
    def save_manual_grades(self, assignment: str, grades: Sequence[ManualGrade]) -> int:
        """Store ``grades`` in one transaction (all or none); how many changed."""
        with self._write() as conn:
            return save_grades(conn, assignment, grades)

    @database_errors
    def patch_manual_grade(
        self, assignment: str, student: str, question: str, patch: Patch, grader: str
    ) -> ManualGrade:
        """Apply one grader's change to a grade, on top of any other grader's; the grade stored.

        See :func:`grader.gradebook.manual_grades.patch_grade`.
        """
        return patch_grade(assignment, student, question, patch, grader, self._write)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A transaction that writes.

        In SQLite it takes the write lock at its start, so two writers wait for each other (up
        to the busy time-out) instead of failing.
        """
        with self.engine.connect() as conn:
            conn.execution_options(grader_writes=True)
            with conn.begin():
                yield conn

    def with_manual_grades(
        self, results: Sequence[SubmissionResult], assignment: Assignment
    ) -> list[SubmissionResult]:
        """``results`` with the manual grades of ``assignment`` applied."""
        grades = self.manual_grades(assignment.name)
        return [apply_manual_grades(r, grades, assignment) for r in results]

    def _result(self, text: str) -> SubmissionResult:
        """A stored result, read back.

        Raises:
            GradebookError: it is of a newer schema than this grader reads, or malformed.
        """
        try:
            data = json.loads(text)
            version = int(data.get("schema_version", 1))
        except (ValueError, TypeError, AttributeError) as exc:
            raise GradebookError(f"the gradebook {self.shown} holds a malformed result") from exc
        if version > SCHEMA_VERSION:
            raise GradebookError(
                f"the gradebook {self.shown} holds results of schema {version}, newer than this "
                f"grader reads ({SCHEMA_VERSION}); upgrade grader"
            )
        try:
            return SubmissionResult.from_dict(data)
        except (ValueError, TypeError) as exc:
            raise GradebookError(
                f"the gradebook {self.shown} holds a malformed result of {data.get('student')}: "
                f"{why(exc)}"
            ) from exc

    @staticmethod
    def _student_id(conn: sa.Connection, name: str) -> int:
        """The student's id, their row locked until the transaction ends.

        (In PostgreSQL; SQLite's writers take turns already.) So two writers of one student's
        versions count its attempts one after the other.
        """
        query = sa.select(students.c.id).where(students.c.name == name).with_for_update()
        found = conn.execute(query).first()
        if found is None:
            try:
                with conn.begin_nested():  # another writer may add the same student now
                    conn.execute(students.insert().values(name=name))
            except sa.exc.IntegrityError:
                pass
            found = conn.execute(query).first()
        assert found is not None
        return int(found[0])


def _answer(text: str) -> ManualAnswer | None:
    """A stored answer read back (None when it does not read as one)."""
    try:
        return ManualAnswer.from_dict(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _newest(assignment: str) -> sa.Select[tuple[int]]:
    """The id of each student's latest submission of ``assignment``."""
    latest = sa.select(sa.func.max(submissions.c.id)).where(submissions.c.assignment == assignment)
    return latest.group_by(submissions.c.student_id)


def _new_id(inserted: sa.CursorResult[object]) -> int:
    key = inserted.inserted_primary_key
    assert key is not None, "an insert returns its primary key"
    return int(key[0])
