"""The one exception root of the grader, with the exit code each failure maps to.

A student's failure is never an exception: it is data in the result. Only grader or
infrastructure failures raise, and every one of them is a :class:`GraderError`.
"""

from __future__ import annotations

from typing import ClassVar


class GraderError(Exception):
    """Base class of every error the grader reports to its user; carries an exit code."""

    exit_code: ClassVar[int] = 1


class ConfigError(GraderError):
    """An ``assignment.toml`` (or a command-line override) is invalid."""


class AssignmentError(GraderError):
    """An assignment's files are missing or malformed (notebook, markers, checks)."""


class SubmissionError(GraderError):
    """Submissions could not be found at the paths given."""


class SandboxError(GraderError):
    """The sandbox cannot be set up as requested (e.g. ``--sandbox=strict`` without bubblewrap)."""


class KernelError(GraderError):
    """The grader's own kernel or check worker machinery failed (not the student's code)."""


class GradebookError(GraderError):
    """The gradebook is missing, cannot be opened, read or written, or holds nothing asked for."""


class ReportError(GraderError):
    """A report or another output file cannot be written (e.g. its folder cannot be made)."""
