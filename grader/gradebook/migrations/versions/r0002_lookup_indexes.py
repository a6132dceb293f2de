"""Indexes for the lookups every report makes.

A student's submissions of an assignment, and the rows that belong to a submission (its checks,
files and answers).

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_submissions_assignment_student", "submissions", ["assignment", "student_id"]),
    ("ix_check_results_submission", "check_results", ["submission_id"]),
    ("ix_submission_files_submission", "submission_files", ["submission_id"]),
    ("ix_manual_answers_submission", "manual_answers", ["submission_id"]),
]


def upgrade() -> None:
    """From the revision before to this one."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Back to the revision before."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
