"""Deadlines: when a submission was handed in, and the late penalty it earns.

The submission time comes from, in this order: ``--submitted-at`` on the command line; a
``timestamp.txt`` beside the notebook (nbgrader's convention); the time of the notebook's
entry in the zip it came from. Without any of them the submission counts as on time.

The penalty (``[late]`` in ``assignment.toml``) is applied after scoring and kept in the
result: ``penalty`` points are taken from ``total``, so a stored result keeps it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import zoneinfo
from pathlib import Path

from grader.models import SubmissionResult
from grader.settings import LatePolicy

TIMESTAMP_FILE = "timestamp.txt"
_MAX_TIMESTAMP_BYTES = 200
_TRAILING_ZONE = re.compile(r"^(?P<time>.*\d)\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-/]*)$")
_UTC_NAMES = {"utc", "gmt", "z", "zulu"}


class TimeError(ValueError):
    """A submission time that cannot be read."""


def parse_time(text: str) -> dt.datetime:
    """A submission time as an aware UTC datetime.

    Accepts ISO 8601 (``2026-12-01T23:59:00Z``, ``…+01:00``) and nbgrader's
    ``YYYY-MM-DD HH:MM:SS[.ffffff] [TZ]`` where TZ is ``UTC``/``GMT``, an offset (``+0100``)
    or an IANA zone name (``Europe/Paris``). A time without a zone is UTC.

    Raises:
        TimeError: ``text`` is not such a time.
    """
    raw = text.strip()
    zone: dt.tzinfo | None = None
    match = _TRAILING_ZONE.match(raw)
    if match:
        raw, zone = match["time"], _zone(match["zone"], text)
    try:
        when = dt.datetime.fromisoformat(raw.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        raise TimeError(f"not a date and time: {text.strip()[:60]!r}") from None
    if zone is not None:
        if when.tzinfo is not None:
            raise TimeError(f"two time zones in {text.strip()[:60]!r}")
        when = when.replace(tzinfo=zone)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _zone(name: str, text: str) -> dt.tzinfo:
    if name.lower() in _UTC_NAMES:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TimeError(
            f"unknown time zone {name!r} in {text.strip()[:60]!r} (use UTC, an offset such "
            "as +0100, or a zone name such as Europe/Paris)"
        ) from None


def read_timestamp(folder: Path) -> tuple[dt.datetime | None, str]:
    """The time in ``folder/timestamp.txt``: (time or None, a problem to report or "")."""
    path = folder / TIMESTAMP_FILE
    if not path.is_file():
        return None, ""
    try:
        with path.open("rb") as fh:
            text = fh.read(_MAX_TIMESTAMP_BYTES).decode("utf-8", errors="replace")
        return parse_time(text), ""
    except (OSError, TimeError) as exc:
        return None, f"could not read the submission time in {TIMESTAMP_FILE} ({exc})"


def apply_late_policy(
    result: SubmissionResult, policy: LatePolicy | None, submitted_at: dt.datetime | None
) -> SubmissionResult:
    """``result`` with its submission time and the late penalty ``policy`` gives it.

    Late means after the deadline plus the grace period; lateness counts from the deadline, in
    started days. Each started day takes ``penalty_per_day`` of the possible points, at most
    ``max_penalty`` of them; more than ``zero_after_days`` days late scores zero. The penalty
    never takes more than the score. An ungradable result gets its time and no penalty.
    """
    stamped = dataclasses.replace(
        result,
        submitted_at=None if submitted_at is None else _iso(submitted_at),
        minutes_late=0.0,
        days_late=0,
        penalty=0.0,
        total=result.score_before_penalty,
    )
    if policy is None or submitted_at is None:
        return stamped
    late_by = submitted_at - policy.deadline
    if late_by <= dt.timedelta(minutes=policy.grace_minutes):
        return stamped
    minutes = late_by.total_seconds() / 60
    days = math.ceil(minutes / (24 * 60))
    if policy.zero_after_days is not None and minutes > policy.zero_after_days * 24 * 60:
        fraction = 1.0
    else:
        fraction = min(policy.penalty_per_day * days, policy.max_penalty)
    score = stamped.total
    penalty = round(min(score, fraction * result.possible), 6) if result.gradable else 0.0
    return dataclasses.replace(
        stamped,
        minutes_late=round(minutes, 1),
        days_late=days,
        penalty=penalty,
        total=round(score - penalty, 6),
    )


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def describe(result: SubmissionResult) -> str:
    """One sentence on lateness for feedback ("" when on time or the time is unknown)."""
    if not result.days_late:
        return ""
    hours = result.minutes_late / 60
    late = f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"
    return (
        f"Submitted {result.submitted_at}, {late} after the deadline "
        f"({result.days_late} started day{'s' if result.days_late != 1 else ''}): "
        f"late penalty {result.penalty:g} points."
    )
