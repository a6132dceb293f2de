"""Grading one submission: the orchestrator, a straight sequence of stages.

read the notebook → prepare a private working folder → start a sandboxed kernel → run the
notebook → run the checks in a warm worker (outside the sandbox, talking to the kernel through
the bridge) → stop the kernel → score. A student's failure anywhere is data in the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.checks import CheckJob
from grader.config import Assignment
from grader.execute import Execution, run_notebook
from grader.kernel import sandboxed_kernel
from grader.models import CheckResult, SubmissionResult
from grader.notebook import Unreadable, read_submission
from grader.sandbox import Isolation
from grader.scoring import score, ungradable
from grader.tracebacks import readable_traceback
from grader.warm import KernelFactory
from grader.workers import ChecksTimedOut, run_checks_in_worker

STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Submission:
    """One student's notebook."""

    student: str
    path: Path
    submitted_at: dt.datetime | None = None
    """When it was handed in (see :mod:`grader.late`); None: unknown, counts as on time."""
    notes: tuple[str, ...] = ()
    """Remarks from finding it (e.g. an unreadable timestamp.txt), added to its result."""
    problem: str = ""
    """Why it cannot be graded at all, found before grading (e.g. its folder holds no notebook)."""


@dataclass(frozen=True)
class GradeOptions:
    """How to grade (from the command line)."""

    isolation: Isolation = "bwrap"
    include_hidden: bool = True
    """Run hidden checks (False for a student's self-check)."""
    warm_kernels: bool = True
    """Fork a batch's kernels from a zygote that imported their libraries (:mod:`grader.warm`)."""


def grade_submission(
    assignment: Assignment, submission: Submission, options: GradeOptions
) -> SubmissionResult:
    """Grade one submission (synchronous wrapper of :func:`grade_submission_async`)."""
    return asyncio.run(grade_submission_async(assignment, submission, options))


async def grade_submission_async(
    assignment: Assignment,
    submission: Submission,
    options: GradeOptions,
    kernels: KernelFactory | None = None,
) -> SubmissionResult:
    """Grade one submission; never raises for anything the student did.

    ``kernels``: the batch's warm-kernel factory (:mod:`grader.warm`); None starts it cold.
    """
    if submission.problem:
        return ungradable(assignment, submission.student, submission.problem)
    started = time.monotonic()
    nb = read_submission(submission.path)
    if isinstance(nb, Unreadable):
        return ungradable(assignment, submission.student, nb.reason)
    deadline = started + assignment.limits.submission_timeout
    timings: dict[str, float] = {}
    spool = kernels.spool if kernels is not None else None
    with private_workdir(assignment, nb, spool) as workdir:
        try:
            async with asyncio.timeout(assignment.limits.submission_timeout):
                async with sandboxed_kernel(
                    workdir, assignment.limits, options.isolation, STARTUP_TIMEOUT, kernels
                ) as kernel:
                    timings["start"] = time.monotonic() - started
                    execution = await run_notebook(nb, kernel, assignment.limits)
                    timings["execute"] = execution.duration
                    checks_started = time.monotonic()
                    checks, stop_reason = await _run_checks(
                        assignment, options, execution, kernel.connection, deadline
                    )
                    stopping = time.monotonic()
                    timings["checks"] = stopping - checks_started
                timings["shutdown"] = time.monotonic() - stopping
        except TimeoutError:
            return ungradable(
                assignment,
                submission.student,
                f"grading did not finish within {assignment.limits.submission_timeout:g} "
                "seconds (the submission's time limit)",
            )
    timings["total"] = time.monotonic() - started
    return score(
        assignment,
        submission.student,
        checks,
        execution.cell_errors,
        reason=execution.stopped or stop_reason,
        timings={k: round(v, 3) for k, v in timings.items()},
        notes=execution.notes,
    )


async def _run_checks(
    assignment: Assignment,
    options: GradeOptions,
    execution: Execution,
    connection: dict[str, object],
    deadline: float,
) -> tuple[list[CheckResult], str]:
    dirs = [("public", str(assignment.public_tests))]
    if options.include_hidden:
        dirs.append(("hidden", str(assignment.hidden_tests)))
    job = CheckJob(
        test_dirs=tuple(dirs),
        hidden_data=str(assignment.hidden_data),
        connection=dict(connection) if execution.kernel_usable else None,
        unavailable=execution.stopped,
        source=_source(execution.nb),
        cell_errors=tuple(execution.cell_errors),
        check_timeout=assignment.limits.check_timeout,
    )
    try:
        results = await run_checks_in_worker(job, deadline - time.monotonic())
    except ChecksTimedOut:
        raise TimeoutError from None
    return [_readable(c, execution.cell_of_count) for c in results], ""


def _readable(check: CheckResult, cell_of_count: dict[int, int]) -> CheckResult:
    """A check's message with the student's cells named and library frames folded."""
    if not check.message:
        return check
    return dataclasses.replace(check, message=readable_traceback(check.message, cell_of_count))


def _source(nb: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


@contextlib.contextmanager
def private_workdir(
    assignment: Assignment, nb: nbformat.NotebookNode, under: Path | None = None
) -> Iterator[Path]:
    """A temporary folder (in ``under``) holding only the released files and the notebook."""
    root = Path(tempfile.mkdtemp(prefix="grader-work-", dir=under))
    try:
        for entry in assignment.release:
            src = assignment.root / entry
            dest = root / entry
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            elif src.is_file():
                shutil.copy2(src, dest)
        if assignment.public_tests.is_dir():
            shutil.copytree(assignment.public_tests, root / "tests" / "public")
        nbformat.write(nb, root / assignment.notebook)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
