"""Grading one submission: the orchestrator, a straight sequence of stages.

read the notebook → prepare a private working folder → start a sandboxed kernel → run the
notebook → run the checks in a warm worker (outside the sandbox, talking to the kernel through
the bridge) → stop the kernel → score → apply the late policy and the notes from finding the
submission. A student's failure anywhere is data in the result; the same notebook gives the
same result whether graded by the library, ``grader grade`` or a cluster worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.checks.plugin import CheckCosts
from grader.checks.runner import (
    CHECK_STAGES,
    CheckInput,
    check_stages,
    checkpoint_name,
    notebook_label,
    run_checks_for,
)
from grader.config import Assignment
from grader.errors import KernelError, SandboxError, VariantError
from grader.execute import STOPPED_TAIL, AfterCell, Execution, run_notebook
from grader.late import apply_late_policy
from grader.manual import capture_answers
from grader.models import CellError, CheckResult, ManualAnswer, SubmissionResult
from grader.notebook import Unreadable, read_submission, structure_notes
from grader.sandbox import Isolation
from grader.sandbox.kernel import Kernel, sandboxed_kernel
from grader.sandbox.warm import KernelFactory
from grader.scoring import grader_failure, score, ungradable
from grader.submissions import Submission
from grader.variants import PARAMS_FILE, Variant, build_variant, released_variant

STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class GradeOptions:
    """How to grade (from the command line)."""

    isolation: Isolation = "bwrap"
    include_hidden: bool = True
    """Run hidden checks (False for a student's self-check)."""
    warm_kernels: bool = True
    """Fork a batch's kernels from a zygote that imported their libraries
    (:mod:`grader.sandbox.warm`)."""
    debug_dir: Path | None = None
    """Keep what helps find a grader problem here (``--debug``): each cold kernel's stderr as
    ``<student>.kernel.log``, the warm-kernel zygote's log as ``zygote.log``."""

    def warm_batch(self, size: int) -> bool:
        """Whether a batch of ``size`` submissions starts its kernels warm.

        Asked for, in bubblewrap (the zygote's confinement), and more than one submission (a
        zygote costs more than it saves a single kernel).
        """
        return self.warm_kernels and self.isolation == "bwrap" and size > 1


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

    ``kernels``: the batch's warm-kernel factory (:mod:`grader.sandbox.warm`); None starts it cold.
    A failure of the grader's own machinery for this submission (its kernel cannot start, its
    check worker dies, no sandbox uid is free) is a result too: ``grader_failure``.
    """
    was_broken = kernels is not None and kernels.gone
    result = await _grade_or_fail(assignment, submission, options, kernels)
    if kernels is not None and kernels.gone and not was_broken:
        # The zygote died while this submission's warm kernel started or ran (its kernels die
        # with it): not the student's doing. Grade it again from the start, in a cold kernel.
        kernels = None
        result = await _grade_or_fail(assignment, submission, options, None)
    result = apply_late_policy(result, assignment.late, submission.submitted_at)
    # ``kernels``: how the kernel that ran it started (in a warm batch some start cold).
    return dataclasses.replace(
        result, isolation=options.isolation, notes=result.notes + submission.notes
    )


async def _grade_or_fail(
    assignment: Assignment,
    submission: Submission,
    options: GradeOptions,
    kernels: KernelFactory | None,
) -> SubmissionResult:
    """The submission's result, or a grader failure when the grader's own machinery failed."""
    try:
        return await _grade(assignment, submission, options, kernels)
    except (KernelError, SandboxError, VariantError) as exc:
        return grader_failure(assignment, submission.student, str(exc))


async def _grade(
    assignment: Assignment,
    submission: Submission,
    options: GradeOptions,
    kernels: KernelFactory | None,
) -> SubmissionResult:
    if submission.problem:
        return ungradable(assignment, submission.student, submission.problem)
    started = time.monotonic()
    limits = assignment.limits
    deadline = started + limits.submission_timeout
    multi = assignment.multi_notebook
    paths = submission.notebooks if multi else (submission.path,)
    runs: list[_Ran] = []
    try:
        async with (
            asyncio.timeout(limits.submission_timeout),
            _variant_of(assignment, submission) as variant,
        ):
            for name, path in zip(assignment.notebooks, paths, strict=True):
                if multi and not path.is_file():
                    nb: nbformat.NotebookNode | Unreadable = Unreadable(f"{name} was not handed in")
                else:
                    nb = read_submission(path)
                if isinstance(nb, Unreadable) and not multi:
                    return ungradable(assignment, submission.student, nb.reason)
                if isinstance(nb, Unreadable):  # its checks fail, the other notebooks count
                    runs.append(await _unrun(assignment, options, name, nb.reason, deadline))
                else:
                    run = _run(assignment, options, kernels, nb, name, submission.student, variant)
                    runs.append(await run(deadline))
                    shape = structure_notes(nb, assignment.root / name)
                    runs[-1].notes.extend(f"{name}: {n}" if multi else n for n in shape)
    except TimeoutError:
        return ungradable(
            assignment,
            submission.student,
            f"grading did not finish within {limits.submission_timeout:g} "
            "seconds (the submission's time limit)",
        )
    timings = {k: round(sum(r.timings.get(k, 0.0) for r in runs), 3) for k in TIMED}
    timings["total"] = round(time.monotonic() - started, 3)
    result = score(
        assignment,
        submission.student,
        [c for r in runs for c in r.checks],
        [e for r in runs for e in r.cell_errors],
        reason="; ".join(r.reason for r in runs if r.reason),
        timings=timings,
        notes=[n for r in runs for n in r.notes],
    )
    return dataclasses.replace(
        result,
        kernels=next((r.how for r in runs if r.how), ""),
        answers=tuple(a for r in runs for a in r.answers),
    )


TIMED = ("start", "execute", "checks", "shutdown", *CHECK_STAGES)
"""The stages whose seconds a result records (summed over its notebooks), besides the total
(the checks' split, :data:`~grader.checks.runner.CHECK_STAGES`, covers checkpoints' too)."""


@dataclass
class _Ran:
    """One notebook of a submission, run and checked (or its checks failed without a run)."""

    checks: list[CheckResult]
    cell_errors: list[CellError]
    notes: list[str]
    reason: str
    how: str
    """How its kernel started: ``warm``, ``cold``, or "" when none ran."""
    timings: dict[str, float]
    answers: tuple[ManualAnswer, ...] = ()
    """Its answers to manual questions, with their outputs from this run."""


def _run(
    assignment: Assignment,
    options: GradeOptions,
    kernels: KernelFactory | None,
    nb: nbformat.NotebookNode,
    name: str,
    student: str,
    variant: Variant | None = None,
) -> Callable[[float], Awaitable[_Ran]]:
    """Run notebook ``name`` in its own kernel and its checks against it (until ``deadline``).

    ``variant``: the student's own data and parameters (their files over the released ones).
    """

    async def run(deadline: float) -> _Ran:
        timings: dict[str, float] = {}
        label = notebook_label(assignment, name)
        at: dict[str, list[CheckResult]] = {}  # a checkpoint's checks, as they last ran
        costs: list[CheckCosts] = []

        async def checkpoint(
            running: Kernel, index: int, cell: nbformat.NotebookNode, so_far: Execution
        ) -> None:
            point = checkpoint_name(cell)
            if point:
                given = CheckInput.of(
                    so_far, running.connection, label, checkpoint=point, variant=variant
                )
                at[point], cost = await run_checks_for(
                    assignment, options.include_hidden, given, deadline
                )
                costs.append(cost)

        spool = kernels.spool if kernels is not None else None
        overlay = variant.folder if variant is not None else None
        with private_workdir(assignment, nb, spool, name, overlay) as workdir:
            async with executed_notebook(
                nb, workdir, assignment, options, kernels, deadline, student, checkpoint
            ) as (kernel, execution):
                timings["start"] = execution.started_after
                timings["execute"] = execution.duration
                checks_started = time.monotonic()
                given = CheckInput.of(
                    execution, kernel.connection, label, reached=tuple(at), variant=variant
                )
                checks, cost = await run_checks_for(
                    assignment, options.include_hidden, given, deadline
                )
                stopping = time.monotonic()
                timings["checks"] = stopping - checks_started
                timings.update(check_stages([*costs, cost]))
            timings["shutdown"] = time.monotonic() - stopping
        return _Ran(
            checks=[c for point in at.values() for c in point] + checks,
            cell_errors=[dataclasses.replace(e, notebook=label) for e in execution.cell_errors],
            notes=[f"{name}: {n}" if label else n for n in execution.notes],
            reason=f"{name}: {execution.stopped}"
            if label and execution.stopped
            else execution.stopped,
            how="warm" if kernel.warm else "cold",
            timings=timings,
            answers=capture_answers(execution.nb, assignment, name),
        )

    return run


async def _unrun(
    assignment: Assignment, options: GradeOptions, name: str, why: str, deadline: float
) -> _Ran:
    """A notebook that could not run (not handed in, unreadable): its checks fail with why."""
    label = notebook_label(assignment, name)
    missing = CheckInput(None, why, "", (), {}, label)
    checks, _ = await run_checks_for(assignment, options.include_hidden, missing, deadline)
    return _Ran(checks, [], [why], "", "", {})


KILL_GRACE = 3.0
"""Seconds past the submission's deadline before the watchdog kills its sandbox itself (the
event loop's own time-out normally stops it first)."""
RECOVERY_MARGIN = 5.0
"""Seconds a fresh kernel needs at least, to be worth starting after one died."""


