"""The schema before revisions were kept: every table, made only where it is missing.

A gradebook made before the schema had revisions has some of these tables (the manual ones came
later, made by ``create_all`` as it was opened): this revision adds the missing ones and leaves
the others as they are.

Revision ID: 0001
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[tuple[str, list[Any]]]:
    def submission_id() -> sa.Column[int]:
        return sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
        )

    return [
        ("students", [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(255), nullable=False, unique=True),
        ]),
        ("submissions", [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("assignment", sa.String(255), nullable=False),
            sa.Column("student_id", sa.Integer, sa.ForeignKey("students.id"), nullable=False),
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
        ]),
        ("check_results", [
            sa.Column("id", sa.Integer, primary_key=True),
            submission_id(),
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("question", sa.String(255), nullable=False),
            sa.Column("visibility", sa.String(10), nullable=False),
            sa.Column("status", sa.String(10), nullable=False),
            sa.Column("points", sa.Float, nullable=False),
            sa.Column("possible", sa.Float, nullable=False),
            sa.Column("message", sa.Text, nullable=False),
        ]),
        ("submission_files", [
            sa.Column("id", sa.Integer, primary_key=True),
            submission_id(),
            sa.Column("path", sa.Text, nullable=False),
        ]),
        ("manual_answers", [
            sa.Column("id", sa.Integer, primary_key=True),
            submission_id(),
            sa.Column("question", sa.String(255), nullable=False),
            sa.Column("answer_json", sa.Text, nullable=False),
        ]),
        ("manual_grades", [
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
        ]),
    ]  # fmt: skip


def upgrade() -> None:
    """From the revision before to this one."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables():
        if name not in present:
            op.create_table(name, *columns)


def downgrade() -> None:
    """Back to the revision before."""
    for name, _ in reversed(_tables()):
        op.drop_table(name)
