"""The cohort summary an instructor acts on: distribution, item analysis, who needs a look.

:func:`summarize` turns a cohort's results into plain numbers; the page itself is the
``summary.html.j2`` template (one self-contained file: inline SVG, inline CSS and script).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from grader.models import SubmissionResult

BINS = 10
"""Histogram bars: [0, 10) %, [10, 20) %, … [90, 100] % (100 % falls in the last)."""
COMMON_MESSAGES = 3
MESSAGE_CHARS = 160


@dataclass(frozen=True)
class Bin:
    """One bar of the score histogram."""

    low: int
    high: int
    count: int


@dataclass(frozen=True)
class QuestionStats:
    """How a question went across the gradable submissions."""

    name: str
    title: str
    possible: float
    mean: float
    full_marks: int
    """Submissions with every point of the question."""
    graded: int
    notebook: str = ""
    """Its notebook (stem), in a multi-notebook assignment."""


@dataclass(frozen=True)
class CheckStats:
    """Item analysis of one check: how often it fails, and with which messages."""

    name: str
    question: str
    visibility: str
    passed: int
    failed: int
    """Did not pass: failed, error or timeout."""
    timeouts: int
    messages: tuple[tuple[str, int], ...]
    """The most common first lines of its messages, with their counts."""

    @property
    def pass_rate(self) -> float:
        """Share of submissions that passed it (0 when none ran it)."""
        runs = self.passed + self.failed
        return self.passed / runs if runs else 0.0


@dataclass(frozen=True)
class StudentRow:
    """One line of the students' table."""

    student: str
    total: float
    possible: float
    percent: float
    gradable: bool
    state: str
    """``graded``, ``stopped`` (graded, but the run stopped early), ``ungradable`` or
    ``grader failure`` (not the student's fault: a re-run grades it again)."""
    reason: str
    trouble: str
    """What ran out of time, was killed or stopped the run ("" when nothing did)."""
    seconds: float
    failed_checks: int
    sandboxed: bool = True
    """False when the notebook ran with resource limits only (no bubblewrap)."""


@dataclass(frozen=True)
class CohortSummary:
    """Everything the summary page shows."""

    assignment: str
    submissions: int
    gradable: int
    mean_percent: float
    median_percent: float
    bins: tuple[Bin, ...]
    questions: tuple[QuestionStats, ...]
    checks: tuple[CheckStats, ...]
    """Hardest first: lowest pass rate, then most failures."""
    students: tuple[StudentRow, ...]
    ungradable: tuple[StudentRow, ...]
    timed_out: tuple[StudentRow, ...]
    """Submissions with a cell or check that ran out of time, or a run stopped early."""
    median_seconds: float
    max_seconds: float
    total_seconds: float

    @property
    def tallest_bin(self) -> int:
        """The largest bar (at least 1, so an empty cohort draws no division by zero)."""
        return max([1, *(b.count for b in self.bins)])


def summarize(assignment: str, results: Iterable[SubmissionResult]) -> CohortSummary:
    """The cohort summary of ``results`` (one per student).

    They are read once, one at a time: only a row per student and the tallies are kept, so a
    gradebook's results can stream through.
    """
    tally = _Tally()
    rows = []
    percents = []
    for r in results:
        rows.append(_row(r))
        if r.gradable:
            percents.append(r.percent)
            tally.add(r)
    rows.sort(key=lambda row: row.student)
    seconds = [row.seconds for row in rows]
    return CohortSummary(
        assignment=assignment,
        submissions=len(rows),
        gradable=len(percents),
        mean_percent=statistics.fmean(percents) if percents else 0.0,
        median_percent=statistics.median(percents) if percents else 0.0,
        bins=_histogram(percents),
        questions=tally.questions(),
        checks=tally.checks(),
        students=tuple(rows),
        ungradable=tuple(row for row in rows if not row.gradable),
        timed_out=tuple(row for row in rows if row.gradable and row.trouble),
        median_seconds=statistics.median(seconds) if seconds else 0.0,
        max_seconds=max(seconds, default=0.0),
        total_seconds=sum(seconds),
    )


