"""Grading a batch: what the gradebook lacks, concurrently, with every result recorded and reported.

:func:`grade_batch` is the batch behind ``grader grade`` and ``grader demo``: it opens the
gradebook, grades what is new (here or on a Dask cluster), records each result and writes its
student's reports as it finishes, then the cohort summary. The command line only prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.release import released_imports
from grader.checks.worker import warm_up
from grader.config import Assignment
from grader.errors import GradebookError, Stopped
from grader.feedback.report import write_student_reports, write_summary
from grader.grade import GradeOptions, grade_submission_async
from grader.gradebook import Gradebook, default_url
from grader.grading_key import Stamp, assignment_hash, stamp
from grader.integrations.cluster import grade_on_cluster
from grader.manual import apply_manual_grades
from grader.models import SubmissionResult
from grader.sandbox.warm import warm_kernels
from grader.submissions import Submission
from grader.watchdog import stop_on_signals

log = logging.getLogger(__name__)

OnResult = Callable[[SubmissionResult, bool], None]
"""Told of each result as it is recorded: (result, True when it is the gradebook's stored one)."""


@dataclass(frozen=True)
class Graded:
    """One submission of a batch as the command line reports it.

    The whole result stays in the gradebook: a batch of thousands keeps only these in memory.
    """

    student: str
    grading_key: str
    line: str
    """:meth:`SubmissionResult.summary`: the student's line on the terminal."""
    gradable: bool
    percent: float
    grader_failure: bool

    @classmethod
    def of(cls, result: SubmissionResult, grading_key: str = "") -> Graded:
        """``result``'s line (``grading_key``: the version stored in the gradebook)."""
        return cls(result.student, grading_key, result.summary(), result.gradable,
                   result.percent, result.grader_failure)  # fmt: skip


@dataclass(frozen=True)
class BatchResult:
    """What a batch graded: a line per submission, and the whole results on demand."""

    graded: tuple[Graded, ...]
    """In the order they were finished, stored ones first."""
    results: Callable[[], Iterator[SubmissionResult]]
    """Each whole result, in the same order, manual grades applied: read back one at a time."""

    @classmethod
    def holding(cls, results: Sequence[SubmissionResult]) -> BatchResult:
        """A batch whose results are at hand (a test's, or one read back already)."""
        kept = tuple(results)
        return cls(tuple(Graded.of(r) for r in kept), lambda: iter(kept))


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (from the command line); :class:`GradeOptions` says how each is graded."""

    output: Path
    """Folder of the reports (and, by default, of the gradebook)."""
    jobs: int = 1
    """Submissions graded at once (here), or workers of a local Dask cluster."""
    gradebook_url: str | None = None
    """SQLAlchemy URL; None: ``sqlite:///<output>/gradebook.sqlite``."""
    force: bool = False
    """Grade again what the gradebook holds unchanged."""
    scheduler: str | None = None
    """A Dask scheduler's address, ``"local"`` for a cluster on this machine, None: here."""


def grade_batch(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    batch: BatchOptions,
    on_result: OnResult | None = None,
) -> BatchResult:
    """Grade ``submissions``, record and report each, then write the cohort summary.

    Every submission gets a row. Each student's JSON, HTML and Markdown reports are written as
    their result is recorded; the summary (``index.html``) covers every student the gradebook
    holds for the assignment. Results come in the order they were finished, stored ones first,
    as a line each; the whole results are read back from the gradebook when asked for
    (:meth:`BatchResult.results`), so memory does not grow with the batch. Reports, the summary
    and the results carry the manual grades the gradebook holds (re-grading never touches
    them).

    Raises:
        GradebookError: the gradebook cannot be opened or written.
        Stopped: a stop signal ended the batch (what was graded is recorded).
    """
    url = batch.gradebook_url or default_url(batch.output)
    gradebook = Gradebook(url)
    graded: list[Graded] = []
    try:
        grades = gradebook.manual_grades(assignment.name)

        def reported(result: SubmissionResult, key: str, reused: bool) -> None:
            result = apply_manual_grades(result, grades, assignment)
            write_student_reports(result, batch.output, assignment.feedback)
            graded.append(Graded.of(result, key))
            if on_result is not None:
                on_result(result, reused)

        grade_cohort(
            assignment,
            submissions,
            options,
            batch.jobs,
            gradebook,
            reported,
            force=batch.force,
            scheduler=batch.scheduler,
        )
        latest = gradebook.iter_latest(assignment.name)
        write_summary(assignment.name, (apply_manual_grades(r, grades, assignment) for r in latest),
                      batch.output)  # fmt: skip
    finally:
        gradebook.close()
    keys = tuple(graded)
    return BatchResult(keys, lambda: read_back(url, assignment, keys))


def read_back(
    url: str, assignment: Assignment, graded: Sequence[Graded]
) -> Iterator[SubmissionResult]:
    """The whole results of ``graded`` from the gradebook at ``url``, one at a time.

    With the manual grades the gradebook holds applied.

    Raises:
        GradebookError: a result is no longer there, or the gradebook cannot be read.
    """
    gradebook = Gradebook(url)
    try:
        grades = gradebook.manual_grades(assignment.name)
        for g in graded:
            result = gradebook.stored(assignment.name, g.student, g.grading_key)
            if result is None:  # another grader's --force replaced it since
                raise GradebookError(
                    f"the result of {g.student} graded by this batch is no longer in the "
                    f"gradebook {gradebook.shown}"
                )
            yield apply_manual_grades(result, grades, assignment)
    finally:
        gradebook.close()


def grading_digest(assignment: Assignment, options: GradeOptions) -> str:
    """The assignment's hash with how it is graded: a change of sandbox grades again."""
    how = f"{options.isolation}:{'warm' if options.warm_kernels else 'cold'}"
    return hashlib.sha256(f"{assignment_hash(assignment)}:{how}".encode()).hexdigest()


def grade_cohort(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    jobs: int,
    gradebook: Gradebook,
    on_result: Callable[[SubmissionResult, str, bool], None],
    force: bool = False,
    scheduler: str | None = None,
) -> None:
    """Grade what the gradebook lacks, record each result as it finishes.

    ``on_result(result, grading_key, reused)`` is told of each, once it is recorded: a
    submission whose notebook, checks and grader are unchanged since it was graded keeps its
    stored result (``reused``) unless ``force``. Grading runs here, ``jobs``
    at a time, or on the Dask cluster at ``scheduler`` (``"local"``: a cluster of ``jobs``
    workers on this machine). Results come in the order they were finished, stored ones first.
    """
    digest = grading_digest(assignment, options)
    timed = assignment.late is not None
    done = 0
    todo: list[tuple[Submission, Stamp]] = []
    for sub in submissions:
        version = stamp(sub.files, digest, sub.submitted_at, time_in_key=timed)
        key = version.grading_key
        stored = None if force else gradebook.stored(assignment.name, sub.student, key)
        if stored is None or stored.grader_failure:  # a grader failure is always retried
            todo.append((sub, version))
        else:
            done += 1
            on_result(stored, key, True)
    stamps = dict(todo)

    def finished(sub: Submission, result: SubmissionResult) -> None:
        nonlocal done
        gradebook.record(result, stamps[sub])
        done += 1
        on_result(result, stamps[sub].grading_key, False)

    pending = [sub for sub, _ in todo]
    if len(pending) > jobs:
        pending = slowest_first(pending, _previous_seconds(gradebook, assignment.name))
    log.info(
        "%s: %d to grade, %d unchanged since graded (kept; --force grades them again)",
        assignment.name, len(pending), done,
    )  # fmt: skip
    if not pending:
        return
    if scheduler is None:
        try:
            asyncio.run(grade_all(assignment, pending, options, jobs, finished))
        except _StoppedBy as stop:
            left = len(submissions) - done
            raise Stopped.by(
                stop.signal_name,
                f"stopped by {stop.signal_name}: {done} of {len(submissions)} graded and "
                f"recorded, {left} left; run the same command again to grade the rest",
            ) from None
    else:
        grade_on_cluster(assignment, pending, options, scheduler, jobs, finished)


def slowest_first(pending: Sequence[Submission], seconds: dict[str, float]) -> list[Submission]:
    """``pending`` with the students who took longest to grade last time first.

    A batch is as long as its last job: a notebook that waits out its time limits, started
    near the end, runs alone while the other workers idle. Students graded before are ordered
    by how long they took then (longest first); a student never graded counts as the median of
    the others; ties keep their order.
    """
    known = sorted(seconds[s.student] for s in pending if s.student in seconds)
    middle = known[len(known) // 2] if known else 0.0
    return sorted(pending, key=lambda s: -seconds.get(s.student, middle))


def _previous_seconds(gradebook: Gradebook, assignment: str) -> dict[str, float]:
    """How long each student's latest stored result took to grade, by student."""
    return {
        r.student: r.timings["total"]
        for r in gradebook.latest(assignment)
        if isinstance(r.timings.get("total"), int | float)
    }


async def grade_all(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    jobs: int,
    on_result: Callable[[Submission, SubmissionResult], None],
) -> None:
    """Grade ``submissions``, ``jobs`` at a time; call ``on_result`` as each finishes.

    The results are not kept here.
    """
    task = asyncio.current_task()
    assert task is not None, "called in a task"
    with stop_on_signals(task) as stop:
        try:
            await _grade_all(assignment, submissions, options, jobs, on_result)
        except asyncio.CancelledError:
            if stop.signum is None:
                raise
            raise _StoppedBy(stop.name) from None


class _StoppedBy(Exception):
    """A stop signal cancelled the batch (carries its name)."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


async def _grade_all(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    jobs: int,
    on_result: Callable[[Submission, SubmissionResult], None],
) -> None:
    gate = asyncio.Semaphore(max(1, jobs))
    # The check workers' fork server imports pytest, numpy, pandas and scikit-learn once: let
    # it do so while the first kernels start, not when the first checks are waiting for it.
    # It imports the assignment's check files then too, once for the batch (not per notebook).
    folders = (str(assignment.public_tests), str(assignment.hidden_tests))
    warming = asyncio.get_running_loop().run_in_executor(None, warm_up, folders)

    warm = options.warm_batch(len(submissions))
    preload = released_imports(assignment) if warm else []
    keep_log = options.debug_dir / "zygote.log" if options.debug_dir is not None else None
    async with warm_kernels(preload, warm, keep_log) as kernels:
        if kernels is not None:  # no spare kernel started beyond the batch's
            kernels.spares.expect(len(submissions) * len(assignment.notebooks))

        async def one(sub: Submission) -> None:
            async with gate:
                result = await grade_submission_async(assignment, sub, options, kernels)
            on_result(sub, result)

        tasks = [asyncio.ensure_future(one(s)) for s in submissions]
        try:
            await asyncio.gather(*tasks)
        finally:
            # gather ends at the first failure or cancellation: every kernel must be stopped
            # (by its own task's clean-up) before the zygote goes.
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            with contextlib.suppress(Exception):  # a real failure shows in the checks
                await warming
