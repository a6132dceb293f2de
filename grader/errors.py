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


class VariantError(GraderError):
    """The data-variant generator failed for one student (the instructor's code, not theirs)."""


class GradebookError(GraderError):
    """The gradebook is missing, cannot be opened, read or written, or holds nothing asked for."""


class IncompleteGrades(GradebookError):
    """Some manual question is not graded yet, and the export requires all of them graded."""


class ReportError(GraderError):
    """A report or another output file cannot be written (e.g. its folder cannot be made)."""


class Stopped(GraderError):
    """The batch was stopped by a signal; what finished is recorded, a re-run does the rest."""

    exit_code: ClassVar[int] = 128 + 15

    @staticmethod
    def by(signal_name: str, message: str) -> Stopped:
        """The error for a stop by ``signal_name`` (``SIGINT``: Ctrl-C, exit 130; else 143)."""
        return Interrupted(message) if signal_name == "SIGINT" else Stopped(message)


class Interrupted(Stopped):
    """The batch was stopped by Ctrl-C."""

    exit_code: ClassVar[int] = 128 + 2
