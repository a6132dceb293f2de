"""The gradebook's tables (one SQLAlchemy ``MetaData``).

``students``; ``submissions`` (one row per graded version of a student's notebook: its content
hash, the grading key of :mod:`grader.grading_key`, when it was submitted and graded, the score
and the whole result as JSON; ``attempt`` counts a student's distinct versions);
``check_results`` (one row per check of a submission); ``submission_files`` (where each graded
version's notebooks were); ``manual_answers`` (each version's answers to manual questions, with
the graded run's outputs); ``manual_grades`` (a person's grades of manual questions, by
assignment, student and question, independent of the versions: :mod:`grader.manual`).

This is the schema as it is now; ``migrations/versions/`` holds how a gradebook gets here from
any earlier revision (:mod:`grader.gradebook.migrate`). A change to a table here needs a new
revision there (``test_migrations`` compares the two).
"""

from __future__ import annotations

import sqlalchemy as sa

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
    sa.Index("ix_submissions_assignment_student", "assignment", "student_id"),
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
    sa.Index("ix_check_results_submission", "submission_id"),
)
submission_files = sa.Table(
    "submission_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Index("ix_submission_files_submission", "submission_id"),
)
manual_answers = sa.Table(
    "manual_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("answer_json", sa.Text, nullable=False),
    sa.Index("ix_manual_answers_submission", "submission_id"),
)
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
