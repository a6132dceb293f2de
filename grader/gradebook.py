"""The gradebook: every graded submission, in SQLite or any SQLAlchemy database.

Tables: ``students``; ``submissions`` (one row per graded version of a student's notebook: its
content hash, the grading key, when it was submitted and graded, the score and the whole
result as JSON; ``attempt`` counts a student's distinct versions); ``check_results`` (one row
per check of a submission); ``submission_files`` (where each graded version's notebooks were,
for the answers of manual questions); ``manual_grades`` (:mod:`grader.manual`: a person's
grades of manual questions, by assignment, student and question, independent of the versions).
Every table is made with ``create_all`` when the gradebook is opened (there are no migrations
yet: a new table appears in an old gradebook, a new column would not).

A submission's *grading key* hashes the notebook's bytes, the assignment's checks, data and
settings, and the grader's version: while none of them changes, the stored result stands and
the submission is not graded again. Each result is written in one transaction, so a batch
killed half-way keeps exactly the results it had finished.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from grader import __version__
from grader.config import Assignment
from grader.errors import GradebookError
from grader.manual import ManualGrade, apply_manual_grades, load_grades, save_grades
from grader.manual import metadata as manual_metadata
from grader.models import SCHEMA_VERSION, SubmissionResult

F = TypeVar("F", bound=Callable[..., Any])

metadata = sa.MetaData()
students = sa.Table(
    "students",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
)
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("assignment", sa.String(255), nullable=False),
    sa.Column("student_id", sa.ForeignKey("students.id"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("grading_key", sa.String(64), nullable=False),
    sa.Column("submitted_at", sa.String(40)),
    sa.Column("graded_at", sa.String(40), nullable=False),
    sa.Column("gradable", sa.Boolean, nullable=False),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("possible", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("result_json", sa.Text, nullable=False),
    sa.UniqueConstraint("assignment", "student_id", "grading_key"),
)
check_results = sa.Table(
    "check_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("visibility", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("possible", sa.Float, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)
submission_files = sa.Table(
    "submission_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class Stamp:
    """What identifies one graded version of a submission."""

    content_hash: str
    grading_key: str
    submitted_at: str | None
    files: tuple[str, ...] = ()
    """Where its notebooks were (absolute paths), to read manual answers from later."""


def default_url(out_dir: Path) -> str:
    """The SQLAlchemy URL of the SQLite gradebook in a report folder."""
    return f"sqlite:///{(out_dir / 'gradebook.sqlite').resolve()}"


def latest_results(
    url: str, assignment: str, rubric: Assignment | None = None
) -> list[SubmissionResult]:
    """The latest result of each student of ``assignment`` in an existing gradebook.

    With the assignment's settings (``rubric``), its manual grades are applied
    (:func:`grader.manual.apply_manual_grades`): what every report and export shows.

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
    finally:
        gradebook.close()
    if not results:
        raise GradebookError(f"the gradebook {url} holds no results of {assignment}")
    return results


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ("" when it cannot be read: the grader will say why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def assignment_hash(assignment: Assignment) -> str:
    """SHA-256 over the assignment's settings, checks and released data."""
    digest = hashlib.sha256(__version__.encode())
    for path in assignment.files("graded"):
        digest.update(str(path.relative_to(assignment.root)).encode() + b"\0")
        digest.update(file_hash(path).encode())
    return digest.hexdigest()


def stamp(
    notebooks: Path | Sequence[Path],
    assignment_digest: str,
    submitted_at: dt.datetime | None = None,
    time_in_key: bool = False,
) -> Stamp:
    """The stamp of a submission's notebooks for an assignment whose hash is given.

    ``submitted_at`` (else the first notebook's modification time) is recorded as the submission
    time. With ``time_in_key`` (when a late policy makes the time matter) a known time is part
    of the grading key, so the same notebook handed in again later is graded again and gets
    its new penalty.
    """
    files = [notebooks] if isinstance(notebooks, Path) else list(notebooks)
    content = file_hash(files[0])
    if len(files) > 1:  # several notebooks: one hash over each one's name and content
        joined = "".join(f"{p.name}:{file_hash(p)};" for p in files)
        content = hashlib.sha256(joined.encode()).hexdigest()
    notebook = files[0]
    keyed = f"{content}:{assignment_digest}"
    if time_in_key and submitted_at is not None:
        keyed += ":" + submitted_at.astimezone(dt.UTC).isoformat()
    key = hashlib.sha256(keyed.encode()).hexdigest()
    try:
        when = submitted_at or dt.datetime.fromtimestamp(notebook.stat().st_mtime, dt.UTC)
        submitted: str | None = when.astimezone(dt.UTC).isoformat(timespec="seconds")
    except OSError:
        submitted = None
    return Stamp(content, key, submitted, tuple(str(p.absolute()) for p in files))


def _why(exc: BaseException) -> str:
    """The first line of what went wrong, without SQLAlchemy's statement and links."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _database_errors(method: F) -> F:
    """Turn a database error in a :class:`Gradebook` method into a GradebookError."""

    @functools.wraps(method)
    def wrapper(self: Gradebook, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise GradebookError(f"cannot use the gradebook {self.url}: {_why(exc)}") from exc

    return wrapper  # type: ignore[return-value]


class Gradebook:
    """A connection to a gradebook database (created on first use)."""

    def __init__(self, url: str) -> None:
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(url)
            metadata.create_all(self.engine)
            manual_metadata.create_all(self.engine)
        except (SQLAlchemyError, ImportError, OSError) as exc:
            raise GradebookError(f"cannot open the gradebook {url}: {_why(exc)}") from exc
        self.url = url

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @_database_errors
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

    @_database_errors
    def record(self, result: SubmissionResult, stamp: Stamp) -> None:
        """Store ``result`` in one transaction, replacing a result of the same version."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
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
                conn.execute(
                    submission_files.delete().where(submission_files.c.submission_id == old.id)
                )
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
                    reason=result.reason,
                    result_json=json.dumps(result.to_dict()),
                )
            )
            submission_id = _new_id(inserted)
            if stamp.files:
                conn.execute(
                    submission_files.insert(),
                    [{"submission_id": submission_id, "path": p} for p in stamp.files],
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
                            "message": c.message,
                        }
                        for c in result.checks
                    ],
                )

    @_database_errors
    def latest(self, assignment: str) -> list[SubmissionResult]:
        """The most recently graded result of each student, by student name."""
        query = (
            sa.select(submissions.c.result_json)
            .join(students, students.c.id == submissions.c.student_id)
            .where(submissions.c.id.in_(_newest(assignment)))
            .order_by(students.c.name)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._result(r[0]) for r in rows]

    @_database_errors
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

    @_database_errors
    def manual_grades(self, assignment: str) -> dict[tuple[str, str], ManualGrade]:
        """Every manual grade of ``assignment``, by (student, question)."""
        with self.engine.connect() as conn:
            return load_grades(conn, assignment)

    @_database_errors
    def save_manual_grades(self, assignment: str, grades: Sequence[ManualGrade]) -> int:
        """Store ``grades`` in one transaction (all or none); how many changed."""
        with self.engine.begin() as conn:
            return save_grades(conn, assignment, grades)

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
            raise GradebookError(f"the gradebook {self.url} holds a malformed result") from exc
        if version > SCHEMA_VERSION:
            raise GradebookError(
                f"the gradebook {self.url} holds results of schema {version}, newer than this "
                f"grader reads ({SCHEMA_VERSION}); upgrade grader"
            )
        try:
            return SubmissionResult.from_dict(data)
        except (ValueError, TypeError) as exc:
            raise GradebookError(
                f"the gradebook {self.url} holds a malformed result of {data.get('student')}: "
                f"{_why(exc)}"
            ) from exc

    @staticmethod
    def _student_id(conn: sa.Connection, name: str) -> int:
        found = conn.execute(sa.select(students.c.id).where(students.c.name == name)).first()
        if found is not None:
            return int(found[0])
        return _new_id(conn.execute(students.insert().values(name=name)))


def _newest(assignment: str) -> sa.Select[tuple[int]]:
    """The id of each student's latest submission of ``assignment``."""
    latest = sa.select(sa.func.max(submissions.c.id)).where(submissions.c.assignment == assignment)
    return latest.group_by(submissions.c.student_id)


def _new_id(inserted: sa.CursorResult[object]) -> int:
    key = inserted.inserted_primary_key
    assert key is not None, "an insert returns its primary key"
    return int(key[0])
