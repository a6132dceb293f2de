"""The checks of one submission's notebook, run in a fresh check worker against its kernel.

The grader side of :mod:`grader.checks.worker`: what the checks run against (a kernel, or why
there is none), which of them (a notebook's, a checkpoint's), and their messages made readable
(the student's cells named, library frames folded).
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from grader.checks.plugin import CheckCosts, CheckJob
from grader.checks.worker import ChecksTimedOut, run_checks_in_worker
from grader.config import Assignment
from grader.execute import Execution
from grader.models import CellError, CheckResult
from grader.tracebacks import readable_traceback
from grader.variants import Variant

WORKER_MEMORY_MB = 1024
"""A check worker's address space beyond the kernel's limit: its own libraries (~460 MiB of
numpy, pandas, scikit-learn and pytest) and the values it decodes."""


def notebook_label(assignment: Assignment, name: str) -> str:
    """A notebook's name in results: its stem in a multi-notebook assignment, else ""."""
    return Path(name).stem if assignment.multi_notebook else ""


@dataclass(frozen=True)
class CheckInput:
    """What the checks of one notebook run against."""

    connection: dict[str, object] | None
    """The kernel's, or None when there is no usable kernel."""
    unavailable: str
    """Why there is no usable kernel."""
    source: str
    cell_errors: tuple[CellError, ...]
    cell_of_count: dict[int, int]
    notebook: str
    """Its stem in a multi-notebook assignment (only its checks run), else ""."""
    checkpoint: str = ""
    """Only the checks waiting for this checkpoint (the kernel has just run its cell)."""
    reached: tuple[str, ...] = ()
    """At the end: the checkpoints whose checks already ran."""
    variant: Variant | None = None
    """The student's data variant, for the ``variant`` and ``variant_data`` fixtures."""

    @classmethod
    def of(
        cls, execution: Execution, connection: dict[str, object], notebook: str, **more: Any
    ) -> CheckInput:
        """The checks' input from a notebook run (so far)."""
        return cls(
            dict(connection) if execution.kernel_usable else None,
            execution.stopped,
            _source(execution.nb),
            tuple(execution.cell_errors),
            dict(execution.cell_of_count),
            notebook,
            **more,
        )


async def run_checks_for(
    assignment: Assignment, include_hidden: bool, given: CheckInput, deadline: float
) -> tuple[list[CheckResult], CheckCosts]:
    """Run the checks ``given`` asks for in a fresh check worker, until ``deadline``.

    Returns their results and what running them cost.

    Raises:
        TimeoutError: the deadline passed.
    """
    dirs = [("public", str(assignment.public_tests))]
    if include_hidden:
        dirs.append(("hidden", str(assignment.hidden_tests)))
    job = CheckJob(
        test_dirs=tuple(dirs),
        hidden_data=str(assignment.hidden_data),
        connection=given.connection,
        unavailable=given.unavailable,
        source=given.source,
        cell_errors=given.cell_errors,
        check_timeout=assignment.limits.check_timeout,
        memory_mb=assignment.limits.memory_mb + WORKER_MEMORY_MB,
        cpu_seconds=int(assignment.limits.submission_timeout) + 10,
        notebook=given.notebook,
        default_notebook=notebook_label(assignment, assignment.notebook),
        checkpoint=given.checkpoint,
        reached=given.reached,
        variant=given.variant.params if given.variant is not None else None,
        variant_data=str(given.variant.folder) if given.variant is not None else "",
    )
    try:
        results, costs = await run_checks_in_worker(job, deadline - time.monotonic())
    except ChecksTimedOut:
        raise TimeoutError from None
    return [_readable(c, given.cell_of_count) for c in results], costs


CHECK_STAGES = ("checks_handover", "checks_pytest", "checks_bridge", "checks_kernel", "checks_own")
"""Where the checks' time went (a result's ``timings``, seconds, every run of its checks):
starting the check worker and handing the job and results over; pytest itself (collection,
fixtures, reports); the bridge's plumbing (``nb`` requests less the kernel's execution of
them); the kernel executing requests (the student's code called, and the helper encoding its
values); the checks' own work (their time less their requests)."""


def check_stages(costs: list[CheckCosts]) -> dict[str, float]:
    """The :data:`CHECK_STAGES` of a notebook's check runs."""

    def total(what: str) -> float:
        return float(sum(getattr(c, what) for c in costs))

    asked, in_kernel = total("asked"), total("in_kernel")
    return {
        "checks_handover": max(0.0, total("wall") - total("worker")),
        "checks_pytest": max(0.0, total("worker") - total("checks")),
        "checks_bridge": max(0.0, asked - in_kernel),
        "checks_kernel": in_kernel,
        "checks_own": max(0.0, total("checks") - asked),
    }


CHECKPOINT = "# CHECK:"
"""The first line of a checkpoint cell: ``# CHECK: name`` (kept by release)."""
_OTTER_CHECK = re.compile(r"""^\s*\w+\.check\(\s*["']([^"']+)["']\s*\)\s*$""", re.MULTILINE)


def checkpoint_name(cell: nbformat.NotebookNode) -> str:
    """The checkpoint a code cell marks, or "".

    Its first line ``# CHECK: name``, or otter's check cell ``grader.check("name")`` (so
    notebooks released by otter are checked where their check cells stand).
    """
    if cell.get("cell_type") != "code":
        return ""
    source = str(cell.get("source", ""))
    first = source.lstrip().split("\n", 1)[0].strip()
    if first.startswith(CHECKPOINT):
        return first[len(CHECKPOINT) :].strip()
    found = _OTTER_CHECK.search(source)
    return found.group(1) if found else ""


def _readable(check: CheckResult, cell_of_count: dict[int, int]) -> CheckResult:
    """A check's message with the student's cells named and library frames folded."""
    if not check.message:
        return check
    return dataclasses.replace(check, message=readable_traceback(check.message, cell_of_count))


def _source(nb: nbformat.NotebookNode) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
