"""A student's self-check: the notebook graded as the grader would, with the public checks only.

:func:`self_check` finds the assignment from the notebook's folder (the released
``assignments/<name>/`` holds its ``assignment.toml``), runs the notebook in the same sandboxed
kernel under the same limits, runs the public checks, and adds warnings about what will go
wrong at grading although it may work in the student's own session.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.checks.worker import warming
from grader.config import Assignment, find_assignment
from grader.feedback.levels import for_student
from grader.grade import GradeOptions, grade_submission
from grader.models import CheckResult, SubmissionResult
from grader.notebook import Unreadable, read_submission
from grader.submissions import Submission

PLACEHOLDER = re.compile(r"^\s*raise NotImplementedError\b|^[^#\n]*=\s*\.\.\.\s*(#.*)?$", re.M)


@dataclass(frozen=True)
class SelfCheck:
    """The public checks' result and what will break at grading."""

    assignment: Assignment
    result: SubmissionResult
    warnings: tuple[str, ...]


def self_check(notebook: Path, options: GradeOptions) -> SelfCheck:
    """Grade ``notebook`` with its assignment's public checks; warn about what grading will see.

    Raises:
        AssignmentError: the notebook is not inside an assignment's folder.
    """
    assignment = find_assignment(notebook.parent)
    public_only = dataclasses.replace(options, include_hidden=False)
    with warming([str(assignment.public_tests)]):  # the checks' process, while the kernel runs
        result = grade_submission(assignment, Submission(notebook.stem, notebook), public_only)
    saved = read_submission(notebook)
    warnings = [] if isinstance(saved, Unreadable) else _warnings(saved, result)
    shown = for_student(result, assignment.feedback)  # what grading will show them, no more
    return SelfCheck(assignment, shown, tuple(warnings))


def _warnings(nb: nbformat.NotebookNode, result: SubmissionResult) -> list[str]:
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and PLACEHOLDER.search(cell.source):
            out.append(
                f"cell {index + 1} still holds a placeholder (`...` or "
                "`raise NotImplementedError`): that answer scores nothing"
            )
    counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
    ran = [n for n in counts if isinstance(n, int)]
    out_of_order = any(a >= b for a, b in itertools.pairwise(ran))
    for error in result.cell_errors:
        if error.ename == "FileNotFoundError":
            out.append(
                f"cell {error.cell + 1} cannot find a file ({error.evalue}): at grading only the "
                "files released with the assignment, and those the notebook writes itself, exist"
            )
        elif error.ename == "NameError" and out_of_order:
            out.append(
                f"cell {error.cell + 1} raised NameError when run from top to bottom "
                f"({error.evalue}); in your session the cells ran out of order: restart the "
                "kernel and run all"
            )
    return out


def print_self_check(check: SelfCheck, console: Console) -> None:
    """The self-check as a table per question, the totals, then the warnings."""
    result = check.result
    console.print(f"[bold]{check.assignment.title}[/bold]: the public checks of your notebook")
    if not result.gradable:
        console.print(f"[red]Your notebook cannot be graded:[/red] {escape(result.reason)}")
        return
    by_question: dict[str, list[CheckResult]] = {}
    for c in result.checks:
        by_question.setdefault(c.question, []).append(c)
    for q in result.questions:
        checks = by_question.get(q.name, [])
        table = Table(
            title=f"{q.name}{': ' + q.title if q.title else ''}  ({q.passed}/{q.checks} passed)",
            title_justify="left",
            show_header=False,
            expand=True,
        )
        table.add_column("", width=2)
        table.add_column("check", ratio=1, overflow="fold")  # a long name wraps, never cut
        table.add_column("why", ratio=3)
        for c in checks:
            mark = "[green]✓[/green]" if c.passed else "[red]✗[/red]"
            why = "" if c.passed else c.message + (f"\nhint: {c.hint}" if c.hint else "")
            table.add_row(mark, escape(c.name), escape(why))
        console.print(table)
    for name in check.assignment.questions:
        if name not in by_question:
            title = check.assignment.question_title(name)
            console.print(f"{name}{': ' + title if title else ''}: no public checks; "
                          "only hidden checks grade it")  # fmt: skip
    for error in result.cell_errors:
        console.print(f"[yellow]cell {error.cell + 1}[/yellow] {escape(error.ename)}: "
                      f"{escape(error.evalue[:300])}")  # fmt: skip
    passed = sum(c.passed for c in result.checks)
    console.print(
        f"Public checks: {passed} of {len(result.checks)} passed. Hidden checks also run at "
        "grading, so this is not your grade."
    )
    if result.reason:
        console.print(f"[yellow]Note:[/yellow] {escape(result.reason)}")
    for warning in check.warnings:
        console.print(f"[yellow]Warning:[/yellow] {escape(warning)}")
