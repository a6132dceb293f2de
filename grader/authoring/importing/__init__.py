"""Bring a course from another grader: ``grader import nbgrader`` and ``grader import otter``.

Each importer reads the other tool's assignment and writes ``solutions/<name>/`` in our format:
``assignment.toml``, the solution notebooks with our solution markers, and one pytest check
file per question under ``tests/public/`` or ``tests/hidden/``. A test of the other tool
becomes a check that runs in the check process against the notebook reached by value
(:mod:`grader.checks.imported`), never in the student's kernel. What could not be converted
faithfully is reported per question (:class:`ImportNote`); what cannot be imported at all
raises :class:`~grader.errors.AssignmentError` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ImportNote:
    """Something of one question that was not converted faithfully (one line)."""

    question: str
    text: str


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote."""

    name: str
    dest: Path
    """The assignment folder written (``solutions/<name>``)."""
    notebooks: tuple[str, ...]
    questions: tuple[str, ...]
    """Every question, manual ones included, in order."""
    checks: int
    """Check functions written (public and hidden)."""
    manual: tuple[str, ...] = ()
    """The manual questions among :attr:`questions`."""
    notes: tuple[ImportNote, ...] = ()
