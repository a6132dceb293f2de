"""The settings of an assignment, as frozen dataclasses with their defaults.

Limits, questions and their rubrics, the late policy and Gradescope's presentation:
:mod:`grader.config` fills them from ``assignment.toml`` (validating every key) and the
command line overrides them with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-submission limits."""

    cell_timeout: float = 30
    """Seconds each notebook cell may run."""
    check_timeout: float = 10
    """Seconds each ``nb.function`` / ``nb.eval`` / ``nb[...]`` call may run in the kernel."""
    submission_timeout: float = 600
    """Seconds for the whole submission, checks included."""
    memory_mb: int = 2048
    """Address-space limit of the student's kernel, in MiB."""
    output_kb: int = 1024
    """Captured output kept per cell, in KiB; the rest is dropped with a note."""
    total_output_kb: int = 8192
    """Captured output kept for the whole notebook, in KiB."""
    disk_mb: int = 512
    """Space the student's code may write in its working folder and in ``/tmp`` (each), in MiB."""
    processes: int = 64
    """Processes and threads the student's kernel may run at once (the kernel's own included)."""
    open_files: int = 256
    """Files and sockets the kernel may hold open at once."""
    cpu_seconds: float = 0
    """CPU time of the kernel, in seconds (0: the submission's time limit)."""
    recoveries: int = 2
    """Fresh kernels a submission may get after a cell kills or wedges one (0: none)."""


@dataclass(frozen=True)
class RubricItem:
    """One item of a manual question's rubric (``[[questions.<name>.rubric]]``)."""

    points: float
    """Added when the item applies (negative: taken off)."""
    text: str
    key: str = ""
    """Keyboard shortcut in the review app (optional)."""


@dataclass(frozen=True)
class QuestionConfig:
    """Optional per-question settings (``[questions.<name>]``)."""

    title: str = ""
    """Shown in feedback next to the question's name."""
    all_or_nothing: bool = False
    """Award the question's points only when every one of its checks passes."""
    manual: bool = False
    """Graded by a person (``grader review``), not by checks."""
    points: float = 0
    """A manual question's points (a checked question's come from its checks)."""
    notebook: str = ""
    """The notebook a manual question's answer is in (multi-notebook assignments)."""
    rubric: tuple[RubricItem, ...] = ()


@dataclass(frozen=True)
class LatePolicy:
    """Deadline and penalty (``[late]``)."""

    deadline: dt.datetime
    """Submissions after this moment (plus the grace period) are late."""
    grace_minutes: float = 0
    """Minutes after the deadline that still count as on time."""
    penalty_per_day: float = 0.0
    """Fraction of the possible points taken per started day late."""
    max_penalty: float = 1.0
    """Cap on the fraction taken."""
    zero_after_days: float | None = None
    """Days late after which the submission scores zero."""


GRADESCOPE_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
"""Gradescope's visibility settings of a test, from never shown to students to always."""


@dataclass(frozen=True)
class LeaderboardColumn:
    """A column of Gradescope's leaderboard (``[[gradescope.leaderboard]]``).

    A check reports the student's value with the ``leaderboard`` fixture.
    """

    name: str
    order: str = "desc"
    """``desc``: the highest value ranks first; ``asc``: the lowest (a time, an error)."""


@dataclass(frozen=True)
class GradescopeConfig:
    """How results look on Gradescope (``[gradescope]``)."""

    hidden_visibility: str = "after_published"
    """When students see the hidden checks' results: one of :data:`GRADESCOPE_VISIBILITIES`."""
    leaderboard: tuple[LeaderboardColumn, ...] = ()
