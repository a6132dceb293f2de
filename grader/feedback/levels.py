"""How much of a check a student sees, and from when (``[feedback]`` in assignment.toml).

Three levels, from least to most: ``status`` (passed or failed), ``hint`` (and the check's
hint), ``message`` (and its message: the assertion's "got ... expected ...", today's default).
Public and hidden checks each have their level; after ``reveal_after`` (by default the
``[late]`` deadline, if any) every check shows its message. A hidden check's message can carry
values computed on hidden data: ``hidden = "hint"`` keeps them from students until then.

:func:`for_student` applies the levels to a result; every student-facing output goes through
it (feedback pages, ``--format md|junit|gradescope``, the CI step summary, ``grader check``).
Instructor outputs (the summary, the gradebook, ``--format json``) keep everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.errors import ConfigError
from grader.models import CheckResult, SubmissionResult

Level = Literal["status", "hint", "message"]
LEVELS: tuple[Level, ...] = ("status", "hint", "message")


@dataclass(frozen=True)
class FeedbackConfig:
    """What students see of public and hidden checks (``[feedback]``)."""

    public: Level = "message"
    hidden: Level = "message"
    reveal_after: dt.datetime | None = None
    """After this moment every check shows its message (None: the levels always hold)."""

    def level(self, visibility: str, now: dt.datetime) -> Level:
        """The level of a check of ``visibility`` at ``now``."""
        if self.reveal_after is not None and now >= self.reveal_after:
            return "message"
        return self.hidden if visibility == "hidden" else self.public

    @property
    def restricts(self) -> bool:
        """Whether any check shows less than its message (before the reveal)."""
        return (self.public, self.hidden) != ("message", "message")


def parse_feedback(table: object, path: Path, deadline: dt.datetime | None) -> FeedbackConfig:
    """``[feedback]`` of the assignment.toml at ``path`` (``deadline``: the ``[late]`` one).

    Raises:
        ConfigError: an unknown key, a level that is not one of :data:`LEVELS`, or a
            ``reveal_after`` that is not a date-time with a time zone.
    """
    if table is None:
        return FeedbackConfig(reveal_after=deadline)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'feedback' must be a table")
    unknown = set(table) - {"public", "hidden", "reveal_after"}
    if unknown:
        raise ConfigError(f"{path}: unknown key 'feedback.{sorted(unknown)[0]}'")
    levels: dict[str, Any] = {}
    for key in ("public", "hidden"):
        value = table.get(key, "message")
        if value not in LEVELS:
            raise ConfigError(f"{path}: 'feedback.{key}' must be one of " + ", ".join(LEVELS))
        levels[key] = value
    reveal = table.get("reveal_after", deadline)
    if reveal is not None and (not isinstance(reveal, dt.datetime) or reveal.tzinfo is None):
        raise ConfigError(
            f"{path}: 'feedback.reveal_after' must be a date-time with a time zone, "
            "such as 2026-12-08T00:00:00Z"
        )
    return FeedbackConfig(reveal_after=reveal, **levels)


def for_student(
    result: SubmissionResult, config: FeedbackConfig | None, now: dt.datetime | None = None
) -> SubmissionResult:
    """``result`` as a student may see it now: each check's message and hint as levels allow.

    Scores, statuses and everything else stay.
    """
    if config is None or not config.restricts:
        return result
    when = now or dt.datetime.now(dt.UTC)
    checks = tuple(shown(c, config.level(c.visibility, when)) for c in result.checks)
    return dataclasses.replace(result, checks=checks)


def shown(check: CheckResult, level: Level) -> CheckResult:
    """``check`` with only what ``level`` shows."""
    if level == "message":
        return check
    return dataclasses.replace(check, message="", hint=check.hint if level == "hint" else "")