@contextlib.asynccontextmanager
async def executed_notebook(
    nb: nbformat.NotebookNode,
    workdir: Path,
    assignment: Assignment,
    options: GradeOptions,
    kernels: KernelFactory | None,
    deadline: float,
    student: str = "",
    after_cell: AfterCell | None = None,
) -> AsyncIterator[tuple[Kernel, Execution]]:
    """The notebook run in a live kernel; a cell that kills or wedges one costs only itself.

    When a cell kills or wedges the kernel, a fresh kernel runs the notebook again without that
    cell (the cells before it rebuild the state, the cells after it run), at most
    ``limits.recoveries`` times and while the submission's time allows. ``after_cell`` runs
    after each cell that finished.
    """
    limits = assignment.limits
    started = time.monotonic()
    stderr_log = None
    if options.debug_dir is not None:
        stderr_log = options.debug_dir / f"{student or 'notebook'}.kernel.log"
    skipped: dict[int, CellError] = {}
    recovered: list[str] = []
    while True:
        async with sandboxed_kernel(
            workdir,
            limits,
            options.isolation,
            STARTUP_TIMEOUT,
            kernels,
            deadline + KILL_GRACE,
            stderr_log,
        ) as kernel:
            started_after = time.monotonic() - started
            execution = await run_notebook(nb, kernel, limits, frozenset(skipped), after_cell)
            bad = execution.broken_cell
            if (
                bad is None
                or len(skipped) >= limits.recoveries
                or deadline - time.monotonic() < RECOVERY_MARGIN
            ):
                yield kernel, _with_skipped(execution, skipped, recovered, started_after)
                return
        skipped[bad] = _skipped_error(execution, bad)
        recovered.append(
            execution.stopped.replace(STOPPED_TAIL, "")
            + "; a fresh kernel re-ran the cells before it and ran the rest without it"
        )


