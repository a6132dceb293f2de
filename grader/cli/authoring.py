"""Commands for the instructor's assignments: ``release`` and ``validate``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.authoring.release import release
from grader.authoring.validate import validate
from grader.cli.options import fail, grade_options, sandbox_option
from grader.config import SandboxMode, solution_assignment


@click.command("release")
@click.argument("name")
@click.pass_obj
def release_cmd(course: Path, name: str) -> None:
    """Build assignments/NAME/ (what students get) from solutions/NAME/.

    Solutions are replaced by stubs, outputs cleared; public checks and the files listed in
    `release` are copied; hidden checks and hidden data never are.
    """
    assignment = solution_assignment(course, name)
    notebook = release(assignment, course / "assignments" / name)
    click.echo(f"released {name}: {notebook}")


@click.command("validate")
@click.argument("name")
@sandbox_option
@click.pass_obj
def validate_cmd(course: Path, name: str, sandbox: SandboxMode) -> None:
    """Check assignment NAME: the solution scores full marks, the released notebook 0.

    Exits 1 and lists the problems when either is not so.
    """
    assignment = solution_assignment(course, name)
    outcome = validate(assignment, grade_options(sandbox))
    click.echo(f"solution:          {outcome.solution.summary()}")
    click.echo(f"released notebook: {outcome.released.summary()}")
    for problem in outcome.problems:
        click.echo(f"  problem: {problem}")
    for note in outcome.notes:
        click.echo(f"  {note}")
    if not outcome.ok:
        fail(f"{name} is not valid ({len(outcome.problems)} problems)")
    click.echo(f"{name} is valid: full marks for the solution, 0 on every check without it")