def _row(r: SubmissionResult) -> StudentRow:
    return StudentRow(
        student=r.student,
        total=r.total,
        possible=r.possible,
        percent=round(r.percent, 1),
        gradable=r.gradable,
        state=_state(r),
        reason=r.reason,
        trouble=_trouble(r),
        seconds=float(r.timings.get("total", 0.0)),
        failed_checks=sum(1 for c in r.checks if not c.passed),
        sandboxed=r.sandboxed,
    )


def _state(result: SubmissionResult) -> str:
    if result.grader_failure:
        return "grader failure"
    if not result.gradable:
        return "ungradable"
    if result.reason:
        return "stopped"
    return "awaiting manual grading" if result.awaiting_manual else "graded"


_CELL_TROUBLE = {
    "timeout": "ran out of time",
    "killed": "was killed",
    "skipped": "stopped the kernel and was skipped",
}


def _trouble(result: SubmissionResult) -> str:
    """What ran out of time, was killed, or stopped the run early, in a few words."""
    parts = [
        f"cell {e.cell + 1} {_CELL_TROUBLE[e.kind]}"
        for e in result.cell_errors
        if e.kind in _CELL_TROUBLE
    ]
    slow = [c.name for c in result.checks if c.status == "timeout"]
    if slow:
        parts.append(f"checks timed out: {', '.join(slow)}")
    if result.reason and result.gradable:
        parts.append(result.reason)
    return "; ".join(parts)


def _histogram(percents: list[float]) -> tuple[Bin, ...]:
    width = 100 // BINS
    counts = [0] * BINS
    for p in percents:
        counts[min(BINS - 1, max(0, int(p // width)))] += 1
    return tuple(Bin(i * width, (i + 1) * width, n) for i, n in enumerate(counts))


class _Tally:
    """The per-question and per-check counts of the gradable results, added one at a time."""

    def __init__(self) -> None:
        self.scores: dict[str, list[float]] = defaultdict(list)
        self.full: Counter[str] = Counter()
        self.question_meta: dict[str, tuple[str, float, str]] = {}
        self.passed: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.timeouts: Counter[str] = Counter()
        self.messages: dict[str, Counter[str]] = defaultdict(Counter)
        self.check_meta: dict[str, tuple[str, str]] = {}

    def add(self, r: SubmissionResult) -> None:
        for q in r.questions:
            if q.awaiting:  # not graded yet: no score to average
                continue
            self.scores[q.name].append(q.score)
            self.question_meta.setdefault(q.name, (q.title, q.possible, q.notebook))
            self.full[q.name] += q.score >= q.possible
        for c in r.checks:
            key = f"{c.question}::{c.name}"
            self.check_meta.setdefault(key, (c.question, c.visibility))
            if c.passed:
                self.passed[key] += 1
                continue
            self.failed[key] += 1
            self.timeouts[key] += c.status == "timeout"
            first = (c.message.strip().splitlines() or ["(no message)"])[0]
            self.messages[key][first[:MESSAGE_CHARS]] += 1

    def questions(self) -> tuple[QuestionStats, ...]:
        return tuple(
            QuestionStats(
                name=name,
                title=self.question_meta[name][0],
                possible=self.question_meta[name][1],
                mean=statistics.fmean(values),
                full_marks=self.full[name],
                graded=len(values),
                notebook=self.question_meta[name][2],
            )
            for name, values in self.scores.items()
        )

    def checks(self) -> tuple[CheckStats, ...]:
        stats = [
            CheckStats(
                name=key.split("::", 1)[1],
                question=question,
                visibility=visibility,
                passed=self.passed[key],
                failed=self.failed[key],
                timeouts=self.timeouts[key],
                messages=tuple(self.messages[key].most_common(COMMON_MESSAGES)),
            )
            for key, (question, visibility) in self.check_meta.items()
        ]
        return tuple(sorted(stats, key=lambda s: (s.pass_rate, -s.failed, s.question, s.name)))