def _skipped_error(execution: Execution, cell: int) -> CellError:
    """What the skipped cell did to the kernel, for the student's feedback."""
    what = next((e for e in execution.cell_errors if e.cell == cell), None)
    why = what.evalue if what is not None else execution.stopped
    return CellError(
        cell=cell,
        kind="skipped",
        ename=what.ename if what is not None else "KernelStopped",
        evalue=f"{why}; a fresh kernel ran the other cells without this one",
    )


def _with_skipped(
    execution: Execution, skipped: dict[int, CellError], recovered: list[str], started_after: float
) -> Execution:
    """``execution`` with the cells earlier kernels could not get past recorded as skipped."""
    execution.started_after = started_after
    if skipped:
        earlier = [e for e in execution.cell_errors if e.cell not in skipped]
        execution.cell_errors = sorted([*earlier, *skipped.values()], key=lambda e: e.cell)
        execution.notes[:0] = recovered
    return execution


@contextlib.asynccontextmanager
async def _variant_of(assignment: Assignment, sub: Submission) -> AsyncIterator[Variant | None]:
    """The student's data variant (built for them, or the one their own release holds), or None."""
    if not assignment.variants:
        yield released_variant(assignment)
        return
    folder = Path(tempfile.mkdtemp(prefix="grader-variant-"))
    try:
        yield await asyncio.to_thread(
            build_variant, assignment, sub.student, folder, sub.variant_seed
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def private_workdir(
    assignment: Assignment,
    nb: nbformat.NotebookNode,
    under: Path | None = None,
    name: str | None = None,
    overlay: Path | None = None,
) -> Iterator[Path]:
    """A temporary folder (in ``under``) holding only the released files and the notebook.

    The notebook is written as ``name`` (by default the assignment's notebook); the files in
    ``overlay`` (a student's data variant) are copied over the released ones.
    """
    root = Path(tempfile.mkdtemp(prefix="grader-work-", dir=under))
    try:
        for src in assignment.files("released"):
            dest = root / src.relative_to(assignment.root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
        if overlay == assignment.root:  # a student's own release: its files are the released
            shutil.copy2(overlay / PARAMS_FILE, root / PARAMS_FILE)
        elif overlay is not None:
            shutil.copytree(overlay, root, dirs_exist_ok=True)
        nbformat.write(nb, root / (name or assignment.notebook))
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
